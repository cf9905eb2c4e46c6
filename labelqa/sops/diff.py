"""Structured difference between two versions of an SOP.

Class identity across versions comes from the newer version's ``label_mapping`` when it maps
from the older version (renames, splits, merges, removals); otherwise, or for classes the
mapping does not mention, classes are matched by value. Pass ``mapping`` explicitly to diff
versions further apart (see ``LabelTranslator.mapping_between``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from labelqa.sops.models import SOP, LabelMapping, SOPClass

__all__ = ["ClassChange", "RuleChange", "SOPDiff", "TaskChange", "diff"]

_CLASS_FIELDS = ("definition", "examples", "counter_examples", "parent")


@dataclass(frozen=True)
class ClassChange:
    """A field of a class (matched by value or through a rename) that differs between versions."""

    value: str
    field: str
    before: str | tuple[str, ...] | None
    after: str | tuple[str, ...] | None
    old_value: str | None = None  # set when the class was renamed


@dataclass(frozen=True)
class RuleChange:
    """A decision rule (matched by id) whose text or classes differ."""

    id: str
    before: str
    after: str


@dataclass(frozen=True)
class TaskChange:
    """A difference in the task: ``type`` or a data field (added, removed, kind/label changed)."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class SOPDiff:
    """What changed from ``old_version`` to ``new_version`` of the SOP ``key``."""

    key: str
    old_version: str
    new_version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    renamed: dict[str, str]
    split: dict[str, tuple[str, ...]]
    merged: dict[str, tuple[str, ...]]
    changed: tuple[ClassChange, ...]
    rules_added: tuple[str, ...]
    rules_removed: tuple[str, ...]
    rules_changed: tuple[RuleChange, ...]
    task_changes: tuple[TaskChange, ...]
    title_changed: bool = False
    body_changed: bool = False

    @property
    def affected_old_classes(self) -> tuple[str, ...]:
        """Old class values whose labels need review or translation (renamed/split/merged/
        removed, or whose definition or examples changed)."""
        values = [*self.removed, *self.renamed, *self.split]
        for olds in self.merged.values():
            values.extend(olds)
        values.extend(c.old_value or c.value for c in self.changed)
        return tuple(dict.fromkeys(values))

    @property
    def breaking(self) -> bool:
        """True when some old labels have no single successor or the task type changed."""
        return bool(self.removed or self.split) or any(t.field == "type" for t in self.task_changes)

    @property
    def is_empty(self) -> bool:
        """True when nothing a labeler sees changed."""
        return not (
            self.added or self.removed or self.renamed or self.split or self.merged
            or self.changed or self.rules_added or self.rules_removed or self.rules_changed
            or self.task_changes or self.title_changed or self.body_changed
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples become lists) for the CLI and API."""
        data = asdict(self)
        data["breaking"] = self.breaking
        data["affected_old_classes"] = list(self.affected_old_classes)
        return _jsonable(data)


def diff(old: SOP, new: SOP, mapping: LabelMapping | None = None) -> SOPDiff:
    """Compare two versions of one SOP; ``mapping`` defaults to ``new.label_mapping`` if it maps
    from ``old.version``. Raises ValueError if the keys differ."""
    if old.key != new.key:
        raise ValueError(f"cannot diff different SOPs: {old.key!r} and {new.key!r}")
    if mapping is None and new.label_mapping and new.label_mapping.from_version == old.version:
        mapping = new.label_mapping
    mapping = mapping or LabelMapping(from_version=old.version)
    old_values, new_values = set(old.class_values), set(new.class_values)
    renamed = {o: n for o, n in mapping.renamed.items() if o in old_values and n in new_values}
    split = {o: tuple(ns) for o, ns in mapping.split.items() if o in old_values}
    merged = {n: tuple(os) for n, os in mapping.merged.items() if n in new_values}
    mapped_new = set(mapping.new_values())
    mapped_old = set(mapping.old_values())
    added = tuple(v for v in new.class_values if v not in old_values and v not in mapped_new)
    removed = tuple(
        v
        for v in old.class_values
        if v in set(mapping.removed) or (v not in new_values and v not in mapped_old)
    )
    pairs = [(v, v) for v in old.class_values if v in new_values and v not in mapping.split]
    pairs += list(renamed.items())
    changed = tuple(
        change
        for o, n in pairs
        for change in _class_changes(_get(old, o), _get(new, n), None if o == n else o)
    )
    rules_added, rules_removed, rules_changed = _rule_changes(old, new)
    return SOPDiff(
        key=new.key,
        old_version=old.version,
        new_version=new.version,
        added=added,
        removed=removed,
        renamed=renamed,
        split=split,
        merged=merged,
        changed=changed,
        rules_added=rules_added,
        rules_removed=rules_removed,
        rules_changed=rules_changed,
        task_changes=_task_changes(old, new),
        title_changed=old.title != new.title,
        body_changed=old.body.strip() != new.body.strip(),
    )


def _get(sop: SOP, value: str) -> SOPClass:
    cls = sop.get_class(value)
    assert cls is not None
    return cls


def _class_changes(old: SOPClass, new: SOPClass, old_value: str | None) -> list[ClassChange]:
    return [
        ClassChange(new.value, name, getattr(old, name), getattr(new, name), old_value)
        for name in _CLASS_FIELDS
        if getattr(old, name) != getattr(new, name)
    ]


def _rule_changes(
    old: SOP, new: SOP
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[RuleChange, ...]]:
    before = {r.id: r for r in old.decision_rules}
    after = {r.id: r for r in new.decision_rules}
    added = tuple(i for i in after if i not in before)
    removed = tuple(i for i in before if i not in after)
    changed = tuple(
        RuleChange(i, before[i].text, after[i].text)
        for i in after
        if i in before and (before[i].text, before[i].classes) != (after[i].text, after[i].classes)
    )
    return added, removed, changed


def _task_changes(old: SOP, new: SOP) -> tuple[TaskChange, ...]:
    changes: list[TaskChange] = []
    if old.task.type != new.task.type:
        changes.append(TaskChange("type", old.task.type, new.task.type))
    before = {f.name: f for f in old.task.fields}
    after = {f.name: f for f in new.task.fields}
    for name, fld in after.items():
        if name not in before:
            changes.append(TaskChange(f"fields.{name}", None, fld.kind))
        elif before[name].kind != fld.kind:
            changes.append(TaskChange(f"fields.{name}.kind", before[name].kind, fld.kind))
        elif before[name].label != fld.label:
            changes.append(TaskChange(f"fields.{name}.label", before[name].label, fld.label))
    changes.extend(
        TaskChange(f"fields.{n}", f.kind, None) for n, f in before.items() if n not in after
    )
    return tuple(changes)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
