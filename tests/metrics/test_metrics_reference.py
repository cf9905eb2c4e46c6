"""Published values and peer libraries: our numbers must match them."""

from __future__ import annotations

import itertools

import krippendorff
import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import DawidSkene as CKDawidSkene
from metrics_data import (
    FLEISS_1971,
    KRIPPENDORFF_2011,
    WIKIPEDIA_FLEISS_TABLE,
    make_crowd,
    reliability_to_long,
    table_to_long,
    wide_to_long,
)
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss
from statsmodels.stats.proportion import proportion_confint

import labelqa.metrics as lm

pytestmark = pytest.mark.filterwarnings("ignore::Warning:crowdkit")

# Krippendorff (2011) reports alpha to three decimals for the worked example.
PUBLISHED_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


@pytest.mark.parametrize("level", list(PUBLISHED_ALPHA))
def test_krippendorff_2011_worked_example(kripp_long: pd.DataFrame, level: str) -> None:
    result = lm.krippendorff_alpha(kripp_long, level=level)  # type: ignore[arg-type]
    assert round(result.value, 3) == PUBLISHED_ALPHA[level]
    peer = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011, level_of_measurement=level)
    assert result.value == pytest.approx(peer, abs=1e-12)
    # Unit 12 has one value only: not pairable.
    assert result.n_items == 11
    assert result.n_annotations == 40


def test_krippendorff_nominal_exact_fraction(kripp_long: pd.DataFrame) -> None:
    # Krippendorff (2011): nominal alpha = 1 - (40 - 1) * 10/3 ... = 0.743421...
    assert lm.krippendorff_alpha(kripp_long).value == pytest.approx(113 / 152, abs=1e-12)


def test_krippendorff_ordinal_from_string_categories(kripp_long: pd.DataFrame) -> None:
    names = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    text = kripp_long.assign(label=kripp_long["label"].map(names))
    ordered = ["one", "two", "three", "four", "five"]
    got = lm.krippendorff_alpha(text, level="ordinal", categories=ordered)
    assert got.value == pytest.approx(
        lm.krippendorff_alpha(kripp_long, level="ordinal").value, abs=1e-12
    )
    cat = text.assign(label=pd.Categorical(text["label"], categories=ordered, ordered=True))
    assert lm.krippendorff_alpha(cat, level="ordinal").value == pytest.approx(got.value)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_random_missing_data_vs_peer(level: str) -> None:
    rng = np.random.default_rng(7)
    data = rng.integers(1, 6, (6, 80)).astype(float)
    data[rng.random(data.shape) < 0.4] = np.nan
    ours = lm.krippendorff_alpha(reliability_to_long(data), level=level)  # type: ignore[arg-type]
    peer = krippendorff.alpha(
        reliability_data=data, level_of_measurement=level, value_domain=[1, 2, 3, 4, 5]
    )
    assert ours.value == pytest.approx(peer, abs=1e-9)


def test_fleiss_1971_diagnoses() -> None:
    ann = wide_to_long(FLEISS_1971)
    result = lm.fleiss_kappa(ann)
    # Fleiss (1971) / R irr::kappam.fleiss(diagnoses): 0.4302445
    assert result.value == pytest.approx(0.4302445, abs=5e-8)
    table = np.stack([(c == FLEISS_1971).sum(axis=1) for c in range(1, 6)], axis=1)
    assert result.value == pytest.approx(sm_fleiss(table), abs=1e-12)
    assert (result.n_items, result.n_annotations) == (30, 180)


def test_fleiss_wikipedia_example() -> None:
    result = lm.fleiss_kappa(table_to_long(WIKIPEDIA_FLEISS_TABLE))
    assert round(result.value, 3) == 0.210
    assert result.value == pytest.approx(sm_fleiss(WIKIPEDIA_FLEISS_TABLE), abs=1e-12)
    # P-bar of the same example is 0.378 (Wikipedia).
    assert round(lm.percent_agreement(table_to_long(WIKIPEDIA_FLEISS_TABLE)).value, 3) == 0.378


def test_gwet_ac1_reference(kripp_long: pd.DataFrame) -> None:
    # irrCAC's cac.raw4raters is this data; gwet.ac1.raw reports 0.7754.
    result = lm.gwet_ac1(kripp_long)
    assert round(result.value, 4) == 0.7754
    assert result.value == pytest.approx(_gwet_reference(KRIPPENDORFF_2011), abs=1e-12)


