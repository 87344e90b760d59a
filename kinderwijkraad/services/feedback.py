"""Feedback to the classes: "Wat is er met jullie plannen gebeurd?" per class, when
it was shared, and each plan's way from written to feedback shared.

A plan is carried by a proposal when the proposal names it, or when the proposal was written from
the plan's theme. A class's sheet shows each of its plans with what was asked and every answer, in
the facilitator's child-language version when there is one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, or_, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import InvalidInput, NotAllowed, NotFound
from kinderwijkraad.exports.feedback import FeedbackAnswer, FeedbackPlan, FeedbackSheet, render_feedback_sheet_pdf
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import (
    Classroom,
    Cycle,
    FeedbackShare,
    LessonRun,
    Neighbourhood,
    Organisation,
    Plan,
    Proposal,
    ProposalPlan,
    Recipient,
    RecipientStatus,
    School,
    Theme,
)
from kinderwijkraad.models.common import as_utc
from kinderwijkraad.services import audit, pictograms
from kinderwijkraad.services.common import Actor, managed_cycle
from kinderwijkraad.services.proposals import child_words_needed, today
from kinderwijkraad.services.support import CycleSupport, cycle_support

ANSWERED = (RecipientStatus.ANSWERED, RecipientStatus.DONE)


def _classroom(session: Session, actor: Actor, classroom_id: int) -> tuple[Classroom, Cycle]:
    classroom = session.get(Classroom, classroom_id)
    if classroom is None:
        raise NotFound("error.not_found.classroom")
    cycle = session.get(Cycle, classroom.cycle_id)
    if not actor.manages(cycle.neighbourhood_id):
        raise NotAllowed("error.not_allowed")
    return classroom, cycle


def _plans(session: Session, *conditions: object) -> list[tuple[Plan, int]]:
    """Plans with content and their class, in a stable order."""
    rows = session.exec(select(Plan, LessonRun.classroom_id).join(LessonRun, col(LessonRun.id) == Plan.run_id)
                        .where(*conditions).order_by(Plan.id)).all()
    return [(plan, classroom_id) for plan, classroom_id in rows if plan.answers]


def _proposals_by_plan(session: Session, plans: list[Plan]) -> dict[int, list[Proposal]]:
    """For each plan, the proposals that carry it: by name, or through its theme."""
    plan_ids = [p.id for p in plans]
    theme_ids = {p.theme_id for p in plans if p.theme_id is not None}
    named = session.exec(select(ProposalPlan).where(col(ProposalPlan.plan_id).in_(plan_ids or [-1]))).all()
    proposals = session.exec(select(Proposal).where(or_(
        col(Proposal.id).in_({n.proposal_id for n in named} or {-1}),
        col(Proposal.theme_id).in_(theme_ids or {-1})))).all()
    by_id = {p.id: p for p in proposals}
    result: dict[int, list[Proposal]] = defaultdict(list)
    for plan in plans:
        chosen = {n.proposal_id for n in named if n.plan_id == plan.id}
        chosen |= {p.id for p in proposals if plan.theme_id is not None and p.theme_id == plan.theme_id}
        result[plan.id] = [by_id[i] for i in sorted(chosen)]
    return result


def _recipients(session: Session, proposal_ids: set[int]) -> dict[int, list[tuple[Recipient, str]]]:
    rows = session.exec(select(Recipient, Organisation.name)
                        .join(Organisation, col(Organisation.id) == Recipient.organisation_id)
                        .where(col(Recipient.proposal_id).in_(proposal_ids or {-1}),
                               Recipient.status != RecipientStatus.CONCEPT)
                        .order_by(Organisation.name)).all()
    result: dict[int, list[tuple[Recipient, str]]] = defaultdict(list)
    for recipient, organisation in rows:
        result[recipient.proposal_id].append((recipient, organisation))
    return result


def _outcome(support: CycleSupport | None, theme_id: int | None) -> str:
    if theme_id is None:
        return t("feedback.outcome.no_theme")
    if support is None:
        return t("feedback.outcome.no_vote")
    ranked = support.of_theme(theme_id)
    if ranked is None:
        return t("feedback.outcome.not_voted_on")
    if ranked.in_top:
        return t("feedback.outcome.top", place=ranked.place)
    return t("feedback.outcome.not_top", place=ranked.place)


def words_needed(recipient: Recipient) -> str | None:
    """Whether the class still waits for words for this answer (proposals.child_words_needed)."""
    return child_words_needed(recipient.status, recipient.child_answer, recipient.child_answer_revision,
                              recipient.answer_revision)


def _answer(recipient: Recipient, organisation: str) -> FeedbackAnswer:
    if recipient.status not in ANSWERED:
        return FeedbackAnswer(organisation, "waiting", t("feedback.decision.waiting"),
                              t("feedback.waiting_text"), "")
    decision = recipient.decision.value if hasattr(recipient.decision, "value") else str(recipient.decision)
    done = recipient.status == RecipientStatus.DONE
    label = t("feedback.decision.done") if done else t(f"feedback.decision.{decision}")
    if words_needed(recipient):
        return FeedbackAnswer(organisation, decision, label, "", "")
    return FeedbackAnswer(organisation, decision, label, recipient.child_answer, recipient.child_next)


def feedback_sheet(engine: Engine, *, actor: Actor, classroom_id: int) -> FeedbackSheet:
    """The sheet for one class: every plan of the class with its outcome and answers."""
    with read_session(engine) as session:
        return _sheet(session, actor, classroom_id)


def feedback_sheet_pdf(sheet: FeedbackSheet) -> bytes:
    """The sheet (see `feedback_sheet`) as the PDF the class sees on the smartboard."""
    return render_feedback_sheet_pdf(sheet)


def _sheet(session: Session, actor: Actor, classroom_id: int) -> FeedbackSheet:
    classroom, cycle = _classroom(session, actor, classroom_id)
    school = session.get(School, classroom.school_id)
    neighbourhood = session.get(Neighbourhood, cycle.neighbourhood_id)
    plans = [plan for plan, _ in _plans(session, LessonRun.classroom_id == classroom_id)]
    if not plans:
        raise InvalidInput("feedback.no_plans")
    support = cycle_support(session, cycle.id)
    carried = _proposals_by_plan(session, plans)
    recipients = _recipients(session, {p.id for found in carried.values() for p in found})
    theme_rows = session.exec(select(Theme).where(Theme.cycle_id == cycle.id)).all()
    themes = {th.id: th.name for th in theme_rows}
    theme_pictures = {th.id: pictograms.svg_bytes(th.pictogram) for th in theme_rows}
    items = []
    waiting = []
    for plan in plans:
        proposals = carried[plan.id]
        title = plan.answers.get("title", "") or t("proposal.untitled_plan")
        waiting += [f"{name}: {title}" for p in proposals for r, name in recipients[p.id] if words_needed(r)]
        items.append(FeedbackPlan(
            title=title,
            theme=themes.get(plan.theme_id, ""),
            theme_picture=theme_pictures.get(plan.theme_id),
            outcome=_outcome(support, plan.theme_id),
            asked=" ".join(p.ask or p.title for p in proposals),
            answers=[_answer(r, name) for p in proposals for r, name in recipients[p.id]],
        ))
    return FeedbackSheet(
        class_label=classroom.name, school=school.name, council_name=t("council.name", wijk=neighbourhood.name),
        school_year=cycle.school_year, date_text=format_date(today()), plans=items,
        closing=t("feedback.closing"), waiting_for_words=tuple(dict.fromkeys(waiting)),
    )


def record_shared(engine: Engine, *, actor: Actor, classroom_id: int) -> None:
    """Note that the class has seen its sheet (on the smartboard or on paper): only a sheet whose
    every answer is in words for the children, written for the answer as it stands."""
    with write_session(engine) as session:
        classroom, cycle = _classroom(session, actor, classroom_id)
        waiting = _sheet(session, actor, classroom_id).waiting_for_words
        if waiting:
            raise InvalidInput("feedback.words_needed", answers="; ".join(waiting))
        share = FeedbackShare(cycle_id=cycle.id, classroom_id=classroom_id, shared_by=actor.user_id)
        session.add(share)
        session.flush()
        audit.record(session, actor=actor, action="feedback.shared", subject="classroom", subject_id=classroom_id,
                     cycle_id=cycle.id, detail={})


@dataclass(frozen=True)
class ClassFeedback:
    classroom_id: int
    label: str
    plans: int
    answered: int  # plans with at least one answer
    last_shared_at: datetime | None
    waiting_for_words: int = 0  # answers on the sheet without words for the children (words_needed)
    last_answer_at: datetime | None = None  # the newest answer on the sheet

    @property
    def outdated(self) -> bool:
        """Shared, and since then an answer came or changed that the class has not heard."""
        return (self.last_shared_at is not None and self.last_answer_at is not None
                and self.last_answer_at > self.last_shared_at)


def class_overview(engine: Engine, *, actor: Actor, cycle_id: int) -> list[ClassFeedback]:
    """Per class: plans, how many have an answer, and when the sheet was last shared."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        classrooms = session.exec(select(Classroom, School.name).join(School, col(School.id) == Classroom.school_id)
                                  .where(Classroom.cycle_id == cycle_id, col(Classroom.archived_at).is_(None))
                                  .order_by(School.name, Classroom.name)).all()
        plans = _plans(session, col(LessonRun.classroom_id).in_([c.id for c, _ in classrooms] or [-1]))
        answered = _answered_plans(session, [p for p, _ in plans])
        carried = _proposals_by_plan(session, [p for p, _ in plans])
        recipients = _recipients(session, {p.id for found in carried.values() for p in found})
        waiting: dict[int, set[tuple[int, int]]] = defaultdict(set)  # class: (plan, recipient) pairs
        newest: dict[int, datetime] = {}  # class: its newest answer
        for plan, classroom_id in plans:
            on_sheet = [r for p in carried[plan.id] for r, _ in recipients[p.id]]
            waiting[classroom_id] |= {(plan.id, r.id) for r in on_sheet if words_needed(r)}
            for answer_at in (as_utc(r.answered_at) for r in on_sheet if r.answered_at is not None):
                newest[classroom_id] = max(newest.get(classroom_id, answer_at), answer_at)
        shared = dict(session.exec(select(FeedbackShare.classroom_id, func.max(FeedbackShare.shared_at))
                                   .where(FeedbackShare.cycle_id == cycle_id)
                                   .group_by(FeedbackShare.classroom_id)).all())
        return [ClassFeedback(c.id, f"{school} · {c.name}", sum(1 for _, k in plans if k == c.id),
                              sum(1 for p, k in plans if k == c.id and p.id in answered), as_utc(shared.get(c.id)),
                              len(waiting[c.id]), newest.get(c.id))
                for c, school in classrooms]


