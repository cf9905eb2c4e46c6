"""The HTTP API against a real Label Studio: auth and roles, error bodies, sources, queues,
labelers, sync runs and paged, filtered annotations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from lqa_helpers import build_project

from connectors.label_studio.client import LabelStudioConnector
from labelqa.api.app import create_app
from labelqa.services.tokens import create_token
from labelqa.store.migrate import head_revision

pytestmark = [pytest.mark.integration]


@pytest.fixture
def api(ctx):
    with TestClient(create_app(ctx)) as client:
        yield client


@pytest.fixture
def tokens(ctx):
    out = {}
    with ctx.sessions() as s:
        for role in ("admin", "qa_analyst", "data_consumer", "vendor_manager"):
            _, out[role] = create_token(s, f"{role}-test", role, actor="test")
        s.commit()
    return out


def auth(tok):
    return {"Authorization": f"Bearer {tok}"}


def test_health_and_openapi_need_no_token(api):
    r = api.get("/api/v1/health")
    assert (
        r.status_code == 200
        and r.json()["status"] == "ok"
        and r.json()["schema"] == head_revision()
    )
    paths = api.get("/openapi.json").json()["paths"]
    for p in (
        "/api/v1/sources",
        "/api/v1/queues",
        "/api/v1/labelers",
        "/api/v1/annotations",
        "/api/v1/sync-runs",
        "/api/v1/sync-runs/{run_id}",
        "/api/v1/webhooks/label-studio",
    ):
        assert p in paths


def test_missing_wrong_and_revoked_tokens_and_roles(api, tokens):
    r = api.get("/api/v1/queues")
    assert r.status_code == 401 and r.json()["code"] == "token_missing"
    r = api.get("/api/v1/queues", headers=auth("lqa_wrong"))
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    r = api.post(
        "/api/v1/sources",
        json={"name": "x", "url": "http://x", "token": "t"},
        headers=auth(tokens["qa_analyst"]),
    )
    assert r.status_code == 403 and "qa_analyst" in r.json()["message"]
    r = api.post(
        "/api/v1/tokens", json={"name": "n", "role": "wizard"}, headers=auth(tokens["admin"])
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_role"
    r = api.post(
        "/api/v1/tokens",
        json={"name": "tmp", "role": "data_consumer"},
        headers=auth(tokens["admin"]),
    )
    assert r.status_code == 201
    new = r.json()
    assert api.get("/api/v1/queues", headers=auth(new["token"])).status_code == 200
    assert (
        api.delete(f"/api/v1/tokens/{new['id']}", headers=auth(tokens["admin"])).status_code == 204
    )
    assert api.get("/api/v1/queues", headers=auth(new["token"])).status_code == 401
    listed = api.get("/api/v1/tokens", headers=auth(tokens["admin"])).json()
    assert all("token" not in t and "token_hash" not in t for t in listed)


def test_request_validation_errors_use_the_error_body(api, tokens):
    r = api.post(
        "/api/v1/sources", json={"name": "", "url": "not a url"}, headers=auth(tokens["admin"])
    )
    assert r.status_code == 422
    body = r.json()
    assert (
        body["code"] == "invalid_request"
        and "url" in body["message"]
        and "token" in body["message"]
    )
    r = api.get("/api/v1/queues/nope", headers=auth(tokens["admin"]))
    assert r.status_code == 404 and r.json()["code"] == "queue_not_found"


def test_sources_queues_sync_and_annotations(api, tokens, ls_server, ctx):
    admin = auth(tokens["admin"])
    r = api.post(
        "/api/v1/sources",
        json={"name": "ls", "url": ls_server.url, "token": ls_server.token},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert ls_server.token not in r.text
    r = api.post(
        "/api/v1/sources",
        json={"name": "ls", "url": ls_server.url, "token": ls_server.token},
        headers=admin,
    )
    assert r.status_code == 409 and r.json()["code"] == "source_exists"
    r = api.post(
        "/api/v1/sources",
        json={"name": "bad", "url": ls_server.url, "token": "0" * 40},
        headers=admin,
    )
    assert r.status_code == 502 and r.json()["code"] == "label_studio_auth"
    assert ls_server.token not in api.get("/api/v1/sources", headers=admin).text

    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=150, n_labelers=6, seed=21)
    r = api.post(
        "/api/v1/queues",
        json={"source": "ls", "project_id": proj.id, "name": "comments"},
        headers=auth(tokens["qa_analyst"]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["classes"] == ["ok", "spam", "abuse", "other"]
    r = api.post("/api/v1/queues", json={"source": "ls", "project_id": 987654}, headers=admin)
    assert r.status_code == 502 and "987654" in r.json()["message"]

    roster = "email,vendor,site,market,start_date\n" + "\n".join(
        f"{e},{'Acme' if i % 2 else 'Zen'},S{i % 2},PH,2026-01-01" for i, e in enumerate(proj.users)
    )
    r = api.post(
        "/api/v1/labelers/roster", content=roster, headers={**admin, "Content-Type": "text/csv"}
    )
    assert r.status_code == 200 and r.json() == {"created": 6, "updated": 0}
    r = api.post("/api/v1/labelers/roster", content="email,vendor\nx,y\n", headers=admin)
    assert r.status_code == 422 and r.json()["code"] == "roster_columns"

    r = api.post(
        "/api/v1/sync-runs", json={"queue": "comments"}, headers=auth(tokens["data_consumer"])
    )
    assert r.status_code == 403
    r = api.post(
        "/api/v1/sync-runs", json={"queue": "comments"}, headers=auth(tokens["qa_analyst"])
    )
    assert r.status_code == 202
    run = api.get(f"/api/v1/sync-runs/{r.json()['id']}", headers=admin).json()
    assert run["status"] == "succeeded" and run["mode"] == "full"
    assert run["counts"]["annotations_created"] == proj.n_annotations

    q = api.get("/api/v1/queues/comments", headers=admin).json()
    assert q["counts"] == {"items": 150, "annotations": proj.n_annotations, "labelers": 6}

    consumer = auth(tokens["data_consumer"])
    page1 = api.get(
        "/api/v1/annotations", params={"queue": "comments", "limit": 100}, headers=consumer
    ).json()
    assert page1["total"] == proj.n_annotations and len(page1["items"]) == 100
    page2 = api.get(
        "/api/v1/annotations",
        params={"queue": "comments", "offset": 100, "limit": 1000},
        headers=consumer,
    ).json()
    ids = [a["ls_annotation_id"] for a in page1["items"] + page2["items"]]
    assert len(ids) == len(set(ids)) == proj.n_annotations
    acme = api.get(
        "/api/v1/annotations", params={"vendor": "Acme", "limit": 1000}, headers=consumer
    ).json()
    zen = api.get(
        "/api/v1/annotations", params={"vendor": "Zen", "limit": 1000}, headers=consumer
    ).json()
    assert acme["total"] + zen["total"] == proj.n_annotations and acme["total"] > 0
    emails = {a["labeler_email"] for a in acme["items"]}
    assert emails == {e for i, e in enumerate(proj.users) if i % 2}
    one = next(iter(proj.users))
    mine = api.get(
        "/api/v1/annotations", params={"labeler": one, "limit": 1000}, headers=consumer
    ).json()
    assert mine["total"] > 0 and {a["labeler_email"] for a in mine["items"]} == {one}
    future = api.get(
        "/api/v1/annotations", params={"since": "2100-01-01T00:00:00Z"}, headers=consumer
    ).json()
    assert future["total"] == 0
