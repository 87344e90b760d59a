"""Proposals to the partners, each recipient's status and answer, reply links, the dossier PDF,
and the overdue list.

Every write decides its race in the database: a status moves with one conditional UPDATE from
the status the user saw; an answer is written only over the answer revision the writer saw, so
nobody overwrites an answer they never saw; a reply link is checked inside the same UPDATE that
writes the answer, so a link revoked a moment earlier can no longer answer. Each change is written
to the audit log in the same transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, KwrError, NotAllowed, NotFound
from kinderwijkraad.exports.pdf import Bar
from kinderwijkraad.exports.proposals import Dossier, DossierPhoto, PlanQuote, Support, render_proposal_pdf
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import (
    AnswerSource,
    Classroom,
    Contact,
    CostBand,
    Cycle,
    Decision,
    LessonRun,
    Neighbourhood,
    Organisation,
    Partnership,
    Plan,
    Proposal,
    ProposalInput,
    ProposalPlan,
    Recipient,
    RecipientStatus,
    ReplyLink,
    Role,
    School,
    Theme,
    User,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit, images
from kinderwijkraad.services.common import Actor, managed_cycle, refused_as, validated
from kinderwijkraad.services.support import CycleSupport, cycle_support

logger = logging.getLogger(__name__)

WAITING = (RecipientStatus.SENT, RecipientStatus.IN_PROGRESS)  # sent, no answer yet
# The moves a person makes by hand, each from exactly one status; "answered" comes with an answer.
MOVES = {
    RecipientStatus.SENT: RecipientStatus.CONCEPT,
    RecipientStatus.IN_PROGRESS: RecipientStatus.SENT,
    RecipientStatus.DONE: RecipientStatus.ANSWERED,
}
# An official may say they are working on it, or that it has been carried out; sending is the
# facilitator's.
OFFICIAL_MOVES = frozenset({RecipientStatus.IN_PROGRESS, RecipientStatus.DONE})
MOVE_TIMES = {
    RecipientStatus.SENT: "sent_at",
    RecipientStatus.IN_PROGRESS: "in_progress_at",
    RecipientStatus.DONE: "done_at",
}
PROPOSAL_FIELDS = tuple(ProposalInput.model_fields)
# The plan form's cost choices (the Dutch option texts the tablets store) and the band they mean.
PLAN_COST_BANDS = {
    "Bijna niets": CostBand.LOW,
    "Een beetje (zoals een bankje)": CostBand.MEDIUM,
    "Veel (zoals een speeltuin)": CostBand.HIGH,
}


def today() -> date:
    return utcnow().astimezone(AMSTERDAM).date()


def never_done(to: RecipientStatus, decision: Decision | str | None) -> bool:
    """A rejected proposal is never carried out."""
    return to == RecipientStatus.DONE and bool(decision) and Decision(decision) == Decision.REJECTED


def possible_move(status: RecipientStatus | str, decision: Decision | str | None, *,
                  official: bool = False) -> RecipientStatus | None:
    """The move a person can make by hand from `status`, or None: MOVES read from the status it
    starts at, without uitgevoerd for a rejection, and for an official only OFFICIAL_MOVES."""
    for to, start in MOVES.items():
        if start == RecipientStatus(status) and not never_done(to, decision) and (
                not official or to in OFFICIAL_MOVES):
            return to
    return None


def unsent(status: RecipientStatus | str) -> bool:
    """Nobody received it yet: a concept recipient can still be removed, and a proposal whose
    recipients are all concepts deleted. What was sent stays on record."""
    return RecipientStatus(status) == RecipientStatus.CONCEPT


def may_delete(statuses: Iterable[RecipientStatus | str]) -> bool:
    """A proposal can be deleted while none of its recipients received it."""
    return all(unsent(status) for status in statuses)


# --- scope ------------------------------------------------------------------------------------


def _managed_proposal(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("error.not_found.proposal")
    managed_cycle(session, actor, proposal.cycle_id)
    return proposal


def recipient_of(session: Session, recipient_id: int) -> tuple[Recipient, Proposal]:
    recipient = session.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound("error.not_found.recipient")
    return recipient, session.get(Proposal, recipient.proposal_id)


def readable_recipient(session: Session, actor: Actor, recipient_id: int) -> tuple[Recipient, Proposal]:
    """Facilitators of the wijk read every recipient; an official only their organisation's, and
    only once it was sent (a concept is not theirs yet)."""
    recipient, proposal = recipient_of(session, recipient_id)
    if actor.role == Role.OFFICIAL:
        if actor.organisation_id != recipient.organisation_id or recipient.status == RecipientStatus.CONCEPT:
            raise NotAllowed("error.not_allowed")
    else:
        managed_cycle(session, actor, proposal.cycle_id)
    return recipient, proposal


def _partner_organisations(session: Session, cycle_id: int) -> set[int]:
    return set(session.exec(select(Partnership.organisation_id).where(Partnership.cycle_id == cycle_id)).all())


def _plans_of_cycle(session: Session, cycle_id: int, plan_ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(plan_ids))
    if not wanted:
        return []
    found = session.exec(
        select(Plan.id).join(LessonRun, col(LessonRun.id) == Plan.run_id)
        .join(Classroom, col(Classroom.id) == LessonRun.classroom_id)
        .where(col(Plan.id).in_(wanted), Classroom.cycle_id == cycle_id)).all()
    if len(found) != len(wanted):
        raise InvalidInput("proposal.plan_not_in_cycle")
    return wanted


# --- read models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanBrief:
    id: int
    title: str
    class_label: str


@dataclass(frozen=True)
class ThemeSource:
    """A theme a proposal can be written from, with its place in the vote and its plans."""

    theme_id: int
    name: str
    place: int | None
    score: int | None
    plans: tuple[PlanBrief, ...]

    @property
    def in_top(self) -> bool:
        return self.place is not None and self.place <= 3


@dataclass(frozen=True)
class RecipientRow:
    id: int
    proposal_id: int
    proposal_title: str
    organisation_id: int
    organisation: str
    contact: str
    status: RecipientStatus
    reply_by: date | None
    sent_at: datetime | None
    in_progress_at: datetime | None
    answered_at: datetime | None
    done_at: datetime | None
    decision: Decision | None
    reasons: str
    next_step: str
    answer_contact: str
    answered_by: str
    answer_source: AnswerSource | None
    answer_revision: int
    child_answer: str
    child_next: str
    child_answer_revision: int | None = None

    @property
    def next_move(self) -> RecipientStatus | None:
        """The facilitator's move for this recipient (an official's: `possible_move(..., official=True)`)."""
        return possible_move(self.status, self.decision)

    @property
    def removable(self) -> bool:
        return unsent(self.status)

    @property
    def words_needed(self) -> str | None:
        return child_words_needed(self.status, self.child_answer, self.child_answer_revision, self.answer_revision)

    @property
    def overdue(self) -> bool:
        return self.status in WAITING and self.reply_by is not None and self.reply_by < today()

    @property
    def days_waiting(self) -> int | None:
        if self.sent_at is None or self.status not in WAITING:
            return None
        return (today() - as_utc(self.sent_at).astimezone(AMSTERDAM).date()).days


def child_words_needed(status: RecipientStatus | str, child_answer: str, child_answer_revision: int | None,
                       answer_revision: int) -> str | None:
    """For an answered recipient: "missing" when the facilitator has not yet put the answer in
    words for the children, "outdated" when the answer changed after they did; else None.

    The class hears only those words, never the official's letter ("Wij hebben uw brief
    doorgestuurd" is not for a child of 8), and never words written for an earlier answer."""
    if RecipientStatus(status) not in (RecipientStatus.ANSWERED, RecipientStatus.DONE):
        return None
    if not child_answer:
        return "missing"
    return "outdated" if child_answer_revision != answer_revision else None