def _gwet_reference(data: np.ndarray) -> float:
    """Gwet's AC1 written out loop by loop from Gwet (2014), ch. 4 (raw ratings)."""
    cats = sorted({v for v in data.ravel() if not np.isnan(v)})
    units = [data[:, j][~np.isnan(data[:, j])] for j in range(data.shape[1])]
    units = [u for u in units if len(u) >= 1]
    q = len(cats)
    pi = {c: sum(float(np.sum(u == c)) / len(u) for u in units) / len(units) for c in cats}
    pairable = [u for u in units if len(u) >= 2]
    pa = sum(
        sum(np.sum(u == c) * (np.sum(u == c) - 1) for c in cats) / (len(u) * (len(u) - 1))
        for u in pairable
    ) / len(pairable)
    pe = sum(pi[c] * (1 - pi[c]) for c in cats) / (q - 1)
    return float((pa - pe) / (1 - pe))


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
@pytest.mark.parametrize(
    ("method", "sm_method"), [("wilson", "wilson"), ("clopper-pearson", "beta")]
)
def test_proportion_intervals_vs_statsmodels(
    confidence: float, method: str, sm_method: str
) -> None:
    n = np.array([1, 1, 2, 5, 10, 10, 10, 37, 100, 100, 1000, 5000])
    x = np.array([0, 1, 1, 0, 3, 10, 0, 20, 50, 99, 1, 4321])
    low, high = lm.proportion_interval(x, n, confidence, method)  # type: ignore[arg-type]
    ref_low, ref_high = proportion_confint(x, n, alpha=1 - confidence, method=sm_method)
    np.testing.assert_allclose(low, ref_low, rtol=0, atol=1e-9)
    np.testing.assert_allclose(high, ref_high, rtol=0, atol=1e-9)


def test_cohen_kappa_pairs_vs_sklearn() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for item in range(300):
        who = rng.choice(8, size=rng.integers(2, 6), replace=False)
        truth = rng.integers(0, 4)
        for w in who:
            rows.append((item, f"w{w}", truth if rng.random() < 0.6 else rng.integers(0, 4)))
    ann = pd.DataFrame(rows, columns=["item", "labeler", "label"])
    pairs = lm.cohen_kappa_pairs(ann)
    wide = ann.pivot(index="item", columns="labeler", values="label")
    checked = 0
    for a, b in itertools.combinations(sorted(wide.columns), 2):
        both = wide[[a, b]].dropna()
        row = pairs[(pairs.labeler_a == a) & (pairs.labeler_b == b)]
        if both.empty:
            assert row.empty
            continue
        assert int(row["n"].iloc[0]) == len(both)
        ref = cohen_kappa_score(both[a], both[b])
        assert row["kappa"].iloc[0] == pytest.approx(ref, abs=1e-9)
        assert row["agreement"].iloc[0] == pytest.approx((both[a] == both[b]).mean(), abs=1e-12)
        checked += 1
    assert checked == len(pairs) == 28


def test_dawid_skene_matches_crowdkit() -> None:
    ann, truth = make_crowd(3000, 40, 4, 3, seed=11)
    ours = lm.DawidSkene(n_iter=50, tol=1e-7).fit(ann)
    ck = CKDawidSkene(n_iter=50, tol=1e-7).fit(
        ann.rename(columns={"item": "task", "labeler": "worker"})
    )
    ck_labels = ck.labels_.reindex(ours.labels_.index)
    assert (ours.labels_ == ck_labels).mean() >= 0.99
    ck_probas = ck.probas_.reindex(index=ours.probas_.index, columns=ours.probas_.columns)
    assert np.abs(ours.probas_.to_numpy() - ck_probas.to_numpy()).max() < 0.05
    # and it beats majority vote against the truth on this crowd
    mv = lm.majority_vote(ann, tie_break="first")["label"]
    assert (ours.labels_ == truth).mean() >= (mv == truth).mean()


def test_dawid_skene_fixed_iterations_match_crowdkit_exactly() -> None:
    ann, _ = make_crowd(800, 15, 3, 4, seed=5)
    ours = lm.DawidSkene(n_iter=10, tol=0.0).fit(ann)
    ck = CKDawidSkene(n_iter=10, tol=-np.inf).fit(
        ann.rename(columns={"item": "task", "labeler": "worker"})
    )
    assert ours.n_iter_ == 10
    ck_probas = ck.probas_.reindex(index=ours.probas_.index, columns=ours.probas_.columns)
    np.testing.assert_allclose(ours.probas_.to_numpy(), ck_probas.to_numpy(), atol=1e-6)
    assert (ours.labels_ == ck.labels_.reindex(ours.labels_.index)).all()


def test_fleiss_1971_per_category_kappa() -> None:
    # Fleiss (1971) per-category kappas; R irr::kappam.fleiss(diagnoses, detail = TRUE).
    per_class = lm.per_class_agreement(wide_to_long(FLEISS_1971))
    assert list(per_class["kappa"].round(3)) == [0.245, 0.245, 0.520, 0.471, 0.566]
    assert per_class["n"].sum() == 180


def test_pattern_bootstrap_matches_naive_item_bootstrap() -> None:
    # Resampling distinct count patterns multinomially is the item bootstrap; check the
    # interval against a plain loop that resamples items.
    ann, _ = make_crowd(150, 8, 3, 3, seed=21)
    ours = lm.fleiss_kappa(ann, ci=True, n_boot=2000, seed=1)
    rng = np.random.default_rng(2)
    table = pd.crosstab(ann["item"], ann["label"]).to_numpy()
    reps = [sm_fleiss(table[rng.integers(0, len(table), len(table))]) for _ in range(2000)]
    low, high = np.quantile(reps, [0.025, 0.975])
    assert ours.ci_low == pytest.approx(low, abs=0.03)
    assert ours.ci_high == pytest.approx(high, abs=0.03)
    assert ours.ci_low < ours.value < ours.ci_high
    again = lm.fleiss_kappa(ann, ci=True, n_boot=2000, seed=1)
    assert (again.ci_low, again.ci_high) == (ours.ci_low, ours.ci_high)
