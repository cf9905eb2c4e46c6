"""Compile an SOP version to sanitized HTML: the labeler instructions and LabelQA's own page.

Layout: a header (title, key@version, status), the Markdown body, the class table (value,
parent, definition, examples, counter-examples), the decision rules, and this version's
changelog entry. Everything passes through :func:`labelqa.sops.sanitize.sanitize_html`.
"""

from __future__ import annotations

from html import escape

from labelqa.sops.markdown import render_inline, render_markdown
from labelqa.sops.models import SOP, SOPClass
from labelqa.sops.sanitize import sanitize_html

__all__ = ["compile_instructions", "render_html"]


def compile_instructions(sop: SOP) -> str:
    """Sanitized instruction HTML for Label Studio's ``expert_instruction``."""
    # The body usually opens with the title as its own heading; do not repeat it.
    title = "" if sop.body.lstrip().startswith("# ") else f"<h1>{escape(sop.title)}</h1>"
    parts = [
        '<header class="sop-header">',
        title,
        f'<p class="sop-meta">SOP <code>{escape(sop.ref)}</code> · {escape(sop.status)} · '
        f"{'choose all that apply' if sop.task.multiple else 'choose one label'}</p>",
        "</header>",
        f'<section class="sop-body">{render_markdown(sop.body)}</section>',
        _class_table(sop),
        _rules(sop),
        _changelog(sop),
    ]
    return sanitize_html("\n".join(p for p in parts if p))


def render_html(sop: SOP) -> str:
    """Sanitized HTML of the SOP for LabelQA's own pages (the instructions in an article)."""
    return sanitize_html(f'<article class="sop">{compile_instructions(sop)}</article>')


def _class_table(sop: SOP) -> str:
    rows = "\n".join(_class_row(cls) for cls in sop.classes)
    return (
        '<section class="sop-classes"><h2>Classes</h2><table class="sop-classes">'
        "<thead><tr><th>Label</th><th>Definition</th><th>Examples</th>"
        "<th>Counter-examples</th></tr></thead>"
        f"<tbody>\n{rows}\n</tbody></table></section>"
    )


def _class_row(cls: SOPClass) -> str:
    parent = (
        f'<br><span class="sop-parent">under <code>{escape(cls.parent)}</code></span>'
        if cls.parent
        else ""
    )
    return (
        f'<tr><td><code class="sop-class">{escape(cls.value)}</code>{parent}</td>'
        f"<td>{render_inline(cls.definition)}</td>"
        f"<td>{_list(cls.examples)}</td><td>{_list(cls.counter_examples)}</td></tr>"
    )


def _list(items: tuple[str, ...]) -> str:
    if not items:
        return ""
    return "<ul>" + "".join(f"<li>{render_inline(item)}</li>" for item in items) + "</ul>"


def _rules(sop: SOP) -> str:
    if not sop.decision_rules:
        return ""
    items = []
    for rule in sop.decision_rules:
        about = ""
        if rule.classes:
            about = " <small>(" + ", ".join(f"<code>{escape(v)}</code>" for v in rule.classes)
            about += ")</small>"
        items.append(
            f'<li><strong class="sop-rule-id">{escape(rule.id)}</strong> '
            f"{render_inline(rule.text)}{about}</li>"
        )
    return f'<section class="sop-rules"><h2>Decision rules</h2><ol>{"".join(items)}</ol></section>'


def _changelog(sop: SOP) -> str:
    entry = next((e for e in sop.changelog if e.version == sop.version), None)
    if entry is None:
        return ""
    date = f" ({escape(entry.date)})" if entry.date else ""
    return (
        f'<section class="sop-changelog"><h2>What changed in {escape(entry.version)}{date}</h2>'
        f"{_list(entry.changes)}</section>"
    )