@dataclass(frozen=True)
class ProposalView:
    id: int
    cycle_id: int
    theme_id: int | None
    theme: str
    revision: int
    fields: dict[str, str]
    plans: tuple[PlanBrief, ...]
    recipients: tuple[RecipientRow, ...]
    created_at: datetime
    updated_at: datetime
    school_year: str = ""  # of the proposal's cycle
    wijk: str = ""

    @property
    def title(self) -> str:
        return self.fields["title"]

    @property
    def deletable(self) -> bool:
        return may_delete(r.status for r in self.recipients)


def _recipient_row(recipient: Recipient, proposal: Proposal, organisation: str, contact: str) -> RecipientRow:
    return RecipientRow(
        id=recipient.id, proposal_id=proposal.id, proposal_title=proposal.title,
        organisation_id=recipient.organisation_id, organisation=organisation, contact=contact,
        status=RecipientStatus(recipient.status), reply_by=recipient.reply_by,
        sent_at=as_utc(recipient.sent_at), in_progress_at=as_utc(recipient.in_progress_at),
        answered_at=as_utc(recipient.answered_at), done_at=as_utc(recipient.done_at),
        decision=Decision(recipient.decision) if recipient.decision else None,
        reasons=recipient.reasons, next_step=recipient.next_step, answer_contact=recipient.answer_contact,
        answered_by=recipient.answered_by,
        answer_source=AnswerSource(recipient.answer_source) if recipient.answer_source else None,
        answer_revision=recipient.answer_revision, child_answer=recipient.child_answer,
        child_next=recipient.child_next, child_answer_revision=recipient.child_answer_revision,
    )


