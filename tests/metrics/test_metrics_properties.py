"""Hypothesis properties: ranges, invariances, symmetry, intervals containing estimates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelqa.metrics as lm

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL = 1e-9


@st.composite
def frames(draw: st.DrawFn, min_rows: int = 0) -> pd.DataFrame:
    """Small long frames: <= 8 items, <= 5 labelers, <= 4 classes, one label per cell."""
    n_items = draw(st.integers(1, 8))
    n_labelers = draw(st.integers(1, 5))
    k = draw(st.integers(1, 4))
    cells = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_items - 1), st.integers(0, n_labelers - 1), st.integers(0, k - 1)
            ),
            min_size=min_rows,
            max_size=40,
            unique_by=lambda t: (t[0], t[1]),
        )
    )
    return pd.DataFrame(cells, columns=["item", "labeler", "label"]).astype(
        {"item": np.int64, "labeler": np.int64, "label": np.int64}
    )


def defined(fn: Callable[[], Any]) -> Any:
    """Result of fn, or None when the metric is (documentedly) undefined for this frame."""
    try:
        return fn()
    except ValueError:
        return None


SCALARS: dict[str, Callable[[pd.DataFrame], lm.AgreementResult]] = {
    "fleiss": lambda a: lm.fleiss_kappa(a),
    "alpha_nominal": lambda a: lm.krippendorff_alpha(a),
    "alpha_ordinal": lambda a: lm.krippendorff_alpha(a, level="ordinal"),
    "alpha_interval": lambda a: lm.krippendorff_alpha(a, level="interval"),
    "alpha_ratio": lambda a: lm.krippendorff_alpha(a, level="ratio"),
    "gwet": lambda a: lm.gwet_ac1(a),
    "percent": lambda a: lm.percent_agreement(a),
}


@FAST
@given(frames())
def test_ranges(ann: pd.DataFrame) -> None:
    for name, fn in SCALARS.items():
        res = defined(lambda fn=fn: fn(ann))
        if res is None:
            continue
        assert np.isfinite(res.value), name
        assert res.value <= 1 + TOL, name
        if name in ("fleiss", "gwet"):
            assert res.value >= -1 - TOL, name
        if name == "percent":
            assert -TOL <= res.value <= 1 + TOL
    pairs = lm.cohen_kappa_pairs(ann)
    assert ((pairs["agreement"] >= 0) & (pairs["agreement"] <= 1)).all()
    kappa = pairs["kappa"].dropna()
    assert ((kappa >= -1 - TOL) & (kappa <= 1 + TOL)).all()
    # kappa is NaN only where chance agreement is 1, i.e. perfect agreement
    assert (pairs.loc[pairs["kappa"].isna(), "agreement"] == 1).all()
    per_class = defined(lambda: lm.per_class_agreement(ann))
    if per_class is not None:
        sa = per_class["specific_agreement"].dropna()
        assert ((sa >= 0) & (sa <= 1 + TOL)).all()
        assert per_class.loc[per_class["n"] == 0, "specific_agreement"].isna().all()


@FAST
@given(frames(), st.randoms(use_true_random=False))
def test_invariant_to_relabeling_categories(ann: pd.DataFrame, rnd: Any) -> None:
    labels = sorted(ann["label"].unique())
    shuffled = labels[:]
    rnd.shuffle(shuffled)
    mapping = {old: f"cat-{new}" for old, new in zip(labels, shuffled, strict=True)}
    renamed = ann.assign(label=ann["label"].map(mapping))
    for name in ("fleiss", "alpha_nominal", "gwet", "percent"):
        a = defined(lambda name=name: SCALARS[name](ann))
        b = defined(lambda name=name: SCALARS[name](renamed))
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.value == pytest.approx(b.value, abs=TOL), name
    p1, p2 = lm.cohen_kappa_pairs(ann), lm.cohen_kappa_pairs(renamed)
    pd.testing.assert_frame_equal(p1, p2, check_exact=False, atol=TOL, rtol=0)
    pc1 = defined(lambda: lm.per_class_agreement(ann))
    if pc1 is not None:
        pc2 = lm.per_class_agreement(renamed)
        pc2.index = pc2.index.map({v: k for k, v in mapping.items()})
        pd.testing.assert_frame_equal(
            pc1.sort_index(), pc2.sort_index(), check_exact=False, atol=TOL, check_names=False
        )


@FAST
@given(frames(), st.integers(0, 2**32 - 1))
def test_invariant_to_row_order(ann: pd.DataFrame, seed: int) -> None:
    shuffled = ann.sample(frac=1.0, random_state=seed % (2**32 - 1)).reset_index(drop=True)
    for name, fn in SCALARS.items():
        a = defined(lambda fn=fn: fn(ann))
        b = defined(lambda fn=fn: fn(shuffled))
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.value == pytest.approx(b.value, abs=TOL), name
    pd.testing.assert_frame_equal(
        lm.cohen_kappa_pairs(ann), lm.cohen_kappa_pairs(shuffled), check_exact=False, atol=TOL
    )
    pd.testing.assert_frame_equal(lm.majority_vote(ann), lm.majority_vote(shuffled))
    gold = ann.groupby("item")["label"].first()
    pd.testing.assert_frame_equal(lm.accuracy(ann, gold), lm.accuracy(shuffled, gold))


@FAST
@given(frames())
def test_pairwise_kappa_symmetric(ann: pd.DataFrame) -> None:
    flipped = ann.assign(labeler=100 - ann["labeler"])  # reverses which labeler sorts first

    def keyed(pairs: pd.DataFrame, to_original: Callable[[Any], Any]) -> dict[Any, Any]:
        return {
            frozenset((to_original(a), to_original(b))): (n, agr, kap)
            for a, b, n, agr, kap in pairs[
                ["labeler_a", "labeler_b", "n", "agreement", "kappa"]
            ].itertuples(index=False)
        }

    one = keyed(lm.cohen_kappa_pairs(ann), lambda x: x)
    two = keyed(lm.cohen_kappa_pairs(flipped), lambda x: 100 - x)
    assert one.keys() == two.keys()
    for key, (n, agr, kap) in one.items():
        n2, agr2, kap2 = two[key]
        assert n == n2 and agr == pytest.approx(agr2)
        assert (np.isnan(kap) and np.isnan(kap2)) or kap == pytest.approx(kap2, abs=TOL)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.floats(0.5, 0.999),
    st.sampled_from(["wilson", "clopper-pearson"]),
)
def test_proportion_interval_contains_estimate(
    xn: tuple[int, int], conf: float, method: str
) -> None:
    x, n = xn
    low, high = lm.proportion_interval(x, n, conf, method)  # type: ignore[arg-type]
    assert 0.0 <= low <= x / n <= high <= 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(min_rows=6))
def test_bootstrap_intervals_contain_estimate(ann: pd.DataFrame) -> None:
    for fn in (lm.fleiss_kappa, lm.krippendorff_alpha, lm.gwet_ac1, lm.percent_agreement):
        res = defined(lambda fn=fn: fn(ann, ci=True, n_boot=50))
        if res is None:
            continue
        assert res.ci_low is not None and res.ci_high is not None
        assert res.ci_low <= res.value <= res.ci_high
    pairs = lm.cohen_kappa_pairs(ann, ci=True)
    ok = pairs["kappa"].notna()
    assert (pairs.loc[ok, "ci_low"] <= pairs.loc[ok, "kappa"] + TOL).all()
    assert (pairs.loc[ok, "kappa"] <= pairs.loc[ok, "ci_high"] + TOL).all()


@FAST
@given(frames(min_rows=1), st.sampled_from(["wilson", "clopper-pearson"]))
def test_accuracy_interval_contains_estimate(ann: pd.DataFrame, method: str) -> None:
    gold = pd.Series(0, index=ann["item"].unique())
    acc = lm.accuracy(ann, gold, method=method)  # type: ignore[arg-type]
    assert (acc["n"] >= 1).all()
    assert ((acc["ci_low"] <= acc["accuracy"]) & (acc["accuracy"] <= acc["ci_high"])).all()
    assert ((acc["accuracy"] >= 0) & (acc["accuracy"] <= 1)).all()
    assert int(acc["n"].sum()) == len(ann)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10**7),
    st.floats(0.005, 0.3),
    st.floats(0.8, 0.995),
    st.floats(0.01, 0.99),
)
def test_audit_sample_size_meets_margin(
    population: int, margin: float, confidence: float, rate: float
) -> None:
    n = lm.audit_sample_size(population, margin, confidence, rate)
    assert 1 <= n <= population
    assert lm.margin_of_error(n, rate, confidence, population) <= margin + 1e-12
    if n > 1:  # and it is the smallest such size
        assert lm.margin_of_error(n - 1, rate, confidence, population) > margin - 1e-9


@FAST
@given(frames(min_rows=1))
def test_dawid_skene_outputs_are_distributions(ann: pd.DataFrame) -> None:
    ds = lm.DawidSkene(n_iter=15).fit(ann)
    np.testing.assert_allclose(ds.probas_.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(ds.confusions_.sum(axis=1), 1.0, atol=1e-9)
    assert ((ds.skills_ >= 0) & (ds.skills_ <= 1 + TOL)).all()
    assert set(ds.labels_.index) == set(ann["item"])
