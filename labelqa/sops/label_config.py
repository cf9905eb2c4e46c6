"""Compile an SOP version to a Label Studio labeling config (XML).

```
<View>
  <Header value="Listing title"/>            (when the field has a label)
  <Text name="title" value="$title"/>        (one object tag per task field)
  <Choices name="label" toName="title" choice="single" required="true" showInline="false">
    <Choice value="firearms" hint="definition"/>
  </Choices>
</View>
```

The Choices control is always named :data:`CONTROL_NAME` (``label``) so that normalising
annotations downstream finds the label whatever the SOP; it points at the first task field.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from labelqa.sops.models import CONTROL_NAME, FIELD_KINDS, SOP

__all__ = ["compile_label_config"]

_SPACE = re.compile(r"\s+")
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def compile_label_config(sop: SOP, retired: Sequence[str] = ()) -> str:
    """Label Studio XML label config for ``sop``: the task's data fields and one Choices control.

    ``retired``: class values of earlier versions that this one dropped (renamed, split,
    removed). Label Studio refuses a config that loses a label existing annotations use, so
    they stay as hidden choices (``style="display:none"``): labelers can no longer pick them.
    Raises ValueError if the SOP has no task fields or a field kind Label Studio cannot show;
    validate the SOP first for located errors.
    """
    if not sop.task.fields:
        raise ValueError(f"{sop.ref}: task.fields is empty; expected at least one data field")
    view = ET.Element("View")
    for field in sop.task.fields:
        tag = FIELD_KINDS.get(field.kind)
        if tag is None:
            raise ValueError(
                f"{sop.ref}: task field {field.name!r} has kind {field.kind!r}; "
                f"expected one of {', '.join(FIELD_KINDS)}"
            )
        if field.label:
            ET.SubElement(view, "Header", value=_plain(field.label))
        ET.SubElement(view, tag, name=field.name, value=f"${field.name}")
    choices = ET.SubElement(
        view,
        "Choices",
        name=CONTROL_NAME,
        toName=sop.task.fields[0].name,
        choice="multiple" if sop.task.multiple else "single",
        required="true",
        showInline="false",
    )
    for cls in sop.classes:
        ET.SubElement(choices, "Choice", value=cls.value, hint=_plain(cls.definition))
    current = set(sop.class_values)
    for value in dict.fromkeys(retired):
        if value not in current:
            ET.SubElement(
                choices, "Choice", value=value, style="display:none",
                hint=f"Retired in {sop.version}; do not use",
            )  # fmt: skip
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode")


def _plain(text: str) -> str:
    """One-line attribute text: no Markdown emphasis, no XML-illegal chars, whitespace collapsed."""
    text = _NOT_XML.sub("", text.replace("**", "").replace("`", ""))
    return _SPACE.sub(" ", text).strip()
