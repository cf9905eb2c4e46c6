"""The Markdown dialect of SOP bodies: CommonMark with tables and raw HTML (sanitized later)."""

from __future__ import annotations

from markdown_it import MarkdownIt

__all__ = ["markdown_parser", "render_inline", "render_markdown"]


def markdown_parser(*, allow_any_link: bool = False) -> MarkdownIt:
    """A CommonMark parser with tables; ``allow_any_link`` keeps javascript:/data: links as links.

    The permissive variant is for *finding* unsafe links in a body; rendering always uses the
    default, and its output is sanitized anyway.
    """
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    if allow_any_link:
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MD = markdown_parser()


def render_markdown(text: str) -> str:
    """Render Markdown block text to (unsanitized) HTML."""
    return _MD.render(text)


def render_inline(text: str) -> str:
    """Render one Markdown paragraph's inline content to (unsanitized) HTML, without ``<p>``."""
    return _MD.renderInline(text)
