"""Simulated labelers for demos and tests (pure numpy, no I/O).

A :class:`SimulatedLabeler` answers an item correctly with probability ``accuracy``; when wrong
it picks another class, uniformly or by its ``confusion`` bias. It takes a lognormal time per
item (median ``speed`` seconds) and skips an item with probability ``skip_rate``. Because the
true label of every item is known to the generator, the same code builds demo projects and
gold-item answers whose true accuracies tests can check against.

::

    rng = np.random.default_rng(7)
    crew = make_workforce(40, ["Acme BPO"], 2, ["US", "DE"], rng)
    answers = simulate_annotations(["spam", "ok"], crew, ["ok", "spam"], rng=rng)
    answers[0]  # [SimulatedAnnotation(labeler=3, label="spam", lead_time=17.2, ...), ...]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

__all__ = [
    "SimulatedAnnotation",
    "SimulatedLabeler",
    "make_workforce",
    "simulate_annotations",
]


@dataclass(frozen=True)
class SimulatedLabeler:
    """A simulated labeler: who they are, how good, how fast, how often they skip.

    ``accuracy`` is the probability of choosing the true label on an item not skipped.
    ``confusion`` optionally maps a true class to relative weights of the wrong labels chosen
    when the labeler errs on it (e.g. ``{"insult": {"harassment": 8.0}}``); classes absent
    from it are confused uniformly. ``speed`` is the median seconds per item and ``speed_sigma``
    the sigma of the lognormal around it.
    """

    email: str
    vendor: str
    site: str
    market: str
    accuracy: float
    speed: float = 20.0
    speed_sigma: float = 0.4
    skip_rate: float = 0.0
    confusion: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.accuracy <= 1.0:
            raise ValueError(f"accuracy must be in [0, 1], got {self.accuracy!r} for {self.email}")
        if not 0.0 <= self.skip_rate < 1.0:
            raise ValueError(
                f"skip_rate must be in [0, 1), got {self.skip_rate!r} for {self.email}"
            )
        if not self.speed > 0:
            raise ValueError(f"speed must be > 0 seconds, got {self.speed!r} for {self.email}")
        if self.speed_sigma < 0:
            raise ValueError(f"speed_sigma must be >= 0, got {self.speed_sigma!r} for {self.email}")
        for true, weights in self.confusion.items():
            if any(w < 0 for w in weights.values()):
                raise ValueError(f"confusion weights for {true!r} must be >= 0 ({self.email})")


class SimulatedAnnotation(NamedTuple):
    """One simulated answer: labeler index, label (None when skipped), seconds spent, and when
    it was submitted, in seconds after the simulation's start."""

    labeler: int
    label: str | None
    lead_time: float
    created_at: float


def simulate_annotations(
    items_true_labels: Sequence[str],
    labelers: Sequence[SimulatedLabeler],
    classes: Sequence[str],
    per_item: tuple[int, int] = (2, 3),
    rng: np.random.Generator | int | None = None,
) -> list[list[SimulatedAnnotation]]:
    """Simulate labelers answering items whose true labels are known.

    Each item gets between ``per_item[0]`` and ``per_item[1]`` (inclusive) distinct labelers,
    drawn with probability proportional to their throughput (``1 / speed``). Every labeler
    works through their items in item order, so ``created_at`` offsets are each labeler's
    running total of time spent (plus short pauses). Returns one list per item, in item order.
    """
    gen = np.random.default_rng(rng)
    classes = list(classes)
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise ValueError(f"classes must be >= 2 distinct labels, got {classes!r}")
    if not labelers:
        raise ValueError("labelers must not be empty")
    lo, hi = per_item
    if not 1 <= lo <= hi <= len(labelers):
        raise ValueError(
            f"per_item must be (lo, hi) with 1 <= lo <= hi <= {len(labelers)} (the number of "
            f"labelers), got {per_item!r}"
        )
    index = {c: k for k, c in enumerate(classes)}
    unknown = sorted({t for t in items_true_labels if t not in index})
    if unknown:
        raise ValueError(f"true labels not in classes {classes!r}: {unknown[:5]!r}")
    truth = np.fromiter((index[t] for t in items_true_labels), dtype=np.int64)
    return _simulate(truth, labelers, classes, lo, hi, gen)


def _confusion_tensor(labelers: Sequence[SimulatedLabeler], classes: list[str]) -> np.ndarray:
    """W x K x K cumulative probabilities of the wrong label, given labeler and true class."""
    k = len(classes)
    weights = np.ones((len(labelers), k, k))
    for w, lab in enumerate(labelers):
        for true, row in lab.confusion.items():
            if true not in classes:
                continue
            t = classes.index(true)
            known = {c: v for c, v in row.items() if c in classes and c != true}
            if known:
                weights[w, t] = 0.0
                for c, v in known.items():
                    weights[w, t, classes.index(c)] = v
                if weights[w, t].sum() == 0:  # all-zero bias: fall back to uniform
                    weights[w, t] = 1.0
    eye = np.eye(k, dtype=bool)
    weights[:, eye] = 0.0
    probs = weights / weights.sum(axis=2, keepdims=True)
    return np.cumsum(probs, axis=2)


