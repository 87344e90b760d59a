"""Backups and restores (kinderwijkraad.backup, `kinderwijkraad backup|restore`): a backup taken
while children vote holds every ballot committed before it with its used card, old backups rotate
out only after a new one checked out, a restore goes only into a data folder without a database,
a damaged file stops the app instead of being replaced, and a SQLite database with data is backed
up before it is migrated."""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import sqlite3
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from kinderwijkraad import backup, cli, db
from kinderwijkraad.config import get_settings
from kinderwijkraad.errors import ConfigError, Conflict, InvalidInput
from kinderwijkraad.i18n import t
from kinderwijkraad.services import ballots, plans, polls
from tests import factories

PHOTO = bytes.fromhex("ffd8ffe0") + os.urandom(2000)  # only the name and the bytes matter here
PHOTO_NAME = "0123456789abcdef0123456789abcdef.jpg"


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _small_database(path: Path, rows: int = 50) -> Path:
    """A plain SQLite file in WAL mode, as the app keeps it, with some rows over several pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    connection.executemany("INSERT INTO note (body) VALUES (?)", [(os.urandom(200).hex(),) for _ in range(rows)])
    connection.commit()
    connection.close()
    return path


def _leftovers(directory: Path) -> list[str]:
    """Hidden temporary files or folders a backup or restore left behind."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


# --- a backup while children vote ----------------------------------------------------------------


def test_a_backup_during_concurrent_votes_restores_every_ballot_committed_before_it(tmp_path):
    data_dir = tmp_path / "live"
    database = data_dir / "kinderwijkraad.db"
    url = _url(database)
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        world = factories.world(engine)
        boss, facilitator, cycle_id = world["admin"], world["facilitator"], world["cycle_a"].id
        for name in ("Afval", "Groen", "Speeltuin"):
            plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name=name)
        poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=cycle_id, title="Wijkstemming")
        options = polls.poll_view(engine, actor=facilitator, poll_id=poll_id).option_ids
        classes = [world["class_a"]] + [factories.classroom(engine, boss, cycle_id, world["school_a"].id)
                                        for _ in range(3)]
        codes: queue.Queue[str] = queue.Queue()
        for classroom in classes:
            sheet = ballots.issue_cards(engine, actor=facilitator, poll_id=poll_id, classroom_id=classroom.id,
                                        count=ballots.MAX_PUPILS_PER_CARD_SHEET, base_url="http://test")
            for card in sheet.cards:
                codes.put(card.code)
        polls.open_poll(engine, actor=facilitator, poll_id=poll_id)
        (data_dir / "photos").mkdir()
        (data_dir / "photos" / PHOTO_NAME).write_bytes(PHOTO)

        committed: list[str] = []  # receipts, in the order their transactions committed
        lock, stop, failures = threading.Lock(), threading.Event(), []

        def vote(worker: int) -> None:
            while not stop.is_set():
                try:
                    code = codes.get_nowait()
                except queue.Empty:
                    return
                try:
                    receipt = ballots.cast_with_card(engine, code=code, choices=[options[worker % len(options)]])
                except Exception as error:  # noqa: BLE001 - reported by the test
                    failures.append(error)
                    return
                with lock:
                    committed.append(receipt)

        def committed_count() -> int:
            with lock:
                return len(committed)

        def wait_for(count: int) -> None:
            deadline = time.monotonic() + 20
            while committed_count() < count and not codes.empty() and time.monotonic() < deadline:
                time.sleep(0.002)

        voters = [threading.Thread(target=vote, args=(i,)) for i in range(6)]
        for voter in voters:
            voter.start()
        wait_for(40)
        with lock:
            before = list(committed)  # every one of these committed before the backup started
        result = backup.backup_sqlite(database, tmp_path / "backups", photos_dir=data_dir / "photos")
        during = committed_count() - len(before)
        wait_for(committed_count() + 20)  # voting goes on after the snapshot
        stop.set()
        for voter in voters:
            voter.join(timeout=30)
        assert not any(voter.is_alive() for voter in voters)
        assert failures == []
        total = len(committed)
    finally:
        engine.dispose()

    restored_dir = tmp_path / "restored"
    outcome = backup.restore_sqlite(result.path, database=restored_dir / "kinderwijkraad.db",
                                    photos_dir=restored_dir / "photos")
    assert outcome.revision == db.current_revision(url)
    copy = sqlite3.connect(restored_dir / "kinderwijkraad.db")
    try:
        n_ballots = copy.execute("SELECT count(*) FROM ballot WHERE poll_id = ?", (poll_id,)).fetchone()[0]
        n_used = copy.execute("SELECT count(*) FROM votingcard WHERE poll_id = ? AND used", (poll_id,)).fetchone()[0]
        receipts = {row[0] for row in copy.execute("SELECT code FROM receipt WHERE poll_id = ?", (poll_id,))}
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
    assert check == "ok"
    assert len(before) >= 40 and total > n_ballots, (len(before), during, n_ballots, total)
    assert {code.replace("-", "") for code in before} <= receipts  # every ballot committed before the backup
    assert n_ballots == n_used == len(receipts)  # a snapshot: no ballot without its used card
    assert len(before) <= n_ballots <= len(before) + during
    assert (restored_dir / "photos" / PHOTO_NAME).read_bytes() == PHOTO
    assert result.photos == 1 and outcome.photos_restored == 1


