"""Read an SOP document: split YAML front matter from the Markdown body and build the model.

The document is ``---`` on the first line, YAML front matter, a closing ``---`` line, then the
Markdown body. Parsing checks shapes only (a list is a list, a string is a string, no unknown
keys) and raises :class:`SOPValidationError` with located issues; meaning is checked by
:func:`labelqa.sops.validate.validate`. Missing strings become ``""`` so validation can report
them together with everything else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from labelqa.sops.errors import SOPIssue, SOPValidationError
from labelqa.sops.models import (
    SOP,
    ChangelogEntry,
    DecisionRule,
    LabelMapping,
    SOPClass,
    TaskField,
    TaskSpec,
)

__all__ = ["load_sop", "parse_sop", "split_front_matter"]

_T = TypeVar("_T")
_DELIMITERS = ("---", "...")
_TOP_KEYS = frozenset(
    {
        "key",
        "version",
        "title",
        "status",
        "classes",
        "task",
        "decision_rules",
        "changelog",
        "label_mapping",
    }
)
_CLASS_KEYS = frozenset({"value", "definition", "examples", "counter_examples", "parent"})
_TASK_KEYS = frozenset({"type", "fields"})
_FIELD_KEYS = frozenset({"name", "kind", "label"})
_RULE_KEYS = frozenset({"id", "text", "classes"})
_CHANGELOG_KEYS = frozenset({"version", "date", "changes"})
_MAPPING_KEYS = frozenset({"from_version", "renamed", "split", "merged", "removed"})


def load_sop(path: str | Path) -> SOP:
    """Read and parse the SOP document at ``path`` (UTF-8); the path is used in error messages."""
    path = Path(path)
    return parse_sop(path.read_text(encoding="utf-8"), source=str(path))


def split_front_matter(text: str, source: str | None = None) -> tuple[str, str, int]:
    """Return ``(yaml_text, body, body_line)``; raise SOPValidationError without front matter.

    ``body_line`` is the 1-based file line on which the body starts. YAML line ``n`` (0-based)
    is file line ``n + 2``.
    """
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise SOPValidationError(
            [
                SOPIssue(
                    source,
                    "front_matter",
                    1,
                    "document must start with a '---' line opening the YAML front matter",
                )
            ]
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _DELIMITERS:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise SOPValidationError(
        [SOPIssue(source, "front_matter", 1, "front matter is not closed by a '---' line")]
    )


def parse_sop(text: str, source: str | None = None) -> SOP:
    """Parse SOP document text into an :class:`SOP`; ``source`` names the file in issues.

    Raises SOPValidationError for missing front matter, YAML syntax errors (with the file line)
    and wrongly shaped fields. Does not check meaning: call ``validate`` for that.
    """
    yaml_text, body, body_line = split_front_matter(text, source)
    reader = _Reader(source)
    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        raise SOPValidationError(
            [SOPIssue(source, "front_matter", line, f"invalid YAML: {problem}")]
        ) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked YAML errors are rare
        raise SOPValidationError(
            [SOPIssue(source, "front_matter", None, f"invalid YAML: {exc}")]
        ) from exc
    if root is not None:
        reader.locate(root, "")
    if not isinstance(data, dict):
        got = "nothing" if data is None else type(data).__name__
        raise SOPValidationError(
            [
                SOPIssue(
                    source,
                    "front_matter",
                    2,
                    f"front matter must be a mapping of fields, got {got}",
                )
            ]
        )
    sop = reader.build(data, body, body_line)
    if reader.issues:
        raise SOPValidationError(reader.issues)
    return sop


class _Reader:
    """Collects field locations and shape issues while turning YAML data into models."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.locations: dict[str, int] = {}
        self.issues: list[SOPIssue] = []

    # -- locations -------------------------------------------------------------------------
    def locate(self, node: yaml.Node, path: str) -> None:
        if path and path not in self.locations:
            self.locations[path] = node.start_mark.line + 2
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = f"{path}.{key}" if path else key
                if key in seen:
                    self.error(child, f"duplicate key '{key}'", key_node.start_mark.line + 2)
                seen.add(key)
                self.locations.setdefault(child, key_node.start_mark.line + 2)
                self.locate(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.locate(item, f"{path}[{index}]")

    def line(self, path: str) -> int | None:
        while path and path not in self.locations:
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                return None
            path = path[:cut]
        return self.locations.get(path)

    def error(self, path: str, message: str, line: int | None = None) -> None:
        self.issues.append(SOPIssue(self.source, path, line or self.line(path), message))

    # -- shape helpers ---------------------------------------------------------------------
    def mapping(self, value: Any, path: str, allowed: frozenset[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {_kind(value)}")
            return {}
        for key in value:
            if str(key) not in allowed:
                self.error(
                    f"{path}.{key}" if path else str(key),
                    f"unknown field '{key}'; expected one of: {', '.join(sorted(allowed))}",
                )
        return value

    def text(self, data: dict[str, Any], key: str, path: str, *, version: bool = False) -> str:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if version and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # ``version: 1.0`` -> "1.0", reported as bad semver by validate
        if isinstance(value, dt.date):
            return value.isoformat()
        self.error(where, f"expected a string, got {_kind(value)}")
        return ""

    def optional_text(self, data: dict[str, Any], key: str, path: str) -> str | None:
        return self.text(data, key, path) if data.get(key) is not None else None

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(path, f"expected a list of strings, got {_kind(value)}")
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error(f"{path}[{index}]", f"expected a string, got {_kind(item)}")
        return tuple(out)

    def items(self, value: Any, path: str, build: Callable[[Any, str], _T]) -> tuple[_T, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {_kind(value)}")
            return ()
        return tuple(build(item, f"{path}[{index}]") for index, item in enumerate(value))

    # -- models ----------------------------------------------------------------------------
    def build(self, data: dict[str, Any], body: str, body_line: int) -> SOP:
        data = self.mapping(data, "", _TOP_KEYS)
        mapping = data.get("label_mapping")
        return SOP(
            key=self.text(data, "key", ""),
            version=self.text(data, "version", "", version=True),
            title=self.text(data, "title", ""),
            status=self.text(data, "status", ""),
            classes=self.items(data.get("classes"), "classes", self.sop_class),
            task=self.task(data.get("task"), "task"),
            body=body,
            decision_rules=self.items(data.get("decision_rules"), "decision_rules", self.rule),
            changelog=self.items(data.get("changelog"), "changelog", self.changelog_entry),
            label_mapping=None if mapping is None else self.label_mapping(mapping, "label_mapping"),
            source=self.source,
            body_line=body_line,
            locations=dict(self.locations),
        )

    def sop_class(self, value: Any, path: str) -> SOPClass:
        data = self.mapping(value, path, _CLASS_KEYS)
        return SOPClass(
            value=self.text(data, "value", path),
            definition=self.text(data, "definition", path),
            examples=self.texts(data.get("examples"), f"{path}.examples"),
            counter_examples=self.texts(data.get("counter_examples"), f"{path}.counter_examples"),
            parent=self.optional_text(data, "parent", path),
        )

    def task(self, value: Any, path: str) -> TaskSpec:
        data = self.mapping(value, path, _TASK_KEYS)
        return TaskSpec(
            type=self.text(data, "type", path),
            fields=self.items(data.get("fields"), f"{path}.fields", self.task_field),
        )

    def task_field(self, value: Any, path: str) -> TaskField:
        data = self.mapping(value, path, _FIELD_KEYS)
        return TaskField(
            name=self.text(data, "name", path),
            kind=self.text(data, "kind", path),
            label=self.optional_text(data, "label", path),
        )

    def rule(self, value: Any, path: str) -> DecisionRule:
        data = self.mapping(value, path, _RULE_KEYS)
        return DecisionRule(
            id=self.text(data, "id", path),
            text=self.text(data, "text", path),
            classes=self.texts(data.get("classes"), f"{path}.classes"),
        )

    def changelog_entry(self, value: Any, path: str) -> ChangelogEntry:
        data = self.mapping(value, path, _CHANGELOG_KEYS)
        return ChangelogEntry(
            version=self.text(data, "version", path, version=True),
            changes=self.texts(data.get("changes"), f"{path}.changes"),
            date=self.optional_text(data, "date", path),
        )

    def label_mapping(self, value: Any, path: str) -> LabelMapping:
        data = self.mapping(value, path, _MAPPING_KEYS)
        renamed: dict[str, str] = {}
        for old, new in self.mapping(data.get("renamed"), f"{path}.renamed", _ANY).items():
            if isinstance(new, str):
                renamed[str(old)] = new
            else:
                self.error(
                    f"{path}.renamed.{old}", f"expected the new class value, got {_kind(new)}"
                )
        split = {
            str(old): self.texts(new, f"{path}.split.{old}")
            for old, new in self.mapping(data.get("split"), f"{path}.split", _ANY).items()
        }
        merged = {
            str(new): self.texts(old, f"{path}.merged.{new}")
            for new, old in self.mapping(data.get("merged"), f"{path}.merged", _ANY).items()
        }
        return LabelMapping(
            from_version=self.text(data, "from_version", path, version=True),
            renamed=renamed,
            split=split,
            merged=merged,
            removed=self.texts(data.get("removed"), f"{path}.removed"),
        )


class _AnyKey(frozenset[str]):
    """A key set that allows every key (for mappings keyed by class value)."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY = _AnyKey()


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
