"""Dashboards: where every wijk's school year stands, in numbers — for the
facilitator across their wijken, and for the national team across all wijken.

Every figure is counted by the database (GROUP BY, COUNT, SUM over CASE), in a fixed number of
statements however many wijken and years there are: the cross-wijk overview is eight (the cycles,
then one per kind of count, and the length of the lesson series), a cycle's drill-down a few more.
Python only puts the per-cycle rows together and adds them up (totals per school year, per phase).
The vote's result per theme in the drill-down is counted by the vote's own method
(`support.cycle_support`), for that one cycle.

What counts:
- lessons given: per class, the distinct lessons (lesson_index) of its ended lesson runs;
- plans written: plans with content (a team that never typed has an empty plan);
- turnout: ballots (cards, booth and paper) in the cycle's deciding vote — its latest closed
  wijk-wide vote on themes, as in `services.support` — against the pupils of its classes;
- a plan is answered (realised) when a proposal that carries it — by name or through its theme —
  has an answer (is carried out), and fed back when its class saw its feedback sheet after the
  last of those answers (as in `services.feedback.lifecycles`);
- a class is fed back when it saw its sheet, after the last answer to its plans if there is one.

The overview holds aggregates only: per cycle counts and shares, never a child's name, a plan's
text or a class. Scope: a facilitator sees their wijken, an admin all; archived cycles and
classes (mistakes, mostly) are left out, cycles of archived wijken stay (their history stays).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import Engine, Integer, String, and_, case, cast, distinct, func, literal, null, or_, union_all
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.db import read_session
from kinderwijkraad.errors import NotAllowed
from kinderwijkraad.models import (
    Ballot,
    Classroom,
    Cycle,
    FeedbackShare,
    LessonRun,
    LessonTemplate,
    Neighbourhood,
    OptionSubject,
    Organisation,
    PaperTally,
    Phase,
    Plan,
    Poll,
    Proposal,
    ProposalPlan,
    Recipient,
    RecipientStatus,
    Role,
    School,
    SelfCheck,
    Theme,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services.common import Actor, managed_cycle
from kinderwijkraad.services.proposals import WAITING, today
from kinderwijkraad.services.self_check import QUESTIONS, SelfCheckView, self_check_view
from kinderwijkraad.services.support import cycle_support
from kinderwijkraad.services.templates import DEFAULT_SLUG

PHASES = tuple(Phase)
ANSWERED = (RecipientStatus.ANSWERED, RecipientStatus.DONE)
LESSONS_IN_SERIES = 3  # "three democracy lessons", when no template is stored yet


def pct(part: int, whole: int) -> float | None:
    """A share in percent, or None when there is nothing to share (shown as "—")."""
    return 100.0 * part / whole if whole else None


def days_since(moment: datetime | None) -> int | None:
    """Whole days from a stored moment to today, on the Amsterdam calendar (as RecipientRow)."""
    if moment is None:
        return None
    return (today() - as_utc(moment).astimezone(AMSTERDAM).date()).days


# --- read models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Numbers of one cycle, or summed over several: counts only, nothing about a child."""

    cycles: int = 0
    classes: int = 0
    schools: int = 0
    pupils: int = 0
    lessons_given: int = 0
    lessons_planned: int = 0
    plans: int = 0
    themes: int = 0
    votes: int = 0  # cycles whose deciding vote closed
    ballots: int = 0  # in those votes
    pupils_voting: int = 0  # pupils of the classes of those cycles
    proposals: int = 0
    sent: int = 0  # recipients a proposal was sent to (every status but concept)
    answered: int = 0  # of those, answered or carried out
    realised: int = 0  # carried out
    waiting: int = 0  # sent, no answer yet
    overdue: int = 0  # waiting past the reply-by date
    longest_wait_days: int | None = None
    plans_answered: int = 0
    plans_realised: int = 0
    plans_fed_back: int = 0
    classes_with_plans: int = 0
    classes_fed_back: int = 0
    self_checks: int = 0  # cycles whose self-check was filled in
    self_check_yes: int = 0

    @property
    def turnout_pct(self) -> float | None:
        return pct(self.ballots, self.pupils_voting)

    @property
    def lessons_pct(self) -> float | None:
        return pct(self.lessons_given, self.lessons_planned)

    @property
    def answered_pct(self) -> float | None:
        """Of the recipients a proposal was sent to, the share that answered."""
        return pct(self.answered, self.sent)

    @property
    def realised_pct(self) -> float | None:
        return pct(self.realised, self.sent)

    @property
    def plans_answered_pct(self) -> float | None:
        return pct(self.plans_answered, self.plans)

    @property
    def plans_realised_pct(self) -> float | None:
        return pct(self.plans_realised, self.plans)

    @property
    def plans_fed_back_pct(self) -> float | None:
        return pct(self.plans_fed_back, self.plans)

    @property
    def classes_fed_back_pct(self) -> float | None:
        return pct(self.classes_fed_back, self.classes_with_plans)

    @property
    def self_check_pct(self) -> float | None:
        return pct(self.self_check_yes, self.self_checks * len(QUESTIONS))


