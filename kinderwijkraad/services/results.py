"""Poll results: counted on read, after the close, from the ballots and paper tallies (see
`voting/`), per class, per school and in total as the poll's disclosure decision allows; the
comparison of counting methods, the command-line recount, the runoff between tied options and the
notice board's report data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from kinderwijkraad import voting
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import InvalidInput, NotAllowed, NotFound
from kinderwijkraad.exports.tables import render_results_csv
from kinderwijkraad.exports.voting import ResultRow, ResultsReport, TurnoutRow, render_results_pdf
from kinderwijkraad.i18n import t
from kinderwijkraad.models import (
    Ballot,
    BallotKind,
    Classroom,
    CountMethod,
    PaperTally,
    Poll,
    PollOption,
    PollStatus,
    Receipt,
    School,
)
from kinderwijkraad.services import pictograms
from kinderwijkraad.services.common import Actor
from kinderwijkraad.services.polls import (
    PollView,
    Turnout,
    acting_classrooms,
    audit_poll,
    class_labels,
    class_turnout,
    classrooms_of,
    poll_in_scope,
    poll_status,
    sealed_if_closed,
    view_of,
)
from kinderwijkraad.voting import disclosure

# Smaller groups are never published on their own, nor by difference (voting.disclosure).
MIN_BALLOTS_SHOWN = disclosure.MIN_GROUP
TOP = 3


# --- results (after the close) ---------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    option_id: int
    label: str
    electronic: int | None  # None where the split into tablet and paper is not published
    paper: int | None
    total: int
    place: int
    top: bool


@dataclass(frozen=True)
class ScopeResult:
    """The count of one class, one school or the whole poll."""

    label: str
    ballots: int
    shown: bool  # False where publishing it could give away the choices of fewer than 5 ballots
    result: voting.Result | None
    rows: tuple[ScoreRow, ...]
    split: bool = False  # the rows carry the split into tablet (cards, booth) and paper

    @property
    def hidden_by_difference(self) -> bool:
        """Hidden although big enough: with the other results it would give a small group away."""
        return not self.shown and self.ballots >= MIN_BALLOTS_SHOWN


@dataclass(frozen=True)
class PollResults:
    poll: PollView
    total: ScopeResult
    schools: tuple[ScopeResult, ...]
    classes: tuple[ScopeResult, ...]
    turnout: tuple[Turnout, ...]
    tied_for_top: tuple[str, ...]  # labels tied across the top-3 boundary (or for first place)
    receipts: int
    shown_classes: frozenset[int] = frozenset()  # classroom ids whose own result is published


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


def _rows(poll: PollView, result: voting.Result, electronic: voting.Result | None) -> tuple[ScoreRow, ...]:
    """One row per option, best first; places shared by ties, top-3 marked by place; the split into
    tablet and paper only given the electronic count."""
    rows = []
    position = 1
    scores = _shown_scores(result)
    electronic_scores = _shown_scores(electronic) if electronic is not None else None
    for group in result.places:
        for option in group:
            total = scores.get(option, 0)
            e = electronic_scores.get(option, 0) if electronic_scores is not None else None
            paper = total - e if e is not None else None
            rows.append(ScoreRow(int(option), poll.label_of(option), e, paper, total, position, position <= TOP))
        position += len(group)
    return tuple(rows)


def _scope_result(poll: PollView, label: str, ballots: list[tuple[str, ...]], tallies: list[PaperTally],
                  shown: disclosure.Shown) -> ScopeResult:
    """One scope as the poll's disclosure decided: a hidden scope carries its ballot count only."""
    count = len(ballots) + sum(t.papers for t in tallies)
    if not shown.result:
        return ScopeResult(label, count, False, None, ())
    result = _count(poll, ballots, tallies)
    electronic = _count(poll, ballots, []) if shown.split else None
    return ScopeResult(label, count, True, result, _rows(poll, result, electronic), split=shown.split)


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
    if view.status != PollStatus.CLOSED:
        raise NotAllowed("poll.results_after_close")
    ballots = _load_ballots(session, poll.id)
    tallies = session.exec(select(PaperTally).where(PaperTally.poll_id == poll.id)).all()
    all_classes = classrooms_of(session, poll)
    # A class archived since it voted still counts everywhere its ballots do (its school, the
    # disclosure decision): left out, the total minus the rest would give it away.
    listed = {c.id for c in all_classes}
    voted = {classroom_id for classroom_id, _ in ballots} | {t.classroom_id for t in tallies}
    all_classes += [session.get(Classroom, i) for i in sorted(voted - listed)]
    labels = class_labels(session, all_classes)
    by_class: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for classroom_id, choices in ballots:
        by_class[classroom_id].append(choices)
    tallies_by_class = {t.classroom_id: t for t in tallies}
    # One decision for every reader and every output: what a teacher sees of their class is what
    # the facilitator's screen, the PDF and the CSV show of it.
    shown = disclosure.decide([
        disclosure.ClassBallots(c.id, c.school_id, len(by_class[c.id]),
                                tallies_by_class[c.id].papers if c.id in tallies_by_class else 0)
        for c in all_classes])
    visible = {c.id for c in classrooms}
    classes = tuple(_scope_result(view, labels[c.id], by_class[c.id], [tallies_by_class[c.id]]
                                  if c.id in tallies_by_class else [], shown.classroom(c.id))
                    for c in all_classes if c.id in visible)
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
                                         [tallies_by_class[c.id] for c in members if c.id in tallies_by_class],
                                         shown.school(school_id)))
    total = _scope_result(view, view.scope_label, [b for _, b in ballots], list(tallies), shown.total)
    receipts = session.exec(select(func.count()).select_from(Receipt).where(Receipt.poll_id == poll.id)).one()
    return PollResults(view, total, tuple(schools), classes,
                       tuple(t for t in class_turnout(session, poll, all_classes) if t.classroom_id in visible),
                       _tied_for_top(total.result, view), receipts,
                       frozenset(c.id for c in all_classes if shown.classroom(c.id).result))


