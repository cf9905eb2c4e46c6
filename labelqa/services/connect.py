"""Build a Label Studio connector for a stored source."""

from __future__ import annotations

import httpx

from connectors.label_studio.client import LabelStudioConnector
from labelqa.security import decrypt
from labelqa.settings import Settings
from labelqa.store.models import Source

__all__ = ["connector_for"]


def connector_for(
    source: Source, settings: Settings, http: httpx.Client | None = None
) -> LabelStudioConnector:
    """A connector for ``source`` with its decrypted token and the configured timeouts."""
    return LabelStudioConnector(
        source.url,
        decrypt(source.token_encrypted, settings.secret_key),
        http=http,
        timeout=settings.label_studio_timeout_seconds,
        retries=settings.label_studio_retries,
    )
