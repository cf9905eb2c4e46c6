"""Helpers shared by the integration tests: build LS projects by bulk import, snapshot LS and the
store in one comparable shape, and count every row of the store."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.records import parse_ls_time
from connectors.label_studio.seed import choice_result, create_project, ensure_users, import_tasks
from labelqa.context import AppContext
from labelqa.services.sources import add_queue, add_source
from labelqa.settings import Settings
from labelqa.store.models import Annotation, Base, Item, Queue

SECRET = "test-secret-key-0123456789abcdef"
CLASSES = ["ok", "spam", "abuse", "other"]
CONFIG = (
    '<View><Text name="text" value="$text"/>'
    '<Choices name="label" toName="text" choice="single">'
    + "".join(f'<Choice value="{c}"/>' for c in CLASSES)
    + "</Choices></View>"
)


@dataclass
class Project:
    """An LS project built for a test."""

    conn: LabelStudioConnector
    id: int
    users: dict[str, int]
    n_items: int
    n_annotations: int


def build_project(
    conn: LabelStudioConnector,
    *,
    n_items: int = 2000,
    n_labelers: int = 12,
    per_item: tuple[int, int] = (2, 3),
    seed: int = 0,
    title: str | None = None,
    cancelled_rate: float = 0.02,
    unknown_rate: float = 0.005,
) -> Project:
    """A project of ``n_items`` texts, each annotated by 2-3 of ``n_labelers`` labelers.

    A few annotations are skipped (``was_cancelled``) and a few carry a label the config does
    not have, as real projects do after a config edit.
    """
    rng = random.Random(seed)
    pid = create_project(conn, title or f"test-{seed}-{time.time_ns()}", CONFIG)
    emails = [f"labeler{i:02d}@vendor{i % 3}.example.com" for i in range(n_labelers)]
    users = ensure_users(conn, emails)
    uids = list(users.values())
    tasks, n_ann = [], 0
    for i in range(n_items):
        anns = []
        for uid in rng.sample(uids, rng.randint(*per_item)):
            r = rng.random()
            if r < cancelled_rate:
                anns.append(
                    {"result": [], "was_cancelled": True, "completed_by": uid, "lead_time": 2.0}
                )
            else:
                label = "legacy_class" if r < cancelled_rate + unknown_rate else rng.choice(CLASSES)
                anns.append(
                    {
                        "result": choice_result(label),
                        "completed_by": uid,
                        "lead_time": round(rng.uniform(3, 60), 3),
                    }
                )
        n_ann += len(anns)
        tasks.append({"data": {"text": f"comment {i}: {rng.random():.6f}"}, "annotations": anns})
    import_tasks(conn, pid, tasks)
    return Project(conn, pid, users, n_items, n_ann)


def ls_snapshot(conn: LabelStudioConnector, project_id: int) -> dict[int, tuple[Any, ...]]:
    """annotation id -> (task id, user id, result, cancelled, lead time, updated_at) as LS holds it.

    Read with one whole-project export (independent of the connector's id-range reads).
    """
    r = conn._http.get(
        f"{conn.url}/api/projects/{project_id}/export",
        params={"exportType": "JSON", "download_all_tasks": "true"},
        headers=conn._auth,
        timeout=300,
    )
    r.raise_for_status()
    out = {}
    for t in r.json():
        for a in t["annotations"]:
            out[a["id"]] = (
                t["id"],
                a["completed_by"],
                a["result"],
                a["was_cancelled"],
                a["lead_time"],
                parse_ls_time(a["updated_at"]),
            )
    return out


def ls_task_ids(conn: LabelStudioConnector, project_id: int) -> set[int]:
    """Every task id LS has for the project."""
    return set(conn.list_task_ids(project_id))


def store_snapshot(session: Session, queue: Queue) -> dict[int, tuple[Any, ...]]:
    """The same shape as :func:`ls_snapshot`, read from the store."""
    rows = session.execute(
        select(Annotation, Item.ls_task_id)
        .join(Item, Annotation.item_id == Item.id)
        .where(Annotation.queue_id == queue.id)
    )
    return {
        a.ls_annotation_id: (t, a.ls_user_id, a.result, a.was_cancelled, a.lead_time, a.updated_at)
        for a, t in rows
    }


def row_counts(session: Session) -> dict[str, int]:
    """Rows in every table of the store (to prove a failed operation changed nothing)."""
    return {
        name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in Base.metadata.tables.items()
    }


def bind_queue(
    ctx: AppContext, ls_url: str, ls_token: str, project_id: int, source: str = "ls"
) -> Queue:
    """Add the source (if needed) and bind ``project_id`` as a queue; returns the queue."""
    from labelqa.store.models import Source

    with ctx.sessions() as s:
        if s.scalar(select(Source).where(Source.name == source)) is None:
            add_source(s, ctx.settings, source, ls_url, ls_token, actor="test")
            s.commit()
        with LabelStudioConnector(ls_url, ls_token) as conn:
            q = add_queue(s, ctx.settings, conn, source, project_id, f"q{project_id}", actor="test")
        s.commit()
        return q


def settings_for(url: str) -> Settings:
    """Settings for a test store (short timeouts so a dead LS fails fast)."""
    return Settings(
        env="test",
        database_url=url,
        secret_key=SECRET,
        label_studio_timeout_seconds=30,
        label_studio_retries=1,
        sync_overlap_seconds=2,
    )


def run_cli(
    args: list[str], env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``labelqa ARGS`` in a subprocess with ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "labelqa.cli", *args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
