"""The children's council of a cycle: the candidates whose parents gave consent
become its members; it is installed with a certificate for each member and a programme; it meets
(agenda, minutes, decisions, who was there); and it keeps a work list of its top-3 themes.

Admins and the wijk's facilitators only. Every change is written to the audit log in the same
transaction, with field names and statuses — never a child's name.

Races are decided by the database: consent locks its candidate row and the unique
`CouncilMember.candidate_id` has the last word (two clicks give one member); installation and
work-list writes lock their cycle row, attendance its meeting row, so two saves at once follow
each other instead of failing on a primary key or unique constraint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import InvalidInput, NotFound
from kinderwijkraad.exports.council import (
    Certificate,
    InstallationProgramme,
    ProgrammeItem,
    render_certificates_pdf,
    render_installation_programme_pdf,
)
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import (
    Attendance,
    Candidate,
    Classroom,
    Consent,
    CouncilMember,
    CouncilRole,
    Cycle,
    Decision,
    Installation,
    Meeting,
    Neighbourhood,
    Organisation,
    Partnership,
    Proposal,
    Recipient,
    RecipientStatus,
    School,
    Theme,
    WorkItem,
    WorkStatus,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, managed_cycle, validated
from kinderwijkraad.services.proposals import WAITING, today
from kinderwijkraad.services.support import cycle_support

ROLE_ORDER = (CouncilRole.CHAIR, CouncilRole.SECRETARY, CouncilRole.MEMBER)


def council_name(neighbourhood_name: str) -> str:
    """What the council of a wijk is called on screens and paper: "Kinderwijkraad Vogelbuurt"."""
    return t("council.name", wijk=neighbourhood_name)


def role_label(role: CouncilRole) -> str:
    return t(f"council_role.{CouncilRole(role).value}")


def date_text(day: date | None) -> str:
    """A date as written on a certificate: "12 maart 2027"; empty without a date."""
    return format_date(day) if day is not None else ""


# --- input ---------------------------------------------------------------------------------


class InstallationInput(BaseModel):
    alderman_name: str = Field(default="", max_length=120)
    alderman_title: str = Field(default="", max_length=120)
    installed_on: date | None = None
    venue: str = Field(default="", max_length=200)
    programme: str = Field(default="", max_length=4000)


class MeetingInput(BaseModel):
    held_on: date
    agenda: str = Field(default="", max_length=4000)
    minutes: str = Field(default="", max_length=10000)
    decisions: str = Field(default="", max_length=4000)


class WorkItemInput(BaseModel):
    organisation_id: int | None = None
    next_action: str = Field(default="", max_length=300)
    status: WorkStatus = WorkStatus.TODO


# --- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRow:
    """A signed-up child with the consent status of their paper slip and, once consent was given,
    their place in the council."""

    candidate_id: int
    first_name: str
    school: str
    class_label: str
    consent: Consent
    consent_recorded_at: datetime | None
    member_id: int | None
    role: CouncilRole | None
    active: bool  # a member now


@dataclass(frozen=True)
class MemberRow:
    id: int
    candidate_id: int
    first_name: str
    school: str
    class_label: str
    role: CouncilRole
    active: bool

    @property
    def label(self) -> str:
        """ "Sanne (voorzitter), Groep 8, De Vlinder": unique enough for a list of the council."""
        return t("council.member_label", name=self.first_name, role=role_label(self.role),
                 class_label=self.class_label, school=self.school)

    @property
    def attendee_label(self) -> str:
        """ "Sanne, Groep 8, De Vlinder": the label of an attendance list, without the role, so it
        stays the same when the role changes (a list widget knows its choices by their labels)."""
        return t("council.attendee_label", name=self.first_name, class_label=self.class_label, school=self.school)


@dataclass(frozen=True)
class CouncilView:
    cycle_id: int
    council_name: str
    school_year: str
    candidates: tuple[CandidateRow, ...]  # by school, class and name
    members: tuple[MemberRow, ...]  # by role, school, class and name; inactive ones too

    @property
    def active_members(self) -> tuple[MemberRow, ...]:
        return tuple(member for member in self.members if member.active)


@dataclass(frozen=True)
class InstallationView:
    cycle_id: int
    council_name: str
    school_year: str
    alderman_name: str
    alderman_title: str
    installed_on: date | None
    venue: str
    programme: str
    saved: bool  # False: nothing saved yet, these are the empty defaults


@dataclass(frozen=True)
class MeetingRow:
    id: int
    held_on: date
    agenda: str
    minutes: str
    decisions: str
    present_member_ids: frozenset[int]
    updated_at: datetime

    @property
    def attendance(self) -> int:
        return len(self.present_member_ids)


@dataclass(frozen=True)
class Partner:
    organisation_id: int
    name: str


@dataclass(frozen=True)
class WorkRow:
    """One theme of the work list: its place in the vote, and the council's next step on it."""

    theme_id: int
    theme: str
    place: int | None  # None: no longer in the deciding vote's results
    score: int | None
    in_top: bool
    item_id: int | None  # None: nothing saved for this theme yet
    organisation_id: int | None
    organisation: str
    next_action: str
    status: WorkStatus
    updated_at: datetime | None
    # Where the theme's proposals stand, one line per partner they went to ("Gemeente: verstuurd,
    # 60 dagen geen antwoord"); with any, partner, status and next step above come from them.
    proposals: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkList:
    cycle_id: int
    poll_title: str | None  # None: no closed vote on themes yet
    rows: tuple[WorkRow, ...]  # the top-3 first, by place; then older items whose theme left the top
    partners: tuple[Partner, ...]


