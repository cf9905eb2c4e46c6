"""Retired classes stay in the compiled config as hidden choices.

Label Studio refuses a config that drops labels existing annotations use.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from labelqa.sops import compile_label_config, load_sop

SOPS = Path(__file__).resolve().parents[2] / "sops" / "ecommerce-prohibited-listings"


def test_retired_classes_are_hidden_and_current_ones_visible():
    v1, v2 = load_sop(SOPS / "v1.0.0.md"), load_sop(SOPS / "v2.0.0.md")
    root = ET.fromstring(compile_label_config(v2, retired=[*v1.class_values, "weapons"]))
    choices = list(root.iter("Choice"))
    visible = [c.get("value") for c in choices if c.get("style") is None]
    hidden = [c.get("value") for c in choices if c.get("style") == "display:none"]
    assert visible == list(v2.class_values)
    assert hidden == ["weapons", "drugs"]  # once each, only what v2 dropped
    assert compile_label_config(v2) == compile_label_config(v2, retired=v2.class_values)
