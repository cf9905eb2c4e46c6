"""Publish SOP versions to Label Studio, keep their history, diff them, and attribute labels.

Publishing is all-or-nothing across the store and Label Studio: the new label config is first
validated by LS for every target project, then each project is PATCHed (config + sanitized
instructions in one request); if any PATCH fails, the projects already changed are put back as
they were and nothing is stored. Only when every project accepted the version are the version,
its publications (``effective_from``) and the audit entry committed.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from connectors.label_studio.client import LabelStudioConnector, ProjectInfo
from labelqa.errors import Conflict, LabelQAError, NotFound, ValidationError
from labelqa.settings import Settings
from labelqa.sops import (
    SOP,
    SOPValidationError,
    check_text,
    compile_instructions,
    compile_label_config,
    diff,
    parse_sop,
    parse_version,
)
from labelqa.store.models import Queue, SOPPublication, SOPVersion, utcnow
from labelqa.store.repositories import audit
from labelqa.store.repositories import sops as sop_repo
from labelqa.store.repositories.sources import get_queue, list_queues

__all__ = [
    "PublishResult",
    "diff_versions",
    "load_version",
    "publish_sop",
    "sop_history",
    "validate_document",
]

ConnectorFor = Callable[[Queue], LabelStudioConnector]


def _issues_error(exc: SOPValidationError, file: str | None) -> ValidationError:
    issues = [
        {"file": i.file or file, "field": i.field, "line": i.line, "message": i.message}
        for i in exc.issues
    ]
    return ValidationError(str(exc), code="sop_invalid", details=issues)


def load_version(row: SOPVersion) -> SOP:
    """Parse a stored SOP version back into an :class:`SOP`."""
    return parse_sop(row.document, source=f"{row.key}@{row.version}")


def _previous(session: Session, key: str, version: str) -> SOP | None:
    """The newest published version of ``key`` other than ``version``."""
    pubs = [v for v in sop_repo.published_versions(session, key) if v.version != version]
    return load_version(pubs[-1]) if pubs else None


def validate_document(session: Session | None, text: str, source: str | None = None) -> SOP:
    """Parse and validate an SOP document against the last published version of its key.

    Raises ValidationError (code ``sop_invalid``) whose ``details`` list every issue with file,
    field, line and message.
    """
    try:
        sop = parse_sop(text, source=source)
    except SOPValidationError as exc:
        raise _issues_error(exc, source) from exc
    previous = _previous(session, sop.key, sop.version) if session is not None else None
    issues = check_text(text, source=source, previous=previous)
    if issues:
        raise _issues_error(SOPValidationError(issues), source)
    return sop


@dataclass
class PublishResult:
    """What a publish did."""

    key: str
    version: str
    queues: list[str]
    created_version: bool
    effective_from: str


def publish_sop(
    session: Session,
    settings: Settings,
    text: str,
    queue_names: Sequence[str],
    connector_for: ConnectorFor,
    *,
    actor: str,
    source: str | None = None,
) -> PublishResult:
    """Validate, compile and publish an SOP version to the queues' LS projects, then store it."""
    if not queue_names:
        raise ValidationError("name at least one queue to publish to", code="no_queue")
    sop = validate_document(session, text, source)
    if sop.status != "published":
        raise ValidationError(
            f"{sop.ref} has status {sop.status!r}; set `status: published` to publish it",
            code="sop_not_publishable",
        )
    queues = [get_queue(session, name) for name in queue_names]
    for q in queues:
        if q.sop_key not in (None, sop.key):
            raise Conflict(
                f"queue {q.name!r} follows SOP {q.sop_key!r}, not {sop.key!r}",
                code="queue_sop_mismatch",
            )
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = session.query(SOPVersion).filter_by(key=sop.key, version=sop.version).one_or_none()
    if existing is not None and existing.sha256 != digest:
        raise Conflict(
            f"{sop.ref} is already stored with different content; bump the version",
            code="sop_version_exists",
        )
    if existing is not None:
        done = {
            p.queue_id
            for p in sop_repo.publications(session, key=sop.key)
            if p.sop_version_id == existing.id
        }
        already = [q.name for q in queues if q.id in done]
        if already:
            raise Conflict(
                f"{sop.ref} is already published to {already}", code="sop_already_published"
            )

    # classes earlier versions published on these queues, kept hidden so LS accepts the config
    retired = [
        c
        for p in sop_repo.publications(session, key=sop.key)
        if p.queue_id in {q.id for q in queues}
        for c in p.sop_version.classes
    ]
    label_config = compile_label_config(sop, retired)
    instructions = compile_instructions(sop)
    changed: list[tuple[Queue, LabelStudioConnector, ProjectInfo]] = []
    conns = {q.id: connector_for(q) for q in queues}
    try:
        for q in queues:
            conns[q.id].validate_label_config(q.project_id, label_config)
        for q in queues:
            conn = conns[q.id]
            before = conn.get_project(q.project_id)
            changed.append((q, conn, before))
            conn.update_project(
                q.project_id,
                label_config=label_config,
                expert_instruction=instructions,
                show_instruction=True,
            )
        row = existing or SOPVersion(
            key=sop.key,
            version=sop.version,
            title=sop.title,
            status=sop.status,
            document=text,
            sha256=digest,
            classes=list(sop.class_values),
            label_config=label_config,
            instructions_html=instructions,
            created_by=actor,
        )
        session.add(row)
        session.flush()
        now = utcnow()
        for q, _, before in changed:
            session.add(
                SOPPublication(
                    sop_version_id=row.id,
                    queue_id=q.id,
                    effective_from=now,
                    published_by=actor,
                    previous_label_config=before.label_config,
                )
            )
            q.sop_key = sop.key
            q.label_config = label_config
            q.classes = list(sop.class_values)
            q.control_name = "label"
            q.choice_type = "multiple" if sop.task.multiple else "single"
        session.flush()
        for q in queues:
            sop_repo.attribute_queue(session, q)
        audit.record(
            session,
            actor,
            "sop.publish",
            "sop_version",
            row.id,
            {"ref": sop.ref, "queues": [q.name for q in queues], "sha256": digest},
        )
        session.commit()
    except BaseException:
        session.rollback()
        for q, conn, before in reversed(changed):
            # best effort: the original error is what the caller sees
            with contextlib.suppress(LabelQAError):
                conn.update_project(
                    q.project_id,
                    label_config=before.label_config,
                    expert_instruction=before.expert_instruction,
                    show_instruction=before.show_instruction,
                )
        raise
    finally:
        for c in conns.values():
            c.close()
    return PublishResult(
        sop.key, sop.version, [q.name for q in queues], existing is None, now.isoformat()
    )


