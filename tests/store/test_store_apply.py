"""Idempotent application of LS records to the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from connectors.label_studio.label_config import parse_label_config
from connectors.label_studio.records import AnnotationRecord, TaskRecord
from labelqa.security import encrypt
from labelqa.store.models import Annotation, Item, Queue, Source
from labelqa.store.repositories import annotations as repo

CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="label" toName="text">'
    '<Choice value="ok"/><Choice value="spam"/></Choices></View>'
)
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def ann(aid, task, label, minutes=0, user=1):
    return AnnotationRecord(
        ls_id=aid, task_id=task, completed_by=user,
        result=[{"from_name": "label", "type": "choices", "value": {"choices": [label]}}],
        lead_time=4.0, created_at=T0, updated_at=T0 + timedelta(minutes=minutes),
        was_cancelled=False, ground_truth=False,
    )  # fmt: skip


def task(tid, anns=None, minutes=0):
    return TaskRecord(tid, 1, {"text": f"t{tid}"}, {}, T0, T0 + timedelta(minutes=minutes), anns)


@pytest.fixture
def queue(ctx):
    with ctx.sessions() as s:
        src = Source(name="ls", url="http://x", token_encrypted=encrypt("t", "k" * 16),
                     webhook_secret_encrypted=encrypt("w", "k" * 16))  # fmt: skip
        s.add(src)
        s.flush()
        q = Queue(
            name="q", source_id=src.id, project_id=1, label_config=CONFIG, classes=["ok", "spam"]
        )
        s.add(q)
        s.commit()
        return q


def labels(ctx):
    with ctx.sessions() as s:
        return dict(s.execute(select(Annotation.ls_annotation_id, Annotation.label)).all())


def test_sqlite_runs_wal_with_full_sync(ctx, backend):
    if backend != "sqlite":
        return
    with ctx.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_applying_the_same_tasks_twice_changes_nothing(ctx, queue):
    schema = parse_label_config(CONFIG)
    tasks = [task(1, [ann(10, 1, "ok"), ann(11, 1, "spam", user=2)]), task(2, [ann(12, 2, "ok")])]
    with ctx.sessions() as s:
        c1 = repo.apply_tasks(s, queue, tasks, schema, {}, run_id=1)
        s.commit()
        c2 = repo.apply_tasks(s, queue, tasks, schema, {}, run_id=1)
        s.commit()
    assert (c1.items_created, c1.annotations_created) == (2, 3)
    assert c2.as_dict() == {k: 0 for k in c2.as_dict()}
    assert labels(ctx) == {10: "ok", 11: "spam", 12: "ok"}


def test_stale_payloads_never_overwrite_newer_ones(ctx, queue):
    schema = parse_label_config(CONFIG)
    with ctx.sessions() as s:
        repo.apply_tasks(s, queue, [task(1)], schema, {}, authoritative=False)
        item_ids = repo.item_ids(s, queue, [1])
        repo.upsert_annotations(
            s, queue, [ann(10, 1, "spam", minutes=5)], item_ids, schema, {}, authoritative=False
        )
        c = repo.upsert_annotations(
            s, queue, [ann(10, 1, "ok", minutes=1)], item_ids, schema, {}, authoritative=False
        )
        s.commit()
    assert c.annotations_updated == 0
    assert labels(ctx) == {10: "spam"}


def test_tombstones_stop_late_webhooks_but_not_a_sync(ctx, queue):
    schema = parse_label_config(CONFIG)
    with ctx.sessions() as s:
        repo.apply_tasks(s, queue, [task(1, [ann(10, 1, "ok")])], schema, {})
        repo.delete_annotations(s, queue.source_id, [10])
        item_ids = repo.item_ids(s, queue, [1])
        # a late ANNOTATION_UPDATED for the deleted annotation is ignored
        repo.upsert_annotations(
            s, queue, [ann(10, 1, "spam", minutes=9)], item_ids, schema, {}, authoritative=False
        )
        s.commit()
        assert labels(ctx) == {}
        # a sync that reads the annotation from LS is the truth and clears the tombstone
        repo.apply_tasks(
            s, queue, [task(1, [ann(10, 1, "spam", minutes=9)], minutes=9)], schema, {}
        )
        s.commit()
    assert labels(ctx) == {10: "spam"}


def test_a_full_annotation_list_removes_what_ls_no_longer_has(ctx, queue):
    schema = parse_label_config(CONFIG)
    with ctx.sessions() as s:
        repo.apply_tasks(s, queue, [task(1, [ann(10, 1, "ok"), ann(11, 1, "ok")])], schema, {})
        c = repo.apply_tasks(s, queue, [task(1, [ann(11, 1, "ok")], minutes=1)], schema, {})
        s.commit()
        assert c.annotations_deleted == 1
        d = repo.delete_items(s, queue, [1])
        s.commit()
        assert (d.items_deleted, d.annotations_deleted) == (1, 1)
        assert s.scalar(select(Item).where(Item.queue_id == queue.id)) is None
    assert labels(ctx) == {}
