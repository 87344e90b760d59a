"""The setup around a children's council — wijken, cycles, schools, classes and partners: create,
edit, list and archive (the council itself, its members and meetings, is `services/council.py`).

Admins reach every wijk; a facilitator only the wijken assigned to them. Teachers and officials
read through the home overview, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select, update

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import (
    Classroom,
    ClassroomCreate,
    ClassroomTeacher,
    Contact,
    ContactCreate,
    Cycle,
    CycleCreate,
    FacilitatorNeighbourhood,
    Neighbourhood,
    NeighbourhoodCreate,
    Organisation,
    OrganisationCreate,
    Partnership,
    PartnershipCreate,
    Phase,
    Proposal,
    Recipient,
    Role,
    School,
    SchoolCreate,
    User,
)
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, refused_as, require_role, validated

STAFF_WHO_MANAGE = (Role.ADMIN, Role.FACILITATOR)


# --- read models ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassroomRow:
    id: int
    name: str
    grade: int
    pupil_count: int
    school_id: int
    school_name: str
    cycle_id: int
    teacher_ids: tuple[int, ...]
    teacher_names: tuple[str, ...]


@dataclass(frozen=True)
class PartnerRow:
    id: int
    cycle_id: int
    organisation_id: int
    organisation_name: str
    organisation_kind: str
    listener: str
    reply_by_days: int
    budget_eur: int | None


@dataclass(frozen=True)
class NeighbourhoodOverview:
    """Everything the Wijken page shows for one wijk."""

    neighbourhood: Neighbourhood
    cycles: list[Cycle]
    schools: list[School]
    classrooms: list[ClassroomRow]
    partners: list[PartnerRow]
    teachers: list[User]
    organisations: list[Organisation]


# --- scope helpers -------------------------------------------------------------------------

def _neighbourhood(session: Session, actor: Actor, neighbourhood_id: int) -> Neighbourhood:
    require_role(actor, *STAFF_WHO_MANAGE)
    neighbourhood = session.get(Neighbourhood, neighbourhood_id)
    if neighbourhood is None:
        raise NotFound("error.not_found.neighbourhood")
    if not actor.manages(neighbourhood.id):
        raise NotAllowed("error.not_allowed")
    return neighbourhood


def _cycle(session: Session, actor: Actor, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("error.not_found.cycle")
    _neighbourhood(session, actor, cycle.neighbourhood_id)
    return cycle


def _school(session: Session, actor: Actor, school_id: int) -> School:
    school = session.get(School, school_id)
    if school is None:
        raise NotFound("error.not_found.school")
    _neighbourhood(session, actor, school.neighbourhood_id)
    return school


def _classroom(session: Session, actor: Actor, classroom_id: int) -> Classroom:
    classroom = session.get(Classroom, classroom_id)
    if classroom is None:
        raise NotFound("error.not_found.classroom")
    _cycle(session, actor, classroom.cycle_id)
    return classroom


def _organisation(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    require_role(actor, *STAFF_WHO_MANAGE)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.archived_at is not None:
        raise NotFound("error.not_found.organisation")
    return organisation


def _not_archived(archived_at: object, key: str) -> None:
    if archived_at is not None:
        raise NotFound(key)


# --- wijken --------------------------------------------------------------------------------

def list_neighbourhoods(
    engine: Engine, *, actor: Actor, include_archived: bool = False
) -> list[Neighbourhood]:
    """The wijken the actor manages, by name; NotAllowed for teachers and officials."""
    require_role(actor, *STAFF_WHO_MANAGE)
    query = select(Neighbourhood).order_by(Neighbourhood.municipality, Neighbourhood.name)
    if actor.role != Role.ADMIN:
        query = query.where(col(Neighbourhood.id).in_(actor.neighbourhood_ids))
    if not include_archived:
        query = query.where(col(Neighbourhood.archived_at).is_(None))
    with read_session(engine) as session:
        return list(session.exec(query))


def create_neighbourhood(engine: Engine, *, actor: Actor, name: str, municipality: str) -> Neighbourhood:
    """A new wijk; a facilitator who creates one manages it. Conflict on a duplicate name."""
    require_role(actor, *STAFF_WHO_MANAGE)
    data = validated(NeighbourhoodCreate, name=name, municipality=municipality)
    with write_session(engine) as session:
        neighbourhood = Neighbourhood.model_validate(data)
        session.add(neighbourhood)
        with refused_as("error.duplicate.neighbourhood", name=data.name):
            session.flush()
        if actor.role == Role.FACILITATOR:
            session.add(FacilitatorNeighbourhood(user_id=actor.user_id, neighbourhood_id=neighbourhood.id))
        return neighbourhood


def update_neighbourhood(
    engine: Engine, *, actor: Actor, neighbourhood_id: int, name: str, municipality: str
) -> Neighbourhood:
    """Rename a wijk or correct its municipality. Conflict on a duplicate name."""
    data = validated(NeighbourhoodCreate, name=name, municipality=municipality)
    with write_session(engine) as session:
        neighbourhood = _neighbourhood(session, actor, neighbourhood_id)
        neighbourhood.sqlmodel_update(data.model_dump())
        with refused_as("error.duplicate.neighbourhood", name=data.name):
            session.flush()
        return neighbourhood


class ReminderInput(BaseModel):
    """A wijk's reminders to partners that have not answered (the bounds of Neighbourhood's fields)."""

    reminder_days_before: int = Field(ge=0, le=60)
    reminders_after: int = Field(ge=0, le=10)


def set_reminders(engine: Engine, *, actor: Actor, neighbourhood_id: int, days_before: int, after: int) -> None:
    """How the wijk reminds a partner by e-mail (services/mail.py): `days_before` the reply-by date
    (0: not before), on the day, then weekly `after` times. Its facilitators and admins; logged."""
    data = validated(ReminderInput, reminder_days_before=days_before, reminders_after=after)
    with write_session(engine) as session:
        neighbourhood = _neighbourhood(session, actor, neighbourhood_id)
        _not_archived(neighbourhood.archived_at, "error.not_found.neighbourhood")
        previous = [neighbourhood.reminder_days_before, neighbourhood.reminders_after]
        neighbourhood.sqlmodel_update(data.model_dump())
        audit.record(session, actor=actor, action="neighbourhood.reminders", subject="neighbourhood",
                     subject_id=neighbourhood_id, cycle_id=None, detail={**data.model_dump(), "previous": previous})


def archive_neighbourhood(engine: Engine, *, actor: Actor, neighbourhood_id: int) -> None:
    """Hide a wijk from lists; its history stays. Only admins archive wijken."""
    require_role(actor, Role.ADMIN)
    with write_session(engine) as session:
        neighbourhood = _neighbourhood(session, actor, neighbourhood_id)
        neighbourhood.archived_at = neighbourhood.archived_at or utcnow()


def _teachers_for(session: Session, actor: Actor, neighbourhood_id: int) -> list[User]:
    """The teachers a class of this wijk can be given: for an admin every active teacher; for a
    facilitator those who teach in this wijk or in no class yet (new at a school). A teacher of
    another wijk's classes is not theirs to see."""
    query = select(User).where(User.role == Role.TEACHER, col(User.active).is_(True)).order_by(User.display_name)
    if actor.role != Role.ADMIN:
        teaching = (select(ClassroomTeacher.user_id).join(Classroom, col(Classroom.id) == ClassroomTeacher.classroom_id)
                    .join(Cycle, col(Cycle.id) == Classroom.cycle_id))
        here = teaching.where(Cycle.neighbourhood_id == neighbourhood_id)
        query = query.where(or_(col(User.id).in_(here), col(User.id).not_in(teaching)))
    return list(session.exec(query))