# --- scope ---------------------------------------------------------------------------------


def _member(session: Session, actor: Actor, member_id: int) -> CouncilMember:
    member = session.get(CouncilMember, member_id)
    if member is None:
        raise NotFound("council.member_not_found")
    managed_cycle(session, actor, member.cycle_id)
    return member


def _meeting(session: Session, actor: Actor, meeting_id: int, *, lock: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    if lock:
        query = query.with_for_update()
    meeting = session.exec(query).first()
    if meeting is None:
        raise NotFound("council.meeting_not_found")
    managed_cycle(session, actor, meeting.cycle_id)
    return meeting


def _name_of(session: Session, cycle: Cycle) -> str:
    return council_name(session.get(Neighbourhood, cycle.neighbourhood_id).name)


# --- candidates, consent and members ---------------------------------------------------------


def _candidate_rows(session: Session, cycle_id: int) -> list[tuple[Candidate, str, str, CouncilMember | None]]:
    rows = session.exec(
        select(Candidate, Classroom.name, School.name, CouncilMember)
        .join(Classroom, col(Classroom.id) == Candidate.classroom_id)
        .join(School, col(School.id) == Classroom.school_id)
        .outerjoin(CouncilMember, col(CouncilMember.candidate_id) == Candidate.id)
        .where(Classroom.cycle_id == cycle_id)
    ).all()
    return sorted(rows, key=lambda r: (r[2].casefold(), r[1].casefold(), r[0].first_name.casefold(), r[0].id))


def council_of_cycle(engine: Engine, *, actor: Actor, cycle_id: int) -> CouncilView:
    """Everyone who signed up in the cycle's classes with their consent status, and the council's
    members (active and not)."""
    with read_session(engine) as session:
        cycle = managed_cycle(session, actor, cycle_id)
        rows = _candidate_rows(session, cycle_id)
        name = _name_of(session, cycle)
    candidates = tuple(
        CandidateRow(candidate.id, candidate.first_name, school, class_label, Consent(candidate.consent),
                     as_utc(candidate.consent_recorded_at), member.id if member else None,
                     CouncilRole(member.role) if member else None, bool(member and member.active))
        for candidate, class_label, school, member in rows
    )
    members = tuple(sorted(
        (MemberRow(member.id, candidate.id, candidate.first_name, school, class_label, CouncilRole(member.role),
                   member.active)
         for candidate, class_label, school, member in rows if member is not None),
        key=lambda m: (ROLE_ORDER.index(m.role), m.school.casefold(), m.class_label.casefold(),
                       m.first_name.casefold(), m.id),
    ))
    return CouncilView(cycle.id, name, cycle.school_year, candidates, members)


def record_consent(engine: Engine, *, actor: Actor, candidate_id: int, consent: Consent | str) -> int | None:
    """Write down what the paper slip says. "Given" makes the child a member (role lid, active) in
    the same transaction, or makes a former member active again; "refused" or back to "pending"
    makes a member inactive (nothing is deleted: meetings keep who was there). Recording the same
    status twice changes nothing and writes no audit entry. Returns the member's id, if any."""
    try:
        consent = Consent(consent)
    except ValueError:
        raise InvalidInput("validation.invalid", field="consent") from None
    with write_session(engine) as session:
        # The candidate row is locked first, so two facilitators (or two clicks) follow each other.
        candidate = session.exec(select(Candidate).where(Candidate.id == candidate_id).with_for_update()).first()
        if candidate is None:
            raise NotFound("council.candidate_not_found")
        classroom = session.get(Classroom, candidate.classroom_id)
        cycle = managed_cycle(session, actor, classroom.cycle_id)
        member = session.exec(select(CouncilMember).where(CouncilMember.candidate_id == candidate.id)).first()
        previous = Consent(candidate.consent)
        if previous != consent:
            candidate.consent = consent
            candidate.consent_recorded_at = None if consent == Consent.PENDING else utcnow()
            audit.record(session, actor=actor, action="consent_recorded", subject="candidate",
                         subject_id=candidate.id, cycle_id=cycle.id,
                         detail={"consent": consent.value, "previous": previous.value})
        if consent == Consent.GIVEN:
            if member is None:
                member = _new_member(session, cycle.id, candidate.id)
                if member is not None:
                    audit.record(session, actor=actor, action="member_added", subject="council_member",
                                 subject_id=member.id, cycle_id=cycle.id,
                                 detail={"role": member.role.value, "active": True})
                else:  # another transaction made the member first; it stands
                    member = session.exec(
                        select(CouncilMember).where(CouncilMember.candidate_id == candidate.id)).one()
            elif not member.active:
                member.active = True
                audit.record(session, actor=actor, action="member_activated", subject="council_member",
                             subject_id=member.id, cycle_id=cycle.id, detail={"active": True, "reason": "consent"})
        elif member is not None and member.active:
            member.active = False
            audit.record(session, actor=actor, action="member_deactivated", subject="council_member",
                         subject_id=member.id, cycle_id=cycle.id,
                         detail={"active": False, "reason": f"consent_{consent.value}"})
        session.flush()
        return member.id if member is not None else None


def _new_member(session: Session, cycle_id: int, candidate_id: int) -> CouncilMember | None:
    """Insert the member; None when the unique candidate_id says it already exists."""
    member = CouncilMember(cycle_id=cycle_id, candidate_id=candidate_id, role=CouncilRole.MEMBER, active=True)
    try:
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError:
        return None
    return member


def _parse_role(role: CouncilRole | str) -> CouncilRole:
    try:
        return CouncilRole(role)
    except ValueError:
        raise InvalidInput("validation.invalid", field="role") from None


def _change_role(session: Session, actor: Actor, member: CouncilMember, role: CouncilRole) -> None:
    previous = CouncilRole(member.role)
    if previous == role:
        return
    member.role = role
    audit.record(session, actor=actor, action="role_changed", subject="council_member", subject_id=member.id,
                 cycle_id=member.cycle_id, detail={"role": role.value, "previous": previous.value})


def _change_active(session: Session, actor: Actor, member: CouncilMember, active: bool) -> None:
    if member.active == bool(active):
        return
    if active and session.get(Candidate, member.candidate_id).consent != Consent.GIVEN:
        raise InvalidInput("council.no_consent")
    member.active = bool(active)
    audit.record(session, actor=actor, action="member_activated" if active else "member_deactivated",
                 subject="council_member", subject_id=member.id, cycle_id=member.cycle_id,
                 detail={"active": bool(active)})


def set_member_role(engine: Engine, *, actor: Actor, member_id: int, role: CouncilRole | str) -> None:
    """Make a member voorzitter, notulist or lid (a council may have two of each)."""
    role = _parse_role(role)
    with write_session(engine) as session:
        _change_role(session, actor, _member(session, actor, member_id), role)


def set_member_active(engine: Engine, *, actor: Actor, member_id: int, active: bool) -> None:
    """A member stops (moved away, lost interest) or comes back. Coming back needs the parents'
    consent on record; InvalidInput otherwise."""
    with write_session(engine) as session:
        _change_active(session, actor, _member(session, actor, member_id), active)


def update_member(engine: Engine, *, actor: Actor, member_id: int, role: CouncilRole | str, active: bool) -> None:
    """A member's role and whether they are active, saved together or not at all (InvalidInput
    for a return without consent leaves the role as it was)."""
    role = _parse_role(role)
    with write_session(engine) as session:
        member = _member(session, actor, member_id)
        _change_role(session, actor, member, role)
        _change_active(session, actor, member, active)


# --- installation --------------------------------------------------------------------------


def installation(engine: Engine, *, actor: Actor, cycle_id: int) -> InstallationView:
    """How the council is installed; empty defaults before anything was saved."""
    with read_session(engine) as session:
        cycle = managed_cycle(session, actor, cycle_id)
        row = session.get(Installation, cycle_id)
        name = _name_of(session, cycle)
    stored = row or Installation(cycle_id=cycle_id)
    return InstallationView(cycle.id, name, cycle.school_year, stored.alderman_name, stored.alderman_title,
                            stored.installed_on, stored.venue, stored.programme, row is not None)


def save_installation(
    engine: Engine, *, actor: Actor, cycle_id: int, alderman_name: str = "", alderman_title: str = "",
    installed_on: date | None = None, venue: str = "", programme: str = "",
) -> InstallationView:
    """Save who signs the certificates, when and where, and the programme (one item per line,
    "14:00 Welkom")."""
    data = validated(InstallationInput, alderman_name=alderman_name, alderman_title=alderman_title,
                     installed_on=installed_on, venue=venue, programme=programme)
    with write_session(engine) as session:
        managed_cycle(session, actor, cycle_id, lock=True)
        row = session.get(Installation, cycle_id)
        if row is None:
            row = Installation(cycle_id=cycle_id)
            session.add(row)
        changed = [name for name, value in data.model_dump().items() if getattr(row, name) != value]
        row.sqlmodel_update(data.model_dump())
        row.updated_at = utcnow()
        audit.record(session, actor=actor, action="installation_saved", subject="installation",
                     subject_id=cycle_id, cycle_id=cycle_id, detail={"fields": changed})
    return installation(engine, actor=actor, cycle_id=cycle_id)


_PROGRAMME_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s*(?:uur|u)\b\.?)?\s*(?:[-–—:|]\s*)?(.*)$", re.IGNORECASE)


