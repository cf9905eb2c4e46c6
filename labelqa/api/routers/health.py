"""Health: is the store reachable and migrated."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from labelqa import __version__
from labelqa.api.deps import ContextDep, SessionDep
from labelqa.store.migrate import current_revision

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """Liveness plus store status (no auth)."""
    session.execute(text("SELECT 1"))
    return {
        "status": "ok",
        "version": __version__,
        "database": ctx.engine.dialect.name,
        "schema": current_revision(ctx.engine),
    }
