"""Session-wide fixtures: one real Label Studio server, one real PostgreSQL, and a fresh,
migrated store per test on each backend (SQLite and PostgreSQL).

Set LABELQA_TEST_LS_URL + LABELQA_TEST_LS_TOKEN to reuse a running Label Studio, and
LABELQA_TEST_PG_URL to reuse a running PostgreSQL (a database per test is created in it).
LABELQA_TEST_BACKENDS (default "sqlite,postgresql") narrows the store backends for a quick
local run; scripts/test always runs both.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import ls_harness  # noqa: E402
import pg_harness  # noqa: E402
from lqa_helpers import SECRET, settings_for  # noqa: E402

from labelqa.context import AppContext  # noqa: E402
from labelqa.settings import Settings  # noqa: E402
from labelqa.store.db import make_engine  # noqa: E402
from labelqa.store.migrate import upgrade  # noqa: E402

BACKENDS = [
    b.strip()
    for b in os.environ.get("LABELQA_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]


@pytest.fixture(scope="session")
def ls_server() -> Iterator[ls_harness.LabelStudioServer]:
    """A real Label Studio 1.23.2 for the whole session (started by our harness)."""
    url = os.environ.get("LABELQA_TEST_LS_URL")
    if url:
        yield ls_harness.LabelStudioServer(url, os.environ["LABELQA_TEST_LS_TOKEN"], 0, 0, "", "")
        return
    server = ls_harness.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The URL of a real PostgreSQL server (a throwaway cluster unless LABELQA_TEST_PG_URL)."""
    url = os.environ.get("LABELQA_TEST_PG_URL")
    if url:
        yield url
        return
    server = pg_harness.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "labelqa.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> str:
    """A migrated PostgreSQL database used as CREATE DATABASE ... TEMPLATE."""
    name = "labelqa_template"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    engine = make_engine(make_url(pg_url).set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    engine.dispose()
    return name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend of this test run: ``sqlite`` or ``postgresql``."""
    return str(request.param)


@pytest.fixture
def make_store(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """A factory of fresh, migrated stores on this test's backend; returns their URLs."""
    made: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            path = tmp_path / f"labelqa-{len(made)}.db"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            made.append("")
            return f"sqlite:///{path}"
        pg = request.getfixturevalue("pg_url")
        template = request.getfixturevalue("pg_template")
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        admin.dispose()
        made.append(name)
        return make_url(pg).set(database=name).render_as_string(hide_password=False)

    yield make
    if backend == "postgresql":
        admin = create_engine(request.getfixturevalue("pg_url"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            for name in made:
                c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def store_url(make_store: Callable[[], str]) -> str:
    """A fresh, migrated store for one test, on SQLite or PostgreSQL."""
    return make_store()


@pytest.fixture
def settings(store_url: str) -> Settings:
    """Settings for this test's store."""
    return settings_for(store_url)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    """An app context on the test store."""
    c = AppContext(settings)
    yield c
    c.dispose()


@pytest.fixture
def cli_env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    """Environment for running the `labelqa` CLI as a subprocess against the test store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQA_")}
    env.update(
        LABELQA_ENV="test",
        LABELQA_DATABASE_URL=settings.database_url,
        LABELQA_SECRET_KEY=SECRET,
        LABELQA_HOME=str(tmp_path / ".labelqa"),
        LABELQA_LABEL_STUDIO_TIMEOUT_SECONDS="30",
        LABELQA_LABEL_STUDIO_RETRIES="1",
        LABELQA_SYNC_OVERLAP_SECONDS="2",
    )
    return env