def _simulate(
    truth: np.ndarray,
    labelers: Sequence[SimulatedLabeler],
    classes: list[str],
    lo: int,
    hi: int,
    gen: np.random.Generator,
) -> list[list[SimulatedAnnotation]]:
    n, w = len(truth), len(labelers)
    if n == 0:
        return []
    acc = np.array([lab.accuracy for lab in labelers])
    speed = np.array([lab.speed for lab in labelers])
    sigma = np.array([lab.speed_sigma for lab in labelers])
    skip = np.array([lab.skip_rate for lab in labelers])

    # distinct labelers per item, weighted by throughput: Gumbel top-k over an N x W key matrix
    keys = np.log(1.0 / speed)[None, :] + gen.gumbel(size=(n, w))
    order = np.argsort(-keys, axis=1)
    k_per_item = gen.integers(lo, hi + 1, size=n)
    take = np.arange(hi)[None, :] < k_per_item[:, None]
    item_idx = np.repeat(np.arange(n), k_per_item)
    lab_idx = order[:, :hi][take]

    m = len(item_idx)
    true = truth[item_idx]
    correct = gen.random(m) < acc[lab_idx]
    cum = _confusion_tensor(labelers, classes)[lab_idx, true]  # m x K
    wrong = np.minimum((gen.random(m)[:, None] >= cum).sum(axis=1), len(classes) - 1)
    label_idx = np.where(correct, true, wrong)
    skipped = gen.random(m) < skip[lab_idx]

    lead = speed[lab_idx] * np.exp(sigma[lab_idx] * gen.standard_normal(m))
    lead = np.where(skipped, lead * 0.3, lead)
    lead = np.round(np.maximum(lead, 0.5), 3)
    pause = gen.exponential(0.2 * speed[lab_idx])
    # each labeler's running total in item order (item_idx is already sorted)
    by_labeler = np.lexsort((item_idx, lab_idx))
    spent = (lead + pause)[by_labeler]
    run = np.cumsum(spent)
    starts = np.r_[0, np.flatnonzero(np.diff(lab_idx[by_labeler])) + 1]
    offsets = np.repeat(run[starts] - spent[starts], np.diff(np.r_[starts, m]))
    created = np.empty(m)
    created[by_labeler] = np.round(run - offsets, 3)

    out: list[list[SimulatedAnnotation]] = [[] for _ in range(n)]
    for i, lab, lbl, sk, lt, ca in zip(
        item_idx.tolist(), lab_idx.tolist(), label_idx.tolist(), skipped.tolist(),
        lead.tolist(), created.tolist(), strict=True,
    ):  # fmt: skip
        out[i].append(SimulatedAnnotation(lab, None if sk else classes[lbl], lt, ca))
    return out


_FIRST = ("ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kemal",
          "lea", "malik", "nora", "omar", "priya", "quinn", "rosa", "sami", "tara", "uma",
          "victor", "wen", "ximena", "yusuf", "zoe")  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def make_workforce(
    n: int,
    vendors: Sequence[str],
    sites_per_vendor: int | Mapping[str, Sequence[str]],
    markets: Sequence[str],
    rng: np.random.Generator | int | None = None,
    *,
    weak_share: float = 0.15,
    confusions: Sequence[tuple[str, str]] = (),
) -> list[SimulatedLabeler]:
    """``n`` labelers spread over vendors, their sites and markets, of varied skill and speed.

    Most labelers have accuracy in [0.75, 0.97]; about ``weak_share`` of them (at least one
    when ``n >= 5``) are weak, in [0.55, 0.70], and half of those rush (fast and sloppy).
    ``sites_per_vendor`` is a count (sites named ``<vendor> site N``) or vendor -> site names.
    Sites are assigned markets in rotation, so each vendor spans several markets. Each pair
    ``(a, b)`` in ``confusions`` gives a few labelers a habit of answering ``b`` when wrong on
    an ``a`` item.
    """
    gen = np.random.default_rng(rng)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not vendors or not markets:
        raise ValueError("vendors and markets must not be empty")
    if not 0.0 <= weak_share <= 1.0:
        raise ValueError(f"weak_share must be in [0, 1], got {weak_share}")
    if isinstance(sites_per_vendor, int):
        if sites_per_vendor < 1:
            raise ValueError(f"sites_per_vendor must be >= 1, got {sites_per_vendor}")
        sites = {v: [f"{v} site {j + 1}" for j in range(sites_per_vendor)] for v in vendors}
    else:
        sites = {v: list(sites_per_vendor.get(v, ())) for v in vendors}
        empty = [v for v, s in sites.items() if not s]
        if empty:
            raise ValueError(f"no sites given for vendor(s) {empty!r}")
    places = [(v, s) for v in vendors for s in sites[v]]
    market_of = {place: markets[j % len(markets)] for j, place in enumerate(places)}

    n_weak = round(n * weak_share)
    if n >= 5 and weak_share > 0:
        n_weak = max(n_weak, 1)
    weak = np.zeros(n, dtype=bool)
    weak[gen.choice(n, size=n_weak, replace=False)] = True
    accuracy = np.where(weak, gen.uniform(0.55, 0.70, n), gen.uniform(0.75, 0.97, n))
    speed = gen.lognormal(np.log(20.0), 0.35, n)
    rushers = weak & (gen.random(n) < 0.5)
    speed = np.where(rushers, speed * 0.45, speed)
    skip_rate = gen.uniform(0.0, 0.03, n)
    habit = gen.random(n) < 0.25

    crew: list[SimulatedLabeler] = []
    for i in range(n):
        vendor, site = places[i % len(places)]
        confusion: dict[str, dict[str, float]] = {}
        if confusions and (habit[i] or weak[i]):
            a, b = confusions[int(gen.integers(len(confusions)))]
            confusion[a] = {b: 8.0}
        name = f"{_FIRST[i % len(_FIRST)]}.{i + 1:03d}"
        crew.append(
            SimulatedLabeler(
                email=f"{name}@{_slug(vendor)}.example.com",
                vendor=vendor,
                site=site,
                market=market_of[(vendor, site)],
                accuracy=round(float(accuracy[i]), 3),
                speed=round(float(speed[i]), 2),
                speed_sigma=0.4,
                skip_rate=round(float(skip_rate[i]), 4),
                confusion=confusion,
            )
        )
    return crew
