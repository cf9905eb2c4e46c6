"""The dashboard overview in a real headless Chromium, served by uvicorn on a populated store."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from labelqa.api.app import create_app
from labelqa.context import AppContext
from labelqa.security import encrypt
from labelqa.store.models import Annotation, Item, Labeler, Queue, Source, SyncCheckpoint
from labelqa.store.repositories.labelers import RosterEntry, apply_roster
from labelqa.store.repositories.overview import labeler_breakdown, queue_overview

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking"]  # fmt: skip
SYNCED = datetime(2024, 6, 3, 14, 5, tzinfo=UTC)

# queue name -> (items, annotations per item, skipped annotations, labelers used)
QUEUES = {"marketplace-listings": (40, 3, 2, 5), "comments-harassment": (25, 2, 1, 4)}
ROSTER = [
    RosterEntry(f"w{i}@{vendor.split()[0].lower()}.example.com", vendor, site, market,
                date(2024, 1, 2))
    for i, (vendor, site, market) in enumerate(
        [("Northwind BPO", "Manila", "en-US")] * 3
        + [("Northwind BPO", "Cebu", "de-DE")] * 2
        + [("Bluepeak Solutions", "Nairobi", "pt-BR")] * 2
    )
]  # fmt: skip


def populate(ctx: AppContext) -> None:
    """Two queues, a roster of 7 labelers in 3 groups, items and annotations, via the ORM."""
    secret = ctx.settings.secret_key
    with ctx.sessions() as s:
        apply_roster(s, ROSTER)
        labelers = list(s.query(Labeler).order_by(Labeler.email))
        src = Source(name="ls-main", url="http://ls.invalid",
                     token_encrypted=encrypt("t" * 40, secret),
                     webhook_secret_encrypted=encrypt("w", secret))  # fmt: skip
        s.add(src)
        s.flush()
        ann_id = 0
        for pid, (name, (n_items, per_item, skipped, n_labelers)) in enumerate(QUEUES.items(), 1):
            q = Queue(name=name, source_id=src.id, project_id=pid, title=name.title(),
                      classes=["a", "b", "c"], control_name="label",
                      choice_type="single")  # fmt: skip
            s.add(q)
            s.flush()
            if name == "marketplace-listings":
                s.add(SyncCheckpoint(queue_id=q.id, last_sync_at=SYNCED))
            for t in range(n_items):
                item = Item(queue_id=q.id, ls_task_id=1000 * pid + t, data={"text": f"item {t}"})
                s.add(item)
                s.flush()
                for k in range(per_item):
                    ann_id += 1
                    lab = labelers[(t + k) % n_labelers]
                    cancelled = ann_id <= skipped if pid == 1 else ann_id == 121
                    s.add(Annotation(
                        source_id=src.id, ls_annotation_id=ann_id, queue_id=q.id, item_id=item.id,
                        ls_user_id=lab.id, labeler_id=lab.id, label=None if cancelled else "a",
                        labels=[] if cancelled else ["a"], was_cancelled=cancelled, lead_time=4.0,
                        created_at=SYNCED - timedelta(hours=1),
                        updated_at=SYNCED - timedelta(hours=1),
                    ))  # fmt: skip
        s.commit()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(ctx: AppContext) -> Iterator[str]:
    """uvicorn serving ``create_app(ctx)`` in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def served(ctx: AppContext) -> Iterator[str]:
    """The populated store, served."""
    populate(ctx)
    with serve(ctx) as url:
        yield url


def test_overview_repository_counts(ctx: AppContext) -> None:
    populate(ctx)
    with ctx.sessions() as s:
        queues = {q.name: q for q in queue_overview(s)}
        groups = labeler_breakdown(s)
    listings = queues["marketplace-listings"]
    assert (listings.items, listings.annotations, listings.skipped, listings.labelers) == (
        40,
        120,
        2,
        5,
    )
    assert listings.last_sync_at == SYNCED and listings.source == "ls-main"
    comments = queues["comments-harassment"]
    assert (comments.items, comments.annotations, comments.skipped, comments.labelers) == (
        25,
        50,
        1,
        4,
    )
    assert comments.last_sync_at is None
    by_group = {(g.vendor, g.site, g.market): (g.labelers, g.annotations) for g in groups}
    assert set(by_group) == {
        ("Bluepeak Solutions", "Nairobi", "pt-BR"),
        ("Northwind BPO", "Cebu", "de-DE"),
        ("Northwind BPO", "Manila", "en-US"),
    }
    assert sum(n for n, _ in by_group.values()) == 7
    assert sum(a for _, a in by_group.values()) == 170


def test_overview_page_escapes_names_and_handles_an_empty_store(ctx: AppContext) -> None:
    client = TestClient(create_app(ctx))
    r = client.get("/")
    assert r.status_code == 200 and "No queues yet" in r.text
    with ctx.sessions() as s:
        src = Source(name="<b>src</b>", url="http://x.invalid", token_encrypted="x",
                     webhook_secret_encrypted="x")  # fmt: skip
        s.add(src)
        s.flush()
        s.add(Queue(name="<script>alert(1)</script>", source_id=src.id, project_id=1))
        s.commit()
    r = client.get("/")
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert client.get("/static/labelqa.css").status_code == 200


@pytest.mark.browser
def test_dashboard_overview_in_chromium(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shot = tmp_path / "overview.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            response = page.goto(served + "/")
            assert response is not None and response.status == 200
            assert page.title() == "Overview · LabelQA"
            listings = page.locator('#queues tr[data-queue="marketplace-listings"]')
            comments = page.locator('#queues tr[data-queue="comments-harassment"]')
            assert listings.locator(".name").inner_text() == "marketplace-listings"
            assert listings.locator(".items").inner_text() == "40"
            assert listings.locator(".annotations").inner_text() == "120"
            assert listings.locator(".skipped").inner_text() == "2"
            assert listings.locator(".labelers").inner_text() == "5"
            assert "2024-06-03 14:05 UTC" in listings.inner_text()
            assert comments.locator(".items").inner_text() == "25"
            assert comments.locator(".annotations").inner_text() == "50"
            assert "never" in comments.inner_text()
            assert page.locator("#total-items").inner_text() == "65"
            assert page.locator("#total-annotations").inner_text() == "170"
            assert page.locator("#total-labelers").inner_text() == "7"
            vendors = page.locator("#vendors").inner_text()
            assert "Northwind BPO" in vendors and "Bluepeak Solutions" in vendors
            assert page.locator("#labeler-groups tbody tr").count() == 3
            # the vendored stylesheet loaded (no CDN): the header bar is styled
            bg = page.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor")
            assert bg == "rgb(29, 35, 48)"
            assert page.locator('a[href="/docs"]').first.is_visible()
            assert page.locator('a[href="/openapi.json"]').first.is_visible()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
