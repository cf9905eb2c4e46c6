"""Qualification rule: hand-checked decisions, statsmodels bounds, operating characteristics,
and the recalibration list built from labelqa.metrics output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import labelqa.metrics as lm
from labelqa.gold import QualificationRule, operating_characteristics, recalibration_list
from labelqa.simulation import SimulatedLabeler, simulate_annotations

RULE = QualificationRule()  # target 0.9, confidence 0.95, wilson, min 10, max 50


@pytest.mark.parametrize(
    ("correct", "n", "expected"),
    [
        (9, 9, "continue"),  # below min_items: no decision however good
        (0, 9, "continue"),
        (10, 10, "continue"),  # Wilson lower 10/13.84 = 0.72
        (5, 10, "fail"),  # Wilson upper 0.76 < 0.9
        (7, 10, "fail"),  # upper 0.892 < 0.9
        (8, 10, "continue"),  # upper 0.943
        (34, 34, "continue"),  # lower 34/37.84 = 0.8985
        (35, 35, "pass"),  # lower 35/38.84 = 0.9011
        (48, 49, "continue"),
        (45, 50, "pass"),  # at max_items: point estimate 0.90 = target, tie passes
        (44, 50, "fail"),  # 0.88 < target
        (90, 100, "pass"),  # beyond max_items still decided by the point estimate
        (89, 100, "fail"),
    ],
)
def test_hand_checked_decisions(correct, n, expected):
    assert RULE.decide(correct, n) == expected


def test_hand_checked_bounds_behind_the_cases():
    low, _ = lm.wilson_interval(35, 35)
    assert low == pytest.approx(35 / (35 + 1.959964**2), abs=1e-6) and low > 0.9
    _, high = lm.wilson_interval(7, 10)
    assert 0.89 < high < 0.9


def test_decide_many_matches_decide_and_broadcasts():
    n = np.arange(0, 61)
    correct = (0.93 * n).astype(int)
    many = RULE.decide_many(correct, n)
    assert many.shape == n.shape
    assert many.tolist() == [RULE.decide(int(c), int(t)) for c, t in zip(correct, n, strict=True)]
    grid = RULE.decide_many(np.arange(51)[:, None].clip(0, 50), np.full((51, 1), 50))
    assert grid.shape == (51, 1) and set(grid.ravel()) == {"pass", "fail"}


@pytest.mark.parametrize(
    ("method", "sm_method"), [("wilson", "wilson"), ("clopper-pearson", "beta")]
)
@pytest.mark.parametrize("target", [0.8, 0.9, 0.95])
def test_decisions_match_statsmodels_bounds(method, sm_method, target):
    rule = QualificationRule(
        target=target, confidence=0.95, method=method, min_items=5, max_items=80
    )
    n = np.concatenate([np.full(k + 1, k) for k in range(5, 80)])
    c = np.concatenate([np.arange(k + 1) for k in range(5, 80)])
    low, high = proportion_confint(c, n, alpha=0.05, method=sm_method)
    expected = np.where(low >= target, "pass", np.where(high < target, "fail", "continue"))
    near = np.isclose(low, target, atol=1e-9) | np.isclose(high, target, atol=1e-9)
    got = rule.decide_many(c, n)
    assert (got[~near] == expected[~near]).all()


def test_thresholds_table():
    th = RULE.thresholds()
    assert th.index[0] == 10 and th.index[-1] == 50
    assert th.loc[35, "pass_at_least"] == 35 and pd.isna(th.loc[34, "pass_at_least"])
    assert th.loc[10, "fail_at_most"] == 7 and th.loc[50, "pass_at_least"] == 45
    assert th.loc[50, "fail_at_most"] == 44


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": 1.0}, "target must be in"),
        ({"target": 0}, "target must be in"),
        ({"confidence": 1.0}, "confidence must be in"),
        ({"method": "wald"}, "method must be"),
        ({"min_items": 0}, "min_items must be an int >= 1"),
        ({"max_items": 2.5}, "max_items must be an int >= 1"),
        ({"min_items": 20, "max_items": 10}, "max_items must be >= min_items"),
    ],
)
def test_bad_rules(kwargs, match):
    with pytest.raises(ValueError, match=match):
        QualificationRule(**kwargs)


@pytest.mark.parametrize(("correct", "n"), [(11, 10), (-1, 10), (1, -1), (1.5, 3)])
def test_bad_counts(correct, n):
    with pytest.raises(ValueError, match=r"correct|counts"):
        RULE.decide(correct, n)


# --- operating characteristics --------------------------------------------------------------


def exact_oc(rule: QualificationRule, p: float) -> tuple[float, float]:
    """P(pass), P(fail) by dynamic programming over (n, correct) states (reference)."""
    tab = rule.table()
    alive = np.zeros(rule.max_items + 1)
    alive[0] = 1.0
    p_pass = p_fail = 0.0
    for n in range(1, rule.max_items + 1):
        nxt = np.zeros_like(alive)
        nxt[1:] += alive[:-1] * p
        nxt += alive * (1 - p)
        p_pass += nxt[tab[n] == 1].sum()
        p_fail += nxt[tab[n] == -1].sum()
        nxt[tab[n] != 0] = 0.0
        alive = nxt
    return p_pass, p_fail


def test_operating_characteristics_are_sane():
    oc = operating_characteristics(RULE, [0.75, 0.97], n_sim=20_000, seed=0)
    assert oc.loc[0.97, "p_pass"] > 0.9
    assert oc.loc[0.75, "p_fail"] > 0.9
    assert (oc["p_continue"] == 0).all()
    assert np.allclose(oc["p_pass"] + oc["p_fail"], 1.0)
    assert ((oc["mean_items"] >= RULE.min_items) & (oc["mean_items"] <= RULE.max_items)).all()


def test_operating_characteristics_match_exact_probabilities():
    accs = [0.8, 0.88, 0.9, 0.95]
    n_sim = 20_000
    oc = operating_characteristics(RULE, accs, n_sim=n_sim, seed=1)
    for p in accs:
        want, _ = exact_oc(RULE, p)
        se = np.sqrt(want * (1 - want) / n_sim)
        assert abs(oc.loc[p, "p_pass"] - want) < 4 * se + 1e-3


def test_documented_operating_characteristics():
    # the module docstring table (100,000 simulations) agrees with the exact values
    for p, doc in [(0.75, 0.007), (0.85, 0.209), (0.9, 0.598), (0.95, 0.953), (0.97, 0.993)]:
        assert exact_oc(RULE, p)[0] == pytest.approx(doc, abs=0.005)


def test_operating_characteristics_monotone_in_accuracy():
    oc = operating_characteristics(RULE, np.linspace(0.6, 1.0, 9), n_sim=4_000, seed=2)
    assert np.all(np.diff(oc["p_pass"].to_numpy()) >= -0.02)
    assert oc["p_pass"].iloc[-1] == 1.0 and oc["p_fail"].iloc[0] == 1.0


def test_operating_characteristics_validate():
    with pytest.raises(ValueError, match="true_accuracies"):
        operating_characteristics(RULE, [1.2])
    with pytest.raises(ValueError, match="true_accuracies"):
        operating_characteristics(RULE, [])
    with pytest.raises(ValueError, match="n_sim must be an int >= 1"):
        operating_characteristics(RULE, [0.9], n_sim=0)
    with pytest.raises(ValueError, match="QualificationRule"):
        operating_characteristics("rule", [0.9])  # type: ignore[arg-type]


# --- recalibration --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    classes = ["ok", "spam", "scam"]
    crew = [
        SimulatedLabeler("good@x", "V", "S", "US", accuracy=0.97),
        SimulatedLabeler(
            "weak@x", "V", "S", "US", accuracy=0.6, confusion={"spam": {"scam": 10.0}}
        ),
        SimulatedLabeler("fine@x", "V", "S", "US", accuracy=0.9),
    ]
    truth = rng.choice(classes, size=300).tolist()
    answers = simulate_annotations(truth, crew, classes, per_item=(3, 3), rng=rng)
    rows = [
        {"item": i, "labeler": crew[a.labeler].email, "label": a.label}
        for i, anns in enumerate(answers)
        for a in anns
    ]
    ann = pd.DataFrame(rows)
    gold = dict(enumerate(truth))
    return lm.accuracy(ann, gold), lm.confusion(ann, gold)


def test_recalibration_lists_only_labelers_significantly_below(gold_frames):
    acc, conf = gold_frames
    out = recalibration_list(acc, target=0.9, confidence=0.95, confusion=conf)
    assert list(out.index) == ["weak@x"]
    row = out.loc["weak@x"]
    assert row["ci_high"] < 0.9 and row["shortfall"] == pytest.approx(0.9 - row["accuracy"])
    top = row["top_confusions"]
    assert top[0][:2] == ("spam", "scam") and top[0][2] == max(t[2] for t in top)
    assert len(top) <= 3 and all(g != given for g, given, _ in top)


def test_recalibration_without_confusion_and_with_frame_intervals(gold_frames):
    acc, _ = gold_frames
    out = recalibration_list(acc, target=0.99, confidence=None)
    assert set(out.index) == set(acc.index[acc["ci_high"] < 0.99])
    assert out["ci_high"].is_monotonic_increasing
    assert all(t == [] for t in out["top_confusions"])


def test_recalibration_against_hand_counts():
    acc = pd.DataFrame(
        {"n": [50, 50, 10], "correct": [40, 47, 8]},
        index=pd.Index(["a", "b", "c"], name="labeler"),
    )
    acc["accuracy"] = acc["correct"] / acc["n"]
    acc["ci_low"], acc["ci_high"] = 0.0, 1.0  # stale intervals are recomputed
    out = recalibration_list(acc, target=0.9, confidence=0.95)
    # a: 40/50 Wilson upper 0.888 < 0.9; b: 47/50 upper 0.979; c: 8/10 upper 0.943
    assert list(out.index) == ["a"]
    assert out.loc["a", "ci_high"] == pytest.approx(proportion_confint(40, 50, method="wilson")[1])


def test_recalibration_validates():
    with pytest.raises(ValueError, match="missing"):
        recalibration_list(pd.DataFrame({"n": [1]}), 0.9)
    with pytest.raises(ValueError, match="target must be in"):
        recalibration_list(pd.DataFrame(), 1.5)
    acc = pd.DataFrame(
        {"n": [10], "correct": [1], "accuracy": [0.1], "ci_low": [0.0], "ci_high": [0.4]},
        index=["a"],
    )
    with pytest.raises(ValueError, match="MultiIndex"):
        recalibration_list(acc, 0.9, confusion=pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="top must be"):
        recalibration_list(acc, 0.9, top=-1)
