"""The home screen per role: where each of my cycles stands and what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session
from kinderwijkraad.models import (
    Classroom,
    ClassroomTeacher,
    Cycle,
    Neighbourhood,
    Organisation,
    Partnership,
    Phase,
    Role,
    School,
    User,
)
from kinderwijkraad.services.common import Actor

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
    return CycleStatus(
        cycle_id=cycle.id, neighbourhood_id=wijk.id, neighbourhood_name=wijk.name,
        school_year=cycle.school_year, phase=phase, classrooms=len(classroom_ids),
        classrooms_without_teacher=without_teacher, partners=partners,
        todos=tuple(next_steps(phase, classrooms=len(classroom_ids), classrooms_without_teacher=without_teacher,
                               partners=partners, role=actor.role)),
        details=details,
    )
