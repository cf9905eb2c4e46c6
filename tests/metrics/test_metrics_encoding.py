"""The fast encoding paths agree exactly with the plain pandas ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelqa.metrics as lm
from labelqa.metrics._frame import _factorize

pa = pytest.importorskip("pyarrow")

SHORT = [
    "",
    "a",
    "ab",
    "a\x00",
    "\x00",
    "spam",
    "scam",
    "adult",
    "é",
    "日本",
    "abcdefg",
    "abcdef\x00",
]
LONG = ["harassment", "abcdefgh", "self_harm"]


def _strings(rng: np.random.Generator, pool: list[str], n: int) -> list[str]:
    return [pool[i] for i in rng.integers(0, len(pool), n)]


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "arrow_string"])
@pytest.mark.parametrize("pool", [SHORT, SHORT + LONG, ["ok"]])
@pytest.mark.parametrize("sort", [True, False])
def test_short_string_factorize_matches_pandas(dtype: str, pool: list[str], sort: bool) -> None:
    rng = np.random.default_rng(len(pool))
    if dtype == "arrow_string":
        dt: object = pd.ArrowDtype(pa.string())
    else:
        dt = pd.StringDtype("pyarrow") if dtype == "string[pyarrow]" else dtype
    values = pd.Series(_strings(rng, pool, 500), dtype=dt).iloc[rng.permutation(500)[:400]]
    codes, uniques = _factorize(values, sort=sort)
    ref_codes, ref_uniques = pd.factorize(values, sort=sort)
    np.testing.assert_array_equal(codes, ref_codes)
    pd.testing.assert_index_equal(uniques, pd.Index(ref_uniques))


def test_string_and_int_ids_give_the_same_metrics() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    ann = pd.DataFrame(
        {
            "item": rng.integers(0, 700, n) + 10_000,
            "labeler": rng.integers(0, 40, n),
            "label": pd.array(_strings(rng, ["spam", "ok", "adult", "hate"], n), dtype="str"),
        }
    ).drop_duplicates(["item", "labeler"])
    gold_items = np.arange(10_000, 10_700, 3)
    gold = pd.Series(_strings(rng, ["spam", "ok", "adult", "scam"], gold_items.size), gold_items)
    gold.loc[99_999_999] = "ok"  # gold item far outside the annotated range
    as_str = ann.assign(
        item=ann["item"].map("t{}".format), labeler=ann["labeler"].map("u{:03d}".format)
    )
    gold_str = gold.set_axis(gold.index.map("t{}".format))
    gold_obj = {k: str(v) for k, v in gold.items()}
    ours = lm.accuracy(ann, gold)
    for frame, g in ((as_str, gold_str), (ann, gold_obj)):
        other = lm.accuracy(frame, g)
        np.testing.assert_array_equal(other["n"].to_numpy(), ours["n"].to_numpy())
        np.testing.assert_array_equal(other["correct"].to_numpy(), ours["correct"].to_numpy())
        np.testing.assert_allclose(other["ci_low"].to_numpy(), ours["ci_low"].to_numpy())
    obj_labels = ann.assign(label=ann["label"].astype(object))
    assert lm.fleiss_kappa(obj_labels).value == pytest.approx(lm.fleiss_kappa(ann).value, abs=1e-12)
    pd.testing.assert_frame_equal(lm.confusion(obj_labels, gold_obj), lm.confusion(ann, gold_obj))


def test_item_and_labeler_codes_are_lazy() -> None:
    ann = pd.DataFrame(
        {"item": [1, 1, 2, 2], "labeler": [1, 2, 1, 2], "label": ["x", "x", "y", "x"]}
    )
    enc = lm.encode_annotations(ann)
    lm.fleiss_kappa(enc)
    assert "_labeler_codes" not in enc.__dict__  # Fleiss never needs labeler identity
    enc = lm.encode_annotations(ann)
    lm.accuracy(enc, {1: "x", 2: "y"})
    assert "_item_codes" not in enc.__dict__  # integer ids: gold looked up without codes
    recoded = enc.with_categories(["y", "x"])
    assert recoded.labeler is enc.labeler
