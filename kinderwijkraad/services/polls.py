"""Polls: the facilitator sets one up (options, ballot kind, counting method), opens and closes it;
classes vote during their lessons; after the close everyone sees the results.

A wijk-wide poll belongs to a cycle and every class of that cycle votes in it; a class poll
belongs to one class. While a poll is open only turnout is shown — never counts. A closed poll is
sealed (see `seal`), its receipts can be checked, and its results are counted on read by
`services/results.py`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Engine, delete, func, insert, or_, update
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import (
    Ballot,
    BallotKind,
    Classroom,
    CountMethod,
    Cycle,
    LessonRun,
    Neighbourhood,
    OptionSubject,
    PaperTally,
    Plan,
    PlanStatus,
    Poll,
    PollOption,
    PollStatus,
    Receipt,
    Role,
    School,
    Theme,
    VotingCard,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.models.voting import METHODS_FOR_KIND, PollSettings
from kinderwijkraad.services import audit, pictograms
from kinderwijkraad.services.common import Actor, require_role, validated
from kinderwijkraad.services.lessons import JOIN_ALPHABET, normalise_code

MAX_OPTIONS = 20


# --- status and scope ----------------------------------------------------------------------


def poll_status(poll: Poll, now: datetime | None = None) -> PollStatus:
    """draft, open or closed — by the server's clock, so a planned close needs no job to run."""
    now = now or utcnow()
    if poll.opened_at is None or now < as_utc(poll.opened_at):
        return PollStatus.DRAFT
    if poll.closed_at is not None and as_utc(poll.closed_at) <= now:
        return PollStatus.CLOSED
    return PollStatus.OPEN


def _cycle_of(session: Session, poll: Poll) -> Cycle:
    if poll.cycle_id is not None:
        return session.get(Cycle, poll.cycle_id)
    return session.get(Cycle, session.get(Classroom, poll.classroom_id).cycle_id)


def _may_manage(session: Session, actor: Actor, poll: Poll) -> bool:
    """Facilitators (and admins) manage the polls of their wijken; a teacher manages the class
    polls of their own classes."""
    if actor.role == Role.TEACHER:
        return poll.classroom_id is not None and poll.classroom_id in actor.classroom_ids
    return actor.manages(_cycle_of(session, poll).neighbourhood_id)


def classrooms_of(session: Session, poll: Poll) -> list[Classroom]:
    """The classes that vote in this poll, in a stable order."""
    if poll.classroom_id is not None:
        return [session.get(Classroom, poll.classroom_id)]
    return list(session.exec(
        select(Classroom).where(Classroom.cycle_id == poll.cycle_id, col(Classroom.archived_at).is_(None))
        .order_by(Classroom.school_id, Classroom.name)
    ).all())


def acting_classrooms(session: Session, actor: Actor, poll: Poll) -> list[Classroom]:
    """The poll's classes this actor may run the vote in (cards, booth, paper, turnout)."""
    classrooms = classrooms_of(session, poll)
    if _may_manage(session, actor, poll):
        return classrooms
    if actor.role == Role.TEACHER:
        return [c for c in classrooms if c.id in actor.classroom_ids]
    return []


def poll_in_scope(session: Session, actor: Actor, poll_id: int, *, manage: bool = False) -> Poll:
    """The poll, if the actor manages it (manage=True) or runs the vote in one of its classes."""
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("error.not_found.poll")
    allowed = _may_manage(session, actor, poll) if manage else bool(acting_classrooms(session, actor, poll))
    if not allowed:
        raise NotAllowed("error.not_allowed")
    return poll


def classroom_of_poll(session: Session, actor: Actor, poll: Poll, classroom_id: int) -> Classroom:
    """A class that votes in the poll and that the actor may run the vote in."""
    for classroom in acting_classrooms(session, actor, poll):
        if classroom.id == classroom_id:
            return classroom
    raise NotAllowed("error.not_allowed")


def class_labels(session: Session, classrooms: list[Classroom]) -> dict[int, str]:
    schools = {s.id: s.name for s in session.exec(
        select(School).where(col(School.id).in_({c.school_id for c in classrooms} or {-1}))).all()}
    return {c.id: f"{schools.get(c.school_id, '')} · {c.name}" for c in classrooms}