def neighbourhood_overview(engine: Engine, *, actor: Actor, neighbourhood_id: int) -> NeighbourhoodOverview:
    """A wijk with its current cycles, schools, classes and partners, for one screen."""
    with read_session(engine) as session:
        neighbourhood = _neighbourhood(session, actor, neighbourhood_id)
        _not_archived(neighbourhood.archived_at, "error.not_found.neighbourhood")
        cycles = list(session.exec(
            select(Cycle)
            .where(Cycle.neighbourhood_id == neighbourhood_id, col(Cycle.archived_at).is_(None))
            .order_by(col(Cycle.school_year).desc())
        ))
        schools = list(session.exec(
            select(School)
            .where(School.neighbourhood_id == neighbourhood_id, col(School.archived_at).is_(None))
            .order_by(School.name)
        ))
        cycle_ids = [c.id for c in cycles]
        classrooms = _classroom_rows(session, cycle_ids)
        partners = [
            PartnerRow(p.id, p.cycle_id, o.id, o.name, o.kind, p.listener, p.reply_by_days, p.budget_eur)
            for p, o in session.exec(
                select(Partnership, Organisation)
                .join(Organisation, col(Organisation.id) == Partnership.organisation_id)
                .where(col(Partnership.cycle_id).in_(cycle_ids))
                .order_by(Organisation.name)
            )
        ]
        teachers = _teachers_for(session, actor, neighbourhood_id)
        organisations = list(session.exec(
            select(Organisation).where(col(Organisation.archived_at).is_(None)).order_by(Organisation.name)
        ))
    return NeighbourhoodOverview(neighbourhood, cycles, schools, classrooms, partners, teachers, organisations)