_SUMMED = tuple(spec.name for spec in fields(Counts) if spec.name != "longest_wait_days")


def total(counts: Iterable[Counts]) -> Counts:
    """Counts added up; the longest wait is the longest of all."""
    items = list(counts)
    values: dict[str, int | None] = {name: sum(getattr(item, name) for item in items) for name in _SUMMED}
    values["longest_wait_days"] = max((item.longest_wait_days for item in items
                                       if item.longest_wait_days is not None), default=None)
    return Counts(**values)


@dataclass(frozen=True)
class CycleFigures:
    """One wijk's school year: where it stands and its numbers."""

    cycle_id: int
    neighbourhood_id: int
    neighbourhood: str
    municipality: str
    school_year: str
    phase: Phase
    counts: Counts

    @property
    def phase_step(self) -> int:
        """1 (preparation) to 7 (closed): the cycle's progress through the year."""
        return PHASES.index(self.phase) + 1


@dataclass(frozen=True)
class YearTotals:
    school_year: str
    counts: Counts
    phases: dict[Phase, int]  # cycles per phase


@dataclass(frozen=True)
class Overview:
    """The cross-wijk view: one row per cycle, and the same summed per school year."""

    rows: tuple[CycleFigures, ...]

    @cached_property
    def totals(self) -> Counts:
        return total(row.counts for row in self.rows)

    @property
    def school_years(self) -> list[str]:
        return sorted({row.school_year for row in self.rows}, reverse=True)

    def by_year(self) -> list[YearTotals]:
        """Oldest year first, for a trend."""
        grouped: dict[str, list[CycleFigures]] = defaultdict(list)
        for row in self.rows:
            grouped[row.school_year].append(row)
        return [YearTotals(year, total(r.counts for r in rows), dict(Counter(r.phase for r in rows)))
                for year, rows in sorted(grouped.items())]

    def of_year(self, school_year: str | None) -> Overview:
        if school_year is None:
            return self
        return Overview(tuple(row for row in self.rows if row.school_year == school_year))

    def phases(self) -> dict[Phase, int]:
        """Cycles per phase, every phase present (0 when none), in order."""
        counted = Counter(row.phase for row in self.rows)
        return {phase: counted.get(phase, 0) for phase in PHASES}


@dataclass(frozen=True)
class FilterChoices:
    school_years: tuple[str, ...]  # newest first
    neighbourhoods: tuple[tuple[int, str], ...]  # (id, name) in the actor's scope, by name


@dataclass(frozen=True)
class ClassRow:
    classroom_id: int
    label: str  # "Groep 7"
    school: str
    pupils: int
    lessons_given: int
    plans: int
    ballots: int  # in the deciding vote
    plans_answered: int
    plans_realised: int
    plans_fed_back: int
    last_shared_at: datetime | None
    fed_back: bool

    @property
    def turnout_pct(self) -> float | None:
        return pct(self.ballots, self.pupils)


@dataclass(frozen=True)
class SchoolRow:
    name: str
    classes: int
    pupils: int
    plans: int
    ballots: int

    @property
    def turnout_pct(self) -> float | None:
        return pct(self.ballots, self.pupils)