# --- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionView:
    id: int
    label: str
    plan_team_id: int | None = None  # set when the option is a plan: that team may be barred from it
    key: str = ""  # the candidate it was made from ("theme:3", "plan:8"): what set_options takes
    pictogram: str | None = None  # its theme's picture (a plan: its theme's), shown beside the label


@dataclass(frozen=True)
class PollView:
    """Everything a ballot screen and a results page need to know about a poll."""

    id: int
    title: str
    question: str
    scope_label: str
    is_wijk_wide: bool
    subject: OptionSubject
    ballot_kind: BallotKind
    method: CountMethod
    max_choices: int
    dots_total: int
    dots_per_option: int
    allow_blank: bool
    block_own_plan: bool
    status: PollStatus
    opened_at: datetime | None
    closed_at: datetime | None
    runoff_of: int | None
    options: tuple[OptionView, ...] = field(default_factory=tuple)
    manageable: bool = False  # the reader may change, open, close and rerun it (poll_view says)

    @property
    def option_ids(self) -> list[int]:
        return [o.id for o in self.options]

    def label_of(self, option_id: int | str) -> str:
        return next((o.label for o in self.options if str(o.id) == str(option_id)), str(option_id))


def view_of(session: Session, poll: Poll, now: datetime | None = None) -> PollView:
    options = session.exec(select(PollOption).where(PollOption.poll_id == poll.id)
                           .order_by(PollOption.position)).all()
    plan_rows = session.exec(select(Plan.id, Plan.team_id, Plan.theme_id).where(
        col(Plan.id).in_({o.plan_id for o in options if o.plan_id} or {-1}))).all()
    plan_teams = {plan_id: team_id for plan_id, team_id, _ in plan_rows}
    pictures = pictograms.of_options(session, options, {plan_id: theme_id for plan_id, _, theme_id in plan_rows})
    if poll.cycle_id is not None:
        cycle = session.get(Cycle, poll.cycle_id)
        scope = f"{session.get(Neighbourhood, cycle.neighbourhood_id).name} {cycle.school_year}"
    else:
        scope = class_labels(session, [session.get(Classroom, poll.classroom_id)])[poll.classroom_id]
    return PollView(
        id=poll.id, title=poll.title, question=poll.question, scope_label=scope, is_wijk_wide=poll.cycle_id is not None,
        subject=poll.subject, ballot_kind=poll.ballot_kind, method=poll.method, max_choices=poll.max_choices,
        dots_total=poll.dots_total, dots_per_option=poll.dots_per_option, allow_blank=poll.allow_blank,
        block_own_plan=poll.block_own_plan, status=poll_status(poll, now), opened_at=as_utc(poll.opened_at),
        closed_at=as_utc(poll.closed_at), runoff_of=poll.runoff_of,
        options=tuple(OptionView(o.id, o.label, plan_teams.get(o.plan_id), _option_key(o), pictures.get(o.id))
                      for o in options),
    )


def poll_view(engine: Engine, *, actor: Actor, poll_id: int) -> PollView:
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        return replace(view_of(session, poll), manageable=_may_manage(session, actor, poll))


@dataclass(frozen=True)
class PollSummary:
    id: int
    title: str
    scope_label: str
    status: PollStatus
    ballot_kind: BallotKind
    options: int
    manageable: bool
    school_year: str = ""  # of the poll's cycle (a class poll: its class's)


