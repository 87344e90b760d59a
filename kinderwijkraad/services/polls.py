"""Polls: the facilitator sets one up (options, ballot kind, counting method), opens and closes it;
classes vote during their lessons; after the close everyone sees the results.

A wijk-wide poll belongs to a cycle and every class of that cycle votes in it; a class poll
belongs to one class. While a poll is open only turnout is shown — never counts. Results are
counted on read from the ballots and paper tallies (see `voting/`), so a recount from the
database always gives what the screen showed.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, delete, func, insert, or_, update
from sqlmodel import Session, col, select

from kinderwijkraad import voting
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.exports.voting import ResultRow, ResultsReport, TurnoutRow
from kinderwijkraad.i18n import t
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
    Receipt,
    Role,
    School,
    Theme,
    VotingCard,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.models.voting import METHODS_FOR_KIND, PollSettings
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, require_role, validated
from kinderwijkraad.services.lessons import JOIN_ALPHABET, normalise_code

MAX_OPTIONS = 20
MIN_BALLOTS_SHOWN = 5  # smaller groups are shown only inside the wijk total, so no vote can be guessed
TOP = 3


# --- status and scope ----------------------------------------------------------------------


def poll_status(poll: Poll, now: datetime | None = None) -> str:
    """draft, open or closed — by the server's clock, so a planned close needs no job to run."""
    now = now or utcnow()
    if poll.opened_at is None or now < as_utc(poll.opened_at):
        return "draft"
    if poll.closed_at is not None and as_utc(poll.closed_at) <= now:
        return "closed"
    return "open"


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


def _classrooms_of(session: Session, poll: Poll) -> list[Classroom]:
    """The classes that vote in this poll, in a stable order."""
    if poll.classroom_id is not None:
        return [session.get(Classroom, poll.classroom_id)]
    return list(session.exec(
        select(Classroom).where(Classroom.cycle_id == poll.cycle_id, col(Classroom.archived_at).is_(None))
        .order_by(Classroom.school_id, Classroom.name)
    ).all())


def _acting_classrooms(session: Session, actor: Actor, poll: Poll) -> list[Classroom]:
    """The poll's classes this actor may run the vote in (cards, booth, paper, turnout)."""
    classrooms = _classrooms_of(session, poll)
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
    allowed = _may_manage(session, actor, poll) if manage else bool(_acting_classrooms(session, actor, poll))
    if not allowed:
        raise NotAllowed("error.not_allowed")
    return poll


def classroom_of_poll(session: Session, actor: Actor, poll: Poll, classroom_id: int) -> Classroom:
    """A class that votes in the poll and that the actor may run the vote in."""
    for classroom in _acting_classrooms(session, actor, poll):
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
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    runoff_of: int | None
    options: tuple[OptionView, ...] = field(default_factory=tuple)

    @property
    def option_ids(self) -> list[int]:
        return [o.id for o in self.options]

    def label_of(self, option_id: int | str) -> str:
        return next((o.label for o in self.options if str(o.id) == str(option_id)), str(option_id))


def view_of(session: Session, poll: Poll, now: datetime | None = None) -> PollView:
    options = session.exec(select(PollOption).where(PollOption.poll_id == poll.id)
                           .order_by(PollOption.position)).all()
    plan_teams = dict(session.exec(select(Plan.id, Plan.team_id).where(
        col(Plan.id).in_({o.plan_id for o in options if o.plan_id} or {-1}))).all())
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
        options=tuple(OptionView(o.id, o.label, plan_teams.get(o.plan_id)) for o in options),
    )


def poll_view(engine: Engine, *, actor: Actor, poll_id: int) -> PollView:
    with read_session(engine) as session:
        return view_of(session, poll_in_scope(session, actor, poll_id))


@dataclass(frozen=True)
class PollSummary:
    id: int
    title: str
    scope_label: str
    status: str
    ballot_kind: BallotKind
    options: int
    manageable: bool


