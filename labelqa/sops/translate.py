"""Translate labels made under an earlier SOP version into the classes of a later one.

A translation is either the new class value (a ``str``) or an :class:`Untranslatable` result
saying why there is no single target:

* ``"split"``: the class was split and the label could now be any of ``candidates``;
* ``"removed"``: the class was removed without successor;
* ``"unknown"``: the label is not a class of the version it claims to come from.

Always test with ``isinstance(result, Untranslatable)``; an Untranslatable is never a string,
so it cannot be mistaken for a class value. Translation only runs forward (old -> new).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from labelqa.sops.models import SOP, LabelMapping

__all__ = ["LabelTranslator", "Translation", "Untranslatable", "translate_label"]


@dataclass(frozen=True)
class Untranslatable:
    """A label with no single counterpart in the target version (see module docstring)."""

    label: str
    reason: str
    candidates: tuple[str, ...] = ()
    at_version: str | None = None

    def __bool__(self) -> bool:
        return False


Translation = str | Untranslatable


def translate_label(
    value: str, mapping: LabelMapping | Sequence[LabelMapping]
) -> str | Untranslatable:
    """Translate ``value`` through one mapping, or a chain of mappings applied in order.

    Values a mapping does not mention map to themselves (use :class:`LabelTranslator`, which
    knows each version's classes, to also catch labels of classes that silently disappeared).
    """
    steps = [mapping] if isinstance(mapping, LabelMapping) else list(mapping)
    return _run(value, [(m, None, None) for m in steps])


class LabelTranslator:
    """Translate labels between any two versions of one SOP through their chain of mappings.

    ``sops`` are versions of the same SOP (any order; they are sorted by semver). Each version
    after the first must either carry a ``label_mapping`` from its predecessor in the list or
    none at all (then classes are matched by value). Raises ValueError otherwise.
    """

    def __init__(self, sops: Iterable[SOP]) -> None:
        ordered = sorted(sops, key=lambda s: s.semver)
        if not ordered:
            raise ValueError("LabelTranslator needs at least one SOP version")
        keys = {s.key for s in ordered}
        if len(keys) > 1:
            raise ValueError(f"versions of one SOP expected; got keys {sorted(keys)}")
        for before, after in itertools.pairwise(ordered):
            if before.semver == after.semver:
                raise ValueError(f"version {after.version} of {after.key} given twice")
            mapping = after.label_mapping
            if mapping is not None and mapping.from_version != before.version:
                raise ValueError(
                    f"{after.ref} maps from {mapping.from_version}, but the version before it "
                    f"here is {before.version}; pass every version in between"
                )
        self.sops: tuple[SOP, ...] = tuple(ordered)
        self._index = {s.version: i for i, s in enumerate(ordered)}

    @property
    def versions(self) -> tuple[str, ...]:
        """Known versions, oldest first."""
        return tuple(s.version for s in self.sops)

    def translate(
        self, value: str, from_version: str, to_version: str | None = None
    ) -> str | Untranslatable:
        """Translate a label made under ``from_version`` to ``to_version`` (default: latest)."""
        start, end = self._span(from_version, to_version)
        if value not in self.sops[start].class_values:
            return Untranslatable(value, "unknown", (), from_version)
        return _run(value, self._steps(start, end))

    def targets(self, value: str, from_version: str, to_version: str | None = None) -> set[str]:
        """Every class of ``to_version`` that a ``from_version`` label ``value`` may now be."""
        start, end = self._span(from_version, to_version)
        current = {value} if value in self.sops[start].class_values else set()
        for mapping, classes, _ in self._steps(start, end):
            current = {t for v in current for t in _step(v, mapping, classes)}
        return current

    def mapping_between(self, from_version: str, to_version: str) -> LabelMapping:
        """The composed mapping from one version to a later one (for diffs across versions)."""
        start, _ = self._span(from_version, to_version)
        relation = {
            v: self.targets(v, from_version, to_version) for v in self.sops[start].class_values
        }
        renamed: dict[str, str] = {}
        split: dict[str, tuple[str, ...]] = {}
        sources: dict[str, list[str]] = {}
        removed = tuple(v for v, ts in relation.items() if not ts)
        for old, targets in relation.items():
            if len(targets) > 1:
                split[old] = tuple(sorted(targets))
            elif len(targets) == 1:
                sources.setdefault(next(iter(targets)), []).append(old)
        merged = {new: tuple(olds) for new, olds in sources.items() if len(olds) > 1}
        for new, olds in sources.items():
            if len(olds) == 1 and olds[0] != new:
                renamed[olds[0]] = new
        return LabelMapping(from_version, renamed, split, merged, removed)

    def _span(self, from_version: str, to_version: str | None) -> tuple[int, int]:
        to_version = to_version or self.sops[-1].version
        for version in (from_version, to_version):
            if version not in self._index:
                raise ValueError(
                    f"unknown version {version!r} of {self.sops[0].key}; "
                    f"expected one of {', '.join(self.versions)}"
                )
        start, end = self._index[from_version], self._index[to_version]
        if start > end:
            raise ValueError(f"can only translate forward; {from_version} is after {to_version}")
        return start, end

    def _steps(
        self, start: int, end: int
    ) -> list[tuple[LabelMapping, Collection[str] | None, str | None]]:
        steps: list[tuple[LabelMapping, Collection[str] | None, str | None]] = []
        for sop in self.sops[start + 1 : end + 1]:
            mapping = sop.label_mapping or LabelMapping(from_version="")
            steps.append((mapping, sop.class_values, sop.version))
        return steps


def _step(value: str, mapping: LabelMapping, classes: Collection[str] | None) -> tuple[str, ...]:
    targets = mapping.targets(value)
    if targets is not None:
        return targets
    if classes is None or value in classes:
        return (value,)
    return ()


def _run(
    value: str, steps: Sequence[tuple[LabelMapping, Collection[str] | None, str | None]]
) -> str | Untranslatable:
    current: set[str] = {value}
    lost_at: str | None = None  # the version where the label stopped having one target
    for mapping, classes, version in steps:
        current = {t for v in current for t in _step(v, mapping, classes)}
        if len(current) != 1 and lost_at is None:
            lost_at = version
        if not current:
            break
    if len(current) == 1:
        return next(iter(current))
    reason = "split" if current else "removed"
    return Untranslatable(value, reason, tuple(sorted(current)), lost_at)
