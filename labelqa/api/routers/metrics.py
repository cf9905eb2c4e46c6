"""Quality metrics of a queue: agreement and accuracy, by SOP version or labeler attribute."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from labelqa.api.deps import SessionDep, allow
from labelqa.services.metrics import accuracy_report, agreement_report
from labelqa.store.models import ApiToken

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get("/agreement")
def agreement(
    session: SessionDep,
    _: Annotated[ApiToken, Depends(allow("read"))],
    queue: str,
    by: str | None = Query(
        default="sop_version", description="sop_version, vendor, site, market, labeler"
    ),
    in_terms_of: str | None = Query(default=None, description="express labels in this SOP version"),
    confidence: float = Query(default=0.95, gt=0, lt=1),
) -> dict[str, Any]:
    """Krippendorff's alpha and percent agreement per group, with n and bootstrap intervals."""
    by = None if by in ("", "none") else by
    return agreement_report(session, queue, by=by, in_terms_of=in_terms_of, confidence=confidence)


@router.get("/accuracy")
def accuracy(
    session: SessionDep,
    _: Annotated[ApiToken, Depends(allow("read"))],
    queue: str,
    by: str = "labeler",
    split: str | None = "sop_version",
    reference: str = "peers",
    in_terms_of: str | None = None,
    confidence: float = Query(default=0.95, gt=0, lt=1),
) -> dict[str, Any]:
    """Accuracy per group (and split) with n and Wilson interval."""
    split = None if split in ("", "none") else split
    return accuracy_report(
        session,
        queue,
        by=by,
        split=split,
        reference=reference,
        in_terms_of=in_terms_of,
        confidence=confidence,
    )
