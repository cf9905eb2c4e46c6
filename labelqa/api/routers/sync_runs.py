"""Sync runs: start one in the background, read its status."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, status

from labelqa.api.deps import ContextDep, SessionDep, allow
from labelqa.api.schemas import SyncRunCreate, SyncRunPublic
from labelqa.context import AppContext
from labelqa.services.connect import connector_for
from labelqa.services.sync import sync_queue
from labelqa.store.models import ApiToken
from labelqa.store.repositories import sync as sync_repo
from labelqa.store.repositories.sources import get_queue

router = APIRouter(prefix="/sync-runs", tags=["sync"])
log = logging.getLogger(__name__)


def _run(ctx: AppContext, queue_name: str, full: bool, run_id: int, actor: str) -> None:
    with ctx.sessions() as session:
        queue = get_queue(session, queue_name)
        try:
            with connector_for(queue.source, ctx.settings) as conn:
                sync_queue(
                    session, queue, conn, ctx.settings, full=full, actor=actor, run_id=run_id
                )
        except Exception:  # recorded on the run by sync_queue
            log.exception("sync run %s failed", run_id)


@router.post("", response_model=SyncRunPublic, status_code=status.HTTP_202_ACCEPTED)
def start(
    body: SyncRunCreate,
    session: SessionDep,
    ctx: ContextDep,
    background: BackgroundTasks,
    tok: Annotated[ApiToken, Depends(allow("run_sync"))],
) -> SyncRunPublic:
    """Start a sync of one queue; poll ``GET /sync-runs/{id}`` for its status and counts."""
    queue = get_queue(session, body.queue)
    run = sync_repo.start_run(
        session, queue.id, "full" if body.full else "pending", f"token:{tok.name}"
    )
    session.commit()
    background.add_task(_run, ctx, queue.name, body.full, run.id, f"token:{tok.name}")
    return SyncRunPublic.model_validate(run)


@router.get("/{run_id}", response_model=SyncRunPublic)
def get_one(
    run_id: int, session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> SyncRunPublic:
    """One run's status, counts and error."""
    return SyncRunPublic.model_validate(sync_repo.get_run(session, run_id))


@router.get("", response_model=list[SyncRunPublic])
def get_runs(
    session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))], queue: str | None = None
) -> list[SyncRunPublic]:
    """Newest runs first, optionally of one queue."""
    qid = get_queue(session, queue).id if queue else None
    return [SyncRunPublic.model_validate(r) for r in sync_repo.list_runs(session, qid)]