# --- rotation and a copy that fails its check -----------------------------------------------------


def test_only_the_newest_backups_are_kept_and_nothing_else_in_the_folder_is_touched(tmp_path):
    database = _small_database(tmp_path / "data" / "kinderwijkraad.db")
    target = tmp_path / "backups"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    made = [backup.backup_sqlite(database, target, photos_dir=None, keep=2).path for _ in range(4)]
    assert backup.backups_in(target) == made[-2:]
    assert sorted(p.name for p in target.iterdir()) == sorted([made[2].name, made[3].name, "notes.txt"])
    assert all(p.name.startswith("kinderwijkraad-") and p.name.endswith("Z.tar") for p in made)
    with pytest.raises(InvalidInput) as refused:
        backup.backup_sqlite(database, target, photos_dir=None, keep=0)
    assert refused.value.key == "backup.keep_range"


def test_a_copy_that_fails_its_integrity_check_is_deleted_and_older_backups_stay(tmp_path, monkeypatch):
    database = _small_database(tmp_path / "data" / "kinderwijkraad.db")
    target = tmp_path / "backups"
    kept = [backup.backup_sqlite(database, target, photos_dir=None, keep=2).path for _ in range(2)]

    def broken_copy(_source: Path, copy: Path) -> None:
        copy.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))

    monkeypatch.setattr(backup, "_vacuum_into", broken_copy)
    with pytest.raises(ConfigError) as failed:
        backup.backup_sqlite(database, target, photos_dir=None, keep=2)
    assert failed.value.key == "backup.copy_corrupt"
    assert backup.backups_in(target) == kept
    assert _leftovers(target) == []


# --- restore ------------------------------------------------------------------------------------


def test_a_restore_goes_only_into_a_data_folder_without_a_database(tmp_path):
    source = _small_database(tmp_path / "data" / "kinderwijkraad.db")
    made = backup.backup_sqlite(source, tmp_path / "backups", photos_dir=None).path
    digest = _sha(made)
    for existing in ("kinderwijkraad.db", "old.sqlite"):
        target = tmp_path / f"target-{existing}"
        _small_database(target / existing, rows=1)
        before = _sha(target / existing)
        with pytest.raises(Conflict) as refused:
            backup.restore_sqlite(made, database=target / "kinderwijkraad.db", photos_dir=target / "photos")
        assert refused.value.key == "restore.not_empty" and existing in refused.value.params["found"]
        assert _sha(target / existing) == before
        assert _leftovers(target) == []
    assert _sha(made) == digest

    fresh = tmp_path / "fresh"
    (fresh / "backups").mkdir(parents=True)  # a backups folder is not a database
    backup.restore_sqlite(made, database=fresh / "kinderwijkraad.db", photos_dir=fresh / "photos")
    restored = sqlite3.connect(fresh / "kinderwijkraad.db")
    assert restored.execute("SELECT count(*) FROM note").fetchone()[0] == 50
    restored.close()


