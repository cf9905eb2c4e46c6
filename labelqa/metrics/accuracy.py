"""Accuracy against gold: per labeler (or any labeler attribute), confusion, per-class report.

``gold`` maps item -> correct label (a Series indexed by item, or a dict). Only annotations on
gold items are scored; annotations on other items are ignored. Results are grouped by
``by``:

- ``None`` (default): by labeler;
- a column name of ``ann`` (e.g. ``"vendor"``, ``"site"``, ``"sop_version"``): by its value on
  each annotation row;
- a Series or dict mapping labeler -> group (labeler attributes kept elsewhere); every scored
  labeler must be in it.

Groups with no scored annotation are absent, so ``n >= 1`` on every row; an ``ann`` with no
annotation on a gold item gives an empty frame with the documented columns.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from labelqa.metrics._frame import EncodedAnnotations, IntArray, _factorize, encode_annotations
from labelqa.metrics.intervals import ProportionMethod, _check_confidence, proportion_interval

__all__ = ["By", "Gold", "accuracy", "class_report", "confusion"]

Gold = pd.Series | Mapping[Hashable, Hashable]
By = str | pd.Series | Mapping[Hashable, Hashable] | None


def _gold_series(gold: Gold) -> pd.Series:
    if isinstance(gold, pd.Series):
        series = gold
    elif isinstance(gold, Mapping):
        series = pd.Series(list(gold.values()), index=pd.Index(list(gold.keys())), dtype=object)
    else:
        raise ValueError(
            f"gold must be a Series indexed by item or a dict item -> label; got {type(gold)}"
        )
    if series.index.has_duplicates:
        dup = list(series.index[series.index.duplicated()][:5])
        raise ValueError(f"gold must have one label per item; duplicated items {dup}")
    if series.isna().any():
        raise ValueError("gold labels must not be missing")
    return series


ALL_ROWS = slice(None)
"""Row selector meaning "every annotation" (indexes like the full row range, without one)."""


def _all(rows: IntArray | slice, enc: EncodedAnnotations) -> bool:
    return isinstance(rows, slice) or rows.size == enc.n_annotations


def _scored(
    enc: EncodedAnnotations, gold_items: pd.Index, gold_codes: IntArray, gold_uniques: pd.Index
) -> tuple[IntArray | slice, IntArray]:
    """Row positions of annotations on gold items and the gold label code of each such row.

    Gold labels not among the annotation categories get codes K, K+1, ... in the order of
    ``_all_categories``.
    """
    cats = enc.categories
    unique_code = cats.get_indexer(gold_uniques)
    extra = unique_code < 0
    unique_code[extra] = len(cats) + np.arange(int(extra.sum()))
    code = unique_code[gold_codes].astype(np.intp)
    row_gold = _gold_lookup_dense(enc, gold_items, code)
    if row_gold is None:
        pos = gold_items.get_indexer(enc.items)
        item_gold = np.where(pos >= 0, code[pos], -1).astype(np.intp)
        row_gold = item_gold[enc.item]
    scored = row_gold >= 0
    if scored.all():  # every annotation is on a gold item: no gather, no row index
        return ALL_ROWS, row_gold
    rows = np.flatnonzero(scored).astype(np.intp)
    return rows, row_gold[rows]


def _as_int64(values: NDArray[Any]) -> NDArray[np.int64] | None:
    if values.dtype.kind == "i" or (values.dtype.kind == "u" and values.dtype.itemsize < 8):
        return values.astype(np.int64, copy=False)
    return None


def _gold_lookup_dense(
    enc: EncodedAnnotations, gold_items: pd.Index, code: IntArray
) -> NDArray[np.signedinteger[Any]] | None:
    """Gold code per annotation row (-1 off gold) straight from integer item ids through a
    table over their range, without encoding items; None unless both sides are integer ids
    spanning a small range."""
    if enc.n_annotations == 0 or not pd.api.types.is_integer_dtype(gold_items.dtype):
        return None
    if not pd.api.types.is_integer_dtype(enc.source["item"].dtype):
        return None
    values = _as_int64(enc.source_column("item"))
    keys = _as_int64(gold_items.to_numpy())
    if values is None or keys is None:
        return None
    lo, hi = int(values.min()), int(values.max())
    limit = max(4 * values.size, 1 << 16)
    if hi - lo + 1 > limit:
        return None
    if lo > 0 and hi + 1 <= limit:
        lo = 0  # index the table by the ids themselves: no subtraction pass
    inside = (keys >= lo) & (keys <= hi)
    # int32: half the page faults of the n-sized gather below (codes are < 2**31 classes)
    table = np.full(hi - lo + 1, -1, dtype=np.int32)
    table[keys[inside] - lo] = code[inside]
    return table[values - lo] if lo else table[values]


def _all_categories(enc: EncodedAnnotations, gold_uniques: pd.Index) -> pd.Index:
    """Annotation categories followed by gold-only labels (in the order ``_scored`` codes them)."""
    extra = gold_uniques[enc.categories.get_indexer(gold_uniques) < 0]
    return enc.categories.append(extra) if len(extra) else enc.categories


def _groups(enc: EncodedAnnotations, by: By, rows: IntArray | slice) -> tuple[IntArray, pd.Index]:
    """Group code per scored row and the group index."""
    if by is None:
        if _all(rows, enc):  # every annotation scored, so every labeler
            return enc.labeler, enc.labelers.rename("labeler")
        codes = enc.labeler[rows]
        used = np.flatnonzero(np.bincount(codes, minlength=enc.n_labelers))
        remap = np.full(enc.n_labelers, -1, dtype=np.intp)
        remap[used] = np.arange(used.size)
        return remap[codes], pd.Index(enc.labelers.take(used), name="labeler")
    if isinstance(by, str):
        values: NDArray[Any] = enc.source_column(by)[rows]
        if pd.isna(values).any():
            raise ValueError(f"column {by!r} must not be missing on scored annotations")
        codes, uniques = pd.factorize(values, sort=True)
        return codes.astype(np.intp), pd.Index(uniques, name=by)
    if isinstance(by, Mapping) and not isinstance(by, pd.Series):
        by = pd.Series(list(by.values()), index=pd.Index(list(by.keys())), dtype=object)
    if not isinstance(by, pd.Series):
        raise ValueError(
            "by must be None, a column name of ann, or a Series/dict labeler -> group; "
            f"got {type(by).__name__}"
        )
    if by.index.has_duplicates:
        raise ValueError("by must map each labeler to one group; duplicated labelers")
    pos = by.index.get_indexer(enc.labelers)
    used = np.flatnonzero(np.bincount(enc.labeler[rows], minlength=enc.n_labelers))
    if np.any(pos[used] < 0) or by.iloc[pos[used]].isna().any():
        missing = list(enc.labelers.take(used[pos[used] < 0])[:5])
        raise ValueError(f"by has no group for labelers {missing}")
    group_codes, uniques = pd.factorize(by.to_numpy(), sort=True)
    per_labeler = np.where(pos >= 0, group_codes[np.maximum(pos, 0)], -1)
    codes = per_labeler[enc.labeler[rows]].astype(np.intp)
    present = np.flatnonzero(np.bincount(codes, minlength=len(uniques)))
    remap = np.full(len(uniques), -1, dtype=np.intp)
    remap[present] = np.arange(present.size)
    name = by.name if by.name is not None else "group"
    return remap[codes], pd.Index(pd.Index(uniques).take(present), name=name)


def _prepare(
    ann: pd.DataFrame | EncodedAnnotations,
    gold: Gold,
    by: By,
    categories: Iterable[Hashable] | None,
) -> tuple[EncodedAnnotations, pd.Index, IntArray | slice, IntArray, IntArray, pd.Index]:
    enc = encode_annotations(ann, categories=categories)
    gold_s = _gold_series(gold)
    gold_codes, gold_uniques = _factorize(gold_s, sort=False)
    if categories is not None:
        bad = gold_uniques[enc.categories.get_indexer(gold_uniques) < 0]
        if len(bad):
            raise ValueError(
                f"gold labels {list(bad[:5])} are not in categories={list(enc.categories)}"
            )
    rows, truth = _scored(enc, gold_s.index, gold_codes, gold_uniques)
    groups, index = _groups(enc, by, rows)
    return enc, gold_uniques, rows, groups, truth, index


def accuracy(
    ann: pd.DataFrame | EncodedAnnotations,
    gold: Gold,
    *,
    by: By = None,
    confidence: float = 0.95,
    method: ProportionMethod = "wilson",
    categories: Iterable[Hashable] | None = None,
) -> pd.DataFrame:
    """Share of annotations on gold items that match gold, per labeler or per ``by`` group.

    Returns a DataFrame indexed by labeler (or group) with ``n`` scored annotations,
    ``correct``, ``accuracy`` = correct / n in [0, 1], and ``ci_low``/``ci_high``, the
    ``method`` ("wilson" or "clopper-pearson") interval at ``confidence``.
    """
    _check_confidence(confidence)
    if method not in ("wilson", "clopper-pearson"):
        raise ValueError(f"method must be 'wilson' or 'clopper-pearson'; got {method!r}")
    enc, _, rows, groups, truth, index = _prepare(ann, gold, by, categories)
    labels = enc.label[rows]
    g = len(index)
    # n and correct per group by two bincounts: no n-sized integer temporary
    n = np.bincount(groups, minlength=g)
    correct = np.rint(np.bincount(groups, weights=labels == truth, minlength=g)).astype(np.int64)
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    if g == 0:
        low = high = np.zeros(0)
    else:
        low, high = proportion_interval(correct, n, confidence, method)
    return pd.DataFrame(
        {
            "n": n.astype(np.int64),
            "correct": correct,
            "accuracy": correct / np.maximum(n, 1),
            "ci_low": low,
            "ci_high": high,
        },
        index=index,
    )


def _confusion_cube(
    enc: EncodedAnnotations,
    rows: IntArray | slice,
    groups: IntArray,
    truth: IntArray,
    g: int,
    k: int,
) -> NDArray[np.int64]:
    flat = (groups * k + truth) * k + enc.label[rows]
    return np.bincount(flat, minlength=g * k * k).reshape(g, k, k)


def confusion(
    ann: pd.DataFrame | EncodedAnnotations,
    gold: Gold,
    *,
    by: By = None,
    categories: Iterable[Hashable] | None = None,
) -> pd.DataFrame:
    """Confusion counts per labeler (or ``by`` group) against gold.

    Returns an int DataFrame with a (labeler-or-group, ``gold``) MultiIndex, one row per gold
    category per group, and one column per labelled category: entry [(g, t), p] counts
    annotations of group g labelled p on items whose gold is t. Shape (G*K, K).
    """
    enc, gold_uniques, rows, groups, truth, index = _prepare(ann, gold, by, categories)
    cats = _all_categories(enc, gold_uniques)
    k, g = len(cats), len(index)
    cube = _confusion_cube(enc, rows, groups, truth, g, k)
    mi = pd.MultiIndex.from_product([index, cats], names=[index.name, "gold"])
    return pd.DataFrame(cube.reshape(g * k, k), index=mi, columns=pd.Index(cats, name="label"))


def class_report(
    ann: pd.DataFrame | EncodedAnnotations,
    gold: Gold,
    *,
    by: By = None,
    categories: Iterable[Hashable] | None = None,
    zero_division: float = np.nan,
) -> pd.DataFrame:
    """Per-class precision, recall and F1 per labeler (or ``by`` group) against gold.

    Returns a DataFrame with a (labeler-or-group, ``category``) MultiIndex and columns
    ``support`` (gold items of the class labelled by the group), ``predicted`` (labels of the
    class given), ``true_positive``, ``precision``, ``recall``, ``f1``. Precision is
    ``zero_division`` (default NaN) when ``predicted == 0``, recall when ``support == 0``, and
    F1 when either of them is undefined (F1 is 0 when both are 0).
    """
    enc, gold_uniques, rows, groups, truth, index = _prepare(ann, gold, by, categories)
    cats = _all_categories(enc, gold_uniques)
    k, g = len(cats), len(index)
    cube = _confusion_cube(enc, rows, groups, truth, g, k)
    tp = np.diagonal(cube, axis1=1, axis2=2).astype(np.float64)
    support = cube.sum(axis=2).astype(np.float64)
    predicted = cube.sum(axis=1).astype(np.float64)

    def ratio(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
        out = np.full(num.shape, float(zero_division))
        np.divide(num, den, out=out, where=den > 0)
        return out

    precision = ratio(tp, predicted)
    recall = ratio(tp, support)
    f1 = ratio(2.0 * tp, support + predicted)
    f1[(predicted == 0) | (support == 0)] = float(zero_division)
    mi = pd.MultiIndex.from_product([index, cats], names=[index.name, "category"])
    return pd.DataFrame(
        {
            "support": support.ravel().astype(np.int64),
            "predicted": predicted.ravel().astype(np.int64),
            "true_positive": tp.ravel().astype(np.int64),
            "precision": precision.ravel(),
            "recall": recall.ravel(),
            "f1": f1.ravel(),
        },
        index=mi,
    )
