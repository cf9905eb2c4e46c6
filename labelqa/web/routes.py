"""Dashboard pages. ``GET /`` is the overview: queues with their counts and last sync, and the
labelers by vendor, site and market.

Security: these read-only pages are public for now (no token), which is only acceptable while
``labelqa serve`` listens on loopback, as it does by default. Putting the dashboard behind the
API tokens' roles is a later issue (security hardening); do not expose this port until then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from labelqa import __version__
from labelqa.api.deps import SessionDep
from labelqa.store.repositories.overview import LabelerGroup, labeler_breakdown, queue_overview

__all__ = ["STATIC_DIR", "TEMPLATE_DIR", "mount", "router"]

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATE_DIR)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


templates.env.filters["when"] = _when
templates.env.filters["thousands"] = lambda n: f"{int(n):,}"


@dataclass
class _VendorTotal:
    vendor: str | None
    labelers: int = 0
    annotations: int = 0
    sites: set[str] = field(default_factory=set)
    markets: set[str] = field(default_factory=set)


def _vendor_totals(groups: list[LabelerGroup]) -> list[_VendorTotal]:
    totals: dict[str | None, _VendorTotal] = {}
    for g in groups:
        t = totals.setdefault(g.vendor, _VendorTotal(g.vendor))
        t.labelers += g.labelers
        t.annotations += g.annotations
        t.sites |= {g.site} if g.site else set()
        t.markets |= {g.market} if g.market else set()
    return list(totals.values())


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep) -> HTMLResponse:
    """The overview page: queues, their counts and last sync; labelers by vendor/site/market."""
    queues = queue_overview(session)
    groups = labeler_breakdown(session)
    totals = {
        "queues": len(queues),
        "items": sum(q.items for q in queues),
        "annotations": sum(q.annotations for q in queues),
        "labelers": sum(g.labelers for g in groups),
    }
    return templates.TemplateResponse(
        request,
        "overview.html",
        {
            "queues": queues,
            "groups": groups,
            "vendors": _vendor_totals(groups),
            "totals": totals,
            "version": __version__,
        },
    )


def mount(app: FastAPI) -> None:
    """Add the dashboard pages and their static assets (``/static``) to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