def list_polls(engine: Engine, *, actor: Actor) -> list[PollSummary]:
    """The polls this actor manages or runs a vote in: the newest school year first (last year's
    vote, seeded or made later, does not open before this year's), then newest first."""
    with read_session(engine) as session:
        query = select(Poll).order_by(col(Poll.created_at).desc(), col(Poll.id).desc())
        if actor.role == Role.TEACHER:
            cycles = {c for c in session.exec(select(Classroom.cycle_id).where(
                col(Classroom.id).in_(actor.classroom_ids or {-1}))).all()}
            query = query.where(or_(col(Poll.classroom_id).in_(actor.classroom_ids or {-1}),
                                    col(Poll.cycle_id).in_(cycles or {-1})))
        elif actor.role == Role.FACILITATOR:
            cycles = session.exec(select(Cycle.id).where(
                col(Cycle.neighbourhood_id).in_(actor.neighbourhood_ids or {-1}))).all()
            classes = session.exec(select(Classroom.id).where(col(Classroom.cycle_id).in_(cycles or [-1]))).all()
            query = query.where(or_(col(Poll.cycle_id).in_(cycles or [-1]),
                                    col(Poll.classroom_id).in_(classes or [-1])))
        elif actor.role != Role.ADMIN:
            return []
        counts = dict(session.exec(select(PollOption.poll_id, func.count()).group_by(PollOption.poll_id)).all())
        years = dict(session.exec(select(Cycle.id, Cycle.school_year)).all())
        class_cycles = dict(session.exec(select(Classroom.id, Classroom.cycle_id)).all())
        now = utcnow()
        result = []
        for poll in session.exec(query).all():
            view = view_of(session, poll, now)
            cycle_id = poll.cycle_id if poll.cycle_id is not None else class_cycles.get(poll.classroom_id)
            result.append(PollSummary(poll.id, poll.title, view.scope_label, view.status, poll.ballot_kind,
                                      counts.get(poll.id, 0), _may_manage(session, actor, poll),
                                      years.get(cycle_id, "")))
        return sorted(result, key=lambda s: s.school_year, reverse=True)  # stable: newest first within a year


# --- setting a poll up ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeChoice:
    cycle_id: int | None
    classroom_id: int | None
    label: str


def poll_scopes(engine: Engine, *, actor: Actor) -> list[ScopeChoice]:
    """Where this actor may create a poll: the cycles of their wijken (facilitators) and single
    classes (teachers their own; facilitators any class of their wijken)."""
    with read_session(engine) as session:
        choices: list[ScopeChoice] = []
        cycles = session.exec(select(Cycle, Neighbourhood.name).join(
            Neighbourhood, col(Neighbourhood.id) == Cycle.neighbourhood_id).where(col(Cycle.archived_at).is_(None))
            .order_by(Neighbourhood.name, col(Cycle.school_year).desc())).all()
        for cycle, name in cycles:
            if actor.role != Role.TEACHER and actor.manages(cycle.neighbourhood_id):
                choices.append(ScopeChoice(cycle.id, None, f"{name} {cycle.school_year}"))
        classrooms = session.exec(select(Classroom).where(col(Classroom.archived_at).is_(None))).all()
        managed_cycles = {c.cycle_id for c in choices}
        mine = [c for c in classrooms if c.cycle_id in managed_cycles
                or (actor.role == Role.TEACHER and c.id in actor.classroom_ids)]
        labels = class_labels(session, mine)
        choices += sorted((ScopeChoice(None, c.id, labels[c.id]) for c in mine), key=lambda s: s.label)
        return choices


def _candidate_options(session: Session, poll: Poll) -> list[tuple[str, str]]:
    """What can be put on the ballot: the cycle's themes, or the approved plans (of the cycle, or
    of the class for a class poll), as (key, label)."""
    cycle = _cycle_of(session, poll)
    if poll.subject == OptionSubject.THEMES:
        themes = session.exec(select(Theme).where(Theme.cycle_id == cycle.id).order_by(Theme.name)).all()
        return [(f"theme:{theme.id}", theme.name) for theme in themes]
    query = (select(Plan).join(LessonRun, col(LessonRun.id) == Plan.run_id)
             .join(Classroom, col(Classroom.id) == LessonRun.classroom_id)
             .where(Classroom.cycle_id == cycle.id, Plan.status == PlanStatus.APPROVED).order_by(Plan.id))
    if poll.classroom_id is not None:
        query = query.where(LessonRun.classroom_id == poll.classroom_id)
    return [(f"plan:{plan.id}", (plan.answers.get("title") or f"#{plan.id}")[:120]) for plan in session.exec(query)]