def parse_programme(text: str) -> list[ProgrammeItem]:
    """One item per non-empty line. A line starting with a time ("14:00", "9.30", "14.15 uur -")
    gives that time (as "14:00", "09:30") and the rest as the text; any other line has no time."""
    items = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        found = _PROGRAMME_TIME.match(line)
        if found and int(found.group(1)) < 24 and int(found.group(2)) < 60:
            items.append(ProgrammeItem(f"{int(found.group(1)):02d}:{found.group(2)}", found.group(3).strip()))
        else:
            items.append(ProgrammeItem("", line))
    return items


def certificates(engine: Engine, *, actor: Actor, cycle_id: int) -> list[Certificate]:
    """A certificate of participation for each active member, chair first. InvalidInput when the
    council has no active member yet."""
    council = council_of_cycle(engine, actor=actor, cycle_id=cycle_id)
    if not council.active_members:
        raise InvalidInput("council.no_active_members")
    setup = installation(engine, actor=actor, cycle_id=cycle_id)
    return [
        Certificate(first_name=m.first_name, class_label=m.class_label, school=m.school, role_label=role_label(m.role),
                    council_name=council.council_name, school_year=council.school_year,
                    date_text=date_text(setup.installed_on), alderman_name=setup.alderman_name,
                    alderman_title=setup.alderman_title)
        for m in council.active_members
    ]


