"""SOPs: validate, publish, history, one version (document + sanitized HTML), diff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from labelqa.api.deps import ContextDep, SessionDep, allow
from labelqa.services.connect import connector_for
from labelqa.services.sops import (
    diff_versions,
    load_version,
    publish_sop,
    sop_history,
    validate_document,
)
from labelqa.sops import render_html
from labelqa.store.models import ApiToken
from labelqa.store.repositories import sops as sop_repo

router = APIRouter(prefix="/sops", tags=["sops"])


class SOPDocument(BaseModel):
    document: str = Field(
        min_length=1, description="The SOP version as Markdown with YAML front matter"
    )
    source: str | None = Field(default=None, description="File name shown in error locations")


class SOPPublish(SOPDocument):
    queues: list[str] = Field(min_length=1)


@router.post("/validate")
def validate(
    body: SOPDocument, session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> dict[str, Any]:
    """Validate a document against the last published version of its key (422 lists issues)."""
    sop = validate_document(session, body.document, body.source)
    return {"ok": True, "ref": sop.ref, "classes": list(sop.class_values)}


@router.post("/publish", status_code=201)
def publish(
    body: SOPPublish,
    session: SessionDep,
    ctx: ContextDep,
    tok: Annotated[ApiToken, Depends(allow("publish_sops"))],
) -> dict[str, Any]:
    """Store and publish a version to the queues' LS projects (all or nothing)."""
    res = publish_sop(
        session,
        ctx.settings,
        body.document,
        body.queues,
        lambda q: connector_for(q.source, ctx.settings),
        actor=f"token:{tok.name}",
        source=body.source,
    )
    return dict(res.__dict__)


@router.get("")
def keys(
    session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> list[dict[str, Any]]:
    """Every SOP key with its newest stored version."""
    out = []
    for key in sop_repo.list_keys(session):
        versions = sop_repo.list_versions(session, key)
        out.append(
            {
                "key": key,
                "latest": versions[-1].version,
                "title": versions[-1].title,
                "versions": [v.version for v in versions],
            }
        )
    return out


@router.get("/{key}/history")
def history(
    key: str, session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> list[dict[str, Any]]:
    """Versions of ``key`` with where and when each was published."""
    return sop_history(session, key)


@router.get("/{key}/versions/{version}")
def version(
    key: str, version: str, session: SessionDep, _: Annotated[ApiToken, Depends(allow("read"))]
) -> dict[str, Any]:
    """One version: its document, compiled LS config and sanitized HTML."""
    row = sop_repo.get_version(session, key, version)
    return {
        "key": key,
        "version": version,
        "title": row.title,
        "classes": row.classes,
        "document": row.document,
        "label_config": row.label_config,
        "html": render_html(load_version(row)),
    }


@router.get("/{key}/diff")
def get_diff(
    key: str,
    session: SessionDep,
    _: Annotated[ApiToken, Depends(allow("read"))],
    v1: str,
    v2: str,
) -> dict[str, Any]:
    """Classes added, removed, renamed, split, merged, changed; affected queues."""
    return diff_versions(session, key, v1, v2)
