"""The gold pool as the injection planner sees it: :class:`GoldItem` and :func:`as_gold_pool`.

A pool is a list of :class:`GoldItem` or a DataFrame with one row per gold item and columns
``gold_item_id``, ``label`` (a str) or ``labels`` (a str or a sequence of str), and optionally
``stratum``, ``difficulty``, ``exposure`` and ``seen_by`` (an iterable of labelers). The
planner never needs the item's data: gold answers and data stay in the store, the plan only
names gold item ids.

*Exposure* is the number of labelers a gold item has been shown to. ``seen_by`` may list only
some of them (e.g. labelers no longer in the roster are dropped), so the planner uses
``max(exposure, len(seen_by))``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["GoldItem", "as_gold_pool"]


@dataclass(frozen=True)
class GoldItem:
    """One gold item of the pool (see the module docstring).

    ``labels`` is the settled answer (one label for single choice, several for multi choice;
    a bare str is accepted). ``stratum`` defaults to the label, or to the sorted labels joined
    with ``+`` for multi-label items. ``difficulty`` is carried into plans for reporting only.
    """

    gold_item_id: Hashable
    labels: tuple[str, ...]
    stratum: str | None = None
    difficulty: float | None = None
    exposure: int = 0
    seen_by: frozenset[Hashable] = frozenset()

    def __post_init__(self) -> None:
        raw: Any = self.labels
        labels = (raw,) if isinstance(raw, str) else tuple(raw)
        if not labels or not all(isinstance(v, str) and v for v in labels):
            raise ValueError(
                f"gold item {self.gold_item_id!r}: labels must be one or more non-empty str; "
                f"got {raw!r}"
            )
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "seen_by", frozenset(self.seen_by))
        if self.stratum is None:
            object.__setattr__(self, "stratum", "+".join(sorted(set(labels))))
        if isinstance(self.exposure, bool) or int(self.exposure) != self.exposure:
            raise ValueError(f"gold item {self.gold_item_id!r}: exposure must be an int >= 0")
        if self.exposure < 0:
            raise ValueError(
                f"gold item {self.gold_item_id!r}: exposure must be >= 0; got {self.exposure}"
            )

    @property
    def stratum_key(self) -> str:
        """The stratum this item is counted in (never None after construction)."""
        return str(self.stratum)

    @property
    def effective_exposure(self) -> int:
        """Labelers shown this item so far: ``max(exposure, len(seen_by))``."""
        return max(int(self.exposure), len(self.seen_by))


def _row_labels(row: Mapping[Hashable, Any]) -> Any:
    if "labels" in row:
        return row["labels"]
    if "label" in row:
        return row["label"]
    raise ValueError("gold pool frame needs a 'label' or 'labels' column")


def _optional(row: Mapping[Hashable, Any], key: str) -> Any:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, list | tuple | set | frozenset | np.ndarray) and pd.isna(value):
        return None
    return value


def as_gold_pool(pool: pd.DataFrame | Iterable[GoldItem]) -> tuple[GoldItem, ...]:
    """Normalise a pool (frame or GoldItems) to a tuple of :class:`GoldItem`.

    Raises ValueError on a missing ``gold_item_id``/``label`` column, duplicated ids, bad
    labels or a negative exposure.
    """
    items: list[GoldItem]
    if isinstance(pool, pd.DataFrame):
        if "gold_item_id" not in pool.columns:
            raise ValueError(
                "gold pool frame needs columns gold_item_id and label (or labels); "
                f"got {list(pool.columns)}"
            )
        items = []
        for row in pool.to_dict(orient="records"):
            exposure = _optional(row, "exposure")
            seen = _optional(row, "seen_by")
            difficulty = _optional(row, "difficulty")
            stratum = _optional(row, "stratum")
            items.append(
                GoldItem(
                    gold_item_id=row["gold_item_id"],
                    labels=_row_labels(row),
                    stratum=None if stratum is None else str(stratum),
                    difficulty=None if difficulty is None else float(difficulty),
                    exposure=0 if exposure is None else int(exposure),
                    seen_by=frozenset(seen) if seen is not None else frozenset(),
                )
            )
    else:
        items = list(pool)
        bad = [type(g).__name__ for g in items if not isinstance(g, GoldItem)]
        if bad:
            raise ValueError(f"gold pool must be a DataFrame or GoldItems; got {bad[0]}")
    ids = [g.gold_item_id for g in items]
    if len(set(ids)) != len(ids):
        dup = pd.Index(ids)
        raise ValueError(f"gold pool has duplicated gold_item_id {list(dup[dup.duplicated()][:5])}")
    return tuple(items)


def _strata(items: Sequence[GoldItem]) -> tuple[np.ndarray, list[str]]:
    """Stratum code per item and the stratum names (sorted)."""
    codes, names = pd.factorize(pd.Series([g.stratum_key for g in items], dtype=object), sort=True)
    return codes.astype(np.intp), [str(n) for n in names]
