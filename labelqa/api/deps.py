"""Request dependencies: the app context, a DB session per request, the caller's token and role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from labelqa.context import AppContext
from labelqa.services.tokens import authenticate, require
from labelqa.store.db import session_scope
from labelqa.store.models import ApiToken

__all__ = ["ContextDep", "CurrentToken", "SessionDep", "allow"]


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with session_scope(ctx.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_token(request: Request, session: SessionDep) -> ApiToken:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    plain = value.strip() if scheme.lower() in ("bearer", "token") else None
    tok = authenticate(session, plain)
    session.commit()
    return tok


CurrentToken = Annotated[ApiToken, Depends(current_token)]


def allow(permission: str) -> Callable[[ApiToken], ApiToken]:
    """A dependency that passes when the caller's role holds ``permission``."""

    def check(token: CurrentToken) -> ApiToken:
        require(token, permission)
        return token

    return check
