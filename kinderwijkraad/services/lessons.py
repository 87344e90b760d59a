"""Lesson mode: a teacher runs a lesson in a class, the tablets of the children's teams follow.

The class's place in the lesson (step, timer, the plan on the board) lives in the database, so a
teacher can resume after a refresh or on another device, and every tablet reads the same state.
Children have no accounts: a tablet joins with the run's class code and a team name and keeps a
random device token; only the token's hash is stored. Guessing codes is throttled per client.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import InvalidInput, NotAllowed, NotFound, TooManyAttempts
from kinderwijkraad.models import (
    BrainstormNote,
    Classroom,
    Cycle,
    Device,
    LessonRun,
    LessonSeries,
    LessonTemplate,
    Mood,
    Plan,
    Role,
    School,
    Step,
    StepKind,
    Team,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services.accounts import record_throttle_failure, throttle_wait_seconds
from kinderwijkraad.services.common import Actor, clean_text

# Six characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^6 ≈ 887 million codes.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_CODE_LENGTH = 64  # far longer than any code printed (join and booth 6, receipt 8, card 8)
CODE_VALID_FOR = timedelta(hours=4)  # a lesson and some margin; ending the run ends the code at once
# Per client address, and a whole school shares one: generous, since 887 million codes that live
# four hours are not found by trying a few hundred; a script trying thousands is slowed down.
FREE_JOIN_FAILURES = 60
MAX_TEAMS = 12
MAX_NOTE_LENGTH = 200
MAX_TEAM_NAME = 40  # the Team column


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a child types: spaces and lower case are fine. What no code holds (a pasted NUL,
    emoji, a page of text) gives "", which matches nothing: such text must not reach the query
    (PostgreSQL refuses a NUL with a crash), and it is a wrong code like any other."""
    code = "".join(code.split()).upper()
    return code if code.isascii() and code.replace("-", "").isalnum() and len(code) <= MAX_CODE_LENGTH else ""


def _hash_token(token: str) -> str:
    # "surrogatepass": a token that is not UTF-8 (it never is one of ours) hashes to a miss, not a crash.
    return hashlib.sha256(token.encode(errors="surrogatepass")).hexdigest()


# --- who may run a lesson in which class ---------------------------------------------------


def _classroom_for(session: Session, actor: Actor, classroom_id: int) -> Classroom:
    """Teachers run lessons in their own classes; facilitators in their wijken; admins anywhere."""
    classroom = session.get(Classroom, classroom_id)
    if classroom is None or classroom.archived_at is not None:
        raise NotFound("error.not_found.classroom")
    if actor.role == Role.TEACHER:
        allowed = classroom_id in actor.classroom_ids
    else:
        cycle = session.get(Cycle, classroom.cycle_id)
        allowed = cycle is not None and actor.manages(cycle.neighbourhood_id)
    if not allowed:
        raise NotAllowed("error.not_allowed")
    return classroom


def run_in_scope(session: Session, actor: Actor, run_id: int) -> LessonRun:
    """The run, if the actor may lead it (see _classroom_for); for plans.py too."""
    run = session.get(LessonRun, run_id)
    if run is None:
        raise NotFound("error.not_found.lesson_run")
    _classroom_for(session, actor, run.classroom_id)
    return run


@dataclass(frozen=True)
class ClassroomChoice:
    id: int
    label: str  # "School — Groep 7", with " · 2025-2026" for a class of an earlier school year
    cycle_id: int
    open_run_id: int | None
    school_year: str = ""


def teachable_classrooms(engine: Engine, *, actor: Actor) -> list[ClassroomChoice]:
    """The classes this actor can run a lesson in, each with its lesson under way (if any): this
    school year's first; an earlier year's class says which year it was."""
    with read_session(engine) as session:
        query = (select(Classroom, School.name, Cycle.school_year)
                 .join(School, col(School.id) == Classroom.school_id)
                 .join(Cycle, col(Cycle.id) == Classroom.cycle_id)
                 .where(col(Classroom.archived_at).is_(None))
                 .order_by(col(Cycle.school_year).desc(), School.name, Classroom.name))
        if actor.role == Role.TEACHER:
            query = query.where(col(Classroom.id).in_(actor.classroom_ids or {-1}))
        elif actor.role == Role.FACILITATOR:
            query = query.where(col(Cycle.neighbourhood_id).in_(actor.neighbourhood_ids or {-1}))
        elif actor.role != Role.ADMIN:
            return []
        rows = session.exec(query).all()
        open_runs = dict(session.exec(
            select(LessonRun.classroom_id, LessonRun.id).where(col(LessonRun.ended_at).is_(None))
            .order_by(LessonRun.started_at)
        ).all())
        newest = rows[0][2] if rows else ""
        return [ClassroomChoice(c.id, f"{school} — {c.name}" + (f" · {year}" if year != newest else ""), c.cycle_id,
                                open_runs.get(c.id), year) for c, school, year in rows]


