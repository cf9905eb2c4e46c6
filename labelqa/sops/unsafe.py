"""Find unsafe markup in an SOP's Markdown body, with the body line of each finding.

The sanitizer would remove all of it, but a T&S author should hear that their document holds
a ``<script>`` or a ``javascript:`` link rather than see it vanish. Raw HTML blocks, inline
HTML and Markdown links/images are checked; code spans and fenced code are text and are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it.token import Token

from labelqa.sops.markdown import markdown_parser
from labelqa.sops.sanitize import ALLOWED_TAGS, ALLOWED_URL_SCHEMES

__all__ = ["UnsafeMarkup", "find_unsafe_markup", "unsafe_url_scheme"]

_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background",
     "data", "codebase", "cite", "longdesc", "usemap", "dynsrc", "lowsrc"}
)  # fmt: skip
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCANNER = markdown_parser(allow_any_link=True)


@dataclass(frozen=True)
class UnsafeMarkup:
    """One unsafe construct: the 1-based line within the body and what is wrong."""

    line: int
    message: str


def unsafe_url_scheme(url: str) -> str | None:
    """The scheme of ``url`` if it is not http, https or mailto (e.g. ``javascript``), else None.

    Whitespace and control characters are ignored, as browsers do (``java\\tscript:``).
    """
    match = _SCHEME.match(_IGNORED.sub("", url).lower())
    if match is None or match.group(1) in ALLOWED_URL_SCHEMES:
        return None
    return match.group(1)


def find_unsafe_markup(body: str) -> list[UnsafeMarkup]:
    """Every unsafe tag, event-handler attribute and non-http(s) URL in a Markdown body."""
    findings: list[UnsafeMarkup] = []
    for token in _SCANNER.parse(body):
        start = token.map[0] + 1 if token.map else 1
        if token.type == "html_block":
            findings.extend(_scan_html(token.content, start))
        elif token.type == "inline" and token.children:
            findings.extend(_scan_inline(token.children, start))
    return sorted(set(findings), key=lambda f: (f.line, f.message))


def _scan_inline(children: list[Token], line: int) -> list[UnsafeMarkup]:
    findings: list[UnsafeMarkup] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline":
            findings.extend(_scan_html(child.content, line))
            line += child.content.count("\n")
        elif child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            url = str(child.attrGet(attr) or "")
            scheme = unsafe_url_scheme(url)
            if scheme is not None:
                what = "link" if child.type == "link_open" else "image"
                findings.append(
                    UnsafeMarkup(
                        line,
                        f"unsafe {what}: '{scheme}:' URLs are not "
                        "allowed (use http, https or mailto)",
                    )
                )
        else:
            line += child.content.count("\n") if child.type == "text" else 0
    return findings


def _scan_html(html: str, first_line: int) -> list[UnsafeMarkup]:
    scanner = _TagScanner()
    scanner.feed(html)
    scanner.close()
    return [UnsafeMarkup(first_line + offset - 1, message) for offset, message in scanner.found]


class _TagScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag not in ALLOWED_TAGS:
            self.found.append((line, f"unsafe HTML: <{tag}> is not allowed in an SOP body"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(
                    (line, f"unsafe HTML: event handler attribute '{name}' on <{tag}>")
                )
            elif name in _URL_ATTRIBUTES and value:
                scheme = unsafe_url_scheme(value)
                if scheme is not None:
                    self.found.append(
                        (
                            line,
                            f"unsafe HTML: '{scheme}:' URL in '{name}' of <{tag}> "
                            "(use http, https or mailto)",
                        )
                    )
            elif name == "style" and value and re.search(r"expression|url\s*\(", value, re.I):
                self.found.append((line, f"unsafe HTML: style with url()/expression on <{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
