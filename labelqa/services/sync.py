"""Sync a queue from Label Studio: full (resumable by task-id range) or incremental (watermark).

Full sync reads the project in task-id ranges through LS's export endpoint (the fastest read LS
has), commits each range together with the checkpoint's cursor, and on a restart resumes after
the last committed range. It ends by deleting items LS no longer has (items not seen by this
full run) and setting the watermark to the newest task update LS had when the run started.

Incremental sync lists (id, updated_at) of tasks changed after ``watermark - overlap``, skips the
ones whose ``updated_at`` the store already has, exports only the rest, and advances the
watermark batch by batch. Deleted annotations show up because LS moves the task's
``updated_at``; deleted tasks leave no trace, so when LS counts fewer tasks than the store
holds, the task ids are listed and the missing ones deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.label_studio.client import EXPORT_CHUNK, LabelStudioConnector, ProjectInfo
from connectors.label_studio.label_config import LabelSchema, parse_label_config
from connectors.label_studio.records import TaskRecord
from labelqa.settings import Settings
from labelqa.store.models import Item, Queue, SyncCheckpoint, SyncRun, utcnow
from labelqa.store.repositories import annotations as ann_repo
from labelqa.store.repositories import labelers as lab_repo
from labelqa.store.repositories import sync as sync_repo
from labelqa.store.repositories.annotations import ApplyCounts

__all__ = ["Progress", "SyncReport", "refresh_queue_config", "sync_queue", "sync_users"]

Progress = Callable[[int, int], None]
"""Called with (done, total) tasks as a sync advances."""


@dataclass
class SyncReport:
    """What a sync did: counts, the requests and tasks it cost, and how long it took."""

    queue: str
    mode: str
    run_id: int
    resumed: bool = False
    counts: ApplyCounts = field(default_factory=ApplyCounts)
    tasks_listed: int = 0
    tasks_read: int = 0
    requests: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return {
            "queue": self.queue,
            "mode": self.mode,
            "run_id": self.run_id,
            "resumed": self.resumed,
            **self.counts.as_dict(),
            "tasks_listed": self.tasks_listed,
            "tasks_read": self.tasks_read,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
        }


def sync_users(session: Session, queue: Queue, conn: LabelStudioConnector) -> dict[int, int]:
    """Read LS users and link each to a labeler; returns LS user id -> labeler id."""
    users = conn.list_users()
    return lab_repo.link_accounts(
        session, queue.source_id, [(u.ls_id, u.email, u.name) for u in users]
    )


def refresh_queue_config(session: Session, queue: Queue, project: ProjectInfo) -> LabelSchema:
    """Store the project's current label config on the queue; renormalize labels if it changed."""
    schema = parse_label_config(project.label_config, queue.control_name)
    if project.label_config != queue.label_config:
        queue.label_config = project.label_config
        queue.classes = schema.classes
        queue.choice_type = schema.primary.choice_type if schema.primary else None
        queue.control_name = schema.primary.name if schema.primary else None
        queue.title = project.title
        ann_repo.renormalize(session, queue, schema)
    return schema


