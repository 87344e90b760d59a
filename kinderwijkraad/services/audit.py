"""The audit log: every change to a poll, a proposal, a recipient's status or answer, a reply link
and the council's records, and logins, refusals, views and exports of child-level data. A change
is written here in the same transaction as the change itself, so a change without its entry (or an
entry without its change) cannot exist.

The log is a hash chain: each entry holds the hash of the one before and its own hash over all its
fields (`models.proposals.audit_digest`). `verify` walks the chain and names the first entry that
was edited, or after which entries were deleted. Appending takes the chain's lock (an advisory
lock on PostgreSQL; SQLite's write transactions hold the database anyway), and `prev_hash` is
unique, so two writers can never both follow the same entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, and_, func, or_, text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.exports.tables import csv_bytes
from kinderwijkraad.i18n import format_datetime, t
from kinderwijkraad.models import AuditEntry, Cycle, Neighbourhood, Role
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.models.proposals import audit_digest
from kinderwijkraad.services.common import Actor, managed_cycle, require_role

CHAIN_LOCK = 7_310_001  # the advisory lock that serialises appends on PostgreSQL


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    subject: str,
    subject_id: int | None,
    cycle_id: int | None,
    detail: dict | None = None,
    actor_label: str = "",
) -> None:
    """Append one entry. `actor` is None for someone without an account (a reply link, a failed
    login): then `actor_label` says who it was. `detail` holds ids, field names and statuses, never
    a child's data."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    previous = session.exec(select(AuditEntry.entry_hash).order_by(col(AuditEntry.id).desc()).limit(1)).first()
    entry = AuditEntry(
        at=utcnow(), user_id=actor.user_id if actor else None,
        actor=(actor.display_name if actor else actor_label)[:200],
        action=action, subject=subject, subject_id=subject_id, cycle_id=cycle_id, detail=detail or {},
        prev_hash=previous or "",
    )
    entry.entry_hash = _digest(entry)
    session.add(entry)
    session.flush()  # the next entry of this transaction chains to this one


def _digest(entry: AuditEntry) -> str:
    return audit_digest(entry.prev_hash, entry.at, entry.user_id, entry.actor, entry.action, entry.subject,
                        entry.subject_id, entry.cycle_id, entry.detail)


def record_now(engine: Engine, *, actor: Actor | None, action: str, subject: str, subject_id: int | None = None,
               cycle_id: int | None = None, detail: dict | None = None, actor_label: str = "") -> None:
    """One entry in a transaction of its own: a login, a refusal, a view or an export."""
    with write_session(engine) as session:
        record(session, actor=actor, action=action, subject=subject, subject_id=subject_id, cycle_id=cycle_id,
               detail=detail, actor_label=actor_label)


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None  # the id of the first entry that does not fit the chain
    problem: str  # "" when intact; "edited" or "missing_before"

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(engine: Engine, *, batch: int = 5000) -> ChainCheck:
    """Walk the chain from the first entry: an entry whose hash does not match its fields was
    edited; one whose `prev_hash` is not its predecessor's hash follows deleted entries. (Deleting
    only the newest entries leaves a shorter, intact chain: compare the count with a copy.)"""
    previous, count, last_id = "", 0, 0
    with read_session(engine) as session:
        while True:
            rows = session.exec(select(AuditEntry).where(AuditEntry.id > last_id)
                                .order_by(AuditEntry.id).limit(batch)).all()
            if not rows:
                return ChainCheck(count, None, "")
            for entry in rows:
                if entry.prev_hash != previous:
                    return ChainCheck(count, entry.id, "missing_before")
                if entry.entry_hash != _digest(entry):
                    return ChainCheck(count, entry.id, "edited")
                previous, count, last_id = entry.entry_hash, count + 1, entry.id


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    subject: str
    subject_id: int | None
    detail: dict