def recipient_rows(session: Session, proposals: Sequence[Proposal]) -> dict[int, list[RecipientRow]]:
    by_id = {p.id: p for p in proposals}
    rows = session.exec(
        select(Recipient, Organisation.name, Contact.name)
        .join(Organisation, col(Organisation.id) == Recipient.organisation_id)
        .outerjoin(Contact, col(Contact.id) == Recipient.contact_id)
        .where(col(Recipient.proposal_id).in_(list(by_id) or [-1]))
        .order_by(Organisation.name)).all()
    result: dict[int, list[RecipientRow]] = {p.id: [] for p in proposals}
    for recipient, organisation, contact in rows:
        result[recipient.proposal_id].append(_recipient_row(recipient, by_id[recipient.proposal_id],
                                                            organisation, contact or ""))
    return result


def _class_labels(session: Session, classroom_ids: Iterable[int]) -> dict[int, str]:
    rows = session.exec(select(Classroom.id, Classroom.name, School.name)
                        .join(School, col(School.id) == Classroom.school_id)
                        .where(col(Classroom.id).in_(set(classroom_ids) or {-1}))).all()
    return {classroom_id: f"{name}, {school}" for classroom_id, name, school in rows}


def _plan_briefs(session: Session, plans: Sequence[tuple[Plan, int]]) -> list[PlanBrief]:
    labels = _class_labels(session, {classroom_id for _, classroom_id in plans})
    return [PlanBrief(plan.id, plan.answers.get("title", "") or t("proposal.untitled_plan"), labels[classroom_id])
            for plan, classroom_id in plans]


def _plans_with_class(session: Session, *conditions: Any) -> list[tuple[Plan, int]]:
    return list(session.exec(
        select(Plan, LessonRun.classroom_id).join(LessonRun, col(LessonRun.id) == Plan.run_id)
        .where(*conditions).order_by(Plan.id)).all())


def proposal_view(session: Session, proposal: Proposal, recipients: list[RecipientRow]) -> ProposalView:
    theme = session.get(Theme, proposal.theme_id) if proposal.theme_id else None
    linked = select(ProposalPlan.plan_id).where(ProposalPlan.proposal_id == proposal.id)
    plans = _plan_briefs(session, _plans_with_class(session, col(Plan.id).in_(linked)))
    fields = {name: getattr(proposal, name) for name in PROPOSAL_FIELDS}
    fields["cost_band"] = CostBand(proposal.cost_band).value
    cycle = session.get(Cycle, proposal.cycle_id)
    wijk = session.get(Neighbourhood, cycle.neighbourhood_id)
    return ProposalView(proposal.id, proposal.cycle_id, proposal.theme_id, theme.name if theme else "",
                        proposal.revision, fields, tuple(plans), tuple(recipients),
                        as_utc(proposal.created_at), as_utc(proposal.updated_at), cycle.school_year, wijk.name)