def _tar_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_damaged_backup_is_refused_and_left_as_it_was(tmp_path):
    source = _small_database(tmp_path / "data" / "kinderwijkraad.db", rows=400)
    good = backup.backup_sqlite(source, tmp_path / "backups", photos_dir=None).path
    broken_db = b"SQLite format 3\x00" + os.urandom(4000)
    manifest = {"app": "kinderwijkraad", "format": 1, "database": "sqlite", "photos": 0,
                "database_sha256": hashlib.sha256(broken_db).hexdigest()}
    plain = source.read_bytes()  # the main file, checkpointed when the last connection closed
    candidates = {
        "random.tar": os.urandom(20_000),
        "cut.tar": good.read_bytes()[: good.stat().st_size // 2],
        "corrupt-inside.tar": _tar_with({"kinderwijkraad.db": broken_db,
                                         "MANIFEST.json": json.dumps(manifest).encode()}),
        "escape.tar": _tar_with({"../evil.db": plain, "MANIFEST.json": json.dumps(manifest).encode()}),
        "cut.db": plain[: len(plain) // 2],
        "not-a-backup.db": b"hello" * 100,
    }
    for name, data in candidates.items():
        file = tmp_path / name
        file.write_bytes(data)
        target = tmp_path / f"target-{name}"
        with pytest.raises(InvalidInput) as refused:
            backup.restore_sqlite(file, database=target / "kinderwijkraad.db", photos_dir=target / "photos")
        assert refused.value.key == "restore.bad_file", name
        assert refused.value.params["problem"], name
        assert file.read_bytes() == data, name
        assert list(target.iterdir()) == [], name  # no database, no photos, no temporary folder
    assert not (tmp_path / "evil.db").exists()
    with pytest.raises(InvalidInput) as missing:
        backup.restore_sqlite(tmp_path / "nope.tar", database=tmp_path / "t" / "kinderwijkraad.db",
                              photos_dir=tmp_path / "t" / "photos")
    assert missing.value.key == "restore.missing_file"


def test_restored_photos_join_those_already_there_without_overwriting_one(tmp_path):
    source = _small_database(tmp_path / "data" / "kinderwijkraad.db")
    (tmp_path / "data" / "photos").mkdir()
    (tmp_path / "data" / "photos" / PHOTO_NAME).write_bytes(PHOTO)
    (tmp_path / "data" / "photos" / f"{'b' * 32}.jpg").write_bytes(b"\xff\xd8second")
    (tmp_path / "data" / "photos" / ".upload-123.tmp").write_bytes(b"half an upload")
    made = backup.backup_sqlite(source, tmp_path / "backups", photos_dir=tmp_path / "data" / "photos").path
    assert made.name in {p.name for p in backup.backups_in(tmp_path / "backups")}
    target = tmp_path / "target"
    (target / "photos").mkdir(parents=True)
    (target / "photos" / PHOTO_NAME).write_bytes(b"already here")
    outcome = backup.restore_sqlite(made, database=target / "kinderwijkraad.db", photos_dir=target / "photos")
    assert (outcome.photos_restored, outcome.photos_present) == (1, 1)
    assert (target / "photos" / PHOTO_NAME).read_bytes() == b"already here"
    assert (target / "photos" / f"{'b' * 32}.jpg").read_bytes() == b"\xff\xd8second"
    assert not (target / "photos" / ".upload-123.tmp").exists()


# --- a damaged database stops the app --------------------------------------------------------------


def _damaged(kind: str, path: Path) -> None:
    if kind == "random bytes":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(64 * 1024))
    else:
        data = _small_database(path, rows=400).read_bytes()
        path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("kind", ["random bytes", "truncated"])
def test_a_damaged_database_file_stops_the_app_and_stays_as_it_was(tmp_path, kind):
    database = tmp_path / "data" / "kinderwijkraad.db"
    _damaged(kind, database)
    digest = _sha(database)
    for attempt in (lambda: db.upgrade(_url(database)), lambda: db.make_engine(_url(database)),
                    lambda: db.current_revision(_url(database))):
        with pytest.raises(ConfigError) as stopped:
            attempt()
        assert stopped.value.key == "db.corrupt" and stopped.value.params["path"] == str(database)
    assert _sha(database) == digest
    assert sorted(p.name for p in database.parent.iterdir()) == ["kinderwijkraad.db"]


def test_an_unreadable_database_stops_the_app(tmp_path):
    database = tmp_path / "data" / "kinderwijkraad.db"
    database.mkdir(parents=True)  # unreadable as a database even for root
    with pytest.raises(ConfigError) as stopped:
        db.upgrade(_url(database))
    assert stopped.value.key == "db.unreadable"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_a_database_without_read_permission_stops_the_app(tmp_path):
    database = _small_database(tmp_path / "data" / "kinderwijkraad.db")
    database.chmod(0)
    try:
        with pytest.raises(ConfigError) as stopped:
            db.make_engine(_url(database))
        assert stopped.value.key == "db.unreadable"
    finally:
        database.chmod(0o600)


def test_the_app_shows_the_message_and_stops_on_a_damaged_database(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    _damaged("random bytes", tmp_path / "data" / "kinderwijkraad.db")
    monkeypatch.setenv("KWR_DATA_DIR", str(tmp_path / "data"))

    def page() -> None:
        import streamlit as st

        from kinderwijkraad.ui.database import engine

        engine()
        st.write("the app went on")

    from kinderwijkraad.ui.errors import error_text

    app = AppTest.from_function(page).run()
    assert not app.exception
    expected = ConfigError("db.corrupt", path=str(tmp_path / "data" / "kinderwijkraad.db"),
                           problem="the file is not an SQLite database")
    assert [e.value for e in app.error] == [error_text(expected)]
    assert not any("went on" in m.value for m in app.markdown)


# --- a backup before migrating ----------------------------------------------------------------------


def test_a_database_with_data_is_backed_up_before_it_is_migrated(tmp_path):
    data_dir = tmp_path / "data"
    database = data_dir / "kinderwijkraad.db"
    url = _url(database)
    db.upgrade(url, "0005")
    db.upgrade(url, "0005")  # nothing to migrate: no backup
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO neighbourhood (name, municipality, created_at) "
                           "VALUES ('Wijk A', 'Rivierstad', '2026-11-27 08:00:00')")
    connection.close()
    assert backup.backups_in(data_dir / "backups") == []

    db.upgrade(url)
    (made,) = backup.backups_in(data_dir / "backups")
    assert db.current_revision(url) != "0005"
    restored = tmp_path / "restored"
    outcome = backup.restore_sqlite(made, database=restored / "kinderwijkraad.db", photos_dir=restored / "photos")
    assert outcome.revision == "0005"  # the database as it was before the migration

    db.upgrade(url)  # already at head: no second backup
    assert backup.backups_in(data_dir / "backups") == [made]


def test_a_new_or_empty_database_is_not_backed_up_before_migrating(tmp_path):
    fresh = tmp_path / "fresh" / "kinderwijkraad.db"
    db.upgrade(_url(fresh))
    assert not (fresh.parent / "backups").exists()
    schema_only = tmp_path / "schema" / "kinderwijkraad.db"
    db.upgrade(_url(schema_only), "0005")
    db.upgrade(_url(schema_only))
    assert not (schema_only.parent / "backups").exists()


# --- the command line -----------------------------------------------------------------------------


def test_the_backup_and_restore_commands(tmp_path, monkeypatch, capsys):
    def use_data_dir(path: Path) -> None:
        monkeypatch.setenv("KWR_DATA_DIR", str(path))
        get_settings.cache_clear()  # the settings are read once per process

    data_dir = tmp_path / "data"
    use_data_dir(data_dir)
    monkeypatch.setenv("KWR_DEMO", "false")
    assert cli.main(["backup", str(tmp_path / "backups")]) == 2
    assert t("backup.no_database", language="en", path=str(data_dir / "kinderwijkraad.db")) in capsys.readouterr().err

    assert cli.main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert cli.main(["backup", str(tmp_path / "backups"), "--keep", "3"]) == 0
    out = capsys.readouterr().out.strip()
    assert Path(out).parent == tmp_path / "backups" and backup.backups_in(tmp_path / "backups") == [Path(out)]
    assert cli.main(["backup", str(tmp_path / "backups"), "--keep", "0"]) == 2
    assert t("backup.keep_range", language="en") in capsys.readouterr().err

    assert cli.main(["restore", out]) == 2  # the data folder holds the live database
    assert "kinderwijkraad.db" in capsys.readouterr().err
    (tmp_path / "random.tar").write_bytes(os.urandom(5000))
    use_data_dir(tmp_path / "elsewhere")
    assert cli.main(["restore", str(tmp_path / "random.tar")]) == 2
    assert str(tmp_path / "random.tar") in capsys.readouterr().err
    assert cli.main(["restore", out]) == 0
    assert (tmp_path / "elsewhere" / "kinderwijkraad.db").is_file()
    assert cli.main(["db", "current"]) == 0

    _damaged("truncated", tmp_path / "broken" / "kinderwijkraad.db")
    use_data_dir(tmp_path / "broken")
    capsys.readouterr()
    assert cli.main(["db", "upgrade"]) == 2
    assert str(tmp_path / "broken" / "kinderwijkraad.db") in capsys.readouterr().err


def test_backup_on_postgresql_without_pg_dump_explains_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://kwr@127.0.0.1:1/kinderwijkraad")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    assert cli.main(["backup", str(tmp_path / "backups")]) == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err and "pg_restore --list" in err
    assert not (tmp_path / "backups").exists() or backup.backups_in(tmp_path / "backups") == []


def test_libpq_target_keeps_the_password_out_of_the_command_line():
    target, env = backup.libpq_target("postgresql+psycopg://kwr:s3cret@db.example:5433/wijk?sslmode=require")
    assert target == "postgresql://kwr@db.example:5433/wijk?sslmode=require"
    assert env["PGPASSWORD"] == "s3cret"


@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_an_empty_database(tmp_path, postgres_database_factory):
    if backup.shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    source, target = postgres_database_factory(), postgres_database_factory()
    db.upgrade(source)
    engine = db.make_engine(source)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO neighbourhood (name, municipality, created_at) "
                                "VALUES ('Wijk A', 'Rivierstad', now())"))
    engine.dispose()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / PHOTO_NAME).write_bytes(PHOTO)
    made = backup.backup_postgres(source, tmp_path / "backups", photos_dir=tmp_path / "photos")
    with tarfile.open(made.path) as tar:
        assert sorted(tar.getnames()) == ["MANIFEST.json", "kinderwijkraad.pgdump", f"photos/{PHOTO_NAME}"]

    with pytest.raises(Conflict):
        backup.restore_postgres(made.path, url=source, photos_dir=tmp_path / "restored-photos")
    backup.restore_postgres(made.path, url=target, photos_dir=tmp_path / "restored-photos")
    engine = db.make_engine(target)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM neighbourhood")).scalars().all() == ["Wijk A"]
            assert "alembic_version" in inspect(connection).get_table_names()
    finally:
        engine.dispose()
    assert (tmp_path / "restored-photos" / PHOTO_NAME).read_bytes() == PHOTO
