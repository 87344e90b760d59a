"""What the children's vote decided for a cycle: each theme's score, place and whether it made the
top-3 — the "support" printed in a proposal, the council's work list, and a plan's lifecycle.

The deciding vote of a cycle is its latest closed wijk-wide poll on themes; when that poll was a
runoff, its places decide among the tied themes and the original poll's places stand for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from kinderwijkraad.i18n import t
from kinderwijkraad.models import Classroom, OptionSubject, Poll, PollOption, PollStatus
from kinderwijkraad.services.polls import poll_status
from kinderwijkraad.services.results import TOP, PollResults, closed_results


@dataclass(frozen=True)
class ThemeSupport:
    theme_id: int
    label: str
    score: int
    place: int  # 1 = most votes; tied themes share a place

    @property
    def in_top(self) -> bool:
        return self.place <= TOP


@dataclass(frozen=True)
class CycleSupport:
    poll_id: int
    poll_title: str
    method_label: str
    ballots: int  # children who voted (cards, booth and paper)
    classes: int  # classes that voted
    schools: int
    themes: tuple[ThemeSupport, ...]  # best first

    def of_theme(self, theme_id: int | None) -> ThemeSupport | None:
        return next((row for row in self.themes if row.theme_id == theme_id), None)

    @property
    def top(self) -> tuple[ThemeSupport, ...]:
        return tuple(row for row in self.themes if row.in_top)


def deciding_poll(session: Session, cycle_id: int) -> Poll | None:
    """The cycle's latest closed wijk-wide vote on themes, or None before there is one."""
    polls = session.exec(
        select(Poll).where(Poll.cycle_id == cycle_id, Poll.subject == OptionSubject.THEMES,
                           col(Poll.closed_at).is_not(None))
        .order_by(col(Poll.closed_at).desc(), col(Poll.id).desc())
    ).all()
    return next((poll for poll in polls if poll_status(poll) == PollStatus.CLOSED), None)


def cycle_support(session: Session, cycle_id: int) -> CycleSupport | None:
    """Each theme's score and place in the cycle's deciding vote; None before any vote closed."""
    poll = deciding_poll(session, cycle_id)
    if poll is None:
        return None
    outcome = closed_results(session, poll)
    themes = {o.id: o.theme_id for o in session.exec(select(PollOption).where(PollOption.poll_id == poll.id)).all()}
    rows = [ThemeSupport(themes[row.option_id], row.label, row.total, row.place)
            for row in outcome.total.rows if themes.get(row.option_id) is not None]
    if poll.runoff_of is not None:
        rows = _with_original_places(session, poll.runoff_of, rows)
    return CycleSupport(
        poll_id=poll.id, poll_title=poll.title,
        method_label=t(f"method.{poll.method.value}", k=poll.max_choices),
        ballots=outcome.total.ballots, classes=_classes_that_voted(outcome),
        schools=_schools_that_voted(session, outcome), themes=tuple(rows),
    )


def _with_original_places(session: Session, original_id: int, runoff_rows: list[ThemeSupport]) -> list[ThemeSupport]:
    """A runoff orders the tied themes; they keep the block of places they shared, the rest of the
    original poll keeps its places and scores."""
    original = session.get(Poll, original_id)
    cycle_rows: list[ThemeSupport] = []
    earlier: list[ThemeSupport] = []
    if original is not None and poll_status(original) == PollStatus.CLOSED:
        outcome = closed_results(session, original)
        themes = {o.id: o.theme_id for o in session.exec(
            select(PollOption).where(PollOption.poll_id == original.id)).all()}
        cycle_rows = [ThemeSupport(themes[row.option_id], row.label, row.total, row.place)
                      for row in outcome.total.rows if themes.get(row.option_id) is not None]
        earlier = [row for row in cycle_rows if row.theme_id not in {r.theme_id for r in runoff_rows}]
    first = min((row.place for row in cycle_rows if row.theme_id in {r.theme_id for r in runoff_rows}), default=1)
    decided = [ThemeSupport(r.theme_id, r.label, r.score, first + r.place - 1) for r in runoff_rows]
    return sorted([*earlier, *decided], key=lambda row: (row.place, row.label.casefold()))


def _classes_that_voted(outcome: PollResults) -> int:
    return sum(1 for turnout in outcome.turnout if turnout.ballots > 0)


def _schools_that_voted(session: Session, outcome: PollResults) -> int:
    voted = [turnout.classroom_id for turnout in outcome.turnout if turnout.ballots > 0]
    if not voted:
        return 0
    return len(set(session.exec(select(Classroom.school_id).where(col(Classroom.id).in_(voted))).all()))
