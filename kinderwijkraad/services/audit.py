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

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.models import AuditEntry
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.models.proposals import audit_digest
from kinderwijkraad.services.common import Actor, managed_cycle

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
        rows = session.exec(query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)).all()
        return [AuditRow(as_utc(r.at), r.actor, r.action, r.subject, r.subject_id, dict(r.detail)) for r in rows]