# --- the run -------------------------------------------------------------------------------


def start_run(engine: Engine, *, actor: Actor, classroom_id: int, template_id: int, lesson_index: int) -> int:
    """Start a lesson in a class with a fresh join code; a lesson still open in that class ends
    (its code stops working), in the same transaction."""
    now = utcnow()
    for _attempt in range(5):
        try:
            with write_session(engine) as session:
                _classroom_for(session, actor, classroom_id)
                template = session.get(LessonTemplate, template_id)
                if template is None:
                    raise NotFound("error.not_found.template")
                if not 0 <= lesson_index < len(template.series().lessons):
                    raise InvalidInput("lesson.unknown_lesson")
                session.execute(update(LessonRun).where(
                    col(LessonRun.classroom_id) == classroom_id, col(LessonRun.ended_at).is_(None)
                ).values(ended_at=now))
                run = LessonRun(classroom_id=classroom_id, template_id=template_id, lesson_index=lesson_index,
                                join_code=new_join_code(), code_expires_at=now + CODE_VALID_FOR,
                                started_by=actor.user_id, started_at=now)
                session.add(run)
                session.flush()
                return run.id
        except IntegrityError:
            continue  # the code was taken: draw another
    raise RuntimeError("no free join code after 5 attempts")  # 887 million codes: a bug, not bad luck


@dataclass(frozen=True)
class RunState:
    """What every screen of a run shows; no child data in it, so tablets may share it."""

    run_id: int
    classroom_id: int
    class_label: str
    template_id: int
    series: LessonSeries
    lesson_index: int
    step_index: int
    timer_started_at: datetime | None
    timer_elapsed_seconds: int
    presented_plan_id: int | None
    join_code: str
    code_expires_at: datetime
    ended: bool

    @property
    def lesson(self):
        return self.series.lessons[self.lesson_index]

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.step_index]

    @property
    def step_count(self) -> int:
        return len(self.lesson.steps)

    def seconds_left(self, now: datetime | None = None) -> int:
        """Of the step's suggested minutes; negative when over time."""
        elapsed = self.timer_elapsed_seconds
        if self.timer_started_at is not None:
            elapsed += int(((now or utcnow()) - self.timer_started_at).total_seconds())
        return self.step.minutes * 60 - elapsed

    @property
    def timer_running(self) -> bool:
        return self.timer_started_at is not None

    def code_valid(self, now: datetime | None = None) -> bool:
        return not self.ended and (now or utcnow()) < self.code_expires_at


def run_state(engine: Engine, run_id: int) -> RunState:
    """The run as the tablets and the smartboard see it (children have no actor)."""
    with read_session(engine) as session:
        run = session.get(LessonRun, run_id)
        if run is None:
            raise NotFound("error.not_found.lesson_run")
        template = session.get(LessonTemplate, run.template_id)
        classroom = session.get(Classroom, run.classroom_id)
        school = session.get(School, classroom.school_id)
        return RunState(
            run_id=run.id, classroom_id=run.classroom_id, class_label=f"{school.name} — {classroom.name}",
            template_id=run.template_id, series=template.series(), lesson_index=run.lesson_index,
            step_index=run.step_index, timer_started_at=as_utc(run.timer_started_at),
            timer_elapsed_seconds=run.timer_elapsed_seconds, presented_plan_id=run.presented_plan_id,
            join_code=run.join_code, code_expires_at=as_utc(run.code_expires_at), ended=run.ended_at is not None,
        )


def teacher_run_state(engine: Engine, *, actor: Actor, run_id: int) -> RunState:
    with read_session(engine) as session:
        run_in_scope(session, actor, run_id)
    return run_state(engine, run_id)


