"""SOP versions, their publications to queues, and SOP attribution of annotations."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labelqa.errors import NotFound
from labelqa.sops import parse_version
from labelqa.store.models import Annotation, Queue, SOPPublication, SOPVersion

__all__ = [
    "Timeline",
    "attribute_queue",
    "get_version",
    "list_keys",
    "list_versions",
    "publications",
    "published_versions",
    "timeline",
]


def list_versions(session: Session, key: str) -> list[SOPVersion]:
    """Every stored version of ``key``, oldest semver first."""
    rows = list(session.scalars(select(SOPVersion).where(SOPVersion.key == key)))
    return sorted(rows, key=lambda v: parse_version(v.version))


def published_versions(session: Session, key: str) -> list[SOPVersion]:
    """Versions of ``key`` that were published to at least one queue, oldest first."""
    ids = set(
        session.scalars(
            select(SOPPublication.sop_version_id)
            .join(SOPVersion, SOPPublication.sop_version_id == SOPVersion.id)
            .where(SOPVersion.key == key)
        )
    )
    return [v for v in list_versions(session, key) if v.id in ids]


def get_version(session: Session, key: str, version: str) -> SOPVersion:
    """One stored version; NotFound names the versions that exist."""
    row = session.scalar(
        select(SOPVersion).where(SOPVersion.key == key, SOPVersion.version == version)
    )
    if row is None:
        known = [v.version for v in list_versions(session, key)]
        raise NotFound(
            f"no SOP {key}@{version}; stored versions: {known or 'none'}", code="sop_not_found"
        )
    return row


def list_keys(session: Session) -> list[str]:
    """Every SOP key in the store."""
    return sorted(set(session.scalars(select(SOPVersion.key))))


def publications(
    session: Session, queue_id: int | None = None, key: str | None = None
) -> list[SOPPublication]:
    """Publications, oldest first, optionally of one queue and/or one SOP key."""
    stmt = select(SOPPublication).join(SOPVersion, SOPPublication.sop_version_id == SOPVersion.id)
    if queue_id is not None:
        stmt = stmt.where(SOPPublication.queue_id == queue_id)
    if key is not None:
        stmt = stmt.where(SOPVersion.key == key)
    return list(session.scalars(stmt.order_by(SOPPublication.effective_from, SOPPublication.id)))


class Timeline:
    """Which SOP version was in force on a queue at a given time."""

    def __init__(self, pubs: list[SOPPublication]) -> None:
        self._starts = [p.effective_from for p in pubs]
        self._ids = [p.sop_version_id for p in pubs]

    def at(self, when: datetime | None) -> int | None:
        """The SOP version id in force at ``when`` (None before the first publication)."""
        if when is None or not self._starts:
            return None
        i = bisect_right(self._starts, when)
        return self._ids[i - 1] if i else None


def timeline(session: Session, queue: Queue) -> Timeline:
    """The queue's SOP timeline."""
    return Timeline(publications(session, queue.id))


def attribute_queue(session: Session, queue: Queue) -> int:
    """Set ``sop_version_id`` on every annotation of ``queue`` from its SOP timeline.

    One UPDATE per publication interval; returns the number of annotations attributed.
    """
    pubs = publications(session, queue.id)
    n = 0
    session.execute(
        update(Annotation).where(Annotation.queue_id == queue.id).values(sop_version_id=None)
    )
    for i, p in enumerate(pubs):
        stmt = update(Annotation).where(
            Annotation.queue_id == queue.id, Annotation.created_at >= p.effective_from
        )
        if i + 1 < len(pubs):
            stmt = stmt.where(Annotation.created_at < pubs[i + 1].effective_from)
        res = session.execute(stmt.values(sop_version_id=p.sop_version_id))
        n += int(getattr(res, "rowcount", 0) or 0)
    return n
