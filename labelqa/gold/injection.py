"""Planning hidden gold injection for a queue (pure: no database, no Label Studio).

:func:`plan_injection` decides how many gold copies a queue gets, which gold item each copy
is, which labeler it is meant for, and where it goes among the ordinary items;
:func:`next_gold_for` picks one gold item for one labeler (rotation); :func:`gold_task_payload`
builds the Label Studio task for a gold copy.

How many copies
    ``rate`` is the share of gold among all tasks of the batch: with ``n_ordinary`` ordinary
    tasks, ``ceil(rate * n_ordinary / (1 - rate))`` copies. ``rate = 1`` is a gold-only
    batch (a calibration quiz): ``n_ordinary`` must be 0 and ``per_labeler_min`` sets the
    size. The total is raised to ``per_labeler_min * len(labelers)`` when that is larger and
    is split as evenly as possible over the labelers (the extra copies go to the labelers
    with the most gold still available to them).

Hard rules (a plan that breaks one is never returned; ValueError instead, nothing partial)
    * a labeler never gets a gold item listed in its ``seen_by``, nor the same item twice;
    * a gold item's exposure after the plan is at most ``max_exposure``;
    * every labeler gets at least ``per_labeler_min`` copies.
    If the pool cannot satisfy them the error says how many gold items are needed and how
    many are available. Feasibility is decided exactly (a maximum flow through
    labeler -> item edges), so a ValueError means no assignment exists.

Stratification (soft)
    Copies per stratum (class) are apportioned by largest remainder, capped by what each
    stratum can still supply: ``"proportional"`` (default) to the stratum's share of items in
    the pool, so accuracy on gold reflects the pool's class mix; ``"balanced"`` equally per
    stratum, so rare classes get as many checks as common ones (better per-class confusion,
    worse as an estimate of overall accuracy when the pool mirrors production). A greedy pass
    fills the strata in order of largest shortfall, least-exposed item first; if the greedy
    pass paints itself into a corner the exact flow assignment is used instead and the
    stratum counts may then deviate from the targets (``InjectionPlan.targets``).

Interleaving
    The batch of ``n_ordinary + n_gold`` tasks is cut into ``n_gold`` equal segments and each
    gold copy lands at a uniformly random position inside its own segment (jittered systematic
    placement). Gold is spread over the whole batch, never clumped, and never periodic (a
    fixed "every 20th task" would be a tell). Any window of ``m`` consecutive tasks holds at
    most ``ceil(m * n_gold / n_total) + 1`` gold copies. Copies are ordered round by round
    (each labeler's first copy, then each labeler's second, ...), so each labeler's gold is
    spread too.

Label Studio notes for the code that imports the plan
    * Import ordinary and gold tasks **in one batch, in plan order** (:meth:`InjectionPlan.
      interleave`): Label Studio numbers tasks in import order and shows the id to
      labelers, so gold imported as a separate batch would form a recognisable id block.
    * Label Studio Community cannot assign a task to a user. ``labeler`` on a copy is the
      intended recipient; enforce it where assignment exists (Enterprise, or one project per
      labeler) and otherwise set the project's maximum annotations to 1 and treat exposure
      as a budget, recounting real exposure from synced annotations.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from labelqa.gold.pool import GoldItem, _strata, as_gold_pool

__all__ = [
    "InjectionPlan",
    "Stratify",
    "gold_task_payload",
    "next_gold_for",
    "plan_injection",
    "task_payload",
]

Stratify = Literal["proportional", "balanced"]
T = TypeVar("T")
_COLUMNS = ["position", "after_ordinary", "gold_item_id", "labeler", "stratum", "difficulty"]


@dataclass(frozen=True)
class InjectionPlan:
    """A gold injection plan for one batch of a queue.

    ``copies`` has one row per gold copy (one Label Studio task), in queue order, with columns
    ``position`` (0-based slot among all ``n_total`` tasks of the batch), ``after_ordinary``
    (how many ordinary tasks precede it), ``gold_item_id``, ``labeler`` (intended recipient),
    ``stratum`` and ``difficulty``. ``targets`` is the planned copy count per stratum.
    """

    copies: pd.DataFrame
    n_ordinary: int
    rate: float
    max_exposure: int
    stratify: Stratify
    targets: Mapping[str, int]
    used_flow: bool = False

    @property
    def n_gold(self) -> int:
        """Number of gold copies (tasks) to create."""
        return len(self.copies)

    @property
    def n_total(self) -> int:
        """Ordinary plus gold tasks in the batch."""
        return self.n_ordinary + self.n_gold

    @property
    def achieved_rate(self) -> float:
        """Share of gold among all tasks of the batch (>= ``rate`` unless the batch is empty)."""
        return self.n_gold / self.n_total if self.n_total else 0.0

    def copies_per_item(self) -> pd.Series:
        """Copies planned per gold item (int Series indexed by gold_item_id)."""
        return self.copies.groupby("gold_item_id", sort=False).size().rename("copies")

    def sequence(self) -> np.ndarray:
        """Int array of length ``n_total``: -1 for an ordinary slot, else the copy's row."""
        out = np.full(self.n_total, -1, dtype=np.int64)
        out[self.copies["position"].to_numpy(dtype=np.int64)] = np.arange(self.n_gold)
        return out

    def interleave(self, ordinary: Sequence[T], gold: Sequence[T]) -> list[T]:
        """Merge ordinary tasks (in order) and gold tasks (one per copy row) in plan order.

        ``ordinary`` must have ``n_ordinary`` entries and ``gold`` ``n_gold``; returns a list of
        ``n_total`` entries, ready for one Label Studio import.
        """
        if len(ordinary) != self.n_ordinary or len(gold) != self.n_gold:
            raise ValueError(
                f"expected {self.n_ordinary} ordinary and {self.n_gold} gold tasks; "
                f"got {len(ordinary)} and {len(gold)}"
            )
        ordinary_iter, gold_iter = iter(ordinary), iter(gold)
        return [next(gold_iter) if k >= 0 else next(ordinary_iter) for k in self.sequence()]


