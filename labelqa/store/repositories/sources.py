"""Label Studio sources and the queues (LS projects) bound to them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelqa.errors import NotFound
from labelqa.store.models import Annotation, Item, Queue, Source

__all__ = [
    "get_queue",
    "get_queue_by_project",
    "get_source",
    "list_queues",
    "list_sources",
    "queue_counts",
]


def get_source(session: Session, name: str) -> Source:
    """The source called ``name``; NotFound names the known ones."""
    src = session.scalar(select(Source).where(Source.name == name))
    if src is None:
        known = list(session.scalars(select(Source.name)))
        raise NotFound(
            f"no Label Studio source named {name!r}; known: {known or 'none'}",
            code="source_not_found",
        )
    return src


def list_sources(session: Session) -> list[Source]:
    """All sources by name."""
    return list(session.scalars(select(Source).order_by(Source.name)))


def get_queue(session: Session, name: str) -> Queue:
    """The queue called ``name``; NotFound names the known ones."""
    q = session.scalar(select(Queue).where(Queue.name == name))
    if q is None:
        known = list(session.scalars(select(Queue.name)))
        raise NotFound(f"no queue named {name!r}; known: {known or 'none'}", code="queue_not_found")
    return q


def get_queue_by_project(session: Session, source_id: int, project_id: int) -> Queue | None:
    """The queue bound to LS project ``project_id`` on ``source_id``, if any."""
    return session.scalar(
        select(Queue).where(Queue.source_id == source_id, Queue.project_id == project_id)
    )


def list_queues(session: Session) -> list[Queue]:
    """All queues by name."""
    return list(session.scalars(select(Queue).order_by(Queue.name)))


def queue_counts(session: Session, queue_id: int) -> dict[str, int]:
    """Items, annotations and distinct labelers stored for a queue."""
    items = session.scalar(select(func.count()).select_from(Item).where(Item.queue_id == queue_id))
    anns = session.scalar(
        select(func.count()).select_from(Annotation).where(Annotation.queue_id == queue_id)
    )
    labelers = session.scalar(
        select(func.count(func.distinct(Annotation.labeler_id))).where(
            Annotation.queue_id == queue_id
        )
    )
    return {"items": items or 0, "annotations": anns or 0, "labelers": labelers or 0}
