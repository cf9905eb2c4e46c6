"""LabelQA settings: one pydantic-settings class, environment prefix ``LABELQA_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from labelqa.errors import ConfigurationError

__all__ = ["DEFAULT_SECRET_KEY", "Settings", "get_settings"]

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"


class Settings(BaseSettings):
    """Runtime configuration, read from ``LABELQA_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="LABELQA_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "prod"] = "prod"
    home: Path = Field(default=Path(".labelqa"), description="Folder for the default SQLite store.")
    database_url: str = ""
    secret_key: str = DEFAULT_SECRET_KEY
    # Incremental sync re-reads tasks changed up to this many seconds before the watermark, so a
    # task whose update committed late in Label Studio (or a clock step) is still seen.
    sync_overlap_seconds: float = 120.0
    label_studio_timeout_seconds: float = 60.0
    label_studio_retries: int = 2
    webhook_header: str = "X-LabelQA-Secret"
    api_page_size_max: int = 1000

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: ``LABELQA_DATABASE_URL`` or a SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'labelqa.db').as_posix()}"

    def check_secret(self) -> None:
        """Refuse to run with the built-in secret key anywhere but ``LABELQA_ENV=dev``/``test``."""
        if self.env == "prod" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ConfigurationError(
                "LABELQA_SECRET_KEY is left at its default; set it to a long random string "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) or set "
                "LABELQA_ENV=dev for a throwaway setup.",
                code="default_secret_key",
            )
        if len(self.secret_key) < 16:
            raise ConfigurationError(
                "LABELQA_SECRET_KEY must be at least 16 characters.", code="weak_secret_key"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings()