# ---------------------------------------------------------------------------------------------
# Payloads


def task_payload(item_data: Mapping[str, Any], fields: Sequence[str] | None = None) -> dict:
    """The Label Studio task for an item: exactly ``{"data": dict(item_data)}``.

    Keys keep ``item_data``'s order, or follow ``fields`` (the SOP's task field names) when
    given; then ``item_data`` must have exactly those keys (ValueError otherwise).
    """
    if not isinstance(item_data, Mapping):
        raise ValueError(f"item_data must be a dict of task fields; got {type(item_data)}")
    bad = [k for k in item_data if not isinstance(k, str)]
    if bad:
        raise ValueError(f"item_data keys must be str field names; got {bad[:3]!r}")
    if fields is None:
        return {"data": dict(item_data)}
    names = list(fields)
    if len(set(names)) != len(names) or set(names) != set(item_data):
        raise ValueError(
            f"item_data must have exactly the task fields {names!r}; got {list(item_data)!r}"
        )
    return {"data": {name: item_data[name] for name in names}}


def gold_task_payload(item_data: Mapping[str, Any], fields: Sequence[str] | None = None) -> dict:
    """The Label Studio task for a gold copy: exactly ``{"data": dict(item_data)}``.

    Same code path and result as :func:`task_payload` for an ordinary item with the same data.
    Label Studio Community shows every task field (data, meta, predictions, id patterns) to
    every labeler, so a gold copy carries only the item's own data fields: no gold id, no
    answer, no ``meta``, no ``predictions``, no extra, renamed or reordered key. The link
    task id -> gold item is kept by LabelQA alone.
    """
    return task_payload(item_data, fields)


# ---------------------------------------------------------------------------------------------
# Planning


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return int(value)


def _check_rate(rate: Any) -> float:
    try:
        r = float(rate)
    except (TypeError, ValueError):
        raise ValueError(f"rate must be a number in (0, 1], e.g. 0.05; got {rate!r}") from None
    if not 0.0 < r <= 1.0:
        raise ValueError(
            f"rate must be in (0, 1] (the share of gold among all tasks, e.g. 0.05); got {rate!r}"
        )
    return r


def _check_labelers(labelers: Iterable[Hashable]) -> list[Hashable]:
    out = list(labelers)
    if not out:
        raise ValueError("labelers must list at least one labeler")
    if len(set(out)) != len(out):
        raise ValueError("labelers must be distinct")
    return out