def list_polls(engine: Engine, *, actor: Actor) -> list[PollSummary]:
    """The polls this actor manages or runs a vote in, newest first."""
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
        now = utcnow()
        result = []
        for poll in session.exec(query).all():
            view = view_of(session, poll, now)
            result.append(PollSummary(poll.id, poll.title, view.scope_label, view.status, poll.ballot_kind,
                                      counts.get(poll.id, 0), _may_manage(session, actor, poll)))
        return result


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


def _sealed_if_closed(engine: Engine, poll_id: int) -> None:
    """Results are read only from a sealed poll (see seal); a planned close is sealed here."""
    with read_session(engine) as session:
        poll = session.get(Poll, poll_id)
        needs_seal = poll is not None and not poll.sealed and poll_status(poll) == "closed"
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


def _turnout(session: Session, poll: Poll, classrooms: list[Classroom]) -> list[Turnout]:
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
        return _turnout(session, poll, _acting_classrooms(session, actor, poll))


# --- results (after the close) ---------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    option_id: int
    label: str
    electronic: int
    paper: int
    total: int
    place: int
    top: bool


@dataclass(frozen=True)
class ScopeResult:
    """The count of one class, one school or the whole poll."""

    label: str
    ballots: int
    shown: bool  # False below MIN_BALLOTS_SHOWN (classes and schools only)
    result: voting.Result | None
    rows: tuple[ScoreRow, ...]


@dataclass(frozen=True)
class PollResults:
    poll: PollView
    total: ScopeResult
    schools: tuple[ScopeResult, ...]
    classes: tuple[ScopeResult, ...]
    turnout: tuple[Turnout, ...]
    tied_for_top: tuple[str, ...]  # labels tied across the top-3 boundary (or for first place)
    receipts: int


def _is_additive(method: CountMethod) -> bool:
    return method in (CountMethod.PLURALITY, CountMethod.APPROVAL, CountMethod.DOTS)


def _count(poll: PollView, ballots: list[tuple[str, ...]], tallies: list[PaperTally]) -> voting.Result:
    options = [str(i) for i in poll.option_ids]
    k = poll.max_choices if poll.method == CountMethod.BORDA else None
    electronic = voting.count(poll.method.value, ballots, options=options, k=k)
    if not tallies or not _is_additive(poll.method):
        return electronic
    counts: dict[str, int] = defaultdict(int)
    for tally in tallies:
        for option_id, marks in tally.counts.items():
            counts[str(option_id)] += int(marks)
    return voting.add_paper_counts(electronic, counts, sum(t.papers for t in tallies))


def _shown_scores(result: voting.Result) -> dict[str, int]:
    """The number beside each option: its score, or for instant runoff the votes it held in the
    last round it took part in (first-round counts would put a later winner below a loser)."""
    if not result.rounds:
        return result.scores
    return {option: count for round_counts in result.rounds for option, count in round_counts.items()}


def _rows(poll: PollView, result: voting.Result, electronic: voting.Result) -> tuple[ScoreRow, ...]:
    """One row per option, best first; places shared by ties, top-3 marked by place."""
    rows = []
    position = 1
    scores, electronic_scores = _shown_scores(result), _shown_scores(electronic)
    for group in result.places:
        for option in group:
            e = electronic_scores.get(option, 0)
            total = scores.get(option, 0)
            rows.append(ScoreRow(int(option), poll.label_of(option), e, total - e, total, position, position <= TOP))
        position += len(group)
    return tuple(rows)


def _scope_result(poll: PollView, label: str, ballots: list[tuple[str, ...]], tallies: list[PaperTally],
                  *, always_shown: bool = False) -> ScopeResult:
    count = len(ballots) + sum(t.papers for t in tallies)
    shown = always_shown or count >= MIN_BALLOTS_SHOWN
    if not shown:
        return ScopeResult(label, count, False, None, ())
    result = _count(poll, ballots, tallies)
    electronic = _count(poll, ballots, [])
    return ScopeResult(label, count, True, result, _rows(poll, result, electronic))


