"""Helpers shared by the SOP tests: shipped SOP paths and a small valid document to mutate."""

from __future__ import annotations

from html.parser import HTMLParser
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


class _Tags(HTMLParser):
    """Collects (tag, attrs) of every start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def assert_safe(html: str) -> None:
    """No script-capable tag, no on* attribute, no javascript:/data:/vbscript: URL."""
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "iframe", "svg", "object", "embed", "style", "form"}
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if value and name in {"href", "src", "action", "xlink:href"}:
                squashed = "".join(value.split()).lower()
                assert not squashed.startswith(("javascript:", "data:", "vbscript:")), value
