"""Add Label Studio sources and bind their projects as queues (checked against the live server)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.label_config import parse_label_config
from labelqa.errors import Conflict, ValidationError
from labelqa.security import decrypt, encrypt
from labelqa.settings import Settings
from labelqa.store.models import Queue, Source
from labelqa.store.repositories import audit
from labelqa.store.repositories.sources import get_queue_by_project, get_source

__all__ = ["ConnectorFactory", "add_queue", "add_source", "register_webhook", "webhook_secret"]

ConnectorFactory = Callable[[str, str], LabelStudioConnector]


def _default_factory(settings: Settings) -> ConnectorFactory:
    def make(url: str, token: str) -> LabelStudioConnector:
        return LabelStudioConnector(
            url,
            token,
            timeout=settings.label_studio_timeout_seconds,
            retries=settings.label_studio_retries,
        )

    return make


def add_source(
    session: Session,
    settings: Settings,
    name: str,
    url: str,
    token: str,
    *,
    actor: str,
    factory: ConnectorFactory | None = None,
) -> Source:
    """Check that ``url`` answers and accepts ``token``, then store the source (token encrypted).

    Nothing is stored when the server is unreachable or rejects the token.
    """
    name = name.strip()
    if not name:
        raise ValidationError("source name must not be empty", code="invalid_name")
    if not url.startswith(("http://", "https://")):
        raise ValidationError(
            f"source URL must start with http:// or https://, got {url!r}", code="invalid_url"
        )
    if session.scalar(select(Source).where(Source.name == name)) is not None:
        raise Conflict(f"a source named {name!r} already exists", code="source_exists")
    with (factory or _default_factory(settings))(url, token) as conn:
        me = conn.whoami()
    src = Source(
        name=name,
        url=url.rstrip("/"),
        token_encrypted=encrypt(token, settings.secret_key),
        webhook_secret_encrypted=encrypt(secrets.token_urlsafe(32), settings.secret_key),
    )
    session.add(src)
    session.flush()
    audit.record(
        session,
        actor,
        "source.add",
        "source",
        src.id,
        {"name": name, "url": src.url, "ls_user": me.get("email")},
    )
    return src


def webhook_secret(source: Source, settings: Settings) -> str:
    """The shared secret LS must send in the webhook header for this source."""
    return decrypt(source.webhook_secret_encrypted, settings.secret_key)


def add_queue(
    session: Session,
    settings: Settings,
    conn: LabelStudioConnector,
    source_name: str,
    project_id: int,
    name: str | None,
    *,
    actor: str,
) -> Queue:
    """Bind LS project ``project_id`` of ``source_name`` as a queue (checked against LS)."""
    src = get_source(session, source_name)
    if get_queue_by_project(session, src.id, project_id) is not None:
        raise Conflict(
            f"project {project_id} of source {source_name!r} is already a queue",
            code="queue_exists",
        )
    project = conn.get_project(project_id)
    qname = (name or project.title or f"{source_name}-{project_id}").strip()
    if session.scalar(select(Queue).where(Queue.name == qname)) is not None:
        raise Conflict(
            f"a queue named {qname!r} already exists; pass another --name", code="queue_exists"
        )
    schema = parse_label_config(project.label_config)
    q = Queue(
        name=qname,
        source_id=src.id,
        project_id=project_id,
        title=project.title,
        label_config=project.label_config,
        control_name=schema.primary.name if schema.primary else None,
        classes=schema.classes,
        choice_type=schema.primary.choice_type if schema.primary else None,
        meta={},
    )
    session.add(q)
    session.flush()
    audit.record(
        session,
        actor,
        "queue.add",
        "queue",
        q.id,
        {"name": qname, "source": source_name, "project_id": project_id},
    )
    return q


def register_webhook(
    session: Session,
    settings: Settings,
    conn: LabelStudioConnector,
    queue: Queue,
    public_url: str,
    *,
    actor: str,
) -> int:
    """Create LabelQA's webhook on the queue's LS project, pointed at ``public_url``."""
    url = public_url.rstrip("/") + "/api/v1/webhooks/label-studio"
    hook_id = conn.create_webhook(
        queue.project_id, url, settings.webhook_header, webhook_secret(queue.source, settings)
    )
    queue.meta = {**(queue.meta or {}), "webhook_id": hook_id}
    audit.record(
        session, actor, "queue.webhook", "queue", queue.id, {"url": url, "webhook_id": hook_id}
    )
    return hook_id