def _tied_for_top(result: voting.Result, poll: PollView) -> tuple[str, ...]:
    """The options of the first place group that is a tie and starts inside the top 3."""
    position = 0
    for group in result.places:
        if position >= TOP:
            break
        if len(group) > 1 and (position == 0 or position + len(group) > TOP):
            return tuple(poll.label_of(o) for o in group)
        position += len(group)
    return ()


def _load_ballots(session: Session, poll_id: int) -> list[tuple[int, tuple[str, ...]]]:
    rows = session.exec(select(Ballot.classroom_id, Ballot.choices).where(Ballot.poll_id == poll_id)).all()
    return [(classroom_id, tuple(str(c) for c in choices)) for classroom_id, choices in rows]


def _results(session: Session, poll: Poll, classrooms: list[Classroom]) -> PollResults:
    view = view_of(session, poll)
    if view.status != "closed":
        raise NotAllowed("poll.results_after_close")
    ballots = _load_ballots(session, poll.id)
    tallies = session.exec(select(PaperTally).where(PaperTally.poll_id == poll.id)).all()
    all_classes = _classrooms_of(session, poll)
    labels = class_labels(session, all_classes)
    by_class: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for classroom_id, choices in ballots:
        by_class[classroom_id].append(choices)
    tallies_by_class = {t.classroom_id: t for t in tallies}
    visible = {c.id for c in classrooms}
    classes = tuple(_scope_result(view, labels[c.id], by_class[c.id], [tallies_by_class[c.id]]
                                  if c.id in tallies_by_class else []) for c in all_classes if c.id in visible)
    schools = []
    if view.is_wijk_wide:
        school_names = {s.id: s.name for s in session.exec(
            select(School).where(col(School.id).in_({c.school_id for c in all_classes} or {-1}))).all()}
        for school_id in dict.fromkeys(c.school_id for c in all_classes):
            members = [c for c in all_classes if c.school_id == school_id]
            if not any(c.id in visible for c in members):
                continue
            schools.append(_scope_result(view, school_names[school_id],
                                         [b for c in members for b in by_class[c.id]],
                                         [tallies_by_class[c.id] for c in members if c.id in tallies_by_class]))
    total = _scope_result(view, view.scope_label, [b for _, b in ballots], list(tallies), always_shown=True)
    receipts = session.exec(select(func.count()).select_from(Receipt).where(Receipt.poll_id == poll.id)).one()
    return PollResults(view, total, tuple(schools), classes,
                       tuple(t for t in _turnout(session, poll, all_classes) if t.classroom_id in visible),
                       _tied_for_top(total.result, view), receipts)


def results(engine: Engine, *, actor: Actor, poll_id: int) -> PollResults:
    """The counts per class, per school and in total — only after the close."""
    _sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        return _results(session, poll, _acting_classrooms(session, actor, poll))


def receipt_codes(engine: Engine, *, actor: Actor, poll_id: int) -> list[str]:
    """Every counted receipt, sorted (so the list says nothing about the order of voting)."""
    _sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        if poll_status(poll) != "closed":
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
            if poll_status(poll) == "closed":
                return poll.title
    return None


def method_comparison(engine: Engine, *, actor: Actor,
                      poll_id: int) -> tuple[PollView, dict[voting.Method, voting.Result]]:
    """The poll's ranking ballots counted by every method, for "Hoe tel je stemmen?"."""
    _sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        view = view_of(session, poll)
        if view.status != "closed":
            raise NotAllowed("poll.results_after_close")
        if view.ballot_kind != BallotKind.RANKING:
            raise InvalidInput("poll.compare_needs_ranking")
        ballots = [b for _, b in _load_ballots(session, poll_id)]
    return view, voting.compare(ballots, options=[str(i) for i in view.option_ids], k=view.max_choices)


