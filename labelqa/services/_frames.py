"""Small helpers over annotation frames shared by the services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

__all__ = ["map_unique"]


def map_unique(frame: pd.DataFrame, cols: Sequence[str], fn: Callable[..., Any]) -> pd.Series:
    """``fn(*row[cols])`` for every row of ``frame``, computed once per distinct combination.

    Label translation depends only on (version, label) pairs, of which a queue has a few dozen
    while it has millions of annotations; the results are broadcast back by a merge.
    """
    keys = frame[list(cols)].astype(object).where(frame[list(cols)].notna(), None)
    uniq = keys.drop_duplicates()
    uniq = uniq.assign(_value=[fn(*row) for row in uniq.itertuples(index=False)])
    merged = keys.merge(uniq, on=list(cols), how="left")
    return pd.Series(merged["_value"].to_numpy(), index=frame.index, dtype=object)