def list_proposals(engine: Engine, *, actor: Actor, cycle_id: int) -> list[ProposalView]:
    """The cycle's proposals with every recipient's status, newest first."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        proposals = session.exec(select(Proposal).where(Proposal.cycle_id == cycle_id)
                                 .order_by(col(Proposal.created_at).desc(), col(Proposal.id).desc())).all()
        recipients = recipient_rows(session, proposals)
        return [proposal_view(session, p, recipients[p.id]) for p in proposals]


def get_proposal(engine: Engine, *, actor: Actor, proposal_id: int) -> ProposalView:
    with read_session(engine) as session:
        proposal = _managed_proposal(session, actor, proposal_id)
        return proposal_view(session, proposal, recipient_rows(session, [proposal])[proposal.id])


def theme_sources(engine: Engine, *, actor: Actor, cycle_id: int) -> list[ThemeSource]:
    """The cycle's themes, top-3 first, each with its plans: what a proposal is written from."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        support = cycle_support(session, cycle_id)
        themes = session.exec(select(Theme).where(Theme.cycle_id == cycle_id)).all()
        sources = []
        for theme in themes:
            ranked = support.of_theme(theme.id) if support else None
            plans = _plan_briefs(session, _plans_with_class(session, Plan.theme_id == theme.id))
            sources.append(ThemeSource(theme.id, theme.name, ranked.place if ranked else None,
                                       ranked.score if ranked else None, tuple(plans)))
    return sorted(sources, key=lambda s: (s.place is None, s.place or 0, s.name.casefold()))


def draft_from_theme(engine: Engine, *, actor: Actor, theme_id: int) -> dict[str, str]:
    """A first version of the proposal's text from the theme's plans, in the children's words:
    the facilitator and the council rewrite it together. The contact is the facilitator."""
    with read_session(engine) as session:
        theme = session.get(Theme, theme_id)
        if theme is None:
            raise NotFound("error.not_found.theme")
        managed_cycle(session, actor, theme.cycle_id)
        plans = [plan for plan, _ in _plans_with_class(session, Plan.theme_id == theme_id)]
        user = session.get(User, actor.user_id)

    def joined(name: str, limit: int) -> str:
        parts = list(dict.fromkeys(p.answers.get(name, "").strip() for p in plans if p.answers.get(name, "").strip()))
        return "\n\n".join(parts)[:limit]

    costs = Counter(PLAN_COST_BANDS.get(p.answers.get("cost", ""), CostBand.UNKNOWN) for p in plans)
    costs.pop(CostBand.UNKNOWN, None)
    return {
        "title": theme.name, "problem": joined("problem", 4000), "place": joined("place", 300).replace("\n\n", "; "),
        "place_owner": "", "idea": joined("idea", 4000),
        "beneficiaries": joined("for_whom", 1000).replace("\n\n", "; "),
        "children_contribution": joined("ourselves", 2000), "ask": "",
        "cost_band": (costs.most_common(1)[0][0] if costs else CostBand.UNKNOWN).value,
        "contact_name": actor.display_name, "contact_role": t("proposal.default_contact_role"),
        "contact_email": user.email if user else "", "contact_phone": "",
    }


# --- writing a proposal ----------------------------------------------------------------------


def _check_recipients(session: Session, cycle_id: int, recipients: Sequence[tuple[int, int | None]]) -> None:
    partners = _partner_organisations(session, cycle_id)
    seen: set[int] = set()
    for organisation_id, contact_id in recipients:
        if organisation_id not in partners:
            raise InvalidInput("proposal.not_a_partner")
        if organisation_id in seen:
            raise InvalidInput("proposal.recipient_twice")
        seen.add(organisation_id)
        if contact_id is not None:
            contact = session.get(Contact, contact_id)
            wijk = session.get(Cycle, cycle_id).neighbourhood_id
            if (contact is None or contact.organisation_id != organisation_id or contact.archived_at is not None
                    or contact.neighbourhood_id != wijk):
                raise InvalidInput("proposal.contact_not_of_organisation")


