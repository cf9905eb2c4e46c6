"""Queues: Label Studio projects bound to LabelQA."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from labelqa.api.deps import ContextDep, SessionDep, allow
from labelqa.api.schemas import QueueCreate, QueuePublic
from labelqa.services.connect import connector_for
from labelqa.services.sources import add_queue, register_webhook
from labelqa.store.models import ApiToken, Queue
from labelqa.store.repositories import sync as sync_repo
from labelqa.store.repositories.sources import get_queue, get_source, list_queues, queue_counts

router = APIRouter(prefix="/queues", tags=["queues"])


def _public(session: Session, q: Queue) -> QueuePublic:
    out = QueuePublic.model_validate(q)
    out.counts = queue_counts(session, q.id)
    out.last_sync_at = sync_repo.checkpoint(session, q.id).last_sync_at
    return out


@router.get("", response_model=list[QueuePublic])
def get_queues(
    session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> list[QueuePublic]:
    """All queues with stored item/annotation/labeler counts."""
    return [_public(session, q) for q in list_queues(session)]


@router.get("/{name}", response_model=QueuePublic)
def get_one(
    name: str, session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> QueuePublic:
    """One queue by name."""
    return _public(session, get_queue(session, name))


@router.post("", response_model=QueuePublic, status_code=status.HTTP_201_CREATED)
def post_queue(
    body: QueueCreate,
    session: SessionDep,
    ctx: ContextDep,
    tok: Annotated[ApiToken, Depends(allow("manage_queues"))],
) -> QueuePublic:
    """Bind an LS project as a queue (checked against LS); optionally register the webhook."""
    src = get_source(session, body.source)
    with connector_for(src, ctx.settings) as conn:
        q = add_queue(
            session,
            ctx.settings,
            conn,
            body.source,
            body.project_id,
            body.name,
            actor=f"token:{tok.name}",
        )
        if body.webhook_base_url:
            register_webhook(
                session, ctx.settings, conn, q, body.webhook_base_url, actor=f"token:{tok.name}"
            )
    return _public(session, q)
