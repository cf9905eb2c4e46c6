"""Validation: one bad-input test per rule, each asserting the field (and line) it names."""

from __future__ import annotations

import copy

import pytest
from sop_helpers import document, line_of

from labelqa.sops import SOPIssue, SOPValidationError, check, check_text, parse_sop, validate


def _only(issues: list[SOPIssue], field: str, text: str = "") -> SOPIssue:
    """The first issue on ``field`` whose message contains ``text``."""
    hits = [i for i in issues if i.field == field and text in i.message]
    assert hits, f"no issue for {field} with {text!r}; got {[str(i) for i in issues]}"
    return hits[0]


def _check(front, body="# T\n\nRead it.\n", previous=None):
    text = document(front, body)
    return text, check(parse_sop(text, source="toy.md"), previous)


def test_valid_document_passes_and_validate_returns_it(front, make):
    sop = make(front)
    assert check(sop) == []
    assert validate(sop) is sop


def test_validation_error_is_a_value_error_listing_file_line_field(front, make):
    front["classes"][1]["value"] = "ok"
    front["classes"][2].pop("parent")
    text = document(front)
    with pytest.raises(ValueError) as info:
        validate(parse_sop(text, source="toy.md"))
    err = info.value
    assert isinstance(err, SOPValidationError)
    assert err.fields == ["classes[1].value"]
    assert f"toy.md:{line_of(text, '- value: ok', 1)}: classes[1].value: duplicate" in str(err)


# -- classes -------------------------------------------------------------------------------
def test_empty_class_value(front):
    front["classes"][1]["value"] = ""
    text, issues = _check(front)
    issue = _only(issues, "classes[1].value")
    assert "empty" in issue.message
    assert issue.line == line_of(text, "value: ''")


def test_duplicate_class_value(front):
    front["classes"][2]["value"] = "ok"
    front["classes"][2].pop("parent")
    text, issues = _check(front)
    issue = _only(issues, "classes[2].value")
    assert "duplicate class value 'ok'" in issue.message and "classes[0]" in issue.message
    assert issue.line == line_of(text, "- value: ok", 1)


@pytest.mark.parametrize("value", ["Hate Speech", "spam!", "_x", "a__b"])
def test_class_value_must_be_a_stable_identifier(front, value):
    front["classes"][0]["value"] = value
    _, issues = _check(front)
    assert "lower-case" in _only(issues, "classes[0].value").message


def test_missing_definition(front):
    del front["classes"][1]["definition"]
    text, issues = _check(front)
    issue = _only(issues, "classes[1].definition")
    assert "needs a definition" in issue.message
    assert issue.line == line_of(text, "- value: spam")


def test_empty_example(front):
    front["classes"][0]["examples"] = ["  "]
    _, issues = _check(front)
    assert _only(issues, "classes[0].examples[0]").message == "is empty"


def test_no_classes(front):
    front["classes"] = []
    text, issues = _check(front)
    issue = _only(issues, "classes")
    assert issue.line == line_of(text, "classes:")


def test_parent_must_be_a_known_class(front):
    front["classes"][2]["parent"] = "fraud"
    text, issues = _check(front)
    issue = _only(issues, "classes[2].parent")
    assert "'fraud'" in issue.message and "not a class" in issue.message
    assert issue.line == line_of(text, "parent: fraud")


def test_parent_cycle(front):
    front["classes"][1]["parent"] = "scam"
    _, issues = _check(front)
    assert "loops" in _only(issues, "classes[1].parent").message


def test_parent_self(front):
    front["classes"][0]["parent"] = "ok"
    _, issues = _check(front)
    assert "loops back to 'ok'" in _only(issues, "classes[0].parent").message


# -- header --------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0-", "latest"])
def test_invalid_semver(front, version):
    front["version"] = version
    text, issues = _check(front)
    issue = _only(issues, "version")
    assert "semantic version" in issue.message
    assert issue.line == line_of(text, "version:")


def test_bad_status(front):
    front["status"] = "live"
    text, issues = _check(front)
    issue = _only(issues, "status")
    assert "draft, published, retired" in issue.message and "'live'" in issue.message
    assert issue.line == line_of(text, "status:")


def test_missing_key_and_title(front):
    del front["key"], front["title"]
    _, issues = _check(front)
    assert {"key", "title"} <= {i.field for i in issues}


def test_bad_key(front):
    front["key"] = "Toy SOP"
    _, issues = _check(front)
    assert "lower-case" in _only(issues, "key").message


