"""Write fixtures into a Label Studio server: projects, users, tasks with annotations (bulk).

Used by the demo and the integration tests to build realistic projects fast: one bulk import
carries tasks together with their annotations (``completed_by`` is honoured), instead of one
request per annotation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.label_studio.client import LabelStudioConnector

__all__ = [
    "choice_result",
    "create_annotation",
    "create_project",
    "delete_annotation",
    "delete_task",
    "ensure_users",
    "import_tasks",
    "update_annotation",
]


def choice_result(
    label: str | Sequence[str], from_name: str = "label", to_name: str = "text"
) -> list[dict[str, Any]]:
    """An LS ``result`` choosing ``label`` (one value or several) on a Choices control."""
    values = [label] if isinstance(label, str) else list(label)
    return [
        {
            "from_name": from_name,
            "to_name": to_name,
            "type": "choices",
            "value": {"choices": values},
        }
    ]


def create_project(conn: LabelStudioConnector, title: str, label_config: str, **extra: Any) -> int:
    """Create a project; returns its id."""
    p = conn._sdk(
        lambda: conn.sdk.projects.create(title=title, label_config=label_config, **extra),
        f"creating project {title!r}",
    )
    return int(p.id or 0)


def ensure_users(conn: LabelStudioConnector, emails: Sequence[str]) -> dict[str, int]:
    """Create the users that do not exist yet; returns e-mail -> LS user id for all of them."""
    have = {u.email: u.ls_id for u in conn.list_users()}
    for email in emails:
        if email.lower() not in have:
            u = conn._sdk(
                lambda e=email: conn.sdk.users.create(email=e, username=e.split("@")[0]),  # type: ignore[misc]
                f"creating user {email}",
            )
            have[email.lower()] = int(u.id or 0)
    return {e: have[e.lower()] for e in emails}


def import_tasks(
    conn: LabelStudioConnector, project_id: int, tasks: Sequence[dict[str, Any]], batch: int = 2000
) -> int:
    """Bulk-import tasks (each may carry ``annotations``); returns the number imported."""
    n = 0
    for i in range(0, len(tasks), batch):
        chunk = list(tasks[i : i + batch])
        conn._sdk(
            lambda c=chunk: conn.sdk.projects.import_tasks(id=project_id, request=c),  # type: ignore[misc]
            f"importing tasks into project {project_id}",
        )
        n += len(chunk)
    return n


def create_annotation(
    conn: LabelStudioConnector,
    task_id: int,
    result: list[dict[str, Any]],
    completed_by: int,
    lead_time: float = 5.0,
    was_cancelled: bool = False,
) -> int:
    """Create one annotation on a task (about 0.1 s each: for a handful, not for fixtures)."""
    a = conn._sdk(
        lambda: conn.sdk.annotations.create(
            id=task_id,
            result=result,
            completed_by=completed_by,
            lead_time=lead_time,
            was_cancelled=was_cancelled,
        ),
        f"annotating task {task_id}",
    )
    return int(a.id or 0)


def update_annotation(
    conn: LabelStudioConnector, annotation_id: int, result: list[dict[str, Any]]
) -> None:
    """Replace an annotation's result."""
    conn._sdk(
        lambda: conn.sdk.annotations.update(id=annotation_id, result=result),
        f"updating annotation {annotation_id}",
    )


def delete_annotation(conn: LabelStudioConnector, annotation_id: int) -> None:
    """Delete an annotation."""
    conn._sdk(
        lambda: conn.sdk.annotations.delete(id=annotation_id),
        f"deleting annotation {annotation_id}",
    )


def delete_task(conn: LabelStudioConnector, task_id: int) -> None:
    """Delete a task (and its annotations)."""
    conn._sdk(lambda: conn.sdk.tasks.delete(id=str(task_id)), f"deleting task {task_id}")
