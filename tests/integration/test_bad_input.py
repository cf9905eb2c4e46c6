"""Bad input gets a clear error, a non-zero exit or a 4xx, and leaves the store unchanged."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from lqa_helpers import CONFIG, bind_queue, row_counts, run_cli

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.seed import create_project
from labelqa.api.app import create_app
from labelqa.services.sources import webhook_secret
from labelqa.store.repositories.sources import get_source

pytestmark = [pytest.mark.integration]


def _counts(ctx):
    with ctx.sessions() as s:
        return row_counts(s)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_source_add_unreachable_url(ctx, cli_env):
    before = _counts(ctx)
    url = f"http://127.0.0.1:{_closed_port()}"
    r = run_cli(["source", "add", "dead", "--url", url, "--token", "x" * 40], cli_env)
    assert r.returncode == 1
    assert "unreachable" in r.stderr and url in r.stderr
    assert _counts(ctx) == before


def test_source_add_wrong_token(ctx, cli_env, ls_server):
    before = _counts(ctx)
    r = run_cli(
        ["source", "add", "ls", "--url", ls_server.url, "--token", "0" * 40, "--json"], cli_env
    )
    assert r.returncode == 1
    err = json.loads(r.stderr)
    assert err["code"] == "label_studio_auth" and "rejected the API token" in err["message"]
    assert _counts(ctx) == before


def test_queue_add_unknown_project(ctx, cli_env, ls_server):
    r = run_cli(
        ["source", "add", "ls", "--url", ls_server.url, "--token", ls_server.token], cli_env
    )
    assert r.returncode == 0, r.stderr
    before = _counts(ctx)
    r = run_cli(["queue", "add", "--source", "ls", "--project-id", "987654"], cli_env)
    assert r.returncode == 1
    assert "no project with id 987654" in r.stderr
    assert _counts(ctx) == before
    r = run_cli(["queue", "add", "--source", "nope", "--project-id", "1"], cli_env)
    assert r.returncode == 1 and "no Label Studio source named 'nope'" in r.stderr


def test_malformed_roster_names_row_and_column(ctx, cli_env, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "email,vendor,site,market,start_date\n"
        "ana@acme.example.com,Acme,Manila,PH,2026-01-05\n"
        "not-an-email,Acme,Manila,PH,2026-01-05\n"
        "bo@acme.example.com,,Manila,PH,2026-01-05\n"
        "cy@acme.example.com,Acme,Manila,PH,05/01/2026\n"
        "ana@acme.example.com,Acme,Cebu,PH,2026-01-05\n"
    )
    before = _counts(ctx)
    r = run_cli(["labelers", "import", str(roster)], cli_env)
    assert r.returncode == 1
    msg = " ".join(r.stderr.split())
    assert "row 3, column email" in msg
    assert "row 4, column vendor: empty" in msg
    assert "row 5, column start_date" in msg
    assert "row 6, column email" in msg and "already appears in row 2" in msg
    assert "nothing imported" in msg
    assert _counts(ctx) == before
    missing = tmp_path / "missing-col.csv"
    missing.write_text("email,vendor,site\nx@y.example.com,A,B\n")
    r = run_cli(["labelers", "import", str(missing)], cli_env)
    assert r.returncode == 1 and "market" in r.stderr and "start_date" in r.stderr


def test_sync_when_label_studio_is_down(ctx, cli_env, ls_server):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    pid = create_project(conn, "down-test", CONFIG)
    bind_queue(ctx, ls_server.url, ls_server.token, pid)
    # the same source, moved to a dead port
    from labelqa.store.models import Source

    with ctx.sessions() as s:
        src = s.query(Source).one()
        src.url = f"http://127.0.0.1:{_closed_port()}"
        s.commit()
    before = _counts(ctx)
    r = run_cli(["sync"], cli_env)
    assert r.returncode == 1
    assert "unreachable" in r.stderr
    after = _counts(ctx)
    assert after["sync_runs"] == before["sync_runs"] + 1  # the failed run is recorded ...
    assert {k: v for k, v in after.items() if k != "sync_runs"} == {
        k: v for k, v in before.items() if k != "sync_runs"
    }  # ... and nothing else changed


def test_webhook_secret_and_unknown_project(ctx, ls_server):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    pid = create_project(conn, "webhook-bad-input", CONFIG)
    bind_queue(ctx, ls_server.url, ls_server.token, pid)
    with ctx.sessions() as s:
        secret = webhook_secret(get_source(s, "ls"), ctx.settings)
    payload = {
        "action": "ANNOTATION_CREATED",
        "project": {"id": pid},
        "task": {"id": 1, "data": {"text": "x"}, "updated_at": "2026-11-22T00:00:00.000000Z"},
        "annotation": {
            "id": 99,
            "task": 1,
            "completed_by": 1,
            "result": [],
            "updated_at": "2026-11-22T00:00:00.000000Z",
        },
    }
    before = _counts(ctx)
    with TestClient(create_app(ctx)) as api:
        r = api.post("/api/v1/webhooks/label-studio", json=payload)
        assert r.status_code == 401 and r.json()["code"] == "webhook_secret_missing"
        r = api.post(
            "/api/v1/webhooks/label-studio", json=payload, headers={"X-LabelQA-Secret": "wrong"}
        )
        assert r.status_code == 401 and r.json()["code"] == "webhook_secret_wrong"
        r = api.post(
            "/api/v1/webhooks/label-studio",
            json={**payload, "project": {"id": 987654}},
            headers={"X-LabelQA-Secret": secret},
        )
        assert r.status_code == 404 and r.json()["code"] == "unknown_project"
        assert "987654" in r.json()["message"]
        r = api.post(
            "/api/v1/webhooks/label-studio",
            json={"action": "NOPE"},
            headers={"X-LabelQA-Secret": secret},
        )
        assert r.status_code == 422 and r.json()["code"] == "unsupported_webhook_action"
        r = api.post(
            "/api/v1/webhooks/label-studio",
            content=b"{not json",
            headers={"X-LabelQA-Secret": secret},
        )
        assert r.status_code == 422
        r = api.post(
            "/api/v1/webhooks/label-studio",
            json={
                "action": "ANNOTATIONS_DELETED",
                "project": {"id": pid},
                "annotations": [{"no_id": 1}],
            },
            headers={"X-LabelQA-Secret": secret},
        )
        assert r.status_code == 422 and r.json()["code"] == "invalid_webhook"
    assert _counts(ctx) == before