@dataclass(frozen=True)
class ThemeRow:
    name: str
    plans: int
    score: int | None  # in the deciding vote; None before it closed or when not on the ballot
    place: int | None

    @property
    def in_top(self) -> bool:
        return self.place is not None and self.place <= 3


@dataclass(frozen=True)
class RecipientLine:
    proposal: str
    organisation: str
    status: RecipientStatus
    decision: str | None  # Decision value
    sent_at: datetime | None
    reply_by: date | None
    days_waiting: int | None  # since sent, while no answer
    overdue: bool



@dataclass(frozen=True)
class CycleDashboard:
    figures: CycleFigures
    lessons_in_series: int
    classes: tuple[ClassRow, ...]
    schools: tuple[SchoolRow, ...]
    themes: tuple[ThemeRow, ...]
    poll_title: str  # the deciding vote, "" before one closed
    recipients: tuple[RecipientLine, ...]
    self_check: SelfCheckView


# --- scope -----------------------------------------------------------------------------------


def _scope(actor: Actor, *, school_year: str | None = None, neighbourhood_id: int | None = None,
           cycle_id: int | None = None) -> list:
    """The conditions on Cycle for the cycles the actor may see, filtered; refuses roles without a
    dashboard and a wijk outside the actor's scope."""
    if actor.role not in (Role.ADMIN, Role.FACILITATOR):
        raise NotAllowed("error.not_allowed")
    if neighbourhood_id is not None and not actor.manages(neighbourhood_id):
        raise NotAllowed("error.not_allowed")
    conditions: list = [col(Cycle.archived_at).is_(None)]
    if actor.role == Role.FACILITATOR:
        conditions.append(col(Cycle.neighbourhood_id).in_(sorted(actor.neighbourhood_ids)))
    if school_year is not None:
        conditions.append(Cycle.school_year == school_year)
    if neighbourhood_id is not None:
        conditions.append(Cycle.neighbourhood_id == neighbourhood_id)
    if cycle_id is not None:
        conditions.append(Cycle.id == cycle_id)
    return conditions


# --- the aggregate queries (each a subquery keyed by cycle or class) ---------------------------


def _has_content() -> object:
    """A plan a team wrote something in. Plans are JSON; '{}' is how both engines store an empty
    one (SQLAlchemy writes it with json.dumps), so the text comparison is portable."""
    return cast(Plan.answers, String) != "{}"


def _lessons_per_class(scope: Select):
    return (select(LessonRun.classroom_id.label("classroom_id"), Classroom.cycle_id.label("cycle_id"),
                   func.count(distinct(LessonRun.lesson_index)).label("given"))
            .join(Classroom, col(Classroom.id) == LessonRun.classroom_id)
            .where(col(Classroom.cycle_id).in_(scope), col(Classroom.archived_at).is_(None),
                   col(LessonRun.ended_at).is_not(None))
            .group_by(LessonRun.classroom_id, Classroom.cycle_id).subquery("lessons_class"))


def _deciding_polls(scope: Select, now: datetime):
    """Per cycle its deciding vote: the latest closed wijk-wide poll on themes (closed_at, then id,
    newest first: as `support.deciding_poll`)."""
    ranked = (select(Poll.id.label("poll_id"), Poll.cycle_id.label("cycle_id"),
                     func.row_number().over(partition_by=Poll.cycle_id,
                                            order_by=(col(Poll.closed_at).desc(), col(Poll.id).desc())).label("rank"))
              .where(col(Poll.cycle_id).in_(scope), Poll.subject == OptionSubject.THEMES,
                     col(Poll.opened_at) <= now, col(Poll.closed_at) <= now)
              .subquery("ranked_polls"))
    return select(ranked.c.poll_id, ranked.c.cycle_id).where(ranked.c.rank == 1).subquery("deciding")


