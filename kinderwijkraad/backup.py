"""Backups and restores: one tar file holding the database, the children's photos and a manifest.

SQLite is copied with `VACUUM INTO` from a read-only connection. That is one read transaction, so
the copy is a consistent snapshot of the moment it started, and in WAL mode a reader never blocks
the voters: a ballot is in the copy with its used card, or neither is. The online backup API
(`sqlite3.Connection.backup`) would also do, but copied in steps it starts over whenever someone
writes (which, during a vote, is all the time) and copied at once it is no better than VACUUM INTO,
whose copy is compact and freshly written. The copy gets a full `PRAGMA integrity_check` before
it is packed; a copy that fails it is deleted and older backups are kept.

The photos are copied after the database, so every photo the copied database refers to is in the
backup (photos are written before their row and never rewritten; one deleted in between is
missing, as it should be). Extra photos are harmless.

A backup is written under a hidden temporary name in the target folder, synced to disk and then
renamed to `kinderwijkraad-<UTC time>.tar`, so a backup file is complete or absent. Only after
that are the oldest backups beyond `keep` deleted; nothing else in the folder is touched.

PostgreSQL backups hold `pg_dump --format=custom` output instead (checked with `pg_restore
--list`); pg_dump runs in one repeatable-read transaction, so it is a consistent snapshot too.

This module uses only the standard library, SQLAlchemy's URL parser and the error family, so
`db` can call it before migrating.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url

from kinderwijkraad.errors import ConfigError, Conflict, InvalidInput

DEFAULT_KEEP = 7
SQLITE_MAGIC = b"SQLite format 3\x00"
FORMAT = 1
MANIFEST = "MANIFEST.json"
SQLITE_MEMBER = "kinderwijkraad.db"
POSTGRES_MEMBER = "kinderwijkraad.pgdump"
PHOTOS = "photos"
BACKUP_NAME = re.compile(r"kinderwijkraad-\d{8}T\d{6}\.\d{6}Z\.tar")
_PHOTO_MEMBER = re.compile(r"photos/([A-Za-z0-9_-][A-Za-z0-9_.-]{0,127})")
_CHUNK = 1 << 20

Kind = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    photos: int
    removed: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    kind: Kind
    revision: str | None
    photos_restored: int
    photos_present: int


# --- checking a database file ---------------------------------------------------------------------


def check_sqlite_file(path: Path) -> None:
    """Raise ConfigError "db.corrupt" or "db.unreadable" unless `path` is absent, empty (a new
    database) or a readable SQLite database that passes `PRAGMA quick_check`.

    The file is opened read-only and never changed, so the app stops instead of starting afresh
    over a damaged file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise ConfigError("db.unreadable", path=str(path), problem=error.strerror or str(error)) from error
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError("db.unreadable", path=str(path), problem="it is a directory, not a file")
    if info.st_size == 0:
        return
    try:
        with open(path, "rb") as file:
            header = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise ConfigError("db.unreadable", path=str(path), problem=error.strerror or str(error)) from error
    if header != SQLITE_MAGIC:
        raise ConfigError("db.corrupt", path=str(path), problem="the file is not an SQLite database")
    side_files = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    existed = {side: side.exists() for side in side_files}
    try:
        problem = _check(path, "quick_check")
    except sqlite3.OperationalError as error:
        _remove_new_side_files(existed)
        raise ConfigError("db.unreadable", path=str(path), problem=str(error)) from error
    except sqlite3.DatabaseError as error:
        _remove_new_side_files(existed)
        raise ConfigError("db.corrupt", path=str(path), problem=str(error)) from error
    if problem is not None:
        _remove_new_side_files(existed)
        raise ConfigError("db.corrupt", path=str(path), problem=problem)


def _remove_new_side_files(existed: dict[Path, bool]) -> None:
    """Opening a WAL database read-only creates its -wal and -shm files; leave a damaged database
    as it was found."""
    wal = next(side for side in existed if side.name.endswith("-wal"))
    if wal.exists() and wal.stat().st_size > 0:
        return  # a writer opened the database meanwhile: its -wal (and index) are its own
    for side, was_there in existed.items():
        if not was_there:
            side.unlink(missing_ok=True)


def _connect_read_only(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout, isolation_level=None)


def _check(path: Path, pragma: Literal["quick_check", "integrity_check"]) -> str | None:
    """None when the check says "ok", else its first lines. sqlite3 errors propagate."""
    connection = _connect_read_only(path)
    try:
        rows = [row[0] for row in connection.execute(f"PRAGMA {pragma}").fetchmany(5)]
    finally:
        connection.close()
    return None if rows == ["ok"] else "; ".join(str(row) for row in rows)


