"""The home screen per role: where each of my cycles stands and what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session
from kinderwijkraad.models import (
    Classroom,
    ClassroomTeacher,
    CouncilMember,
    Cycle,
    FeedbackShare,
    LessonRun,
    MailMessage,
    MailStatus,
    Meeting,
    Neighbourhood,
    Organisation,
    Partnership,
    Phase,
    Poll,
    Proposal,
    Recipient,
    RecipientStatus,
    Role,
    School,
    User,
)
from kinderwijkraad.services.common import Actor
from kinderwijkraad.services.feedback import words_needed

# Phases in which teachers have work in their classes.
TEACHING_PHASES = {Phase.LESSONS, Phase.VOTING, Phase.FEEDBACK}


@dataclass(frozen=True)
class Todo:
    """One thing to do next, as an i18n key and its parameters."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CycleStatus:
    cycle_id: int
    neighbourhood_id: int
    neighbourhood_name: str
    school_year: str
    phase: Phase
    classrooms: int
    classrooms_without_teacher: int
    partners: int
    todos: tuple[Todo, ...]
    # For teachers: their own classes in this cycle; for officials: the promise of their organisation.
    details: tuple[str, ...] = ()
    # For admins and facilitators: the phase the year's work has reached when it is past the
    # cycle's phase (a vote held while the phase still says Lessen); Start proposes moving on.
    work_reached: Phase | None = None


@dataclass(frozen=True)
class HomeOverview:
    role: Role
    cycles: tuple[CycleStatus, ...]
    todos: tuple[Todo, ...]
    counts: dict[str, int] = field(default_factory=dict)


def next_steps(
    phase: Phase, *, classrooms: int, classrooms_without_teacher: int, partners: int, role: Role
) -> list[Todo]:
    """What to do next in a cycle, from its phase and set-up gaps (pure)."""
    if role in (Role.ADMIN, Role.FACILITATOR):
        todos = []
        if phase != Phase.CLOSED:
            if classrooms == 0:
                todos.append(Todo("todo.add_classrooms"))
            if classrooms_without_teacher:
                todos.append(Todo("todo.assign_teachers", {"count": classrooms_without_teacher}))
            if partners == 0:
                todos.append(Todo("todo.add_partners"))
        todos.append(Todo(f"todo.phase.{phase.value}.facilitator"))
        return todos
    return [Todo(f"todo.phase.{phase.value}.{role.value}")]


def home_overview(engine: Engine, *, actor: Actor) -> HomeOverview:
    """The current (newest, not archived) cycle of each wijk the actor works in, with next steps."""
    with read_session(engine) as session:
        cycles = _current_cycles(session, actor)
        statuses = tuple(_status(session, actor, cycle, wijk) for cycle, wijk in cycles)
        counts: dict[str, int] = {}
        todos: list[Todo] = []
        if actor.must_change_password:
            todos.append(Todo("todo.change_password"))
        if actor.role == Role.ADMIN:
            counts = {
                "neighbourhoods": session.exec(
                    select(func.count()).select_from(Neighbourhood).where(col(Neighbourhood.archived_at).is_(None))
                ).one(),
                "active_users": session.exec(
                    select(func.count()).select_from(User).where(col(User.active).is_(True))
                ).one(),
            }
        if not statuses:
            todos.append(Todo(f"todo.no_cycle.{actor.role.value}"))
    return HomeOverview(role=actor.role, cycles=statuses, todos=tuple(todos), counts=counts)


def _current_cycles(session: Session, actor: Actor) -> list[tuple[Cycle, Neighbourhood]]:
    query = (
        select(Cycle, Neighbourhood)
        .join(Neighbourhood, col(Neighbourhood.id) == Cycle.neighbourhood_id)
        .where(col(Cycle.archived_at).is_(None), col(Neighbourhood.archived_at).is_(None))
        .order_by(Neighbourhood.name, col(Cycle.school_year).desc())
    )
    if actor.role == Role.FACILITATOR:
        query = query.where(col(Neighbourhood.id).in_(actor.neighbourhood_ids))
    elif actor.role == Role.TEACHER:
        mine = select(Classroom.cycle_id).where(col(Classroom.id).in_(actor.classroom_ids))
        query = query.where(col(Cycle.id).in_(mine))
    elif actor.role == Role.OFFICIAL:
        partnered = select(Partnership.cycle_id).where(Partnership.organisation_id == actor.organisation_id)
        query = query.where(col(Cycle.id).in_(partnered))
    newest: dict[int, tuple[Cycle, Neighbourhood]] = {}
    for cycle, wijk in session.exec(query):
        newest.setdefault(wijk.id, (cycle, wijk))
    return list(newest.values())


