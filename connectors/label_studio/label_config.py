"""Parse a Label Studio label config and normalize annotation results to class labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from labelqa.errors import ValidationError

__all__ = ["ChoicesControl", "LabelSchema", "normalize_result", "parse_label_config"]


@dataclass(frozen=True)
class ChoicesControl:
    """A ``<Choices>`` control: its name, target, single/multiple and its class values."""

    name: str
    to_name: str
    choice_type: str  # "single" | "multiple"
    values: tuple[str, ...]


@dataclass(frozen=True)
class LabelSchema:
    """The classification controls of a label config; ``primary`` is the one LabelQA scores."""

    controls: tuple[ChoicesControl, ...]
    primary: ChoicesControl | None

    @property
    def classes(self) -> list[str]:
        """Class values of the primary control, in config order."""
        return list(self.primary.values) if self.primary else []


def parse_label_config(xml: str, control_name: str | None = None) -> LabelSchema:
    """Parse LS XML; pick ``control_name`` (or the first ``<Choices>``) as the primary control."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ValidationError(
            f"label config is not valid XML: {exc}", code="bad_label_config"
        ) from exc
    controls = []
    for el in root.iter():
        if el.tag != "Choices":
            continue
        values = []
        for ch in el.iter("Choice"):
            v = ch.get("value") if ch.get("value") is not None else ch.get("alias")
            if v is not None:
                values.append(v)
        choice = (el.get("choice") or "single").lower()
        controls.append(
            ChoicesControl(
                name=el.get("name", ""),
                to_name=el.get("toName", ""),
                choice_type="multiple" if choice == "multiple" else "single",
                values=tuple(values),
            )
        )
    primary = controls[0] if controls else None
    if control_name is not None:
        named = [c for c in controls if c.name == control_name]
        if not named:
            raise ValidationError(
                f"label config has no <Choices name={control_name!r}>; it has "
                f"{[c.name for c in controls] or 'no Choices controls'}",
                code="bad_label_config",
            )
        primary = named[0]
    return LabelSchema(tuple(controls), primary)


def normalize_result(result: list[Any], schema: LabelSchema) -> tuple[list[str], str]:
    """Class labels chosen in ``result`` for the primary control, and a status.

    Returns ``(labels, status)``: labels sorted for multi-choice; status ``ok``,
    ``unknown_label`` (a value not in the config, kept), ``no_label`` (nothing chosen) or
    ``not_choices`` (the config has no Choices control: the raw result is what counts).
    """
    if schema.primary is None:
        return [], "not_choices"
    ctl = schema.primary
    chosen: list[str] = []
    for r in result or []:
        if not isinstance(r, dict) or r.get("type", "choices") != "choices":
            continue
        if r.get("from_name") not in (ctl.name, None):
            continue
        value = r.get("value") or {}
        chosen.extend(str(c) for c in value.get("choices") or [])
    if not chosen:
        return [], "no_label"
    labels = sorted(set(chosen)) if ctl.choice_type == "multiple" else chosen[:1]
    known = set(ctl.values)
    status = "ok" if all(lbl in known for lbl in labels) else "unknown_label"
    return labels, status