def installation_programme(engine: Engine, *, actor: Actor, cycle_id: int) -> InstallationProgramme:
    """The printed programme of the installation with the active members. InvalidInput while the
    programme is still empty."""
    setup = installation(engine, actor=actor, cycle_id=cycle_id)
    items = parse_programme(setup.programme)
    if not items:
        raise InvalidInput("council.no_programme")
    council = council_of_cycle(engine, actor=actor, cycle_id=cycle_id)
    return InstallationProgramme(
        council_name=setup.council_name, school_year=setup.school_year, date_text=date_text(setup.installed_on),
        venue=setup.venue, alderman_name=setup.alderman_name, alderman_title=setup.alderman_title, items=items,
        members=[m.label for m in council.active_members],
    )


def certificates_pdf(engine: Engine, *, actor: Actor, cycle_id: int) -> bytes:
    """The certificates (see `certificates`) as one PDF, a page per member."""
    return render_certificates_pdf(certificates(engine, actor=actor, cycle_id=cycle_id))


def installation_programme_pdf(engine: Engine, *, actor: Actor, cycle_id: int) -> bytes:
    """The installation programme (see `installation_programme`) as PDF."""
    return render_installation_programme_pdf(installation_programme(engine, actor=actor, cycle_id=cycle_id))


# --- meetings ------------------------------------------------------------------------------