def _n_copies(rate: float, n_ordinary: int, per_labeler_min: int, n_labelers: int) -> int:
    if rate == 1.0:
        if n_ordinary:
            raise ValueError(
                "rate = 1 plans a gold-only batch (a calibration quiz): n_ordinary must be 0 "
                f"and per_labeler_min sets its size; got n_ordinary={n_ordinary}"
            )
        by_rate = 0
    else:
        by_rate = math.ceil(rate * n_ordinary / (1.0 - rate) - 1e-9)
    return max(by_rate, per_labeler_min * n_labelers)


def _apportion(weights: np.ndarray, caps: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` over strata by ``weights`` (largest remainder), never above ``caps``."""
    alloc = np.zeros(len(caps), dtype=np.int64)
    remaining = total
    while remaining > 0:
        room = caps - alloc
        open_ = room > 0
        if not open_.any():  # callers check capacity first; never loop forever
            raise ValueError(f"cannot apportion {total} copies within stratum capacities")
        w = np.where(open_, weights, 0.0)
        if w.sum() <= 0:
            w = open_.astype(np.float64)
        quota = remaining * w / w.sum()
        base = np.minimum(np.floor(quota).astype(np.int64), room)
        if base.sum() == 0:
            frac = np.where(open_, quota, -1.0)
            order = np.argsort(-frac, kind="stable")[: min(remaining, int(open_.sum()))]
            base = np.zeros_like(alloc)
            base[order] = 1
        alloc += base
        remaining -= int(base.sum())
    return alloc


def _flow_assignment(
    eligible: np.ndarray, quota: np.ndarray, cap: np.ndarray
) -> tuple[int, list[tuple[int, int]]]:
    """Maximum flow source -> labeler (quota) -> item (1 per pair) -> sink (cap).

    Returns the flow value and the (item, labeler) pairs carrying flow.
    """
    n_items, n_lab = eligible.shape
    src, sink = 0, 1 + n_lab + n_items
    ii, ww = np.nonzero(eligible)
    rows = np.concatenate([np.zeros(n_lab, np.int64), 1 + ww, 1 + n_lab + np.arange(n_items)])
    cols = np.concatenate([1 + np.arange(n_lab), 1 + n_lab + ii, np.full(n_items, sink)])
    caps = np.concatenate([quota, np.ones(ii.size, np.int64), cap]).astype(np.int32)
    graph = csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    result = maximum_flow(graph, src, sink)
    flow = result.flow.tocoo()
    mask = (flow.data > 0) & (flow.row >= 1) & (flow.row <= n_lab) & (flow.col > n_lab)
    pairs = [
        (int(c) - 1 - n_lab, int(r) - 1)
        for r, c in zip(flow.row[mask], flow.col[mask], strict=True)
    ]
    return int(result.flow_value), pairs


def _greedy(
    eligible: np.ndarray,
    quota: np.ndarray,
    cap: np.ndarray,
    strata: np.ndarray,
    targets: np.ndarray,
    exposure: np.ndarray,
    rng: np.random.Generator,
) -> list[tuple[int, int, int]] | None:
    """Round-robin picks (item, labeler, round) filling strata by shortfall; None if stuck."""
    avail = eligible.copy()
    left = cap.copy()
    load = exposure.astype(np.int64).copy()
    deficit = targets.astype(np.int64).copy()
    per_lab = np.zeros((eligible.shape[1], len(targets)), dtype=np.int64)
    tiebreak = rng.random(eligible.shape[0])
    picks: list[tuple[int, int, int]] = []
    for r in range(int(quota.max(initial=0))):
        for w in rng.permutation(np.flatnonzero(quota > r)):
            cand = np.flatnonzero(avail[:, w])
            if cand.size == 0:
                return None
            s = strata[cand]
            short = deficit[s] / np.maximum(targets[s], 1)  # share of the target still missing
            best = cand[np.lexsort((tiebreak[cand], load[cand], per_lab[w, s], -short))[0]]
            picks.append((int(best), int(w), r))
            avail[best, w] = False
            left[best] -= 1
            load[best] += 1
            deficit[strata[best]] -= 1
            per_lab[w, strata[best]] += 1
            if left[best] == 0:
                avail[best, :] = False
    return picks


def _positions(n_total: int, n_gold: int, rng: np.random.Generator) -> np.ndarray:
    """Jittered systematic slots: one uniform position in each of n_gold equal segments."""
    if n_gold == 0:
        return np.zeros(0, dtype=np.int64)
    bounds = (np.arange(n_gold + 1, dtype=np.int64) * n_total) // n_gold
    width = np.diff(bounds)
    return bounds[:-1] + (rng.random(n_gold) * width).astype(np.int64)


def plan_injection(
    pool: pd.DataFrame | Iterable[GoldItem],
    n_ordinary: int,
    *,
    rate: float,
    labelers: Iterable[Hashable],
    per_labeler_min: int = 0,
    max_exposure: int = 3,
    stratify: Stratify = "proportional",
    seed: int | np.random.Generator | None = None,
) -> InjectionPlan:
    """Plan hidden gold copies for a batch of ``n_ordinary`` ordinary tasks (module docstring).

    ``pool``: gold items (frame or :class:`GoldItem`); ``rate`` in (0, 1]: share of gold among
    all tasks; ``labelers``: who will label the batch; ``per_labeler_min``: copies each labeler
    must get; ``max_exposure``: labelers a gold item may be shown to in total. Returns an
    :class:`InjectionPlan`; raises ValueError (naming needed vs available gold items) when
    the pool cannot satisfy the rules.
    """
    r = _check_rate(rate)
    n_ord = _check_int("n_ordinary", n_ordinary, 0)
    per_min = _check_int("per_labeler_min", per_labeler_min, 0)
    max_exp = _check_int("max_exposure", max_exposure, 1)
    if stratify not in ("proportional", "balanced"):
        raise ValueError(f"stratify must be 'proportional' or 'balanced'; got {stratify!r}")
    labs = _check_labelers(labelers)
    items = as_gold_pool(pool)
    rng = np.random.default_rng(seed)
    total = _n_copies(r, n_ord, per_min, len(labs))

    strata, names = _strata(items)
    exposure = np.array([g.effective_exposure for g in items], dtype=np.int64)
    cap = np.clip(max_exp - exposure, 0, None)
    lab_index = {lab: j for j, lab in enumerate(labs)}
    seen = np.zeros((len(items), len(labs)), dtype=bool)
    for i, g in enumerate(items):
        for lab in g.seen_by:
            j = lab_index.get(lab)
            if j is not None:
                seen[i, j] = True
    eligible = (cap > 0)[:, None] & ~seen

    per_lab_avail = eligible.sum(axis=0)
    quota = np.full(len(labs), total // len(labs), dtype=np.int64)
    extra = total % len(labs)
    if extra:
        order = np.lexsort((rng.random(len(labs)), -per_lab_avail))
        quota[order[:extra]] += 1
    why = _why(r, n_ord, per_min, len(labs), total)
    _check_feasible(items, labs, quota, per_lab_avail, cap, total, max_exp, why)

    weights = (
        np.bincount(strata, minlength=len(names)).astype(np.float64)
        if stratify == "proportional"
        else np.ones(len(names))
    )
    caps_by_stratum = np.bincount(strata, weights=cap, minlength=len(names)).astype(np.int64)
    targets = _apportion(weights, caps_by_stratum, total) if names else np.zeros(0, np.int64)

    picks = _greedy(eligible, quota, cap, strata, targets, exposure, rng) if total else []
    used_flow = picks is None
    if picks is None:
        value, pairs = _flow_assignment(eligible, quota, cap)
        if value < total:
            usable = int((cap > 0).sum())
            raise ValueError(
                f"gold pool too small: {why} needs {total} gold copies, but only {value} can be "
                f"placed without showing a labeler a gold item twice or exceeding "
                f"max_exposure={max_exp}; needs at least "
                f"{usable + math.ceil((total - value) / max_exp)} available gold items, "
                f"{usable} available"
            )
        by_lab: dict[int, list[int]] = {}
        for i, w in pairs:
            by_lab.setdefault(w, []).append(i)
        picks = [
            (i, w, k)
            for w, its in by_lab.items()
            for k, i in enumerate(rng.permutation(np.array(its, dtype=np.int64)).tolist())
        ]

    order_key = rng.random(len(picks))
    picks_sorted = [p for _, p in sorted(zip(order_key, picks, strict=True), key=_round_key)]
    positions = _positions(n_ord + total, total, rng)
    copies = pd.DataFrame(
        {
            "position": positions,
            "after_ordinary": positions - np.arange(total, dtype=np.int64),
            "gold_item_id": pd.Series(
                [items[i].gold_item_id for i, _, _ in picks_sorted], dtype=object
            ),
            "labeler": pd.Series([labs[w] for _, w, _ in picks_sorted], dtype=object),
            "stratum": pd.Series([names[strata[i]] for i, _, _ in picks_sorted], dtype=object),
            "difficulty": pd.Series(
                [items[i].difficulty for i, _, _ in picks_sorted], dtype=np.float64
            ),
        },
        columns=_COLUMNS,
    )
    return InjectionPlan(
        copies=copies,
        n_ordinary=n_ord,
        rate=r,
        max_exposure=max_exp,
        stratify=stratify,
        targets={n: int(t) for n, t in zip(names, targets, strict=True)},
        used_flow=used_flow,
    )


def _round_key(pair: tuple[float, tuple[int, int, int]]) -> tuple[int, float]:
    key, (_, _, rnd) = pair
    return rnd, key


def _why(rate: float, n_ord: int, per_min: int, n_labs: int, total: int) -> str:
    parts = []
    if rate < 1.0 and n_ord:
        parts.append(f"rate {rate:g} over {n_ord} ordinary tasks")
    if per_min:
        parts.append(f"per_labeler_min {per_min} x {n_labs} labelers")
    return " and ".join(parts) or f"the batch ({total} copies)"


def _check_feasible(
    items: Sequence[GoldItem],
    labs: Sequence[Hashable],
    quota: np.ndarray,
    per_lab_avail: np.ndarray,
    cap: np.ndarray,
    total: int,
    max_exp: int,
    why: str,
) -> None:
    usable = int((cap > 0).sum())
    short = np.flatnonzero(per_lab_avail < quota)
    if short.size:
        w = short[np.argmax(quota[short] - per_lab_avail[short])]
        others = f" ({short.size - 1} more labelers short too)" if short.size > 1 else ""
        raise ValueError(
            f"gold pool too small: {why} needs {int(quota[w])} gold items for labeler "
            f"{labs[w]!r}, {int(per_lab_avail[w])} available (not yet seen by them and under "
            f"max_exposure={max_exp}; pool of {len(items)}){others}"
        )
    if int(cap.sum()) < total:
        needed = math.ceil(total / max_exp)
        raise ValueError(
            f"gold pool too small: {why} needs {total} gold copies, i.e. at least {needed} gold "
            f"items at max_exposure={max_exp}; {usable} available ({len(items)} in the pool, "
            f"{len(items) - usable} at max exposure; {int(cap.sum())} exposures left)"
        )


# ---------------------------------------------------------------------------------------------
# Rotation


def next_gold_for(
    labeler: Hashable,
    pool: pd.DataFrame | Iterable[GoldItem],
    exposures: Mapping[Hashable, int] | None = None,
    max_exposure: int = 3,
    rng: np.random.Generator | int | None = None,
) -> Hashable | None:
    """The gold item to show ``labeler`` next, or None when no item is left for them.

    Candidates: items the labeler has not seen (``seen_by``) whose exposure (``exposures[id]``
    when given, else the item's own; never below ``len(seen_by)``) is under ``max_exposure``.
    Class balance first (the stratum this labeler has seen fewest gold items of), then least
    exposed, ties broken at random.
    """
    max_exp = _check_int("max_exposure", max_exposure, 1)
    items = as_gold_pool(pool)
    if not items:
        return None
    gen = np.random.default_rng(rng)
    given = exposures or {}
    strata, names = _strata(items)
    exposure = np.array(
        [max(int(given.get(g.gold_item_id, g.exposure)), len(g.seen_by)) for g in items],
        dtype=np.int64,
    )
    seen = np.array([labeler in g.seen_by for g in items], dtype=bool)
    cand = np.flatnonzero(~seen & (exposure < max_exp))
    if cand.size == 0:
        return None
    seen_per_stratum = np.bincount(strata[seen], minlength=len(names))
    s = strata[cand]
    best = cand[np.lexsort((gen.random(cand.size), exposure[cand], seen_per_stratum[s]))[0]]
    return items[best].gold_item_id