def results(engine: Engine, *, actor: Actor, poll_id: int) -> PollResults:
    """The counts per class, per school and in total — only after the close."""
    sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        return _results(session, poll, acting_classrooms(session, actor, poll))

def method_comparison(engine: Engine, *, actor: Actor,
                      poll_id: int) -> tuple[PollView, dict[voting.Method, voting.Result]]:
    """The poll's ranking ballots counted by every method, for "Hoe tel je stemmen?"."""
    sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = poll_in_scope(session, actor, poll_id)
        view = view_of(session, poll)
        if view.status != PollStatus.CLOSED:
            raise NotAllowed("poll.results_after_close")
        if view.ballot_kind != BallotKind.RANKING:
            raise InvalidInput("poll.compare_needs_ranking")
        ballots = [b for _, b in _load_ballots(session, poll_id)]
    return view, voting.compare(ballots, options=[str(i) for i in view.option_ids], k=view.max_choices)


def recount(engine: Engine, *, poll_id: int) -> dict:
    """The command-line recount: the poll's total counted afresh from the database, as JSON."""
    sealed_if_closed(engine, poll_id)
    with read_session(engine) as session:
        poll = session.get(Poll, poll_id)
        if poll is None:
            raise NotFound("error.not_found.poll")
        if poll_status(poll) != PollStatus.CLOSED:
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
        outcome = _results(session, poll, classrooms_of(session, poll))
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


def results_report(outcome: PollResults, scope: ScopeResult, *, closed_at_text: str) -> ResultsReport:
    """The notice-board PDF's and the CSV's data for one scope (the total, a school or a class)."""
    poll = outcome.poll
    method = t(f"method.{poll.method.value}", k=poll.max_choices)
    tied = outcome.tied_for_top if scope is outcome.total else ()
    pictures = {o.id: pictograms.svg_bytes(o.pictogram) for o in poll.options}
    return ResultsReport(
        title=poll.title, scope_label=scope.label, method_label=method, closed_at=closed_at_text,
        ballots=scope.ballots,
        rows=[ResultRow(r.label, r.electronic, r.paper, r.total, r.place, r.top, pictures.get(r.option_id))
              for r in scope.rows],
        turnout=[TurnoutRow(row.label, row.ballots, row.pupils, row.classroom_id in outcome.shown_classes)
                 for row in outcome.turnout],
        winners_note=t("results.tie_note", options=", ".join(tied)) if tied else "",
        footnote=t("results.footnote", min=MIN_BALLOTS_SHOWN),
        split=scope.split,
    )


def results_pdf(report: ResultsReport) -> bytes:
    """The notice-board PDF of one scope's report (see `results_report`)."""
    return render_results_pdf(report)


def results_csv(report: ResultsReport) -> bytes:
    """The CSV of one scope's report (see `results_report`), for a spreadsheet."""
    return render_results_csv(report)


def closed_results(session: Session, poll: Poll) -> PollResults:
    """The full count of a closed poll inside the caller's session (for services that build on
    the outcome: support in a proposal, the council's work list, a plan's lifecycle)."""
    return _results(session, poll, classrooms_of(session, poll))
