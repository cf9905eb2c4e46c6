"""Label config parsing, label normalization and LS payload parsing (pure, no server)."""

from __future__ import annotations

import pytest

from connectors.label_studio.label_config import normalize_result, parse_label_config
from connectors.label_studio.records import (
    format_ls_time,
    parse_annotation,
    parse_ls_time,
    parse_task,
    parse_webhook,
)
from labelqa.errors import ValidationError

SINGLE = (
    '<View><Text name="text" value="$text"/><Choices name="label" toName="text">'
    '<Choice value="ok"/><Choice value="spam"/><Choice alias="abuse" value="Abuse!"/></Choices>'
    '<TextArea name="note" toName="text"/></View>'
)
MULTI = (
    '<View><Image name="img" value="$image"/>'
    '<Choices name="flags" toName="img" choice="multiple"><Choice value="weapon"/>'
    '<Choice value="drug"/></Choices></View>'
)


def choices(*values, name="label"):
    return [
        {
            "from_name": name,
            "to_name": "text",
            "type": "choices",
            "value": {"choices": list(values)},
        }
    ]


def test_single_choice_config_and_normalization():
    schema = parse_label_config(SINGLE)
    assert schema.primary and schema.primary.name == "label"
    assert schema.classes == ["ok", "spam", "Abuse!"]
    assert normalize_result(choices("spam"), schema) == (["spam"], "ok")
    # a value the config does not have is kept and marked, not dropped
    assert normalize_result(choices("legacy"), schema) == (["legacy"], "unknown_label")
    # skipped / empty results, and other result types, carry no label
    assert normalize_result([], schema) == ([], "no_label")
    note = [{"from_name": "note", "type": "textarea", "value": {"text": ["hi"]}}]
    assert normalize_result(note, schema) == ([], "no_label")


def test_multi_choice_labels_are_sorted_sets():
    schema = parse_label_config(MULTI)
    assert schema.primary and schema.primary.choice_type == "multiple"
    labels, status = normalize_result(choices("weapon", "drug", "weapon", name="flags"), schema)
    assert labels == ["drug", "weapon"] and status == "ok"


def test_config_without_choices_keeps_results_raw():
    schema = parse_label_config('<View><Text name="t" value="$t"/></View>')
    assert schema.primary is None
    assert normalize_result(choices("x"), schema) == ([], "not_choices")


def test_bad_config_and_unknown_control_are_clear_errors():
    with pytest.raises(ValidationError, match="not valid XML"):
        parse_label_config("<View><Choices></View>")
    with pytest.raises(ValidationError, match="no <Choices name='nope'>"):
        parse_label_config(SINGLE, control_name="nope")


def test_ls_time_round_trip_uses_the_filter_format():
    dt = parse_ls_time("2026-11-22T00:17:01.065847Z")
    assert dt is not None and dt.tzinfo is not None
    assert format_ls_time(dt) == "2026-11-22T00:17:01.065847Z"
    with pytest.raises(ValidationError):
        parse_ls_time("yesterday")


def test_task_and_annotation_parsing():
    t = parse_task(
        {
            "id": 5,
            "data": {"text": "x"},
            "project": 2,
            "updated_at": "2026-11-22T00:00:00Z",
            "annotations": [
                {"id": 9, "completed_by": {"id": 3}, "result": [], "was_cancelled": True}
            ],
        }
    )
    assert t.ls_id == 5 and t.project_id == 2 and t.annotations is not None
    a = t.annotations[0]
    assert (a.ls_id, a.task_id, a.completed_by, a.was_cancelled) == (9, 5, 3, True)
    with pytest.raises(ValidationError, match="malformed Label Studio annotation"):
        parse_annotation({"id": 1})


def test_webhook_payloads():
    ev = parse_webhook(
        {
            "action": "ANNOTATIONS_CREATED",
            "project": {"id": 4},
            "task": [{"id": 1, "data": {}}],
            "annotation": [{"id": 7, "task": 1, "result": []}, {"id": 8, "task": 1, "result": []}],
        }
    )
    assert ev.project_id == 4 and [a.ls_id for a in ev.annotations] == [7, 8]
    ev = parse_webhook({"action": "TASKS_DELETED", "project": {"id": 4}, "tasks": [{"id": 1}]})
    assert ev.deleted_task_ids == [1]
    with pytest.raises(ValidationError, match="unsupported webhook action"):
        parse_webhook({"action": "PROJECT_CREATED"})
    with pytest.raises(ValidationError, match="names no project"):
        parse_webhook({"action": "TASKS_DELETED", "tasks": [{"id": 1}]})
    with pytest.raises(ValidationError, match="has no annotation"):
        parse_webhook({"action": "ANNOTATION_CREATED", "project": 1, "task": {"id": 1}})
    with pytest.raises(ValidationError, match="JSON object"):
        parse_webhook([1, 2])