def create_proposal(
    engine: Engine,
    *,
    actor: Actor,
    cycle_id: int,
    theme_id: int | None,
    plan_ids: Iterable[int],
    fields: dict[str, str],
    recipients: Sequence[tuple[int, int | None]],
) -> int:
    """A new proposal in concept for each recipient (organisation, contact person or None)."""
    values = validated(ProposalInput, **fields)
    if not recipients:
        raise InvalidInput("proposal.needs_recipient")
    with write_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        if theme_id is not None:
            theme = session.get(Theme, theme_id)
            if theme is None or theme.cycle_id != cycle_id:
                raise NotFound("error.not_found.theme")
        plans = _plans_of_cycle(session, cycle_id, plan_ids)
        _check_recipients(session, cycle_id, recipients)
        support = cycle_support(session, cycle_id)
        proposal = Proposal(**values.model_dump(), cycle_id=cycle_id, theme_id=theme_id,
                            poll_id=support.poll_id if support else None, created_by=actor.user_id)
        session.add(proposal)
        session.flush()
        session.add_all(ProposalPlan(proposal_id=proposal.id, plan_id=plan_id) for plan_id in plans)
        session.add_all(Recipient(proposal_id=proposal.id, organisation_id=organisation_id, contact_id=contact_id)
                        for organisation_id, contact_id in recipients)
        audit.record(session, actor=actor, action="proposal.created", subject="proposal", subject_id=proposal.id,
                     cycle_id=cycle_id, detail={"theme_id": theme_id, "plans": plans,
                                                "organisations": [o for o, _ in recipients]})
        return proposal.id


def update_proposal(
    engine: Engine, *, actor: Actor, proposal_id: int, seen_revision: int, fields: dict[str, str],
    plan_ids: Iterable[int] | None = None,
) -> None:
    """Save an edit made over `seen_revision`; someone else's edit in between is not overwritten."""
    values = validated(ProposalInput, **fields).model_dump()
    with write_session(engine) as session:
        proposal = _managed_proposal(session, actor, proposal_id)
        changed = sorted(name for name in PROPOSAL_FIELDS if getattr(proposal, name) != values[name])
        plans = None
        if plan_ids is not None:
            plans = _plans_of_cycle(session, proposal.cycle_id, plan_ids)
            current = sorted(session.exec(select(ProposalPlan.plan_id)
                                          .where(ProposalPlan.proposal_id == proposal_id)).all())
            if plans != current:
                changed.append("plans")
            else:
                plans = None
        if not changed:
            return
        done = session.execute(update(Proposal).where(
            Proposal.id == proposal_id, Proposal.revision == seen_revision,
        ).values(**values, revision=Proposal.revision + 1, updated_at=utcnow())).rowcount
        if done != 1:
            raise Conflict("proposal.changed_meanwhile")
        if plans is not None:
            for link in session.exec(select(ProposalPlan).where(ProposalPlan.proposal_id == proposal_id)).all():
                session.delete(link)
            session.flush()
            session.add_all(ProposalPlan(proposal_id=proposal_id, plan_id=plan_id) for plan_id in plans)
        audit.record(session, actor=actor, action="proposal.edited", subject="proposal", subject_id=proposal_id,
                     cycle_id=proposal.cycle_id, detail={"fields": changed})


def delete_proposal(engine: Engine, *, actor: Actor, proposal_id: int) -> None:
    """Only a proposal nobody received yet can go: what was sent stays on record."""
    with write_session(engine) as session:
        proposal = _managed_proposal(session, actor, proposal_id)
        recipients = session.exec(select(Recipient).where(Recipient.proposal_id == proposal_id)).all()
        if not may_delete(r.status for r in recipients):
            raise NotAllowed("proposal.sent_cannot_delete")
        for recipient in recipients:
            for link in session.exec(select(ReplyLink).where(ReplyLink.recipient_id == recipient.id)).all():
                session.delete(link)
            session.delete(recipient)
        for link in session.exec(select(ProposalPlan).where(ProposalPlan.proposal_id == proposal_id)).all():
            session.delete(link)
        session.flush()
        session.delete(proposal)
        audit.record(session, actor=actor, action="proposal.deleted", subject="proposal", subject_id=proposal_id,
                     cycle_id=proposal.cycle_id, detail={})