def recount(engine: Engine, *, poll_id: int) -> dict:
    """The command-line recount: the poll's total counted afresh from the database, as JSON."""
    _sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = session.get(Poll, poll_id)
        if poll is None:
            raise NotFound("error.not_found.poll")
        if poll_status(poll) != "closed":
            raise NotAllowed("poll.results_after_close")
        view = view_of(session, poll)
        tallies = list(session.exec(select(PaperTally).where(PaperTally.poll_id == poll_id)).all())
        result = _count(view, [b for _, b in _load_ballots(session, poll_id)], tallies)
    # Option labels are unique within a poll: the recount speaks of themes, not of row ids.
    label = view.label_of
    document = voting.result_json(result)
    document["scores"] = {label(o): score for o, score in document["scores"].items()}
    document["ranking"] = [label(o) for o in document["ranking"]]
    document["winners"] = [label(o) for o in document["winners"]]
    document["places"] = [[label(o) for o in group] for group in document.get("places", [])]
    if "rounds" in document:
        document["rounds"] = [{label(o): n for o, n in r.items()} for r in document["rounds"]]
    return {"poll": view.title, **document}


def start_runoff(engine: Engine, *, actor: Actor, poll_id: int) -> int:
    """A new single-choice poll between the options tied for the top, for the facilitator to open."""
    with write_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id, manage=True)
        outcome = _results(session, poll, _classrooms_of(session, poll))
        if not outcome.tied_for_top:
            raise InvalidInput("poll.no_tie")
        tied = set(outcome.tied_for_top)
        old_options = [o for o in session.exec(select(PollOption).where(PollOption.poll_id == poll_id)
                                              .order_by(PollOption.position)).all() if o.label in tied]
        runoff = Poll(cycle_id=poll.cycle_id, classroom_id=poll.classroom_id, created_by=actor.user_id,
                      title=f"{poll.title[:100]} – herstemming", question=poll.question, subject=poll.subject,
                      ballot_kind=BallotKind.SINGLE, method=CountMethod.PLURALITY, max_choices=1,
                      allow_blank=poll.allow_blank, block_own_plan=poll.block_own_plan, runoff_of=poll.id)
        session.add(runoff)
        session.flush()
        for position, option in enumerate(old_options):
            session.add(PollOption(poll_id=runoff.id, position=position, label=option.label,
                                   theme_id=option.theme_id, plan_id=option.plan_id))
        audit_poll(session, actor, runoff, "poll.runoff_created", {"runoff_of": poll.id})
        return runoff.id


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


def results_report(outcome: PollResults, scope: ScopeResult, *, closed_at_text: str) -> ResultsReport:
    """The notice-board PDF's and the CSV's data for one scope (the total, a school or a class)."""
    poll = outcome.poll
    method = t(f"method.{poll.method.value}", k=poll.max_choices)
    tied = outcome.tied_for_top if scope is outcome.total else ()
    return ResultsReport(
        title=poll.title, scope_label=scope.label, method_label=method, closed_at=closed_at_text,
        ballots=scope.ballots,
        rows=[ResultRow(r.label, r.electronic, r.paper, r.total, r.place, r.top) for r in scope.rows],
        turnout=[TurnoutRow(row.label, row.ballots, row.pupils, row.ballots >= MIN_BALLOTS_SHOWN)
                 for row in outcome.turnout],
        winners_note=t("results.tie_note", options=", ".join(tied)) if tied else "",
        footnote=t("results.footnote", min=MIN_BALLOTS_SHOWN),
    )


def closed_results(session: Session, poll: Poll) -> PollResults:
    """The full count of a closed poll inside the caller's session (for services that build on
    the outcome: support in a proposal, the council's work list, a plan's lifecycle)."""
    return _results(session, poll, _classrooms_of(session, poll))


def audit_poll(session: Session, actor: Actor, poll: Poll, action: str, detail: dict) -> None:
    """A staff change to a poll in the audit log. Never a vote: a cast ballot leaves no trace
    with a time in it (see seal)."""
    cycle_id = poll.cycle_id
    if cycle_id is None and poll.classroom_id is not None:
        cycle_id = session.get(Classroom, poll.classroom_id).cycle_id
    audit.record(session, actor=actor, action=action, subject="poll", subject_id=poll.id, cycle_id=cycle_id,
                 detail=detail)