def _option_key(option: PollOption) -> str:
    """The candidate key an option was made from (see _candidate_options)."""
    return f"theme:{option.theme_id}" if option.theme_id is not None else f"plan:{option.plan_id}"


def option_candidates(engine: Engine, *, actor: Actor, poll_id: int) -> list[tuple[str, str]]:
    with read_session(engine) as session:
        return _candidate_options(session, poll_in_scope(session, actor, poll_id, manage=True))


def _lock_draft(session: Session, poll_id: int) -> None:
    """Options and settings change only before the poll opens: one conditional UPDATE, so an
    "open" at the same moment cannot slip in between (it waits for this row, or wins first)."""
    changed = session.execute(update(Poll).where(col(Poll.id) == poll_id, col(Poll.opened_at).is_(None))
                              .values(opened_at=None)).rowcount
    if changed != 1:
        raise Conflict("poll.already_open")


def _replace_options(session: Session, poll: Poll, keys: list[str]) -> None:
    candidates = dict(_candidate_options(session, poll))
    keys = list(dict.fromkeys(keys))  # a double tap adds an option once
    unknown = [k for k in keys if k not in candidates]
    if unknown:
        raise InvalidInput("poll.unknown_option")
    if not 2 <= len(keys) <= MAX_OPTIONS:
        raise InvalidInput("poll.option_count", low=2, high=MAX_OPTIONS)
    for option in session.exec(select(PollOption).where(PollOption.poll_id == poll.id)).all():
        session.delete(option)
    session.flush()
    seen_labels: set[str] = set()
    for position, key in enumerate(keys):
        kind, _, raw_id = key.partition(":")
        label = candidates[key]
        while label in seen_labels:  # two plans may share a title; the ballot must tell them apart
            label = f"{label} ({position + 1})"
        seen_labels.add(label)
        session.add(PollOption(poll_id=poll.id, position=position, label=label,
                               theme_id=int(raw_id) if kind == "theme" else None,
                               plan_id=int(raw_id) if kind == "plan" else None))


def _checked_settings(settings: dict[str, object]) -> PollSettings:
    checked = validated(PollSettings, **settings)
    if checked.method not in METHODS_FOR_KIND[checked.ballot_kind]:
        raise InvalidInput("poll.method_not_for_kind")
    if checked.dots_per_option > checked.dots_total:
        raise InvalidInput("poll.dots_per_option_too_high")
    if checked.ballot_kind == BallotKind.SINGLE:
        checked.max_choices = 1
    return checked


def create_poll(engine: Engine, *, actor: Actor, cycle_id: int | None = None, classroom_id: int | None = None,
                option_keys: list[str] | None = None, **settings: object) -> int:
    """A new poll in draft, with the given options or, by default, every candidate option."""
    require_role(actor, Role.ADMIN, Role.FACILITATOR, Role.TEACHER)
    checked = _checked_settings(settings)
    if (cycle_id is None) == (classroom_id is None):
        raise InvalidInput("poll.scope_required")
    with write_session(engine) as session:
        poll = Poll(cycle_id=cycle_id, classroom_id=classroom_id, created_by=actor.user_id, **checked.model_dump())
        exists = session.get(Cycle, cycle_id) if cycle_id else session.get(Classroom, classroom_id)
        if exists is None or not _may_manage(session, actor, poll):
            raise NotAllowed("error.not_allowed")
        session.add(poll)
        session.flush()
        keys = option_keys if option_keys is not None else [k for k, _ in _candidate_options(session, poll)]
        if len(keys) < 2:
            raise InvalidInput("poll.not_enough_candidates")
        _replace_options(session, poll, keys[:MAX_OPTIONS])
        audit_poll(session, actor, poll, "poll.created", {"options": len(keys[:MAX_OPTIONS])})
        return poll.id


def update_poll(engine: Engine, *, actor: Actor, poll_id: int, option_keys: list[str], **settings: object) -> None:
    """Change a draft poll's settings and options (refused once it has opened)."""
    checked = _checked_settings(settings)
    with write_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id, manage=True)
        _lock_draft(session, poll_id)
        session.refresh(poll)
        for name, value in checked.model_dump().items():
            setattr(poll, name, value)
        session.add(poll)
        _replace_options(session, poll, option_keys)
        audit_poll(session, actor, poll, "poll.edited", {"options": len(option_keys)})


