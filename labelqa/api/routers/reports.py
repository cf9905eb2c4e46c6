"""Reports: gold accuracy per labeler, vendor, site, market, SOP version or queue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from labelqa.api.deps import SessionDep, allow
from labelqa.services.gold import accuracy_report_gold
from labelqa.store.models import ApiToken

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/accuracy")
def accuracy(
    session: SessionDep,
    _: Annotated[ApiToken, Depends(allow("read_quality"))],
    queue: str,
    by: str = "labeler",
    sop_version: str | None = None,
    confidence: float = Query(default=0.95, gt=0, lt=1),
) -> list[dict[str, Any]]:
    """Gold accuracy per group with n and Wilson interval."""
    acc = accuracy_report_gold(
        session, queue, by=by, confidence=confidence, sop_version=sop_version
    )
    return [
        {
            by: str(k),
            "n": int(r["n"]),
            "correct": int(r["correct"]),
            "accuracy": float(r["accuracy"]),
            "ci_low": float(r["ci_low"]),
            "ci_high": float(r["ci_high"]),
        }
        for k, r in acc.iterrows()
    ]
