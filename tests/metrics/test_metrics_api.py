"""API behaviour: grouping, consensus, sampling, and every documented undefined case."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from metrics_data import make_crowd
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

import labelqa.metrics as lm

EMPTY = pd.DataFrame({"item": [], "labeler": [], "label": []})
ONE_LABELER = pd.DataFrame({"item": [1, 2, 3], "labeler": ["a"] * 3, "label": ["x", "y", "x"]})
NO_OVERLAP = pd.DataFrame({"item": [1, 2, 3], "labeler": ["a", "b", "c"], "label": ["x", "y", "x"]})
ONE_CLASS = pd.DataFrame(
    {"item": [1, 1, 2, 2, 3], "labeler": ["a", "b", "a", "b", "c"], "label": ["x"] * 5}
)
SCALARS = [lm.fleiss_kappa, lm.krippendorff_alpha, lm.gwet_ac1, lm.percent_agreement]


# --- input validation ------------------------------------------------------------------------


def test_missing_columns_named() -> None:
    with pytest.raises(ValueError, match=r"missing \['label'\]"):
        lm.fleiss_kappa(pd.DataFrame({"item": [1], "labeler": [1]}))
    with pytest.raises(ValueError, match="pandas DataFrame"):
        lm.fleiss_kappa([1, 2, 3])  # type: ignore[arg-type]


def test_missing_item_or_labeler_rejected_missing_label_dropped() -> None:
    with pytest.raises(ValueError, match="'labeler' must not contain missing"):
        lm.encode_annotations(pd.DataFrame({"item": [1], "labeler": [None], "label": ["x"]}))
    ann = pd.DataFrame(
        {"item": [1, 1, 1, 2, 2], "labeler": [1, 2, 3, 1, 2], "label": ["x", "x", None, "y", "y"]}
    )
    enc = lm.encode_annotations(ann)
    assert enc.n_annotations == 4
    assert lm.percent_agreement(ann).value == 1.0


def test_labels_outside_categories_rejected() -> None:
    with pytest.raises(ValueError, match=r"labels \['y'\] are not in categories"):
        lm.fleiss_kappa(ONE_LABELER, categories=["x"])
    with pytest.raises(ValueError, match="distinct"):
        lm.fleiss_kappa(ONE_LABELER, categories=["x", "x", "y"])


def test_encoded_frame_shared_across_metrics(kripp_long: pd.DataFrame) -> None:
    enc = lm.encode_annotations(kripp_long)
    assert lm.fleiss_kappa(enc).value == lm.fleiss_kappa(kripp_long).value
    assert lm.krippendorff_alpha(enc, level="interval").value == pytest.approx(0.849, abs=5e-4)
    assert (enc.n_items, enc.n_labelers, enc.n_categories) == (12, 4, 5)


# --- undefined cases -------------------------------------------------------------------------


@pytest.mark.parametrize("fn", SCALARS)
@pytest.mark.parametrize("ann", [EMPTY, ONE_LABELER, NO_OVERLAP], ids=["empty", "one", "none"])
def test_scalar_agreement_without_pairs_raises(fn, ann: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"empty|two or more times"):
        fn(ann)


def test_one_class_only() -> None:
    with pytest.raises(ValueError, match="chance agreement is 1"):
        lm.fleiss_kappa(ONE_CLASS)
    with pytest.raises(ValueError, match="only one value"):
        lm.krippendorff_alpha(ONE_CLASS)
    with pytest.raises(ValueError, match="at least two categories"):
        lm.gwet_ac1(ONE_CLASS)
    # Gwet's AC1 is defined once the other categories are named: perfect agreement.
    assert lm.gwet_ac1(ONE_CLASS, categories=["x", "y"]).value == 1.0
    assert lm.percent_agreement(ONE_CLASS).value == 1.0
    pairs = lm.cohen_kappa_pairs(ONE_CLASS)
    assert pairs["kappa"].isna().all() and (pairs["agreement"] == 1).all()
    per_class = lm.per_class_agreement(ONE_CLASS, categories=["x", "y"])
    assert per_class.loc["x", "specific_agreement"] == 1.0
    assert np.isnan(per_class.loc["x", "kappa"])
    assert per_class.loc["y", "n"] == 0 and np.isnan(per_class.loc["y", "specific_agreement"])


@pytest.mark.parametrize("ann", [EMPTY, ONE_LABELER, NO_OVERLAP], ids=["empty", "one", "none"])
def test_pairs_without_overlap_is_empty_frame(ann: pd.DataFrame) -> None:
    pairs = lm.cohen_kappa_pairs(ann, ci=True)
    assert pairs.empty
    assert list(pairs.columns) == [
        "labeler_a",
        "labeler_b",
        "n",
        "agreement",
        "kappa",
        "ci_low",
        "ci_high",
    ]


def test_tabular_outputs_on_empty_frame() -> None:
    assert lm.accuracy(EMPTY, {1: "x"}).empty
    assert list(lm.accuracy(EMPTY, {1: "x"}).columns) == [
        "n",
        "correct",
        "accuracy",
        "ci_low",
        "ci_high",
    ]
    assert lm.majority_vote(EMPTY).empty
    with pytest.raises(ValueError, match="empty"):
        lm.DawidSkene().fit(EMPTY)


def test_duplicate_labels_rejected_for_pairs() -> None:
    dup = pd.DataFrame({"item": [1, 1, 1], "labeler": ["a", "a", "b"], "label": ["x", "y", "x"]})
    with pytest.raises(ValueError, match="more than once"):
        lm.cohen_kappa_pairs(dup)


def test_level_requirements() -> None:
    with pytest.raises(ValueError, match="ordered labels"):
        lm.krippendorff_alpha(ONE_LABELER, level="ordinal")
    with pytest.raises(ValueError, match="numeric labels"):
        lm.krippendorff_alpha(ONE_LABELER, level="interval")
    neg = pd.DataFrame({"item": [1, 1], "labeler": [1, 2], "label": [-1, 2]})
    with pytest.raises(ValueError, match="non-negative"):
        lm.krippendorff_alpha(neg, level="ratio")
    with pytest.raises(ValueError, match="level must be one of"):
        lm.krippendorff_alpha(neg, level="bogus")  # type: ignore[arg-type]


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="min_overlap"):
        lm.cohen_kappa_pairs(ONE_CLASS, min_overlap=0)
    with pytest.raises(ValueError, match="confidence"):
        lm.accuracy(ONE_CLASS, {1: "x"}, confidence=95)
    with pytest.raises(ValueError, match="method"):
        lm.accuracy(ONE_CLASS, {1: "x"}, method="exact")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be >= 1"):
        lm.wilson_interval(0, 0)
    with pytest.raises(ValueError, match="tie_break"):
        lm.majority_vote(ONE_CLASS, tie_break="coin")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_iter"):
        lm.DawidSkene(n_iter=0).fit(ONE_CLASS)


# --- accuracy, confusion, per-class report ---------------------------------------------------


def test_accuracy_per_labeler_and_group() -> None:
    ann, gold = make_crowd(400, 12, 3, 3, seed=2)
    vendor = {w: ("acme" if w % 2 else "globex") for w in range(12)}
    ann = ann.assign(vendor=ann["labeler"].map(vendor))
    per_labeler = lm.accuracy(ann, gold)
    expected = (ann["label"] == ann["item"].map(gold)).groupby(ann["labeler"]).agg(["size", "sum"])
    assert per_labeler.index.name == "labeler"
    assert (per_labeler["n"].to_numpy() == expected["size"].to_numpy()).all()
    assert (per_labeler["correct"].to_numpy() == expected["sum"].to_numpy()).all()
    by_col = lm.accuracy(ann, gold, by="vendor")
    by_map = lm.accuracy(ann, gold, by=pd.Series(vendor, name="vendor"))
    pd.testing.assert_frame_equal(by_col, by_map)
    assert list(by_col.index) == ["acme", "globex"]
    assert by_col["n"].sum() == len(ann)
    with pytest.raises(ValueError, match="no group for labelers"):
        lm.accuracy(ann, gold, by={0: "acme"})
    with pytest.raises(ValueError, match="column 'site' not found"):
        lm.accuracy(ann, gold, by="site")


def test_accuracy_scores_only_gold_items() -> None:
    ann = pd.DataFrame(
        {"item": [1, 1, 2, 3], "labeler": ["a", "b", "a", "c"], "label": ["x", "y", "x", "x"]}
    )
    acc = lm.accuracy(ann, {1: "x", 2: "y"})
    assert list(acc.index) == ["a", "b"]  # c labelled no gold item
    assert acc.loc["a", "n"] == 2 and acc.loc["a", "correct"] == 1
    assert acc.loc["b", "accuracy"] == 0.0
    with pytest.raises(ValueError, match="one label per item"):
        lm.accuracy(ann, pd.Series(["x", "y"], index=[1, 1]))


def test_confusion_and_class_report_match_sklearn() -> None:
    ann, gold = make_crowd(300, 5, 4, 2, seed=9)
    conf = lm.confusion(ann, gold)
    report = lm.class_report(ann, gold)
    cats = ["c0", "c1", "c2", "c3"]
    for w, rows in ann.groupby("labeler"):
        y_true, y_pred = rows["item"].map(gold), rows["label"]
        ref = confusion_matrix(y_true, y_pred, labels=cats)
        np.testing.assert_array_equal(conf.loc[w].to_numpy(), ref)
        p, r, f, s = precision_recall_fscore_support(
            y_true, y_pred, labels=cats, zero_division=np.nan
        )
        np.testing.assert_allclose(report.loc[w, "precision"].to_numpy(), p, atol=1e-12)
        np.testing.assert_allclose(report.loc[w, "recall"].to_numpy(), r, atol=1e-12)
        np.testing.assert_allclose(report.loc[w, "f1"].to_numpy(), f, atol=1e-12)
        np.testing.assert_array_equal(report.loc[w, "support"].to_numpy(), s)


def test_confusion_includes_gold_only_labels() -> None:
    ann = pd.DataFrame({"item": [1, 2], "labeler": ["a", "a"], "label": ["x", "x"]})
    conf = lm.confusion(ann, {1: "x", 2: "z"})
    assert list(conf.columns) == ["x", "z"]
    assert conf.loc[("a", "z"), "x"] == 1
    report = lm.class_report(ann, {1: "x", 2: "z"})
    assert np.isnan(report.loc[("a", "z"), "precision"])  # never predicted z
    assert report.loc[("a", "z"), "recall"] == 0.0


# --- consensus -------------------------------------------------------------------------------


def test_majority_vote_ties() -> None:
    ann = pd.DataFrame(
        {
            "item": [1, 1, 2, 2, 2, 3, 3, 3],
            "labeler": list("ababcabc"),
            "label": ["y", "x", "y", "y", "x", "z", "z", "z"],
        }
    )
    first = lm.majority_vote(ann, tie_break="first")
    assert first.loc[1, "label"] == "x" and bool(first.loc[1, "tied"])
    assert first.loc[2, "label"] == "y" and first.loc[2, "share"] == pytest.approx(2 / 3)
    assert not first["tied"].iloc[1:].any()
    prevalence = lm.majority_vote(ann, tie_break="prevalence")  # y (3) beats x (2)
    assert prevalence.loc[1, "label"] == "y"
    draws = {lm.majority_vote(ann, tie_break="random", seed=s).loc[1, "label"] for s in range(20)}
    assert draws == {"x", "y"}
    again = lm.majority_vote(ann, seed=4)
    pd.testing.assert_frame_equal(again, lm.majority_vote(ann, seed=4))


def test_dawid_skene_attributes() -> None:
    ann, truth = make_crowd(500, 10, 3, 3, seed=4)
    ds = lm.DawidSkene(n_iter=30).fit(ann)
    assert ds.probas_.shape == (500, 3)
    assert ds.confusions_.shape == (30, 3)
    assert ds.confusions_.loc[0].shape == (3, 3)
    assert list(ds.skills_.index) == list(range(10))
    assert 1 <= ds.n_iter_ <= 30 and len(ds.log_likelihood_) == ds.n_iter_
    assert np.all(np.diff(ds.log_likelihood_) > -1e-9)  # EM never decreases the likelihood
    assert (ds.labels_ == truth).mean() > 0.85
    assert ds.fit_predict(ann).equals(ds.labels_)
    # more skilful labelers get higher skill estimates
    acc = lm.accuracy(ann, truth)["accuracy"]
    assert np.corrcoef(acc.to_numpy(), ds.skills_.to_numpy())[0, 1] > 0.8


# --- sampling --------------------------------------------------------------------------------


def test_audit_sample_size_known_values() -> None:
    assert lm.audit_sample_size(10_000, 0.03) == 965
    assert lm.audit_sample_size(10**9, 0.05) == 385
    assert lm.audit_sample_size(50, 0.05) == 45
    assert lm.audit_sample_size(1, 0.05) == 1
    with pytest.raises(ValueError, match="margin"):
        lm.audit_sample_size(100, 0)
    with pytest.raises(ValueError, match="expected_rate"):
        lm.audit_sample_size(100, 0.05, expected_rate=0.0)


def test_margin_of_error() -> None:
    assert lm.margin_of_error(385, 0.5) == pytest.approx(0.04994, abs=1e-5)
    assert lm.margin_of_error(100, 0.5, population=100) == 0.0
    assert lm.margin_of_error(100, 0.5, population=1000) < lm.margin_of_error(100, 0.5)
    with pytest.raises(ValueError, match="population"):
        lm.margin_of_error(100, 0.5, population=50)


def test_stratified_sample() -> None:
    frame = pd.DataFrame({"id": range(1000), "queue": ["a"] * 700 + ["b"] * 250 + ["c"] * 50})
    sample = lm.stratified_sample(frame, "queue", 100, seed=1)
    assert sample["queue"].value_counts().to_dict() == {"a": 70, "b": 25, "c": 5}
    assert sample.equals(lm.stratified_sample(frame, "queue", 100, seed=1))
    assert not sample.equals(lm.stratified_sample(frame, "queue", 100, seed=2))
    assert sample["id"].is_monotonic_increasing and sample["id"].is_unique
    capped = lm.stratified_sample(frame, "queue", {"a": 3, "c": 80}, seed=0)
    assert capped["queue"].value_counts().to_dict() == {"a": 3, "c": 50}
    two = frame.assign(site=np.tile(["x", "y"], 500))
    assert len(lm.stratified_sample(two, ["queue", "site"], 10)) == 10
    with pytest.raises(ValueError, match="strata"):
        lm.stratified_sample(frame, "vendor", 10)


def test_metrics_import_no_service_layers() -> None:
    code = (
        "import sys, labelqa.metrics; "
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'connectors', 'labelqa.settings') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- alternative code paths (large category sets, many labelers, sparse ids) ------------------


def test_sparse_paths_match_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    import labelqa.metrics._frame as frame_mod
    import labelqa.metrics.agreement as agreement_mod

    ann, _ = make_crowd(200, 9, 4, 3, seed=8)
    ann = ann.assign(label=ann["label"].str[1:].astype(int))
    dense = {
        "fleiss": lm.fleiss_kappa(ann).value,
        "alpha": lm.krippendorff_alpha(ann, level="interval").value,
        "gwet": lm.gwet_ac1(ann).value,
        "percent": lm.percent_agreement(ann).value,
    }
    per_class = lm.per_class_agreement(ann)
    pairs = lm.cohen_kappa_pairs(ann, min_overlap=2)
    monkeypatch.setattr(frame_mod, "_DENSE_CELLS", 0)
    monkeypatch.setattr(agreement_mod, "_DENSE_PAIRS", 0)
    assert lm.encode_annotations(ann).counts.__class__.__name__.startswith("csr")
    assert lm.fleiss_kappa(ann).value == pytest.approx(dense["fleiss"], abs=1e-12)
    alpha = lm.krippendorff_alpha(ann, level="interval").value
    assert alpha == pytest.approx(dense["alpha"], abs=1e-12)
    assert lm.gwet_ac1(ann).value == pytest.approx(dense["gwet"], abs=1e-12)
    assert lm.percent_agreement(ann).value == pytest.approx(dense["percent"], abs=1e-12)
    pd.testing.assert_frame_equal(lm.per_class_agreement(ann), per_class)
    pd.testing.assert_frame_equal(lm.cohen_kappa_pairs(ann, min_overlap=2), pairs)
    with pytest.raises(ValueError, match="dense"):
        lm.fleiss_kappa(ann, ci=True)


def test_wide_integer_ids_and_string_ids_agree() -> None:
    ann, gold = make_crowd(300, 7, 3, 3, seed=12)
    wide = ann.assign(item=ann["item"] * 10**12 + 5, labeler=ann["labeler"] * 10**15)
    text = ann.assign(
        item="task-" + ann["item"].astype(str), labeler="u" + ann["labeler"].astype(str)
    )
    base = lm.fleiss_kappa(ann).value
    assert lm.fleiss_kappa(wide).value == pytest.approx(base, abs=1e-12)
    assert lm.fleiss_kappa(text).value == pytest.approx(base, abs=1e-12)
    ds_a = lm.DawidSkene(n_iter=10).fit(ann).labels_.to_numpy()
    ds_b = lm.DawidSkene(n_iter=10).fit(wide).labels_.to_numpy()
    np.testing.assert_array_equal(ds_a, ds_b)
    acc = lm.accuracy(wide, gold.set_axis(gold.index * 10**12 + 5))
    np.testing.assert_array_equal(acc["correct"], lm.accuracy(ann, gold)["correct"])


def test_latest_per_labeler_resolves_duplicates() -> None:
    ann = pd.DataFrame(
        {
            "item": [1, 1, 1, 2],
            "labeler": ["a", "a", "b", "a"],
            "label": ["late", "early", "x", "y"],
            "created_at": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-01"]),
        }
    )
    latest = lm.latest_per_labeler(ann)
    assert list(latest.index) == [0, 2, 3]
    assert lm.cohen_kappa_pairs(latest)["n"].tolist() == [1]
    no_time = lm.latest_per_labeler(ann.drop(columns="created_at"))
    assert list(no_time["label"]) == ["early", "x", "y"]
