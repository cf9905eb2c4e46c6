"""Which gold items survive an SOP change, which translate, and which a person must re-check.

A gold answer is only gold under the SOP version it was settled against. When a queue moves
to a new version, :func:`revalidate_gold` sorts every gold item into one of four statuses
(:class:`GoldRevalidation`), never silently reusing an item whose class moved:

``"current"``
    already settled under the target version; nothing to do.
``"carried"``
    from an older version; none of its classes changed; the labels stay as they are.
``"translated"``
    from an older version; a class was only renamed (same definition, examples and rules);
    ``labels`` holds the new class values.
``"revalidate"``
    a person must settle it again before it is used as gold. ``reasons`` says why, per old
    label; ``labels`` is a *suggestion* (the translation when every label has one
    successor, else None) and ``candidates`` lists every target class the item may now be.

Reason codes (``recheck_on`` selects which of them force a re-check; the default is all of
them, :data:`CLASS_REASONS` is the narrower "split, removed, merged or redefined"; ``"split"``,
``"removed"`` and ``"unknown"`` always force one, since such a label has no single successor):

* ``split``: the class was split into several; ``removed``: removed without successor;
* ``merged``: folded with other classes into one (its boundary moved);
* ``definition``, ``examples`` (examples or counter-examples), ``parent``: that field of the
  class changed, compared across the rename if there was one;
* ``rules``: a decision rule naming the class was added, removed or reworded, or the class
  joined or left a rule (a rule that only follows a rename is not a change);
* ``task``: the task type changed, or a data field was added, removed or changed kind
  (applies to every item);
* ``unknown``: the label is not a class of the version the item claims.

Why the default is this strict: boundaries move in examples and rules as often as in
definitions. In ecommerce-prohibited-listings 2.0.0 the ``allowed`` counter-examples gain
"Glass pipe (drugs_and_paraphernalia since 2.0.0)" and rule R5 stops calling pipes allowed,
so an ``allowed`` gold pipe would silently become a wrong answer; and ``drugs`` is not a pure
rename (its definition now includes paraphernalia), so its gold is re-checked, with
``drugs_and_paraphernalia`` as the suggested label.

Limitation: a class *added* in the new version without any change to the existing classes
leaves their gold reusable; an SOP that carves a new class out of an old one should say so
in the old class's definition or examples, or map it as a split (both trigger a re-check).

Class identity and the changes come from :func:`labelqa.sops.diff` with the composed
mapping of :meth:`labelqa.sops.LabelTranslator.mapping_between`, so items several versions
old are handled through the whole chain.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from labelqa.sops import SOP, LabelTranslator, SOPDiff, Untranslatable, diff

__all__ = [
    "ALL_REASONS",
    "CLASS_REASONS",
    "GoldRevalidation",
    "RevalidationReport",
    "RevalidationStatus",
    "revalidate_gold",
]

RevalidationStatus = Literal["current", "carried", "translated", "revalidate"]
ALL_REASONS = frozenset(
    {"split", "removed", "merged", "definition", "examples", "parent", "rules", "task", "unknown"}
)
#: The narrower reading: only a class split, removed, merged or redefined forces a re-check.
CLASS_REASONS = frozenset({"split", "removed", "merged", "definition"})
_ALWAYS = frozenset({"split", "removed", "unknown"})
_FIELD_REASON = {
    "definition": "definition",
    "examples": "examples",
    "counter_examples": "examples",
    "parent": "parent",
}


@dataclass(frozen=True)
class GoldRevalidation:
    """What to do with one gold item when moving it to ``to_version`` (module docstring).

    ``old_labels`` under ``from_version``; ``labels`` under ``to_version`` (final unless
    ``status == "revalidate"``, then a suggestion or None); ``candidates``: every class of
    ``to_version`` the item may now be; ``reasons``: ``(old label, reason code)`` pairs.
    """

    gold_item_id: Hashable
    status: RevalidationStatus
    from_version: str
    to_version: str
    old_labels: tuple[str, ...]
    labels: tuple[str, ...] | None
    candidates: tuple[str, ...]
    reasons: tuple[tuple[str, str], ...] = ()

    @property
    def reusable(self) -> bool:
        """True when the item may be used as gold under ``to_version`` with ``labels``."""
        return self.status != "revalidate"


@dataclass(frozen=True)
class RevalidationReport:
    """One :class:`GoldRevalidation` per gold item (input order), toward ``to_version``."""

    sop_key: str
    to_version: str
    items: tuple[GoldRevalidation, ...]

    @property
    def to_revalidate(self) -> tuple[GoldRevalidation, ...]:
        """Items a person must settle again before they are used as gold."""
        return tuple(r for r in self.items if r.status == "revalidate")

    @property
    def reusable(self) -> dict[Hashable, tuple[str, ...]]:
        """gold item id -> labels under ``to_version``, for items usable as they are."""
        return {r.gold_item_id: r.labels for r in self.items if r.reusable and r.labels}

    def counts(self) -> dict[str, int]:
        """Number of items per status (every status present, possibly 0)."""
        out = dict.fromkeys(("current", "carried", "translated", "revalidate"), 0)
        for r in self.items:
            out[r.status] += 1
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per item: status, versions, old labels, labels, candidates, reasons."""
        rows = [
            {
                "gold_item_id": r.gold_item_id,
                "status": r.status,
                "from_version": r.from_version,
                "to_version": r.to_version,
                "old_labels": list(r.old_labels),
                "labels": None if r.labels is None else list(r.labels),
                "candidates": list(r.candidates),
                "reasons": [f"{label}: {code}" for label, code in r.reasons],
            }
            for r in self.items
        ]
        columns = ["gold_item_id", "status", "from_version", "to_version", "old_labels",
                   "labels", "candidates", "reasons"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)


