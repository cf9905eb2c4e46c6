"""Hypothesis properties: sanitizing is idempotent and never lets script through; versions
order like tuples; compiled configs always parse; lossless mappings always translate."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sop_helpers import BASE, assert_safe, document

from labelqa.sops import (
    LabelMapping,
    Untranslatable,
    compile_instructions,
    compile_label_config,
    parse_sop,
    parse_version,
    sanitize_html,
    translate_label,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HTMLISH = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from([
            "<script>", "</script>", "<a href='javascript:x'>", "<svg onload=x>", "<img src=x ",
            "onerror=alert(1)>", "<iframe>", "<b>", "</b>", "<table><tr><td>", "&#x6A;avascript:",
            "[x](javascript:x)", "<!--", "-->", "<style>", "<p onclick='x'>", '"', "'", "<",
            ">", "`", "\n\n", "<a href=\"data:text/html,x\">", "<math><mi xlink:href=x>",
        ]),
    ),
    max_size=25,
).map("".join)  # fmt: skip


@FAST
@given(HTMLISH)
def test_sanitize_is_idempotent(html):
    once = sanitize_html(html)
    assert sanitize_html(once) == once


@FAST
@given(HTMLISH)
def test_sanitized_output_has_no_script(html):
    assert_safe(sanitize_html(html))


def _sop_with(body: str, definition: str):
    front = copy.deepcopy(BASE)
    front["classes"][0]["definition"] = definition or "x"
    front["classes"][0]["examples"] = [definition or "x"]
    return parse_sop(document(front, body))


@FAST
@given(body=HTMLISH, definition=HTMLISH)
def test_instructions_never_contain_script_or_handlers(body, definition):
    assert_safe(compile_instructions(_sop_with(body, definition)))


@FAST
@given(st.text(max_size=200))
def test_label_config_always_parses(definition):
    front = copy.deepcopy(BASE)
    front["classes"][1]["definition"] = definition
    sop = parse_sop(document(front))
    root = ET.fromstring(compile_label_config(sop))
    assert [c.get("value") for c in root.iter("Choice")] == ["ok", "spam", "scam"]


PARTS = st.tuples(*[st.integers(0, 50)] * 3)


@FAST
@given(PARTS, PARTS)
def test_release_versions_order_like_tuples(a, b):
    va, vb = parse_version("{}.{}.{}".format(*a)), parse_version("{}.{}.{}".format(*b))
    assert (va < vb) == (a < b) and (va == vb) == (a == b)
    assert parse_version(str(va)) == va


@FAST
@given(PARTS, st.lists(st.sampled_from(["alpha", "beta", "rc", "1", "2"]), min_size=1, max_size=3))
def test_prerelease_sorts_before_release(core, pre):
    base = "{}.{}.{}".format(*core)
    assert parse_version(f"{base}-{'.'.join(pre)}") < parse_version(base)


NAMES = st.text(alphabet="abcdefgh", min_size=1, max_size=3)


@FAST
@given(st.dictionaries(NAMES, NAMES, max_size=5), NAMES)
def test_lossless_mapping_always_translates(renamed, label):
    mapping = LabelMapping(from_version="1.0.0", renamed=renamed)
    result = translate_label(label, mapping)
    assert not isinstance(result, Untranslatable)
    assert result == renamed.get(label, label)
