"""The Label Studio connector: the only place that talks to Label Studio.

It wraps label-studio-sdk for the typed calls (project, users, webhooks) and uses the same
injected ``httpx.Client`` for the bulk reads the SDK has no fast path for (export of a task-id
range, the ``updated_at`` task filter). Every request is counted (``requests_made``) and every
task read is counted (``tasks_read``) so callers and tests can see what a sync cost.
Failures become :class:`labelqa.errors.LabelStudioError` subclasses with a message naming the
server and what to check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx
import orjson
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from connectors.label_studio.records import (
    TaskRecord,
    UserRecord,
    format_ls_time,
    parse_ls_time,
    parse_task,
)
from labelqa.errors import LabelStudioAuthError, LabelStudioError, LabelStudioNotFound

__all__ = ["EXPORT_CHUNK", "LabelStudioConnector", "ProjectInfo"]

T = TypeVar("T")

# Django refuses more than 1,000 query fields (DATA_UPLOAD_MAX_NUMBER_FIELDS): stay under it.
EXPORT_CHUNK = 900
LIST_PAGE = 1000


@dataclass(frozen=True)
class ProjectInfo:
    """What LabelQA needs to know of an LS project."""

    id: int
    title: str
    label_config: str
    task_number: int
    expert_instruction: str
    show_instruction: bool
    maximum_annotations: int = 1


class LabelStudioConnector:
    """A client for one Label Studio server.

    ``http`` may be injected (e.g. an ``httpx.Client`` with a ``MockTransport`` in unit tests);
    otherwise one is created with ``timeout`` seconds per request. Transient failures
    (connection errors, timeouts, 5xx) are retried ``retries`` times with a short backoff.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        http: httpx.Client | None = None,
        timeout: float = 60.0,
        retries: int = 2,
    ) -> None:
        self.url = url.rstrip("/")
        self.retries = retries
        self.requests_made = 0
        self.tasks_read = 0
        self._http = http or httpx.Client(timeout=timeout)
        self._http.event_hooks["request"] = [*self._http.event_hooks["request"], self._count]
        self._auth = {"Authorization": f"Token {token}"}
        self.sdk = LabelStudio(
            base_url=self.url, api_key=token, httpx_client=self._http, timeout=timeout
        )

    def _count(self, _request: httpx.Request) -> None:
        self.requests_made += 1

    def close(self) -> None:
        """Close the underlying HTTP client."""
        self._http.close()

    def __enter__(self) -> LabelStudioConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- error mapping -----------------------------------------------------------------------
    def _fail(self, status: int | None, what: str, body: Any = None) -> LabelStudioError:
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("detail") or body.get("validation_errors") or "")[:300]
        if status in (401, 403):
            return LabelStudioAuthError(
                f"Label Studio at {self.url} rejected the API token ({status}) while {what}. "
                "Check the token (Account & Settings > Access Token) and that legacy tokens are "
                "enabled for the organisation."
            )
        if status == 404:
            return LabelStudioNotFound(f"Label Studio at {self.url}: not found while {what}.")
        return LabelStudioError(
            f"Label Studio at {self.url} answered {status} while {what}. {detail}".strip()
        )

    def _unreachable(self, exc: Exception, what: str) -> LabelStudioError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "is unreachable"
        return LabelStudioError(
            f"Label Studio at {self.url} {kind} while {what} ({type(exc).__name__}: {exc}). "
            "Check the URL and that the server is running.",
            code="label_studio_unreachable",
        )

    def _with_retries(self, fn: Callable[[], T], what: str) -> T:
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except (httpx.TransportError, _Retryable) as exc:
                if attempt == self.retries:
                    if isinstance(exc, _Retryable):
                        raise self._fail(exc.status, what) from None
                    raise self._unreachable(exc, what) from exc
                time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    def _sdk(self, fn: Callable[[], T], what: str) -> T:
        def call() -> T:
            try:
                return fn()
            except ApiError as exc:
                if exc.status_code is not None and exc.status_code >= 500:
                    raise _Retryable(exc.status_code) from exc
                raise self._fail(exc.status_code, what, exc.body) from exc

        return self._with_retries(call, what)

    def _get_json(self, path: str, params: Any, what: str) -> Any:
        def call() -> Any:
            r = self._http.get(self.url + path, params=params, headers=self._auth)
            if r.status_code >= 500:
                raise _Retryable(r.status_code)
            if r.status_code >= 400:
                try:
                    body = r.json()
                except ValueError:
                    body = None
                raise self._fail(r.status_code, what, body)
            try:
                return orjson.loads(r.content)  # exports run to tens of MB: parse fast
            except ValueError as exc:
                raise LabelStudioError(
                    f"Label Studio at {self.url} sent a non-JSON answer while {what}."
                ) from exc

        return self._with_retries(call, what)

    # -- typed calls ---------------------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        """The user the token belongs to (checks URL and token)."""
        user = self._sdk(lambda: self.sdk.users.whoami(), "checking the API token")
        return {"id": user.id, "email": user.email}

    def get_project(self, project_id: int) -> ProjectInfo:
        """Project ``project_id``; a missing project raises LabelStudioNotFound naming it."""
        try:
            p = self._sdk(
                lambda: self.sdk.projects.get(id=project_id), f"reading project {project_id}"
            )
        except LabelStudioNotFound:
            raise LabelStudioNotFound(
                f"Label Studio at {self.url} has no project with id {project_id} "
                "(or the token's user cannot see it)."
            ) from None
        return ProjectInfo(
            id=int(p.id or project_id),
            title=p.title or "",
            label_config=p.label_config or "",
            task_number=int(p.task_number or 0),
            expert_instruction=p.expert_instruction or "",
            show_instruction=bool(p.show_instruction),
            maximum_annotations=int(p.maximum_annotations or 1),
        )

    def validate_label_config(self, project_id: int, label_config: str) -> None:
        """Ask LS whether ``label_config`` is valid for the project (its data and annotations)."""

        def call() -> None:
            r = self._http.post(
                f"{self.url}/api/projects/{project_id}/validate",
                json={"label_config": label_config},
                headers=self._auth,
            )
            if r.status_code >= 500:
                raise _Retryable(r.status_code)
            if r.status_code == 400:
                try:
                    detail = r.json()
                except ValueError:
                    detail = r.text
                raise LabelStudioError(
                    f"Label Studio at {self.url} rejected the label config for project "
                    f"{project_id}: {str(detail)[:500]}",
                    code="label_config_rejected",
                )
            if r.status_code >= 400:
                raise self._fail(
                    r.status_code, f"validating a label config for project {project_id}"
                )

        self._with_retries(call, f"validating a label config for project {project_id}")

    def update_project(
        self, project_id: int, *, label_config: str, expert_instruction: str, show_instruction: bool
    ) -> ProjectInfo:
        """Set a project's label config and instructions (one PATCH, atomic in LS)."""
        self._sdk(
            lambda: self.sdk.projects.update(
                id=project_id,
                label_config=label_config,
                expert_instruction=expert_instruction,
                show_instruction=show_instruction,
            ),
            f"updating project {project_id}",
        )
        return self.get_project(project_id)

    def import_tasks(self, project_id: int, tasks: Sequence[dict[str, Any]]) -> list[int]:
        """Import tasks in one request; returns the new task ids in the order given."""
        payload: Any = list(tasks)
        res = self._sdk(
            lambda: self.sdk.projects.import_tasks(
                id=project_id, request=payload, return_task_ids=True
            ),
            f"importing {len(tasks)} tasks into project {project_id}",
        )
        return [int(t) for t in (getattr(res, "task_ids", None) or [])]

    def remove_member(self, user_id: int) -> None:
        """Remove a user from the token owner's organization (LS soft-deletes the membership:
        the user can no longer open any project). Community has no per-project membership."""
        me = self._get_json("/api/current-user/whoami", None, "reading the current user")
        org = me.get("active_organization")
        if isinstance(org, dict):
            org = org.get("id")

        def call() -> None:
            r = self._http.delete(
                f"{self.url}/api/organizations/{org}/memberships/{user_id}/", headers=self._auth
            )
            if r.status_code >= 500:
                raise _Retryable(r.status_code)
            if r.status_code == 404:
                raise LabelStudioNotFound(
                    f"Label Studio at {self.url}: user {user_id} is not a member of organization "
                    f"{org} (already removed?)"
                )
            if r.status_code >= 400:
                raise self._fail(r.status_code, f"removing user {user_id}", _json_or_none(r))

        self._with_retries(call, f"removing user {user_id}")

    def list_users(self) -> list[UserRecord]:
        """Every user on the server (id, email, name)."""
        users = self._sdk(lambda: self.sdk.users.list(), "listing users")
        out = []
        for u in users:
            name = " ".join(x for x in (u.first_name, u.last_name) if x) or (u.username or "")
            out.append(UserRecord(ls_id=int(u.id), email=(u.email or "").lower(), name=name))
        return out

    def create_webhook(self, project_id: int, url: str, header: str, secret: str) -> int:
        """Register LabelQA's webhook receiver on a project; returns the LS webhook id."""
        hook = self._sdk(
            lambda: self.sdk.webhooks.create(
                url=url,
                project=project_id,
                send_payload=True,
                send_for_all_actions=False,
                actions=[
                    "ANNOTATION_CREATED",
                    "ANNOTATIONS_CREATED",
                    "ANNOTATION_UPDATED",
                    "ANNOTATIONS_DELETED",
                    "TASKS_CREATED",
                    "TASKS_DELETED",
                ],
                headers={header: secret},
            ),
            f"creating a webhook on project {project_id}",
        )
        return int(hook.id or 0)

    # -- bulk reads ----------------------------------------------------------------------------
    def _task_page(
        self, project_id: int, page: int, query: dict[str, Any], include: str, page_size: int
    ) -> dict[str, Any]:
        params = {
            "project": project_id,
            "page": page,
            "page_size": page_size,
            "fields": "task_only",
            "include": include,
            "query": json.dumps(query),
        }
        try:
            result: dict[str, Any] = self._get_json("/api/tasks", params, "listing tasks")
        except LabelStudioNotFound:
            return {"tasks": [], "total": 0}  # LS answers 404 past the last page
        return result

    def _iter_tasks(
        self, project_id: int, query: dict[str, Any], include: str
    ) -> Iterable[dict[str, Any]]:
        page, seen = 1, 0
        while True:
            body = self._task_page(project_id, page, query, include, LIST_PAGE)
            tasks = body.get("tasks") or []
            yield from tasks
            seen += len(tasks)
            if not tasks or seen >= int(body.get("total") or 0):
                return
            page += 1

    def max_task_id(self, project_id: int) -> int:
        """The highest task id in the project (0 when it has no tasks)."""
        body = self._task_page(project_id, 1, {"ordering": ["-tasks:id"]}, "id", 1)
        tasks = body.get("tasks") or []
        return int(tasks[0]["id"]) if tasks else 0

    def min_task_id(self, project_id: int) -> int:
        """The lowest task id in the project (0 when it has no tasks)."""
        body = self._task_page(project_id, 1, {"ordering": ["tasks:id"]}, "id", 1)
        tasks = body.get("tasks") or []
        return int(tasks[0]["id"]) if tasks else 0

    def latest_update(self, project_id: int) -> datetime | None:
        """The newest task ``updated_at`` in the project (LS clock), None when empty."""
        body = self._task_page(
            project_id, 1, {"ordering": ["-tasks:updated_at"]}, "id,updated_at", 1
        )
        tasks = body.get("tasks") or []
        return parse_ls_time(tasks[0]["updated_at"]) if tasks else None

    @staticmethod
    def _updated_query(since: datetime, until: datetime | None) -> dict[str, Any]:
        items: list[dict[str, Any]] = [
            {
                "filter": "filter:tasks:updated_at",
                "operator": "greater",
                "type": "Datetime",
                "value": format_ls_time(since),
            }
        ]
        if until is not None:
            items.append(
                {
                    "filter": "filter:tasks:updated_at",
                    "operator": "less_or_equal",
                    "type": "Datetime",
                    "value": format_ls_time(until),
                }
            )
        return {"filters": {"conjunction": "and", "items": items}, "ordering": ["tasks:updated_at"]}

    def changed_tasks(
        self, project_id: int, since: datetime, until: datetime | None = None
    ) -> list[tuple[int, datetime]]:
        """(task id, updated_at) of tasks with ``since < updated_at <= until``, oldest first."""
        out = []
        for t in self._iter_tasks(project_id, self._updated_query(since, until), "id,updated_at"):
            ts = parse_ls_time(t["updated_at"])
            assert ts is not None
            out.append((int(t["id"]), ts))
        return out

    def count_changed(self, project_id: int, since: datetime, until: datetime) -> int:
        """How many tasks have ``since < updated_at <= until`` (one small request)."""
        body = self._task_page(project_id, 1, self._updated_query(since, until), "id", 1)
        return int(body.get("total") or 0)

    def list_task_ids(self, project_id: int) -> list[int]:
        """Every task id in the project (ids only; used to find deleted tasks)."""
        return [
            int(t["id"]) for t in self._iter_tasks(project_id, {"ordering": ["tasks:id"]}, "id")
        ]

    def export_tasks(self, project_id: int, task_ids: Sequence[int]) -> list[TaskRecord]:
        """Tasks with all their annotations (skipped ones included) for the given ids.

        Ids that are not tasks of the project are ignored by LS; the result is ordered by id.
        """
        out: list[TaskRecord] = []
        for i in range(0, len(task_ids), EXPORT_CHUNK):
            chunk = task_ids[i : i + EXPORT_CHUNK]
            params: list[tuple[str, Any]] = [("exportType", "JSON"), ("download_all_tasks", "true")]
            params += [("ids[]", t) for t in chunk]
            body = self._get_json(
                f"/api/projects/{project_id}/export",
                params,
                f"exporting tasks of project {project_id}",
            )
            if not isinstance(body, list):
                raise LabelStudioError(f"Label Studio at {self.url}: export did not return a list")
            out.extend(parse_task({**t, "project": project_id}) for t in body)
        self.tasks_read += len(out)
        out.sort(key=lambda t: t.ls_id)
        return out


def _json_or_none(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


class _Retryable(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status
