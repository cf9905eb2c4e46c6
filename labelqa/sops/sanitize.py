"""The HTML allow-list for SOP instructions, applied with nh3 to everything we render.

Only structural and text tags survive; no script, style, iframe, object, form or SVG; no
``on*`` attribute; links and images only with http, https or mailto (or relative) URLs, so
``javascript:`` and ``data:`` URLs never survive.
"""

from __future__ import annotations

from typing import Final

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "ALLOWED_URL_SCHEMES", "sanitize_html"]

ALLOWED_TAGS: Final = frozenset(
    {
        "a", "abbr", "article", "b", "blockquote", "br", "caption", "code", "dd", "del",
        "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s",
        "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})
_CLASSES: Final = {
    tag: {"sop", "sop-header", "sop-meta", "sop-body", "sop-classes", "sop-rules",
          "sop-changelog", "sop-class", "sop-parent", "sop-rule-id"}
    for tag in ("article", "header", "section", "table", "p", "span", "code", "div", "ul", "ol",
                "strong")
}  # fmt: skip


def sanitize_html(html: str) -> str:
    """Return ``html`` reduced to the instruction allow-list (idempotent)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        allowed_classes=_CLASSES,
        filter_style_properties={"text-align"},
    )
