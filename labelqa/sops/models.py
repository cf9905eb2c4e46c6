"""The SOP document model: an SOP version with its classes, task, rules and label mapping.

Models are frozen dataclasses and hold what the document says, as written; parsing checks only
shapes (a list is a list) and :func:`labelqa.sops.validate.validate` checks meaning (versions,
duplicates, references). ``locations`` maps field paths (``classes[1].value``) to 1-based lines
in the source file so that validation can point at the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from labelqa.sops.semver import Version, parse_version

__all__ = [
    "CONTROL_NAME",
    "FIELD_KINDS",
    "SOP",
    "STATUSES",
    "TASK_TYPES",
    "ChangelogEntry",
    "DecisionRule",
    "LabelMapping",
    "SOPClass",
    "TaskField",
    "TaskSpec",
]

STATUSES: Final = ("draft", "published", "retired")
TASK_TYPES: Final = ("single_choice", "multi_choice")
#: Task data field kinds and the Label Studio object tag each one compiles to.
FIELD_KINDS: Final[Mapping[str, str]] = {
    "text": "Text",
    "hypertext": "HyperText",
    "image": "Image",
    "audio": "Audio",
}
#: Name of the Choices control in every compiled label config; downstream normalisation keys on it.
CONTROL_NAME: Final = "label"


@dataclass(frozen=True)
class SOPClass:
    """One label class: its stored value, what it means, and examples on both sides of the line."""

    value: str
    definition: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class TaskField:
    """One data field of an item shown to the labeler, e.g. ``text`` (kind text) or ``image``."""

    name: str
    kind: str
    label: str | None = None


@dataclass(frozen=True)
class TaskSpec:
    """What the labeler sees and picks: single or multiple choice over the shown fields."""

    type: str
    fields: tuple[TaskField, ...]

    @property
    def multiple(self) -> bool:
        """True for multi-choice tasks (an item may carry several labels)."""
        return self.type == "multi_choice"


@dataclass(frozen=True)
class DecisionRule:
    """A numbered rule for hard cases; ``classes`` lists the classes it is about (optional)."""

    id: str
    text: str
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangelogEntry:
    """What changed in one version, as the T&S team tells it."""

    version: str
    changes: tuple[str, ...]
    date: str | None = None


@dataclass(frozen=True)
class LabelMapping:
    """How classes of the previous version (``from_version``) became classes of this one.

    ``renamed`` maps old -> new, ``split`` maps one old value to several new values, ``merged``
    maps one new value to the several old values folded into it, and ``removed`` lists old
    values that have no successor. A class present in both versions under the same value and
    not named here maps to itself.
    """

    from_version: str
    renamed: Mapping[str, str] = field(default_factory=dict)
    split: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    merged: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    removed: tuple[str, ...] = ()

    def old_values(self) -> list[str]:
        """Every old class value the mapping mentions, in document order (may repeat)."""
        olds = [*self.renamed, *self.split]
        for sources in self.merged.values():
            olds.extend(sources)
        olds.extend(self.removed)
        return olds

    def new_values(self) -> list[str]:
        """Every new class value the mapping mentions, in document order (may repeat)."""
        news = list(self.renamed.values())
        for targets in self.split.values():
            news.extend(targets)
        news.extend(self.merged)
        return news

    def targets(self, old: str) -> tuple[str, ...] | None:
        """New values ``old`` maps to: one for rename/merge, several for split, none if removed.

        Returns None when the mapping does not mention ``old`` (it then maps to itself if the
        new version still has that class).
        """
        if old in self.renamed:
            return (self.renamed[old],)
        if old in self.split:
            return tuple(self.split[old])
        for new, sources in self.merged.items():
            if old in sources:
                return (new,)
        if old in self.removed:
            return ()
        return None

    @property
    def is_lossless(self) -> bool:
        """True when every old label has exactly one successor (no split, nothing removed)."""
        return not self.split and not self.removed


@dataclass(frozen=True)
class SOP:
    """One version of a labeling SOP: front matter fields plus the Markdown guideline body."""

    key: str
    version: str
    title: str
    status: str
    classes: tuple[SOPClass, ...]
    task: TaskSpec
    body: str = ""
    decision_rules: tuple[DecisionRule, ...] = ()
    changelog: tuple[ChangelogEntry, ...] = ()
    label_mapping: LabelMapping | None = None
    source: str | None = None
    body_line: int = 1
    locations: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``key@version``, the SOP version's stable name."""
        return f"{self.key}@{self.version}"

    @property
    def class_values(self) -> tuple[str, ...]:
        """Class values in document order."""
        return tuple(c.value for c in self.classes)

    @property
    def semver(self) -> Version:
        """The parsed version; raises ValueError if ``version`` is not semver."""
        return parse_version(self.version)

    def get_class(self, value: str) -> SOPClass | None:
        """The class with this value, or None."""
        return next((c for c in self.classes if c.value == value), None)

    def line_of(self, path: str) -> int | None:
        """Best known source line for a field path, walking up to the nearest located parent."""
        while path:
            if path in self.locations:
                return self.locations[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return self.locations.get(path)