def _status(session: Session, actor: Actor, cycle: Cycle, wijk: Neighbourhood) -> CycleStatus:
    classroom_ids = session.exec(
        select(Classroom.id).where(Classroom.cycle_id == cycle.id, col(Classroom.archived_at).is_(None))
    ).all()
    with_teacher = set(session.exec(
        select(ClassroomTeacher.classroom_id).where(col(ClassroomTeacher.classroom_id).in_(classroom_ids))
    ).all())
    partners = session.exec(
        select(func.count()).select_from(Partnership).where(Partnership.cycle_id == cycle.id)
    ).one()
    details: tuple[str, ...] = ()
    if actor.role == Role.TEACHER:
        details = tuple(
            f"{school.name} — {classroom.name}"
            for classroom, school in session.exec(
                select(Classroom, School)
                .join(School, col(School.id) == Classroom.school_id)
                .where(Classroom.cycle_id == cycle.id, col(Classroom.id).in_(actor.classroom_ids))
                .order_by(School.name, Classroom.name)
            )
        )
    elif actor.role == Role.OFFICIAL:
        details = tuple(
            organisation.name
            for organisation in session.exec(
                select(Organisation).where(Organisation.id == actor.organisation_id)
            )
        )
    phase = Phase(cycle.phase)
    without_teacher = len(set(classroom_ids) - with_teacher)
    todos = next_steps(phase, classrooms=len(classroom_ids), classrooms_without_teacher=without_teacher,
                       partners=partners, role=actor.role)
    reached = None
    if actor.role in (Role.ADMIN, Role.FACILITATOR):
        todos = _failed_mail_todos(session, cycle.id) + _child_words_todos(session, cycle.id) + todos
        reached = phase_of_work(_work_begun(session, cycle.id, classroom_ids))
        reached = reached if reached is not None and reached.is_after(phase) else None
    return CycleStatus(
        cycle_id=cycle.id, neighbourhood_id=wijk.id, neighbourhood_name=wijk.name,
        school_year=cycle.school_year, phase=phase, classrooms=len(classroom_ids),
        classrooms_without_teacher=without_teacher, partners=partners,
        todos=tuple(todos), details=details, work_reached=reached,
    )


# The phases whose work shows in the data, each with what shows it has begun.
WORK_SIGNS = (Phase.LESSONS, Phase.VOTING, Phase.COUNCIL, Phase.IMPLEMENTATION, Phase.FEEDBACK)


def phase_of_work(begun: dict[Phase, bool]) -> Phase | None:
    """The furthest phase whose work has begun (pure); None before any. Closing a year is never
    proposed: that is a decision, not something the data shows."""
    return next((phase for phase in reversed(WORK_SIGNS) if begun.get(phase)), None)


def _work_begun(session: Session, cycle_id: int, classroom_ids: list[int]) -> dict[Phase, bool]:
    def any_row(query) -> bool:  # a select of one column
        return session.exec(query.limit(1)).first() is not None

    classes = classroom_ids or [-1]
    return {
        Phase.LESSONS: any_row(select(LessonRun.id).where(col(LessonRun.classroom_id).in_(classes))),
        # The wijk's vote; a class's own practice vote during the lessons is not the voting phase.
        Phase.VOTING: any_row(select(Poll.id).where(Poll.cycle_id == cycle_id, col(Poll.opened_at).is_not(None))),
        Phase.COUNCIL: any_row(select(CouncilMember.id).where(CouncilMember.cycle_id == cycle_id))
        or any_row(select(Meeting.id).where(Meeting.cycle_id == cycle_id)),
        Phase.IMPLEMENTATION: any_row(select(Recipient.id).join(Proposal, col(Proposal.id) == Recipient.proposal_id)
                                      .where(Proposal.cycle_id == cycle_id,
                                             Recipient.status != RecipientStatus.CONCEPT)),
        Phase.FEEDBACK: any_row(select(FeedbackShare.id).where(FeedbackShare.cycle_id == cycle_id)),
    }


def _failed_mail_todos(session: Session, cycle_id: int) -> list[Todo]:
    """E-mail that could not be delivered after its last try: the facilitator must act on it."""
    failed = session.exec(select(func.count()).select_from(MailMessage).where(
        MailMessage.cycle_id == cycle_id, MailMessage.status == MailStatus.FAILED)).one()
    return [Todo("todo.mail_failed", {"count": failed})] if failed else []


def _child_words_todos(session: Session, cycle_id: int) -> list[Todo]:
    """Answers the classes cannot hear yet: changed since their words were written (first: a class
    may already have heard the old ones), or never put in words for the children."""
    recipients = session.exec(select(Recipient).join(Proposal, col(Proposal.id) == Recipient.proposal_id)
                              .where(Proposal.cycle_id == cycle_id)).all()
    needed = [words_needed(recipient) for recipient in recipients]
    return [Todo(f"todo.child_words_{kind}", {"count": needed.count(kind)})
            for kind in ("outdated", "missing") if needed.count(kind)]
