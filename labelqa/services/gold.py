"""Gold sets: import, hidden injection into Label Studio, scoring, qualification, re-validation.

Secrecy: Label Studio Community shows every task field to every labeler, so a gold copy is
written to LS as exactly ``{"data": <the item's data fields>}``, the same shape as any ordinary
task (see :func:`labelqa.gold.gold_task_payload`); the mapping LS task id -> gold item and the
answers live only in LabelQA. Copies are imported in the same batch as ordinary tasks whenever
LabelQA imports ordinary tasks (ids and timestamps then interleave); ``inject`` alone appends.

Community cannot assign a task to a labeler, so "never the same gold item twice" is enforced by
(1) one copy of an item per injection batch, (2) not re-injecting an item until its earlier copy
was answered, and (3) scoring only a labeler's first answer to a gold item (later repeats are
ignored). ``max_exposure`` caps how many labelers an item is shown to per queue.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.label_studio.client import LabelStudioConnector
from labelqa.errors import ValidationError
from labelqa.gold import GoldItem as PoolItem
from labelqa.gold import (
    QualificationRule,
    gold_task_payload,
    plan_injection,
    recalibration_list,
    revalidate_gold,
)
from labelqa.metrics import accuracy, confusion
from labelqa.services._frames import map_unique
from labelqa.services.sops import load_version
from labelqa.sops import SOP, LabelTranslator, Untranslatable
from labelqa.store.models import Annotation, GoldCopy, GoldItem, Item, Queue, SOPVersion
from labelqa.store.repositories import audit
from labelqa.store.repositories import gold as gold_repo
from labelqa.store.repositories import sops as sop_repo
from labelqa.store.repositories.sources import get_queue

__all__ = [
    "BY_CHOICES",
    "InjectionResult",
    "accuracy_report_gold",
    "check_rate",
    "gold_frame",
    "gold_status",
    "import_gold",
    "inject_gold",
    "mark_for_revalidation",
    "remove_from_label_studio",
    "scorecard",
    "set_gold_status",
]

BY_CHOICES = ("labeler", "vendor", "site", "market", "sop_version", "queue")


def _sop_ref(session: Session, ref: str) -> tuple[SOPVersion, SOP]:
    key, _, version = ref.partition("@")
    if not key or not version:
        raise ValidationError(
            f"--sop must look like KEY@VERSION, got {ref!r}", code="invalid_sop_ref"
        )
    row = sop_repo.get_version(session, key, version)
    if not any(p.sop_version_id == row.id for p in sop_repo.publications(session, key=key)):
        raise ValidationError(
            f"{ref} has not been published to any queue; gold can only be set for a published "
            "SOP version (publish it with `labelqa sop publish`)",
            code="sop_unpublished",
        )
    return row, load_version(row)


def _rows(text: str, fmt: str, fields: list[str]) -> list[dict[str, Any]]:
    if fmt == "jsonl":
        out = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise ValidationError(f"line {n}: not JSON ({exc})", code="gold_invalid") from exc
            if not isinstance(obj, dict):
                raise ValidationError(f"line {n}: expected a JSON object", code="gold_invalid")
            out.append({"_row": f"line {n}", **obj})
        return out
    if fmt == "csv":
        out = []
        for n, raw in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), start=2):
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
            data = (
                json.loads(row["data"]) if row.get("data") else {f: row.get(f, "") for f in fields}
            )
            labels = row.get("labels") or row.get("label") or ""
            out.append(
                {
                    "_row": f"row {n}",
                    "id": row.get("id") or None,
                    "data": data,
                    "labels": [x for x in labels.split("|") if x],
                    "rationale": row.get("rationale", ""),
                    "stratum": row.get("stratum") or None,
                    "difficulty": row.get("difficulty") or None,
                }
            )
        return out
    raise ValidationError(f"format must be jsonl or csv, got {fmt!r}", code="invalid_format")


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _labels_of(row: dict[str, Any]) -> list[str]:
    raw = row.get("labels") if row.get("labels") is not None else row.get("label")
    if raw is None or raw == "":
        return []
    return [str(x) for x in raw] if isinstance(raw, list) else [str(raw)]


def import_gold(
    session: Session, text: str, *, fmt: str, sop_ref: str, actor: str
) -> dict[str, Any]:
    """Validate every row, then store them all (or nothing).

    Each row: ``data`` (the item's fields, exactly the SOP's task fields), ``label`` or
    ``labels`` (classes of the SOP version), optional ``id``, ``rationale``, ``stratum``,
    ``difficulty``. A ValidationError lists each bad row (``line N``/``row N``) and field.
    """
    row_v, sop = _sop_ref(session, sop_ref)
    fields = [f.name for f in sop.task.fields]
    classes = set(sop.class_values)
    existing = {
        g.data_sha256: g.id
        for g in session.scalars(select(GoldItem).where(GoldItem.sop_version_id == row_v.id))
    }
    problems: list[str] = []
    seen: dict[str, str] = {}
    new: list[GoldItem] = []
    for r in _rows(text, fmt, fields):
        where = r["_row"]
        data = r.get("data")
        labels = _labels_of(r)
        bad: list[str] = []
        if not isinstance(data, dict):
            bad.append(f"{where}, field data: expected an object with fields {fields}")
        else:
            missing = [f for f in fields if not str(data.get(f, "")).strip()]
            extra = [k for k in data if k not in fields]
            if missing:
                bad.append(
                    f"{where}, field data: missing {', '.join(missing)} (the SOP's task fields)"
                )
            if extra:
                bad.append(
                    f"{where}, field data: unknown field(s) {', '.join(map(str, extra))}; "
                    f"gold copies must look exactly like ordinary items ({fields})"
                )
        if not labels:
            bad.append(f"{where}, field label: missing")
        unknown = [lbl for lbl in labels if lbl not in classes]
        if unknown:
            bad.append(
                f"{where}, field label: {', '.join(map(repr, unknown))} not a class of "
                f"{sop.ref} ({', '.join(sop.class_values)})"
            )
        if not sop.task.multiple and len(labels) > 1:
            bad.append(f"{where}, field label: {sop.ref} is single-choice; got {labels}")
        if not bad and isinstance(data, dict):
            digest = _digest(data)
            if digest in existing:
                bad.append(
                    f"{where}, field data: already gold item {existing[digest]} for {sop.ref}"
                )
            elif digest in seen:
                bad.append(f"{where}, field data: same item as {seen[digest]}")
            else:
                seen[digest] = where
                new.append(
                    GoldItem(
                        sop_version_id=row_v.id,
                        external_id=r.get("id"),
                        data={f: data[f] for f in fields},
                        data_sha256=digest,
                        labels=sorted(set(labels)),
                        rationale=r.get("rationale") or "",
                        stratum=r.get("stratum") or "|".join(sorted(set(labels))),
                        difficulty=None if r.get("difficulty") is None else str(r["difficulty"]),
                        created_by=actor,
                    )
                )
        problems.extend(bad)
    if problems:
        shown = "; ".join(problems[:20]) + (
            f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        )
        raise ValidationError(
            f"gold file has {len(problems)} problem(s), nothing imported: {shown}",
            code="gold_invalid",
            details=problems,
        )
    if not new:
        raise ValidationError("gold file has no rows", code="gold_empty")
    session.add_all(new)
    session.flush()
    audit.record(
        session, actor, "gold.import", "sop_version", row_v.id, {"ref": sop.ref, "items": len(new)}
    )
    return {"sop": sop.ref, "imported": len(new)}


# -- injection ---------------------------------------------------------------------------------
@dataclass
class InjectionResult:
    """What an injection did."""

    queue: str
    ordinary_covered: int
    gold_copies: int
    ls_task_ids: list[int] = field(default_factory=list)
    pool_size: int = 0


def _current_sop(session: Session, queue: Queue) -> tuple[SOP, list[SOP]]:
    if not queue.sop_key:
        raise ValidationError(
            f"queue {queue.name!r} has no published SOP; publish one before injecting gold",
            code="queue_without_sop",
        )
    versions = [load_version(v) for v in sop_repo.published_versions(session, queue.sop_key)]
    current_id = sop_repo.publications(session, queue.id)[-1].sop_version_id
    current = load_version(session.get_one(SOPVersion, current_id))
    return current, versions


def check_rate(rate: float) -> None:
    """Raise ValidationError unless ``rate`` (share of gold among tasks) is in (0, 1]."""
    if math.isnan(rate) or not 0 < rate <= 1:
        raise ValidationError(f"rate must be in (0, 1], got {rate}", code="invalid_rate")


def inject_gold(
    session: Session,
    conn: LabelStudioConnector,
    queue_name: str,
    *,
    rate: float,
    max_exposure: int = 3,
    per_labeler_min: int = 0,
    ordinary: list[dict[str, Any]] | None = None,
    seed: int | None = None,
    actor: str,
    annotate: Any = None,
) -> InjectionResult:
    """Plan and import hidden gold copies for a queue.

    With ``ordinary`` (task payloads to import), gold copies are interleaved with them in one
    LS import; without, gold covers the ordinary tasks added since the last injection and is
    appended. ``annotate`` (tests and demos only) may add simulated annotations to each payload
    before import: ``annotate(payloads, gold_item_ids_or_None)``.
    Raises ValidationError (nothing imported) for a rate outside (0, 1] or a pool too small.
    """
    check_rate(rate)
    queue = get_queue(session, queue_name)
    current, versions = _current_sop(session, queue)
    fields = [f.name for f in current.task.fields]
    gold_ids = {c.ls_task_id for c in gold_repo.copies_of_queue(session, queue.id)}
    n_items = (
        session.scalar(select(func.count()).select_from(Item).where(Item.queue_id == queue.id)) or 0
    )
    covered = int((queue.meta or {}).get("gold_covered_ordinary", 0))
    n_new = max(int(n_items) - len(gold_ids) - covered, 0) if ordinary is None else len(ordinary)
    # Community cannot assign tasks: one pseudo-recipient, so no item repeats within a batch.
    # --per-labeler-min becomes a floor on copies: N per active labeler, each copy answered by
    # up to `maximum_annotations` labelers.
    min_copies = 0
    if per_labeler_min:
        active = session.scalar(
            select(func.count(func.distinct(Annotation.labeler_id))).where(
                Annotation.queue_id == queue.id
            )
        )
        overlap = max(1, conn.get_project(queue.project_id).maximum_annotations)
        min_copies = math.ceil(per_labeler_min * max(1, int(active or 0)) / overlap)
    pool_rows = _pool(session, queue, current, versions, max_exposure)
    pool = [
        PoolItem(
            gold_item_id=g.id,
            labels=labels,
            stratum=g.stratum,
            difficulty=_difficulty(g.difficulty),
            exposure=len(seen_by),
            seen_by=frozenset(map(str, seen_by)),
        )
        for g, labels, seen_by in pool_rows
    ]
    try:
        plan = plan_injection(
            pool,
            n_new,
            rate=rate,
            labelers=["*"],
            per_labeler_min=min_copies,
            max_exposure=max_exposure,
            seed=seed,
        )
    except ValueError as exc:
        raise ValidationError(f"queue {queue.name!r}: {exc}", code="gold_pool_too_small") from exc
    by_id = {g.id: g for g, _, _ in pool_rows}
    gold_ids_planned = [int(x) for x in plan.copies["gold_item_id"]]
    gold_payloads = [gold_task_payload(by_id[g].data, fields) for g in gold_ids_planned]
    if ordinary is None:
        payloads = gold_payloads
        marks: list[int | None] = list(gold_ids_planned)
    else:
        payloads = plan.interleave([dict(p) for p in ordinary], gold_payloads)
        marks = [None if row < 0 else gold_ids_planned[row] for row in plan.sequence()]
    result = InjectionResult(queue.name, n_new, len(gold_ids_planned), pool_size=len(pool))
    if not payloads:
        return result
    if annotate is not None:
        annotate(payloads, marks)
    ids = conn.import_tasks(queue.project_id, payloads)
    if len(ids) != len(payloads):
        raise ValidationError(
            f"Label Studio returned {len(ids)} task ids for {len(payloads)} tasks",
            code="import_mismatch",
        )
    for tid, gid in zip(ids, marks, strict=True):
        if gid is not None:
            session.add(GoldCopy(gold_item_id=gid, queue_id=queue.id, ls_task_id=tid))
            result.ls_task_ids.append(tid)
    queue.meta = {**(queue.meta or {}), "gold_covered_ordinary": covered + n_new}
    audit.record(
        session,
        actor,
        "gold.inject",
        "queue",
        queue.id,
        {"rate": rate, "copies": len(result.ls_task_ids), "ordinary": n_new},
    )
    session.commit()
    return result


def _difficulty(value: str | None) -> float | None:
    """A numeric difficulty for the planner; words like "hard" are kept for reports only."""
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _pool(
    session: Session, queue: Queue, current: SOP, versions: list[SOP], max_exposure: int
) -> list[tuple[GoldItem, tuple[str, ...], set[int]]]:
    """Gold items usable now: active, reusable under the current SOP version, below the
    exposure cap, and with no unanswered copy waiting in the queue."""
    items = gold_repo.items_of_sop(session, current.key)
    if not items:
        return []
    report = revalidate_gold(
        {g.id: (tuple(g.labels), g.sop_version.version) for g in items},
        [v for v in versions if v.semver <= current.semver],
        current.version,
    )
    exposure = gold_repo.exposure(session, queue.id)
    reusable = report.reusable
    out = []
    for g in items:
        labels = reusable.get(g.id)
        if not labels:
            continue
        copies, seen_by = exposure.get(g.id, (0, set()))
        if len(seen_by) >= max_exposure or copies > len(seen_by):
            continue  # capped, or a copy is still waiting for answers
        out.append((g, tuple(labels), seen_by))
    return out


# -- scoring -----------------------------------------------------------------------------------
def gold_frame(session: Session, queue_name: str) -> pd.DataFrame:
    """Scored gold answers of a queue: one row per (labeler, gold item), the labeler's first answer.

    Gold labels are expressed in the SOP version the answer was made under (translated through
    the label mappings when the gold is older); answers whose gold has no single counterpart
    there (a split class) are left out. Columns: ``item`` (the copy's LS task id),
    ``gold_item``, ``labeler``, ``label``, ``gold`` (expected label), ``correct``,
    ``created_at``, ``sop_version``, ``vendor``, ``site``, ``market``, ``queue``.
    """
    queue = get_queue(session, queue_name)
    ans = gold_repo.gold_answers(session, queue.id)
    ans = ans.drop_duplicates(subset=["labeler", "gold_item"], keep="first")
    if ans.empty:
        return ans.assign(
            gold=pd.Series(dtype=object), correct=pd.Series(dtype=bool), queue=queue.name
        )
    translator = None
    if queue.sop_key and (ans["sop_version"] != ans["gold_version"]).any():
        translator = LabelTranslator(
            load_version(v) for v in sop_repo.list_versions(session, queue.sop_key)
        )

    def expected(glabels: str, gver: str, aver: str | None) -> str | None:
        if aver is None or aver == gver or translator is None:
            return glabels if aver in (None, gver) else None
        try:
            parts = [translator.translate(lbl, gver, aver) for lbl in glabels.split("|")]
        except ValueError:  # answer made under an older version than the gold: not comparable
            return None
        if any(isinstance(p, Untranslatable) for p in parts):
            return None
        return "|".join(sorted(map(str, parts)))

    gold = map_unique(ans, ["gold_labels", "gold_version", "sop_version"], expected)
    ans = ans.assign(gold=gold, queue=queue.name)
    ans = ans[ans["gold"].notna()]
    key = queue.sop_key or ""
    refs = [f"{key}@{v}" if v else None for v in ans["sop_version"]]
    return ans.assign(
        correct=ans["label"] == ans["gold"],
        sop_version=pd.Series(refs, index=ans.index, dtype=object),
    )


def accuracy_report_gold(
    session: Session,
    queue_name: str,
    *,
    by: str = "labeler",
    confidence: float = 0.95,
    sop_version: str | None = None,
) -> pd.DataFrame:
    """Gold accuracy per ``by`` (labeler, vendor, site, market, sop_version, queue) with n and
    Wilson interval; indexed by the group."""
    if by not in BY_CHOICES:
        raise ValidationError(
            f"--by must be one of {', '.join(BY_CHOICES)}; got {by!r}", code="invalid_by"
        )
    frame = gold_frame(session, queue_name)
    if sop_version:
        frame = frame[frame["sop_version"].str.endswith(f"@{sop_version}", na=False)]
    if frame.empty:
        return pd.DataFrame(columns=["n", "correct", "accuracy", "ci_low", "ci_high"])
    gold_map = dict(zip(frame["item"], frame["gold"], strict=False))
    ann = (
        frame[["item", "labeler", "label", by]].copy()
        if by != "labeler"
        else frame[["item", "labeler", "label"]].copy()
    )
    if by != "labeler":
        ann[by] = ann[by].fillna("(unknown)")
    return accuracy(ann, gold_map, by=None if by == "labeler" else by, confidence=confidence)


def gold_status(
    session: Session, queue_name: str, *, rule: QualificationRule | None = None
) -> dict[str, Any]:
    """Per labeler: gold n, accuracy with interval, qualification decision under the queue's
    current SOP version, and the recalibration list with each labeler's confusion pattern."""
    rule = rule or QualificationRule()
    queue = get_queue(session, queue_name)
    frame = gold_frame(session, queue_name)
    current = None
    if queue.sop_key:
        pubs = sop_repo.publications(session, queue.id)
        current = session.get_one(SOPVersion, pubs[-1].sop_version_id).version if pubs else None
    quiz = frame[frame["sop_version"] == f"{queue.sop_key}@{current}"] if current else frame
    labelers: list[dict[str, Any]] = []
    acc = (
        accuracy(
            quiz[["item", "labeler", "label"]],
            dict(zip(quiz["item"], quiz["gold"], strict=False)),
            confidence=rule.confidence,
        )
        if not quiz.empty
        else pd.DataFrame()
    )
    for lab, g in quiz.groupby("labeler", sort=True):
        correct = g["correct"].to_numpy().astype(int)
        cum_c, cum_n = np.cumsum(correct), np.arange(1, len(correct) + 1)
        decisions = rule.decide_many(cum_c, cum_n)
        decided = [i for i, d in enumerate(decisions) if d != "continue"]
        status = decisions[decided[0]] if decided else "continue"
        a = acc.loc[lab].astype(float).to_dict()
        labelers.append(
            {
                "labeler": lab,
                "vendor": g["vendor"].iloc[0],
                "n": int(a["n"]),
                "correct": int(a["correct"]),
                "accuracy": float(a["accuracy"]),
                "ci_low": float(a["ci_low"]),
                "ci_high": float(a["ci_high"]),
                "qualification": {"pass": "qualified", "fail": "failed", "continue": "in_progress"}[
                    str(status)
                ],
                "decided_after": (decided[0] + 1) if decided else None,
            }
        )
    recal: list[dict[str, Any]] = []
    if not quiz.empty:
        conf = confusion(
            quiz[["item", "labeler", "label"]], dict(zip(quiz["item"], quiz["gold"], strict=False))
        )
        rl = recalibration_list(acc, target=rule.target, confidence=rule.confidence, confusion=conf)
        recal = [
            {
                "labeler": idx,
                **{str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()},
            }
            for idx, row in rl.iterrows()
        ]
    pool = gold_repo.items_of_sop(session, queue.sop_key) if queue.sop_key else []
    copies = gold_repo.copies_of_queue(session, queue.id)
    return {
        "queue": queue.name,
        "sop_version": current,
        "target": rule.target,
        "confidence": rule.confidence,
        "gold_items_active": len(pool),
        "gold_copies": len(copies),
        "answers_scored": len(frame),
        "labelers": labelers,
        "recalibrate": recal,
        "note": "Label Studio Community cannot pause a labeler; remove them from the project's "
        "workforce in LS (or deactivate the LS user) to stop their labeling.",
    }


def set_gold_status(
    session: Session, gold_id: int, status: str, reason: str, *, actor: str
) -> GoldItem:
    """Retire, dispute or re-activate a gold item (audited)."""
    if status not in ("active", "retired", "disputed", "revalidate"):
        raise ValidationError(f"unknown gold status {status!r}", code="invalid_status")
    row = gold_repo.get_item(session, gold_id)
    old = row.status
    row.status, row.status_reason = status, reason or None
    audit.record(
        session, actor, f"gold.{status}", "gold_item", gold_id, {"from": old, "reason": reason}
    )
    return row


def mark_for_revalidation(
    session: Session, key: str, to_version: str, *, actor: str
) -> dict[str, Any]:
    """After an SOP change: mark gold whose class changed as ``revalidate`` (never silently
    reused); returns counts per outcome and the items marked."""
    versions = [load_version(v) for v in sop_repo.list_versions(session, key)]
    items = gold_repo.items_of_sop(session, key)
    if not items:
        return {"sop": f"{key}@{to_version}", "counts": {}, "marked": []}
    report = revalidate_gold(
        {g.id: (tuple(g.labels), g.sop_version.version) for g in items},
        [
            v
            for v in versions
            if v.semver <= next(x.semver for x in versions if x.version == to_version)
        ],
        to_version,
    )
    marked = [int(r.gold_item_id) for r in report.to_revalidate]  # type: ignore[call-overload]
    for g in items:
        if g.id in marked:
            g.status, g.status_reason = "revalidate", f"class changed in {key}@{to_version}"
    audit.record(
        session, actor, "gold.revalidate", "sop", key, {"to": to_version, "marked": len(marked)}
    )
    return {"sop": f"{key}@{to_version}", "counts": report.counts(), "marked": marked}


def scorecard(session: Session, labeler_key: str) -> dict[str, Any]:
    """One labeler across queues: annotations, median lead time, gold accuracy with interval,
    qualification under each queue's current SOP version, and their most frequent confusions."""
    from labelqa.store.repositories.frames import annotation_frame
    from labelqa.store.repositories.labelers import get_labeler
    from labelqa.store.repositories.sources import list_queues

    lab = get_labeler(session, labeler_key)
    queues = []
    for q in list_queues(session):
        frame = annotation_frame(session, q.id, include_gold=True)
        mine = frame[frame["labeler"] == lab.email]
        if mine.empty:
            continue
        entry: dict[str, Any] = {
            "queue": q.name,
            "annotations": len(mine),
            "median_lead_time_s": float(mine["lead_time"].median())
            if mine["lead_time"].notna().any()
            else None,
            "gold": None,
        }
        status = gold_status(session, q.name)
        row = next((r for r in status["labelers"] if r["labeler"] == lab.email), None)
        if row is not None:
            entry["gold"] = {
                k: row[k]
                for k in ("n", "correct", "accuracy", "ci_low", "ci_high", "qualification")
            }
            recal = next((r for r in status["recalibrate"] if r["labeler"] == lab.email), None)
            entry["recalibrate"] = recal is not None
            entry["top_confusions"] = recal["top_confusions"] if recal else []
        queues.append(entry)
    return {
        "labeler": lab.email,
        "vendor": lab.vendor.name if lab.vendor else None,
        "site": lab.site.name if lab.site else None,
        "market": lab.market.name if lab.market else None,
        "start_date": lab.start_date.isoformat() if lab.start_date else None,
        "queues": queues,
    }


def remove_from_label_studio(
    session: Session, conn_for: Any, labeler_key: str, source_name: str, *, actor: str
) -> dict[str, Any]:
    """Remove a labeler's LS user(s) on ``source_name`` from its organization (LS Community
    cannot pause a user or remove them from one project). Audited; returns the LS user ids."""
    from labelqa.store.models import LabelerAccount
    from labelqa.store.repositories.labelers import get_labeler
    from labelqa.store.repositories.sources import get_source

    lab = get_labeler(session, labeler_key)
    src = get_source(session, source_name)
    accounts = session.scalars(
        select(LabelerAccount).where(
            LabelerAccount.labeler_id == lab.id, LabelerAccount.source_id == src.id
        )
    ).all()
    if not accounts:
        raise ValidationError(
            f"{lab.email} has no Label Studio user on source {src.name!r}", code="no_account"
        )
    with conn_for(src) as conn:
        for acc in accounts:
            conn.remove_member(acc.ls_user_id)
    ids = [a.ls_user_id for a in accounts]
    audit.record(
        session,
        actor,
        "labeler.remove_from_ls",
        "labeler",
        lab.id,
        {"source": src.name, "ls_users": ids},
    )
    return {"labeler": lab.email, "source": src.name, "removed_ls_users": ids}