# -- version against the last published one ------------------------------------------------
@pytest.mark.parametrize("version", ["1.0.0", "0.9.0", "1.0.0-rc.1"])
def test_version_must_be_greater_than_last_published(front, make, version):
    previous = make(front)
    front["version"] = version
    front["changelog"] = []
    text, issues = _check(front, previous=previous)
    issue = _only(issues, "version")
    assert "must be greater than the last published version 1.0.0" in issue.message
    assert issue.line == line_of(text, "version:")


def test_key_must_match_previous(front, make):
    previous = make(front)
    front["key"], front["version"] = "other-sop", "1.1.0"
    _, issues = _check(front, previous=previous)
    assert "previous version's key" in _only(issues, "key").message


# -- task ----------------------------------------------------------------------------------
def test_task_missing(front):
    del front["task"]
    _, issues = _check(front)
    issue = _only(issues, "task")
    assert "is missing" in issue.message


def test_task_fields_missing(front):
    del front["task"]["fields"]
    text, issues = _check(front)
    issue = _only(issues, "task.fields")
    assert "at least one data field" in issue.message
    assert issue.line == line_of(text, "task:")


def test_task_field_name_missing(front):
    front["task"]["fields"] = [{"kind": "text"}]
    text, issues = _check(front)
    issue = _only(issues, "task.fields[0].name")
    assert issue.line == line_of(text, "kind: text")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"name": "text", "kind": "video"}, "must be one of text, hypertext, image, audio"),
        ({"name": "my text", "kind": "text"}, "identifier"),
        ({"name": "label", "kind": "text"}, "reserved"),
    ],
)
def test_task_field_problems(front, field, message):
    front["task"]["fields"] = [field]
    _, issues = _check(front)
    assert any(message in i.message and i.field.startswith("task.fields[0]") for i in issues)


def test_duplicate_task_field(front):
    front["task"]["fields"].append({"name": "text", "kind": "image"})
    _, issues = _check(front)
    assert "duplicate field name" in _only(issues, "task.fields[1].name").message


def test_bad_task_type(front):
    front["task"]["type"] = "ranking"
    text, issues = _check(front)
    issue = _only(issues, "task.type")
    assert "single_choice, multi_choice" in issue.message
    assert issue.line == line_of(text, "type: ranking")


# -- rules and changelog -------------------------------------------------------------------
def test_decision_rule_problems(front):
    front["decision_rules"] = [
        {"id": "R1", "text": "a", "classes": ["phishing"]},
        {"id": "R1", "text": ""},
        {"text": "no id"},
    ]
    _, issues = _check(front)
    assert "unknown class 'phishing'" in _only(issues, "decision_rules[0].classes[0]").message
    assert "duplicate rule id" in _only(issues, "decision_rules[0].id").message
    assert "empty" in _only(issues, "decision_rules[1].text").message
    assert "missing" in _only(issues, "decision_rules[2].id").message


def test_changelog_problems(front):
    front["changelog"] = [
        {"version": "1.0", "changes": ["x"]},
        {"version": "2.0.0", "changes": ["from the future"]},
        {"version": "0.9.0", "changes": []},
    ]
    _, issues = _check(front)
    assert "semantic version" in _only(issues, "changelog[0].version").message
    assert "later than" in _only(issues, "changelog[1].version").message
    assert "at least one" in _only(issues, "changelog[2].changes").message


# -- body ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("<script>alert(1)</script>", "<script> is not allowed"),
        ('<a href="#" onclick="steal()">x</a>', "event handler attribute 'onclick'"),
        ("[click](javascript:alert(1))", "'javascript:' URLs"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe> is not allowed"),
        ("<svg onload=alert(1)>", "'onload' on <svg>"),
        ("[doc](data:text/html;base64,PHNjcmlwdD4=)", "'data:' URLs"),
        ('<img src="x" onerror="alert(1)">', "'onerror' on <img>"),
        ('<a href="JaVa&#x09;script:alert(1)">x</a>', "'javascript:' URL in 'href'"),
    ],
)
def test_unsafe_html_in_body_is_located(front, snippet, message):
    body = f"# Title\n\nIntro paragraph.\n\nSee {snippet} here.\n"
    text, issues = _check(front, body)
    issue = _only(issues, "body", message)
    assert issue.line == line_of(text, "here.")


def test_html_in_code_is_not_flagged(front):
    body = "# T\n\nThe filter removes `<script>` tags.\n\n```html\n<iframe src=x></iframe>\n```\n"
    _, issues = _check(front, body)
    assert issues == []


def test_safe_html_and_links_are_fine(front):
    body = "# T\n\n<details><summary>More</summary>\n\nText\n\n</details>\n\n[x](https://a.b)\n"
    _, issues = _check(front, body)
    assert issues == []


def test_empty_body(front):
    text, issues = _check(front, "\n")
    issue = _only(issues, "body")
    assert issue.line == len(text.splitlines())