def _full(
    session: Session,
    queue: Queue,
    conn: LabelStudioConnector,
    run: SyncRun,
    schema: LabelSchema,
    accounts: dict[int, int],
    report: SyncReport,
    project: ProjectInfo,
    progress: Progress | None,
) -> None:
    cp = sync_repo.checkpoint(session, queue.id)
    if cp.full_cursor is None or cp.full_max_id is None:
        cp.full_watermark = conn.latest_update(queue.project_id)
        # Cover the store's own highest task id too, so items whose tasks were the newest and
        # got deleted are still found missing.
        stored_max = session.scalar(
            select(func.max(Item.ls_task_id)).where(Item.queue_id == queue.id)
        )
        cp.full_max_id = max(conn.max_task_id(queue.project_id), stored_max or 0)
        cp.full_cursor = 0
        cp.full_run_id = run.id
        session.commit()
    else:
        report.resumed = True
    lo = cp.full_cursor + 1
    if cp.full_cursor == 0:
        first = conn.min_task_id(queue.project_id)
        lo = max(lo, first)
    total = project.task_number
    done = count_seen(session, queue.id, cp.full_run_id)
    ranges = [
        list(range(a, min(a + EXPORT_CHUNK, cp.full_max_id + 1)))
        for a in range(lo, cp.full_max_id + 1, EXPORT_CHUNK)
    ]
    for ids, tasks in _prefetched(conn, queue.project_id, ranges):
        report.counts += ann_repo.apply_tasks(
            session, queue, tasks, schema, accounts, run_id=cp.full_run_id
        )
        cp.full_cursor = ids[-1]
        session.commit()  # the batch and the cursor land together
        done += len(tasks)
        if progress:
            progress(done, max(total, done))
    gone = list(
        session.scalars(
            select(Item.ls_task_id).where(
                Item.queue_id == queue.id,
                Item.ls_task_id <= cp.full_max_id,
                (Item.seen_run_id.is_(None)) | (Item.seen_run_id != cp.full_run_id),
            )
        )
    )
    report.counts += ann_repo.delete_items(session, queue, gone)
    if cp.full_watermark is not None and (cp.watermark is None or cp.full_watermark > cp.watermark):
        cp.watermark = cp.full_watermark
    cp.full_cursor = cp.full_max_id = cp.full_run_id = None
    cp.full_watermark = None
    cp.last_full_sync_at = utcnow()
    session.commit()


def _prefetched(
    conn: LabelStudioConnector, project_id: int, id_lists: list[list[int]]
) -> Iterator[tuple[list[int], list[TaskRecord]]]:
    """Export each id list in turn, fetching the next one while the caller writes this one.

    LS serializes in its own process while we write to the store, so a sync costs about the
    export time instead of export + write.
    """
    if not id_lists:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ls-prefetch") as pool:
        pending = pool.submit(conn.export_tasks, project_id, id_lists[0])
        for i, ids in enumerate(id_lists):
            tasks = pending.result()
            if i + 1 < len(id_lists):
                pending = pool.submit(conn.export_tasks, project_id, id_lists[i + 1])
            yield ids, tasks


def count_seen(session: Session, queue_id: int, run_id: int | None) -> int:
    """Items a full run has already seen (for progress after a resume)."""
    if run_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(Item)
            .where(Item.queue_id == queue_id, Item.seen_run_id == run_id)
        )
        or 0
    )


def _apply_changed(
    session: Session,
    queue: Queue,
    conn: LabelStudioConnector,
    changed: list[tuple[int, datetime]],
    schema: LabelSchema,
    accounts: dict[int, int],
    report: SyncReport,
    progress: Progress | None,
) -> None:
    """Export and apply the listed tasks whose ``updated_at`` the store does not have yet."""
    cp = sync_repo.checkpoint(session, queue.id)
    report.tasks_listed += len(changed)
    known: dict[int, Any] = {}
    ids = [t for t, _ in changed]
    for i in range(0, len(ids), 900):
        known.update(
            session.execute(
                select(Item.ls_task_id, Item.updated_at).where(
                    Item.queue_id == queue.id, Item.ls_task_id.in_(ids[i : i + 900])
                )
            ).all()
        )
    todo = [(t, ts) for t, ts in changed if known.get(t) != ts]
    done = 0
    batches = [todo[i : i + EXPORT_CHUNK] for i in range(0, len(todo), EXPORT_CHUNK)]
    fetched = _prefetched(conn, queue.project_id, [[t for t, _ in b] for b in batches])
    for batch, (batch_ids, tasks) in zip(batches, fetched, strict=True):
        got = {t.ls_id for t in tasks}
        vanished = [t for t in batch_ids if t not in got]
        report.counts += ann_repo.apply_tasks(session, queue, tasks, schema, accounts)
        if vanished:
            report.counts += ann_repo.delete_items(session, queue, vanished)
        newest = max(ts for _, ts in batch)
        if cp.watermark is None or newest > cp.watermark:
            cp.watermark = newest
        session.commit()  # the batch and the watermark land together
        done += len(batch)
        if progress:
            progress(done, len(todo))
    if changed and (cp.watermark is None or changed[-1][1] > cp.watermark):
        cp.watermark = changed[-1][1]