def set_options(engine: Engine, *, actor: Actor, poll_id: int, option_keys: list[str]) -> None:
    """Put these candidates (keys of option_candidates, in ballot order) on a draft poll's ballot;
    its settings stay as they are. Refused once the poll has opened."""
    with write_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id, manage=True)
        _lock_draft(session, poll_id)
        session.refresh(poll)
        _replace_options(session, poll, option_keys)
        audit_poll(session, actor, poll, "poll.edited", {"options": len(option_keys)})


def open_poll(engine: Engine, *, actor: Actor, poll_id: int, closes_at: datetime | None = None) -> None:
    """Open now; optionally with a planned close. Options are fixed from here on."""
    now = utcnow()
    if closes_at is not None and as_utc(closes_at) <= now:
        raise InvalidInput("poll.close_in_past")
    with write_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id, manage=True)
        opened = session.execute(update(Poll).where(col(Poll.id) == poll_id, col(Poll.opened_at).is_(None))
                                 .values(opened_at=now, closed_at=closes_at)
                                 .execution_options(synchronize_session=False)).rowcount
        if opened != 1:
            raise Conflict("poll.already_open")
        audit_poll(session, actor, poll, "poll.opened", {"planned_close": closes_at is not None})


def close_poll(engine: Engine, *, actor: Actor, poll_id: int) -> None:
    """Close now. A ballot whose card was accepted before this moment is counted."""
    now = utcnow()
    with write_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id, manage=True)
        closed = session.execute(update(Poll).where(
            col(Poll.id) == poll_id, col(Poll.opened_at).is_not(None), col(Poll.opened_at) <= now,
            or_(col(Poll.closed_at).is_(None), col(Poll.closed_at) > now),
        ).values(closed_at=now).execution_options(synchronize_session=False)).rowcount
        if closed != 1:
            raise Conflict("poll.not_open")
        audit_poll(session, actor, poll, "poll.closed", {})
    seal(engine, poll_id)


def seal(engine: Engine, poll_id: int) -> bool:
    """Once a poll has closed, write its ballots, receipts and cards afresh in one transaction:
    ballots get new random ids and are stored in that random order, receipts in sorted order, and
    all cards are rewritten together. Afterwards neither the storage order nor PostgreSQL's
    per-transaction row versions (xmin: a card, its ballot and its receipt were written in one
    transaction) link a ballot to a card, a receipt or the moment it was cast. Runs at most once
    (one conditional UPDATE decides); a planned close is sealed by the first read of the results."""
    ballot_t, receipt_t, card_t = Ballot.__table__, Receipt.__table__, VotingCard.__table__
    with write_session(engine) as session:
        won = session.execute(update(Poll).where(
            col(Poll.id) == poll_id, col(Poll.sealed).is_(False), col(Poll.closed_at).is_not(None),
            col(Poll.closed_at) <= utcnow()).values(sealed=True)).rowcount
        if won != 1:
            return False
        # DELETE ... RETURNING: what is re-inserted is exactly what was removed, even if a vote
        # that passed its check just before the close commits meanwhile (it is then left as it is).
        rows = session.execute(delete(ballot_t).where(ballot_t.c.poll_id == poll_id)
                               .returning(ballot_t.c.classroom_id, ballot_t.c.choices)).all()
        fresh = sorted(({"id": secrets.token_hex(16), "poll_id": poll_id, "classroom_id": classroom_id,
                         "choices": choices} for classroom_id, choices in rows), key=lambda row: row["id"])
        if fresh:
            session.execute(insert(ballot_t), fresh)
        codes = sorted(session.execute(delete(receipt_t).where(receipt_t.c.poll_id == poll_id)
                                       .returning(receipt_t.c.code)).scalars())
        if codes:
            session.execute(insert(receipt_t), [{"poll_id": poll_id, "code": code} for code in codes])
        session.execute(update(card_t).where(card_t.c.poll_id == poll_id).values(used=card_t.c.used))
        return True


