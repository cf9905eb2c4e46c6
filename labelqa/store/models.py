"""SQLAlchemy 2 ORM models: the store's tables.

Label Studio objects are keyed by the server they come from: a task id or annotation id is unique
per Label Studio source, never across sources. Deleted Label Studio objects leave a tombstone so a
late or replayed webhook cannot bring them back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Annotation",
    "ApiToken",
    "AuditLog",
    "Base",
    "GoldCopy",
    "GoldItem",
    "Item",
    "Labeler",
    "LabelerAccount",
    "Market",
    "Queue",
    "SOPPublication",
    "SOPVersion",
    "Site",
    "Source",
    "SyncCheckpoint",
    "SyncRun",
    "Tombstone",
    "Vendor",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as naive UTC and always returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; ``prefix`` lets people tell tokens apart."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditLog(Base):
    """Who did what to which object, and when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Source(Base):
    """A Label Studio server. The API token and webhook secret are encrypted at rest."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    token_encrypted: Mapped[str] = mapped_column(Text)
    webhook_secret_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Vendor(Base):
    """A BPO vendor."""

    __tablename__ = "vendors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Site(Base):
    """A vendor's delivery site."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("vendor_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    name: Mapped[str] = mapped_column(String(200))


class Market(Base):
    """A market (country/language) that labels are made for."""

    __tablename__ = "markets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Labeler(Base):
    """A person who labels, identified by e-mail; linked to LS users through accounts."""

    __tablename__ = "labelers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id"))
    start_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    vendor: Mapped[Vendor | None] = relationship(lazy="joined")
    site: Mapped[Site | None] = relationship(lazy="joined")
    market: Mapped[Market | None] = relationship(lazy="joined")


class LabelerAccount(Base):
    """A Label Studio user on one source, mapped to a labeler."""

    __tablename__ = "labeler_accounts"
    __table_args__ = (UniqueConstraint("source_id", "ls_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    ls_user_id: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(320))
    labeler_id: Mapped[int] = mapped_column(ForeignKey("labelers.id"), index=True)


class Queue(Base):
    """A Label Studio project bound to LabelQA, with its label config snapshot."""

    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("source_id", "project_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    project_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    label_config: Mapped[str] = mapped_column(Text, default="")
    control_name: Mapped[str | None] = mapped_column(String(200))
    classes: Mapped[list[Any]] = mapped_column(default=list)
    choice_type: Mapped[str | None] = mapped_column(String(20))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sop_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[Source] = relationship(lazy="joined")


class Item(Base):
    """A Label Studio task in a queue."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("queue_id", "ls_task_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    ls_task_id: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    seen_run_id: Mapped[int | None] = mapped_column(Integer)


class Annotation(Base):
    """One labeler's annotation of an item: raw LS result plus normalized label(s).

    ``label_status``: ``ok``; ``unknown_label`` (a chosen value the label config does not have,
    kept, not dropped); ``no_label`` (no choice made, e.g. a skipped task); ``not_choices`` (the
    result holds other types, stored raw).
    """

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("source_id", "ls_annotation_id"),
        Index("ix_annotations_queue_labeler", "queue_id", "labeler_id"),
        Index("ix_annotations_queue_created", "queue_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    ls_annotation_id: Mapped[int] = mapped_column(Integer)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    ls_user_id: Mapped[int | None] = mapped_column(Integer)
    labeler_id: Mapped[int | None] = mapped_column(ForeignKey("labelers.id"))
    result: Mapped[list[Any]] = mapped_column(default=list)
    labels: Mapped[list[Any]] = mapped_column(default=list)
    label: Mapped[str | None] = mapped_column(String(500))
    label_status: Mapped[str] = mapped_column(String(20), default="ok")
    lead_time: Mapped[float | None] = mapped_column(Float)
    was_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_truth: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    sop_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_versions.id"), index=True)


class Tombstone(Base):
    """A Label Studio task or annotation known to be deleted (kind ``task`` | ``annotation``)."""

    __tablename__ = "tombstones"
    __table_args__ = (UniqueConstraint("source_id", "kind", "ls_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    kind: Mapped[str] = mapped_column(String(20))
    ls_id: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncCheckpoint(Base):
    """Where a queue's sync stands: the LS ``updated_at`` watermark and a full-sync cursor.

    ``full_cursor`` is the highest LS task id committed by a full sync still in progress (None
    when no full sync is open), so a killed full sync resumes where it stopped.
    """

    __tablename__ = "sync_checkpoints"
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), primary_key=True)
    watermark: Mapped[datetime | None]
    full_cursor: Mapped[int | None] = mapped_column(Integer)
    full_max_id: Mapped[int | None] = mapped_column(Integer)
    full_run_id: Mapped[int | None] = mapped_column(Integer)
    full_watermark: Mapped[datetime | None]
    last_full_sync_at: Mapped[datetime | None]
    last_sync_at: Mapped[datetime | None]


class SyncRun(Base):
    """One sync of one queue: mode, status, counts and error."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200), default="system")


class SOPVersion(Base):
    """One version of a labeling SOP as stored: its source document and what it compiles to."""

    __tablename__ = "sop_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    classes: Mapped[list[Any]] = mapped_column(default=list)
    label_config: Mapped[str] = mapped_column(Text)
    instructions_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class SOPPublication(Base):
    """An SOP version put in force on a queue from ``effective_from`` (until the next one)."""

    __tablename__ = "sop_publications"
    id: Mapped[int] = mapped_column(primary_key=True)
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_versions.id"), index=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), index=True)
    effective_from: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(200))
    previous_label_config: Mapped[str] = mapped_column(Text, default="")

    sop_version: Mapped[SOPVersion] = relationship(lazy="joined")


class GoldItem(Base):
    """An item whose correct label(s) the QA team settled, under one SOP version.

    The answer never leaves LabelQA: only ``data`` is ever written to Label Studio.
    ``status``: ``active``; ``retired``; ``disputed`` (not scored until resolved);
    ``revalidate`` (the SOP changed the class; a person must confirm the label).
    """

    __tablename__ = "gold_items"
    __table_args__ = (UniqueConstraint("sop_version_id", "data_sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_versions.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data_sha256: Mapped[str] = mapped_column(String(64))
    labels: Mapped[list[Any]] = mapped_column(default=list)
    rationale: Mapped[str] = mapped_column(Text, default="")
    stratum: Mapped[str | None] = mapped_column(String(200))
    difficulty: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sop_version: Mapped[SOPVersion] = relationship(lazy="joined")


class GoldCopy(Base):
    """A gold item imported into a queue as an ordinary-looking LS task (mapping kept here only)."""

    __tablename__ = "gold_copies"
    __table_args__ = (UniqueConstraint("queue_id", "ls_task_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    gold_item_id: Mapped[int] = mapped_column(ForeignKey("gold_items.id"), index=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), index=True)
    ls_task_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
