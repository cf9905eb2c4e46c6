"""Gold injection planning: counts, errors, exposure rules, stratification, interleaving."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from labelqa.gold import (
    GoldItem,
    InjectionPlan,
    as_gold_pool,
    gold_task_payload,
    next_gold_for,
    plan_injection,
    task_payload,
)

LABELERS = [f"lab{j}" for j in range(8)]


def make_pool(counts: dict[str, int], **kw: object) -> list[GoldItem]:
    items, k = [], 0
    for label, n in counts.items():
        for _ in range(n):
            items.append(GoldItem(f"g{k}", (label,), **kw))  # type: ignore[arg-type]
            k += 1
    return items


def check_rules(plan: InjectionPlan, pool: list[GoldItem], per_min: int = 0) -> None:
    """Hard rules: no repeats, nobody gets an item they saw, exposure <= max, per-labeler min."""
    c = plan.copies
    assert not c.duplicated(["gold_item_id", "labeler"]).any()
    by_id = {g.gold_item_id: g for g in pool}
    for gid, lab in zip(c["gold_item_id"], c["labeler"], strict=True):
        assert lab not in by_id[gid].seen_by
    per_item = plan.copies_per_item()
    for gid, n in per_item.items():
        assert by_id[gid].effective_exposure + n <= plan.max_exposure
    assert (c.groupby("labeler").size() >= per_min).all()
    pos = c["position"].to_numpy()
    assert np.all(np.diff(pos) > 0) and (pos.size == 0 or (pos[0] >= 0 and pos[-1] < plan.n_total))
    assert np.array_equal(c["after_ordinary"].to_numpy(), pos - np.arange(len(c)))


# --- counts ---------------------------------------------------------------------------------


def test_rate_sets_the_share_of_gold():
    pool = make_pool({"a": 60, "b": 40})
    plan = plan_injection(pool, 950, rate=0.05, labelers=LABELERS, seed=1)
    assert plan.n_gold == 50  # 0.05 * 950 / 0.95
    assert plan.n_total == 1000 and plan.achieved_rate == pytest.approx(0.05)
    plan = plan_injection(pool, 1000, rate=0.05, labelers=LABELERS, seed=1)
    assert plan.n_gold == math.ceil(0.05 * 1000 / 0.95) and plan.achieved_rate >= 0.05
    check_rules(plan, pool)


def test_per_labeler_min_raises_the_total_and_splits_evenly():
    pool = make_pool({"a": 30, "b": 30})
    plan = plan_injection(pool, 100, rate=0.01, labelers=LABELERS, per_labeler_min=4, seed=2)
    assert plan.n_gold == 32
    per_lab = plan.copies.groupby("labeler").size()
    assert set(per_lab.index) == set(LABELERS) and (per_lab == 4).all()
    plan = plan_injection(pool, 1000, rate=0.05, labelers=LABELERS, per_labeler_min=1, seed=2)
    per_lab = plan.copies.groupby("labeler").size()
    assert per_lab.max() - per_lab.min() <= 1 and per_lab.sum() == plan.n_gold


def test_rate_one_is_a_gold_only_quiz():
    pool = make_pool({"a": 10, "b": 10})
    plan = plan_injection(pool, 0, rate=1, labelers=LABELERS[:3], per_labeler_min=12, seed=0)
    assert plan.n_gold == 36 and plan.n_ordinary == 0
    assert plan.copies["position"].tolist() == list(range(36))
    check_rules(plan, pool, per_min=12)


def test_empty_batch_gives_an_empty_plan():
    plan = plan_injection(make_pool({"a": 2}), 0, rate=0.1, labelers=["x"], seed=0)
    assert plan.n_gold == 0 and plan.n_total == 0 and plan.achieved_rate == 0.0
    assert list(plan.copies.columns) == [
        "position",
        "after_ordinary",
        "gold_item_id",
        "labeler",
        "stratum",
        "difficulty",
    ]


def test_same_seed_same_plan():
    pool = make_pool({"a": 30, "b": 20})
    p1 = plan_injection(pool, 500, rate=0.1, labelers=LABELERS, max_exposure=3, seed=9)
    p2 = plan_injection(pool, 500, rate=0.1, labelers=LABELERS, max_exposure=3, seed=9)
    pd.testing.assert_frame_equal(p1.copies, p2.copies)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0, 0.0, -0.1, 1.0001, 2, float("nan"), "x", None])
def test_rate_outside_zero_one_is_rejected(rate):
    with pytest.raises(ValueError, match=r"rate must be .*\(0, 1\]"):
        plan_injection(make_pool({"a": 50}), 100, rate=rate, labelers=LABELERS)


def test_rate_one_with_ordinary_items_is_rejected():
    with pytest.raises(ValueError, match="n_ordinary must be 0"):
        plan_injection(make_pool({"a": 50}), 10, rate=1.0, labelers=LABELERS, per_labeler_min=1)


def test_pool_too_small_for_the_rate_names_needed_and_available():
    pool = make_pool({"a": 6, "b": 4})  # 10 items x max_exposure 2 = 20 exposures
    with pytest.raises(ValueError) as err:
        plan_injection(pool, 1000, rate=0.05, labelers=LABELERS, max_exposure=2)
    msg = str(err.value)
    assert "gold pool too small" in msg
    assert "needs 53 gold copies" in msg and "at least 27 gold items" in msg
    assert "10 available" in msg and "max_exposure=2" in msg


def test_pool_too_small_counts_exhausted_items():
    pool = make_pool({"a": 10}, exposure=3) + [GoldItem(f"fresh{k}", ("b",)) for k in range(10)]
    with pytest.raises(ValueError) as err:
        plan_injection(pool, 0, rate=1, labelers=LABELERS[:4], per_labeler_min=5, max_exposure=1)
    msg = str(err.value)
    assert "per_labeler_min 5 x 4 labelers needs 20 gold copies" in msg
    assert "at least 20 gold items at max_exposure=1; 10 available" in msg
    assert "20 in the pool, 10 at max exposure" in msg and "rate" not in msg


def test_pool_too_small_for_one_labeler_names_the_labeler():
    pool = make_pool({"a": 10})
    pool = [
        GoldItem(g.gold_item_id, g.labels, seen_by=frozenset({"lab0"}) if k < 8 else frozenset())
        for k, g in enumerate(pool)
    ]
    with pytest.raises(ValueError, match=r"needs 3 gold items for labeler 'lab0', 2 available"):
        plan_injection(pool, 0, rate=1.0, labelers=["lab0", "lab1"], per_labeler_min=3)


def test_infeasible_by_structure_is_found_exactly():
    # Counts pass (6 exposures left for 6 copies; lab0 and lab1 each have 2 items), but
    # lab0 and lab1 can only use A and B, which have one exposure left each.
    both = frozenset({"lab0", "lab1"})
    pool = [
        GoldItem("A", ("a",), exposure=3),
        GoldItem("B", ("a",), exposure=3),
        GoldItem("C", ("b",), seen_by=both),
        GoldItem("D", ("b",), seen_by=both),
    ]
    with pytest.raises(ValueError) as err:
        plan_injection(
            pool, 0, rate=1, labelers=["lab0", "lab1", "lab2"], per_labeler_min=2, max_exposure=4
        )
    msg = str(err.value)
    assert "needs 6 gold copies, but only 4 can be placed" in msg
    assert "needs at least 5 available gold items, 4 available" in msg


def test_flow_fallback_keeps_the_rules():
    # lab0 has seen g2-g5, so it may only use g0 and g1; others prefer g0/g1 (least exposed)
    # and can take their last exposures first: the greedy pass then gets stuck.
    pool = [
        GoldItem(f"g{k}", ("a",), seen_by=frozenset({"lab0"}) if k >= 2 else frozenset())
        for k in range(6)
    ]
    used_flow = 0
    for seed in range(40):
        plan = plan_injection(
            pool,
            0,
            rate=1,
            labelers=["lab0", "lab1", "lab2"],
            per_labeler_min=2,
            max_exposure=2,
            seed=seed,
        )
        check_rules(plan, pool, per_min=2)
        assert plan.n_gold == 6
        used_flow += plan.used_flow
    assert used_flow > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"per_labeler_min": -1}, "per_labeler_min must be an int >= 0"),
        ({"max_exposure": 0}, "max_exposure must be an int >= 1"),
        ({"stratify": "random"}, "stratify must be 'proportional' or 'balanced'"),
        ({"labelers": []}, "at least one labeler"),
        ({"labelers": ["a", "a"]}, "distinct"),
    ],
)
def test_bad_arguments(kwargs, match):
    args = {"rate": 0.1, "labelers": LABELERS, **kwargs}
    with pytest.raises(ValueError, match=match):
        plan_injection(make_pool({"a": 50}), 100, **args)


def test_bad_n_ordinary():
    with pytest.raises(ValueError, match="n_ordinary must be an int >= 0"):
        plan_injection(make_pool({"a": 5}), -1, rate=0.1, labelers=LABELERS)


def test_bad_pools():
    with pytest.raises(ValueError, match="duplicated gold_item_id"):
        as_gold_pool([GoldItem(1, ("a",)), GoldItem(1, ("b",))])
    with pytest.raises(ValueError, match="labels must be one or more"):
        GoldItem(1, ())
    with pytest.raises(ValueError, match="exposure must be >= 0"):
        GoldItem(1, ("a",), exposure=-1)
    with pytest.raises(ValueError, match="columns gold_item_id and label"):
        as_gold_pool(pd.DataFrame({"id": [1], "label": ["a"]}))
    with pytest.raises(ValueError, match="'label' or 'labels' column"):
        as_gold_pool(pd.DataFrame({"gold_item_id": [1]}))
    with pytest.raises(ValueError, match="DataFrame or GoldItems"):
        as_gold_pool([{"gold_item_id": 1}])  # type: ignore[list-item]


def test_frame_pool_is_accepted():
    frame = pd.DataFrame(
        {
            "gold_item_id": [1, 2, 3, 4],
            "label": ["a", "a", "b", "b"],
            "difficulty": [0.1, None, 0.5, 0.9],
            "exposure": [0, 1, 2, 0],
            "seen_by": [[], ["x"], ["x", "y"], []],
        }
    )
    pool = as_gold_pool(frame)
    assert pool[1].seen_by == frozenset({"x"}) and pool[1].difficulty is None
    assert pool[2].effective_exposure == 2 and pool[0].stratum == "a"
    plan = plan_injection(
        frame, 0, rate=1, labelers=["x", "y", "z"], per_labeler_min=1, max_exposure=3, seed=0
    )
    check_rules(plan, list(pool), per_min=1)
    assert plan.copies.loc[plan.copies["labeler"] == "x", "gold_item_id"].isin([1, 4]).all()


def test_multi_label_items_stratify_by_label_set():
    assert GoldItem(1, ("b", "a", "b")).stratum == "a+b"
    assert GoldItem(1, ("b", "a"), stratum="rare").stratum == "rare"
    assert GoldItem(1, "a").labels == ("a",)


# --- exposure -------------------------------------------------------------------------------


def test_exposure_and_seen_by_are_respected():
    rng = np.random.default_rng(0)
    pool = [
        GoldItem(
            f"g{k}",
            ("abc"[k % 3],),
            exposure=int(rng.integers(0, 3)),
            seen_by=frozenset(
                rng.choice(LABELERS, size=int(rng.integers(0, 3)), replace=False).tolist()
            ),
        )
        for k in range(80)
    ]
    plan = plan_injection(
        pool, 2000, rate=0.04, labelers=LABELERS, per_labeler_min=5, max_exposure=3, seed=4
    )
    check_rules(plan, pool, per_min=5)


def test_least_exposed_items_are_used_first():
    pool = [GoldItem(f"old{k}", ("a",), exposure=2) for k in range(10)]
    pool += [GoldItem(f"new{k}", ("a",)) for k in range(10)]
    plan = plan_injection(
        pool, 0, rate=1, labelers=LABELERS[:2], per_labeler_min=5, max_exposure=3, seed=0
    )
    assert plan.copies["gold_item_id"].str.startswith("new").all()


# --- stratification -------------------------------------------------------------------------


def test_proportional_stratification_follows_pool_shares():
    pool = make_pool({"a": 100, "b": 60, "c": 30, "d": 10})
    plan = plan_injection(pool, 1900, rate=0.05, labelers=LABELERS, seed=3)
    counts = plan.copies["stratum"].value_counts()
    shares = {"a": 0.5, "b": 0.3, "c": 0.15, "d": 0.05}
    for s, share in shares.items():
        assert abs(counts.get(s, 0) - share * plan.n_gold) <= 1
    assert plan.targets == {"a": 50, "b": 30, "c": 15, "d": 5}


def test_balanced_stratification_is_equal_when_it_can_be():
    pool = make_pool({"a": 100, "b": 60, "c": 30, "d": 10})
    plan = plan_injection(
        pool, 1900, rate=0.05, labelers=LABELERS, max_exposure=3, stratify="balanced", seed=3
    )
    counts = plan.copies["stratum"].value_counts()
    assert counts.max() - counts.min() <= 1 and len(counts) == 4


def test_balanced_stratification_caps_small_strata():
    pool = make_pool({"a": 100, "b": 2})
    plan = plan_injection(
        pool, 950, rate=0.05, labelers=LABELERS, max_exposure=2, stratify="balanced", seed=3
    )
    assert plan.targets == {"a": 46, "b": 4}
    assert plan.copies["stratum"].value_counts()["b"] == 4


def test_strata_are_mixed_over_time():
    pool = make_pool({"a": 100, "b": 100})
    plan = plan_injection(pool, 1900, rate=0.05, labelers=LABELERS, seed=5)
    strata = plan.copies["stratum"].to_numpy()
    first, second = strata[: plan.n_gold // 2], strata[plan.n_gold // 2 :]
    assert abs((first == "a").sum() - (second == "a").sum()) <= 3


# --- interleaving ---------------------------------------------------------------------------


@pytest.mark.parametrize(("n_ordinary", "rate"), [(1000, 0.05), (97, 0.3), (10, 0.5), (5000, 0.01)])
def test_interleaving_spreads_gold_over_the_batch(n_ordinary, rate):
    pool = make_pool({"a": 200, "b": 200})
    plan = plan_injection(pool, n_ordinary, rate=rate, labelers=LABELERS, seed=6)
    seq = plan.sequence() >= 0
    n, g = plan.n_total, plan.n_gold
    cum = np.r_[0, np.cumsum(seq)]
    for m in (1, 5, 20, max(1, n // g), n // 4):
        in_window = cum[m:] - cum[:-m]
        assert in_window.max() <= math.ceil(m * g / n) + 1
    # not clumped at the end: each quarter of the batch holds about a quarter of the gold
    quarters = np.array_split(seq, 4)
    assert all(abs(q.sum() - g / 4) <= 1 + g / n * 1 for q in quarters)


def test_each_labelers_gold_is_spread_too():
    pool = make_pool({"a": 200})
    plan = plan_injection(pool, 9500, rate=0.05, labelers=LABELERS, seed=7)
    for _, rows in plan.copies.groupby("labeler"):
        pos = rows["position"].to_numpy()
        assert pos.min() < plan.n_total * 0.2 and pos.max() > plan.n_total * 0.8


def test_positions_are_not_periodic():
    pool = make_pool({"a": 200})
    plan = plan_injection(pool, 9500, rate=0.05, labelers=LABELERS, seed=8)
    gaps = np.diff(plan.copies["position"].to_numpy())
    assert len(set(gaps.tolist())) > 10


def test_interleave_merges_in_plan_order():
    pool = make_pool({"a": 20})
    plan = plan_injection(pool, 30, rate=0.25, labelers=LABELERS[:2], seed=1)
    ordinary = [f"o{k}" for k in range(30)]
    gold = [f"G{k}" for k in range(plan.n_gold)]
    merged = plan.interleave(ordinary, gold)
    assert len(merged) == plan.n_total
    assert [x for x in merged if x.startswith("o")] == ordinary
    assert [merged[p] for p in plan.copies["position"]] == gold
    with pytest.raises(ValueError, match="expected 30 ordinary"):
        plan.interleave(ordinary[:-1], gold)


# --- payloads -------------------------------------------------------------------------------


def test_gold_payload_is_exactly_an_ordinary_payload():
    data = {"title": "Glock 19, two mags", "description": "barely used", "image": "s3://x.jpg"}
    ordinary_task = {"data": dict(data)}  # what the ordinary import builds (scripts/demo_seed)
    gold = gold_task_payload(data)
    assert gold == ordinary_task == task_payload(data)
    assert list(gold) == ["data"] and list(gold["data"]) == list(data)
    assert json.dumps(gold) == json.dumps(ordinary_task) == json.dumps(task_payload(data))
    assert gold["data"] is not data  # a copy: mutating the payload cannot touch the item


def test_payload_follows_the_task_field_order():
    fields = ["title", "description", "image"]
    data = {"image": "i", "title": "t", "description": "d"}
    gold = gold_task_payload(data, fields)
    assert list(gold["data"]) == fields and gold == task_payload(data, fields)
    with pytest.raises(ValueError, match="exactly the task fields"):
        gold_task_payload({**data, "gold_label": "firearms"}, fields)
    with pytest.raises(ValueError, match="exactly the task fields"):
        gold_task_payload({"title": "t"}, fields)
    with pytest.raises(ValueError, match="dict of task fields"):
        gold_task_payload(["title"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="str field names"):
        gold_task_payload({1: "x"})  # type: ignore[dict-item]


# --- rotation -------------------------------------------------------------------------------


def test_next_gold_for_skips_seen_and_exhausted_items():
    pool = [
        GoldItem("seen", ("a",), seen_by=frozenset({"u"})),
        GoldItem("full", ("a",), exposure=3),
        GoldItem("ok", ("a",), exposure=1),
    ]
    assert next_gold_for("u", pool, max_exposure=3, rng=0) == "ok"
    assert next_gold_for("u", pool, exposures={"ok": 3}, max_exposure=3, rng=0) is None
    assert next_gold_for("u", [], rng=0) is None


def test_next_gold_for_prefers_balance_then_least_exposed():
    pool = [
        GoldItem("a_seen", ("a",), seen_by=frozenset({"u"})),
        GoldItem("a_fresh", ("a",)),
        GoldItem("b_used", ("b",), exposure=2),
        GoldItem("b_less", ("b",), exposure=1),
    ]
    # u has seen one 'a' and no 'b': a 'b' item, the least exposed one
    assert {next_gold_for("u", pool, max_exposure=3, rng=s) for s in range(10)} == {"b_less"}
    assert next_gold_for("v", pool, exposures={"a_fresh": 0, "a_seen": 2}, rng=0) == "a_fresh"


def test_next_gold_for_rotates_through_the_pool():
    pool = make_pool({"a": 4, "b": 4})
    seen: dict[str, set[str]] = {g.gold_item_id: set() for g in pool}
    rng = np.random.default_rng(0)
    for _ in range(16):
        for lab in ("u", "v"):
            current = [
                GoldItem(g.gold_item_id, g.labels, seen_by=frozenset(seen[g.gold_item_id]))
                for g in pool
            ]
            pick = next_gold_for(lab, current, max_exposure=2, rng=rng)
            if pick is not None:
                assert lab not in seen[pick]
                seen[pick].add(lab)
    assert all(s == {"u", "v"} for s in seen.values())


def test_next_gold_for_validates():
    with pytest.raises(ValueError, match="max_exposure must be an int >= 1"):
        next_gold_for("u", make_pool({"a": 1}), max_exposure=0)


def test_the_gold_core_does_no_io_imports():
    import subprocess
    import sys

    code = (
        "import sys, labelqa.gold; "
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'connectors', 'labelqa.settings', "
        "'label_studio_sdk', 'httpx') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
