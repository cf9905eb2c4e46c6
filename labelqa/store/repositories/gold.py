"""Gold items, their hidden copies in queues, and the gold answers read back from annotations."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from labelqa.errors import NotFound
from labelqa.store.models import (
    Annotation,
    GoldCopy,
    GoldItem,
    Item,
    Labeler,
    Market,
    Site,
    SOPVersion,
    Vendor,
)

__all__ = [
    "ANSWER_COLUMNS",
    "copies_of_queue",
    "exposure",
    "get_item",
    "gold_answers",
    "items_of_sop",
]

ANSWER_COLUMNS = [
    "annotation",
    "item",
    "gold_item",
    "labeler",
    "label",
    "created_at",
    "sop_version",
    "gold_labels",
    "gold_version",
    "vendor",
    "site",
    "market",
]


def get_item(session: Session, gold_id: int) -> GoldItem:
    """A gold item by id."""
    row = session.get(GoldItem, gold_id)
    if row is None:
        raise NotFound(f"no gold item {gold_id}", code="gold_not_found")
    return row


def items_of_sop(session: Session, key: str, status: str | None = "active") -> list[GoldItem]:
    """Gold items of every version of SOP ``key`` (optionally only one status)."""
    stmt = (
        select(GoldItem)
        .join(SOPVersion, GoldItem.sop_version_id == SOPVersion.id)
        .where(SOPVersion.key == key)
    )
    if status is not None:
        stmt = stmt.where(GoldItem.status == status)
    return list(session.scalars(stmt.order_by(GoldItem.id)))


def copies_of_queue(session: Session, queue_id: int) -> list[GoldCopy]:
    """Every gold copy imported into the queue."""
    return list(session.scalars(select(GoldCopy).where(GoldCopy.queue_id == queue_id)))


def exposure(session: Session, queue_id: int) -> dict[int, tuple[int, set[int]]]:
    """gold item id -> (copies in the queue, labeler ids who annotated any of them)."""
    out: dict[int, tuple[int, set[int]]] = {}
    for gid, n in session.execute(
        select(GoldCopy.gold_item_id, func.count())
        .where(GoldCopy.queue_id == queue_id)
        .group_by(GoldCopy.gold_item_id)
    ):
        out[int(gid)] = (int(n), set())
    rows = session.execute(
        select(GoldCopy.gold_item_id, Annotation.labeler_id)
        .join(Item, (Item.queue_id == GoldCopy.queue_id) & (Item.ls_task_id == GoldCopy.ls_task_id))
        .join(Annotation, Annotation.item_id == Item.id)
        .where(GoldCopy.queue_id == queue_id, Annotation.labeler_id.is_not(None))
    )
    for gid, lab in rows:
        if lab is not None:
            out[int(gid)][1].add(int(lab))
    return out


def gold_answers(session: Session, queue_id: int) -> pd.DataFrame:
    """Every labeled annotation made on a gold copy of the queue, oldest first (ANSWER_COLUMNS).

    ``label``/``gold_labels`` are the sorted labels joined by ``|``; ``sop_version`` is the
    version the annotation was made under, ``gold_version`` the one the gold label belongs to.
    Only gold items in status ``active`` are returned.
    """
    av, gv = aliased(SOPVersion), aliased(SOPVersion)
    v, s, m = aliased(Vendor), aliased(Site), aliased(Market)
    stmt = (
        select(
            Annotation.ls_annotation_id,
            Item.ls_task_id,
            GoldCopy.gold_item_id,
            Labeler.email,
            Annotation.ls_user_id,
            Annotation.labels,
            Annotation.created_at,
            av.version,
            GoldItem.labels,
            gv.version,
            v.name,
            s.name,
            m.name,
        )
        .join(Item, Annotation.item_id == Item.id)
        .join(
            GoldCopy,
            (GoldCopy.queue_id == Annotation.queue_id) & (GoldCopy.ls_task_id == Item.ls_task_id),
        )
        .join(GoldItem, GoldCopy.gold_item_id == GoldItem.id)
        .join(gv, GoldItem.sop_version_id == gv.id)
        .outerjoin(av, Annotation.sop_version_id == av.id)
        .outerjoin(Labeler, Annotation.labeler_id == Labeler.id)
        .outerjoin(v, Labeler.vendor_id == v.id)
        .outerjoin(s, Labeler.site_id == s.id)
        .outerjoin(m, Labeler.market_id == m.id)
        .where(
            Annotation.queue_id == queue_id,
            Annotation.label_status.in_(("ok", "unknown_label")),
            GoldItem.status == "active",
        )
        .order_by(Annotation.created_at, Annotation.ls_annotation_id)
    )
    rows = []
    for r in session.execute(stmt):
        aid, task, gid, email, uid, labels, created, aver, glabels, gver, vend, site, market = r
        rows.append(
            (
                aid,
                task,
                gid,
                email or f"ls-user-{uid}",
                "|".join(sorted(labels)),
                created,
                aver,
                "|".join(sorted(glabels)),
                gver,
                vend,
                site,
                market,
            )
        )
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)