def go_to_step(engine: Engine, *, actor: Actor, run_id: int, step_index: int) -> None:
    """Move the class to a step; the step's timer starts from zero, paused."""
    with write_session(engine) as session:
        run = run_in_scope(session, actor, run_id)
        steps = session.get(LessonTemplate, run.template_id).series().lessons[run.lesson_index].steps
        if run.ended_at is not None:
            raise InvalidInput("lesson.ended")
        if not 0 <= step_index < len(steps):
            raise InvalidInput("lesson.no_such_step")
        run.step_index = step_index
        run.timer_started_at = None
        run.timer_elapsed_seconds = 0
        run.presented_plan_id = None


def start_timer(engine: Engine, *, actor: Actor, run_id: int) -> None:
    with write_session(engine) as session:
        run = run_in_scope(session, actor, run_id)
        if run.timer_started_at is None:
            run.timer_started_at = utcnow()


def pause_timer(engine: Engine, *, actor: Actor, run_id: int) -> None:
    with write_session(engine) as session:
        run = run_in_scope(session, actor, run_id)
        if run.timer_started_at is not None:
            run.timer_elapsed_seconds += int((utcnow() - as_utc(run.timer_started_at)).total_seconds())
            run.timer_started_at = None


def end_run(engine: Engine, *, actor: Actor, run_id: int) -> None:
    """End the lesson: the code stops working; plans and notes stay."""
    with write_session(engine) as session:
        run = run_in_scope(session, actor, run_id)
        if run.ended_at is None:
            run.ended_at = utcnow()


def present_plan(engine: Engine, *, actor: Actor, run_id: int, plan_id: int | None) -> None:
    """Put a plan of this class (from this lesson or an earlier one) on the board, or none."""
    with write_session(engine) as session:
        run = run_in_scope(session, actor, run_id)
        if plan_id is not None:
            plan = session.get(Plan, plan_id)
            if plan is None or session.get(LessonRun, plan.run_id).classroom_id != run.classroom_id:
                raise NotFound("error.not_found.plan")
        run.presented_plan_id = plan_id


# --- teams and tablets ---------------------------------------------------------------------


def _lock_run(session: Session, run_id: int) -> LessonRun | None:
    """Teams of a run are made one transaction at a time (FOR UPDATE on the run; SQLite's write
    transactions already are), so two tablets typing the same new name join one team and the
    team limit holds."""
    return session.exec(select(LessonRun).where(LessonRun.id == run_id).with_for_update()).first()


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    devices: int


def add_teams(engine: Engine, *, actor: Actor, run_id: int, names: list[str]) -> int:
    """The teacher's list of team names (one per line); names already there are skipped.
    Returns how many were added. A name that is too long is refused, never cut."""
    cleaned = list(dict.fromkeys(_team_name(name) for name in map(clean_text, names) if name))
    with write_session(engine) as session:
        run_in_scope(session, actor, run_id)
        _lock_run(session, run_id)
        existing = set(session.exec(select(Team.name).where(Team.run_id == run_id)))
        new = [name for name in cleaned if name not in existing]
        if len(existing) + len(new) > MAX_TEAMS:
            raise InvalidInput("lesson.too_many_teams", max=MAX_TEAMS)
        for name in new:
            session.add(Team(run_id=run_id, name=name))
        return len(new)


def teams(engine: Engine, run_id: int) -> list[TeamRow]:
    """The run's teams, for the join screen and the teacher (names only, never children)."""
    with read_session(engine) as session:
        rows = session.exec(select(Team).where(Team.run_id == run_id).order_by(Team.name)).all()
        counts: dict[int, int] = {}
        for team_id in session.exec(select(Device.team_id).where(Device.run_id == run_id)):
            counts[team_id] = counts.get(team_id, 0) + 1
        return [TeamRow(team.id, team.name, counts.get(team.id, 0)) for team in rows]


def find_run_by_code(engine: Engine, *, code: str, client: str) -> int:
    """The open run with this code, for the join screen. Wrong codes are counted per client and
    slow that client down, so codes cannot be guessed by trying."""
    now = utcnow()
    keys = {f"join:{client}": FREE_JOIN_FAILURES}
    with read_session(engine) as session:
        wait = throttle_wait_seconds(session, keys, now)
        if wait > 0:
            raise TooManyAttempts("join.throttled", count=wait)
        run = session.exec(select(LessonRun).where(LessonRun.join_code == normalise_code(code))).first()
        valid = run is not None and run.ended_at is None and now < as_utc(run.code_expires_at)
    if not valid:
        with write_session(engine) as session:
            record_throttle_failure(session, keys, now)
        raise NotFound("join.unknown_code")
    return run.id


