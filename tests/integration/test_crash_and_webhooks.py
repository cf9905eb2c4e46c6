"""Crash safety of sync, and idempotent webhooks replayed from a real Label Studio."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lqa_helpers import (
    CONFIG,
    bind_queue,
    build_project,
    ls_snapshot,
    ls_task_ids,
    settings_for,
    store_snapshot,
)
from sqlalchemy import create_engine, select

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.seed import (
    choice_result,
    create_annotation,
    create_project,
    delete_annotation,
    delete_task,
    ensure_users,
    import_tasks,
    update_annotation,
)
from labelqa.api.app import create_app
from labelqa.context import AppContext
from labelqa.errors import LabelStudioError
from labelqa.services.connect import connector_for
from labelqa.services.sources import register_webhook, webhook_secret
from labelqa.services.sync import sync_queue
from labelqa.store.models import Item, SyncRun, Tombstone
from labelqa.store.repositories.sources import get_queue

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _unique_ids(ctx: AppContext, queue) -> tuple[int, int]:
    with ctx.sessions() as s:
        from labelqa.store.models import Annotation

        ids = list(
            s.scalars(select(Annotation.ls_annotation_id).where(Annotation.queue_id == queue.id))
        )
    return len(ids), len(set(ids))


def test_killed_sync_resumes_without_loss_or_duplicates(ctx, ls_server, cli_env):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=2000, n_labelers=10, seed=11)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, proj.id)
    proc = subprocess.Popen(
        [sys.executable, "-m", "labelqa.cli", "sync", "--queue", queue.name, "--json"],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    engine = create_engine(ctx.settings.database_url)
    deadline = time.monotonic() + 120
    cursor = None
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            with engine.connect() as c:
                cursor = c.exec_driver_sql(
                    f"SELECT full_cursor FROM sync_checkpoints WHERE queue_id = {queue.id}"
                ).scalar()
            if cursor:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "sync finished before it could be killed; test needs more tasks"
        os.kill(proc.pid, signal.SIGKILL)  # mid-run: one batch committed, the rest not
        proc.wait(10)
    finally:
        engine.dispose()
    assert cursor and cursor < max(ls_task_ids(conn, proj.id))
    stored, unique = _unique_ids(ctx, queue)
    assert 0 < stored < proj.n_annotations and stored == unique

    with ctx.sessions() as s:
        q = get_queue(s, queue.name)
        with connector_for(q.source, ctx.settings) as c:
            rep = sync_queue(s, q, c, ctx.settings)
    assert rep.mode == "full" and rep.resumed
    # the resumed run reads only what the killed run had not committed
    assert rep.tasks_read <= 2000 - 900 + 1
    with ctx.sessions() as s:
        assert store_snapshot(s, q) == ls_snapshot(conn, proj.id)
    stored, unique = _unique_ids(ctx, queue)
    assert stored == unique == proj.n_annotations


def test_label_studio_stopping_mid_sync_loses_nothing(ctx, ls_server):
    if not ls_server.pid:
        pytest.fail("this test needs the harness-started Label Studio (unset LABELQA_TEST_LS_URL)")
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=2000, n_labelers=10, seed=12)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, proj.id)
    ctx.settings.label_studio_timeout_seconds = 3
    ctx.settings.label_studio_retries = 0
    paused = []

    def pause_after_first_batch(done: int, total: int) -> None:
        if not paused:
            ls_server.pause()
            paused.append(done)

    try:
        with ctx.sessions() as s:
            q = get_queue(s, queue.name)
            with connector_for(q.source, ctx.settings) as c, pytest.raises(LabelStudioError) as err:
                sync_queue(s, q, c, ctx.settings, progress=pause_after_first_batch)
    finally:
        ls_server.resume()
    assert "timed out" in str(err.value) and ls_server.url in str(err.value)
    with ctx.sessions() as s:
        run = s.scalars(select(SyncRun).where(SyncRun.queue_id == queue.id)).one()
        assert run.status == "failed" and "timed out" in (run.error or "")
    stored, unique = _unique_ids(ctx, queue)
    assert stored == unique and 0 < stored < proj.n_annotations

    ctx.settings.label_studio_timeout_seconds = 30
    with ctx.sessions() as s:
        q = get_queue(s, queue.name)
        with connector_for(q.source, ctx.settings) as c:
            rep = sync_queue(s, q, c, ctx.settings)
        assert rep.resumed
        assert store_snapshot(s, q) == ls_snapshot(conn, proj.id)


class _Capture(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


def _store_state(ctx: AppContext, queue_name: str) -> tuple[Any, ...]:
    with ctx.sessions() as s:
        q = get_queue(s, queue_name)
        items = {
            (i.ls_task_id, json.dumps(i.data, sort_keys=True), i.updated_at)
            for i in s.scalars(select(Item).where(Item.queue_id == q.id))
        }
        tombs = set(s.execute(select(Tombstone.kind, Tombstone.ls_id)).all())
        return store_snapshot(s, q), items, tombs


def test_webhooks_replayed_three_times_shuffled_equal_once(make_store, ls_server):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    pid = create_project(conn, f"webhooks-{time.time_ns()}", CONFIG)
    users = list(ensure_users(conn, [f"wh{i}@vendor.example.com" for i in range(4)]).values())
    ctx_once, ctx_many = (AppContext(settings_for(make_store())) for _ in range(2))
    q_once = bind_queue(ctx_once, ls_server.url, ls_server.token, pid)
    q_many = bind_queue(ctx_many, ls_server.url, ls_server.token, pid)

    _Capture.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with ctx_once.sessions() as s:
            q = get_queue(s, q_once.name)
            register_webhook(
                s,
                ctx_once.settings,
                conn,
                q,
                f"http://127.0.0.1:{server.server_port}",
                actor="test",
            )
            s.commit()
            secret_once = webhook_secret(q.source, ctx_once.settings)
        with ctx_many.sessions() as s:
            secret_many = webhook_secret(get_queue(s, q_many.name).source, ctx_many.settings)

        rng = random.Random(5)
        import_tasks(conn, pid, [{"data": {"text": f"t{i}"}} for i in range(20)])
        task_ids = sorted(ls_task_ids(conn, pid))
        ann_ids = [
            create_annotation(
                conn,
                rng.choice(task_ids),
                choice_result(rng.choice(["ok", "spam"])),
                rng.choice(users),
            )
            for _ in range(30)
        ]
        for aid in ann_ids[:10]:
            update_annotation(conn, aid, choice_result("abuse"))
        for aid in ann_ids[10:15]:
            delete_annotation(conn, aid)
        for tid in task_ids[:2]:
            delete_task(conn, tid)
        time.sleep(1.0)
    finally:
        server.shutdown()
    events = list(_Capture.received)
    actions = {p["action"] for _, p in events}
    assert {
        "TASKS_CREATED",
        "ANNOTATION_CREATED",
        "ANNOTATION_UPDATED",
        "ANNOTATIONS_DELETED",
        "TASKS_DELETED",
    } <= actions
    assert all(h.get("X-LabelQA-Secret") == secret_once for h, _ in events)

    with TestClient(create_app(ctx_once)) as api:
        for _, payload in events:
            r = api.post(
                "/api/v1/webhooks/label-studio",
                json=payload,
                headers={"X-LabelQA-Secret": secret_once},
            )
            assert r.status_code == 200, r.text
    replay = [p for _, p in events] * 3
    random.Random(9).shuffle(replay)
    with TestClient(create_app(ctx_many)) as api:
        for payload in replay:
            r = api.post(
                "/api/v1/webhooks/label-studio",
                json=payload,
                headers={"X-LabelQA-Secret": secret_many},
            )
            assert r.status_code == 200, r.text

    once, many = _store_state(ctx_once, q_once.name), _store_state(ctx_many, q_many.name)
    assert once == many
    # and what the webhooks built is exactly what Label Studio holds
    assert once[0] == ls_snapshot(conn, pid)
    assert {t for t, _, _ in once[1]} == ls_task_ids(conn, pid)
    ctx_once.dispose()
    ctx_many.dispose()
