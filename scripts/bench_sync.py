#!/usr/bin/env python3
"""Benchmark: LabelQA sync throughput vs the same Label Studio server's raw export, same run.

Builds a project of ``--tasks`` tasks with ``--annotations`` annotations in a real Label Studio
(started by scripts/ls_harness.py unless LABELQA_TEST_LS_URL/TOKEN point at one), then times:

1. raw export: one ``GET /api/projects/{id}/export`` of the whole project (the fastest read LS
   offers), annotations per second;
2. LabelQA's initial (full) sync into a fresh store, annotations per second, and the ratio;
3. 100 changes (60 new, 30 edited, 10 deleted annotations) made right after, then an
   incremental sync: seconds, tasks listed and read, requests made.

Targets (issue 2): initial sync >= 0.8x the raw export rate; incremental of 100 changes in a
20k-annotation project < 3 s. Usage: ``python scripts/bench_sync.py [--tasks 10000]
[--annotations 20000] [--store sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import ls_harness  # noqa: E402
import pg_harness  # noqa: E402

from connectors.label_studio.client import LabelStudioConnector  # noqa: E402
from connectors.label_studio.seed import (  # noqa: E402
    choice_result,
    create_annotation,
    create_project,
    delete_annotation,
    ensure_users,
    import_tasks,
    update_annotation,
)
from labelqa.context import AppContext  # noqa: E402
from labelqa.services.connect import connector_for  # noqa: E402
from labelqa.services.sources import add_queue, add_source  # noqa: E402
from labelqa.services.sync import sync_queue  # noqa: E402
from labelqa.settings import Settings  # noqa: E402
from labelqa.store.db import make_engine  # noqa: E402
from labelqa.store.migrate import upgrade  # noqa: E402
from labelqa.store.repositories.sources import get_queue  # noqa: E402

CLASSES = ["ok", "spam", "abuse", "other"]
CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="label" toName="text">'
    + "".join(f'<Choice value="{c}"/>' for c in CLASSES)
    + "</Choices></View>"
)


def log(msg: str) -> None:
    print(msg, flush=True)


def build(
    conn: LabelStudioConnector, n_tasks: int, n_ann: int, rng: random.Random
) -> tuple[int, list[int]]:
    pid = create_project(conn, f"bench-{time.time_ns()}", CONFIG)
    uids = list(ensure_users(conn, [f"bench{i}@vendor.example.com" for i in range(20)]).values())
    per = [n_ann // n_tasks + (1 if i < n_ann % n_tasks else 0) for i in range(n_tasks)]
    tasks = [
        {
            "data": {"text": f"bench item {i} {rng.random():.8f}"},
            "annotations": [
                {"result": choice_result(rng.choice(CLASSES)), "completed_by": u, "lead_time": 5.0}
                for u in rng.sample(uids, k)
            ],
        }
        for i, k in enumerate(per)
    ]
    import_tasks(conn, pid, tasks, batch=5000)
    return pid, uids


def raw_export(conn: LabelStudioConnector, pid: int) -> tuple[int, float]:
    t0 = time.perf_counter()
    r = conn._http.get(
        f"{conn.url}/api/projects/{pid}/export",
        params={"exportType": "JSON", "download_all_tasks": "true"},
        headers=conn._auth,
        timeout=600,
    )
    r.raise_for_status()
    n = sum(len(t["annotations"]) for t in r.json())
    return n, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--annotations", type=int, default=20_000)
    ap.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--overlap", type=float, default=Settings(_env_file=None).sync_overlap_seconds)
    a = ap.parse_args()
    rng = random.Random(0)
    server = None
    pg = None
    url = os.environ.get("LABELQA_TEST_LS_URL")
    if url:
        token = os.environ["LABELQA_TEST_LS_TOKEN"]
    else:
        log("starting Label Studio ...")
        server = ls_harness.start()
        url, token = server.url, server.token
    tmp = tempfile.mkdtemp(prefix="labelqa-bench-")
    try:
        conn = LabelStudioConnector(url, token, timeout=600)
        log(f"building a project: {a.tasks} tasks, {a.annotations} annotations (bulk import) ...")
        t0 = time.perf_counter()
        pid, uids = build(conn, a.tasks, a.annotations, rng)
        log(f"  built in {time.perf_counter() - t0:.1f} s")

        exports = [raw_export(conn, pid) for _ in range(2)]
        n_raw, t_raw = min(exports, key=lambda e: e[1])
        raw_rate = n_raw / t_raw

        if a.store == "sqlite":
            db_url = f"sqlite:///{tmp}/bench.db"
        else:
            pg = pg_harness.start()
            db_url = pg.url
        engine = make_engine(db_url)
        upgrade(engine)
        engine.dispose()
        settings = Settings(
            env="test", database_url=db_url, secret_key="bench-secret-key-0123456789",
            sync_overlap_seconds=a.overlap, label_studio_timeout_seconds=600,
        )  # fmt: skip
        ctx = AppContext(settings)
        with ctx.sessions() as s:
            add_source(s, settings, "ls", url, token, actor="bench")
            add_queue(s, settings, conn, "ls", pid, "bench", actor="bench")
            s.commit()
            q = get_queue(s, "bench")
            with connector_for(q.source, settings) as c:
                rep = sync_queue(s, q, c, settings)
        sync_rate = rep.counts.annotations_created / rep.seconds
        assert rep.counts.annotations_created == n_raw, "sync and export disagree"

        log("making 100 changes: 60 new, 30 edited, 10 deleted annotations ...")
        tasks = conn.export_tasks(pid, conn.list_task_ids(pid))
        ann_ids = [x.ls_id for t in tasks for x in t.annotations or []]
        for t in rng.sample(tasks, 60):
            create_annotation(conn, t.ls_id, choice_result("spam"), rng.choice(uids))
        picked = rng.sample(ann_ids, 40)
        for aid in picked[:30]:
            update_annotation(conn, aid, choice_result("abuse"))
        for aid in picked[30:]:
            delete_annotation(conn, aid)
        with ctx.sessions() as s:
            q = get_queue(s, "bench")
            with connector_for(q.source, settings) as c:
                inc = sync_queue(s, q, c, settings)
        ctx.dispose()
        ch = inc.counts
        assert (ch.annotations_created, ch.annotations_updated, ch.annotations_deleted) == (
            60,
            30,
            10,
        )

        log("")
        log(f"store: {a.store}; project: {a.tasks} tasks, {n_raw} annotations")
        log("| measure | value |")
        log("|---|---|")
        log(f"| LS raw export (whole project) | {t_raw:.2f} s, {raw_rate:,.0f} annotations/s |")
        log(
            f"| LabelQA initial sync | {rep.seconds:.2f} s, {sync_rate:,.0f} annotations/s, "
            f"{rep.requests} requests |"
        )
        log(f"| ratio sync / raw export | {sync_rate / raw_rate:.2f}x (target >= 0.8x) |")
        log(f"| incremental sync, 100 changes | {inc.seconds:.2f} s, {inc.tasks_read} tasks read, "
            f"{inc.tasks_listed} listed, {inc.requests} requests (target < 3 s) |")  # fmt: skip
        ok = sync_rate / raw_rate >= 0.8 and inc.seconds < 3
        log(f"targets {'met' if ok else 'NOT met'}")
        return 0
    finally:
        if server:
            server.stop()
        if pg:
            pg.stop()


if __name__ == "__main__":
    raise SystemExit(main())
