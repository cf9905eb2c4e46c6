"""The Label Studio webhook receiver (authenticated by a shared-secret header)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from labelqa.api.deps import ContextDep, SessionDep
from labelqa.errors import ValidationError
from labelqa.services.webhooks import apply_webhook, source_for_secret

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/label-studio")
async def label_studio(request: Request, session: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """Apply an LS webhook idempotently; 401 without the right secret, 404 for unknown projects."""
    source = source_for_secret(
        session, ctx.settings, request.headers.get(ctx.settings.webhook_header)
    )
    try:
        payload = json.loads(await request.body())
    except ValueError as exc:
        raise ValidationError("webhook body is not JSON", code="invalid_webhook") from exc
    return apply_webhook(session, source, payload)
