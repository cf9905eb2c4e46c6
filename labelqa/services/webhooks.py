"""Apply Label Studio webhooks: authenticate by shared secret, then idempotent store writes.

Webhooks are hints (LS sends each once, no retry); the periodic sync is what guarantees the
store matches LS. Applying the same payload any number of times, in any order, gives the
store the same content: upserts keep the newest ``updated_at``, deletions leave tombstones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from connectors.label_studio.label_config import parse_label_config
from connectors.label_studio.records import parse_webhook
from labelqa.errors import NotFound, Unauthorized
from labelqa.security import constant_time_equal
from labelqa.services.sources import webhook_secret
from labelqa.settings import Settings
from labelqa.store.models import Source
from labelqa.store.repositories import annotations as ann_repo
from labelqa.store.repositories.labelers import account_map
from labelqa.store.repositories.sources import get_queue_by_project, list_sources

__all__ = ["apply_webhook", "source_for_secret"]


def source_for_secret(session: Session, settings: Settings, secret: str | None) -> Source:
    """The source whose webhook secret equals ``secret``; Unauthorized otherwise."""
    if not secret:
        raise Unauthorized(
            f"webhook without the {settings.webhook_header} header", code="webhook_secret_missing"
        )
    match = None
    for src in list_sources(session):
        if constant_time_equal(webhook_secret(src, settings), secret):
            match = src
    if match is None:
        raise Unauthorized("webhook secret does not match any source", code="webhook_secret_wrong")
    return match


def apply_webhook(session: Session, source: Source, payload: Any) -> dict[str, Any]:
    """Apply one LS webhook payload for ``source``; returns what changed. Caller commits."""
    event = parse_webhook(payload)
    assert event.project_id is not None
    queue = get_queue_by_project(session, source.id, event.project_id)
    if queue is None:
        raise NotFound(
            f"webhook for Label Studio project {event.project_id}, which is not a queue of source "
            f"{source.name!r}; bind it with `labelqa queue add`",
            code="unknown_project",
        )
    schema = parse_label_config(queue.label_config, queue.control_name)
    counts = ann_repo.ApplyCounts()
    if event.tasks:
        counts += ann_repo.apply_tasks(session, queue, event.tasks, schema, {}, authoritative=False)
    if event.annotations:
        item_ids = ann_repo.item_ids(session, queue, [a.task_id for a in event.annotations])
        counts += ann_repo.upsert_annotations(
            session,
            queue,
            event.annotations,
            item_ids,
            schema,
            account_map(session, source.id),
            authoritative=False,
        )
    if event.deleted_annotation_ids:
        counts.annotations_deleted += ann_repo.delete_annotations(
            session, source.id, event.deleted_annotation_ids
        )
    if event.deleted_task_ids:
        counts += ann_repo.delete_items(session, queue, event.deleted_task_ids)
    return {"action": event.action, "queue": queue.name, **counts.as_dict()}
