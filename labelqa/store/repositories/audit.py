"""The audit log: append-only record of who changed what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelqa.store.models import AuditLog

__all__ = ["list_audit", "record"]


def record(
    session: Session,
    actor: str,
    action: str,
    target_type: str,
    target_id: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit entry (committed with the caller's transaction)."""
    entry = AuditLog(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
    )
    session.add(entry)
    return entry


def list_audit(session: Session, limit: int = 100) -> list[AuditLog]:
    """The newest ``limit`` audit entries, newest first."""
    return list(session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)))