def sealed_if_closed(engine: Engine, poll_id: int) -> None:
    """Results are read only from a sealed poll (see seal); a planned close is sealed here."""
    with read_session(engine) as session:
        poll = session.get(Poll, poll_id)
        needs_seal = poll is not None and not poll.sealed and poll_status(poll) == PollStatus.CLOSED
    if needs_seal:
        seal(engine, poll_id)


def delete_draft(engine: Engine, *, actor: Actor, poll_id: int) -> None:
    """A draft can be thrown away; an opened poll is part of the record."""
    with write_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id, manage=True)
        _lock_draft(session, poll_id)
        for option in session.exec(select(PollOption).where(PollOption.poll_id == poll_id)).all():
            session.delete(option)
        audit_poll(session, actor, poll, "poll.deleted", {})
        session.flush()
        session.delete(poll)


# --- turnout (live) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Turnout:
    classroom_id: int
    label: str
    pupils: int
    electronic: int  # ballots from cards and the booth
    papers: int  # paper ballots handed in

    @property
    def ballots(self) -> int:
        return self.electronic + self.papers


def class_turnout(session: Session, poll: Poll, classrooms: list[Classroom]) -> list[Turnout]:
    """Per class: ballots cast on tablets and papers counted, for turnout and the results."""
    electronic = dict(session.exec(select(Ballot.classroom_id, func.count()).where(Ballot.poll_id == poll.id)
                                   .group_by(Ballot.classroom_id)).all())
    papers = dict(session.exec(select(PaperTally.classroom_id, PaperTally.papers)
                               .where(PaperTally.poll_id == poll.id)).all())
    labels = class_labels(session, classrooms)
    return [Turnout(c.id, labels[c.id], c.pupil_count, electronic.get(c.id, 0), papers.get(c.id, 0))
            for c in classrooms]


def turnout(engine: Engine, *, actor: Actor, poll_id: int) -> list[Turnout]:
    """Ballots cast per class — the only figure shown while a poll is open."""
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        return class_turnout(session, poll, acting_classrooms(session, actor, poll))


# --- receipts (after the close) --------------------------------------------------------------


def receipt_codes(engine: Engine, *, actor: Actor, poll_id: int) -> list[str]:
    """Every counted receipt, sorted (so the list says nothing about the order of voting)."""
    sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        if poll_status(poll) != PollStatus.CLOSED:
            raise NotAllowed("poll.results_after_close")
        codes = session.exec(select(Receipt.code).where(Receipt.poll_id == poll_id)).all()
        return [show_code(code) for code in sorted(codes)]


def check_receipt(engine: Engine, *, code: str) -> str | None:
    """For a child checking their receipt: the title of the closed poll that counted it, or None.
    Says nothing about the ballot, and nothing at all while the poll is open."""
    code = normalise_code(code).replace("-", "")
    with read_session(engine) as session:
        for poll_id in session.exec(select(Receipt.poll_id).where(Receipt.code == code)).all():
            poll = session.get(Poll, poll_id)
            if poll_status(poll) == PollStatus.CLOSED:
                return poll.title
    return None


# --- helpers for the casting services -------------------------------------------------------


def show_code(code: str) -> str:
    """Codes are shown in two halves, easier to read aloud and to type: K7QM-4TXP."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def new_code(length: int) -> str:
    """Codes children type: the join-code alphabet without look-alikes."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(length))


def valid_methods(kind: BallotKind) -> tuple[CountMethod, ...]:
    return METHODS_FOR_KIND[kind]


def audit_poll(session: Session, actor: Actor, poll: Poll, action: str, detail: dict) -> None:
    """A staff change to a poll in the audit log. Never a vote: a cast ballot leaves no trace
    with a time in it (see seal)."""
    cycle_id = poll.cycle_id
    if cycle_id is None and poll.classroom_id is not None:
        cycle_id = session.get(Classroom, poll.classroom_id).cycle_id
    audit.record(session, actor=actor, action=action, subject="poll", subject_id=poll.id, cycle_id=cycle_id,
                 detail=detail)
