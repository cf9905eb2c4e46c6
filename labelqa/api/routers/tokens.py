"""API tokens (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from labelqa.api.deps import SessionDep, allow
from labelqa.api.schemas import TokenCreate, TokenCreated, TokenPublic
from labelqa.services.tokens import create_token, revoke_token
from labelqa.store.models import ApiToken
from labelqa.store.repositories.tokens import list_tokens

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenPublic])
def get_tokens(
    session: SessionDep, _: Annotated[ApiToken, Depends(allow("manage_tokens"))]
) -> list[TokenPublic]:
    """All tokens (never their secret)."""
    return [TokenPublic.model_validate(t) for t in list_tokens(session)]


@router.post("", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def post_token(
    body: TokenCreate,
    session: SessionDep,
    tok: Annotated[ApiToken, Depends(allow("manage_tokens"))],
) -> TokenCreated:
    """Create a token; the plaintext is in this response only."""
    new, plain = create_token(session, body.name, body.role, actor=f"token:{tok.name}")
    return TokenCreated(**TokenPublic.model_validate(new).model_dump(), token=plain)


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_token(
    token_id: int, session: SessionDep, tok: Annotated[ApiToken, Depends(allow("manage_tokens"))]
) -> None:
    """Revoke a token."""
    revoke_token(session, token_id, actor=f"token:{tok.name}")
