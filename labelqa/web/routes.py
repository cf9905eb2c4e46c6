"""Dashboard pages. ``GET /`` is the overview: queues with their counts and last sync, and the
labelers by vendor, site and market. ``/sops`` lists SOPs; ``/sops/{key}`` shows a version
history and a diff; ``/sops/{key}/{version}`` renders one version's sanitized instructions.

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
from labelqa.errors import NotFound
from labelqa.services.sops import diff_versions, load_version
from labelqa.sops import render_html
from labelqa.store.repositories import sops as sop_repo
from labelqa.store.repositories.overview import LabelerGroup, labeler_breakdown, queue_overview
from labelqa.store.repositories.sources import list_queues

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


@router.get("/sops", response_class=HTMLResponse)
def sop_list(request: Request, session: SessionDep) -> HTMLResponse:
    """Every SOP key with its versions."""
    keys = [(k, sop_repo.list_versions(session, k)) for k in sop_repo.list_keys(session)]
    return templates.TemplateResponse(request, "sops.html", {"keys": keys, "version": __version__})


@router.get("/sops/{key}", response_class=HTMLResponse)
def sop_history(
    request: Request, key: str, session: SessionDep, v1: str | None = None, v2: str | None = None
) -> HTMLResponse:
    """One SOP's history (where and when each version was published) and a diff of two versions."""
    versions = sop_repo.list_versions(session, key)
    if not versions:
        raise NotFound(f"no SOP with key {key!r}", code="sop_not_found")
    names = {q.id: q.name for q in list_queues(session)}
    pubs = sop_repo.publications(session, key=key)
    history = [
        (v, [(names.get(p.queue_id), p.effective_from, p.published_by)
             for p in pubs if p.sop_version_id == v.id])
        for v in versions
    ]  # fmt: skip
    if len(versions) >= 2:
        v1 = v1 or versions[-2].version
        v2 = v2 or versions[-1].version
    d = diff_versions(session, key, v1, v2) if v1 and v2 else None
    return templates.TemplateResponse(
        request,
        "sop_history.html",
        {"key": key, "history": history, "diff": d, "v1": v1, "v2": v2,
         "versions": [v.version for v in versions], "version": __version__},
    )  # fmt: skip


@router.get("/sops/{key}/{sop_version}", response_class=HTMLResponse)
def sop_page(request: Request, key: str, sop_version: str, session: SessionDep) -> HTMLResponse:
    """One SOP version as labelers see it (sanitized HTML, never the raw body)."""
    row = sop_repo.get_version(session, key, sop_version)
    return templates.TemplateResponse(
        request,
        "sop_version.html",
        {"row": row, "html": render_html(load_version(row)), "version": __version__},
    )


def mount(app: FastAPI) -> None:
    """Add the dashboard pages and their static assets (``/static``) to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