def _gold_rows(
    gold: Mapping[Hashable, tuple[str | Sequence[str], str]] | pd.DataFrame,
) -> list[tuple[Hashable, tuple[str, ...], str]]:
    rows: list[tuple[Hashable, Any, Any]]
    if isinstance(gold, pd.DataFrame):
        label_col = "labels" if "labels" in gold.columns else "label"
        need = ["gold_item_id", label_col, "sop_version"]
        if any(c not in gold.columns for c in need):
            raise ValueError(
                "gold frame needs columns gold_item_id, label (or labels), sop_version; "
                f"got {list(gold.columns)}"
            )
        rows = list(gold[need].itertuples(index=False, name=None))
        ids = [r[0] for r in rows]
        if len(set(ids)) != len(ids):
            raise ValueError("gold frame has duplicated gold_item_id values")
    elif isinstance(gold, Mapping):
        rows = []
        for key, value in gold.items():
            if not isinstance(value, tuple | list) or len(value) != 2:
                raise ValueError(
                    f"gold must map gold item id -> (label or labels, sop_version); "
                    f"got {value!r} for {key!r}"
                )
            rows.append((key, value[0], value[1]))
    else:
        raise ValueError(
            "gold must be a dict gold item id -> (labels, sop_version) or a DataFrame; "
            f"got {type(gold).__name__}"
        )
    out = []
    for key, raw, version in rows:
        labels = (raw,) if isinstance(raw, str) else tuple(raw)
        if not labels or not all(isinstance(v, str) and v for v in labels):
            raise ValueError(f"gold item {key!r}: labels must be one or more non-empty str")
        if not isinstance(version, str) or not version:
            raise ValueError(f"gold item {key!r}: sop_version must be a version str")
        out.append((key, labels, version))
    return out


def _class_reasons(
    old: SOP, new: SOP, d: SOPDiff, translator: LabelTranslator
) -> dict[str, set[str]]:
    """Reason codes per old class value for moving labels from ``old`` to ``new``."""
    reasons: dict[str, set[str]] = {v: set() for v in old.class_values}
    for v in d.split:
        reasons[v].add("split")
    for v in d.removed:
        reasons[v].add("removed")
    for olds in d.merged.values():
        for v in olds:
            if v in reasons:
                reasons[v].add("merged")
    for change in d.changed:
        v = change.old_value or change.value
        if v in reasons:
            reasons[v].add(_FIELD_REASON.get(change.field, change.field))
    for v in _rule_touched(old, new, translator):
        reasons[v].add("rules")
    if any(t.field == "type" or t.field.count(".") == 1 or t.field.endswith(".kind")
           for t in d.task_changes):  # fmt: skip
        for v in reasons:
            reasons[v].add("task")
    return reasons


