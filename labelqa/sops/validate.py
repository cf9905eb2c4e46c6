"""Check what an SOP version means: versions, classes, task, rules, mapping, body safety.

:func:`check` returns every :class:`SOPIssue` found; :func:`validate` raises them together as
one :class:`SOPValidationError`. Pass the last published version as ``previous`` to also check
that the version moved forward and that ``label_mapping`` accounts for the old classes.
"""

from __future__ import annotations

import re
from collections import Counter

from labelqa.sops.errors import SOPIssue, SOPValidationError
from labelqa.sops.models import CONTROL_NAME, FIELD_KINDS, SOP, STATUSES, TASK_TYPES
from labelqa.sops.parse import parse_sop
from labelqa.sops.semver import Version, is_semver, parse_version
from labelqa.sops.unsafe import find_unsafe_markup

__all__ = ["VALUE_PATTERN", "check", "check_text", "validate"]

#: Class values and keys are stable identifiers shared by Label Studio, the store and exports.
VALUE_PATTERN = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def validate(sop: SOP, previous: SOP | None = None) -> SOP:
    """Return ``sop`` unchanged if it is valid, else raise SOPValidationError listing every issue.

    ``previous`` is the last published version of the same SOP, if any.
    """
    issues = check(sop, previous)
    if issues:
        raise SOPValidationError(issues)
    return sop


def check(sop: SOP, previous: SOP | None = None) -> list[SOPIssue]:
    """Every problem in ``sop`` (against ``previous``, the last published version), in order."""
    checker = _Checker(sop)
    checker.header()
    checker.classes()
    checker.task()
    checker.rules()
    checker.changelog()
    checker.body()
    checker.mapping(previous)
    if previous is not None:
        checker.against(previous)
    return checker.issues


def check_text(text: str, source: str | None = None, previous: SOP | None = None) -> list[SOPIssue]:
    """Parse and check a document in one go; parse issues are returned instead of raised."""
    try:
        sop = parse_sop(text, source=source)
    except SOPValidationError as exc:
        return exc.issues
    return check(sop, previous)