def sop_history(session: Session, key: str) -> list[dict[str, Any]]:
    """Every stored version of ``key``, oldest first, with where, when and by whom it was
    published. NotFound when the key has no version."""
    versions = sop_repo.list_versions(session, key)
    if not versions:
        raise NotFound(f"no SOP with key {key!r} in the store", code="sop_not_found")
    names = {q.id: q.name for q in list_queues(session)}
    pubs = sop_repo.publications(session, key=key)
    return [
        {
            "version": v.version,
            "title": v.title,
            "status": v.status,
            "classes": v.classes,
            "created_by": v.created_by,
            "created_at": v.created_at,
            "published": [
                {
                    "queue": names.get(p.queue_id),
                    "effective_from": p.effective_from,
                    "by": p.published_by,
                }
                for p in pubs
                if p.sop_version_id == v.id
            ],
        }
        for v in versions
    ]


def diff_versions(session: Session, key: str, old: str, new: str) -> dict[str, Any]:
    """The structured diff between two stored versions plus the queues it affects."""
    a = load_version(sop_repo.get_version(session, key, old))
    b = load_version(sop_repo.get_version(session, key, new))
    d = diff(a, b).to_dict()
    d["affected_queues"] = [q.name for q in list_queues(session) if q.sop_key == key]
    d["affected_gold_items"] = _affected_gold(session, key, a, b)
    return d


def _affected_gold(session: Session, key: str, old: SOP, new: SOP) -> list[dict[str, Any]]:
    """Active gold items of ``old`` (or earlier) that need a person's check under ``new``."""
    from labelqa.gold import revalidate_gold
    from labelqa.store.repositories.gold import items_of_sop

    items = [g for g in items_of_sop(session, key) if g.sop_version.version != new.version]
    if not items or new.semver <= old.semver:
        return []
    versions = [
        load_version(v)
        for v in sop_repo.list_versions(session, key)
        if parse_version(v.version) <= new.semver
    ]
    report = revalidate_gold(
        {g.id: (tuple(g.labels), g.sop_version.version) for g in items}, versions, new.version
    )
    return [
        {
            "gold_item_id": r.gold_item_id,
            "labels": list(r.old_labels),
            "from": r.from_version,
            "candidates": list(r.candidates),
            "reasons": [list(x) for x in r.reasons],
        }
        for r in report.to_revalidate
    ]