def _votes_per_class(deciding):
    """Ballots per class in the deciding votes: electronic ballots plus the papers of paper tallies.
    Each kind is joined to the deciding polls on its poll_id index and grouped before the union."""
    electronic = (select(deciding.c.cycle_id.label("cycle_id"), Ballot.classroom_id.label("classroom_id"),
                         func.count().label("n"))
                  .join(Ballot, col(Ballot.poll_id) == deciding.c.poll_id)
                  .group_by(deciding.c.cycle_id, Ballot.classroom_id))
    paper = (select(deciding.c.cycle_id, PaperTally.classroom_id, func.sum(PaperTally.papers))
             .join(PaperTally, col(PaperTally.poll_id) == deciding.c.poll_id)
             .group_by(deciding.c.cycle_id, PaperTally.classroom_id))
    # A row of nothing per deciding poll, so a vote without ballots still counts as held.
    held = select(deciding.c.cycle_id, cast(null(), Integer), literal(0))
    marks = union_all(electronic, paper, held).subquery("marks")
    return (select(marks.c.cycle_id, marks.c.classroom_id, func.sum(marks.c.n).label("ballots"))
            .group_by(marks.c.cycle_id, marks.c.classroom_id).subquery("votes_class"))


def _plan_answers(scope: Select):
    """Per plan carried by an answered proposal (named in it, or through its theme): the moment of
    its last answer and whether one of them was carried out."""
    answered = col(Recipient.status).in_(ANSWERED)
    named = (select(ProposalPlan.plan_id.label("plan_id"), Recipient.status.label("status"),
                    Recipient.answered_at.label("answered_at"))
             .join(Proposal, col(Proposal.id) == ProposalPlan.proposal_id)
             .join(Recipient, col(Recipient.proposal_id) == Proposal.id)
             .where(col(Proposal.cycle_id).in_(scope), answered))
    by_theme = (select(Plan.id, Recipient.status, Recipient.answered_at)
                .join(Proposal, col(Proposal.theme_id) == Plan.theme_id)
                .join(Recipient, col(Recipient.proposal_id) == Proposal.id)
                .where(col(Proposal.cycle_id).in_(scope), answered))
    carried = union_all(named, by_theme).subquery("carried")
    return (select(carried.c.plan_id, func.max(carried.c.answered_at).label("last_answer"),
                   func.max(case((carried.c.status == RecipientStatus.DONE, 1), else_=0)).label("realised"))
            .group_by(carried.c.plan_id).subquery("plan_answers"))


def _last_shares(scope: Select):
    return (select(FeedbackShare.classroom_id.label("classroom_id"),
                   func.max(FeedbackShare.shared_at).label("last_shared"))
            .where(col(FeedbackShare.cycle_id).in_(scope))
            .group_by(FeedbackShare.classroom_id).subquery("shares"))


def _plans_per_class(scope: Select, shares):
    """Per class with plans: plans written, answered, realised and fed back, the last answer."""
    answers = _plan_answers(scope)
    is_answered = answers.c.plan_id.is_not(None)
    fed_back = and_(is_answered, shares.c.last_shared >= answers.c.last_answer)
    return (select(Classroom.cycle_id.label("cycle_id"), Classroom.id.label("classroom_id"),
                   func.count(Plan.id).label("plans"),
                   func.sum(case((is_answered, 1), else_=0)).label("answered"),
                   func.sum(case((answers.c.realised == 1, 1), else_=0)).label("realised"),
                   func.sum(case((fed_back, 1), else_=0)).label("fed_back"),
                   func.max(answers.c.last_answer).label("last_answer"),
                   func.max(shares.c.last_shared).label("last_shared"))
            .select_from(Plan)
            .join(LessonRun, col(LessonRun.id) == Plan.run_id)
            .join(Classroom, col(Classroom.id) == LessonRun.classroom_id)
            .outerjoin(answers, answers.c.plan_id == Plan.id)
            .outerjoin(shares, shares.c.classroom_id == Classroom.id)
            .where(col(Classroom.cycle_id).in_(scope), col(Classroom.archived_at).is_(None), _has_content())
            .group_by(Classroom.cycle_id, Classroom.id).subquery("plans_class"))


def _class_fed_back(last_shared, last_answer) -> object:
    """The class saw its sheet, and after the last answer to its plans when there is one."""
    return and_(last_shared.is_not(None), or_(last_answer.is_(None), last_shared >= last_answer))