class _Checker:
    def __init__(self, sop: SOP) -> None:
        self.sop = sop
        self.issues: list[SOPIssue] = []

    def add(self, path: str, message: str, line: int | None = None) -> None:
        line = line if line is not None else self.sop.line_of(path)
        self.issues.append(SOPIssue(self.sop.source, path, line, message))

    def version_of(self, text: str) -> Version | None:
        return parse_version(text) if is_semver(text) else None

    # -- header ----------------------------------------------------------------------------
    def header(self) -> None:
        sop = self.sop
        if not sop.key.strip():
            self.add("key", "is required: the SOP's stable identifier, e.g. comment-harassment")
        elif not VALUE_PATTERN.match(sop.key):
            self.add("key", f"{sop.key!r} must be lower-case letters, digits, '-' or '_'")
        if not sop.version.strip():
            self.add("version", "is required, e.g. 1.0.0")
        elif not is_semver(sop.version):
            self.add(
                "version",
                f"{sop.version!r} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0)",
            )
        if not sop.title.strip():
            self.add("title", "is required")
        if sop.status not in STATUSES:
            got = repr(sop.status) if sop.status else "nothing"
            self.add("status", f"must be one of {', '.join(STATUSES)}; got {got}")

    # -- classes ---------------------------------------------------------------------------
    def classes(self) -> None:
        classes = self.sop.classes
        if not classes:
            self.add("classes", "at least one class is required")
            return
        first: dict[str, int] = {}
        for index, cls in enumerate(classes):
            path = f"classes[{index}]"
            if not cls.value.strip():
                self.add(f"{path}.value", "class value is empty")
            elif not VALUE_PATTERN.match(cls.value):
                self.add(
                    f"{path}.value",
                    f"{cls.value!r} must be lower-case letters, digits, "
                    "'_' or '-' (a stable identifier; explain it in the definition)",
                )
            elif cls.value in first:
                self.add(
                    f"{path}.value",
                    f"duplicate class value {cls.value!r} (first defined "
                    f"at classes[{first[cls.value]}])",
                )
            else:
                first[cls.value] = index
            if not cls.definition.strip():
                self.add(f"{path}.definition", f"class {cls.value!r} needs a definition")
            for kind in ("examples", "counter_examples"):
                for j, text in enumerate(getattr(cls, kind)):
                    if not text.strip():
                        self.add(f"{path}.{kind}[{j}]", "is empty")
        self._parents(first)

    def _parents(self, known: dict[str, int]) -> None:
        parents = {c.value: c.parent for c in self.sop.classes if c.parent is not None}
        for index, cls in enumerate(self.sop.classes):
            if cls.parent is None:
                continue
            path = f"classes[{index}].parent"
            if cls.parent not in known:
                self.add(path, f"parent {cls.parent!r} of {cls.value!r} is not a class of this SOP")
                continue
            seen: set[str] = {cls.value}
            node: str | None = cls.parent
            while node is not None and node not in seen:
                seen.add(node)
                node = parents.get(node)
            if node is not None:
                self.add(path, f"parent chain of {cls.value!r} loops back to {node!r}")

    # -- task ------------------------------------------------------------------------------
    def task(self) -> None:
        task = self.sop.task
        if not task.type and not task.fields:
            self.add(
                "task",
                "is missing: give task.type (single_choice or multi_choice) and "
                "task.fields (the data fields shown to the labeler)",
            )
            return
        if task.type not in TASK_TYPES:
            got = repr(task.type) if task.type else "nothing"
            self.add("task.type", f"must be one of {', '.join(TASK_TYPES)}; got {got}")
        if not task.fields:
            self.add(
                "task.fields", "at least one data field is required, e.g. {name: text, kind: text}"
            )
        seen: set[str] = set()
        for index, fld in enumerate(task.fields):
            path = f"task.fields[{index}]"
            if not fld.name:
                self.add(f"{path}.name", "field name is missing")
            elif not _FIELD_NAME.match(fld.name):
                self.add(f"{path}.name", f"{fld.name!r} must be an identifier (the task data key)")
            elif fld.name == CONTROL_NAME:
                self.add(f"{path}.name", f"{CONTROL_NAME!r} is reserved for the label control")
            elif fld.name in seen:
                self.add(f"{path}.name", f"duplicate field name {fld.name!r}")
            seen.add(fld.name)
            if fld.kind not in FIELD_KINDS:
                got = repr(fld.kind) if fld.kind else "nothing"
                self.add(f"{path}.kind", f"must be one of {', '.join(FIELD_KINDS)}; got {got}")

    # -- rules and changelog ---------------------------------------------------------------
    def rules(self) -> None:
        ids = Counter(rule.id for rule in self.sop.decision_rules)
        values = set(self.sop.class_values)
        reported: set[str] = set()
        for index, rule in enumerate(self.sop.decision_rules):
            path = f"decision_rules[{index}]"
            if not rule.id.strip():
                self.add(f"{path}.id", "rule id is missing, e.g. R1")
            elif ids[rule.id] > 1 and rule.id not in reported:
                reported.add(rule.id)
                self.add(f"{path}.id", f"duplicate rule id {rule.id!r}")
            if not rule.text.strip():
                self.add(f"{path}.text", "rule text is empty")
            for j, value in enumerate(rule.classes):
                if value not in values:
                    self.add(f"{path}.classes[{j}]", f"unknown class {value!r}")

    def changelog(self) -> None:
        current = self.version_of(self.sop.version)
        seen: set[str] = set()
        for index, entry in enumerate(self.sop.changelog):
            path = f"changelog[{index}]"
            version = self.version_of(entry.version)
            if version is None:
                self.add(f"{path}.version", f"{entry.version!r} is not a semantic version")
            elif current is not None and version > current:
                self.add(
                    f"{path}.version",
                    f"{entry.version} is later than this version {self.sop.version}",
                )
            if entry.version in seen:
                self.add(f"{path}.version", f"duplicate changelog entry for {entry.version}")
            seen.add(entry.version)
            if not entry.changes:
                self.add(f"{path}.changes", "list at least one change")

    # -- body ------------------------------------------------------------------------------
    def body(self) -> None:
        if not self.sop.body.strip():
            self.add("body", "the guideline text labelers read is empty", self.sop.body_line)
            return
        for finding in find_unsafe_markup(self.sop.body):
            self.add("body", finding.message, self.sop.body_line + finding.line - 1)

    # -- label mapping ---------------------------------------------------------------------
    def mapping(self, previous: SOP | None) -> None:
        mapping = self.sop.label_mapping
        if mapping is None:
            return
        path = "label_mapping"
        new_values = set(self.sop.class_values)
        old_values = set(previous.class_values) if previous is not None else None
        if not is_semver(mapping.from_version):
            self.add(f"{path}.from_version", f"{mapping.from_version!r} is not a semantic version")
        elif previous is not None and mapping.from_version != previous.version:
            self.add(
                f"{path}.from_version",
                f"maps from {mapping.from_version} but the previous version is {previous.version}",
            )
        entries: list[tuple[str, str, list[str]]] = []  # (field path, old value, new values)
        entries += [(f"{path}.renamed.{o}", o, [n]) for o, n in mapping.renamed.items()]
        entries += [(f"{path}.split.{o}", o, list(ns)) for o, ns in mapping.split.items()]
        for new, olds in mapping.merged.items():
            entries += [(f"{path}.merged.{new}", o, [new]) for o in olds]
        entries += [(f"{path}.removed", o, []) for o in mapping.removed]
        claimed: dict[str, str] = {}
        for where, old, news in entries:
            if old in claimed:
                self.add(where, f"old class {old!r} is already mapped in {claimed[old]}")
            claimed.setdefault(old, where)
            if old_values is not None and old not in old_values:
                self.add(
                    where,
                    f"unknown class {old!r}: not a class of the previous version "
                    f"{previous.version if previous else ''}".rstrip(),
                )
            for new in news:
                if new not in new_values:
                    self.add(
                        where,
                        f"unknown class {new!r}: not a class of this version {self.sop.version}",
                    )
        for old, new in mapping.renamed.items():
            where = f"{path}.renamed.{old}"
            if old == new:
                self.add(where, f"renames {old!r} to itself")
            elif old in new_values:
                self.add(where, f"renames {old!r} but this version still has class {old!r}")
        for old, targets in mapping.split.items():
            if len(set(targets)) < 2:
                self.add(
                    f"{path}.split.{old}",
                    f"a split needs at least two new classes; got {list(targets)}",
                )
        for new, olds in mapping.merged.items():
            if len(set(olds)) < 2:
                self.add(
                    f"{path}.merged.{new}",
                    f"a merge needs at least two old classes; got {list(olds)}",
                )
        for old in mapping.removed:
            if old in new_values:
                self.add(f"{path}.removed", f"removes {old!r} but this version still has it")

    # -- against the last published version ------------------------------------------------
    def against(self, previous: SOP) -> None:
        sop = self.sop
        if previous.key != sop.key:
            self.add(
                "key", f"{sop.key!r} does not match the previous version's key {previous.key!r}"
            )
        new, old = self.version_of(sop.version), self.version_of(previous.version)
        if new is not None and old is not None:
            if new <= old:
                self.add(
                    "version",
                    f"{sop.version} must be greater than the last published "
                    f"version {previous.version}",
                )
            elif (
                sop.label_mapping is not None
                and not sop.label_mapping.is_lossless
                and (new.major == old.major)
            ):
                self.add(
                    "version",
                    f"label_mapping splits or removes classes, so labels made "
                    f"under {previous.version} cannot all be translated: bump the major "
                    f"version (e.g. {old.major + 1}.0.0)",
                )
        mapping = sop.label_mapping
        current = set(sop.class_values)
        for value in previous.class_values:
            if value in current:
                continue
            if mapping is None or mapping.targets(value) is None:
                self.add(
                    "label_mapping",
                    f"class {value!r} of {previous.version} is not in "
                    f"{sop.version}; say in label_mapping whether it was renamed, split, "
                    "merged or removed",
                )
