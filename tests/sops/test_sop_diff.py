"""diff(old, new): classes added/removed/renamed/split/merged, changed fields, rules, task."""

from __future__ import annotations

import copy
import json

import pytest

from labelqa.sops import LabelTranslator, diff


def test_ecommerce_diff(shipped):
    old = shipped["ecommerce-prohibited-listings", "1.0.0"]
    new = shipped["ecommerce-prohibited-listings", "2.0.0"]
    d = diff(old, new)
    assert (d.old_version, d.new_version) == ("1.0.0", "2.0.0")
    assert d.split == {"weapons": ("firearms", "weapon_accessories", "other_weapons")}
    assert d.renamed == {"drugs": "drugs_and_paraphernalia"}
    assert d.added == ("recalled_products",)
    assert d.removed == () and d.merged == {}
    changed = {(c.value, c.field) for c in d.changed}
    assert ("hazardous_materials", "definition") in changed
    assert ("drugs_and_paraphernalia", "definition") in changed
    drugs = next(c for c in d.changed if c.value == "drugs_and_paraphernalia")
    assert drugs.old_value == "drugs"
    assert not any(c.value in ("counterfeit", "adult") for c in d.changed)
    assert d.rules_added == ("R6",)
    assert {r.id for r in d.rules_changed} == {"R2", "R3", "R5"}
    assert d.task_changes == ()
    assert d.breaking and not d.is_empty and d.body_changed
    assert {"weapons", "drugs", "hazardous_materials", "allowed"} <= set(d.affected_old_classes)


def test_harassment_diff(shipped):
    old = shipped["comment-harassment", "1.0.0"]
    new = shipped["comment-harassment", "1.1.0"]
    d = diff(old, new)
    assert d.merged == {"bullying_and_harassment": ("insult", "targeted_harassment")}
    assert d.added == ("doxxing", "dehumanization")
    assert d.split == {} and d.renamed == {} and d.removed == ()
    assert d.rules_added == ("R6",)
    assert not d.breaking
    assert {"insult", "targeted_harassment", "hate_speech"} <= set(d.affected_old_classes)


def test_diff_to_dict_is_json(shipped):
    d = diff(shipped["ecommerce-prohibited-listings", "1.0.0"],
             shipped["ecommerce-prohibited-listings", "2.0.0"])  # fmt: skip
    data = json.loads(json.dumps(d.to_dict()))
    assert data["split"] == {"weapons": ["firearms", "weapon_accessories", "other_weapons"]}
    assert data["breaking"] is True


def test_diff_of_a_version_with_itself_is_empty(shipped):
    sop = shipped["comment-harassment", "1.0.0"]
    assert diff(sop, sop).is_empty


def test_diff_without_mapping_matches_by_value(front, make):
    old = make(front)
    new_front = copy.deepcopy(front)
    new_front["version"] = "2.0.0"
    new_front["classes"][1] = {"value": "ads", "definition": "Ads."}
    new_front["classes"][2].pop("parent")
    new_front["task"] = {
        "type": "multi_choice",
        "fields": [{"name": "text", "kind": "hypertext"}, {"name": "image", "kind": "image"}],
    }
    new_front["decision_rules"] = [{"id": "R2", "text": "New rule."}]
    d = diff(old, make(new_front))
    assert d.removed == ("spam",) and d.added == ("ads",)
    assert [(c.value, c.field, c.before, c.after) for c in d.changed] == [
        ("scam", "parent", "spam", None)
    ]
    assert [(t.field, t.before, t.after) for t in d.task_changes] == [
        ("type", "single_choice", "multi_choice"),
        ("fields.text.kind", "text", "hypertext"),
        ("fields.image", None, "image"),
    ]
    assert d.rules_added == ("R2",) and d.rules_removed == ("R1",)
    assert d.breaking


def test_diff_refuses_different_sops(shipped):
    with pytest.raises(ValueError, match="different SOPs"):
        diff(shipped["comment-harassment", "1.0.0"],
             shipped["ecommerce-prohibited-listings", "2.0.0"])  # fmt: skip


def test_diff_across_several_versions_with_a_composed_mapping(front, make):
    v1 = make(front)
    f2 = copy.deepcopy(front)
    f2["version"] = "2.0.0"
    f2["classes"] = [
        {"value": "ok", "definition": "Nothing wrong."},
        {"value": "ads", "definition": "Ads."},
        {"value": "affiliate", "definition": "Affiliate."},
        {"value": "scam", "definition": "Tries to take money."},
    ]
    f2["decision_rules"] = []
    f2["label_mapping"] = {"from_version": "1.0.0", "split": {"spam": ["ads", "affiliate"]}}
    f3 = copy.deepcopy(f2)
    f3["version"] = "3.0.0"
    f3["classes"][0]["value"] = "benign"
    f3["label_mapping"] = {"from_version": "2.0.0", "renamed": {"ok": "benign"}}
    v2, v3 = make(f2), make(f3)
    mapping = LabelTranslator([v3, v1, v2]).mapping_between("1.0.0", "3.0.0")
    d = diff(v1, v3, mapping=mapping)
    assert d.split == {"spam": ("ads", "affiliate")}
    assert d.renamed == {"ok": "benign"}
    assert d.added == () and d.removed == ()
    # Without the composed mapping, v3's own mapping (from 2.0.0) is not used for 1.0.0.
    assert set(diff(v1, v3).removed) == {"ok", "spam"}
