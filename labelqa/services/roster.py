"""Import the labeler roster (CSV: email, vendor, site, market, start_date[, name]).

All rows or none: any bad row stops the import.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from sqlalchemy.orm import Session

from labelqa.errors import ValidationError
from labelqa.store.repositories import audit
from labelqa.store.repositories.labelers import RosterEntry, apply_roster

__all__ = ["REQUIRED_COLUMNS", "import_roster", "parse_roster"]

REQUIRED_COLUMNS = ("email", "vendor", "site", "market", "start_date")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def parse_roster(text: str) -> list[RosterEntry]:
    """Validate every row; a ValidationError lists each bad row as ``row N, column C: problem``.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            f"roster is missing column(s) {', '.join(missing)}; expected header "
            f"{','.join(REQUIRED_COLUMNS)}[,name]",
            code="roster_columns",
        )
    reader.fieldnames = header
    problems: list[str] = []
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for rowno, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        bad = []
        email = row.get("email", "").lower()
        if not _EMAIL.match(email):
            bad.append(f"row {rowno}, column email: {row.get('email')!r} is not an e-mail address")
        elif email in seen:
            bad.append(f"row {rowno}, column email: {email} already appears in row {seen[email]}")
        for col in ("vendor", "site", "market"):
            if not row.get(col):
                bad.append(f"row {rowno}, column {col}: empty")
        start: date | None = None
        if row.get("start_date"):
            try:
                start = date.fromisoformat(row["start_date"])
            except ValueError:
                bad.append(
                    f"row {rowno}, column start_date: {row['start_date']!r} is not a date "
                    "(use YYYY-MM-DD)"
                )
        if bad:
            problems.extend(bad)
            continue
        seen[email] = rowno
        entries.append(
            RosterEntry(
                email, row["vendor"], row["site"], row["market"], start, row.get("name") or None
            )
        )
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ValidationError(
            f"roster has {len(problems)} problem(s), nothing imported: {shown}{more}",
            code="roster_invalid",
            details=problems,
        )
    if not entries:
        raise ValidationError("roster has no rows", code="roster_empty")
    return entries


def import_roster(session: Session, text: str, *, actor: str) -> dict[str, int]:
    """Parse and apply a roster; returns ``{"created": n, "updated": m}``."""
    entries = parse_roster(text)
    counts = apply_roster(session, entries)
    audit.record(session, actor, "roster.import", "labelers", None, counts)
    return counts
