"""Annotations: paged and filterable by queue, labeler, vendor and time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from labelqa.api.deps import ContextDep, SessionDep, allow
from labelqa.api.schemas import AnnotationPublic, Page
from labelqa.store.models import ApiToken
from labelqa.store.repositories.annotations import AnnotationFilter, query_annotations
from labelqa.store.repositories.labelers import get_labeler
from labelqa.store.repositories.sources import get_queue

router = APIRouter(prefix="/annotations", tags=["annotations"])


@router.get("", response_model=Page[AnnotationPublic])
def get_annotations(
    session: SessionDep,
    ctx: ContextDep,
    _: Annotated[ApiToken, Depends(allow("read_annotations"))],
    queue: str | None = None,
    labeler: str | None = Query(default=None, description="e-mail or id"),
    vendor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=100, ge=1),
) -> Page[AnnotationPublic]:
    """A page of annotations, oldest id first, with the total that match."""
    limit = min(limit, ctx.settings.api_page_size_max)
    f = AnnotationFilter(
        queue_id=get_queue(session, queue).id if queue else None,
        labeler_id=get_labeler(session, labeler).id if labeler else None,
        vendor=vendor,
        since=since,
        until=until,
    )
    total, rows = query_annotations(session, f, offset=offset, limit=limit)
    items = [
        AnnotationPublic(
            id=a.id,
            ls_annotation_id=a.ls_annotation_id,
            queue_id=a.queue_id,
            ls_task_id=task,
            labeler_id=a.labeler_id,
            labeler_email=email,
            ls_user_id=a.ls_user_id,
            label=a.label,
            labels=a.labels,
            label_status=a.label_status,
            result=a.result,
            lead_time=a.lead_time,
            was_cancelled=a.was_cancelled,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )
        for a, task, email in rows
    ]
    return Page[AnnotationPublic](total=total, offset=offset, limit=limit, items=items)
