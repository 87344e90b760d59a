"""Migrations are the only way the schema is made: upgrade, downgrade, upgrade again on both
engines, and autogenerate then finds nothing the models have that the migrations lack."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from kinderwijkraad import db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return request.getfixturevalue("postgres_database_factory")()


def _tables(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_leaves_the_schema_the_models_describe(empty_database_url):
    url = empty_database_url
    db.upgrade(url)
    assert db.current_revision(url) is not None
    db.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    db.upgrade(url)
    assert _tables(url) >= {table.name for table in SQLModel.metadata.sorted_tables}

    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_the_sqlite_connection_has_the_pragmas_we_rely_on(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == db.SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()