def _classroom_rows(session: Session, cycle_ids: Iterable[int]) -> list[ClassroomRow]:
    rows = session.exec(
        select(Classroom, School)
        .join(School, col(School.id) == Classroom.school_id)
        .where(col(Classroom.cycle_id).in_(list(cycle_ids)), col(Classroom.archived_at).is_(None))
        .order_by(School.name, Classroom.grade, Classroom.name)
    ).all()
    teachers: dict[int, list[User]] = {}
    for link, user in session.exec(
        select(ClassroomTeacher, User)
        .join(User, col(User.id) == ClassroomTeacher.user_id)
        .where(col(ClassroomTeacher.classroom_id).in_([c.id for c, _ in rows]))
        .order_by(User.display_name)
    ):
        teachers.setdefault(link.classroom_id, []).append(user)
    return [
        ClassroomRow(
            id=c.id, name=c.name, grade=c.grade, pupil_count=c.pupil_count, school_id=s.id,
            school_name=s.name, cycle_id=c.cycle_id,
            teacher_ids=tuple(u.id for u in teachers.get(c.id, [])),
            teacher_names=tuple(u.display_name for u in teachers.get(c.id, [])),
        )
        for c, s in rows
    ]


# --- cycles --------------------------------------------------------------------------------

def create_cycle(
    engine: Engine, *, actor: Actor, neighbourhood_id: int, school_year: str, listener: str = "",
    reply_by_days: int = 42, budget_eur: int | None = None,
) -> Cycle:
    """A new school year for a wijk, starting in the preparation phase; one per wijk per year."""
    data = validated(CycleCreate, school_year=school_year, listener=listener,
                     reply_by_days=reply_by_days, budget_eur=budget_eur)
    _check_school_year(data.school_year)
    with write_session(engine) as session:
        neighbourhood = _neighbourhood(session, actor, neighbourhood_id)
        _not_archived(neighbourhood.archived_at, "error.not_found.neighbourhood")
        cycle = Cycle.model_validate(data, update={"neighbourhood_id": neighbourhood_id})
        session.add(cycle)
        with refused_as("error.duplicate.cycle", school_year=data.school_year):
            session.flush()
        return cycle


def _check_school_year(school_year: str) -> None:
    first, second = (int(part) for part in school_year.split("-"))
    if second != first + 1:
        raise InvalidInput("validation.pattern.school_year", field="school_year")


def update_cycle(
    engine: Engine, *, actor: Actor, cycle_id: int, listener: str, reply_by_days: int,
    budget_eur: int | None,
) -> Cycle:
    """Change what the partners promised for a cycle (who listens, reply-by days, budget)."""
    with write_session(engine) as session:
        cycle = _cycle(session, actor, cycle_id)
        data = validated(CycleCreate, school_year=cycle.school_year, listener=listener,
                         reply_by_days=reply_by_days, budget_eur=budget_eur)
        cycle.sqlmodel_update(data.model_dump(exclude={"school_year"}))
        return cycle


def advance_cycle_phase(engine: Engine, *, actor: Actor, cycle_id: int, from_phase: Phase,
                        to_phase: Phase | None = None) -> Phase:
    """Move a cycle forward: one phase, or to `to_phase` (the phase its work has reached, proposed on
    Start), never backwards. The update is conditional on the phase the user saw, so two
    facilitators clicking at once move it once; the second gets a Conflict."""
    target = Phase(from_phase).next() if to_phase is None else Phase(to_phase)
    if target is None:
        raise InvalidInput("error.cycle_already_closed")
    if not target.is_after(Phase(from_phase)):
        raise InvalidInput("error.phase_not_forward")
    if target == Phase.CLOSED and Phase(from_phase).next() != Phase.CLOSED:
        raise InvalidInput("error.phase_not_forward")  # closing a year is one step from Terugkoppeling, never a jump
    with write_session(engine) as session:
        _cycle(session, actor, cycle_id)
        result = session.exec(
            update(Cycle)
            .where(col(Cycle.id) == cycle_id, col(Cycle.phase) == from_phase)
            .values(phase=target, phase_changed_at=utcnow())
        )
        if result.rowcount != 1:
            raise Conflict("error.cycle_phase_changed")
        return target


def archive_cycle(engine: Engine, *, actor: Actor, cycle_id: int) -> None:
    """Hide a cycle (a mistake or a finished year) from lists; its data stays."""
    with write_session(engine) as session:
        cycle = _cycle(session, actor, cycle_id)
        cycle.archived_at = cycle.archived_at or utcnow()


