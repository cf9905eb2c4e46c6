"""Connector error paths with a mocked transport (the only place mocks are used)."""

from __future__ import annotations

import json

import httpx
import pytest

from connectors.label_studio.client import EXPORT_CHUNK, LabelStudioConnector
from labelqa.errors import LabelStudioAuthError, LabelStudioError, LabelStudioNotFound

URL = "http://ls.test"


def make(handler, retries=1) -> LabelStudioConnector:
    return LabelStudioConnector(
        URL, "tok", http=httpx.Client(transport=httpx.MockTransport(handler)), retries=retries
    )


def test_wrong_token_is_an_auth_error_naming_the_server():
    conn = make(lambda r: httpx.Response(401, json={"detail": "Invalid token."}))
    with pytest.raises(LabelStudioAuthError, match="rejected the API token") as e:
        conn.whoami()
    assert URL in str(e.value)


def test_unknown_project_names_the_id():
    conn = make(lambda r: httpx.Response(404, json={"detail": "Not found."}))
    with pytest.raises(LabelStudioNotFound, match="no project with id 42"):
        conn.get_project(42)


def test_unreachable_and_timeouts_are_retried_then_reported():
    calls = []

    def down(request):
        calls.append(request)
        raise httpx.ConnectError("connection refused")

    conn = make(down, retries=2)
    with pytest.raises(LabelStudioError, match="is unreachable") as e:
        conn.export_tasks(1, [1, 2])
    assert e.value.code == "label_studio_unreachable"
    assert len(calls) == 3

    def slow(request):
        raise httpx.ReadTimeout("timed out")

    with pytest.raises(LabelStudioError, match="timed out"):
        make(slow, retries=0).export_tasks(1, [1])


def test_server_errors_are_retried():
    answers = iter(
        [httpx.Response(502), httpx.Response(200, json=[{"id": 1, "data": {}, "annotations": []}])]
    )
    conn = make(lambda r: next(answers), retries=1)
    tasks = conn.export_tasks(1, [1])
    assert [t.ls_id for t in tasks] == [1]
    conn = make(lambda r: httpx.Response(500), retries=1)
    with pytest.raises(LabelStudioError, match="answered 500"):
        conn.export_tasks(1, [1])


def test_non_json_answer_is_a_clear_error():
    conn = make(lambda r: httpx.Response(200, text="<html>proxy login</html>"))
    with pytest.raises(LabelStudioError, match="non-JSON"):
        conn.export_tasks(1, [1])


def test_export_splits_ids_under_djangos_field_limit_and_counts_requests():
    seen = []

    def handler(request):
        ids = request.url.params.get_list("ids[]")
        seen.append(len(ids))
        return httpx.Response(
            200, json=[{"id": int(i), "data": {}, "annotations": []} for i in ids]
        )

    conn = make(handler)
    tasks = conn.export_tasks(3, list(range(1, 2001)))
    assert len(tasks) == 2000 and max(seen) <= EXPORT_CHUNK < 1000
    assert conn.requests_made == len(seen) == 3 and conn.tasks_read == 2000


def test_task_listing_stops_at_total_and_tolerates_the_404_past_the_end():
    def handler(request):
        page = int(request.url.params["page"])
        query = json.loads(request.url.params["query"])
        assert query["filters"]["items"][0]["value"].endswith("Z")
        if page > 2:
            return httpx.Response(404, json={"detail": "Invalid page."})
        tasks = [
            {"id": page * 10 + i, "updated_at": "2026-11-22T00:00:00.000001Z"} for i in range(3)
        ]
        return httpx.Response(200, json={"tasks": tasks, "total": 6})

    from datetime import UTC, datetime

    conn = make(handler)
    out = conn.changed_tasks(1, datetime(2026, 1, 1, tzinfo=UTC))
    assert [t for t, _ in out] == [10, 11, 12, 20, 21, 22]
    assert conn.requests_made == 2