def _incremental(
    session: Session,
    queue: Queue,
    conn: LabelStudioConnector,
    schema: LabelSchema,
    accounts: dict[int, int],
    report: SyncReport,
    settings: Settings,
    progress: Progress | None,
) -> None:
    cp = sync_repo.checkpoint(session, queue.id)
    assert cp.watermark is not None
    mark = cp.watermark
    # 1. what changed after the watermark
    changed = conn.changed_tasks(queue.project_id, mark)
    _apply_changed(session, queue, conn, changed, schema, accounts, report, progress)
    # 2. late commits: a task whose update committed after we listed, with an updated_at at or
    #    before the watermark. Compare counts over the overlap window; list it only if they differ.
    low = mark - timedelta(seconds=settings.sync_overlap_seconds)
    ours = session.scalar(
        select(func.count())
        .select_from(Item)
        .where(Item.queue_id == queue.id, Item.updated_at > low, Item.updated_at <= mark)
    )
    if conn.count_changed(queue.project_id, low, mark) != ours:
        late = conn.changed_tasks(queue.project_id, low, mark)
        _apply_changed(session, queue, conn, late, schema, accounts, report, progress)
    # 3. deleted tasks leave no trace to filter on: compare totals, list ids only if they differ
    ls_count = conn.get_project(queue.project_id).task_number
    if ann_repo.count_items(session, queue.id) > ls_count:
        live = set(conn.list_task_ids(queue.project_id))
        report.tasks_listed += len(live)
        stored = session.scalars(select(Item.ls_task_id).where(Item.queue_id == queue.id))
        report.counts += ann_repo.delete_items(session, queue, [t for t in stored if t not in live])
    session.commit()


def sync_queue(
    session: Session,
    queue: Queue,
    conn: LabelStudioConnector,
    settings: Settings,
    *,
    full: bool = False,
    progress: Progress | None = None,
    actor: str = "system",
    run_id: int | None = None,
) -> SyncReport:
    """Bring ``queue`` up to date with its LS project; commits batch by batch.

    A full sync runs when asked, when the queue was never synced, or when an earlier full sync
    was interrupted (it resumes). On failure the run is recorded as failed and the error
    re-raised; everything committed before it stays (and is what a resume builds on).
    """
    t0 = time.perf_counter()
    req0, read0 = conn.requests_made, conn.tasks_read
    cp = session.get(SyncCheckpoint, queue.id)
    fresh = cp is None or cp.watermark is None or cp.full_cursor is not None
    mode = "full" if (full or fresh) else "incremental"
    for stale in session.scalars(
        select(SyncRun).where(
            SyncRun.queue_id == queue.id, SyncRun.status == "running", SyncRun.id != run_id
        )
    ):
        sync_repo.finish_run(session, stale, "interrupted", stale.counts or {}, "superseded")
    run = (
        sync_repo.get_run(session, run_id)
        if run_id
        else sync_repo.start_run(session, queue.id, mode, actor)
    )
    run.mode = mode
    session.commit()
    report = SyncReport(queue=queue.name, mode=mode, run_id=run.id)
    try:
        project = conn.get_project(queue.project_id)
        schema = refresh_queue_config(session, queue, project)
        accounts = sync_users(session, queue, conn)
        session.commit()
        if mode == "full":
            _full(session, queue, conn, run, schema, accounts, report, project, progress)
        else:
            _incremental(session, queue, conn, schema, accounts, report, settings, progress)
    except BaseException as exc:
        session.rollback()
        report.seconds = time.perf_counter() - t0
        run = session.get(SyncRun, run.id) or run
        sync_repo.finish_run(session, run, "failed", report.counts.as_dict(), str(exc)[:2000])
        session.commit()
        raise
    cp = sync_repo.checkpoint(session, queue.id)
    cp.last_sync_at = utcnow()
    report.requests = conn.requests_made - req0
    report.tasks_read = conn.tasks_read - read0
    report.seconds = time.perf_counter() - t0
    sync_repo.finish_run(session, run, "succeeded", report.as_dict())
    session.commit()
    return report