def meetings(engine: Engine, *, actor: Actor, cycle_id: int) -> list[MeetingRow]:
    """The council's meetings, newest first, with who was there."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        rows = session.exec(select(Meeting).where(Meeting.cycle_id == cycle_id)
                            .order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())).all()
        present: dict[int, set[int]] = {}
        for meeting_id, member_id in session.exec(
                select(Attendance.meeting_id, Attendance.member_id)
                .where(col(Attendance.meeting_id).in_([row.id for row in rows] or [-1]))):
            present.setdefault(meeting_id, set()).add(member_id)
    return [MeetingRow(row.id, row.held_on, row.agenda, row.minutes, row.decisions,
                       frozenset(present.get(row.id, ())), as_utc(row.updated_at)) for row in rows]


def create_meeting(
    engine: Engine, *, actor: Actor, cycle_id: int, held_on: date | None, agenda: str = "", minutes: str = "",
    decisions: str = "", member_ids: Iterable[int] = (),
) -> int:
    """A new meeting of the council, with who was there (members of this council only); its id."""
    data = validated(MeetingInput, held_on=held_on, agenda=agenda, minutes=minutes, decisions=decisions)
    with write_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        meeting = Meeting(cycle_id=cycle_id, **data.model_dump())
        session.add(meeting)
        session.flush()
        audit.record(session, actor=actor, action="meeting_created", subject="meeting", subject_id=meeting.id,
                     cycle_id=cycle_id, detail={"held_on": data.held_on.isoformat()})
        _replace_attendance(session, actor, meeting, member_ids)
        return meeting.id


def update_meeting(
    engine: Engine, *, actor: Actor, meeting_id: int, held_on: date | None, agenda: str = "", minutes: str = "",
    decisions: str = "", member_ids: Iterable[int] | None = None,
) -> None:
    """Change a meeting's date, agenda, minutes or decisions, and (given `member_ids`) who was
    there, in one transaction."""
    data = validated(MeetingInput, held_on=held_on, agenda=agenda, minutes=minutes, decisions=decisions)
    with write_session(engine) as session:
        meeting = _meeting(session, actor, meeting_id, lock=True)
        changed = [name for name, value in data.model_dump().items() if getattr(meeting, name) != value]
        if changed:
            meeting.sqlmodel_update(data.model_dump())
            meeting.updated_at = utcnow()
            audit.record(session, actor=actor, action="meeting_updated", subject="meeting", subject_id=meeting.id,
                         cycle_id=meeting.cycle_id, detail={"fields": changed})
        if member_ids is not None:
            _replace_attendance(session, actor, meeting, member_ids)


def set_attendance(engine: Engine, *, actor: Actor, meeting_id: int, member_ids: Iterable[int]) -> None:
    """Who was at a meeting: the whole list, replaced at once. InvalidInput when an id is not a
    member of the meeting's council."""
    with write_session(engine) as session:
        meeting = _meeting(session, actor, meeting_id, lock=True)  # two saves at once follow each other
        _replace_attendance(session, actor, meeting, member_ids)


