"""Fixtures: a fresh database per test on SQLite and on PostgreSQL, and fast password hashing.

The SQLite schema is built once per test process (each xdist worker is one) into a template file;
every test gets a copy of that file, which costs a file copy instead of creating every table.

PostgreSQL runs when KWR_TEST_DATABASE_URL is set or a local server answers on 127.0.0.1:5432
(the run's header says which); each test process creates its own database there and drops it
afterwards, so runs cannot see each other. In CI (CI=true) an unreachable PostgreSQL fails the run
instead of skipping. `-m "not postgres"` (make test-fast) leaves it out.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import kinderwijkraad.models  # noqa: F401 - registers the tables
from kinderwijkraad import db, i18n
from kinderwijkraad.config import get_settings
from kinderwijkraad.services import accounts, ballots

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True, scope="session")
def strict_messages() -> Iterator[None]:
    """A missing key or a wrong parameter fails the test instead of showing "{name}" on screen. The
    environment variable carries it to the apps the browser tests start in a subprocess."""
    os.environ["KWR_STRICT_I18N"] = "1"
    i18n.set_strict(True)
    yield
    i18n.set_strict(False)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """bcrypt at cost 4 (~1 ms) instead of 12 (~250 ms); the format is the same."""
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings are read once per process in the app; tests change the environment freely."""
    for name in ("DATABASE_URL", "KWR_DATABASE_URL", "KWR_ENV", "KWR_COOKIE_KEY", "KWR_DEMO"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _postgres_base_url() -> str | None:
    url = os.environ.get("KWR_TEST_DATABASE_URL") or LOCAL_POSTGRES
    try:
        probe = create_engine(url, connect_args={"connect_timeout": 2})
        with probe.connect():
            pass
        probe.dispose()
        return url
    except Exception:  # noqa: BLE001 - any failure means: no server to test against
        return None


def pytest_report_header(config: pytest.Config) -> str:
    if config.getoption("markexpr", "") and "not postgres" in config.getoption("markexpr"):
        return "databases: SQLite (PostgreSQL tests deselected)"
    url = _postgres_base_url()
    where = make_url(url).render_as_string(hide_password=True) if url else "not reachable, its tests skip"
    return f"databases: SQLite, and PostgreSQL at {where}: every engine test runs on both"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of a reachable PostgreSQL server, or skip (fail in CI)."""
    url = _postgres_base_url()
    if url is None:
        reason = ("PostgreSQL not reachable (set KWR_TEST_DATABASE_URL or start a server on 127.0.0.1:5432): "
                  "PostgreSQL tests skipped")
        if os.environ.get("CI") == "true":
            pytest.fail(reason.replace("skipped", "required in CI"))
        pytest.skip(reason)
    return url


@pytest.fixture(scope="session")
def postgres_database_factory(postgres_server: str) -> Iterator:
    """Creates throw-away databases on the server and drops them all at the end of the run."""
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def create() -> str:
        name = f"kwr_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(postgres_server).set(database=name).render_as_string(hide_password=False)

    yield create
    with admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_database_factory) -> Iterator[Engine]:
    engine = db.make_engine(postgres_database_factory())
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory):
    """An empty SQLite database with every table, made once; tests copy it."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    template = db.make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(template)
    template.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A fresh, empty database with every table, on each engine in turn."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = db.make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        _truncate_all(engine)
        ballots.forget_rules(engine)  # the truncate restarts poll ids, so cached ballot rules would lie
        yield engine
