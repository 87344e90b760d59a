"""Signing up for the council: in a `sign_up` step of Les 3, children who want to join the
kinderwijkraad leave their first name on their team's tablet.

Only a first name (or a nickname) is kept: the school and the class come from the tablet's lesson,
so a child never types them, and anything that looks like an e-mail address or a number is refused.
A name is unique within a class; the database decides that, with the class row locked so "Emma"
and "emma" typed on two tablets at once cannot both get in. Several children sign up one after
another on one tablet; that tablet can take back a mistaken sign-up while the step lasts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import (
    Candidate,
    Classroom,
    CouncilMember,
    LessonRun,
    LessonTemplate,
    School,
    StepKind,
)
from kinderwijkraad.models.common import as_utc
from kinderwijkraad.services.common import Actor, managed_cycle, refused_as
from kinderwijkraad.services.lessons import joined_device, run_in_scope

MAX_FIRST_NAME = 40  # the Candidate column
# Besides letters: "Anne-Sophie", "Mo'nique", "Emma B." and spaces between them.
NAME_PUNCTUATION = frozenset(" -'.")
# Tablets' keyboards turn ' into a curly quote; stored as the plain one, so duplicates still match.
CURLY_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


@dataclass(frozen=True)
class CandidateView:
    """A signed-up child as the tablet, the teacher and the facilitator see them."""

    id: int
    first_name: str
    school: str
    class_name: str
    created_at: datetime


def clean_first_name(text: str) -> str:
    """The name as it is stored: trimmed, single spaces, each word with a capital (children often
    skip it, and "emma" and "Emma" are one child). Refuses what is not a first name, with a message
    a child can act on."""
    name = " ".join(unicodedata.normalize("NFC", text).translate(CURLY_APOSTROPHES).split())
    if "@" in name or any(char.isdigit() for char in name):
        raise InvalidInput("signup.only_first_name")
    if any(not char.isalpha() and char not in NAME_PUNCTUATION for char in name):
        raise InvalidInput("signup.letters_only")
    if not any(char.isalpha() for char in name):
        raise InvalidInput("signup.name_required")
    name = " ".join(word[:1].upper() + word[1:] for word in name.split(" "))
    if len(name) > MAX_FIRST_NAME:
        raise InvalidInput("signup.name_too_long", max=MAX_FIRST_NAME, count=len(name) - MAX_FIRST_NAME)
    return name


def _open_sign_up_run(session: Session, run_id: int) -> LessonRun:
    """The tablet's run, if the class is in a sign_up step right now (the token lives in the
    tablet's address and outlives the step and the lesson)."""
    run = session.get(LessonRun, run_id)
    if run is None or run.ended_at is not None:
        raise NotAllowed("signup.lesson_over")
    steps = session.get(LessonTemplate, run.template_id).series().lessons[run.lesson_index].steps
    if steps[run.step_index].kind != StepKind.SIGN_UP:
        raise NotAllowed("signup.not_now")
    return run


def _views(session: Session, rows: Iterable[Candidate]) -> list[CandidateView]:
    rows = list(rows)
    classrooms = {c.id: c for c in session.exec(
        select(Classroom).where(col(Classroom.id).in_({row.classroom_id for row in rows} or {-1})))}
    schools = {s.id: s.name for s in session.exec(
        select(School).where(col(School.id).in_({c.school_id for c in classrooms.values()} or {-1})))}
    return [CandidateView(row.id, row.first_name, schools[classrooms[row.classroom_id].school_id],
                          classrooms[row.classroom_id].name, as_utc(row.created_at)) for row in rows]


# --- the tablet ----------------------------------------------------------------------------