def add_recipient(engine: Engine, *, actor: Actor, proposal_id: int, organisation_id: int,
                  contact_id: int | None) -> int:
    with write_session(engine) as session:
        proposal = _managed_proposal(session, actor, proposal_id)
        _check_recipients(session, proposal.cycle_id, [(organisation_id, contact_id)])
        recipient = Recipient(proposal_id=proposal_id, organisation_id=organisation_id, contact_id=contact_id)
        with refused_as("proposal.recipient_twice"):
            session.add(recipient)
            session.flush()
        audit.record(session, actor=actor, action="recipient.added", subject="recipient", subject_id=recipient.id,
                     cycle_id=proposal.cycle_id,
                     detail={"proposal_id": proposal_id, "organisation_id": organisation_id})
        return recipient.id


def remove_recipient(engine: Engine, *, actor: Actor, recipient_id: int) -> None:
    with write_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        if not unsent(recipient.status):
            raise NotAllowed("proposal.sent_cannot_delete")
        session.delete(recipient)
        audit.record(session, actor=actor, action="recipient.removed", subject="recipient", subject_id=recipient_id,
                     cycle_id=proposal.cycle_id, detail={"organisation_id": recipient.organisation_id})


def _reply_days(session: Session, proposal: Proposal, organisation_id: int) -> int:
    """What the partner promised for this cycle, else the cycle's own promise."""
    promised = session.exec(select(Partnership.reply_by_days).where(
        Partnership.cycle_id == proposal.cycle_id, Partnership.organisation_id == organisation_id)).first()
    return promised or session.get(Cycle, proposal.cycle_id).reply_by_days


def move_recipient(engine: Engine, *, actor: Actor, recipient_id: int, to: RecipientStatus) -> None:
    """concept → verstuurd (the reply-by date starts), verstuurd → in behandeling, beantwoord →
    uitgevoerd. One conditional UPDATE from the one status each move starts at: two clicks, or a
    click on a stale screen, change nothing twice."""
    to = RecipientStatus(to)
    if to not in MOVES:
        raise InvalidInput("proposal.move_not_possible")
    with write_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        move_in(session, actor, recipient, proposal, to)


def expected_reply_by(session: Session, recipient: Recipient, proposal: Proposal) -> date:
    """The reply-by date sending it today gives."""
    return today() + timedelta(days=_reply_days(session, proposal, recipient.organisation_id))


def move_in(session: Session, actor: Actor, recipient: Recipient, proposal: Proposal, to: RecipientStatus) -> None:
    """`move_recipient` inside the caller's transaction (sending by e-mail moves and queues at once)."""
    recipient_id = recipient.id
    if actor.role == Role.OFFICIAL:
        if (actor.organisation_id != recipient.organisation_id or to not in OFFICIAL_MOVES
                or recipient.status == RecipientStatus.CONCEPT):
            raise NotAllowed("error.not_allowed")
    else:
        managed_cycle(session, actor, proposal.cycle_id)
    if never_done(to, recipient.decision):
        raise InvalidInput("proposal.rejected_not_done")
    now = utcnow()
    values: dict[str, object] = {"status": to, MOVE_TIMES[to]: now}
    if to == RecipientStatus.SENT:
        values["reply_by"] = expected_reply_by(session, recipient, proposal)
    done = session.execute(update(Recipient).where(
        Recipient.id == recipient_id, Recipient.status == MOVES[to]).values(**values)).rowcount
    if done != 1:
        raise Conflict("proposal.status_changed_meanwhile")
    audit.record(session, actor=actor, action="recipient.status", subject="recipient", subject_id=recipient_id,
                 cycle_id=proposal.cycle_id, detail={"from": MOVES[to].value, "to": to.value})
    session.refresh(recipient)


# --- the dossier -----------------------------------------------------------------------------


