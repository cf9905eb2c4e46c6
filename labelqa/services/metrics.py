"""Quality reports for a queue: agreement and accuracy, split by SOP version or labeler attributes.

Numbers estimated from samples carry ``n`` and an interval. Labels made under an earlier SOP
version can be expressed in a later version's classes (``in_terms_of``): each label is
translated through the versions' ``label_mapping`` chain; labels with no single target (a split
class) are left out and counted as ``untranslatable``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from labelqa.errors import ValidationError
from labelqa.metrics import krippendorff_alpha, percent_agreement
from labelqa.metrics.peer import peer_accuracy
from labelqa.services._frames import map_unique
from labelqa.services.sops import load_version
from labelqa.sops import LabelTranslator, Untranslatable
from labelqa.store.repositories import sops as sop_repo
from labelqa.store.repositories.frames import annotation_frame
from labelqa.store.repositories.sources import get_queue

__all__ = ["GROUPINGS", "accuracy_report", "agreement_report", "queue_frame"]

GROUPINGS = ("sop_version", "vendor", "site", "market", "labeler")


def _translate(session: Session, frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, int]:
    """Labels of every SOP version expressed in version ``target`` of the same SOP key."""
    keys = {r.split("@")[0] for r in frame["sop_version"].dropna().unique()}
    if len(keys) != 1:
        raise ValidationError(
            f"in_terms_of needs annotations of exactly one SOP; found {sorted(keys) or 'none'}",
            code="invalid_translation",
        )
    key = keys.pop()
    versions = sop_repo.list_versions(session, key)
    if target not in {v.version for v in versions}:
        raise ValidationError(f"{key} has no version {target!r}", code="invalid_translation")
    tr = LabelTranslator([load_version(v) for v in versions])
    untranslatable = object()

    def one(ref: str | None, label: str | None) -> object:
        if ref is None or label is None:
            return None
        res = tr.translate(str(label), ref.split("@")[1], target)
        return untranslatable if isinstance(res, Untranslatable) else res

    out = map_unique(frame, ["sop_version", "label"], one)
    lost = int((out.to_numpy() == untranslatable).sum())
    frame = frame.assign(label=out.where(out.map(lambda v: v is not untranslatable), None))
    return frame[frame["label"].notna()], lost


def queue_frame(
    session: Session,
    queue_name: str,
    *,
    sop_version: str | None = None,
    in_terms_of: str | None = None,
) -> tuple[pd.DataFrame, int]:
    """The queue's labeled annotations (optionally one SOP version, optionally translated)."""
    q = get_queue(session, queue_name)
    frame = annotation_frame(session, q.id)
    if sop_version:
        frame = frame[frame["sop_version"].str.endswith(f"@{sop_version}", na=False)]
    lost = 0
    if in_terms_of:
        frame, lost = _translate(session, frame, in_terms_of)
    return frame, lost


def _check_by(by: str | None) -> None:
    if by is not None and by not in GROUPINGS:
        raise ValidationError(
            f"by must be one of {', '.join(GROUPINGS)}; got {by!r}", code="invalid_by"
        )


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def agreement_report(
    session: Session,
    queue_name: str,
    *,
    by: str | None = "sop_version",
    in_terms_of: str | None = None,
    confidence: float = 0.95,
    n_boot: int = 500,
) -> dict[str, Any]:
    """Krippendorff's alpha (nominal) and percent agreement per group, with bootstrap intervals."""
    _check_by(by)
    frame, lost = queue_frame(session, queue_name, in_terms_of=in_terms_of)
    groups = [(None, frame)] if by is None else list(frame.groupby(by, dropna=False, sort=True))
    rows = []
    for name, g in groups:
        row: dict[str, Any] = {
            "group": None if name is None or (isinstance(name, float) and np.isnan(name)) else name,
            "n_items": int(g["item"].nunique()),
            "n_annotations": len(g),
            "n_labelers": int(g["labeler"].nunique()),
        }
        try:
            a = krippendorff_alpha(
                g[["item", "labeler", "label"]],
                level="nominal",
                ci=True,
                confidence=confidence,
                n_boot=n_boot,
                seed=0,
            )
            p = percent_agreement(
                g[["item", "labeler", "label"]],
                ci=True,
                confidence=confidence,
                n_boot=n_boot,
                seed=0,
            )
            row.update(
                alpha=a.value,
                alpha_ci=[_num(a.ci_low), _num(a.ci_high)],
                n_items_paired=a.n_items,
                percent_agreement=p.value,
                percent_agreement_ci=[_num(p.ci_low), _num(p.ci_high)],
            )
        except ValueError as exc:  # undefined (one labeler, no overlap, one class): say why
            row.update(alpha=None, percent_agreement=None, undefined=str(exc))
        rows.append(row)
    return {
        "queue": queue_name,
        "by": by,
        "confidence": confidence,
        "in_terms_of": in_terms_of,
        "untranslatable": lost,
        "groups": rows,
    }


