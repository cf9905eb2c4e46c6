"""Pydantic request/response schemas (``XCreate`` / ``XPublic``), kept apart from ORM models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

__all__ = [
    "AnnotationPublic",
    "ErrorBody",
    "LabelerPublic",
    "Page",
    "QueueCreate",
    "QueuePublic",
    "RosterImportPublic",
    "SourceCreate",
    "SourcePublic",
    "SyncRunCreate",
    "SyncRunPublic",
    "TokenCreate",
    "TokenCreated",
    "TokenPublic",
]

T = TypeVar("T")


class ErrorBody(BaseModel):
    """Every error: a stable machine code and a message a person can act on."""

    code: str
    message: str
    details: Any = None


class Page(BaseModel, Generic[T]):
    total: int
    offset: int
    limit: int
    items: list[T]


class SourceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    url: HttpUrl
    token: str = Field(min_length=1, description="Label Studio API token; stored encrypted")


class SourcePublic(BaseModel):
    """A source as the API shows it: never the token or webhook secret."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    url: str
    created_at: datetime


class QueueCreate(BaseModel):
    source: str
    project_id: int = Field(gt=0)
    name: str | None = None
    webhook_base_url: str | None = Field(
        default=None, description="LabelQA's public URL; when set, a webhook is registered in LS"
    )


class QueuePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    source_id: int
    project_id: int
    title: str
    classes: list[Any]
    choice_type: str | None
    created_at: datetime
    counts: dict[str, int] = {}
    last_sync_at: datetime | None = None


class LabelerPublic(BaseModel):
    id: int
    email: str
    name: str | None
    vendor: str | None
    site: str | None
    market: str | None
    start_date: date | None


class RosterImportPublic(BaseModel):
    created: int
    updated: int


class AnnotationPublic(BaseModel):
    id: int
    ls_annotation_id: int
    queue_id: int
    ls_task_id: int
    labeler_id: int | None
    labeler_email: str | None
    ls_user_id: int | None
    label: str | None
    labels: list[Any]
    label_status: str
    result: list[Any]
    lead_time: float | None
    was_cancelled: bool
    created_at: datetime | None
    updated_at: datetime | None


class SyncRunCreate(BaseModel):
    queue: str
    full: bool = False


class SyncRunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    queue_id: int
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]
    error: str | None


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="Shown once; only its hash is stored")
