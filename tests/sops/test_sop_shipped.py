"""The SOPs shipped in sops/ validate clean, alone and each against its previous version."""

from __future__ import annotations

import pytest
from sop_helpers import SHIPPED, SOPS_DIR

from labelqa.sops import check, load_sop, validate

PAIRS = [(k, vs[i - 1], vs[i]) for k, vs in SHIPPED.items() for i in range(1, len(vs))]


def test_every_sop_file_is_known():
    files = sorted(p.relative_to(SOPS_DIR).as_posix() for p in SOPS_DIR.glob("*/*.md"))
    expected = sorted(f"{k}/v{v}.md" for k, vs in SHIPPED.items() for v in vs)
    assert files == expected


@pytest.mark.parametrize(("key", "version"), [(k, v) for k, vs in SHIPPED.items() for v in vs])
def test_shipped_sop_validates_clean(shipped, key, version):
    sop = shipped[key, version]
    assert [str(i) for i in check(sop)] == []
    assert (sop.key, sop.version, sop.status) == (key, version, "published")
    assert sop.source is not None and sop.source.endswith(f"{key}/v{version}.md")


@pytest.mark.parametrize(("key", "old", "new"), PAIRS)
def test_each_version_validates_against_its_previous(shipped, key, old, new):
    previous, sop = shipped[key, old], shipped[key, new]
    assert validate(sop, previous=previous) is sop
    assert sop.label_mapping is not None and sop.label_mapping.from_version == old
    assert set(sop.class_values) != set(previous.class_values)


@pytest.mark.parametrize(("key", "old", "new"), PAIRS)
def test_an_older_version_does_not_validate_after_a_newer_one(shipped, key, old, new):
    issues = check(shipped[key, old], previous=shipped[key, new])
    assert "version" in [i.field for i in issues]


@pytest.mark.parametrize(("key", "version"), [(k, v) for k, vs in SHIPPED.items() for v in vs])
def test_shipped_sops_are_substantive(shipped, key, version):
    sop = shipped[key, version]
    assert len(sop.classes) >= 6
    assert all(c.examples and c.counter_examples for c in sop.classes)
    assert len(sop.decision_rules) >= 4
    assert len(sop.body.split()) > 250
    assert any(e.version == version for e in sop.changelog)


def test_one_shipped_version_is_a_split_and_one_is_multi_choice(shipped):
    ecommerce = shipped["ecommerce-prohibited-listings", "2.0.0"]
    assert ecommerce.label_mapping is not None
    assert ecommerce.label_mapping.split == {
        "weapons": ("firearms", "weapon_accessories", "other_weapons")
    }
    assert shipped["comment-harassment", "1.1.0"].task.multiple
    assert [f.kind for f in ecommerce.task.fields] == ["text", "text", "image"]


def test_load_sop_accepts_str_paths():
    sop = load_sop(str(SOPS_DIR / "comment-harassment" / "v1.1.0.md"))
    assert sop.get_class("doxxing") is not None
    assert sop.get_class("doxxing").parent == "bullying_and_harassment"  # type: ignore[union-attr]
