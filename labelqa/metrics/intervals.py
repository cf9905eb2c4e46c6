"""Confidence intervals: Wilson and Clopper-Pearson for proportions, item bootstrap for agreement.

Proportion intervals are vectorised: ``successes`` and ``n`` may be scalars or arrays of the
same shape. Both intervals always contain the point estimate ``successes / n`` and lie in
[0, 1]. ``n == 0`` is a ValueError (there is no estimate to bracket).

The bootstrap resamples items with replacement. Items whose count vectors are identical
contribute identically to every coefficient here, so resampling N items is done exactly as a
multinomial draw over the distinct count patterns (a few dozen for typical data) instead of
materialising N indices per replicate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "clopper_pearson_interval",
    "proportion_interval",
    "wilson_interval",
]

FloatArray = NDArray[np.float64]
ProportionMethod = Literal["wilson", "clopper-pearson"]


def _z(confidence: float) -> float:
    return float(special.ndtri(0.5 + confidence / 2.0))


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), e.g. 0.95; got {confidence!r}")


def _check_counts(successes: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(successes, dtype=np.float64)
    t = np.asarray(n, dtype=np.float64)
    if x.shape != t.shape:
        x, t = np.broadcast_arrays(x, t)
    if np.any(t <= 0):
        raise ValueError("n must be >= 1 for every proportion (no estimate exists for n = 0)")
    if np.any(x < 0) or np.any(x > t):
        raise ValueError("successes must satisfy 0 <= successes <= n")
    return x, t


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for a binomial proportion.

    ``successes`` and ``n`` are counts (scalars or arrays of one shape); returns (low, high)
    arrays of that shape, proportions in [0, 1].
    """
    _check_confidence(confidence)
    x, t = _check_counts(successes, n)
    return _wilson(x, t, _z(confidence))


def _wilson(x: FloatArray, t: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    p = x / t
    z2 = z * z
    denom = 1.0 + z2 / t
    centre = (p + z2 / (2.0 * t)) / denom
    half = z * np.sqrt(p * (1.0 - p) / t + z2 / (4.0 * t * t)) / denom
    low = np.clip(centre - half, 0.0, 1.0)
    high = np.clip(centre + half, 0.0, 1.0)
    # Guard the exact endpoints against rounding (p = 0 or 1 must be inside).
    return np.minimum(low, p), np.maximum(high, p)


def clopper_pearson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Clopper-Pearson (exact, beta quantile) interval for a binomial proportion.

    Same shapes and units as :func:`wilson_interval`; low is 0 when successes = 0 and high is
    1 when successes = n.
    """
    _check_confidence(confidence)
    x, t = _check_counts(successes, n)
    return _clopper_pearson(x, t, 1.0 - confidence)


def _clopper_pearson(x: FloatArray, t: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        low = special.betaincinv(x, t - x + 1.0, alpha / 2.0)
        high = special.betaincinv(x + 1.0, t - x, 1.0 - alpha / 2.0)
    low = np.where(x == 0, 0.0, low)
    high = np.where(x == t, 1.0, high)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def proportion_interval(
    successes: ArrayLike,
    n: ArrayLike,
    confidence: float = 0.95,
    method: ProportionMethod = "wilson",
) -> tuple[FloatArray, FloatArray]:
    """Interval for proportions by ``method`` ("wilson" or "clopper-pearson"); see those."""
    if method == "wilson":
        return wilson_interval(successes, n, confidence)
    if method == "clopper-pearson":
        return clopper_pearson_interval(successes, n, confidence)
    raise ValueError(f"method must be 'wilson' or 'clopper-pearson'; got {method!r}")


# ---------------------------------------------------------------------------------------------
# Item bootstrap over distinct count patterns.


def count_patterns(rows: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Distinct rows of an (N, K) non-negative int matrix and how often each occurs."""
    if rows.shape[0] == 0:
        return rows, np.zeros(0, dtype=np.int64)
    base = int(rows.max()) + 1
    k = rows.shape[1]
    if k * np.log2(max(base, 2)) < 62:
        radix = base ** np.arange(k, dtype=np.int64)
        keys = rows @ radix
        _, first, freq = np.unique(keys, return_index=True, return_counts=True)
        return rows[first], freq.astype(np.int64)
    patterns, freq = np.unique(rows, axis=0, return_counts=True)
    return patterns, freq.astype(np.int64)


def bootstrap_interval(
    statistic: Callable[[FloatArray], FloatArray],
    freq: NDArray[np.int64],
    estimate: float,
    *,
    n_boot: int,
    confidence: float,
    seed: int | None,
) -> tuple[float, float]:
    """Percentile bootstrap interval resampling items with replacement.

    ``statistic`` maps pattern weights of shape (B, P) to B coefficient values (NaN where the
    coefficient is undefined for that replicate); ``freq`` (P,) are the pattern frequencies of
    the observed items. Undefined replicates are dropped; the interval is widened to contain
    ``estimate`` if the bootstrap distribution lies entirely on one side of it.
    """
    _check_confidence(confidence)
    if n_boot < 10:
        raise ValueError(f"n_boot must be >= 10; got {n_boot}")
    rng = np.random.default_rng(seed)
    total = int(freq.sum())
    probs = freq / total
    block = max(1, min(n_boot, 10_000_000 // max(freq.size, 1)))
    values = []
    for start in range(0, n_boot, block):
        size = min(block, n_boot - start)
        weights = rng.multinomial(total, probs, size=size).astype(np.float64)
        values.append(statistic(weights))
    reps = np.concatenate(values)
    reps = reps[np.isfinite(reps)]
    if reps.size < n_boot / 2:
        raise ValueError(
            "bootstrap failed: the coefficient is undefined in most resamples "
            "(too few items or a single category)"
        )
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(reps, [tail, 1.0 - tail])
    return float(min(low, estimate)), float(max(high, estimate))
