"""Gold sets: import, hidden injection, status per queue, item status; labeler scorecards."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from labelqa.api.deps import ContextDep, SessionDep, allow
from labelqa.gold import QualificationRule
from labelqa.services.connect import connector_for
from labelqa.services.gold import (
    check_rate,
    gold_status,
    import_gold,
    inject_gold,
    mark_for_revalidation,
    remove_from_label_studio,
    scorecard,
    set_gold_status,
)
from labelqa.store.models import ApiToken
from labelqa.store.repositories import gold as gold_repo
from labelqa.store.repositories.sources import get_queue

router = APIRouter(tags=["gold"])


class GoldImport(BaseModel):
    sop: str = Field(description="KEY@VERSION the labels follow")
    format: str = Field(default="jsonl", pattern="^(jsonl|csv)$")
    content: str = Field(min_length=1)


class GoldInject(BaseModel):
    queue: str
    rate: float = Field(description="share of gold among all tasks, in (0, 1]")
    per_labeler_min: int = Field(default=0, ge=0)
    max_exposure: int = Field(default=3, ge=1)
    seed: int | None = None


class GoldStatusUpdate(BaseModel):
    status: str = Field(pattern="^(active|retired|disputed|revalidate)$")
    reason: str = ""


@router.post("/gold/import", status_code=201)
def post_import(
    body: GoldImport, session: SessionDep, tok: Annotated[ApiToken, Depends(allow("manage_gold"))]
) -> dict[str, Any]:
    """Import gold items (all rows or none; 422 lists each bad row and field)."""
    return import_gold(
        session, body.content, fmt=body.format, sop_ref=body.sop, actor=f"token:{tok.name}"
    )


@router.post("/gold/inject", status_code=201)
def post_inject(
    body: GoldInject,
    session: SessionDep,
    ctx: ContextDep,
    tok: Annotated[ApiToken, Depends(allow("manage_gold"))],
) -> dict[str, Any]:
    """Import hidden gold copies for the ordinary tasks added since the last injection."""
    check_rate(body.rate)
    q = get_queue(session, body.queue)
    with connector_for(q.source, ctx.settings) as conn:
        res = inject_gold(
            session,
            conn,
            body.queue,
            rate=body.rate,
            per_labeler_min=body.per_labeler_min,
            max_exposure=body.max_exposure,
            seed=body.seed,
            actor=f"token:{tok.name}",
        )
    # the LS task ids of gold copies are never returned: they would identify gold
    return {
        "queue": res.queue,
        "ordinary_covered": res.ordinary_covered,
        "gold_copies": len(res.ls_task_ids),
        "pool_size": res.pool_size,
    }


@router.get("/gold/status")
def get_status(
    session: SessionDep,
    _: Annotated[ApiToken, Depends(allow("read_quality"))],
    queue: str,
    target: float = 0.9,
) -> dict[str, Any]:
    """Per labeler gold accuracy with interval and qualification; the recalibration list."""
    return gold_status(session, queue, rule=QualificationRule(target=target))


@router.get("/gold/items")
def get_items(
    session: SessionDep,
    _: Annotated[ApiToken, Depends(allow("manage_gold"))],
    sop: str,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Gold items of an SOP key (answers included: QA roles only)."""
    return [
        {
            "id": g.id,
            "external_id": g.external_id,
            "sop_version": g.sop_version.version,
            "labels": g.labels,
            "status": g.status,
            "status_reason": g.status_reason,
            "stratum": g.stratum,
            "difficulty": g.difficulty,
            "data": g.data,
            "rationale": g.rationale,
        }
        for g in gold_repo.items_of_sop(session, sop, status)
    ]


@router.patch("/gold/items/{gold_id}")
def patch_item(
    gold_id: int,
    body: GoldStatusUpdate,
    session: SessionDep,
    tok: Annotated[ApiToken, Depends(allow("manage_gold"))],
) -> dict[str, Any]:
    """Retire, dispute or re-activate a gold item."""
    row = set_gold_status(session, gold_id, body.status, body.reason, actor=f"token:{tok.name}")
    return {"id": row.id, "status": row.status}


@router.post("/gold/revalidate")
def post_revalidate(
    session: SessionDep, tok: Annotated[ApiToken, Depends(allow("manage_gold"))], sop: str
) -> dict[str, Any]:
    """Mark gold whose class changed in SOP version ``sop`` (KEY@VERSION) for re-validation."""
    key, _, version = sop.partition("@")
    return mark_for_revalidation(session, key, version, actor=f"token:{tok.name}")


@router.get("/labelers/{key}/scorecard")
def get_scorecard(
    key: str, session: SessionDep, _: Annotated[ApiToken, Depends(allow("read_quality"))]
) -> dict[str, Any]:
    """One labeler's volume, speed, gold accuracy with interval and qualification per queue."""
    return scorecard(session, key)


@router.post("/labelers/{key}/remove-from-label-studio")
def remove_labeler(
    key: str,
    session: SessionDep,
    ctx: ContextDep,
    tok: Annotated[ApiToken, Depends(allow("remove_labelers"))],
    source: str,
) -> dict[str, Any]:
    """Remove the labeler's LS user from the organization (the only lever Community offers)."""
    return remove_from_label_studio(
        session,
        lambda src: connector_for(src, ctx.settings),
        key,
        source,
        actor=f"token:{tok.name}",
    )
