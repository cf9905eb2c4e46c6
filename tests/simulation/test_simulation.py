"""Simulated labelers: set accuracies, skip rates and speeds show up in what they produce."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.stats import binomtest

from labelqa.simulation import SimulatedLabeler, make_workforce, simulate_annotations

CLASSES = ["none", "insult", "harassment", "hate_speech", "threat", "spam"]


def _lab(i: int, **kw: object) -> SimulatedLabeler:
    base: dict[str, object] = dict(
        email=f"l{i}@v.example.com", vendor="V", site="S", market="US", accuracy=0.8
    )
    base.update(kw)
    return SimulatedLabeler(**base)  # type: ignore[arg-type]


def _truth(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [CLASSES[k] for k in rng.integers(0, len(CLASSES), n)]


def test_empirical_accuracy_within_binomial_interval_of_set_accuracy() -> None:
    accs = [0.55, 0.7, 0.85, 0.97]
    labs = [_lab(i, accuracy=a) for i, a in enumerate(accs)]
    truth = _truth(6000)
    out = simulate_annotations(truth, labs, CLASSES, per_item=(2, 3), rng=1)
    right, seen = Counter(), Counter()
    for t, anns in zip(truth, out, strict=True):
        for a in anns:
            if a.label is not None:
                seen[a.labeler] += 1
                right[a.labeler] += a.label == t
    for w, acc in enumerate(accs):
        assert seen[w] > 1000
        ci = binomtest(right[w], seen[w]).proportion_ci(confidence_level=0.999)
        assert ci.low <= acc <= ci.high, (w, acc, right[w] / seen[w])


def test_same_seed_same_answers_and_different_seed_differs() -> None:
    labs = make_workforce(12, ["A", "B"], 2, ["US", "DE"], rng=3)
    truth = _truth(300)
    a = simulate_annotations(truth, labs, CLASSES, rng=np.random.default_rng(5))
    b = simulate_annotations(truth, labs, CLASSES, rng=np.random.default_rng(5))
    c = simulate_annotations(truth, labs, CLASSES, rng=np.random.default_rng(6))
    assert a == b
    assert a != c
    assert make_workforce(12, ["A", "B"], 2, ["US", "DE"], rng=3) == labs


def test_skip_rate_respected() -> None:
    labs = [_lab(0, skip_rate=0.2), _lab(1, skip_rate=0.0), _lab(2, skip_rate=0.05)]
    out = simulate_annotations(_truth(5000), labs, CLASSES, per_item=(3, 3), rng=2)
    for w, rate in enumerate([0.2, 0.0, 0.05]):
        skipped = sum(1 for anns in out for a in anns if a.labeler == w and a.label is None)
        ci = binomtest(skipped, 5000).proportion_ci(confidence_level=0.999)
        assert ci.low <= rate <= ci.high


def test_per_item_distinct_labelers_in_range_and_faster_labelers_do_more() -> None:
    labs = [_lab(i, speed=s) for i, s in enumerate([5.0, 10.0, 20.0, 40.0, 40.0])]
    out = simulate_annotations(_truth(4000), labs, CLASSES, per_item=(2, 3), rng=4)
    sizes = Counter(len(anns) for anns in out)
    assert set(sizes) == {2, 3}
    assert all(len({a.labeler for a in anns}) == len(anns) for anns in out)
    done = Counter(a.labeler for anns in out for a in anns)
    assert done[0] > done[1] > done[2] > done[3]


def test_lead_time_median_and_created_at_is_each_labelers_running_total() -> None:
    labs = [_lab(0, speed=30.0, speed_sigma=0.5), _lab(1, speed=8.0, speed_sigma=0.2)]
    out = simulate_annotations(_truth(3000), labs, CLASSES, per_item=(1, 2), rng=6)
    for w, median in enumerate([30.0, 8.0]):
        mine = [a for anns in out for a in anns if a.labeler == w and a.label is not None]
        assert abs(np.median([a.lead_time for a in mine]) / median - 1) < 0.08
        times = [a.created_at for anns in out for a in anns if a.labeler == w]
        leads = [a.lead_time for anns in out for a in anns if a.labeler == w]
        assert all(np.diff(times) > 0)
        assert times[-1] >= sum(leads) - 1e-6


def test_confusion_bias_steers_wrong_answers() -> None:
    lab = _lab(0, accuracy=0.5, confusion={"insult": {"harassment": 1.0}})
    out = simulate_annotations(["insult"] * 2000, [lab], CLASSES, per_item=(1, 1), rng=8)
    wrong = Counter(a.label for anns in out for a in anns if a.label not in ("insult", None))
    assert set(wrong) == {"harassment"}
    # uniform when no bias: every other class shows up
    out = simulate_annotations(["none"] * 2000, [lab], CLASSES, per_item=(1, 1), rng=8)
    wrong = Counter(a.label for anns in out for a in anns if a.label not in ("none", None))
    assert set(wrong) == set(CLASSES) - {"none"}


def test_make_workforce_spreads_vendors_sites_markets_and_skill() -> None:
    vendors = ["Acme BPO", "Bright Data Services", "Crowd Co"]
    crew = make_workforce(
        40, vendors, 2, ["US", "DE", "BR"], rng=11, confusions=[("insult", "harassment")]
    )
    assert len(crew) == 40 and len({c.email for c in crew}) == 40
    assert {c.vendor for c in crew} == set(vendors)
    assert len({(c.vendor, c.site) for c in crew}) == 6
    assert {c.market for c in crew} == {"US", "DE", "BR"}
    for v in vendors:
        assert len({c.market for c in crew if c.vendor == v}) >= 2
    weak = [c for c in crew if c.accuracy < 0.7]
    assert 2 <= len(weak) <= 10
    assert all(0.55 <= c.accuracy <= 0.97 for c in crew)
    assert len({c.speed for c in crew}) == 40
    assert any(c.confusion for c in crew)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: _lab(0, accuracy=1.2), "accuracy"),
        (lambda: _lab(0, skip_rate=1.0), "skip_rate"),
        (lambda: _lab(0, speed=0), "speed"),
        (lambda: simulate_annotations(["x"], [_lab(0)], CLASSES, per_item=(1, 1)), "true labels"),
        (lambda: simulate_annotations(["none"], [_lab(0)], CLASSES, per_item=(2, 3)), "per_item"),
        (lambda: simulate_annotations(["none"], [_lab(0)], ["none"]), "classes"),
        (lambda: make_workforce(0, ["A"], 1, ["US"]), "n must"),
        (lambda: make_workforce(3, ["A"], {"B": ["x"]}, ["US"]), "no sites"),
    ],
)
def test_bad_input_names_the_problem(call, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=match):
        call()


def test_empty_items() -> None:
    assert simulate_annotations([], [_lab(0), _lab(1)], CLASSES, per_item=(1, 2)) == []
