"""Fixtures for the SOP tests: the shipped documents and a small valid document to mutate."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from sop_helpers import BASE, BODY, SHIPPED, document, sop_path

from labelqa.sops import SOP, load_sop, parse_sop


@pytest.fixture
def front() -> dict[str, Any]:
    """A deep copy of the valid toy front matter, free to mutate."""
    return copy.deepcopy(BASE)


@pytest.fixture
def make() -> Callable[..., SOP]:
    """Build an SOP from front matter (and optional body) through the real parser."""

    def _make(front: dict[str, Any], body: str = BODY, source: str = "toy.md") -> SOP:
        return parse_sop(document(front, body), source=source)

    return _make


@pytest.fixture(scope="session")
def shipped() -> dict[tuple[str, str], SOP]:
    """Every shipped SOP version, keyed by (key, version)."""
    return {(k, v): load_sop(sop_path(k, v)) for k, versions in SHIPPED.items() for v in versions}