def accuracy_report(
    session: Session,
    queue_name: str,
    *,
    by: str = "labeler",
    split: str | None = "sop_version",
    reference: str = "peers",
    in_terms_of: str | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Accuracy per ``by`` group (and per ``split``, e.g. SOP version) with n and Wilson CI.

    ``reference="peers"`` scores each annotation against the majority of the other labelers on
    the item (leave-one-out); gold-based accuracy is ``reference="gold"`` once gold items exist.
    """
    _check_by(by)
    _check_by(split)
    if reference not in ("peers", "gold"):
        raise ValidationError(
            f"reference must be 'peers' or 'gold'; got {reference!r}", code="invalid_reference"
        )
    if reference == "gold":
        return _gold_accuracy(session, queue_name, by=by, split=split, confidence=confidence)
    frame, lost = queue_frame(session, queue_name, in_terms_of=in_terms_of)
    parts = (
        [(None, frame)] if split is None else list(frame.groupby(split, dropna=False, sort=True))
    )
    rows = [
        row
        for name, g in parts
        for row in _rows(peer_accuracy(g, by=by, confidence=confidence), by, name)
    ]
    return _report(queue_name, by, split, "peers", confidence, in_terms_of, lost, rows)


def _group_name(name: Any) -> Any:
    return None if name is None or (isinstance(name, float) and np.isnan(name)) else name


def _rows(acc: pd.DataFrame, by: str, split_name: Any) -> list[dict[str, Any]]:
    """Accuracy-frame rows as JSON-ready dicts tagged with their split."""
    return [
        {
            "split": _group_name(split_name),
            by: key,
            "n": int(r["n"]),
            "correct": int(r["correct"]),
            "accuracy": float(r["accuracy"]),
            "ci_low": float(r["ci_low"]),
            "ci_high": float(r["ci_high"]),
        }
        for key, r in acc.iterrows()
    ]


def _report(
    queue: str,
    by: str,
    split: str | None,
    reference: str,
    confidence: float,
    in_terms_of: str | None,
    lost: int,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "queue": queue,
        "by": by,
        "split": split,
        "reference": reference,
        "confidence": confidence,
        "in_terms_of": in_terms_of,
        "untranslatable": lost,
        "rows": rows,
    }


def _gold_accuracy(
    session: Session, queue_name: str, *, by: str, split: str | None, confidence: float
) -> dict[str, Any]:
    from labelqa.metrics import accuracy
    from labelqa.services.gold import gold_frame  # gold builds on this module's frames

    frame = gold_frame(session, queue_name)
    rows: list[dict[str, Any]] = []
    if not frame.empty:
        frame = frame.assign(sop_version=frame["sop_version"].fillna("(none)"))
        parts = [(None, frame)] if split is None else list(frame.groupby(split, sort=True))
        for name, g in parts:
            gold = dict(zip(g["item"], g["gold"], strict=False))
            cols = ["item", "labeler", "label"] + ([by] if by != "labeler" else [])
            acc = accuracy(
                g[cols].fillna({by: "(unknown)"}) if by != "labeler" else g[cols],
                gold,
                by=None if by == "labeler" else by,
                confidence=confidence,
            )
            rows.extend(_rows(acc, by, name))
    return _report(queue_name, by, split, "gold", confidence, None, 0, rows)
