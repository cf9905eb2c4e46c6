"""A real Label Studio project syncs losslessly, and incremental sync reads only the changes."""

from __future__ import annotations

import random

import pytest
from lqa_helpers import (
    CLASSES,
    bind_queue,
    build_project,
    ls_snapshot,
    ls_task_ids,
    store_snapshot,
)
from sqlalchemy import func, select, text

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.seed import (
    choice_result,
    create_annotation,
    delete_annotation,
    update_annotation,
)
from labelqa.services.connect import connector_for
from labelqa.services.sync import sync_queue
from labelqa.store.models import Annotation, Item, Labeler, LabelerAccount

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _sync(ctx, queue_name, full=False):
    from labelqa.store.repositories.sources import get_queue

    with ctx.sessions() as s:
        q = get_queue(s, queue_name)
        with connector_for(q.source, ctx.settings) as conn:
            return sync_queue(s, q, conn, ctx.settings, full=full)


def test_full_then_incremental_sync_matches_label_studio(ctx, ls_server):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=2000, n_labelers=12, seed=1)
    assert proj.n_annotations >= 5000
    queue = bind_queue(ctx, ls_server.url, ls_server.token, proj.id)

    first = _sync(ctx, queue.name)
    assert first.mode == "full"
    assert first.counts.items_created == 2000
    assert first.counts.annotations_created == proj.n_annotations
    truth = ls_snapshot(conn, proj.id)
    with ctx.sessions() as s:
        assert store_snapshot(s, queue) == truth
        assert set(
            s.scalars(select(Item.ls_task_id).where(Item.queue_id == queue.id))
        ) == ls_task_ids(conn, proj.id)
        # every LS user became a labeler linked through an account
        n_linked = s.scalar(
            select(func.count(func.distinct(Annotation.labeler_id))).where(
                Annotation.queue_id == queue.id, Annotation.labeler_id.is_not(None)
            )
        )
        assert n_linked == 12
        # skipped and unknown-label annotations are stored and marked, not dropped
        statuses = dict(
            s.execute(
                select(Annotation.label_status, func.count())
                .where(Annotation.queue_id == queue.id)
                .group_by(Annotation.label_status)
            ).all()
        )
        assert statuses.get("no_label", 0) > 0 and statuses.get("unknown_label", 0) > 0
        assert (
            s.scalar(
                select(func.count())
                .select_from(Annotation)
                .where(Annotation.queue_id == queue.id, Annotation.label == "legacy_class")
            )
            == statuses["unknown_label"]
        )

    # 100 new, 20 edited, 5 deleted annotations, spread over the project
    rng = random.Random(7)
    task_ids = sorted({v[0] for v in truth.values()})
    uids = list(proj.users.values())
    for tid in rng.sample(task_ids, 100):
        create_annotation(conn, tid, choice_result(rng.choice(CLASSES)), rng.choice(uids))
    live = [aid for aid, v in truth.items() if not v[3]]
    picked = rng.sample(live, 25)
    for aid in picked[:20]:
        update_annotation(conn, aid, choice_result("abuse"))
    for aid in picked[20:]:
        delete_annotation(conn, aid)

    second = _sync(ctx, queue.name)
    assert second.mode == "incremental"
    assert second.counts.annotations_created == 100
    assert second.counts.annotations_updated == 20
    assert second.counts.annotations_deleted == 5
    # only the changed tasks (at most 125) were read, not the 2,000 of the project
    assert second.tasks_read <= 125
    assert second.requests < 20
    truth2 = ls_snapshot(conn, proj.id)
    with ctx.sessions() as s:
        assert store_snapshot(s, queue) == truth2
        edited = s.scalars(
            select(Annotation.label).where(Annotation.ls_annotation_id.in_(picked[:20]))
        ).all()
        assert edited == ["abuse"] * 20

    # a third sync with nothing new changes nothing and reads nothing
    third = _sync(ctx, queue.name)
    assert third.counts.as_dict() == {k: 0 for k in third.counts.as_dict()}
    assert third.tasks_read == 0


def test_task_deletion_is_found_by_incremental_sync(ctx, ls_server):
    from connectors.label_studio.seed import delete_task

    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=60, n_labelers=4, seed=2)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, proj.id)
    _sync(ctx, queue.name)
    gone = sorted(ls_task_ids(conn, proj.id))[-3:]  # the newest tasks, the hardest to notice
    for tid in gone:
        delete_task(conn, tid)
    rep = _sync(ctx, queue.name)
    assert rep.counts.items_deleted == 3
    with ctx.sessions() as s:
        assert store_snapshot(s, queue) == ls_snapshot(conn, proj.id)
        assert set(
            s.scalars(select(Item.ls_task_id).where(Item.queue_id == queue.id))
        ) == ls_task_ids(conn, proj.id)
    # a full resync agrees and changes nothing
    rep = _sync(ctx, queue.name, full=True)
    assert rep.counts.items_deleted == 0 and rep.counts.annotations_created == 0


def test_labelers_link_to_roster_by_email(ctx, ls_server):
    from labelqa.services.roster import import_roster

    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=30, n_labelers=3, seed=3)
    emails = list(proj.users)
    roster = "email,vendor,site,market,start_date\n" + "\n".join(
        f"{e},Acme BPO,Manila,PH,2026-01-0{i + 1}" for i, e in enumerate(emails)
    )
    with ctx.sessions() as s:
        import_roster(s, roster, actor="test")
        s.commit()
    queue = bind_queue(ctx, ls_server.url, ls_server.token, proj.id)
    _sync(ctx, queue.name)
    with ctx.sessions() as s:
        labs = {
            lab.email: lab for lab in s.scalars(select(Labeler).where(Labeler.email.in_(emails)))
        }
        assert len(labs) == 3 and all(
            lab.vendor and lab.vendor.name == "Acme BPO" for lab in labs.values()
        )
        accounts = s.scalars(select(LabelerAccount).where(LabelerAccount.email.in_(emails))).all()
        assert {a.labeler_id for a in accounts} == {lab.id for lab in labs.values()}


def test_a_task_missed_by_an_earlier_listing_is_found_by_the_overlap_check(ctx, ls_server):
    """A task whose update committed late (updated_at before the watermark) is not lost."""
    from labelqa.store.repositories import annotations as ann_repo
    from labelqa.store.repositories.sources import get_queue

    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=40, n_labelers=3, seed=4)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, proj.id)
    _sync(ctx, queue.name)
    # Simulate the late commit: the store lacks a task LS has, with an updated_at inside the
    # overlap window (it was imported seconds ago) and at or before the watermark.
    missing = sorted(ls_task_ids(conn, proj.id))[5]
    with ctx.sessions() as s:
        q = get_queue(s, queue.name)
        ann_repo.delete_items(s, q, [missing])
        s.execute(text("DELETE FROM tombstones"))
        s.commit()
    rep = _sync(ctx, queue.name)
    assert rep.mode == "incremental" and rep.counts.items_created == 1
    assert rep.tasks_read == 1
    with ctx.sessions() as s:
        assert store_snapshot(s, queue) == ls_snapshot(conn, proj.id)