# --- schools -------------------------------------------------------------------------------

def create_school(engine: Engine, *, actor: Actor, neighbourhood_id: int, name: str) -> School:
    """A school in a wijk; names are unique within the wijk."""
    data = validated(SchoolCreate, name=name)
    with write_session(engine) as session:
        _neighbourhood(session, actor, neighbourhood_id)
        school = School.model_validate(data, update={"neighbourhood_id": neighbourhood_id})
        session.add(school)
        with refused_as("error.duplicate.school", name=data.name):
            session.flush()
        return school


def rename_school(engine: Engine, *, actor: Actor, school_id: int, name: str) -> School:
    """Correct a school's name; Conflict when another school of the wijk has it."""
    data = validated(SchoolCreate, name=name)
    with write_session(engine) as session:
        school = _school(session, actor, school_id)
        school.name = data.name
        with refused_as("error.duplicate.school", name=data.name):
            session.flush()
        return school


def archive_school(engine: Engine, *, actor: Actor, school_id: int) -> None:
    """Hide a school that no longer takes part; its classes of earlier years stay."""
    with write_session(engine) as session:
        school = _school(session, actor, school_id)
        school.archived_at = school.archived_at or utcnow()


# --- classes -------------------------------------------------------------------------------

def create_classroom(
    engine: Engine, *, actor: Actor, cycle_id: int, school_id: int, name: str, grade: int,
    pupil_count: int, teacher_ids: Iterable[int] = (),
) -> Classroom:
    """A class of a school in the cycle's wijk; InvalidInput when the school is in another wijk."""
    data = validated(ClassroomCreate, name=name, grade=grade, pupil_count=pupil_count)
    with write_session(engine) as session:
        cycle = _cycle(session, actor, cycle_id)
        school = _school(session, actor, school_id)
        if school.neighbourhood_id != cycle.neighbourhood_id or school.archived_at is not None:
            raise InvalidInput("error.classroom_school_outside_wijk", field="school_id")
        if cycle.archived_at is not None:
            raise NotFound("error.not_found.cycle")
        classroom = Classroom.model_validate(data, update={"cycle_id": cycle_id, "school_id": school_id})
        session.add(classroom)
        with refused_as("error.duplicate.classroom", name=data.name):
            session.flush()
        _replace_teachers(session, classroom.id, teacher_ids)
        return classroom


def update_classroom(
    engine: Engine, *, actor: Actor, classroom_id: int, name: str, grade: int, pupil_count: int,
    teacher_ids: Iterable[int],
) -> Classroom:
    """Edit a class and who teaches it."""
    data = validated(ClassroomCreate, name=name, grade=grade, pupil_count=pupil_count)
    with write_session(engine) as session:
        classroom = _classroom(session, actor, classroom_id)
        classroom.sqlmodel_update(data.model_dump())
        with refused_as("error.duplicate.classroom", name=data.name):
            session.flush()
        _replace_teachers(session, classroom.id, teacher_ids)
        return classroom


def _replace_teachers(session: Session, classroom_id: int, teacher_ids: Iterable[int]) -> None:
    wanted = set(teacher_ids)
    if wanted:
        found = session.exec(
            select(User.id).where(col(User.id).in_(wanted), User.role == Role.TEACHER)
        ).all()
        if set(found) != wanted:
            raise InvalidInput("error.not_a_teacher", field="teacher_ids")
    for link in session.exec(select(ClassroomTeacher).where(ClassroomTeacher.classroom_id == classroom_id)):
        if link.user_id not in wanted:
            session.delete(link)
        wanted.discard(link.user_id)
    session.add_all(ClassroomTeacher(user_id=uid, classroom_id=classroom_id) for uid in sorted(wanted))


def archive_classroom(engine: Engine, *, actor: Actor, classroom_id: int) -> None:
    """Hide a class that was added by mistake or stopped taking part."""
    with write_session(engine) as session:
        classroom = _classroom(session, actor, classroom_id)
        classroom.archived_at = classroom.archived_at or utcnow()


# --- organisations and partners ------------------------------------------------------------

def list_organisations(engine: Engine, *, actor: Actor) -> list[Organisation]:
    """Partner organisations (shared by all wijken of a municipality), by name."""
    require_role(actor, *STAFF_WHO_MANAGE)
    with read_session(engine) as session:
        return list(session.exec(
            select(Organisation).where(col(Organisation.archived_at).is_(None)).order_by(Organisation.name)
        ))