def _support(support: CycleSupport | None, theme_id: int | None) -> Support | None:
    ranked = support.of_theme(theme_id) if support else None
    if support is None or ranked is None:
        return None
    bars = [Bar(row.label, row.score, strong=row.theme_id == theme_id) for row in support.themes]
    return Support(poll_title=support.poll_title, method_label=support.method_label, score=ranked.score,
                   ballots=support.ballots, classes=support.classes, schools=support.schools,
                   rank=ranked.place if ranked.in_top else None, bars=bars)


def _photos(plans: Sequence[tuple[Plan, int]], labels: dict[int, str], photos_dir: Path) -> list[DossierPhoto]:
    photos = []
    for plan, classroom_id in plans:
        if not plan.photo_name:
            continue
        try:
            data = images.photo_path(photos_dir, plan.photo_name).read_bytes()
        except (KwrError, OSError):
            logger.warning("photo of plan %s is missing; the dossier is printed without it", plan.id)
            continue
        title = plan.answers.get("title", "")
        caption = t("dossier.photo_caption", plan=title, classroom=labels[classroom_id])
        alt = t("dossier.photo_alt", plan=title, place=plan.answers.get("place", ""))
        photos.append(DossierPhoto(data, caption, alt))
    return photos


def build_dossier(session: Session, recipient_id: int, photos_dir: Path) -> Dossier:
    recipient, proposal = recipient_of(session, recipient_id)
    cycle = session.get(Cycle, proposal.cycle_id)
    neighbourhood = session.get(Neighbourhood, cycle.neighbourhood_id)
    organisation = session.get(Organisation, recipient.organisation_id)
    contact = session.get(Contact, recipient.contact_id) if recipient.contact_id else None
    theme = session.get(Theme, proposal.theme_id) if proposal.theme_id else None
    linked = select(ProposalPlan.plan_id).where(ProposalPlan.proposal_id == proposal.id)
    plans = _plans_with_class(session, col(Plan.id).in_(linked))
    labels = _class_labels(session, {classroom_id for _, classroom_id in plans})
    quotes = [PlanQuote(plan.answers.get("title", ""), labels[classroom_id], plan.answers.get("problem", ""),
                        plan.answers.get("idea", "")) for plan, classroom_id in plans]
    sent = as_utc(recipient.sent_at)
    return Dossier(
        reference=f"KWR-{proposal.id}-{recipient.id}",
        letter_date=format_date(sent.astimezone(AMSTERDAM).date() if sent else today()),
        council_name=t("council.name", wijk=neighbourhood.name), neighbourhood=neighbourhood.name,
        municipality=neighbourhood.municipality, school_year=cycle.school_year,
        recipient_organisation=organisation.name, recipient_contact=contact.name if contact else "",
        recipient_job_title=contact.job_title if contact else "",
        title=proposal.title, theme=theme.name if theme else "", problem=proposal.problem, place=proposal.place,
        place_owner=proposal.place_owner, idea=proposal.idea, beneficiaries=proposal.beneficiaries,
        children_contribution=proposal.children_contribution, ask=proposal.ask,
        cost_band=t(f"cost_band.{CostBand(proposal.cost_band).value}"),
        contact_name=proposal.contact_name, contact_role=proposal.contact_role,
        contact_email=proposal.contact_email, contact_phone=proposal.contact_phone,
        reply_by=format_date(recipient.reply_by) if recipient.reply_by else "",
        quotes=quotes, support=_support(cycle_support(session, proposal.cycle_id), proposal.theme_id),
        photos=_photos(plans, labels, photos_dir),
    )


def dossier(engine: Engine, *, actor: Actor, recipient_id: int, photos_dir: Path) -> Dossier:
    with read_session(engine) as session:
        readable_recipient(session, actor, recipient_id)
        return build_dossier(session, recipient_id, photos_dir)


def dossier_pdf(engine: Engine, *, actor: Actor, recipient_id: int, photos_dir: Path) -> bytes:
    return render_proposal_pdf(dossier(engine, actor=actor, recipient_id=recipient_id, photos_dir=photos_dir))


def dossier_file_name(view: ProposalView, recipient: RecipientRow) -> str:
    """e.g. "voorstel-12-gemeente-utrecht.pdf": the archive sorts by proposal, then recipient."""
    return dossier_file_name_for(view.id, recipient.id, recipient.organisation)


