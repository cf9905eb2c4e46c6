"""API tokens: create (shown once), authenticate, revoke, and what each role may do."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelqa.errors import Forbidden, NotFound, Unauthorized, ValidationError
from labelqa.security import ROLES, generate_token, hash_token
from labelqa.store.models import ApiToken, utcnow
from labelqa.store.repositories import audit

__all__ = ["PERMISSIONS", "authenticate", "create_token", "require", "revoke_token"]

# permission -> roles holding it
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "read_annotations": frozenset(
        {"admin", "qa_analyst", "data_consumer", "sop_author", "vendor_manager"}
    ),
    "manage_sources": frozenset({"admin"}),
    "manage_queues": frozenset({"admin", "qa_analyst"}),
    "manage_labelers": frozenset({"admin", "qa_analyst", "vendor_manager"}),
    "run_sync": frozenset({"admin", "qa_analyst"}),
    "manage_tokens": frozenset({"admin"}),
    "publish_sops": frozenset({"admin", "sop_author"}),
    "manage_gold": frozenset({"admin", "qa_analyst"}),
    "remove_labelers": frozenset({"admin", "vendor_manager"}),
    "read_quality": frozenset({"admin", "qa_analyst", "vendor_manager", "sop_author"}),
}


def create_token(session: Session, name: str, role: str, *, actor: str) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plaintext, which is never stored."""
    if role not in ROLES:
        raise ValidationError(
            f"unknown role {role!r}; roles: {', '.join(ROLES)}", code="invalid_role"
        )
    plain = generate_token()
    tok = ApiToken(name=name, role=role, token_hash=hash_token(plain), prefix=plain[:8])
    session.add(tok)
    session.flush()
    audit.record(session, actor, "token.create", "token", tok.id, {"name": name, "role": role})
    return tok, plain


def authenticate(session: Session, plain: str | None) -> ApiToken:
    """The live token matching ``plain``; Unauthorized otherwise."""
    if not plain:
        raise Unauthorized(
            "missing API token: send `Authorization: Bearer <token>`", code="token_missing"
        )
    tok = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if tok is None or tok.revoked_at is not None:
        raise Unauthorized("invalid or revoked API token", code="token_invalid")
    tok.last_used_at = utcnow()
    return tok


def require(token: ApiToken, permission: str) -> None:
    """Raise Forbidden unless the token's role holds ``permission``."""
    if token.role not in PERMISSIONS[permission]:
        raise Forbidden(
            f"role {token.role!r} may not {permission.replace('_', ' ')}; ask an admin",
            code="forbidden",
        )


def revoke_token(session: Session, token_id: int, *, actor: str) -> None:
    """Revoke a token by id."""
    tok = session.get(ApiToken, token_id)
    if tok is None:
        raise NotFound(f"no token {token_id}", code="token_not_found")
    tok.revoked_at = utcnow()
    audit.record(session, actor, "token.revoke", "token", token_id)
