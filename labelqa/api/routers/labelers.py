"""Labelers and the roster that maps them to vendor, site and market."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from labelqa.api.deps import SessionDep, allow
from labelqa.api.schemas import LabelerPublic, RosterImportPublic
from labelqa.errors import ValidationError
from labelqa.services.roster import import_roster
from labelqa.store.models import ApiToken, Labeler
from labelqa.store.repositories.labelers import get_labeler, list_labelers

router = APIRouter(prefix="/labelers", tags=["labelers"])


def labeler_public(lab: Labeler) -> LabelerPublic:
    """A labeler with vendor/site/market names."""
    return LabelerPublic(
        id=lab.id,
        email=lab.email,
        name=lab.name,
        vendor=lab.vendor.name if lab.vendor else None,
        site=lab.site.name if lab.site else None,
        market=lab.market.name if lab.market else None,
        start_date=lab.start_date,
    )


@router.get("", response_model=list[LabelerPublic])
def get_labelers(
    session: SessionDep,
    _: Annotated[ApiToken, Depends(allow("read"))],
    vendor: str | None = None,
) -> list[LabelerPublic]:
    """Labelers, optionally of one vendor."""
    return [labeler_public(lab) for lab in list_labelers(session, vendor)]


@router.get("/{key}", response_model=LabelerPublic)
def get_one(
    key: str, session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> LabelerPublic:
    """One labeler by e-mail or id."""
    return labeler_public(get_labeler(session, key))


@router.post("/roster", response_model=RosterImportPublic)
async def post_roster(
    request: Request,
    session: SessionDep,
    tok: Annotated[ApiToken, Depends(allow("manage_labelers"))],
) -> RosterImportPublic:
    """Import a roster CSV sent as the request body (text/csv); all rows or none."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("roster must be UTF-8 text", code="roster_encoding") from exc
    return RosterImportPublic(**import_roster(session, text, actor=f"token:{tok.name}"))
