"""The database engine, transaction scopes and the migrations runner.

SQLite is the embedded default (one file under data/); PostgreSQL is used when DATABASE_URL says
so. Services open their sessions here: a write scope commits exactly once and rolls back on any
exception.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from kinderwijkraad import backup

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5_000
# Before migrating a SQLite database that holds data, a backup goes to <data dir>/backups.
AUTO_BACKUP_DIR = "backups"
AUTO_BACKUP_KEEP = 5

log = logging.getLogger(__name__)
_checked_files: set[tuple[str, int, int, int]] = set()
_checked_lock = threading.Lock()


def make_engine(url: str) -> Engine:
    """Create an engine with the connection settings each backend needs. An existing SQLite file
    that is damaged or unreadable raises ConfigError ("db.corrupt", "db.unreadable")."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def check_sqlite(url: str) -> None:
    """Stop (ConfigError) rather than start afresh over a damaged or unreadable SQLite file.

    `PRAGMA quick_check` reads the whole file, so a file is checked once per process while it is
    unchanged (same inode, size and modification time)."""
    path = sqlite_path(url)
    if path is None:
        return
    try:
        info = path.stat()
    except OSError:
        info = None
    key = (str(path.resolve()), info.st_ino, info.st_size, info.st_mtime_ns) if info else None
    with _checked_lock:
        if key is not None and key in _checked_files:
            return
    backup.check_sqlite_file(path)
    if key is not None and key[2] > 0:
        with _checked_lock:
            _checked_files.add(key)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    check_sqlite(url)
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # DB-API connection
        # Let SQLAlchemy, not pysqlite, emit BEGIN (SQLAlchemy's documented pysqlite recipe), so
        # write transactions can take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # SQLAlchemy connection
        # A deferred BEGIN that later writes fails with "database is locked" under concurrency;
        # BEGIN IMMEDIATE waits for the lock instead (measured: 93% failures vs none).
        mode = "IMMEDIATE" if connection.get_execution_options().get("kwr_write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: commits once at the end, rolls back on any exception."""
    with Session(engine.execution_options(kwr_write=True), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only session. Closing it ends the transaction without writing and keeps the loaded
    objects readable (a rollback would expire them)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def alembic_config(url: str) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate to `revision`. A SQLite file is checked first (ConfigError when damaged) and, when
    it holds data and migrations are pending, backed up into `<its folder>/backups` (the newest
    AUTO_BACKUP_KEEP are kept); a failed backup stops the migration."""
    config = alembic_config(url)
    path = sqlite_path(url)
    if path is not None:
        check_sqlite(url)
        if _worth_a_backup(config, path, revision):
            result = backup.backup_sqlite(path, path.parent / AUTO_BACKUP_DIR, photos_dir=path.parent / "photos",
                                          keep=AUTO_BACKUP_KEEP)
            log.warning("backup before migrating %s: %s", path, result.path)
    command.upgrade(config, revision)


def _worth_a_backup(config: Config, path: Path, revision: str) -> bool:
    """A SQLite file with rows in it that is not yet at `revision`. A new or empty database is
    not worth a backup, and neither is one that is already up to date."""
    from alembic.script import ScriptDirectory

    if not path.is_file() or path.stat().st_size == 0 or not backup.sqlite_has_rows(path):
        return False
    current = backup.sqlite_revision(path)
    try:
        pending = list(ScriptDirectory.from_config(config).iterate_revisions(revision, current))
    except Exception:  # noqa: BLE001 - a target Alembic cannot place: back up to be safe
        return True
    return bool(pending)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
