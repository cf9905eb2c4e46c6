"""API tokens as stored (hashes only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelqa.store.models import ApiToken

__all__ = ["has_admin", "list_tokens"]


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, oldest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def has_admin(session: Session) -> bool:
    """Whether any admin token exists (revoked ones included)."""
    return session.scalar(select(ApiToken.id).where(ApiToken.role == "admin").limit(1)) is not None
