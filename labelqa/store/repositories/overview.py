"""Read-only summaries for the dashboard overview: queues with counts, labelers by group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session, join, outerjoin

from labelqa.store.models import (
    Annotation,
    Item,
    Labeler,
    Market,
    Queue,
    Site,
    Source,
    SyncCheckpoint,
    Vendor,
)

__all__ = ["LabelerGroup", "QueueOverview", "labeler_breakdown", "queue_overview"]


@dataclass(frozen=True)
class QueueOverview:
    """One queue with what the store holds for it."""

    id: int
    name: str
    title: str
    source: str
    project_id: int
    classes: list[str]
    items: int
    annotations: int
    skipped: int
    labelers: int
    last_sync_at: datetime | None


@dataclass(frozen=True)
class LabelerGroup:
    """Labelers of one vendor / site / market (None where the roster does not say)."""

    vendor: str | None
    site: str | None
    market: str | None
    labelers: int
    annotations: int


def queue_overview(session: Session) -> list[QueueOverview]:
    """Every queue by name with its items, annotations (and skipped ones), distinct labelers
    and last sync time, in four grouped queries whatever the number of queues."""
    items = {
        qid: int(n)
        for qid, n in session.execute(select(Item.queue_id, func.count()).group_by(Item.queue_id))
    }
    anns = {
        qid: (n, int(skipped or 0), labs)
        for qid, n, skipped, labs in session.execute(
            select(
                Annotation.queue_id,
                func.count(),
                func.sum(func.cast(Annotation.was_cancelled, Integer)),
                func.count(func.distinct(Annotation.labeler_id)),
            ).group_by(Annotation.queue_id)
        )
    }
    synced = {
        qid: at
        for qid, at in session.execute(select(SyncCheckpoint.queue_id, SyncCheckpoint.last_sync_at))
    }
    rows = session.execute(
        select(Queue, Source.name).join(Source, Queue.source_id == Source.id).order_by(Queue.name)
    )
    out = []
    for q, source in rows:
        n_ann, n_skipped, n_labelers = anns.get(q.id, (0, 0, 0))
        out.append(
            QueueOverview(
                id=q.id,
                name=q.name,
                title=q.title,
                source=source,
                project_id=q.project_id,
                classes=[str(c) for c in q.classes or []],
                items=int(items.get(q.id, 0)),
                annotations=int(n_ann),
                skipped=n_skipped,
                labelers=int(n_labelers),
                last_sync_at=synced.get(q.id),
            )
        )
    return out


def labeler_breakdown(session: Session) -> list[LabelerGroup]:
    """Labelers and their annotations grouped by vendor, site and market (sorted by names)."""
    keys = (Vendor.name, Site.name, Market.name)
    groups_of = (
        outerjoin(Labeler, Vendor, Labeler.vendor_id == Vendor.id)
        .outerjoin(Site, Labeler.site_id == Site.id)
        .outerjoin(Market, Labeler.market_id == Market.id)
    )
    labelers = {
        (v, s, m): int(n)
        for v, s, m, n in session.execute(
            select(*keys, func.count(Labeler.id)).select_from(groups_of).group_by(*keys)
        )
    }
    anns = {
        (v, s, m): int(n)
        for v, s, m, n in session.execute(
            select(*keys, func.count(Annotation.id))
            .select_from(join(Annotation, groups_of, Annotation.labeler_id == Labeler.id))
            .group_by(*keys)
        )
    }
    groups = [
        LabelerGroup(v, s, m, labelers.get((v, s, m), 0), anns.get((v, s, m), 0))
        for v, s, m in set(labelers) | set(anns)
    ]
    return sorted(groups, key=lambda g: (g.vendor or "\uffff", g.site or "", g.market or ""))
