"""Inter-labeler agreement: pairwise Cohen's kappa, Fleiss' kappa, Gwet's AC1, percent and
per-class agreement.

All functions take the long annotation frame (or :class:`EncodedAnnotations`); labeler
identity matters only to :func:`cohen_kappa_pairs`. Items with fewer than two labels carry no
agreement information and are left out (Gwet's AC1 still uses them for category prevalence, as
Gwet defines it).

Undefined cases:

- empty frame, or no item with two or more labels (one labeler, no overlap): ValueError;
- a chance-corrected coefficient whose chance agreement is 1 (a single category among the
  labels used): ValueError from the scalar functions; in :func:`cohen_kappa_pairs` the pair's
  ``kappa`` is NaN (documented there), its ``agreement`` is still defined.

Intervals (``ci=True``) for the scalar coefficients are percentile bootstraps resampling items
(seeded, ``n_boot`` replicates); see :mod:`labelqa.metrics.intervals`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from labelqa.metrics._frame import (
    Counts,
    EncodedAnnotations,
    FloatArray,
    column_square_sums,
    encode_annotations,
    row_square_sums,
    row_sums,
    to_dense,
)
from labelqa.metrics.intervals import (
    _check_confidence,
    _wilson,
    _z,
    bootstrap_interval,
    count_patterns,
)

__all__ = [
    "AgreementResult",
    "cohen_kappa_pairs",
    "fleiss_kappa",
    "gwet_ac1",
    "per_class_agreement",
    "percent_agreement",
]


@dataclass(frozen=True)
class AgreementResult:
    """A scalar agreement coefficient with its support and optional interval.

    ``n_items``: items with at least two labels; ``n_annotations``: labels on those items.
    ``ci_low``/``ci_high``/``confidence`` are None unless ``ci=True`` was asked for.
    ``float(result)`` is the coefficient.
    """

    coefficient: str
    value: float
    n_items: int
    n_annotations: int
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float | None = None

    def __float__(self) -> float:
        return self.value


# ---------------------------------------------------------------------------------------------
# Shared plumbing


def _pairable(enc: EncodedAnnotations, what: str) -> tuple[Counts, FloatArray]:
    """Counts (rows = items with >= 2 labels) and their label totals; ValueError if none."""
    if enc.n_annotations == 0:
        raise ValueError(f"{what}: ann is empty; expected rows with columns item, labeler, label")
    counts = enc.counts  # before item_sizes, which then sums its rows
    sizes = enc.item_sizes
    mask = sizes >= 2
    if not mask.any():
        raise ValueError(
            f"{what} needs at least one item labelled two or more times; got none "
            f"({enc.n_items} items, {enc.n_labelers} labelers)"
        )
    if not mask.all():
        # keep the dense matrix column-major (see EncodedAnnotations.counts)
        counts = counts[mask] if sp.issparse(counts) else counts.T[:, mask].T
    return counts, sizes[mask].astype(np.float64)


def _as_dense_int(counts: Counts) -> NDArray[np.int64]:
    return to_dense(counts).astype(np.int64)


def _scalar(
    name: str,
    counts: Counts,
    core: Callable[[Counts, FloatArray | None], FloatArray],
    undefined: str,
    *,
    ci: bool,
    confidence: float,
    n_boot: int,
    seed: int | None,
) -> AgreementResult:
    """Point estimate of ``core`` over all rows, and its item bootstrap when asked."""
    m = row_sums(counts)
    value = float(core(counts, None)[0])
    if not np.isfinite(value):
        raise ValueError(f"{name} is undefined: {undefined}")
    result = AgreementResult(name, value, int(counts.shape[0]), int(m.sum()))
    if not ci:
        return result
    _check_confidence(confidence)
    patterns, freq = count_patterns(_as_dense_int(counts))
    pat = patterns.astype(np.float64)
    low, high = bootstrap_interval(
        lambda w: core(pat, w),
        freq,
        value,
        n_boot=n_boot,
        confidence=confidence,
        seed=seed,
    )
    return AgreementResult(name, value, result.n_items, result.n_annotations, low, high, confidence)


def _wsum(weights: FloatArray | None, values: Counts | FloatArray) -> FloatArray:
    """``weights @ values``: shape (B,) for values (N,), (B, K) for values (N, K).

    ``weights=None`` is the point estimate (one row of unit weights), computed as a plain sum:
    no BLAS call, whose threads stall on a busy machine.
    """
    if weights is None:
        total = np.asarray(values.sum(axis=0), dtype=np.float64)
        return total.reshape(1, *values.shape[1:])
    return np.asarray(weights @ values, dtype=np.float64)


def _wcount(weights: FloatArray | None, n: int) -> FloatArray:
    """Total weight per replicate, shape (B,)."""
    return np.full(1, float(n)) if weights is None else weights.sum(axis=1)


def _pair_agreement(counts: Counts) -> FloatArray:
    """Per item share of agreeing label pairs, shape (rows,); rows must have >= 2 labels."""
    m = row_sums(counts)
    return (row_square_sums(counts) - m) / (m * (m - 1.0))


def _safe_ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 1e-15)
    return out


# ---------------------------------------------------------------------------------------------
# Fleiss, percent agreement, Gwet


def _fleiss_core(counts: Counts, weights: FloatArray | None) -> FloatArray:
    m = row_sums(counts)
    p_bar = _wsum(weights, _pair_agreement(counts)) / _wcount(weights, counts.shape[0])
    share = _wsum(weights, counts) / _wsum(weights, m)[:, None]
    p_e = (share * share).sum(axis=1)
    return _safe_ratio(p_bar - p_e, 1.0 - p_e)


def fleiss_kappa(
    ann: pd.DataFrame | EncodedAnnotations,
    *,
    categories: Iterable[Hashable] | None = None,
    ci: bool = False,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Fleiss' (1971) kappa over items with at least two labels.

    Items may carry different numbers of labels: observed agreement is the mean over items of
    the share of agreeing label pairs, chance agreement is sum_k p_k^2 with p_k the share of all
    labels in category k; this equals Fleiss (1971) when every item has the same count.
    ValueError when only one category is used (chance agreement 1).
    """
    enc = encode_annotations(ann, categories=categories)
    counts, _ = _pairable(enc, "fleiss_kappa")
    return _scalar(
        "fleiss_kappa",
        counts,
        _fleiss_core,
        "every label is the same category (chance agreement is 1)",
        ci=ci,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
    )


