"""Accuracy against peers: each annotation is scored against the majority label of the *other*
labelers on the same item (leave-one-out), so a labeler never votes on their own reference.

Used where no gold exists yet (or to complement gold). Annotations whose item has no other
labeler, or whose peers tie, are not scored; ``n`` counts only scored annotations.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from labelqa.metrics.intervals import ProportionMethod, proportion_interval

__all__ = ["peer_accuracy", "peer_reference"]


def peer_reference(ann: pd.DataFrame) -> pd.Series:
    """Per annotation (same index as ``ann``): the unique majority label of the other labelers
    on its item, or NaN where there is none. ``ann`` needs columns item, labeler, label."""
    for col in ("item", "labeler", "label"):
        if col not in ann.columns:
            raise ValueError(f"peer_reference needs column {col!r}; got {list(ann.columns)}")
    if ann.empty:
        return pd.Series(np.nan, index=ann.index, dtype=object)
    item_idx, _ = pd.factorize(ann["item"])
    label_idx, labels = pd.factorize(ann["label"])
    if (label_idx < 0).any():
        raise ValueError("peer_reference: label must not be missing; drop unlabeled rows first")
    counts = np.zeros((int(item_idx.max()) + 1, len(labels)), dtype=np.int64)
    np.add.at(counts, (item_idx, label_idx), 1)
    others = counts[item_idx]
    others[np.arange(len(ann)), label_idx] -= 1
    best = others.max(axis=1)
    unique_best = (others == best[:, None]).sum(axis=1) == 1
    ok = (best > 0) & unique_best
    ref = pd.Series(np.asarray(labels, dtype=object)[others.argmax(axis=1)], index=ann.index)
    return ref.where(ok, np.nan)


def peer_accuracy(
    ann: pd.DataFrame,
    *,
    by: str | None = None,
    confidence: float = 0.95,
    method: ProportionMethod = "wilson",
) -> pd.DataFrame:
    """Leave-one-out peer accuracy per labeler (or per ``by`` column), with n and interval.

    Returns a DataFrame indexed by labeler (or group) with ``n``, ``correct``, ``accuracy``,
    ``ci_low``, ``ci_high``; groups with no scored annotation are left out.
    """
    key: Hashable = by or "labeler"
    if key not in ann.columns:
        raise ValueError(f"peer_accuracy: no column {key!r}; got {list(ann.columns)}")
    ref = peer_reference(ann)
    scored = ref.notna().to_numpy()
    frame = pd.DataFrame(
        {
            "group": ann[key].to_numpy()[scored],
            "correct": (ann["label"].to_numpy()[scored] == ref.to_numpy()[scored]).astype(int),
        }
    )
    g = frame.groupby("group", sort=True)["correct"].agg(["size", "sum"])
    g.columns = ["n", "correct"]
    lo, hi = proportion_interval(
        g["correct"].to_numpy(), g["n"].to_numpy(), confidence, method=method
    )
    g["accuracy"] = g["correct"] / g["n"]
    g["ci_low"], g["ci_high"] = lo, hi
    g.index.name = key
    return g[["n", "correct", "accuracy", "ci_low", "ci_high"]]