def _rule_touched(old: SOP, new: SOP, translator: LabelTranslator) -> set[str]:
    """Old class values named by a decision rule that was added, removed or changed.

    Rules are matched by id; a rule whose text is unchanged and whose classes only follow a
    rename is not a change. For a rule with unchanged text, only the classes that joined or
    left it count; for added, removed or reworded rules, every class it names.
    """
    forward = {v: translator.targets(v, old.version, new.version) for v in old.class_values}
    back: dict[str, set[str]] = {}
    for v, targets in forward.items():
        for t in targets:
            back.setdefault(t, set()).add(v)
    before = {r.id: r for r in old.decision_rules}
    after = {r.id: r for r in new.decision_rules}
    touched: set[str] = set()
    for rid in before.keys() | after.keys():
        r_old, r_new = before.get(rid), after.get(rid)
        olds = set(r_old.classes) if r_old else set()
        mapped = {t for v in olds for t in forward.get(v, ())}
        news = set(r_new.classes) if r_new else set()
        if r_old is None or r_new is None or r_old.text != r_new.text:
            moved_new, moved_old = news, olds
        else:
            moved_new = news - mapped
            moved_old = {v for v in olds if not forward.get(v, set()) <= news}
        touched |= moved_old
        touched |= {v for t in moved_new for v in back.get(t, ())}
    return touched & set(old.class_values)


def revalidate_gold(
    gold: Mapping[Hashable, tuple[str | Sequence[str], str]] | pd.DataFrame,
    sops: Iterable[SOP] | LabelTranslator,
    to_version: str | None = None,
    *,
    recheck_on: Collection[str] = ALL_REASONS,
) -> RevalidationReport:
    """Sort gold items into current / carried / translated / revalidate for ``to_version``.

    ``gold``: gold item id -> (label or labels, sop_version), or a frame with columns
    ``gold_item_id``, ``label`` (or ``labels``), ``sop_version``. ``sops``: the versions of
    one SOP covering every version named (or a LabelTranslator over them); ``to_version``
    defaults to the latest. ``recheck_on``: reason codes that force a re-check (module
    docstring). Raises ValueError on an unknown version or reason code, or a target version
    older than an item's version.
    """
    translator = sops if isinstance(sops, LabelTranslator) else LabelTranslator(sops)
    unknown_codes = set(recheck_on) - ALL_REASONS
    if unknown_codes:
        raise ValueError(
            f"recheck_on must be a subset of {sorted(ALL_REASONS)}; got {sorted(unknown_codes)}"
        )
    active = set(recheck_on) | _ALWAYS
    target = to_version or translator.versions[-1]
    by_version = {s.version: s for s in translator.sops}
    if target not in by_version:
        raise ValueError(
            f"unknown version {target!r} of {translator.sops[0].key}; expected one of "
            f"{', '.join(translator.versions)}"
        )
    rows = _gold_rows(gold)
    reasons_from: dict[str, dict[str, set[str]]] = {}
    for version in {v for _, _, v in rows}:
        if version not in by_version:
            raise ValueError(
                f"gold names unknown version {version!r} of {translator.sops[0].key}; "
                f"expected one of {', '.join(translator.versions)}"
            )
        if version != target:
            mapping = translator.mapping_between(version, target)
            d = diff(by_version[version], by_version[target], mapping)
            reasons_from[version] = _class_reasons(
                by_version[version], by_version[target], d, translator
            )
    items = tuple(
        _one(key, labels, version, target, translator, reasons_from.get(version), active)
        for key, labels, version in rows
    )
    return RevalidationReport(translator.sops[0].key, target, items)


def _one(
    key: Hashable,
    labels: tuple[str, ...],
    version: str,
    target: str,
    translator: LabelTranslator,
    class_reasons: dict[str, set[str]] | None,
    active: set[str],
) -> GoldRevalidation:
    known = set(translator.sops[translator.versions.index(version)].class_values)
    reasons: list[tuple[str, str]] = [(v, "unknown") for v in labels if v not in known]
    translated: list[str] = []
    candidates: set[str] = set()
    for v in labels:
        result = translator.translate(v, version, target)
        if isinstance(result, Untranslatable):
            candidates.update(result.candidates)
        else:
            translated.append(result)
            candidates.add(result)
        if class_reasons is not None and v in known:
            reasons.extend((v, code) for code in sorted(class_reasons[v] & active))
    new_labels = tuple(dict.fromkeys(translated)) if len(translated) == len(labels) else None
    if reasons or new_labels is None:
        status: RevalidationStatus = "revalidate"
    elif version == target:
        status = "current"
    elif new_labels == labels:
        status = "carried"
    else:
        status = "translated"
    return GoldRevalidation(
        gold_item_id=key,
        status=status,
        from_version=version,
        to_version=target,
        old_labels=labels,
        labels=new_labels,
        candidates=tuple(sorted(candidates)),
        reasons=tuple(reasons),
    )