def _answered_plans(session: Session, plans: list[Plan]) -> set[int]:
    carried = _proposals_by_plan(session, plans)
    recipients = _recipients(session, {p.id for found in carried.values() for p in found})
    return {plan_id for plan_id, proposals in carried.items()
            if any(r.status in ANSWERED for p in proposals for r, _ in recipients[p.id])}


# --- a plan's lifecycle ----------------------------------------------------------------------

STAGES = ("written", "in_theme", "top", "proposal", "answer", "feedback")


@dataclass(frozen=True)
class PlanLifecycle:
    plan_id: int
    title: str
    class_label: str
    theme: str
    # Per stage: True reached, False decided against (not in the top-3), None not yet.
    stages: dict[str, bool | None]

    @property
    def current(self) -> str:
        """The last stage reached; a plan that did not make the top-3 stops there."""
        reached = [s for s in STAGES if self.stages[s]]
        return reached[-1] if reached else "written"


def lifecycles(engine: Engine, *, actor: Actor, cycle_id: int) -> list[PlanLifecycle]:
    """written → in theme → in top-3 (or not) → proposal → answer → feedback shared, per plan."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        in_cycle = select(Classroom.id).where(Classroom.cycle_id == cycle_id)
        plans = _plans(session, col(LessonRun.classroom_id).in_(in_cycle))
        support = cycle_support(session, cycle_id)
        carried = _proposals_by_plan(session, [p for p, _ in plans])
        recipients = _recipients(session, {p.id for found in carried.values() for p in found})
        themes = {th.id: th.name for th in session.exec(select(Theme).where(Theme.cycle_id == cycle_id)).all()}
        shared = dict(session.exec(select(FeedbackShare.classroom_id, func.max(FeedbackShare.shared_at))
                                   .where(FeedbackShare.cycle_id == cycle_id)
                                   .group_by(FeedbackShare.classroom_id)).all())
        labels = {c.id: f"{school} · {c.name}" for c, school in session.exec(
            select(Classroom, School.name).join(School, col(School.id) == Classroom.school_id)
            .where(Classroom.cycle_id == cycle_id)).all()}
        result = []
        for plan, classroom_id in plans:
            ranked = support.of_theme(plan.theme_id) if support else None
            answers = [r for p in carried[plan.id] for r, _ in recipients[p.id] if r.status in ANSWERED]
            last_answer = max((as_utc(r.answered_at) for r in answers if r.answered_at), default=None)
            shared_at = as_utc(shared.get(classroom_id))
            stages: dict[str, bool | None] = {
                "written": True,
                "in_theme": plan.theme_id is not None or None,
                "top": None if ranked is None else ranked.in_top,
                "proposal": bool(carried[plan.id]) or None,
                "answer": bool(answers) or None,
                "feedback": bool(answers and shared_at and last_answer and shared_at >= last_answer) or None,
            }
            result.append(PlanLifecycle(plan.id, plan.answers.get("title", "") or t("proposal.untitled_plan"),
                                        labels.get(classroom_id, ""), themes.get(plan.theme_id, ""), stages))
        return result

