"""Parsing: front matter, YAML errors with lines, shapes, and field locations."""

from __future__ import annotations

import pytest
from sop_helpers import BODY, document, line_of, sop_path

from labelqa.sops import SOPValidationError, check, load_sop, parse_sop


def test_parses_fields_body_and_locations(front, make):
    sop = make(front)
    assert sop.ref == "toy-sop@1.0.0"
    assert sop.class_values == ("ok", "spam", "scam")
    assert sop.classes[2].parent == "spam"
    assert sop.task.fields[0].name == "text" and not sop.task.multiple
    assert sop.decision_rules[0].classes == ("scam",)
    assert sop.body == BODY
    text = document(front)
    assert sop.line_of("classes[1].value") == line_of(text, "value: spam")
    assert sop.line_of("classes[1].definition") == line_of(text, "Unsolicited ads")
    assert sop.body_line == line_of(text, "# Toy SOP")
    assert sop.source == "toy.md"


def test_load_sop_names_the_file():
    path = sop_path("comment-harassment", "1.0.0")
    sop = load_sop(path)
    assert sop.source == str(path)
    text = path.read_text()
    assert sop.line_of("classes[3].value") == line_of(text, "- value: hate_speech")


def test_line_of_walks_up_to_the_nearest_located_parent(front, make):
    sop = make(front)
    assert sop.line_of("classes[0].counter_examples") == sop.line_of("classes[0]")
    assert sop.line_of("label_mapping") is None


def _issues(text: str) -> list:
    with pytest.raises(SOPValidationError) as info:
        parse_sop(text, source="bad.md")
    return info.value.issues


def test_missing_front_matter():
    (issue,) = _issues("# Just markdown\n")
    assert (issue.field, issue.line, issue.file) == ("front_matter", 1, "bad.md")
    assert "---" in issue.message


def test_unclosed_front_matter():
    (issue,) = _issues("---\nkey: x\n")
    assert issue.field == "front_matter" and "not closed" in issue.message


def test_yaml_syntax_error_reports_the_file_line():
    text = "---\nkey: x\nversion: 1.0.0\nclasses: [a, b\ntitle: t\n---\nbody\n"
    (issue,) = _issues(text)
    assert issue.field == "front_matter"
    assert issue.line is not None and 4 <= issue.line <= 6
    assert "invalid YAML" in issue.message
    assert "bad.md:" in str(issue)


def test_yaml_tab_indentation_error_line():
    text = "---\nkey: x\ntask:\n\ttype: single_choice\n---\nbody\n"
    (issue,) = _issues(text)
    assert issue.line == 4


def test_front_matter_must_be_a_mapping():
    (issue,) = _issues("---\n- a\n- b\n---\nbody\n")
    assert issue.field == "front_matter" and "mapping" in issue.message


def test_unknown_field_is_located(front):
    front["clases"] = []
    text = document(front)
    (issue,) = _issues(text)
    assert issue.field == "clases"
    assert issue.line == line_of(text, "clases:")
    assert "unknown field" in issue.message


def test_unknown_class_field_is_located(front):
    front["classes"][1]["defintion"] = "typo"
    text = document(front)
    (issue,) = _issues(text)
    assert issue.field == "classes[1].defintion"
    assert issue.line == line_of(text, "defintion:")


def test_wrong_shapes_are_reported_together(front):
    front["classes"][0]["examples"] = "just one string"
    front["task"]["fields"] = {"name": "text"}
    front["decision_rules"] = "be careful"
    issues = _issues(document(front))
    fields = {i.field for i in issues}
    assert fields == {"classes[0].examples", "task.fields", "decision_rules"}
    assert all(i.line is not None for i in issues)


def test_duplicate_yaml_key_is_reported():
    text = "---\nkey: a\nkey: b\nversion: 1.0.0\n---\nbody\n"
    (issue,) = _issues(text)
    assert issue.field == "key" and issue.line == 3 and "duplicate key" in issue.message


def test_non_string_class_value(front):
    front["classes"][0]["value"] = ["a"]
    (issue,) = _issues(document(front))
    assert issue.field == "classes[0].value" and "expected a string" in issue.message


def test_float_version_parses_and_fails_validation(front, make):
    front["version"] = 1.0
    sop = make(front)
    assert sop.version == "1.0"
    (issue,) = check(sop)
    assert issue.field == "version" and "semantic version" in issue.message


def test_yaml_dates_become_iso_strings(front, make):
    text = document(front).replace("date: '2024-01-01'", "date: 2024-01-01")
    sop = parse_sop(text)
    assert sop.changelog[0].date == "2024-01-01"


def test_body_may_contain_horizontal_rules(front):
    sop = parse_sop(document(front, "# T\n\ntext\n\n---\n\nmore\n"))
    assert "more" in sop.body and sop.body.count("---") == 1