def _team_name(text: str) -> str:
    """A team's name as typed, trimmed; refused (never cut) when longer than a team name can be,
    saying by how much, so the child shortens it."""
    name = clean_text(text)
    if not name:
        raise InvalidInput("join.team_name_required")
    if len(name) > MAX_TEAM_NAME:
        raise InvalidInput("join.team_name_too_long", max=MAX_TEAM_NAME, count=len(name) - MAX_TEAM_NAME)
    return name


def join_team(engine: Engine, *, run_id: int, team_name: str) -> tuple[str, int]:
    """Join a team of an open run (a new name makes a new team). Returns the device token for
    the tablet to keep, and the team id. InvalidInput for an empty or too long name."""
    name = _team_name(team_name)
    token = secrets.token_urlsafe(24)
    with write_session(engine) as session:
        run = _lock_run(session, run_id)
        if run is None or run.ended_at is not None or utcnow() >= as_utc(run.code_expires_at):
            raise NotFound("join.unknown_code")
        team = session.exec(select(Team).where(Team.run_id == run_id, Team.name == name)).first()
        if team is None:
            if len(session.exec(select(Team.id).where(Team.run_id == run_id)).all()) >= MAX_TEAMS:
                raise InvalidInput("lesson.too_many_teams", max=MAX_TEAMS)
            team = Team(run_id=run_id, name=name)
            session.add(team)
            session.flush()
        session.add(Device(token_hash=_hash_token(token), run_id=run_id, team_id=team.id))
        return token, team.id


@dataclass(frozen=True)
class DeviceContext:
    run_id: int
    team_id: int
    team_name: str


def device_context(engine: Engine, token: str | None) -> DeviceContext | None:
    """Which run and team a tablet belongs to; None for an unknown token."""
    if not token:
        return None
    with read_session(engine) as session:
        device = session.get(Device, _hash_token(token))
        if device is None:
            return None
        team = session.get(Team, device.team_id)
        return DeviceContext(device.run_id, team.id, team.name)


def joined_device(engine: Engine, token: str | None) -> DeviceContext:
    """The tablet's run and team; NotAllowed for a token that never joined."""
    device = device_context(engine, token)
    if device is None:
        raise NotAllowed("join.not_joined")
    return device


# --- brainstorm ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteRow:
    id: int
    team_name: str
    mood: Mood
    text: str


def add_note(engine: Engine, *, token: str, mood: Mood | str, text: str) -> None:
    """A tablet's note during a brainstorm step of its run. InvalidInput when empty, or too long
    (saying by how much: the note stays on the tablet to be shortened), or after the step."""
    text = " ".join(clean_text(text).split())
    if not text:
        raise InvalidInput("brainstorm.empty")
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput("brainstorm.too_long", max=MAX_NOTE_LENGTH, count=len(text) - MAX_NOTE_LENGTH)
    device = joined_device(engine, token)
    state = run_state(engine, device.run_id)
    if state.ended or state.step.kind != StepKind.BRAINSTORM:
        raise InvalidInput("brainstorm.closed")
    with write_session(engine) as session:
        session.add(BrainstormNote(run_id=device.run_id, team_id=device.team_id, mood=Mood(mood), text=text))


def notes(engine: Engine, run_id: int) -> list[NoteRow]:
    with read_session(engine) as session:
        rows = session.exec(
            select(BrainstormNote, Team.name).join(Team, col(Team.id) == BrainstormNote.team_id)
            .where(BrainstormNote.run_id == run_id).order_by(BrainstormNote.created_at, BrainstormNote.id)
        ).all()
        return [NoteRow(note.id, team_name, Mood(note.mood), note.text) for note, team_name in rows]


def delete_note(engine: Engine, *, actor: Actor, note_id: int) -> None:
    """The teacher removes a note that should not be on the board."""
    with write_session(engine) as session:
        note = session.get(BrainstormNote, note_id)
        if note is None:
            raise NotFound("error.not_found.note")
        run_in_scope(session, actor, note.run_id)
        session.delete(note)