def dossier_file_name_for(proposal_id: int, recipient_id: int, organisation: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in organisation.casefold())
    slug = "-".join(part for part in slug.split("-") if part)[:40] or "ontvanger"
    return f"{t('dossier.file_prefix')}-{proposal_id}-{recipient_id}-{slug}.pdf"


def export_proposals(engine: Engine, *, directory: Path, photos_dir: Path, cycle_id: int | None = None) -> list[Path]:
    """Every proposal's dossier, one PDF per recipient, for the archive (the command line; all cycles
    when none is given). One dossier in memory at a time; each file is written whole or not at all."""
    directory.mkdir(parents=True, exist_ok=True)
    with read_session(engine) as session:
        if cycle_id is not None and session.get(Cycle, cycle_id) is None:
            raise NotFound("error.not_found.cycle")
        query = select(Proposal).order_by(Proposal.id)
        if cycle_id is not None:
            query = query.where(Proposal.cycle_id == cycle_id)
        proposals = session.exec(query).all()
        rows = recipient_rows(session, proposals)
        jobs = [(dossier_file_name(proposal_view(session, p, rows[p.id]), r), r.id)
                for p in proposals for r in rows[p.id]]
    written = []
    for name, recipient_id in jobs:
        with read_session(engine) as session:
            data = build_dossier(session, recipient_id, photos_dir)
        path = directory / name
        partial = path.with_suffix(".pdf.part")
        partial.write_bytes(render_proposal_pdf(data))
        partial.replace(path)
        written.append(path)
    audit.record_now(engine, actor=None, actor_label="kinderwijkraad export proposals", action="export.proposals",
                     subject="cycle", subject_id=cycle_id, cycle_id=cycle_id, detail={"files": len(written)})
    return written


# --- the facilitator's overview --------------------------------------------------------------


def overdue(engine: Engine, *, actor: Actor) -> list[RecipientRow]:
    """Recipients past their reply-by date without an answer, in the actor's wijken, most late first."""
    if actor.role not in (Role.ADMIN, Role.FACILITATOR):
        return []
    with read_session(engine) as session:
        query = (select(Proposal, Cycle.neighbourhood_id)
                 .join(Cycle, col(Cycle.id) == Proposal.cycle_id)
                 .join(Recipient, col(Recipient.proposal_id) == Proposal.id)
                 .where(col(Recipient.status).in_(WAITING), col(Recipient.reply_by) < today()))
        proposals = [p for p, neighbourhood_id in session.exec(query).all() if actor.manages(neighbourhood_id)]
        proposals = list({p.id: p for p in proposals}.values())
        rows = [r for found in recipient_rows(session, proposals).values() for r in found if r.overdue]
    return sorted(rows, key=lambda r: r.reply_by)


@dataclass(frozen=True)
class PartnerChoice:
    organisation_id: int
    name: str
    kind: str
    contacts: tuple[tuple[int, str], ...]  # (contact id, "name, job title")


def partner_choices(engine: Engine, *, actor: Actor, cycle_id: int) -> list[PartnerChoice]:
    """The cycle's partner organisations and their contact people: who a proposal can go to."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        organisations = session.exec(
            select(Organisation).join(Partnership, col(Partnership.organisation_id) == Organisation.id)
            .where(Partnership.cycle_id == cycle_id, col(Organisation.archived_at).is_(None))
            .order_by(Organisation.name)).all()
        wijk = session.get(Cycle, cycle_id).neighbourhood_id
        contacts = session.exec(select(Contact).where(
            col(Contact.organisation_id).in_([o.id for o in organisations] or [-1]),
            Contact.neighbourhood_id == wijk, col(Contact.archived_at).is_(None)).order_by(Contact.name)).all()
        return [PartnerChoice(o.id, o.name, o.kind.value if hasattr(o.kind, "value") else str(o.kind),
                              tuple((c.id, ", ".join(filter(None, (c.name, c.job_title))))
                                    for c in contacts if c.organisation_id == o.id))
                for o in organisations]