def _integrity_problem(path: Path) -> str | None:
    """The full integrity check of a copy: None when it is "ok", else what is wrong."""
    try:
        with open(path, "rb") as file:
            if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return "the file is not an SQLite database"
        return _check(path, "integrity_check")
    except (sqlite3.Error, OSError) as error:
        return str(error)


def sqlite_revision(path: Path) -> str | None:
    """The Alembic revision stored in an SQLite file, or None when it has none."""
    connection = _connect_read_only(path)
    try:
        if not connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone():
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def sqlite_has_rows(path: Path) -> bool:
    """Whether any table other than Alembic's holds a row: a database worth a backup."""
    connection = _connect_read_only(path)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version'")]
        return any(connection.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")').fetchone()[0] for name in tables)
    finally:
        connection.close()


# --- making a backup -------------------------------------------------------------------------------


def backup_sqlite(database: Path, directory: Path, *, photos_dir: Path | None,
                  keep: int = DEFAULT_KEEP) -> BackupResult:
    """Write a checked backup of a live SQLite database (and its photos) into `directory`; keep
    the newest `keep` backups there."""
    _check_keep(keep)
    if not database.is_file() or database.stat().st_size == 0:
        raise InvalidInput("backup.no_database", path=str(database))
    stamp = _stamp()
    directory.mkdir(parents=True, exist_ok=True)
    with _work_dir(directory, ".kinderwijkraad-backup-") as work:
        copy = work / SQLITE_MEMBER
        _vacuum_into(database, copy)
        problem = _integrity_problem(copy)
        if problem is not None:
            raise ConfigError("backup.copy_corrupt", problem=problem)  # the work folder goes, copy and all
        _fsync(copy)
        path, photos = _write_archive(directory, stamp, "sqlite", copy, sqlite_revision(copy), photos_dir)
    return BackupResult(path, photos, rotate(directory, keep))


def _vacuum_into(database: Path, target: Path) -> None:
    try:
        connection = _connect_read_only(database)
        try:
            connection.execute("VACUUM INTO ?", (str(target),))
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise ConfigError("backup.failed", path=str(database), problem=str(error)) from error


def backup_postgres(url: str, directory: Path, *, photos_dir: Path | None, keep: int = DEFAULT_KEEP) -> BackupResult:
    """Run pg_dump (custom format), check the dump with `pg_restore --list` and pack it with the
    photos. ConfigError "backup.pg_dump_missing" when pg_dump is not installed."""
    _check_keep(keep)
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if pg_dump is None or pg_restore is None:
        raise ConfigError("backup.pg_dump_missing", photos=str(photos_dir or ""))
    stamp = _stamp()
    directory.mkdir(parents=True, exist_ok=True)
    target, env = libpq_target(url)
    with _work_dir(directory, ".kinderwijkraad-backup-") as work:
        dump = work / POSTGRES_MEMBER
        _run([pg_dump, "--format=custom", "--no-password", f"--file={dump}", f"--dbname={target}"], env,
             "backup.pg_dump_failed")
        _run([pg_restore, "--list", str(dump)], env, "backup.pg_dump_failed")
        _fsync(dump)
        path, photos = _write_archive(directory, stamp, "postgresql", dump, None, photos_dir)
    return BackupResult(path, photos, rotate(directory, keep))


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore (no SQLAlchemy driver name, no password) and
    the environment carrying the password, so it never shows in a process list."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed._replace(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], key: str) -> str:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ConfigError(key, problem=(result.stderr or result.stdout).strip()[-800:])
    return result.stdout


def rotate(directory: Path, keep: int) -> list[Path]:
    """Delete the oldest backups in `directory` beyond the newest `keep`; return what was deleted."""
    old = backups_in(directory)[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def backups_in(directory: Path) -> list[Path]:
    """The finished backups in `directory`, oldest first (their names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if BACKUP_NAME.fullmatch(p.name) and p.is_file()),
                  key=lambda p: p.name)


def _check_keep(keep: int) -> None:
    if keep < 1:
        raise InvalidInput("backup.keep_range")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def _write_archive(directory: Path, stamp: str, kind: Kind, database_file: Path, revision: str | None,
                   photos_dir: Path | None) -> tuple[Path, int]:
    final = directory / f"kinderwijkraad-{stamp}.tar"
    partial = directory / f".kinderwijkraad-{stamp}.tar.partial"
    member = SQLITE_MEMBER if kind == "sqlite" else POSTGRES_MEMBER
    photos = 0
    try:
        with open(partial, "xb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(database_file, arcname=member, recursive=False)
                for photo in _photo_files(photos_dir):
                    try:
                        tar.add(photo, arcname=f"{PHOTOS}/{photo.name}", recursive=False)
                        photos += 1
                    except FileNotFoundError:  # deleted since the folder was listed
                        continue
                manifest = {
                    "app": "kinderwijkraad", "format": FORMAT, "created_at": stamp, "database": kind,
                    "revision": revision, "database_sha256": _sha256(database_file), "photos": photos,
                }
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o644
                tar.addfile(info, io.BytesIO(data))  # last: a cut-off archive has no manifest
            raw.flush()
            os.fsync(raw.fileno())
        if final.exists():
            raise ConfigError("backup.failed", path=str(final), problem="a backup with this name already exists")
        os.replace(partial, final)
        _fsync_dir(directory)
    finally:
        partial.unlink(missing_ok=True)
    return final, photos


def _photo_files(photos_dir: Path | None) -> list[Path]:
    if photos_dir is None or not photos_dir.is_dir():
        return []
    return sorted(p for p in photos_dir.iterdir()
                  if _PHOTO_MEMBER.fullmatch(f"{PHOTOS}/{p.name}") and not p.name.startswith(".")
                  and p.is_file() and not p.is_symlink())  # a link would be refused at restore


# --- restoring -------------------------------------------------------------------------------------


def restore_sqlite(file: Path, *, database: Path, photos_dir: Path) -> RestoreResult:
    """Restore a backup (or a plain SQLite copy) into a data folder that holds no database.

    The backup is checked first (manifest, checksum, full integrity check); the photos are added
    next to any already there (a photo's name is random and it is never rewritten) and the
    database file is put in place last. `file` is only read."""
    plain = _is_plain_sqlite(file)
    _refuse_existing_database(database)
    data_dir = database.parent
    data_dir.mkdir(parents=True, exist_ok=True)
    with _work_dir(data_dir, ".kinderwijkraad-restore-") as work:
        staged = work / SQLITE_MEMBER
        if plain:
            if Path(f"{file}-wal").exists():
                raise InvalidInput("restore.bad_file", file=str(file),
                                   problem="it has a -wal file beside it: a live database, not a backup")
            shutil.copyfile(file, staged)
            photo_dir = None
        else:
            kind, photo_dir = _unpack(file, work)
            if kind != "sqlite":
                raise InvalidInput("restore.wrong_kind", file=str(file), kind=kind)
        problem = _integrity_problem(staged)
        if problem is not None:
            raise InvalidInput("restore.bad_file", file=str(file), problem=problem)
        revision = sqlite_revision(staged)
        _fsync(staged)
        _refuse_existing_database(database)  # nobody started the app in the meantime
        restored, present = _place_photos(photo_dir, photos_dir)
        os.replace(staged, database)
        _fsync_dir(data_dir)
    return RestoreResult("sqlite", revision, restored, present)


def restore_postgres(file: Path, *, url: str, photos_dir: Path) -> RestoreResult:
    """Restore a PostgreSQL backup with pg_restore into a database without tables."""
    from sqlalchemy import create_engine, inspect

    if _is_plain_sqlite(file):
        raise InvalidInput("restore.wrong_kind", file=str(file), kind="sqlite")
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise ConfigError("restore.pg_restore_missing", file=str(file))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if inspect(connection).get_table_names():
                raise Conflict("restore.not_empty_postgres")
    finally:
        engine.dispose()
    target, env = libpq_target(url)
    photos_dir.parent.mkdir(parents=True, exist_ok=True)
    with _work_dir(photos_dir.parent, ".kinderwijkraad-restore-") as work:
        kind, photo_dir = _unpack(file, work)
        if kind != "postgresql":
            raise InvalidInput("restore.wrong_kind", file=str(file), kind=kind)
        dump = work / POSTGRES_MEMBER
        _run([pg_restore, "--list", str(dump)], env, "restore.pg_restore_failed")
        _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={target}", str(dump)], env, "restore.pg_restore_failed")
        restored, present = _place_photos(photo_dir, photos_dir)
    return RestoreResult("postgresql", None, restored, present)


def _refuse_existing_database(database: Path) -> None:
    """Refuse unless the data folder holds no database: not the target, nor its journal files,
    nor any other SQLite file."""
    found = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
    found = [p for p in found if p.exists()]
    if database.parent.is_dir():
        found += sorted(p for p in database.parent.iterdir()
                        if p.suffix in {".db", ".sqlite", ".sqlite3"} and p not in found)
    if found:
        raise Conflict("restore.not_empty", path=str(database.parent), found=", ".join(p.name for p in found))


def _is_plain_sqlite(file: Path) -> bool:
    try:
        with open(file, "rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except FileNotFoundError as error:
        raise InvalidInput("restore.missing_file", file=str(file)) from error
    except OSError as error:
        raise InvalidInput("restore.bad_file", file=str(file), problem=error.strerror or str(error)) from error


# A restored photo is readable by the app's user only, as the app writes it (images.store_photo
# writes through mkstemp: 0600). Children's photos are not for other accounts on the server.
PHOTO_MODE = 0o600


def _unpack(file: Path, work: Path) -> tuple[Kind, Path]:
    """Check and unpack a backup archive into `work`: its database member and photos/. Only the
    names a backup holds are accepted, so nothing can be written outside `work`."""
    photos = work / PHOTOS
    photos.mkdir()
    manifest, database_member, digest = None, None, None
    try:
        with tarfile.open(file, mode="r:") as tar:
            for member in tar:
                name = member.name
                if not member.isfile():
                    raise ValueError(f"unexpected entry {name!r}")
                if name == MANIFEST:
                    manifest = json.loads(_read_member(tar, member))
                elif name in (SQLITE_MEMBER, POSTGRES_MEMBER) and database_member is None:
                    database_member = name
                    digest = _extract(tar, member, work / name)
                elif (match := _PHOTO_MEMBER.fullmatch(name)) and not (photos / match.group(1)).exists():
                    _extract(tar, member, photos / match.group(1), mode=PHOTO_MODE)
                else:
                    raise ValueError(f"unexpected entry {name!r}")
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise InvalidInput("restore.bad_file", file=str(file), problem=str(error) or type(error).__name__) from error
    problem = _manifest_problem(manifest, database_member, digest)
    if problem is not None:
        raise InvalidInput("restore.bad_file", file=str(file), problem=problem)
    assert isinstance(manifest, dict)  # _manifest_problem refused anything else
    return manifest["database"], photos


def _manifest_problem(manifest: object, database_member: str | None, digest: str | None) -> str | None:
    if not isinstance(manifest, dict) or manifest.get("app") != "kinderwijkraad":
        return "no Kinderwijkraad manifest (not a backup, or cut off)"
    if manifest.get("format") != FORMAT:
        return f"backup format {manifest.get('format')!r} is not {FORMAT}"
    expected = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}.get(str(manifest.get("database")))
    if expected is None or database_member != expected:
        return "the database is missing from the backup"
    if manifest.get("database_sha256") != digest:
        return "the database in the backup does not match its checksum"
    return None


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    if member.size > _CHUNK:
        raise ValueError(f"{member.name} is too large")
    source = tar.extractfile(member)
    data = source.read() if source else b""
    if len(data) != member.size:
        raise EOFError("the archive is cut off")
    return data


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, *, mode: int = 0o666) -> str:
    """Copy one member to `target` (a new file with `mode`, less the umask), checking its length;
    return its SHA-256."""
    source = tar.extractfile(member)
    if source is None:
        raise ValueError(f"unexpected entry {member.name!r}")
    digest, written = hashlib.sha256(), 0
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode),
                   "wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            written += len(chunk)
    if written != member.size:
        raise EOFError("the archive is cut off")
    return digest.hexdigest()


def _place_photos(source: Path | None, photos_dir: Path) -> tuple[int, int]:
    """Move the unpacked photos into `photos_dir`, never over a file already there."""
    if source is None:
        return 0, 0
    restored = present = 0
    photos_dir.mkdir(parents=True, exist_ok=True)
    for photo in sorted(source.iterdir()):
        target = photos_dir / photo.name
        if target.exists():
            present += 1
            continue
        _fsync(photo)
        shutil.move(photo, target)
        restored += 1
    _fsync_dir(photos_dir)
    return restored, present


# --- files -----------------------------------------------------------------------------------------


@contextmanager
def _work_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A private folder beside the result (same file system, so a rename is atomic); removed with
    whatever is left in it, on success and on failure."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with open(path, "rb") as file:
        os.fsync(file.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
