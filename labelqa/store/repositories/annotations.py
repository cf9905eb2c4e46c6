"""Items and annotations: idempotent application of Label Studio records, and reads.

Writes are keyed by LS ids ((queue, task id) for items, (source, annotation id) for
annotations), guarded by ``updated_at`` so an older payload never overwrites a newer one, and
deletions leave tombstones so a late or replayed payload cannot resurrect what LS deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from connectors.label_studio.label_config import LabelSchema, normalize_result
from connectors.label_studio.records import AnnotationRecord, TaskRecord
from labelqa.store.models import (
    Annotation,
    Item,
    Labeler,
    Queue,
    Tombstone,
    Vendor,
    utcnow,
)
from labelqa.store.repositories import sops as sop_repo
from labelqa.store.upsert import upsert_rows

__all__ = [
    "AnnotationFilter",
    "ApplyCounts",
    "apply_tasks",
    "count_items",
    "delete_annotations",
    "delete_items",
    "item_ids",
    "query_annotations",
    "renormalize",
    "upsert_annotations",
]

_IN = 900  # ids per IN (...) clause


@dataclass
class ApplyCounts:
    """What one application of LS records changed in the store."""

    items_created: int = 0
    items_updated: int = 0
    items_deleted: int = 0
    annotations_created: int = 0
    annotations_updated: int = 0
    annotations_deleted: int = 0
    unknown_labels: int = 0

    def __iadd__(self, other: ApplyCounts) -> ApplyCounts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict."""
        return asdict(self)