def _percent_core(counts: Counts, weights: FloatArray | None) -> FloatArray:
    return _wsum(weights, _pair_agreement(counts)) / _wcount(weights, counts.shape[0])


def percent_agreement(
    ann: pd.DataFrame | EncodedAnnotations,
    *,
    ci: bool = False,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Mean over items (with >= 2 labels) of the share of label pairs that agree, in [0, 1].

    This is Fleiss' observed agreement P-bar; an item labelled A, A, B scores 1/3.
    """
    enc = encode_annotations(ann)
    counts, _ = _pairable(enc, "percent_agreement")
    return _scalar(
        "percent_agreement",
        counts,
        _percent_core,
        "no pairable labels",
        ci=ci,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
    )


def _gwet_core(counts: Counts, weights: FloatArray | None) -> FloatArray:
    m = row_sums(counts)
    pairable = m >= 2
    per_item = np.zeros_like(m)
    per_item[pairable] = (row_square_sums(counts)[pairable] - m[pairable]) / (
        m[pairable] * (m[pairable] - 1.0)
    )
    p_a = _safe_ratio(_wsum(weights, per_item), _wsum(weights, pairable.astype(np.float64)))
    shares = sp.diags(1.0 / m) @ counts if sp.issparse(counts) else counts / m[:, None]
    pi = _wsum(weights, shares) / _wcount(weights, counts.shape[0])[:, None]
    k = counts.shape[1]
    p_e = (pi * (1.0 - pi)).sum(axis=1) / (k - 1)
    return _safe_ratio(p_a - p_e, 1.0 - p_e)


def gwet_ac1(
    ann: pd.DataFrame | EncodedAnnotations,
    *,
    categories: Iterable[Hashable] | None = None,
    ci: bool = False,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Gwet's AC1 (Gwet 2008, multi-rater form with missing labels), in [-1, 1].

    Observed agreement p_a as in Fleiss over items with >= 2 labels; chance agreement
    p_e = sum_k pi_k (1 - pi_k) / (K - 1), pi_k the mean over all items of the share of the
    item's labels in k. K is ``len(categories)`` when given, else the categories observed;
    ValueError when K < 2. The bootstrap resamples all items.
    """
    enc = encode_annotations(ann, categories=categories)
    _pairable(enc, "gwet_ac1")
    if enc.n_categories < 2:
        raise ValueError(
            "gwet_ac1 needs at least two categories; only one observed "
            f"({list(enc.categories)}); pass categories= to name the others"
        )
    result = _scalar(
        "gwet_ac1",
        enc.counts,
        _gwet_core,
        "no pairable labels",
        ci=ci,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
    )
    pairable = enc.item_sizes >= 2
    return AgreementResult(
        "gwet_ac1",
        result.value,
        int(pairable.sum()),
        int(enc.item_sizes[pairable].sum()),
        result.ci_low,
        result.ci_high,
        result.confidence,
    )


# ---------------------------------------------------------------------------------------------
# Per-class agreement


def per_class_agreement(
    ann: pd.DataFrame | EncodedAnnotations,
    *,
    categories: Iterable[Hashable] | None = None,
) -> pd.DataFrame:
    """Agreement per category, over items with at least two labels.

    Returns a DataFrame indexed by category with columns:

    - ``n``: labels of that category;
    - ``specific_agreement``: the share of a category-k label's pairings (with the other labels
      on its item) that are also k: sum_i n_ik (n_ik - 1) / sum_i n_ik (m_i - 1) (specific
      agreement generalised to many labelers, Uebersax 1982); in [0, 1];
    - ``kappa``: Fleiss' (1971) category kappa 1 - sum_i n_ik (m_i - n_ik) /
      (sum_i m_i (m_i - 1) p_k (1 - p_k)).

    Both are NaN exactly when ``n == 0`` (category unused) and ``kappa`` also when k is the
    only category used (p_k = 1); those rows are kept so every category appears.
    """
    enc = encode_annotations(ann, categories=categories)
    counts, m = _pairable(enc, "per_class_agreement")
    n_k = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
    sq_k = column_square_sums(counts)
    mn_k = np.asarray(counts.T @ m, dtype=np.float64).ravel()
    specific = _safe_ratio(sq_k - n_k, mn_k - n_k)
    p = n_k / m.sum()
    disagree = mn_k - sq_k
    kappa = 1.0 - _safe_ratio(disagree, (m * (m - 1.0)).sum() * p * (1.0 - p))
    kappa[p * (1.0 - p) <= 0] = np.nan
    specific[n_k == 0] = np.nan
    return pd.DataFrame(
        {"n": n_k.astype(np.int64), "specific_agreement": specific, "kappa": kappa},
        index=pd.Index(enc.categories, name="category"),
    )


# ---------------------------------------------------------------------------------------------
# Pairwise Cohen's kappa

_PAIR_COLUMNS = ["labeler_a", "labeler_b", "n", "agreement", "kappa"]
_DENSE_PAIRS = 1 << 25


def cohen_kappa_pairs(
    ann: pd.DataFrame | EncodedAnnotations,
    *,
    min_overlap: int = 1,
    categories: Iterable[Hashable] | None = None,
    ci: bool = False,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cohen's (1960) kappa for every pair of labelers sharing at least ``min_overlap`` items.

    One vectorised pass over all label pairs on shared items. Returns a DataFrame with one row
    per pair (``labeler_a`` sorts before ``labeler_b``): ``n`` shared items, ``agreement``
    (share of shared items labelled alike, in [0, 1]) and ``kappa`` (in [-1, 1]).
    ``kappa`` is NaN exactly when chance agreement is 1 (both labelers used one and the same
    category on every shared item); ``agreement`` is then 1. With ``ci=True``, ``ci_low`` and
    ``ci_high`` are the Wilson interval of ``agreement`` mapped through kappa with chance
    agreement held fixed. No shared items gives an empty frame with these columns.
    ValueError if a labeler labels the same item twice.
    """
    if int(min_overlap) != min_overlap or min_overlap < 1:
        raise ValueError(f"min_overlap must be an integer >= 1; got {min_overlap!r}")
    enc = encode_annotations(ann, categories=categories)
    left, right = enc.pairs
    columns = _PAIR_COLUMNS + (["ci_low", "ci_high"] if ci else [])
    if ci:
        _check_confidence(confidence)
    _, labeler_sorted, label_sorted = enc.sorted_rows
    a = labeler_sorted[left]
    b = labeler_sorted[right]
    la, lb = label_sorted[left], label_sorted[right]
    swap = a > b
    if swap.any():  # orient every pair as (smaller labeler code, larger)
        a, b = np.where(swap, b, a), np.where(swap, a, b)
        la, lb = np.where(swap, lb, la), np.where(swap, la, lb)
    if np.any(a == b):
        dup = int(enc.order[left[a == b][0]])
        raise ValueError(
            "cohen_kappa_pairs needs one label per (item, labeler); labeler "
            f"{enc.labelers[enc.labeler[dup]]!r} labels item {enc.items[enc.item[dup]]!r} "
            "more than once; deduplicate first, e.g. with latest_per_labeler(ann)"
        )
    w, k = enc.n_labelers, enc.n_categories
    key = a.astype(np.int64) * w + b
    if w * w <= _DENSE_PAIRS:
        n_dense = np.bincount(key, minlength=w * w)
        pair_keys = np.flatnonzero(n_dense >= min_overlap)
        lookup = np.full(w * w, -1, dtype=np.intp)
        lookup[pair_keys] = np.arange(pair_keys.size)
        pid = lookup[key]
        n = n_dense[pair_keys]
    else:
        pair_keys, pid, n = np.unique(key, return_inverse=True, return_counts=True)
        keep_pairs = n >= min_overlap
        remap = np.where(keep_pairs, np.cumsum(keep_pairs) - 1, -1)
        pid = remap[pid]
        pair_keys, n = pair_keys[keep_pairs], n[keep_pairs]
    if pair_keys.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    if min_overlap > 1:
        kept = pid >= 0
        pid, la, lb = pid[kept], la[kept], lb[kept]
    n_pairs = pair_keys.size
    agree = np.bincount(pid, weights=(la == lb), minlength=n_pairs)
    marg_a = np.bincount(pid * k + la, minlength=n_pairs * k).reshape(n_pairs, k)
    marg_b = np.bincount(pid * k + lb, minlength=n_pairs * k).reshape(n_pairs, k)
    nf = n.astype(np.float64)
    p_o = agree / nf
    p_e = np.einsum("ij,ij->i", marg_a, marg_b) / (nf * nf)
    kappa = _safe_ratio(p_o - p_e, 1.0 - p_e)
    out = pd.DataFrame(
        {
            "labeler_a": enc.labelers.take(pair_keys // w),
            "labeler_b": enc.labelers.take(pair_keys % w),
            "n": n.astype(np.int64),
            "agreement": p_o,
            "kappa": kappa,
        }
    )
    if ci:
        low, high = _wilson(np.asarray(agree, dtype=np.float64), nf, _z(confidence))
        out["ci_low"] = np.clip(_safe_ratio(low - p_e, 1.0 - p_e), -1.0, 1.0)
        out["ci_high"] = np.clip(_safe_ratio(high - p_e, 1.0 - p_e), -1.0, 1.0)
    return out