def _recipients_q(scope: Select, on: date) -> Select:
    """Per cycle: proposals, and its recipients by status; the oldest moment one still waiting
    was sent."""
    waiting = col(Recipient.status).in_(WAITING)

    def counted(condition: object) -> object:
        return _whole(func.sum(case((condition, 1), else_=0)))

    return (select(Proposal.cycle_id, func.count(distinct(Proposal.id)),
                   counted(and_(col(Recipient.id).is_not(None), Recipient.status != RecipientStatus.CONCEPT)),
                   counted(col(Recipient.status).in_(ANSWERED)),
                   counted(Recipient.status == RecipientStatus.DONE),
                   counted(waiting),
                   counted(and_(waiting, col(Recipient.reply_by) < on)),
                   func.min(case((waiting, Recipient.sent_at))))
            .select_from(Proposal).outerjoin(Recipient, col(Recipient.proposal_id) == Proposal.id)
            .where(col(Proposal.cycle_id).in_(scope))
            .group_by(Proposal.cycle_id))


def _whole(column: object) -> object:
    """A count or a sum, 0 when there is none; an integer on both engines (PostgreSQL sums into
    NUMERIC)."""
    return cast(func.coalesce(column, 0), Integer)


def _lessons_in_series(session: Session) -> int:
    """How many lessons the (newest version of the) default series has: the lessons a class is
    meant to get."""
    content = session.exec(select(LessonTemplate.content).where(LessonTemplate.slug == DEFAULT_SLUG)
                           .order_by(col(LessonTemplate.version).desc()).limit(1)).first()
    lessons = (content or {}).get("lessons") if isinstance(content, dict) else None
    return len(lessons) if lessons else LESSONS_IN_SERIES


def _score(answers: Mapping[str, object] | None) -> int | None:
    if answers is None:
        return None
    return sum(1 for key in QUESTIONS if answers.get(key) is True)


def _keyed(session: Session, statement: Select) -> dict[int, tuple]:
    """Rows of a statement whose first column is the key, by key."""
    return {row[0]: tuple(row[1:]) for row in session.exec(statement)}


def _cycle_figures(session: Session, conditions: list) -> list[CycleFigures]:
    """Every cycle in scope with all its counts: one grouped statement per kind of count, each over
    all cycles in scope at once, put together by cycle id. (One statement outer-joining them all
    works too, but PostgreSQL then stacks the groupings into one plan whose join order hangs on its
    estimates; apart, each is a plain GROUP BY. PostgreSQL still needs table statistics, as
    autovacuum keeps them: right after a bulk load or a restore, before ANALYZE, the plans
    statement can take seconds.)"""
    scope = select(Cycle.id).where(*conditions)
    base = session.exec(
        select(Cycle.id, Cycle.neighbourhood_id, Neighbourhood.name, Neighbourhood.municipality, Cycle.school_year,
               Cycle.phase, SelfCheck.answers)
        .join(Neighbourhood, col(Neighbourhood.id) == Cycle.neighbourhood_id)
        .outerjoin(SelfCheck, col(SelfCheck.cycle_id) == Cycle.id)
        .where(*conditions)
        .order_by(Neighbourhood.name, col(Cycle.school_year).desc(), Cycle.id)).all()
    if not base:
        return []
    classes = _keyed(session, select(Classroom.cycle_id, func.count(Classroom.id),
                                     func.count(distinct(Classroom.school_id)), _whole(func.sum(Classroom.pupil_count)))
                     .where(col(Classroom.cycle_id).in_(scope), col(Classroom.archived_at).is_(None))
                     .group_by(Classroom.cycle_id))
    lessons_class = _lessons_per_class(scope)
    lessons = _keyed(session, select(lessons_class.c.cycle_id, _whole(func.sum(lessons_class.c.given)))
                     .group_by(lessons_class.c.cycle_id))
    plans_class = _plans_per_class(scope, _last_shares(scope))
    plans = _keyed(session, select(
        plans_class.c.cycle_id, _whole(func.sum(plans_class.c.plans)), _whole(func.sum(plans_class.c.answered)),
        _whole(func.sum(plans_class.c.realised)), _whole(func.sum(plans_class.c.fed_back)), func.count(),
        _whole(func.sum(case((_class_fed_back(plans_class.c.last_shared, plans_class.c.last_answer), 1), else_=0))))
        .group_by(plans_class.c.cycle_id))
    themes = _keyed(session, select(Theme.cycle_id, func.count(Theme.id))
                    .where(col(Theme.cycle_id).in_(scope)).group_by(Theme.cycle_id))
    votes_class = _votes_per_class(_deciding_polls(scope, utcnow()))
    votes = _keyed(session, select(votes_class.c.cycle_id, _whole(func.sum(votes_class.c.ballots)))
                   .group_by(votes_class.c.cycle_id))
    recipients = _keyed(session, _recipients_q(scope, today()))
    per_class = _lessons_in_series(session)
    result = []
    for cycle_id, wijk_id, wijk, municipality, year, phase, check in base:
        n_classes, n_schools, pupils = classes.get(cycle_id, (0, 0, 0))
        (given,) = lessons.get(cycle_id, (0,))
        n_plans, plans_answered, plans_realised, plans_fed_back, with_plans, fed_back = plans.get(cycle_id, (0,) * 6)
        (n_themes,) = themes.get(cycle_id, (0,))
        voted = cycle_id in votes
        (ballots,) = votes.get(cycle_id, (0,))
        proposals, sent, answered, realised, waiting, overdue, oldest = recipients.get(cycle_id, (0,) * 6 + (None,))
        score = _score(check)
        counts = Counts(
            cycles=1, classes=n_classes, schools=n_schools, pupils=pupils, lessons_given=given,
            lessons_planned=n_classes * per_class, plans=n_plans, themes=n_themes, votes=int(voted),
            ballots=ballots, pupils_voting=pupils if voted else 0, proposals=proposals, sent=sent,
            answered=answered, realised=realised, waiting=waiting, overdue=overdue,
            longest_wait_days=days_since(oldest), plans_answered=plans_answered, plans_realised=plans_realised,
            plans_fed_back=plans_fed_back, classes_with_plans=with_plans, classes_fed_back=fed_back,
            self_checks=int(score is not None), self_check_yes=score or 0,
        )
        result.append(CycleFigures(cycle_id, wijk_id, wijk, municipality, year, Phase(phase), counts))
    return result


