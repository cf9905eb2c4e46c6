"""The runtime context shared by the CLI and the API: settings, engine, session factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from labelqa.errors import ConfigurationError
from labelqa.settings import Settings
from labelqa.store.db import make_engine, make_session_factory
from labelqa.store.migrate import current_revision

__all__ = ["AppContext"]


@dataclass
class AppContext:
    """Settings plus a lazily created engine and session factory."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """The store's engine (created on first use)."""
        if self._engine is None:
            self._engine = make_engine(self.settings.resolved_database_url())
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory."""
        if self._sessions is None:
            self._sessions = make_session_factory(self.engine)
        return self._sessions

    def require_store(self) -> None:
        """Raise a clear error when the store was never initialised."""
        if current_revision(self.engine) is None:
            raise ConfigurationError(
                f"the store at {self.engine.url.render_as_string(hide_password=True)} is not "
                "initialised; run `labelqa init` first",
                code="store_not_initialised",
            )

    def dispose(self) -> None:
        """Close pooled connections."""
        if self._engine is not None:
            self._engine.dispose()
