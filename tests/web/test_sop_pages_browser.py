"""SOP pages in a real headless Chromium: history, diff, and a version rendered safely even
when the stored body is malicious (it reaches the store only by bypassing validation)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS, serve

from labelqa.context import AppContext
from labelqa.security import encrypt
from labelqa.sops import compile_instructions, compile_label_config, load_sop
from labelqa.store.models import Queue, SOPPublication, SOPVersion, Source

SOP_DIR = Path(__file__).resolve().parents[2] / "sops" / "ecommerce-prohibited-listings"
EVIL = (
    '<script>window.pwned = 1</script>\n\n<img src=x onerror="window.pwned = 2">\n\n'
    '[click me](javascript:window.pwned=3)\n\n<a href="javascript:alert(1)">x</a>\n\n'
    '<svg onload="window.pwned = 4"></svg>\n\n'
)


def populate(ctx: AppContext) -> None:
    """v1 and v2 of the e-commerce SOP published to a queue; v2's stored body is poisoned."""
    with ctx.sessions() as s:
        src = Source(
            name="ls",
            url="http://ls.invalid",
            token_encrypted=encrypt("t", ctx.settings.secret_key),
            webhook_secret_encrypted=encrypt("w", ctx.settings.secret_key),
        )
        s.add(src)
        s.flush()
        q = Queue(
            name="listings", source_id=src.id, project_id=1, sop_key="ecommerce-prohibited-listings"
        )
        s.add(q)
        s.flush()
        for i, name in enumerate(("v1.0.0.md", "v2.0.0.md")):
            text = (SOP_DIR / name).read_text()
            if i == 1:
                text = text.replace("\n# ", "\n" + EVIL + "# ", 1)
            sop = load_sop(SOP_DIR / name)
            row = SOPVersion(
                key=sop.key,
                version=sop.version,
                title=sop.title,
                status="published",
                document=text,
                sha256="x" * 64,
                classes=list(sop.class_values),
                label_config=compile_label_config(sop),
                instructions_html=compile_instructions(sop),
                created_by="t&s",
            )
            s.add(row)
            s.flush()
            s.add(
                SOPPublication(
                    sop_version_id=row.id,
                    queue_id=q.id,
                    published_by="t&s",
                    effective_from=datetime(2026, 1, 1 + i, tzinfo=UTC),
                )
            )
        s.commit()


@pytest.fixture
def served(ctx: AppContext) -> Iterator[str]:
    populate(ctx)
    with serve(ctx) as url:
        yield url


@pytest.mark.browser
def test_sop_history_diff_and_safe_rendering(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(served + "/sops")
            assert page.locator('#sops tr[data-sop="ecommerce-prohibited-listings"]').count() == 1
            page.click("text=ecommerce-prohibited-listings")
            assert page.locator("#history tbody tr").count() == 2
            assert "listings" in page.locator('#history tr[data-version="2.0.0"]').inner_text()
            diff = page.locator("#diff").inner_text()
            assert "split weapons → firearms, weapon_accessories, other_weapons" in diff
            assert "renamed drugs → drugs_and_paraphernalia" in diff
            assert "breaking" in diff and "Affected queues: listings" in diff

            page.goto(served + "/sops/ecommerce-prohibited-listings/2.0.0")
            page.wait_for_load_state("load")
            assert "firearms" in page.inner_text("article.sop")
            assert page.evaluate("window.pwned === undefined")
            assert (
                page.locator("article.sop script, article.sop svg, article.sop iframe").count() == 0
            )
            handlers = page.evaluate(
                "Array.from(document.querySelectorAll('article.sop *')).flatMap(e => "
                "Array.from(e.attributes).map(a => a.name + '=' + a.value))"
            )
            assert not [h for h in handlers if h.startswith("on") or "javascript:" in h.lower()]
            link = page.locator("article.sop a:has-text('click me')")
            if link.count():  # a neutered link may remain as text or a harmless anchor
                link.first.click()
            assert page.evaluate("window.pwned === undefined") and dialogs == []
            page.screenshot(path=str(tmp_path / "sop.png"), full_page=True)
        finally:
            browser.close()