def _chunks(seq: Sequence[Any], n: int = _IN) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _tombstoned(session: Session, source_id: int, kind: str, ids: Sequence[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(list(ids)):
        out.update(
            session.scalars(
                select(Tombstone.ls_id).where(
                    Tombstone.source_id == source_id,
                    Tombstone.kind == kind,
                    Tombstone.ls_id.in_(chunk),
                )
            )
        )
    return out


def _clear_tombstones(session: Session, source_id: int, kind: str, ids: Sequence[int]) -> None:
    for chunk in _chunks(list(ids)):
        session.execute(
            delete(Tombstone).where(
                Tombstone.source_id == source_id, Tombstone.kind == kind, Tombstone.ls_id.in_(chunk)
            )
        )


def _add_tombstones(session: Session, source_id: int, kind: str, ids: Iterable[int]) -> None:
    now = utcnow()
    rows = [{"source_id": source_id, "kind": kind, "ls_id": i, "deleted_at": now} for i in ids]
    upsert_rows(session, Tombstone.__table__, rows, ["source_id", "kind", "ls_id"], [])


def _annotation_row(
    a: AnnotationRecord,
    queue: Queue,
    item_id: int,
    schema: LabelSchema,
    accounts: dict[int, int],
    now: datetime,
    sop_version_id: int | None,
) -> dict[str, Any]:
    labels, status = normalize_result(a.result, schema)
    return {
        "source_id": queue.source_id,
        "ls_annotation_id": a.ls_id,
        "queue_id": queue.id,
        "item_id": item_id,
        "ls_user_id": a.completed_by,
        "labeler_id": accounts.get(a.completed_by) if a.completed_by is not None else None,
        "result": a.result,
        "labels": labels,
        "label": labels[0] if len(labels) == 1 else None,
        "label_status": status,
        "lead_time": a.lead_time,
        "was_cancelled": a.was_cancelled,
        "ground_truth": a.ground_truth,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "synced_at": now,
        "sop_version_id": sop_version_id,
    }


_ANN_UPDATE = [
    "item_id", "ls_user_id", "labeler_id", "result", "labels", "label", "label_status",
    "lead_time", "was_cancelled", "ground_truth", "created_at", "updated_at", "synced_at",
    "sop_version_id",
]  # fmt: skip


def _upsert_items(
    session: Session,
    queue: Queue,
    tasks: Sequence[TaskRecord],
    run_id: int | None,
    counts: ApplyCounts,
) -> dict[int, int]:
    """Upsert items; returns LS task id -> item id for ``tasks``."""
    ids = [t.ls_id for t in tasks]
    existing: dict[int, datetime | None] = {}
    for chunk in _chunks(ids):
        existing.update(
            session.execute(
                select(Item.ls_task_id, Item.updated_at).where(
                    Item.queue_id == queue.id, Item.ls_task_id.in_(chunk)
                )
            ).all()
        )
    rows = []
    for t in tasks:
        if t.ls_id not in existing:
            counts.items_created += 1
        elif t.updated_at is not None and existing[t.ls_id] != t.updated_at:
            old = existing[t.ls_id]
            if old is None or t.updated_at > old:
                counts.items_updated += 1
        row = {
            "queue_id": queue.id,
            "ls_task_id": t.ls_id,
            "data": t.data,
            "meta": t.meta,
            "created_at": t.created_at,
            "updated_at": t.updated_at,
            "seen_run_id": run_id,
        }
        rows.append(row)
    update = ["data", "meta", "created_at", "updated_at"] + (["seen_run_id"] if run_id else [])
    upsert_rows(
        session,
        Item.__table__,
        rows,
        ["queue_id", "ls_task_id"],
        update,
        only_if_newer=None if run_id else "updated_at",
    )
    return item_ids(session, queue, ids)


def upsert_annotations(
    session: Session,
    queue: Queue,
    annotations: Sequence[AnnotationRecord],
    item_ids: dict[int, int],
    schema: LabelSchema,
    accounts: dict[int, int],
    *,
    authoritative: bool,
) -> ApplyCounts:
    """Upsert annotation records whose item is in ``item_ids`` (LS task id -> item id).

    ``authoritative`` (a sync read from LS) clears tombstones of what it sees; otherwise (a
    webhook) tombstoned annotations are skipped.
    """
    counts = ApplyCounts()
    anns = [a for a in annotations if a.task_id in item_ids]
    ids = [a.ls_id for a in anns]
    if authoritative:
        _clear_tombstones(session, queue.source_id, "annotation", ids)
    else:
        dead = _tombstoned(session, queue.source_id, "annotation", ids)
        anns = [a for a in anns if a.ls_id not in dead]
    existing: dict[int, tuple[datetime | None, int | None]] = {}
    for chunk in _chunks([a.ls_id for a in anns]):
        for ls_id, upd, lab in session.execute(
            select(Annotation.ls_annotation_id, Annotation.updated_at, Annotation.labeler_id).where(
                Annotation.source_id == queue.source_id, Annotation.ls_annotation_id.in_(chunk)
            )
        ):
            existing[ls_id] = (upd, lab)
    now = utcnow()
    sops = sop_repo.timeline(session, queue)
    rows = []
    for a in anns:
        row = _annotation_row(
            a, queue, item_ids[a.task_id], schema, accounts, now, sops.at(a.created_at)
        )
        old = existing.get(a.ls_id)
        if old is None:
            counts.annotations_created += 1
        elif old[0] is not None and a.updated_at is not None and a.updated_at < old[0]:
            continue  # stale payload
        elif old[0] == a.updated_at and old[1] == row["labeler_id"]:
            continue  # unchanged
        else:
            counts.annotations_updated += 1
        counts.unknown_labels += row["label_status"] == "unknown_label"
        rows.append(row)
    upsert_rows(
        session,
        Annotation.__table__,
        rows,
        ["source_id", "ls_annotation_id"],
        _ANN_UPDATE,
        only_if_newer="updated_at",
    )
    return counts


def apply_tasks(
    session: Session,
    queue: Queue,
    tasks: Sequence[TaskRecord],
    schema: LabelSchema,
    accounts: dict[int, int],
    *,
    run_id: int | None = None,
    authoritative: bool = True,
) -> ApplyCounts:
    """Apply LS tasks (with their annotations when present) to the store.

    For a task that carries its full annotation list (an export), annotations the store has
    for it but LS no longer has are deleted and tombstoned.
    """
    counts = ApplyCounts()
    if not authoritative:
        dead = _tombstoned(session, queue.source_id, "task", [t.ls_id for t in tasks])
        tasks = [t for t in tasks if t.ls_id not in dead]
    else:
        _clear_tombstones(session, queue.source_id, "task", [t.ls_id for t in tasks])
    if not tasks:
        return counts
    item_ids = _upsert_items(session, queue, tasks, run_id, counts)
    full = [t for t in tasks if t.annotations is not None]
    if full:
        records = [a for t in full for a in t.annotations or []]
        counts += upsert_annotations(
            session, queue, records, item_ids, schema, accounts, authoritative=authoritative
        )
        keep = {a.ls_id for a in records}
        stale: list[int] = []
        for chunk in _chunks([item_ids[t.ls_id] for t in full]):
            stale.extend(
                i
                for i in session.scalars(
                    select(Annotation.ls_annotation_id).where(Annotation.item_id.in_(chunk))
                )
                if i not in keep
            )
        counts.annotations_deleted += delete_annotations(session, queue.source_id, stale)
    return counts


def delete_annotations(session: Session, source_id: int, ls_ids: Sequence[int]) -> int:
    """Delete annotations by LS id and tombstone them; returns how many rows were deleted."""
    n = 0
    for chunk in _chunks(list(ls_ids)):
        res = session.execute(
            delete(Annotation).where(
                Annotation.source_id == source_id, Annotation.ls_annotation_id.in_(chunk)
            )
        )
        n += int(getattr(res, "rowcount", 0) or 0)
    _add_tombstones(session, source_id, "annotation", ls_ids)
    return n


def delete_items(session: Session, queue: Queue, ls_task_ids: Sequence[int]) -> ApplyCounts:
    """Delete items (and their annotations) by LS task id, tombstoning both."""
    counts = ApplyCounts()
    for chunk in _chunks(list(ls_task_ids)):
        item_ids = list(
            session.scalars(
                select(Item.id).where(Item.queue_id == queue.id, Item.ls_task_id.in_(chunk))
            )
        )
        ann_ids = list(
            session.scalars(
                select(Annotation.ls_annotation_id).where(Annotation.item_id.in_(item_ids))
            )
        )
        counts.annotations_deleted += delete_annotations(session, queue.source_id, ann_ids)
        res = session.execute(delete(Item).where(Item.id.in_(item_ids)))
        counts.items_deleted += int(getattr(res, "rowcount", 0) or 0)
    _add_tombstones(session, queue.source_id, "task", ls_task_ids)
    return counts


def item_ids(session: Session, queue: Queue, ls_task_ids: Sequence[int]) -> dict[int, int]:
    """LS task id -> item id for the given tasks that the queue has."""
    out: dict[int, int] = {}
    for chunk in _chunks(sorted(set(ls_task_ids))):
        out.update(
            session.execute(
                select(Item.ls_task_id, Item.id).where(
                    Item.queue_id == queue.id, Item.ls_task_id.in_(chunk)
                )
            ).all()
        )
    return out


def count_items(session: Session, queue_id: int) -> int:
    """Items stored for a queue."""
    return int(
        session.scalar(select(func.count()).select_from(Item).where(Item.queue_id == queue_id)) or 0
    )


def renormalize(session: Session, queue: Queue, schema: LabelSchema) -> int:
    """Recompute normalized labels of every annotation of ``queue`` (after a config change)."""
    n = 0
    rows = session.execute(
        select(Annotation.id, Annotation.result).where(Annotation.queue_id == queue.id)
    ).all()
    for chunk in _chunks(rows, 500):
        updates = []
        for aid, result in chunk:
            labels, status = normalize_result(result, schema)
            updates.append(
                {
                    "id": aid,
                    "labels": labels,
                    "label": labels[0] if len(labels) == 1 else None,
                    "label_status": status,
                }
            )
        session.execute(update(Annotation), updates)
        n += len(updates)
    return n


@dataclass(frozen=True)
class AnnotationFilter:
    """Filters for reading annotations (all optional)."""

    queue_id: int | None = None
    labeler_id: int | None = None
    vendor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def _filtered(stmt: _S, f: AnnotationFilter) -> _S:
    if f.queue_id is not None:
        stmt = stmt.where(Annotation.queue_id == f.queue_id)
    if f.labeler_id is not None:
        stmt = stmt.where(Annotation.labeler_id == f.labeler_id)
    if f.vendor is not None:
        stmt = (
            stmt.join(Labeler, Annotation.labeler_id == Labeler.id)
            .join(Vendor, Labeler.vendor_id == Vendor.id)
            .where(Vendor.name == f.vendor)
        )
    if f.since is not None:
        stmt = stmt.where(Annotation.created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Annotation.created_at < f.until)
    return stmt


def query_annotations(
    session: Session, f: AnnotationFilter, *, offset: int = 0, limit: int | None = None
) -> tuple[int, list[tuple[Annotation, int, str | None]]]:
    """Total matching, and a page of (annotation, LS task id, labeler e-mail) ordered by id."""
    total = session.scalar(_filtered(select(func.count(Annotation.id)), f)) or 0
    stmt = (
        select(Annotation, Item.ls_task_id, Labeler.email)
        .join(Item, Annotation.item_id == Item.id)
        .outerjoin(Labeler, Annotation.labeler_id == Labeler.id)
    )
    if f.vendor is not None:
        stmt = stmt.join(Vendor, Labeler.vendor_id == Vendor.id).where(Vendor.name == f.vendor)
        f = AnnotationFilter(f.queue_id, f.labeler_id, None, f.since, f.until)
    stmt = _filtered(stmt, f).order_by(Annotation.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return int(total), [(a, int(t), e) for a, t, e in session.execute(stmt)]
