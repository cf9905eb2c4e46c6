"""Gold re-validation on SOP change, on the SOPs shipped in sops/."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from labelqa.gold import CLASS_REASONS, GoldRevalidation, revalidate_gold
from labelqa.sops import SOP, LabelTranslator, load_sop

SOPS_DIR = Path(__file__).resolve().parents[2] / "sops"


def versions(key: str) -> list[SOP]:
    return [load_sop(p) for p in sorted((SOPS_DIR / key).glob("v*.md"))]


ECOM = "ecommerce-prohibited-listings"
HARASS = "comment-harassment"


@pytest.fixture(scope="module")
def ecom() -> list[SOP]:
    return versions(ECOM)


@pytest.fixture(scope="module")
def harass() -> list[SOP]:
    return versions(HARASS)


def by_id(report) -> dict[object, GoldRevalidation]:
    return {r.gold_item_id: r for r in report.items}


def test_split_class_must_be_revalidated(ecom):
    rep = revalidate_gold({"g1": ("weapons", "1.0.0")}, ecom)
    r = by_id(rep)["g1"]
    assert r.status == "revalidate" and not r.reusable
    assert r.labels is None  # no single successor
    assert r.candidates == ("firearms", "other_weapons", "weapon_accessories")
    assert ("weapons", "split") in r.reasons
    assert rep.to_version == "2.0.0" and rep.sop_key == ECOM


def test_split_is_rechecked_whatever_recheck_on_says(ecom):
    r = by_id(revalidate_gold({"g1": ("weapons", "1.0.0")}, ecom, recheck_on=()))["g1"]
    assert r.status == "revalidate" and r.reasons == (("weapons", "split"),)


def test_renamed_drugs_translates_to_drugs_and_paraphernalia(ecom):
    gold = {"g2": ("drugs", "1.0.0")}
    # drugs was renamed AND redefined (it now covers paraphernalia): by default a person
    # re-checks it, with the translation as the suggested label ...
    r = by_id(revalidate_gold(gold, ecom))["g2"]
    assert r.status == "revalidate" and r.labels == ("drugs_and_paraphernalia",)
    assert ("drugs", "definition") in r.reasons
    # ... and when only splits/removals/merges force a re-check, it translates cleanly.
    r = by_id(revalidate_gold(gold, ecom, recheck_on={"split", "removed", "merged"}))["g2"]
    assert r.status == "translated" and r.reusable
    assert r.labels == ("drugs_and_paraphernalia",) and r.reasons == ()


def test_a_pure_rename_translates_cleanly(ecom):
    old, new = ecom
    # make 2.0.0's drugs_and_paraphernalia identical to 1.0.0's drugs except for its name,
    # and keep the rules' wording: a pure rename
    drugs = old.get_class("drugs")
    assert drugs is not None
    classes = tuple(
        dataclasses.replace(drugs, value=c.value) if c.value == "drugs_and_paraphernalia" else c
        for c in new.classes
    )
    new_rules = {r.id: r for r in new.decision_rules}
    rules = tuple(
        dataclasses.replace(
            r, classes=tuple("drugs_and_paraphernalia" if v == "drugs" else v for v in r.classes)
        )
        for r in old.decision_rules
    )
    assert set(new_rules) >= {r.id for r in rules}
    pure = dataclasses.replace(new, classes=classes, decision_rules=rules)
    rep = revalidate_gold({"g": ("drugs", "1.0.0"), "h": ("adult", "1.0.0")}, [old, pure])
    assert by_id(rep)["g"].status == "translated"
    assert by_id(rep)["g"].labels == ("drugs_and_paraphernalia",)
    assert by_id(rep)["h"].status == "carried" and by_id(rep)["h"].labels == ("adult",)
    assert rep.reusable == {"g": ("drugs_and_paraphernalia",), "h": ("adult",)}


def test_boundary_moves_in_examples_and_rules_are_caught(ecom):
    # allowed's counter-examples now say a glass pipe is drugs_and_paraphernalia, and R5 now
    # names allowed: an allowed gold item must not be silently reused
    r = by_id(revalidate_gold({"g": ("allowed", "1.0.0")}, ecom))["g"]
    assert r.status == "revalidate" and r.labels == ("allowed",)
    assert {code for _, code in r.reasons} == {"examples", "rules"}
    # with the narrower reading it is carried over unchanged
    r = by_id(revalidate_gold({"g": ("allowed", "1.0.0")}, ecom, recheck_on=CLASS_REASONS))["g"]
    assert r.status == "carried"


def test_current_and_unknown_items(ecom):
    rep = revalidate_gold({"now": ("firearms", "2.0.0"), "bad": ("guns", "1.0.0")}, ecom)
    assert by_id(rep)["now"].status == "current" and by_id(rep)["now"].labels == ("firearms",)
    bad = by_id(rep)["bad"]
    assert bad.status == "revalidate" and bad.reasons == (("guns", "unknown"),)
    assert bad.labels is None and bad.candidates == ()


def test_merged_classes_are_revalidated_with_the_merged_suggestion(harass):
    gold = {
        "i": ("insult", "1.0.0"),
        "both": (["insult", "targeted_harassment"], "1.0.0"),
        "threat": ("violent_threat", "1.0.0"),
    }
    rep = revalidate_gold(gold, harass)
    i, both, threat = (by_id(rep)[k] for k in ("i", "both", "threat"))
    assert i.status == "revalidate" and ("insult", "merged") in i.reasons
    assert i.labels == ("bullying_and_harassment",)
    assert both.labels == ("bullying_and_harassment",)  # multi-label: deduplicated
    assert {lbl for lbl, code in both.reasons if code == "merged"} == {
        "insult",
        "targeted_harassment",
    }
    assert threat.status == "carried" and threat.labels == ("violent_threat",)
    assert rep.counts() == {"current": 0, "carried": 1, "translated": 0, "revalidate": 2}


def test_frame_input_and_frame_output(harass):
    frame = pd.DataFrame(
        {
            "gold_item_id": [1, 2],
            "label": ["insult", "no_violation"],
            "sop_version": ["1.0.0", "1.1.0"],
        }
    )
    rep = revalidate_gold(frame, LabelTranslator(harass), "1.1.0")
    out = rep.to_frame()
    assert list(out.columns) == [
        "gold_item_id",
        "status",
        "from_version",
        "to_version",
        "old_labels",
        "labels",
        "candidates",
        "reasons",
    ]
    assert out["status"].tolist() == ["revalidate", "current"]
    assert "insult: merged" in out.loc[0, "reasons"]


def test_translating_to_the_same_version_is_current(ecom):
    rep = revalidate_gold({"g": ("weapons", "1.0.0")}, ecom, to_version="1.0.0")
    assert by_id(rep)["g"].status == "current"


def test_task_changes_recheck_every_item(harass):
    old, new = harass
    extra = dataclasses.replace(old.task.fields[0], name="context_url")
    changed = dataclasses.replace(
        new, task=dataclasses.replace(new.task, fields=(*new.task.fields, extra))
    )
    r = by_id(revalidate_gold({"g": ("violent_threat", "1.0.0")}, [old, changed]))["g"]
    assert r.status == "revalidate" and ("violent_threat", "task") in r.reasons


def test_bad_inputs(ecom):
    with pytest.raises(ValueError, match=r"unknown version '9\.9\.9'"):
        revalidate_gold({"g": ("drugs", "9.9.9")}, ecom)
    with pytest.raises(ValueError, match=r"unknown version '3\.0\.0'"):
        revalidate_gold({"g": ("drugs", "1.0.0")}, ecom, to_version="3.0.0")
    with pytest.raises(ValueError, match="only translate forward"):
        revalidate_gold({"g": ("firearms", "2.0.0")}, ecom, to_version="1.0.0")
    with pytest.raises(ValueError, match="recheck_on must be a subset"):
        revalidate_gold({}, ecom, recheck_on={"vibes"})
    with pytest.raises(ValueError, match=r"\(label or labels, sop_version\)"):
        revalidate_gold({"g": "drugs"}, ecom)  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="labels must be one or more"):
        revalidate_gold({"g": ([], "1.0.0")}, ecom)
    with pytest.raises(ValueError, match="columns gold_item_id"):
        revalidate_gold(pd.DataFrame({"label": ["drugs"]}), ecom)
    with pytest.raises(ValueError, match="dict gold item id"):
        revalidate_gold([("g", "drugs", "1.0.0")], ecom)  # type: ignore[arg-type]