def _replace_attendance(session: Session, actor: Actor, meeting: Meeting, member_ids: Iterable[int]) -> None:
    wanted = {int(member_id) for member_id in member_ids}
    known = set(session.exec(select(CouncilMember.id).where(
        CouncilMember.cycle_id == meeting.cycle_id, col(CouncilMember.id).in_(wanted or {-1}))).all())
    if wanted - known:
        raise InvalidInput("council.attendance_not_member", field="member_ids")
    before = set(session.exec(select(Attendance.member_id).where(Attendance.meeting_id == meeting.id)).all())
    if before == wanted:
        return
    session.exec(delete(Attendance).where(col(Attendance.meeting_id) == meeting.id))
    session.add_all(Attendance(meeting_id=meeting.id, member_id=member_id) for member_id in sorted(wanted))
    audit.record(session, actor=actor, action="attendance_set", subject="meeting", subject_id=meeting.id,
                 cycle_id=meeting.cycle_id,
                 detail={"present": len(wanted), "added": sorted(wanted - before), "removed": sorted(before - wanted)})
    meeting.updated_at = utcnow()


def delete_meeting(engine: Engine, *, actor: Actor, meeting_id: int) -> None:
    """Remove a meeting entered by mistake, with its attendance list."""
    with write_session(engine) as session:
        meeting = _meeting(session, actor, meeting_id, lock=True)
        session.exec(delete(Attendance).where(col(Attendance.meeting_id) == meeting.id))
        audit.record(session, actor=actor, action="meeting_deleted", subject="meeting", subject_id=meeting.id,
                     cycle_id=meeting.cycle_id, detail={"held_on": meeting.held_on.isoformat()})
        session.delete(meeting)


# --- the work list -------------------------------------------------------------------------


def _partners(session: Session, cycle_id: int) -> tuple[Partner, ...]:
    return tuple(Partner(organisation_id, name) for organisation_id, name in session.exec(
        select(Organisation.id, Organisation.name)
        .join(Partnership, col(Partnership.organisation_id) == Organisation.id)
        .where(Partnership.cycle_id == cycle_id).order_by(Organisation.name)))