# --- the overview (facilitator: their wijken; admin: every wijk) ---------------------------------


def filter_choices(engine: Engine, *, actor: Actor) -> FilterChoices:
    """The school years and wijken the dashboard can be filtered on, within the actor's scope."""
    conditions = _scope(actor)
    with read_session(engine) as session:
        years = session.exec(select(Cycle.school_year).where(*conditions).distinct()
                             .order_by(col(Cycle.school_year).desc())).all()
        wijken = session.exec(
            select(Neighbourhood.id, Neighbourhood.name)
            .where(col(Neighbourhood.id).in_(select(Cycle.neighbourhood_id).where(*conditions)))
            .order_by(Neighbourhood.name, Neighbourhood.id)).all()
        return FilterChoices(tuple(years), tuple((wijk_id, name) for wijk_id, name in wijken))


def overview(engine: Engine, *, actor: Actor, school_year: str | None = None,
             neighbourhood_id: int | None = None) -> Overview:
    """Every cycle in the actor's scope (optionally of one school year and/or one wijk) with its
    phase and counts. Aggregates only: fit for the national view."""
    conditions = _scope(actor, school_year=school_year, neighbourhood_id=neighbourhood_id)
    with read_session(engine) as session:
        return Overview(tuple(_cycle_figures(session, conditions)))


# --- one cycle ---------------------------------------------------------------------------------


