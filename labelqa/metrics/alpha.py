"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, missing labels allowed.

Follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): a coincidence
matrix o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1) over units (items) with m_u >= 2
labels, marginals n_c, and alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck with the squared
difference d of the level of measurement. Units labelled once are not pairable and ignored.

Order and values of categories: numeric labels are ordered (and, for interval and ratio,
valued) by their numbers; other labels take their order from ``categories=`` (or an ordered
Categorical), and cannot be used at the interval or ratio level.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Literal

import numpy as np
import pandas as pd

from labelqa.metrics._frame import (
    Counts,
    EncodedAnnotations,
    FloatArray,
    encode_annotations,
    row_sums,
    to_dense,
    weighted_column_sums,
    weighted_gram,
)
from labelqa.metrics.agreement import AgreementResult, _pairable, _scalar

__all__ = ["Level", "krippendorff_alpha"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _coincidences(counts: Counts, weights: FloatArray) -> FloatArray:
    """Coincidence matrices, shape (B, K, K), for B row weightings of shape (B, rows)."""
    m = row_sums(counts)
    scaled = weights / (m - 1.0)
    k = counts.shape[1]
    if weights.shape[0] == 1:
        w = scaled[0]
        gram = weighted_gram(counts, w) - np.diag(weighted_column_sums(counts, w))
        return gram.reshape(1, k, k)
    dense = to_dense(counts)
    out = np.einsum("bp,pk,pl->bkl", scaled, dense, dense)
    diag = scaled @ dense
    idx = np.arange(k)
    out[:, idx, idx] -= diag
    return np.asarray(out)


def _delta(level: str, marginals: FloatArray, values: FloatArray) -> FloatArray:
    """Squared differences d_ck, shape (B, K, K) (ordinal depends on the marginals)."""
    k = marginals.shape[1]
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(k), (marginals.shape[0], k, k))
    if level == "ordinal":
        cum = np.cumsum(marginals, axis=1)
        lo = np.minimum.outer(np.arange(k), np.arange(k))
        hi = np.maximum.outer(np.arange(k), np.arange(k))
        # sum_{g=lo}^{hi} n_g - (n_c + n_k) / 2
        between = cum[:, hi] - cum[:, lo] + marginals[:, lo]
        half = (marginals[:, :, None] + marginals[:, None, :]) / 2.0
        return np.asarray((between - half) ** 2)
    diff = values[:, None] - values[None, :]
    if level == "interval":
        d = diff**2
    else:  # ratio
        total = values[:, None] + values[None, :]
        d = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0) ** 2
    return np.broadcast_to(d, (marginals.shape[0], k, k))


def _alpha_core(
    level: str, values: FloatArray
) -> Callable[[Counts, FloatArray | None], FloatArray]:
    def core(counts: Counts, weights: FloatArray | None) -> FloatArray:
        if weights is None:  # the point estimate: unit weights
            weights = np.ones((1, counts.shape[0]))
        o = _coincidences(counts, weights)
        n_c = o.sum(axis=2)
        n = n_c.sum(axis=1)
        d = _delta(level, n_c, values)
        observed = np.einsum("bkl,bkl->b", o, d)
        expected = np.einsum("bk,bl,bkl->b", n_c, n_c, d)
        out = np.full(n.shape, np.nan)
        ok = expected > 1e-12 * np.maximum(n * n, 1.0)
        out[ok] = 1.0 - (n[ok] - 1.0) * observed[ok] / expected[ok]
        return out

    return core


def krippendorff_alpha(
    ann: pd.DataFrame | EncodedAnnotations,
    *,
    level: Level = "nominal",
    categories: Iterable[Hashable] | None = None,
    ci: bool = False,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Krippendorff's alpha at ``level`` ("nominal", "ordinal", "interval" or "ratio").

    Missing labels are simply absent rows. Returns an :class:`AgreementResult` (alpha <= 1;
    ``n_annotations`` is the number of pairable values n). ValueError when no item has two
    labels, when only one value is used (expected disagreement 0), for ordinal labels without
    an order, and for non-numeric (or, at ratio level, negative) labels at interval/ratio level.
    ``ci=True`` adds a percentile bootstrap over items with >= 2 labels.
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {list(_LEVELS)}; got {level!r}")
    enc = encode_annotations(ann, categories=categories)
    if level == "ordinal" and not enc.ordered:
        raise ValueError(
            "level='ordinal' needs ordered labels: numeric labels, categories= in order, "
            f"or an ordered Categorical; got unordered labels {list(enc.categories[:5])}"
        )
    values = np.zeros(enc.n_categories)
    if level in ("interval", "ratio"):
        if not enc.numeric:
            raise ValueError(
                f"level={level!r} needs numeric labels; got {list(enc.categories[:5])}"
            )
        values = enc.categories.to_numpy(dtype=np.float64)
        if level == "ratio" and np.any(values < 0):
            raise ValueError("level='ratio' needs non-negative labels")
    counts, _ = _pairable(enc, "krippendorff_alpha")
    return _scalar(
        "krippendorff_alpha",
        counts,
        _alpha_core(level, values),
        "only one value is used (expected disagreement is 0)",
        ci=ci,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
    )
