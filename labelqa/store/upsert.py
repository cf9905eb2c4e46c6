"""Dialect-aware bulk upsert (INSERT ... ON CONFLICT) for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["upsert_rows"]


def upsert_rows(
    session: Session,
    table: FromClause,
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
    update: Sequence[str],
    only_if_newer: str | None = None,
) -> None:
    """Insert ``rows`` into ``table``; on a ``conflict`` key clash update the ``update`` columns.

    ``only_if_newer`` names a timestamp column: an existing row is only overwritten when the
    incoming value is at least as new (so a stale, replayed payload never regresses a row).
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins_mod: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = ins_mod.insert(table)
    where: ColumnElement[bool] | None = None
    if only_if_newer is not None:
        col = table.c[only_if_newer]
        new = stmt.excluded[only_if_newer]
        where = (col.is_(None)) | (new >= col)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(conflict),
            set_={c: stmt.excluded[c] for c in update},
            where=where,
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    # executemany: SQLAlchemy batches it as multi-row INSERTs ("insertmanyvalues") and caches
    # the compiled statement, instead of compiling a new VALUES clause per call.
    session.execute(stmt, list(rows))