def work_list(engine: Engine, *, actor: Actor, cycle_id: int) -> WorkList:
    """One row per top-3 theme of the cycle's deciding vote (ties share a place, so there can be
    more than three), with what was saved for it; then saved items of themes no longer in the top
    (after a runoff), so nothing written disappears. Only reads: a row is stored on its first save."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        support = cycle_support(session, cycle_id)
        items = {item.theme_id: item for item in session.exec(select(WorkItem).where(WorkItem.cycle_id == cycle_id))}
        partners = _partners(session, cycle_id)
        organisations = dict(session.exec(select(Organisation.id, Organisation.name).where(
            col(Organisation.id).in_({i.organisation_id for i in items.values() if i.organisation_id} or {-1}))).all())
        theme_names = _theme_names(session, set(items))

        sent = _sent_proposals(session, cycle_id)

    def row(theme_id: int, theme: str, place: int | None, score: int | None, in_top: bool) -> WorkRow:
        item = items.get(theme_id)
        if item is None:
            saved = WorkRow(theme_id, theme, place, score, in_top, None, None, "", "", WorkStatus.TODO, None)
        else:
            saved = WorkRow(theme_id, theme, place, score, in_top, item.id, item.organisation_id,
                            organisations.get(item.organisation_id, ""), item.next_action, WorkStatus(item.status),
                            as_utc(item.updated_at))
        return _with_proposals(saved, sent.get(theme_id, []))

    top = support.top if support else ()
    rows = [row(s.theme_id, s.label, s.place, s.score, True) for s in top]
    shown = {s.theme_id for s in top}
    for theme_id in sorted(set(items) - shown, key=lambda i: theme_names.get(i, "").casefold()):
        placed = support.of_theme(theme_id) if support else None
        rows.append(row(theme_id, placed.label if placed else theme_names.get(theme_id, ""),
                        placed.place if placed else None, placed.score if placed else None, False))
    return WorkList(cycle_id, support.poll_title if support else None, tuple(rows), partners)


def _sent_proposals(session: Session, cycle_id: int) -> dict[int, list[tuple[str, Recipient, str]]]:
    """Per theme of the cycle: (proposal title, recipient, organisation) of every proposal that has
    gone out (concepts have not), oldest proposal first."""
    rows = session.exec(select(Proposal.theme_id, Proposal.title, Recipient, Organisation.name)
                        .join(Recipient, col(Recipient.proposal_id) == Proposal.id)
                        .join(Organisation, col(Organisation.id) == Recipient.organisation_id)
                        .where(Proposal.cycle_id == cycle_id, col(Proposal.theme_id).is_not(None),
                               Recipient.status != RecipientStatus.CONCEPT)
                        .order_by(Proposal.id, Organisation.name)).all()
    found: dict[int, list[tuple[str, Recipient, str]]] = {}
    for theme_id, title, recipient, organisation in rows:
        found.setdefault(theme_id, []).append((title, recipient, organisation))
    return found


def _proposal_line(title: str, recipient: Recipient, organisation: str) -> str:
    status = RecipientStatus(recipient.status)
    if status in WAITING and recipient.sent_at is not None:
        days = (today() - as_utc(recipient.sent_at).astimezone(AMSTERDAM).date()).days
        where = t("council.work.waiting", count=days)
    else:
        where = t(f"recipient_status.{status.value}")
    return t("council.work.proposal_line", title=title, organisation=organisation, where=where)


def _with_proposals(row: WorkRow, sent: list[tuple[str, Recipient, str]]) -> WorkRow:
    """A theme whose proposal went out is being worked on, with the partners it went to; done when
    every partner carried it out or said no. The next step stays what the council typed (the
    proposal lines say where each partner stands), so nothing derived is saved as if typed."""
    if not sent:
        return row
    # Settled: carried out, or answered with a no (nothing more will come of it).
    settled = [RecipientStatus(r.status) == RecipientStatus.DONE
               or (RecipientStatus(r.status) == RecipientStatus.ANSWERED and r.decision == Decision.REJECTED)
               for _, r, _ in sent]
    status = WorkStatus.DONE if all(settled) else WorkStatus.DOING
    partners = ", ".join(dict.fromkeys(organisation for _, _, organisation in sent))
    first_partner = sent[0][1].organisation_id
    return WorkRow(row.theme_id, row.theme, row.place, row.score, row.in_top, row.item_id,
                   row.organisation_id or first_partner, row.organisation or partners, row.next_action, status,
                   row.updated_at,
                   tuple(_proposal_line(*line) for line in sent))


def _theme_names(session: Session, theme_ids: set[int]) -> dict[int, str]:
    return dict(session.exec(select(Theme.id, Theme.name).where(col(Theme.id).in_(theme_ids or {-1}))).all())


def update_work_item(
    engine: Engine, *, actor: Actor, cycle_id: int, theme_id: int, organisation_id: int | None,
    next_action: str, status: WorkStatus | str,
) -> int:
    """Save the partner, next action and status of a theme on the work list; its item id. The
    theme must be in the top-3 of the cycle's vote (or already on the list); the organisation must
    be a partner of the cycle."""
    data = validated(WorkItemInput, organisation_id=organisation_id, next_action=next_action, status=status)
    with write_session(engine) as session:
        # The cycle row is locked, so two first saves of one theme follow each other instead of
        # both inserting; the unique (cycle_id, theme_id) still has the last word.
        managed_cycle(session, actor, cycle_id, lock=True)
        if data.organisation_id is not None and session.exec(select(func.count()).select_from(Partnership).where(
                Partnership.cycle_id == cycle_id, Partnership.organisation_id == data.organisation_id)).one() == 0:
            raise InvalidInput("council.not_a_partner", field="organisation_id")
        item = session.exec(select(WorkItem).where(WorkItem.cycle_id == cycle_id,
                                                   WorkItem.theme_id == theme_id)).first()
        created = item is None
        if created:
            support = cycle_support(session, cycle_id)
            if support is None or theme_id not in {row.theme_id for row in support.top}:
                raise InvalidInput("council.theme_not_in_top")
            item = WorkItem(cycle_id=cycle_id, theme_id=theme_id)
            session.add(item)
        changed = [name for name, value in data.model_dump().items() if getattr(item, name) != value]
        if not created and not changed:
            return item.id
        item.sqlmodel_update(data.model_dump())
        item.updated_at = utcnow()
        session.flush()
        audit.record(session, actor=actor, action="work_item_saved", subject="work_item", subject_id=item.id,
                     cycle_id=cycle_id, detail={"theme_id": theme_id, "fields": changed, "status": data.status.value,
                                                "created": created})
        return item.id