def sign_up(engine: Engine, *, token: str, first_name: str) -> CandidateView:
    """A child of the tablet's class signs up during a sign_up step. NotAllowed outside that step
    or after the lesson; InvalidInput for what is not a first name; Conflict when the class already
    has that name (in any capitals)."""
    device = joined_device(engine, token)
    with write_session(engine) as session:
        run = _open_sign_up_run(session, device.run_id)
        name = clean_first_name(first_name)
        # One sign-up per class at a time (FOR UPDATE on PostgreSQL; SQLite's write transactions
        # already are), so the case-insensitive check below cannot be raced. The unique constraint
        # still has the last word on an exact duplicate.
        session.exec(select(Classroom.id).where(Classroom.id == run.classroom_id).with_for_update()).one()
        taken = session.exec(select(Candidate.first_name).where(Candidate.classroom_id == run.classroom_id)).all()
        if name.casefold() in {other.casefold() for other in taken}:
            raise Conflict("signup.duplicate", name=name)
        candidate = Candidate(classroom_id=run.classroom_id, run_id=run.id, first_name=name)
        with refused_as("signup.duplicate", name=name):
            session.add(candidate)
            session.flush()
        return _views(session, [candidate])[0]


def withdraw(engine: Engine, *, token: str, candidate_id: int) -> None:
    """A tablet takes back a sign-up made in its own lesson, while the sign_up step lasts.
    NotFound for a sign-up of another lesson (or one already gone); NotAllowed outside the step."""
    device = joined_device(engine, token)
    with write_session(engine) as session:
        _open_sign_up_run(session, device.run_id)
        candidate = session.get(Candidate, candidate_id)
        if candidate is None or candidate.run_id != device.run_id:
            raise NotFound("signup.not_found")
        _delete_unless_member(session, candidate)


def tablet_sign_ups(engine: Engine, *, token: str, candidate_ids: Iterable[int]) -> list[CandidateView]:
    """The sign-ups this tablet made (the page remembers their ids), still there and of its own
    lesson: a tablet never reads other children's names."""
    device = joined_device(engine, token)
    with read_session(engine) as session:
        rows = session.exec(select(Candidate).where(
            col(Candidate.id).in_(set(candidate_ids) or {-1}), Candidate.run_id == device.run_id,
        ).order_by(Candidate.created_at, Candidate.id)).all()
        return _views(session, rows)


# --- the teacher and the facilitator -------------------------------------------------------


def candidates_of_run(engine: Engine, *, actor: Actor, run_id: int) -> list[CandidateView]:
    """Who signed up in the run's class, in the order they did, for the teacher's screen and the
    board. The whole class, not only this run: a name is unique per class, so a child refused as a
    duplicate after a restarted lesson sees why on the board."""
    with read_session(engine) as session:
        run = run_in_scope(session, actor, run_id)
        rows = session.exec(select(Candidate).where(Candidate.classroom_id == run.classroom_id)
                            .order_by(Candidate.created_at, Candidate.id)).all()
        return _views(session, rows)


def remove_candidate(engine: Engine, *, actor: Actor, run_id: int, candidate_id: int) -> None:
    """The teacher removes a sign-up of the class they lead (a joke name on the board, a child who
    changed their mind after the tablet moved on). NotFound for a candidate of another class."""
    with write_session(engine) as session:
        run = run_in_scope(session, actor, run_id)
        candidate = session.get(Candidate, candidate_id)
        if candidate is None or candidate.classroom_id != run.classroom_id:
            raise NotFound("signup.not_found")
        _delete_unless_member(session, candidate)


def _delete_unless_member(session: Session, candidate: Candidate) -> None:
    """A child already on the council stays: their meetings keep who was there. The facilitator
    makes a member inactive on the council page instead."""
    if session.exec(select(CouncilMember.id).where(CouncilMember.candidate_id == candidate.id)).first():
        raise NotAllowed("signup.is_member", name=candidate.first_name)
    session.delete(candidate)


def candidates_of_cycle(engine: Engine, *, actor: Actor, cycle_id: int) -> list[CandidateView]:
    """Every sign-up of every class of a cycle, by school, class and name: the list the council is
    formed from. Admins and the wijk's facilitators only."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        rows = session.exec(select(Candidate).join(Classroom, col(Classroom.id) == Candidate.classroom_id)
                            .where(Classroom.cycle_id == cycle_id)).all()
        views = _views(session, rows)
    return sorted(views, key=lambda v: (v.school.casefold(), v.class_name.casefold(), v.first_name.casefold()))
