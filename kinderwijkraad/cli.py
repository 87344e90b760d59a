"""Command line: `kinderwijkraad run | db upgrade | db downgrade | db current | seed-demo | create-admin`,
the recounts anyone can redo: `tally FILE.csv` and `recount POLL_ID`, and the archive export
`export proposals [--cycle CYCLE_ID] DIR`; operations: `backup DIR [--keep N]`, `restore FILE`
and `retention [--apply]` (child data of closed cycles past the retention period); `mail send`
(due reminders queued, queued e-mail delivered: for cron or a systemd timer).

Language rule: the command line is for the people who install and run the app (IT staff, and
anyone redoing a count), so everything it says is English: its own messages, --help, and the
domain errors it prints (KwrError, from the English catalogue via `message`). What it writes for
the app keeps the app's language: the PDFs of `export` and the retention run's label shown on the
Privacy page. tests/test_cli_language.py scans for it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from kinderwijkraad import db
from kinderwijkraad.config import PROJECT_ROOT, get_settings
from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t

LANGUAGE = "en"  # of every message on the command line (see the module's docstring)


def message(error: KwrError) -> str:
    """A domain error in the command line's language, filled in as the app's screens do."""
    params: dict[str, Any] = dict(error.params)
    if "field" in params:
        params["field"] = t(f"field.{params['field']}", language=LANGUAGE)
    if "problem_key" in params:
        params["problem"] = t(str(params.pop("problem_key")), language=LANGUAGE, **params)
    return t(error.key, language=LANGUAGE, **params)


def _prepare(url: str) -> None:
    db.upgrade(url)
    settings = get_settings()
    if settings.demo_mode:
        from kinderwijkraad.services.demo import seed_demo

        engine = db.make_engine(url)
        try:
            if seed_demo(engine, photos_dir=settings.photos_dir, mail_settings=settings.mail):
                print("Demo data created: see the login page for the demo accounts.")
        finally:
            engine.dispose()


def cmd_run(args: argparse.Namespace) -> int:
    settings = get_settings()
    url = settings.effective_database_url
    if settings.uses_default_database:
        _prepare(url)
    app = PROJECT_ROOT / "streamlit_app.py"
    argv = ["streamlit", "run", str(app), "--server.port", str(args.port), "--server.address", args.address]
    os.chdir(PROJECT_ROOT)  # so .streamlit/config.toml and secrets.toml are found
    os.execvp(sys.executable, [sys.executable, "-m", *argv])
    return 0  # not reached


def cmd_db(args: argparse.Namespace) -> int:
    url = get_settings().effective_database_url
    if args.action == "upgrade":
        db.upgrade(url, args.revision or "head")
    elif args.action == "downgrade":
        db.downgrade(url, args.revision or "-1")
    print(f"database at revision: {db.current_revision(url) or 'empty'}")
    return 0


def cmd_seed_demo(_args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.env == "production":
        print("Refusing to create demo accounts in production.", file=sys.stderr)
        return 2
    from kinderwijkraad.services.demo import seed_demo

    if settings.uses_default_database:  # as `run` does: a fresh data folder has no tables yet
        db.upgrade(settings.effective_database_url)
    engine = db.make_engine(settings.effective_database_url)
    created = seed_demo(engine, photos_dir=settings.photos_dir, mail_settings=settings.mail)
    print("Demo data created." if created else "The database already has accounts; nothing changed.")
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    """The first admin of a production installation; the password must be changed at first login."""
    from kinderwijkraad.services.demo import bootstrap_admin

    password = os.environ.get("KWR_ADMIN_PASSWORD") or getpass.getpass("One-time password (10+ characters): ")
    engine = db.make_engine(get_settings().effective_database_url)
    try:
        bootstrap_admin(engine, username=args.username, display_name=args.name, password=password)
    except KwrError as error:
        print(message(error), file=sys.stderr)
        return 2
    print(f"Admin '{args.username}' created; the password must be changed at first login.")
    return 0


def cmd_tally(args: argparse.Namespace) -> int:
    """Count a CSV of ballots without a database, so a paper or spreadsheet vote can be checked by anyone."""
    import json
    from pathlib import Path

    from kinderwijkraad.voting import Method, count, read_ballots_csv, result_json

    if args.k is not None and args.method != Method.borda:
        print(f"tally: --k only applies to --method borda, not {args.method}", file=sys.stderr)
        return 2
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"tally: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    try:
        result = count(args.method, read_ballots_csv(text), k=args.k)
    except ValueError as error:
        print(f"tally: {args.file}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result_json(result), ensure_ascii=False))
    return 0


def cmd_recount(args: argparse.Namespace) -> int:
    """Count a closed poll afresh from the database: the same JSON as `tally`, with option labels."""
    import json

    from kinderwijkraad.services.results import recount

    engine = db.make_engine(get_settings().effective_database_url)
    try:
        print(json.dumps(recount(engine, poll_id=args.poll_id), ensure_ascii=False))
    finally:
        engine.dispose()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write every proposal's dossier, one PDF per recipient, into DIR for the archive."""
    from kinderwijkraad.services.proposals import export_proposals

    settings = get_settings()
    url = settings.effective_database_url
    default_file = settings.data_dir / "kinderwijkraad.db"
    if (settings.uses_default_database and not default_file.exists()) or db.current_revision(url) is None:
        print("export: the database is empty or not set up; nothing to export", file=sys.stderr)
        return 2
    engine = db.make_engine(url)
    try:
        written = export_proposals(engine, directory=Path(args.directory), photos_dir=settings.photos_dir,
                                   cycle_id=args.cycle)
    finally:
        engine.dispose()
    for path in written:
        print(path)
    print(f"{len(written)} PDF", file=sys.stderr)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Walk the audit log's hash chain; exit 1 and name the entry where it breaks."""
    from kinderwijkraad.services.audit import verify

    engine = db.make_engine(get_settings().effective_database_url)
    try:
        check = verify(engine)
    finally:
        engine.dispose()
    if check.intact:
        print(f"audit log intact: {check.entries} entries")
        return 0
    reason = {"edited": "was changed", "missing_before": "follows one or more deleted entries"}[check.problem]
    print(f"audit log BROKEN: entry {check.broken_at} {reason} ({check.entries} entries before it check out)",
          file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    """A checked backup (database and photos, one tar file) into DIR while the app runs; the newest
    --keep backups there are kept. See kinderwijkraad/backup.py."""
    from kinderwijkraad import backup

    settings = get_settings()
    url = settings.effective_database_url
    path = db.sqlite_path(url)
    if path is not None:
        result = backup.backup_sqlite(path, Path(args.directory), photos_dir=settings.photos_dir, keep=args.keep)
    elif url.startswith("sqlite"):
        print(f"backup: {url} is not a database file", file=sys.stderr)
        return 2
    else:
        result = backup.backup_postgres(url, Path(args.directory), photos_dir=settings.photos_dir, keep=args.keep)
    print(result.path)
    print(f"backup checked: the database and {result.photos} photos; {len(result.removed)} older backup(s) removed",
          file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup into a data folder without a database (SQLite) or a database without tables
    (PostgreSQL); the file is checked first and only read."""
    from kinderwijkraad import backup

    settings = get_settings()
    url = settings.effective_database_url
    path = db.sqlite_path(url)
    if path is not None:
        result = backup.restore_sqlite(Path(args.file), database=path, photos_dir=settings.photos_dir)
    elif url.startswith("sqlite"):
        print(f"restore: {url} is not a database file", file=sys.stderr)
        return 2
    else:
        result = backup.restore_postgres(Path(args.file), url=url, photos_dir=settings.photos_dir)
    where = path or "the PostgreSQL database"
    print(f"restored {where} (revision {result.revision or 'as dumped'}) and {result.photos_restored} photos "
          f"({result.photos_present} were already there); the app migrates it on start if it is older")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    """Without --apply: print what the retention would remove now (counts per cycle, no child data).
    With --apply: remove it (one transaction per cycle, recorded and audited) and print the counts."""
    from kinderwijkraad.services import retention

    engine = db.make_engine(get_settings().effective_database_url)
    try:
        if args.apply:
            # A label for the Privacy page, in the app's language (not a message of the command line).
            result = retention.apply_retention(engine, by_label=t("privacy.by_command_line"))
            rows, verb = result.cycles, "removed"
        else:
            preview = retention.retention_preview(engine)
            rows, verb = preview.due, "due"
            print(f"retention period: {preview.retention_days} days after a cycle is closed")
            for waiting in preview.waiting:
                print(f"waiting: cycle {waiting.cycle_id} ({waiting.label}) until {waiting.due_at:%Y-%m-%d}")
    finally:
        engine.dispose()
    for row in rows:
        counts = ", ".join(f"{kind} {n}" for kind, n in row.counts.items())
        print(f"{verb}: cycle {row.cycle_id} ({row.label}): {counts}")
    if not rows:
        print("nothing to remove" if not args.apply else "nothing was due; the run is recorded")
    return 0


def cmd_mail(args: argparse.Namespace) -> int:
    """Queue what fell due (reminders, feedback notices) and deliver what is queued. Run it every
    few minutes from cron or a systemd timer, on one machine or several: the outbox's keys and
    claims make a second run at the same time harmless."""
    from kinderwijkraad.services import mail

    settings = get_settings()
    if settings.uses_default_database:
        db.upgrade(settings.effective_database_url)
    engine = db.make_engine(settings.effective_database_url)
    try:
        queued, report = mail.send_due(engine, settings.mail)
    finally:
        engine.dispose()
    where = "the mail server" if settings.smtp_url else f"the outbox folder {settings.mail.outbox_dir}"
    print(f"mail: {queued} queued now; {report.sent} delivered to {where}, {report.retrying} to try again, "
          f"{report.failed} failed, {report.cancelled} no longer due")
    return 1 if report.failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kinderwijkraad", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="migrate (SQLite default), seed demo data if empty, serve the app")
    run.add_argument("--port", type=int, default=8501)
    run.add_argument("--address", default="localhost")
    run.set_defaults(handler=cmd_run)
    database = commands.add_parser("db", help="database migrations")
    database.add_argument("action", choices=["upgrade", "downgrade", "current"])
    database.add_argument("revision", nargs="?")
    database.set_defaults(handler=cmd_db)
    seed = commands.add_parser("seed-demo", help="fill an empty database with the demo wijk and accounts")
    seed.set_defaults(handler=cmd_seed_demo)
    admin = commands.add_parser("create-admin", help="create the first admin of an empty database")
    admin.add_argument("username")
    admin.add_argument("--name", default="Beheerder")
    admin.set_defaults(handler=cmd_create_admin)
    tally = commands.add_parser("tally", help="count a CSV of ballots, one row per ballot; print JSON")
    tally.add_argument("--method", required=True, choices=["plurality", "approval", "borda", "irv", "dots"])
    tally.add_argument("--k", type=int, help="borda only: the number of ranked places that earn points")
    tally.add_argument("file", metavar="FILE.csv")
    tally.set_defaults(handler=cmd_tally)
    recount = commands.add_parser("recount", help="count a closed poll again from the database; JSON on stdout")
    recount.add_argument("poll_id", type=int, metavar="POLL_ID")
    recount.set_defaults(handler=cmd_recount)
    export = commands.add_parser("export", help="export documents for the archive")
    export.add_argument("what", choices=["proposals"])
    export.add_argument("--cycle", type=int, metavar="CYCLE_ID", help="only this cycle (default: all cycles)")
    export.add_argument("directory", metavar="DIR")
    export.set_defaults(handler=cmd_export)
    audit_log = commands.add_parser("audit", help="the audit log")
    audit_log.add_argument("action", choices=["verify"])
    audit_log.set_defaults(handler=cmd_audit)
    backup_cmd = commands.add_parser("backup", help="a checked backup of the database and photos into DIR")
    backup_cmd.add_argument("directory", metavar="DIR")
    backup_cmd.add_argument("--keep", type=int, default=7, metavar="N", help="backups to keep in DIR (default 7)")
    backup_cmd.set_defaults(handler=cmd_backup)
    restore_cmd = commands.add_parser("restore", help="restore a backup into an empty data folder")
    restore_cmd.add_argument("file", metavar="FILE")
    restore_cmd.set_defaults(handler=cmd_restore)
    retention = commands.add_parser("retention", help="child data of closed cycles past the retention period: "
                                    "show what would be removed; --apply removes it")
    retention.add_argument("--apply", action="store_true", help="remove it now (recorded and audited)")
    retention.set_defaults(handler=cmd_retention)
    mail_cmd = commands.add_parser("mail", help="outgoing e-mail: 'send' queues due reminders and delivers "
                                   "what is queued (run it every few minutes)")
    mail_cmd.add_argument("action", choices=["send"])
    mail_cmd.set_defaults(handler=cmd_mail)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except KwrError as error:
        print(message(error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
