"""Sync checkpoints and sync runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelqa.errors import NotFound
from labelqa.store.models import SyncCheckpoint, SyncRun, utcnow

__all__ = ["checkpoint", "finish_run", "get_run", "list_runs", "start_run"]


def checkpoint(session: Session, queue_id: int) -> SyncCheckpoint:
    """The queue's checkpoint, created empty on first use."""
    cp = session.get(SyncCheckpoint, queue_id)
    if cp is None:
        cp = SyncCheckpoint(queue_id=queue_id)
        session.add(cp)
        session.flush()
    return cp


def start_run(session: Session, queue_id: int, mode: str, actor: str) -> SyncRun:
    """Record a sync run as running."""
    run = SyncRun(queue_id=queue_id, mode=mode, status="running", actor=actor, counts={})
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session, run: SyncRun, status: str, counts: dict[str, Any], error: str | None = None
) -> None:
    """Mark a run finished (``succeeded`` or ``failed``) with its counts."""
    run.status, run.counts, run.error, run.finished_at = status, counts, error, utcnow()


def get_run(session: Session, run_id: int) -> SyncRun:
    """A sync run by id."""
    run = session.get(SyncRun, run_id)
    if run is None:
        raise NotFound(f"no sync run {run_id}", code="sync_run_not_found")
    return run


def list_runs(session: Session, queue_id: int | None = None, limit: int = 50) -> list[SyncRun]:
    """Newest runs first."""
    stmt = select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)
    if queue_id is not None:
        stmt = stmt.where(SyncRun.queue_id == queue_id)
    return list(session.scalars(stmt))