def _class_rows(session: Session, scope: Select, cycle_id: int) -> list[ClassRow]:
    shares = _last_shares(scope)
    plans_class = _plans_per_class(scope, shares)
    lessons_class = _lessons_per_class(scope)
    votes_class = _votes_per_class(_deciding_polls(scope, utcnow()))
    rows = session.exec(
        select(Classroom.id, Classroom.name, School.name, Classroom.pupil_count, _whole(lessons_class.c.given),
               _whole(plans_class.c.plans), _whole(votes_class.c.ballots), _whole(plans_class.c.answered),
               _whole(plans_class.c.realised), _whole(plans_class.c.fed_back), shares.c.last_shared,
               _class_fed_back(shares.c.last_shared, plans_class.c.last_answer) & (plans_class.c.plans > 0))
        .join(School, col(School.id) == Classroom.school_id)
        .outerjoin(lessons_class, lessons_class.c.classroom_id == Classroom.id)
        .outerjoin(plans_class, plans_class.c.classroom_id == Classroom.id)
        .outerjoin(votes_class, votes_class.c.classroom_id == Classroom.id)
        .outerjoin(shares, shares.c.classroom_id == Classroom.id)
        .where(Classroom.cycle_id == cycle_id, col(Classroom.archived_at).is_(None))
        .order_by(School.name, Classroom.name, Classroom.id)).all()
    return [ClassRow(classroom_id, name, school, pupils, given, plans, ballots, answered, realised, fed,
                     as_utc(last_shared), bool(fed_back))
            for classroom_id, name, school, pupils, given, plans, ballots, answered, realised, fed, last_shared,
            fed_back in rows]


def _school_rows(classes: list[ClassRow]) -> list[SchoolRow]:
    grouped: dict[str, list[ClassRow]] = defaultdict(list)
    for row in classes:
        grouped[row.school].append(row)
    return [SchoolRow(name, len(rows), sum(r.pupils for r in rows), sum(r.plans for r in rows),
                      sum(r.ballots for r in rows)) for name, rows in grouped.items()]


def _theme_rows(session: Session, cycle_id: int) -> tuple[list[ThemeRow], str]:
    """Each theme with its plans (counted by the database) and its score and place in the deciding
    vote (counted by the vote's own method, as everywhere else: `support.cycle_support`)."""
    rows = session.exec(
        select(Theme.id, Theme.name, func.count(Plan.id))
        .outerjoin(Plan, and_(col(Plan.theme_id) == Theme.id, _has_content()))
        .where(Theme.cycle_id == cycle_id).group_by(Theme.id, Theme.name)).all()
    support = cycle_support(session, cycle_id)
    result = []
    for theme_id, name, plans in rows:
        ranked = support.of_theme(theme_id) if support else None
        result.append(ThemeRow(name, plans, ranked.score if ranked else None, ranked.place if ranked else None))
    result.sort(key=lambda r: (r.place is None, r.place or 0, r.name.casefold()))
    return result, support.poll_title if support else ""


def _recipient_lines(session: Session, cycle_id: int) -> list[RecipientLine]:
    rows = session.exec(
        select(Proposal.title, Organisation.name, Recipient.status, Recipient.decision, Recipient.sent_at,
               Recipient.reply_by)
        .join(Recipient, col(Recipient.proposal_id) == Proposal.id)
        .join(Organisation, col(Organisation.id) == Recipient.organisation_id)
        .where(Proposal.cycle_id == cycle_id)
        .order_by(Proposal.title, Proposal.id, Organisation.name)).all()
    on = today()
    lines = []
    for title, organisation, status, decision, sent_at, reply_by in rows:
        status = RecipientStatus(status)
        waiting = status in WAITING
        lines.append(RecipientLine(title, organisation, status, getattr(decision, "value", decision),
                                   as_utc(sent_at), reply_by, days_since(sent_at) if waiting else None,
                                   waiting and reply_by is not None and reply_by < on))
    return lines


def cycle_dashboard(engine: Engine, *, actor: Actor, cycle_id: int) -> CycleDashboard:
    """One cycle in detail: per class and school, per theme, per recipient, and its self-check."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        conditions = _scope(actor, cycle_id=cycle_id)
        figures = _cycle_figures(session, conditions)
        if not figures:  # an archived cycle
            raise NotAllowed("error.not_allowed")
        classes = _class_rows(session, select(Cycle.id).where(*conditions), cycle_id)
        themes, poll_title = _theme_rows(session, cycle_id)
        return CycleDashboard(
            figures=figures[0], lessons_in_series=_lessons_in_series(session), classes=tuple(classes),
            schools=tuple(_school_rows(classes)), themes=tuple(themes), poll_title=poll_title,
            recipients=tuple(_recipient_lines(session, cycle_id)), self_check=self_check_view(session, cycle_id),
        )
