"""Hypothesis properties of injection plans over random pools, labelers and histories."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelqa.gold import GoldItem, next_gold_for, plan_injection

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    n_labelers = draw(st.integers(1, 6))
    labelers = [f"u{j}" for j in range(n_labelers)]
    n_items = draw(st.integers(0, 25))
    strata = draw(st.integers(1, 4))
    max_exposure = draw(st.integers(1, 4))
    pool = []
    for k in range(n_items):
        seen = draw(st.frozensets(st.sampled_from([*labelers, "gone"]), max_size=3))
        exposure = draw(st.integers(0, 4))
        pool.append(
            GoldItem(k, (f"c{draw(st.integers(0, strata - 1))}",), exposure=exposure, seen_by=seen)
        )
    rate = draw(st.sampled_from([0.01, 0.05, 0.2, 0.5, 0.9, 1.0]))
    n_ordinary = 0 if rate == 1.0 else draw(st.integers(0, 200))
    return {
        "pool": pool,
        "labelers": labelers,
        "rate": rate,
        "n_ordinary": n_ordinary,
        "per_labeler_min": draw(st.integers(0, 4)),
        "max_exposure": max_exposure,
        "stratify": draw(st.sampled_from(["proportional", "balanced"])),
        "seed": draw(st.integers(0, 2**16)),
    }


@FAST
@given(scenarios())
def test_plans_never_break_the_hard_rules(sc: dict) -> None:
    pool, labelers = sc["pool"], sc["labelers"]
    try:
        plan = plan_injection(
            pool,
            sc["n_ordinary"],
            rate=sc["rate"],
            labelers=labelers,
            per_labeler_min=sc["per_labeler_min"],
            max_exposure=sc["max_exposure"],
            stratify=sc["stratify"],
            seed=sc["seed"],
        )
    except ValueError as err:
        msg = str(err)
        assert msg.startswith("gold pool too small") and "needs" in msg and "available" in msg
        return
    copies = plan.copies
    by_id = {g.gold_item_id: g for g in pool}
    # nobody sees an item twice, nor an item they saw before
    assert not copies.duplicated(["gold_item_id", "labeler"]).any()
    assert all(
        lab not in by_id[g].seen_by
        for g, lab in zip(copies["gold_item_id"], copies["labeler"], strict=True)
    )
    # exposure never exceeds max_exposure
    for gid, n in plan.copies_per_item().items():
        assert by_id[gid].effective_exposure + n <= sc["max_exposure"]
    # counts: rate and per-labeler minimum
    if sc["rate"] < 1:
        assert plan.n_gold >= math.ceil(sc["rate"] * sc["n_ordinary"] / (1 - sc["rate"]) - 1e-9)
    per_lab = copies.groupby("labeler").size().reindex(labelers, fill_value=0)
    assert (per_lab >= sc["per_labeler_min"]).all() and per_lab.max() - per_lab.min() <= 1
    # positions: distinct slots of the batch
    pos = copies["position"].to_numpy()
    assert len(set(pos.tolist())) == len(pos) and (pos < plan.n_total).all()
    assert sum(plan.targets.values()) == plan.n_gold


@FAST
@given(
    n_items=st.integers(1, 30),
    n_labelers=st.integers(1, 6),
    max_exposure=st.integers(1, 4),
    per_min=st.integers(0, 6),
    seed=st.integers(0, 1000),
)
def test_fresh_pools_that_are_large_enough_always_plan(
    n_items: int, n_labelers: int, max_exposure: int, per_min: int, seed: int
) -> None:
    pool = [GoldItem(k, (f"c{k % 3}",)) for k in range(n_items)]
    labelers = [f"u{j}" for j in range(n_labelers)]
    total = per_min * n_labelers
    feasible = total <= n_items * max_exposure and per_min <= n_items
    try:
        plan = plan_injection(
            pool,
            0,
            rate=1,
            labelers=labelers,
            per_labeler_min=per_min,
            max_exposure=max_exposure,
            seed=seed,
        )
    except ValueError:
        assert not feasible
    else:
        assert feasible and plan.n_gold == total


@FAST
@given(scenarios(), st.integers(0, 1000))
def test_next_gold_for_picks_an_allowed_item(sc: dict, seed: int) -> None:
    pool, lab = sc["pool"], sc["labelers"][0]
    pick = next_gold_for(
        lab, pool, max_exposure=sc["max_exposure"], rng=np.random.default_rng(seed)
    )
    allowed = [
        g for g in pool if lab not in g.seen_by and g.effective_exposure < sc["max_exposure"]
    ]
    if pick is None:
        assert not allowed
    else:
        assert pick in {g.gold_item_id for g in allowed}
        least = min(
            g.effective_exposure
            for g in allowed
            if g.stratum == next(a.stratum for a in allowed if a.gold_item_id == pick)
        )
        assert next(a for a in allowed if a.gold_item_id == pick).effective_exposure == least
