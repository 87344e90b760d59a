"""The access request for one child: `access_export` gathers what the app holds about one child of
one class for the school board; `exports/access.py` renders it as JSON and PDF. Votes are secret
and so not in it — the export says so. Admins and the wijk's facilitators only; every export is
audited (the class id, never the name).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.db import read_session
from kinderwijkraad.errors import NotAllowed, NotFound
from kinderwijkraad.exports.access import AccessExport, render_access_json, render_access_pdf
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import (
    Attendance,
    Candidate,
    Classroom,
    Consent,
    CouncilMember,
    CouncilRole,
    Cycle,
    Installation,
    LessonRun,
    Meeting,
    Neighbourhood,
    Phase,
    Plan,
    Poll,
    PollOption,
    Proposal,
    Role,
    School,
    WorkItem,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, managed_cycle
from kinderwijkraad.services.retention import cycle_scope, name_pattern, retention_days, text_rows


@dataclass(frozen=True)
class ClassChoice:
    id: int
    label: str  # "OBS De Regenboog — Groep 8 (De Vogelbuurt, 2025-2026)"


def access_classrooms(engine: Engine, *, actor: Actor) -> list[ClassChoice]:
    """The classes whose children an access request can be made for: those of the actor's wijken
    (every class for an admin), newest school year first."""
    if actor.role not in (Role.ADMIN, Role.FACILITATOR):
        raise NotAllowed("error.not_allowed")
    with read_session(engine) as session:
        rows = session.exec(
            select(Classroom, School.name, Cycle, Neighbourhood.name)
            .join(School, col(School.id) == Classroom.school_id)
            .join(Cycle, col(Cycle.id) == Classroom.cycle_id)
            .join(Neighbourhood, col(Neighbourhood.id) == Cycle.neighbourhood_id)
        ).all()
    rows = [r for r in rows if actor.manages(r[2].neighbourhood_id)]
    rows.sort(key=lambda r: (r[3].casefold(), r[1].casefold(), r[0].name.casefold()))
    rows.sort(key=lambda r: r[2].school_year, reverse=True)  # stable: newest year first, then by name
    return [ClassChoice(c.id, f"{school} — {c.name} ({wijk}, {cycle.school_year})") for c, school, cycle, wijk in rows]


def _same_name(a: str, b: str) -> bool:
    """The same first name, however typed (capitals, spaces, apostrophes, accents)."""
    pattern = name_pattern([b])
    return pattern is not None and pattern.fullmatch(" ".join(unicodedata.normalize("NFC", a).split())) is not None


def access_export(engine: Engine, *, actor: Actor, classroom_id: int, first_name: str,
                  purpose: str = "json") -> AccessExport:
    """Everything the app holds about the child with this first name in this class: the sign-up
    with its consent status, council membership and role, meetings attended, and the class, school,
    wijk and school year; where else the name appears in the cycle's texts; the class's plans
    (written by teams: not linked to a child). Votes are secret and never linked to a child, so
    they are not in it. Admins and the class's wijk's facilitators only; every export (and every
    refused or fruitless one) is audited with the class id, never the name. `purpose` ("json" or
    "pdf") goes into the audit entry."""
    refusal: Exception | None = None
    export: AccessExport | None = None
    with read_session(engine) as session:
        classroom = session.get(Classroom, classroom_id)
        if classroom is None:
            raise NotFound("error.not_found.classroom")
        try:
            cycle = managed_cycle(session, actor, classroom.cycle_id)
        except NotAllowed as error:
            refusal, outcome = error, "refused"
        else:
            matches = [c for c in session.exec(select(Candidate).where(Candidate.classroom_id == classroom.id))
                       if _same_name(c.first_name, first_name)]
            if cycle.child_data_removed_at is not None:
                removed_on = as_utc(cycle.child_data_removed_at).astimezone(AMSTERDAM).date()
                refusal, outcome = NotFound("privacy.access.removed", date=format_date(removed_on)), "removed"
            elif not matches:
                refusal = NotFound("privacy.access.not_found", name=" ".join(first_name.split()))
                outcome = "not_found"
            else:
                candidate = min(matches, key=lambda c: (c.first_name != first_name.strip(), c.id))
                export, outcome = _gather(session, actor, cycle, classroom, candidate), "exported"
    # Refused and fruitless look-ups are written down too: they are attempts to read child data.
    audit.record_now(engine, actor=actor, action="access_export", subject="classroom", subject_id=classroom.id,
                     cycle_id=classroom.cycle_id,
                     detail={"classroom_id": classroom.id, "format": purpose, "outcome": outcome})
    if refusal is not None:
        raise refusal
    return export


def access_export_json(engine: Engine, *, actor: Actor, classroom_id: int, first_name: str) -> bytes:
    """The access export (see `access_export`, audited as "json") as a JSON file."""
    return render_access_json(access_export(engine, actor=actor, classroom_id=classroom_id, first_name=first_name,
                                            purpose="json"))


def access_export_pdf(engine: Engine, *, actor: Actor, classroom_id: int, first_name: str) -> bytes:
    """The access export (see `access_export`, audited as "pdf") as a PDF letter."""
    return render_access_pdf(access_export(engine, actor=actor, classroom_id=classroom_id, first_name=first_name,
                                           purpose="pdf"))


def _gather(session: Session, actor: Actor, cycle: Cycle, classroom: Classroom, candidate: Candidate) -> AccessExport:
    school = session.get(School, classroom.school_id)
    wijk = session.get(Neighbourhood, cycle.neighbourhood_id)
    member = session.exec(select(CouncilMember).where(CouncilMember.candidate_id == candidate.id)).first()
    meetings = session.exec(select(Meeting).where(Meeting.cycle_id == cycle.id)
                            .order_by(Meeting.held_on, Meeting.id)).all()
    attended: tuple[date, ...] = ()
    if member is not None:
        present = set(session.exec(select(Attendance.meeting_id).where(Attendance.member_id == member.id)))
        attended = tuple(m.held_on for m in meetings if m.id in present)
    pattern = name_pattern([candidate.first_name])
    mentions = []
    for row, fields in text_rows(session, cycle.id, cycle_scope(session, cycle.id)):
        found = [name for name in fields
                 if pattern.search(unicodedata.normalize("NFC", _flat(getattr(row, name))))]
        if found and _in_class_or_cycle(session, row, classroom):
            mentions.append(_mention(session, row, found))
    plans = session.exec(select(Plan).join(LessonRun, col(LessonRun.id) == Plan.run_id)
                         .where(LessonRun.classroom_id == classroom.id).order_by(Plan.id)).all()
    titles = tuple(str(p.answers.get("title", "")).strip() for p in plans if str(p.answers.get("title", "")).strip())
    days = retention_days(session)
    closed_at = as_utc(cycle.phase_changed_at) if cycle.phase == Phase.CLOSED else None
    return AccessExport(
        first_name=candidate.first_name, school=school.name, class_name=classroom.name, grade=classroom.grade,
        wijk=wijk.name, municipality=wijk.municipality, school_year=cycle.school_year,
        phase=Phase(cycle.phase).value, signed_up_at=as_utc(candidate.created_at),
        consent=Consent(candidate.consent).value, consent_recorded_at=as_utc(candidate.consent_recorded_at),
        council_role=CouncilRole(member.role).value if member else None, council_active=bool(member and member.active),
        member_since=as_utc(member.created_at) if member else None, meetings_attended=attended,
        meetings_held=len(meetings), mentions=tuple(mentions), class_plans=titles, retention_days=days,
        closed_at=closed_at, removal_due=closed_at + timedelta(days=days) if closed_at else None,
        generated_at=utcnow(), generated_by=actor.display_name, reference=f"kind-{candidate.id}",
    )


def _flat(value: object) -> str:
    if isinstance(value, dict):
        return "\n".join(_flat(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_flat(v) for v in value)
    return value if isinstance(value, str) else ""


def _in_class_or_cycle(session: Session, row: object, classroom: Classroom) -> bool:
    """Plans count only when they are of the child's own class; the cycle's other texts always."""
    if isinstance(row, Plan):
        return session.get(LessonRun, row.run_id).classroom_id == classroom.id
    return True


def _mention(session: Session, row: object, fields: list[str]) -> str:
    """Where a name appears, in words: "Bijeenkomst van 3 december 2025 (verslag)"."""
    # A poll option or a plan is named whole: its columns (label, answers) have no field label.
    if isinstance(row, PollOption):
        return t("privacy.mention.poll_option", poll=session.get(Poll, row.poll_id).title)
    if isinstance(row, Plan):
        return t("privacy.mention.plan", title=str(row.answers.get("title", "")).strip() or "—")
    names = ", ".join(t(f"field.{name}") for name in fields)
    if isinstance(row, Meeting):
        return t("privacy.mention.meeting", date=format_date(row.held_on), fields=names)
    if isinstance(row, Installation):
        return t("privacy.mention.installation", fields=names)
    if isinstance(row, WorkItem):
        return t("privacy.mention.work_item", fields=names)
    if isinstance(row, Proposal):
        return t("privacy.mention.proposal", title=row.title, fields=names)
    proposal = session.get(Proposal, row.proposal_id)  # a Recipient: an organisation's answer
    return t("privacy.mention.answer", title=proposal.title, fields=names)