# -- label mapping -------------------------------------------------------------------------
@pytest.fixture
def v1(front, make):
    return make(front)


@pytest.fixture
def v2(front):
    """Front matter of a 2.0.0 that splits spam and renames ok; tests break it on purpose."""
    new = copy.deepcopy(front)
    new["version"] = "2.0.0"
    new["changelog"] = []
    new["decision_rules"] = []
    new["classes"] = [
        {"value": "benign", "definition": "Nothing wrong."},
        {"value": "ads", "definition": "Ads."},
        {"value": "affiliate_links", "definition": "Affiliate links."},
        {"value": "scam", "definition": "Tries to take money."},
    ]
    new["label_mapping"] = {
        "from_version": "1.0.0",
        "renamed": {"ok": "benign"},
        "split": {"spam": ["ads", "affiliate_links"]},
    }
    return new


def test_good_mapping_passes(v1, v2):
    _, issues = _check(v2, previous=v1)
    assert issues == []


def test_mapping_old_side_unknown(v1, v2):
    v2["label_mapping"]["renamed"] = {"okay": "benign"}
    text, issues = _check(v2, previous=v1)
    issue = _only(issues, "label_mapping.renamed.okay")
    assert "unknown class 'okay'" in issue.message and "previous version 1.0.0" in issue.message
    assert issue.line == line_of(text, "okay: benign")


def test_mapping_new_side_unknown(v1, v2):
    v2["label_mapping"]["split"] = {"spam": ["ads", "referrals"]}
    _, issues = _check(v2, previous=v1)
    issue = _only(issues, "label_mapping.split.spam")
    assert "unknown class 'referrals'" in issue.message and "this version 2.0.0" in issue.message


def test_mapping_new_side_checked_without_previous(v2):
    v2["label_mapping"]["merged"] = {"junk": ["spam", "scam"]}
    _, issues = _check(v2)
    _only(issues, "label_mapping.merged.junk", "unknown class 'junk'")


def test_mapping_from_version_must_be_previous(v1, v2):
    v2["label_mapping"]["from_version"] = "0.9.0"
    _, issues = _check(v2, previous=v1)
    assert "previous version is 1.0.0" in _only(issues, "label_mapping.from_version").message


def test_old_class_not_accounted_for(v1, v2):
    del v2["label_mapping"]["renamed"]
    text, issues = _check(v2, previous=v1)
    issue = _only(issues, "label_mapping")
    assert "class 'ok' of 1.0.0 is not in 2.0.0" in issue.message
    assert issue.line == line_of(text, "label_mapping:")


def test_missing_mapping_reported_without_line(v1, v2):
    del v2["label_mapping"]
    _, issues = _check(v2, previous=v1)
    assert [i.field for i in issues] == ["label_mapping", "label_mapping"]


@pytest.mark.parametrize(
    ("mapping", "field", "message"),
    [
        ({"split": {"spam": ["ads"]}}, "label_mapping.split.spam", "at least two new"),
        ({"merged": {"ads": ["spam"]}}, "label_mapping.merged.ads", "at least two old"),
        ({"renamed": {"scam": "scam"}}, "label_mapping.renamed.scam", "to itself"),
        ({"removed": ["scam"]}, "label_mapping.removed", "still has it"),
        ({"renamed": {"scam": "ads"}}, "label_mapping.renamed.scam", "still has class"),
    ],
)
def test_mapping_shape_rules(v1, v2, mapping, field, message):
    v2["label_mapping"].update(mapping)
    _, issues = _check(v2, previous=v1)
    _only(issues, field, message)


def test_old_class_mapped_twice(v1, v2):
    v2["label_mapping"]["removed"] = ["ok"]
    _, issues = _check(v2, previous=v1)
    assert "already mapped" in _only(issues, "label_mapping.removed").message


def test_split_needs_a_major_version_bump(v1, v2):
    v2["version"] = "1.1.0"
    _, issues = _check(v2, previous=v1)
    assert "bump the major version (e.g. 2.0.0)" in _only(issues, "version").message


def test_merge_is_fine_in_a_minor_version(v1, v2):
    v2["version"] = "1.1.0"
    v2["classes"] = [
        {"value": "ok", "definition": "Nothing wrong."},
        {"value": "unwanted", "definition": "Spam or scam."},
    ]
    v2["label_mapping"] = {"from_version": "1.0.0", "merged": {"unwanted": ["spam", "scam"]}}
    _, issues = _check(v2, previous=v1)
    assert issues == []


def test_check_text_returns_parse_and_validation_issues(front):
    assert check_text("no front matter", source="a.md")[0].field == "front_matter"
    front["status"] = "live"
    assert [i.field for i in check_text(document(front))] == ["status"]
