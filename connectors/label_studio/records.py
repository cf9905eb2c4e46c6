"""Label Studio JSON (export, task list, webhook payloads) turned into LabelQA records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from labelqa.errors import ValidationError

__all__ = [
    "LS_TIME_FORMAT",
    "AnnotationRecord",
    "TaskRecord",
    "UserRecord",
    "WebhookEvent",
    "format_ls_time",
    "parse_annotation",
    "parse_ls_time",
    "parse_task",
    "parse_webhook",
]

# The task filter accepts exactly this format; "+00:00" makes LS answer 500.
LS_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

WEBHOOK_ACTIONS = {
    "ANNOTATION_CREATED",
    "ANNOTATIONS_CREATED",
    "ANNOTATION_UPDATED",
    "ANNOTATIONS_DELETED",
    "TASKS_CREATED",
    "TASKS_DELETED",
}


@dataclass(frozen=True)
class AnnotationRecord:
    """One LS annotation as LabelQA stores it (before label normalization)."""

    ls_id: int
    task_id: int
    completed_by: int | None
    result: list[Any]
    lead_time: float | None
    created_at: datetime | None
    updated_at: datetime | None
    was_cancelled: bool
    ground_truth: bool


@dataclass(frozen=True)
class TaskRecord:
    """One LS task; ``annotations`` is None when the payload did not carry them."""

    ls_id: int
    project_id: int | None
    data: dict[str, Any]
    meta: dict[str, Any]
    created_at: datetime | None
    updated_at: datetime | None
    annotations: list[AnnotationRecord] | None = None


@dataclass(frozen=True)
class UserRecord:
    """A Label Studio user."""

    ls_id: int
    email: str
    name: str


@dataclass
class WebhookEvent:
    """A webhook payload reduced to what changes the store."""

    action: str
    project_id: int | None
    tasks: list[TaskRecord] = field(default_factory=list)
    annotations: list[AnnotationRecord] = field(default_factory=list)
    deleted_task_ids: list[int] = field(default_factory=list)
    deleted_annotation_ids: list[int] = field(default_factory=list)


def parse_ls_time(value: Any) -> datetime | None:
    """Parse an LS timestamp (``2026-11-22T00:17:01.065847Z``) to aware UTC; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(f"not a Label Studio timestamp: {value!r}") from exc
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


def format_ls_time(dt: datetime) -> str:
    """Format an aware datetime the way LS's ``updated_at`` filter requires."""
    return dt.astimezone(UTC).strftime(LS_TIME_FORMAT)


def _user_id(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("id")
    return None if value is None else int(value)


def parse_annotation(obj: dict[str, Any], task_id: int | None = None) -> AnnotationRecord:
    """Turn an LS annotation dict into an :class:`AnnotationRecord`."""
    try:
        tid = obj.get("task", task_id)
        if isinstance(tid, dict):
            tid = tid.get("id")
        if tid is None:
            raise KeyError("task")
        lead = obj.get("lead_time")
        return AnnotationRecord(
            ls_id=int(obj["id"]),
            task_id=int(tid),
            completed_by=_user_id(obj.get("completed_by")),
            result=list(obj.get("result") or []),
            lead_time=None if lead is None else float(lead),
            created_at=parse_ls_time(obj.get("created_at")),
            updated_at=parse_ls_time(obj.get("updated_at")),
            was_cancelled=bool(obj.get("was_cancelled", False)),
            ground_truth=bool(obj.get("ground_truth", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"malformed Label Studio annotation: missing or bad {exc}") from exc


def parse_task(obj: dict[str, Any]) -> TaskRecord:
    """Turn an LS task dict (export or task list format) into a :class:`TaskRecord`."""
    try:
        tid = int(obj["id"])
        anns = obj.get("annotations")
        project = obj.get("project")
        if isinstance(project, dict):
            project = project.get("id")
        return TaskRecord(
            ls_id=tid,
            project_id=None if project is None else int(project),
            data=dict(obj.get("data") or {}),
            meta=dict(obj.get("meta") or {}),
            created_at=parse_ls_time(obj.get("created_at")),
            updated_at=parse_ls_time(obj.get("updated_at")),
            annotations=None if anns is None else [parse_annotation(a, tid) for a in anns],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"malformed Label Studio task: missing or bad {exc}") from exc


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def parse_webhook(payload: Any) -> WebhookEvent:
    """Reduce an LS webhook payload to a :class:`WebhookEvent` (ValidationError if malformed)."""
    if not isinstance(payload, dict):
        raise ValidationError("webhook body must be a JSON object", code="invalid_webhook")
    action = payload.get("action")
    if action not in WEBHOOK_ACTIONS:
        raise ValidationError(
            f"unsupported webhook action {action!r}; expected one of {sorted(WEBHOOK_ACTIONS)}",
            code="unsupported_webhook_action",
        )
    project = payload.get("project")
    project_id = project.get("id") if isinstance(project, dict) else project
    event = WebhookEvent(action=action, project_id=None if project_id is None else int(project_id))
    try:
        if action in ("ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED"):
            tasks = [parse_task({**t, "annotations": None}) for t in _as_list(payload.get("task"))]
            event.tasks = tasks
            event.annotations = [parse_annotation(a) for a in _as_list(payload.get("annotation"))]
            if not event.annotations:
                raise ValidationError(f"{action} payload has no annotation", code="invalid_webhook")
        elif action == "ANNOTATIONS_DELETED":
            event.deleted_annotation_ids = [
                int(a["id"]) for a in _as_list(payload.get("annotations"))
            ]
        elif action == "TASKS_CREATED":
            event.tasks = [parse_task(t) for t in _as_list(payload.get("tasks"))]
        elif action == "TASKS_DELETED":
            event.deleted_task_ids = [int(t["id"]) for t in _as_list(payload.get("tasks"))]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"malformed {action} payload: {exc}", code="invalid_webhook") from exc
    if event.project_id is None:
        raise ValidationError(
            f"{action} payload names no project; enable 'send payload' on the LS webhook",
            code="invalid_webhook",
        )
    return event
