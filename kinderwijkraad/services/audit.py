"""The audit log: every change to a proposal, a recipient's status or answer, a reply link, and
the council's records is written here in the same transaction as the change itself, so a change
without its entry (or an entry without its change) cannot exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session
from kinderwijkraad.models import AuditEntry
from kinderwijkraad.models.common import as_utc
from kinderwijkraad.services.common import Actor, managed_cycle


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    subject: str,
    subject_id: int,
    cycle_id: int | None,
    detail: dict | None = None,
    actor_label: str = "",
) -> None:
    """Append one entry. `actor` is None for someone without an account (a reply link): then
    `actor_label` says who it was. `detail` holds field names and statuses, never a child's data."""
    session.add(AuditEntry(
        user_id=actor.user_id if actor else None,
        actor=(actor.display_name if actor else actor_label)[:200],
        action=action, subject=subject, subject_id=subject_id, cycle_id=cycle_id,
        detail=detail or {},
    ))


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    subject: str
    subject_id: int
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
