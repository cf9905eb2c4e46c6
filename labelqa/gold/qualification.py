"""Statistical qualification on gold: pass, fail or keep going; and who needs recalibration.

:class:`QualificationRule` decides a calibration quiz from ``correct`` answers out of ``n``
gold items with a confidence interval for the labeler's accuracy (Wilson by default,
Clopper-Pearson on request, both from :mod:`labelqa.metrics.intervals`):

* ``n < min_items``: ``"continue"`` (no decision on a handful of items);
* interval lower bound ``>= target``: ``"pass"``;
* interval upper bound ``< target``: ``"fail"``;
* otherwise ``"continue"``, until ``n >= max_items``, where the point estimate decides:
  ``correct / n >= target`` passes (**tie rule**: exactly on target passes, as "at least
  target" does for the lower bound), below fails. So a quiz always ends by ``max_items``.

The interval is looked at after every item, so this is not a fixed-size test: the chance of
an early wrong decision is larger than ``1 - confidence`` suggests at a single look, and the
forced decision at ``max_items`` lets labelers close to the target go either way.
:func:`operating_characteristics` measures both by simulation. For the default rule
(target 0.9, confidence 0.95, Wilson, min 10, max 50 items), 100,000 simulated quizzes per
accuracy (``operating_characteristics(QualificationRule(), accs, 100_000, seed=0)``) give:

=============  ======  ======  ==========
true accuracy  P(pass) P(fail) mean items
=============  ======  ======  ==========
0.75           0.007   0.993   19.2
0.80           0.046   0.954   26.5
0.85           0.209   0.791   36.2
0.88           0.423   0.577   41.8
0.90           0.598   0.402   44.8
0.92           0.774   0.226   46.6
0.95           0.953   0.047   46.9
0.97           0.993   0.007   44.7
0.99           1.000   0.000   39.4
=============  ======  ======  ==========

Reading it: a labeler at 0.95 passes 95% of the time and one at 0.80 fails 95% of the time,
but the band between is wide: at 0.85 one in five passes, because 50 items cannot tell 0.85
from 0.90 (the Wilson half-width near 0.9 at n = 50 is about 0.08). Raising ``max_items``
to 100 cuts P(pass | 0.85) to 0.09 at about 60 items on average; Clopper-Pearson changes
little (it is slightly more conservative, so more quizzes reach ``max_items``).

A perfect labeler needs 35 items to pass (35/35 has Wilson lower bound 0.901), so a pass
before ``max_items`` is only possible with very few errors; most good labelers are decided by
the point estimate at item 50. Someone exactly at target passes 60% of the time, slightly
better than a coin flip because of the tie rule (45/50 passes).

:func:`recalibration_list` takes the output of :func:`labelqa.metrics.accuracy` (and
optionally :func:`labelqa.metrics.confusion`) and lists the labelers whose accuracy is
significantly below target (interval upper bound < target) with their most frequent
confusions, for coaching. Label Studio Community cannot pause a user: the list is for the QA
team (and, as an option for the service layer, removal from the project's members).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from labelqa.metrics.intervals import ProportionMethod, proportion_interval

__all__ = [
    "Decision",
    "QualificationRule",
    "operating_characteristics",
    "recalibration_list",
]

Decision = Literal["pass", "fail", "continue"]
_LABELS = np.array(["fail", "continue", "pass"])  # indexed by code + 1
_EPS = 1e-9


@dataclass(frozen=True)
class QualificationRule:
    """A sequential pass/fail rule on gold accuracy (see the module docstring).

    ``target``: required accuracy in (0, 1); ``confidence`` of the interval in (0, 1);
    ``method``: "wilson" or "clopper-pearson"; no decision before ``min_items`` answers; a
    forced decision by the point estimate at ``max_items``.
    """

    target: float = 0.9
    confidence: float = 0.95
    method: ProportionMethod = "wilson"
    min_items: int = 10
    max_items: int = 50

    def __post_init__(self) -> None:
        if not 0.0 < self.target < 1.0:
            raise ValueError(f"target must be in (0, 1), e.g. 0.9; got {self.target!r}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1), e.g. 0.95; got {self.confidence!r}")
        if self.method not in ("wilson", "clopper-pearson"):
            raise ValueError(f"method must be 'wilson' or 'clopper-pearson'; got {self.method!r}")
        for name in ("min_items", "max_items"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1; got {value!r}")
        if self.max_items < self.min_items:
            raise ValueError(
                f"max_items must be >= min_items; got min_items={self.min_items}, "
                f"max_items={self.max_items}"
            )

    def decide(self, correct: int, n: int) -> Decision:
        """Decision after ``correct`` right answers out of ``n`` gold items (ints, 0 <= c <= n)."""
        result = str(self.decide_many(np.asarray([correct]), np.asarray([n]))[0])
        return "pass" if result == "pass" else "fail" if result == "fail" else "continue"

    def decide_many(self, correct: ArrayLike, n: ArrayLike) -> NDArray[np.str_]:
        """Vectorised :meth:`decide`: int arrays (broadcastable) -> array of decision strings."""
        return _LABELS[self._codes(*_check_counts(correct, n)) + 1]

    def _codes(self, c: NDArray[np.int64], t: NDArray[np.int64]) -> NDArray[np.int8]:
        """-1 fail, 0 continue, 1 pass for validated int arrays of one shape."""
        out = np.zeros(c.shape, dtype=np.int8)
        active = t >= self.min_items
        if not active.any():
            return out
        ca, ta = c[active], t[active]
        low, high = proportion_interval(ca, ta, self.confidence, self.method)
        code = np.where(low >= self.target, 1, np.where(high < self.target, -1, 0))
        point = np.where(ca >= self.target * ta - _EPS, 1, -1)
        out[active] = np.where((ta >= self.max_items) & (code == 0), point, code)
        return out

    def table(self) -> NDArray[np.int8]:
        """Decision codes for every state: array (max_items + 1, max_items + 1), entry [n, c]
        is -1 fail, 0 continue, 1 pass (entries with c > n are 0)."""
        m = self.max_items
        n_grid, c_grid = np.meshgrid(np.arange(m + 1), np.arange(m + 1), indexing="ij")
        valid = c_grid <= n_grid
        out = np.zeros((m + 1, m + 1), dtype=np.int8)
        out[valid] = self._codes(c_grid[valid].astype(np.int64), n_grid[valid].astype(np.int64))
        return out

    def thresholds(self) -> pd.DataFrame:
        """Per quiz length n (min_items..max_items): the fewest correct answers that pass and
        the most that fail (nullable Int64; missing when no count decides)."""
        tab = self.table()
        rows = np.arange(self.min_items, self.max_items + 1)
        c = np.arange(self.max_items + 1)
        pass_at_least = [int(c[tab[n] == 1].min()) if (tab[n] == 1).any() else pd.NA for n in rows]
        fail_at_most = [int(c[tab[n] == -1].max()) if (tab[n] == -1).any() else pd.NA for n in rows]
        return pd.DataFrame(
            {"pass_at_least": pass_at_least, "fail_at_most": fail_at_most},
            index=pd.Index(rows, name="n"),
        ).astype("Int64")


def _check_counts(correct: ArrayLike, n: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    c_raw, t_raw = np.broadcast_arrays(np.asarray(correct), np.asarray(n))
    for name, arr in (("correct", c_raw), ("n", t_raw)):
        if arr.dtype.kind not in "iuf" or (
            arr.dtype.kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr)))
        ):
            raise ValueError(f"{name} must be whole-number counts; got dtype {arr.dtype}")
    c, t = c_raw.astype(np.int64), t_raw.astype(np.int64)
    if np.any(t < 0) or np.any(c < 0) or np.any(c > t):
        raise ValueError("counts must satisfy 0 <= correct <= n")
    return c, t


def operating_characteristics(
    rule: QualificationRule,
    true_accuracies: Sequence[float] | ArrayLike,
    n_sim: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Simulated pass/fail probabilities of ``rule`` for labelers of known accuracy.

    Each of ``n_sim`` quizzes per accuracy answers gold items correctly with probability
    ``true_accuracy``, independently, until the rule decides (at the latest at
    ``max_items``). Returns a DataFrame indexed by ``true_accuracy`` with ``p_pass``,
    ``p_fail``, ``p_continue`` (0 by construction) and ``mean_items`` (items to a decision).
    """
    if not isinstance(rule, QualificationRule):
        raise ValueError(f"rule must be a QualificationRule; got {type(rule).__name__}")
    acc = np.atleast_1d(np.asarray(true_accuracies, dtype=np.float64))
    if acc.ndim != 1 or acc.size == 0 or not np.all((acc >= 0) & (acc <= 1)):
        raise ValueError("true_accuracies must be a non-empty 1-D sequence of values in [0, 1]")
    if isinstance(n_sim, bool) or not isinstance(n_sim, int | np.integer) or n_sim < 1:
        raise ValueError(f"n_sim must be an int >= 1; got {n_sim!r}")
    rng = np.random.default_rng(seed)
    m = rule.max_items
    tab = rule.table()
    steps = np.arange(1, m + 1)
    p_pass, p_fail, p_cont, mean_items = (np.zeros(acc.size) for _ in range(4))
    chunk = max(1, 2_000_000 // m)
    for a, p in enumerate(acc):
        passed = failed = open_ = items = 0.0
        for start in range(0, n_sim, chunk):
            size = min(chunk, n_sim - start)
            cum = np.cumsum(rng.random((size, m)) < p, axis=1, dtype=np.int32)
            codes = tab[steps[None, :], cum]
            decided = codes != 0
            first = np.argmax(decided, axis=1)
            done = decided[np.arange(size), first]
            outcome = np.where(done, codes[np.arange(size), first], 0)
            passed += float((outcome == 1).sum())
            failed += float((outcome == -1).sum())
            open_ += float((outcome == 0).sum())
            items += float(np.where(done, first + 1, m).sum())
        p_pass[a], p_fail[a] = passed / n_sim, failed / n_sim
        p_cont[a] = open_ / n_sim
        mean_items[a] = items / n_sim
    return pd.DataFrame(
        {"p_pass": p_pass, "p_fail": p_fail, "p_continue": p_cont, "mean_items": mean_items},
        index=pd.Index(acc, name="true_accuracy"),
    )


def recalibration_list(
    acc_frame: pd.DataFrame,
    target: float = 0.9,
    confidence: float | None = 0.95,
    *,
    method: ProportionMethod = "wilson",
    confusion: pd.DataFrame | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """Labelers whose gold accuracy is significantly below ``target`` (``ci_high < target``).

    ``acc_frame``: output of :func:`labelqa.metrics.accuracy` (index labeler; columns ``n``,
    ``correct``, ``accuracy``, ``ci_low``, ``ci_high``). The interval is recomputed from
    ``correct``/``n`` at ``confidence`` with ``method``; pass ``confidence=None`` to use the
    frame's own ``ci_low``/``ci_high``. ``confusion``: optional output of
    :func:`labelqa.metrics.confusion` (rows (labeler, gold), columns given label).

    Returns the flagged rows, worst upper bound first, with the accuracy columns plus
    ``shortfall`` (target - accuracy) and ``top_confusions``: a list of up to ``top``
    ``(gold class, given class, count)`` tuples, most frequent first (empty without
    ``confusion``).
    """
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be in (0, 1), e.g. 0.9; got {target!r}")
    needed = ["n", "correct", "accuracy", "ci_low", "ci_high"]
    missing = [c for c in needed if c not in acc_frame.columns]
    if missing:
        raise ValueError(
            f"acc_frame must be labelqa.metrics.accuracy output with columns {needed}; "
            f"missing {missing}"
        )
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ValueError(f"top must be an int >= 0; got {top!r}")
    frame = acc_frame[needed].copy()
    if confidence is not None and len(frame):
        low, high = proportion_interval(
            frame["correct"].to_numpy(), frame["n"].to_numpy(), confidence, method
        )
        frame["ci_low"], frame["ci_high"] = low, high
    flagged = frame[frame["ci_high"] < target].copy()
    flagged["shortfall"] = target - flagged["accuracy"]
    flagged = flagged.sort_values(["ci_high", "accuracy"], kind="stable")
    tops = _top_confusions(confusion, flagged.index, top) if confusion is not None else {}
    flagged["top_confusions"] = pd.Series(
        [tops.get(k, []) for k in flagged.index], index=flagged.index, dtype=object
    )
    return flagged


def _top_confusions(
    confusion: pd.DataFrame, labelers: pd.Index, top: int
) -> dict[object, list[tuple[object, object, int]]]:
    if not isinstance(confusion.index, pd.MultiIndex) or confusion.index.nlevels != 2:
        raise ValueError(
            "confusion must be labelqa.metrics.confusion output: a (labeler, gold) MultiIndex "
            "and one column per given label"
        )
    values = confusion.to_numpy()
    r, c = np.nonzero(values > 0)
    long = pd.DataFrame(
        {
            "labeler": confusion.index.get_level_values(0)[r],
            "gold": confusion.index.get_level_values(1)[r],
            "label": confusion.columns[c],
            "count": values[r, c],
        }
    )
    long = long[
        (long["gold"] != long["label"]) & (long["count"] > 0) & long["labeler"].isin(labelers)
    ]
    long = long.sort_values(["labeler", "count"], ascending=[True, False], kind="stable")
    long = long.groupby("labeler", sort=False).head(top)
    out: dict[object, list[tuple[object, object, int]]] = {}
    for lab, gold, label, count in long.itertuples(index=False):
        out.setdefault(lab, []).append((gold, label, int(count)))
    return out
