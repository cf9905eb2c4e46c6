"""Read annotations out of the store as the long frame the metrics library takes."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from labelqa.store.models import (
    Annotation,
    GoldCopy,
    Item,
    Labeler,
    Market,
    Site,
    SOPVersion,
    Vendor,
)

__all__ = ["FRAME_COLUMNS", "annotation_frame"]

FRAME_COLUMNS = [
    "annotation",
    "item",
    "labeler",
    "label",
    "labels",
    "label_status",
    "created_at",
    "lead_time",
    "sop_version",
    "vendor",
    "site",
    "market",
]


def annotation_frame(
    session: Session, queue_id: int, *, labeled_only: bool = True, include_gold: bool = False
) -> pd.DataFrame:
    """One row per annotation of the queue: ``item`` (LS task id), ``labeler`` (e-mail or
    ``ls-user-<id>``), ``label`` (multi-choice: the sorted labels joined by ``|``), ``labels``,
    ``label_status``, ``created_at``, ``lead_time`` (s), ``sop_version`` (``key@version`` or
    None), ``vendor``, ``site``, ``market``. ``labeled_only`` drops skipped/empty annotations;
    annotations on hidden gold copies are left out unless ``include_gold``.
    """
    v, s, m = aliased(Vendor), aliased(Site), aliased(Market)
    stmt = (
        select(
            Annotation.ls_annotation_id,
            Item.ls_task_id,
            Labeler.email,
            Annotation.ls_user_id,
            Annotation.labels,
            Annotation.label_status,
            Annotation.created_at,
            Annotation.lead_time,
            SOPVersion.key,
            SOPVersion.version,
            v.name,
            s.name,
            m.name,
        )
        .join(Item, Annotation.item_id == Item.id)
        .outerjoin(Labeler, Annotation.labeler_id == Labeler.id)
        .outerjoin(v, Labeler.vendor_id == v.id)
        .outerjoin(s, Labeler.site_id == s.id)
        .outerjoin(m, Labeler.market_id == m.id)
        .outerjoin(SOPVersion, Annotation.sop_version_id == SOPVersion.id)
        .where(Annotation.queue_id == queue_id)
        .order_by(Annotation.ls_annotation_id)
    )
    if labeled_only:
        stmt = stmt.where(Annotation.label_status.in_(("ok", "unknown_label")))
    if not include_gold:
        gold = select(GoldCopy.ls_task_id).where(GoldCopy.queue_id == queue_id)
        stmt = stmt.where(Item.ls_task_id.not_in(gold))
    rows = []
    for r in session.execute(stmt):
        aid, task, email, uid, labels, status, created, lead, key, ver, vend, site, market = r
        label = "|".join(labels) if labels else None
        sop = f"{key}@{ver}" if key else None
        labeler = email or f"ls-user-{uid}"
        rows.append(
            (aid, task, labeler, label, labels, status, created, lead, sop, vend, site, market)
        )
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)
