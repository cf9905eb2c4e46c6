"""Published examples and synthetic frames shared by the metrics tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

NAN = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 observers x 12 units, values 1..5, "." = missing.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)

# Fleiss (1971): 30 patients, 6 psychiatrists, 5 diagnoses (one row per patient).
FLEISS_1971 = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip

# The Wikipedia "Fleiss' kappa" worked example: 10 subjects x 5 categories, 14 raters each.
WIKIPEDIA_FLEISS_TABLE = np.array(
    [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
)  # fmt: skip


def reliability_to_long(data: np.ndarray) -> pd.DataFrame:
    """(coders x units) matrix with NaN for missing -> long frame."""
    coder, unit = np.nonzero(~np.isnan(data))
    return pd.DataFrame(
        {"item": unit, "labeler": coder, "label": data[coder, unit].astype(np.int64)}
    )


def wide_to_long(data: np.ndarray) -> pd.DataFrame:
    """(items x rater slots) matrix -> long frame; slot j is labeler j."""
    item, slot = np.indices(data.shape)
    return pd.DataFrame({"item": item.ravel(), "labeler": slot.ravel(), "label": data.ravel()})


def table_to_long(table: np.ndarray) -> pd.DataFrame:
    """(items x categories) count table -> long frame (labeler = position within item)."""
    item, cat = np.nonzero(table)
    reps = table[item, cat]
    item_r, cat_r = np.repeat(item, reps), np.repeat(cat, reps)
    slot = pd.Series(item_r).groupby(item_r).cumcount().to_numpy()
    return pd.DataFrame({"item": item_r, "labeler": slot, "label": cat_r})


def make_crowd(
    n_items: int,
    n_labelers: int,
    k: int,
    per_item: int,
    seed: int,
    skill: tuple[float, float] = (0.55, 0.95),
) -> tuple[pd.DataFrame, pd.Series]:
    """Synthetic crowd: each item labelled by ``per_item`` distinct labelers of varied skill."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(*skill, n_labelers)
    who = np.argsort(rng.random((n_items, n_labelers)), axis=1)[:, :per_item].ravel()
    item = np.repeat(np.arange(n_items), per_item)
    right = rng.random(item.size) < acc[who]
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, k, item.size)) % k)
    names = np.array([f"c{i}" for i in range(k)])
    ann = pd.DataFrame({"item": item, "labeler": who, "label": names[label]})
    return ann, pd.Series(names[truth], index=np.arange(n_items))
