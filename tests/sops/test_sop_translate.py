"""Label translation across SOP versions: renames, merges, splits (untranslatable), chains."""

from __future__ import annotations

import copy

import pytest

from labelqa.sops import LabelMapping, LabelTranslator, Untranslatable, translate_label


@pytest.fixture
def ecommerce(shipped):
    return LabelTranslator(
        [shipped["ecommerce-prohibited-listings", v] for v in ("2.0.0", "1.0.0")]
    )


def test_rename_translates(ecommerce):
    assert ecommerce.translate("drugs", "1.0.0", "2.0.0") == "drugs_and_paraphernalia"


def test_unchanged_class_translates_to_itself(ecommerce):
    assert ecommerce.translate("counterfeit", "1.0.0") == "counterfeit"


def test_split_is_untranslatable(ecommerce):
    result = ecommerce.translate("weapons", "1.0.0", "2.0.0")
    assert isinstance(result, Untranslatable)
    assert result.reason == "split"
    assert result.label == "weapons"
    assert result.candidates == ("firearms", "other_weapons", "weapon_accessories")
    assert result.at_version == "2.0.0"
    assert not result  # falsy, and never equal to a class value
    assert result != "firearms"


def test_unknown_label_is_untranslatable(ecommerce):
    result = ecommerce.translate("firearms", "1.0.0")
    assert isinstance(result, Untranslatable) and result.reason == "unknown"


def test_same_version_is_identity(ecommerce):
    assert ecommerce.translate("firearms", "2.0.0", "2.0.0") == "firearms"


def test_merge_translates(shipped):
    translator = LabelTranslator(
        [shipped["comment-harassment", "1.0.0"], shipped["comment-harassment", "1.1.0"]]
    )
    assert translator.translate("insult", "1.0.0") == "bullying_and_harassment"
    assert translator.translate("targeted_harassment", "1.0.0") == "bullying_and_harassment"
    assert translator.translate("hate_speech", "1.0.0") == "hate_speech"
    assert translator.versions == ("1.0.0", "1.1.0")


def test_translation_only_runs_forward(ecommerce):
    with pytest.raises(ValueError, match="forward"):
        ecommerce.translate("firearms", "2.0.0", "1.0.0")
    with pytest.raises(ValueError, match="unknown version"):
        ecommerce.translate("firearms", "9.9.9")


def test_translate_label_with_one_mapping():
    mapping = LabelMapping(
        from_version="1.0.0",
        renamed={"a": "alpha"},
        split={"b": ("b1", "b2")},
        merged={"cd": ("c", "d")},
        removed=("e",),
    )
    assert translate_label("a", mapping) == "alpha"
    assert translate_label("c", mapping) == "cd"
    assert translate_label("z", mapping) == "z"
    split = translate_label("b", mapping)
    assert isinstance(split, Untranslatable) and split.candidates == ("b1", "b2")
    assert split.at_version is None
    removed = translate_label("e", mapping)
    assert isinstance(removed, Untranslatable) and removed.reason == "removed"
    assert removed.candidates == ()


def test_translate_label_through_a_chain():
    first = LabelMapping("1.0.0", renamed={"a": "b"})
    second = LabelMapping("2.0.0", renamed={"b": "c"})
    assert translate_label("a", [first, second]) == "c"


@pytest.fixture
def chain(front, make):
    """1.0.0 -> 2.0.0 splits spam into ads/affiliate -> 3.0.0 merges them back into promo and
    renames ok to benign -> 4.0.0 removes scam."""
    v1 = make(front)
    f2 = copy.deepcopy(front)
    f2.update(version="2.0.0", decision_rules=[], changelog=[])
    f2["classes"] = [
        {"value": "ok", "definition": "Fine."},
        {"value": "ads", "definition": "Ads."},
        {"value": "affiliate", "definition": "Affiliate."},
        {"value": "scam", "definition": "Scam."},
    ]
    f2["label_mapping"] = {"from_version": "1.0.0", "split": {"spam": ["ads", "affiliate"]}}
    f3 = copy.deepcopy(f2)
    f3["version"] = "3.0.0"
    f3["classes"] = [
        {"value": "benign", "definition": "Fine."},
        {"value": "promo", "definition": "Promotion."},
        {"value": "scam", "definition": "Scam."},
    ]
    f3["label_mapping"] = {
        "from_version": "2.0.0",
        "renamed": {"ok": "benign"},
        "merged": {"promo": ["ads", "affiliate"]},
    }
    f4 = copy.deepcopy(f3)
    f4["version"] = "4.0.0"
    f4["classes"] = f3["classes"][:2]
    f4["label_mapping"] = {"from_version": "3.0.0", "removed": ["scam"]}
    return LabelTranslator([make(f) for f in (f4, f2, f3)] + [v1])


def test_chain_of_rename(chain):
    assert chain.translate("ok", "1.0.0", "3.0.0") == "benign"


def test_split_then_merge_back_is_translatable(chain):
    assert chain.translate("spam", "1.0.0", "3.0.0") == "promo"
    assert isinstance(chain.translate("spam", "1.0.0", "2.0.0"), Untranslatable)


def test_removed_class(chain):
    result = chain.translate("scam", "2.0.0", "4.0.0")
    assert isinstance(result, Untranslatable)
    assert (result.reason, result.at_version) == ("removed", "4.0.0")


def test_targets_and_composed_mapping(chain):
    assert chain.targets("spam", "1.0.0", "2.0.0") == {"ads", "affiliate"}
    composed = chain.mapping_between("1.0.0", "4.0.0")
    assert composed.renamed == {"ok": "benign", "spam": "promo"}
    assert composed.removed == ("scam",)
    composed = chain.mapping_between("2.0.0", "3.0.0")
    assert composed.merged == {"promo": ("ads", "affiliate")}


def test_class_that_silently_disappears_is_untranslatable(front, make):
    v1 = make(front)
    f2 = copy.deepcopy(front)
    f2["version"] = "2.0.0"
    f2["classes"] = f2["classes"][:1]
    translator = LabelTranslator([v1, make(f2)])
    result = translator.translate("spam", "1.0.0")
    assert isinstance(result, Untranslatable) and result.reason == "removed"


def test_translator_rejects_gaps_and_mixed_sops(shipped, front, make):
    with pytest.raises(ValueError, match="pass every version in between"):
        v2 = copy.deepcopy(front)
        v2["version"] = "3.0.0"
        v2["label_mapping"] = {"from_version": "2.0.0"}
        LabelTranslator([make(front), make(v2)])
    with pytest.raises(ValueError, match="one SOP"):
        LabelTranslator([shipped["comment-harassment", "1.0.0"], make(front)])
    with pytest.raises(ValueError, match="at least one"):
        LabelTranslator([])
