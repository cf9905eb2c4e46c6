"""Helpers shared by the SOP tests: shipped SOP paths and a small valid document to mutate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOPS_DIR = ROOT / "sops"
SHIPPED = {
    "ecommerce-prohibited-listings": ["1.0.0", "2.0.0"],
    "comment-harassment": ["1.0.0", "1.1.0"],
}

BASE: dict[str, Any] = {
    "key": "toy-sop",
    "version": "1.0.0",
    "title": "Toy SOP",
    "status": "published",
    "task": {"type": "single_choice", "fields": [{"name": "text", "kind": "text"}]},
    "classes": [
        {"value": "ok", "definition": "Nothing wrong.", "examples": ["hello"]},
        {"value": "spam", "definition": "Unsolicited ads.", "counter_examples": ["a review"]},
        {"value": "scam", "definition": "Tries to take money.", "parent": "spam"},
    ],
    "decision_rules": [{"id": "R1", "text": "Pick the most severe.", "classes": ["scam"]}],
    "changelog": [{"version": "1.0.0", "date": "2024-01-01", "changes": ["First version."]}],
}
BODY = "# Toy SOP\n\nRead the text and pick one label.\n"


def sop_path(key: str, version: str) -> Path:
    """Path of a shipped SOP version."""
    return SOPS_DIR / key / f"v{version}.md"


def document(front: dict[str, Any], body: str = BODY) -> str:
    """An SOP document from a front-matter dict and a body."""
    return "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" + body


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]
