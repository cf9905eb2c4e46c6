"""Audit sampling: sample size for a target margin, margin of error, stratified samples.

Sizes use the normal approximation for a proportion with Cochran's finite-population
correction: n0 = z^2 p (1 - p) / e^2 and n = ceil(n0 / (1 + (n0 - 1) / N)), which is the exact
inverse of :func:`margin_of_error` with ``population=N``, so the margin at the returned size
never exceeds the target.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from labelqa.metrics.intervals import _check_confidence, _z

__all__ = ["audit_sample_size", "margin_of_error", "stratified_sample"]


def _check_rate(rate: float, name: str) -> None:
    if not 0.0 < rate < 1.0:
        raise ValueError(f"{name} must be in (0, 1); got {rate!r} (use 0.5 for the worst case)")


def audit_sample_size(
    population: int,
    margin: float,
    confidence: float = 0.95,
    expected_rate: float = 0.5,
) -> int:
    """Items to audit so a rate's interval half-width is at most ``margin``.

    ``population``: items in the lot (N >= 1); ``margin``: half-width as a proportion in
    (0, 1), e.g. 0.03; ``expected_rate`` in (0, 1), 0.5 is the worst case. Returns an int in
    [1, population], with the finite-population correction.
    """
    if int(population) != population or population < 1:
        raise ValueError(f"population must be an integer >= 1; got {population!r}")
    if not 0.0 < margin < 1.0:
        raise ValueError(f"margin must be in (0, 1), e.g. 0.03; got {margin!r}")
    _check_confidence(confidence)
    _check_rate(expected_rate, "expected_rate")
    z = _z(confidence)
    n0 = z * z * expected_rate * (1.0 - expected_rate) / (margin * margin)
    n = n0 / (1.0 + (n0 - 1.0) / population)
    # Guard against float noise pushing an exact integer up by one.
    size = math.ceil(n - 1e-9)
    return int(min(max(size, 1), population))


def margin_of_error(
    n: int,
    rate: float,
    confidence: float = 0.95,
    population: int | None = None,
) -> float:
    """Half-width of the normal-approximation interval for a rate estimated from ``n`` items.

    ``rate`` in [0, 1]; with ``population`` (N >= n) the finite-population correction
    sqrt((N - n) / (N - 1)) applies, and a census (n == N) has margin 0.
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be an integer >= 1; got {n!r}")
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must be in [0, 1]; got {rate!r}")
    _check_confidence(confidence)
    fpc = 1.0
    if population is not None:
        if int(population) != population or population < n:
            raise ValueError(f"population must be an integer >= n = {n}; got {population!r}")
        fpc = 0.0 if population == n else math.sqrt((population - n) / (population - 1))
    return _z(confidence) * math.sqrt(rate * (1.0 - rate) / n) * fpc


def _allocate(sizes: np.ndarray, n: int) -> np.ndarray:
    """Proportional allocation of n over strata sizes by largest remainder, capped by size."""
    total = int(sizes.sum())
    quota = sizes * (n / total)
    alloc = np.floor(quota).astype(np.int64)
    short = n - int(alloc.sum())
    if short > 0:
        order = np.lexsort((np.arange(sizes.size), -(quota - alloc)))
        alloc[order[:short]] += 1
    return np.minimum(alloc, sizes)


def stratified_sample(
    frame: pd.DataFrame,
    strata: str | Sequence[str],
    n: int | Mapping[Hashable, int],
    seed: int | None = 0,
) -> pd.DataFrame:
    """Rows of ``frame`` sampled without replacement within strata.

    ``strata``: column name(s) defining strata. ``n``: total sample size, allocated to strata
    in proportion to their sizes (largest remainder), or a dict stratum -> size (a stratum key
    is a tuple when several columns are given). A stratum never yields more rows than it has.
    Reproducible for a given ``seed``; rows come back in their original order.
    """
    cols = [strata] if isinstance(strata, str) else list(strata)
    missing = [c for c in cols if c not in frame.columns]
    if not cols or missing:
        raise ValueError(f"strata must name columns of frame; missing {missing or cols}")
    if len(frame) == 0:
        return frame.iloc[:0]
    if len(cols) == 1:
        codes, uniques = pd.factorize(frame[cols[0]], sort=True, use_na_sentinel=False)
        keys: list[Hashable] = list(uniques)
    else:
        mi = pd.MultiIndex.from_frame(frame[cols])
        codes, uniq_mi = pd.factorize(mi, sort=True)
        keys = list(uniq_mi)
    sizes = np.bincount(codes, minlength=len(keys))
    if isinstance(n, Mapping):
        unknown = [s for s in n if s not in set(keys)]
        if unknown:
            raise ValueError(f"n names strata not in frame: {unknown[:5]}")
        alloc = np.array([int(n.get(s, 0)) for s in keys], dtype=np.int64)
        if np.any(alloc < 0):
            raise ValueError("per-stratum sizes must be >= 0")
        alloc = np.minimum(alloc, sizes)
    else:
        if int(n) != n or n < 0:
            raise ValueError(f"n must be an integer >= 0 or a dict stratum -> size; got {n!r}")
        alloc = _allocate(sizes, min(int(n), len(frame)))
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(frame)), codes))
    start = np.cumsum(sizes) - sizes
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(len(frame)) - np.repeat(start, sizes)
    chosen = np.flatnonzero(rank < alloc[codes])
    return frame.iloc[chosen]