def create_organisation(engine: Engine, *, actor: Actor, name: str, kind: str) -> Organisation:
    """A partner organisation; names are unique."""
    require_role(actor, *STAFF_WHO_MANAGE)
    data = validated(OrganisationCreate, name=name, kind=kind)
    with write_session(engine) as session:
        organisation = Organisation.model_validate(data)
        session.add(organisation)
        with refused_as("error.duplicate.organisation", name=data.name):
            session.flush()
        return organisation


def update_organisation(engine: Engine, *, actor: Actor, organisation_id: int, name: str, kind: str) -> Organisation:
    """Rename an organisation or correct its kind; Conflict on a duplicate name."""
    data = validated(OrganisationCreate, name=name, kind=kind)
    with write_session(engine) as session:
        organisation = _organisation(session, actor, organisation_id)
        organisation.sqlmodel_update(data.model_dump())
        with refused_as("error.duplicate.organisation", name=data.name):
            session.flush()
        return organisation


def archive_organisation(engine: Engine, *, actor: Actor, organisation_id: int) -> None:
    """Hide an organisation from the lists for new partnerships; existing ones keep it. Admins only,
    because organisations are shared by all wijken."""
    require_role(actor, Role.ADMIN)
    with write_session(engine) as session:
        organisation = _organisation(session, actor, organisation_id)
        organisation.archived_at = utcnow()


def list_contacts(engine: Engine, *, actor: Actor, organisation_id: int, neighbourhood_id: int) -> list[Contact]:
    """The organisation's contact persons who work in this wijk (which the actor must manage); for
    an admin also those not placed in a wijk yet (from before contacts had one)."""
    with read_session(engine) as session:
        _organisation(session, actor, organisation_id)
        _neighbourhood(session, actor, neighbourhood_id)
        where = Contact.neighbourhood_id == neighbourhood_id
        if actor.role == Role.ADMIN:
            where = or_(where, col(Contact.neighbourhood_id).is_(None))
        return list(session.exec(
            select(Contact)
            .where(Contact.organisation_id == organisation_id, where, col(Contact.archived_at).is_(None))
            .order_by(Contact.name)
        ))


def add_contact(
    engine: Engine, *, actor: Actor, organisation_id: int, neighbourhood_id: int, name: str, job_title: str = "",
    email: str = "", phone: str = "",
) -> Contact:
    """An adult contact person at a partner organisation, working in a wijk the actor manages."""
    data = validated(ContactCreate, name=name, job_title=job_title, email=email, phone=phone)
    with write_session(engine) as session:
        _organisation(session, actor, organisation_id)
        _neighbourhood(session, actor, neighbourhood_id)
        contact = Contact.model_validate(data, update={"organisation_id": organisation_id,
                                                       "neighbourhood_id": neighbourhood_id})
        session.add(contact)
        return contact


def archive_contact(engine: Engine, *, actor: Actor, contact_id: int) -> None:
    with write_session(engine) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound("error.not_found.contact")
        _organisation(session, actor, contact.organisation_id)
        if contact.neighbourhood_id is not None or actor.role != Role.ADMIN:
            _neighbourhood(session, actor, contact.neighbourhood_id)  # another wijk's people are not theirs
        contact.archived_at = contact.archived_at or utcnow()


def add_partner(
    engine: Engine, *, actor: Actor, cycle_id: int, organisation_id: int, listener: str = "",
    reply_by_days: int = 42, budget_eur: int | None = None,
) -> Partnership:
    """An organisation joins a cycle with its promises; once per cycle."""
    data = validated(PartnershipCreate, listener=listener, reply_by_days=reply_by_days, budget_eur=budget_eur)
    with write_session(engine) as session:
        _cycle(session, actor, cycle_id)
        organisation = _organisation(session, actor, organisation_id)
        partnership = Partnership.model_validate(
            data, update={"cycle_id": cycle_id, "organisation_id": organisation_id}
        )
        session.add(partnership)
        with refused_as("error.duplicate.partner", name=organisation.name):
            session.flush()
        return partnership


def remove_partner(engine: Engine, *, actor: Actor, partnership_id: int) -> None:
    """Take an organisation out of a cycle (before it has received anything)."""
    with write_session(engine) as session:
        partnership = session.get(Partnership, partnership_id)
        if partnership is None:
            raise NotFound("error.not_found.partner")
        _cycle(session, actor, partnership.cycle_id)
        addressed = select(Recipient.id).join(Proposal, col(Proposal.id) == Recipient.proposal_id).where(
            Proposal.cycle_id == partnership.cycle_id, Recipient.organisation_id == partnership.organisation_id)
        if session.exec(addressed).first() is not None:
            raise Conflict("error.partner_has_proposals")
        session.delete(partnership)
