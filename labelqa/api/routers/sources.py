"""Label Studio sources."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from labelqa.api.deps import ContextDep, SessionDep, allow
from labelqa.api.schemas import SourceCreate, SourcePublic
from labelqa.services.sources import add_source
from labelqa.store.models import ApiToken
from labelqa.store.repositories.sources import list_sources

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", response_model=list[SourcePublic])
def get_sources(
    session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> list[SourcePublic]:
    """All sources (tokens are never returned)."""
    return [SourcePublic.model_validate(s) for s in list_sources(session)]


@router.post("", response_model=SourcePublic, status_code=status.HTTP_201_CREATED)
def post_source(
    body: SourceCreate,
    session: SessionDep,
    ctx: ContextDep,
    tok: Annotated[ApiToken, Depends(allow("manage_sources"))],
) -> SourcePublic:
    """Add a source after checking the server answers and accepts the token."""
    src = add_source(
        session, ctx.settings, body.name, str(body.url), body.token, actor=f"token:{tok.name}"
    )
    return SourcePublic.model_validate(src)