def audit_log(engine: Engine, *, actor: Actor, cycle_id: int, subject: str | None = None,
              subject_id: int | None = None, limit: int = 500) -> list[AuditRow]:
    """The newest entries of a cycle (optionally of one subject), for its facilitators."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        query = select(AuditEntry).where(AuditEntry.cycle_id == cycle_id)
        if subject is not None:
            query = query.where(AuditEntry.subject == subject)
        if subject_id is not None:
            query = query.where(AuditEntry.subject_id == subject_id)
        return _newest(session, query, limit)


def subject_history(engine: Engine, *, actor: Actor, cycle_id: int, subjects: Mapping[str, Iterable[int]],
                    limit: int = 500) -> list[AuditRow]:
    """The newest entries of a cycle about these subjects (a subject and its ids: one proposal and
    its recipients, say), for its facilitators. Chosen in the query: a busy cycle's other entries
    are neither read nor able to push these out of the limit."""
    wanted = [and_(AuditEntry.subject == subject, col(AuditEntry.subject_id).in_(chosen))
              for subject, ids in subjects.items() if (chosen := set(ids))]
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        if not wanted:
            return []
        return _newest(session, select(AuditEntry).where(AuditEntry.cycle_id == cycle_id, or_(*wanted)), limit)


def _newest(session: Session, query: SelectOfScalar[AuditEntry], limit: int) -> list[AuditRow]:
    rows = session.exec(query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)).all()
    return [AuditRow(as_utc(r.at), r.actor, r.action, r.subject, r.subject_id, dict(r.detail)) for r in rows]


# --- the log on screen -------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    subject_id: int | None
    where: str  # "De Vogelbuurt 2026-2027", or "" for an entry outside a school year (a login)
    detail: dict


def log_table(lines: Iterable[LogLine]) -> tuple[list[str], list[list[str]]]:
    """The log as Logboek shows it and its CSV holds it: a header in the reader's language and one
    row per entry, its time on the schools' clock and its details as JSON."""
    header = [t("audit.col.at"), t("audit.col.who"), t("audit.col.what"), t("audit.col.subject"),
              t("audit.col.where"), t("audit.col.detail")]
    rows = [[format_datetime(as_utc(line.at).astimezone(AMSTERDAM)), line.actor, line.action,
             f"{line.subject} {line.subject_id}" if line.subject_id is not None else line.subject,
             line.where, json.dumps(line.detail, ensure_ascii=False, sort_keys=True) if line.detail else ""]
            for line in lines]
    return header, rows


def log_csv(lines: Iterable[LogLine]) -> bytes:
    """log_table as a CSV whose text cells cannot run as spreadsheet formulas."""
    return csv_bytes(*log_table(lines))


@dataclass(frozen=True)
class LogFilter:
    neighbourhood_id: int | None = None
    who: str = ""  # part of the actor's name
    kind: str = ""  # the first part of an action: "poll", "proposal", "login", ...
    since: date | None = None  # Amsterdam calendar days, both ends included
    until: date | None = None


LOG_LIMIT = 2000  # the newest entries a screen or an export shows at once


def log_lines(engine: Engine, *, actor: Actor, where: LogFilter = LogFilter(), limit: int = LOG_LIMIT) -> list[LogLine]:
    """The newest entries an actor may read, filtered: an admin every entry; a facilitator those of
    their wijken's school years (not logins or accounts: those are the admin's)."""
    require_role(actor, Role.ADMIN, Role.FACILITATOR)
    with read_session(engine) as session:
        cycles = {cycle.id: cycle for cycle in session.exec(select(Cycle)).all()}
        wijken = dict(session.exec(select(Neighbourhood.id, Neighbourhood.name)).all())
        query = select(AuditEntry)
        if actor.role == Role.FACILITATOR:
            mine = [c.id for c in cycles.values() if c.neighbourhood_id in actor.neighbourhood_ids]
            query = query.where(col(AuditEntry.cycle_id).in_(mine or [-1]))
        if where.neighbourhood_id is not None:
            chosen = [c.id for c in cycles.values() if c.neighbourhood_id == where.neighbourhood_id]
            query = query.where(col(AuditEntry.cycle_id).in_(chosen or [-1]))
        if where.who:
            query = query.where(func.lower(AuditEntry.actor).contains(where.who.strip().lower(), autoescape=True))
        if where.kind:
            query = query.where(or_(AuditEntry.action == where.kind,
                                    col(AuditEntry.action).startswith(f"{where.kind}.", autoescape=True)))
        if where.since is not None:
            query = query.where(AuditEntry.at >= _start_of(where.since))
        if where.until is not None:
            query = query.where(AuditEntry.at < _start_of(where.until + timedelta(days=1)))
        rows = session.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit)).all()

        def place(cycle_id: int | None) -> str:
            cycle = cycles.get(cycle_id)
            return f"{wijken.get(cycle.neighbourhood_id, '')} {cycle.school_year}" if cycle else ""

        return [LogLine(r.id, as_utc(r.at), r.actor, r.action, r.subject, r.subject_id, place(r.cycle_id),
                        dict(r.detail)) for r in rows]


def log_kinds(engine: Engine, *, actor: Actor) -> list[str]:
    """The kinds of entries there are (the first part of each action), for the filter."""
    require_role(actor, Role.ADMIN, Role.FACILITATOR)
    with read_session(engine) as session:
        actions = session.exec(select(AuditEntry.action).distinct()).all()
    return sorted({action.split(".", 1)[0] for action in actions})


def verify_as(engine: Engine, *, actor: Actor) -> ChainCheck:
    """The chain check, for an admin (the chain spans every wijk)."""
    require_role(actor, Role.ADMIN)
    return verify(engine)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM).astimezone(UTC)
