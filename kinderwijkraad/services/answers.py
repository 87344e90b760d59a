"""Answers to proposals: an official in the app, anyone with a reply link, or the facilitator
typing in a letter; and the child-language version of each answer. An answer that comes in by
link or in the app queues a message to the wijk's facilitators in its own transaction
(services/mail.py).

An answer is written only over the answer revision the writer was shown (one conditional UPDATE),
so nobody overwrites an answer they never saw. A reply link is bound to one recipient of one
proposal, is stored only as the hash of its random 256-bit token (unguessable, so it cannot be
forged), expires, can be revoked, and is checked inside the very UPDATE that writes the answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, exists, update
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.exports.proposals import render_proposal_pdf
from kinderwijkraad.i18n import t
from kinderwijkraad.models import (
    AnswerSource,
    Decision,
    Organisation,
    Proposal,
    Recipient,
    RecipientStatus,
    ReplyLink,
    Role,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit, mail
from kinderwijkraad.services.common import Actor, clean_text, link_token_hash, managed_cycle
from kinderwijkraad.services.proposals import (
    WAITING,
    ProposalView,
    RecipientRow,
    build_dossier,
    proposal_view,
    readable_recipient,
    recipient_of,
    recipient_rows,
)

LINK_DAYS = 30
MAX_LINK_DAYS = 120
ANSWERABLE = (RecipientStatus.SENT, RecipientStatus.IN_PROGRESS, RecipientStatus.ANSWERED)


# --- answers ---------------------------------------------------------------------------------


def _fits(field: str, value: str, limit: int) -> None:
    """A too-long text is refused with how much too long it is; nothing is cut off silently."""
    if len(value) > limit:
        raise InvalidInput("validation.too_long_by", field=field, max=limit, count=len(value) - limit)


def _answered_by(name: str) -> str:
    name = " ".join(clean_text(name).split())
    if not name:
        raise InvalidInput("validation.required", field="answered_by")
    _fits("answered_by", name, 120)
    return name


@dataclass(frozen=True)
class AnswerInput:
    decision: Decision
    reasons: str
    next_step: str
    contact: str  # who at the organisation to ask about it

    def checked(self) -> AnswerInput:
        decision = Decision(self.decision)
        reasons, next_step, contact = (" ".join(v.split()) if "\n" not in v else v
                                       for v in map(clean_text, (self.reasons, self.next_step, self.contact)))
        if decision != Decision.ACCEPTED and not reasons:
            raise InvalidInput("answer.reasons_required")
        for name, value, limit in (("reasons", reasons, 4000), ("next_step", next_step, 2000),
                                   ("contact", contact, 300)):
            _fits(name, value, limit)
        return AnswerInput(decision, reasons, next_step, contact)


def _write_answer(session: Session, recipient: Recipient, proposal: Proposal, *, seen_revision: int,
                  answer: AnswerInput, answered_by: str, source: AnswerSource, also: Any = None) -> None:
    """The answer goes in only over the revision the writer saw and while the recipient can still
    answer; `also` adds a condition (a valid reply link) to the same UPDATE."""
    conditions = [Recipient.id == recipient.id, Recipient.answer_revision == seen_revision,
                  col(Recipient.status).in_(ANSWERABLE)]
    if also is not None:
        conditions.append(also)
    done = session.execute(update(Recipient).where(*conditions).values(
        status=RecipientStatus.ANSWERED, decision=answer.decision, reasons=answer.reasons,
        next_step=answer.next_step, answer_contact=answer.contact, answered_by=answered_by,
        answer_source=source, answered_at=utcnow(), answer_revision=Recipient.answer_revision + 1,
    )).rowcount
    if done == 1:
        return
    session.refresh(recipient)
    if recipient.status == RecipientStatus.CONCEPT:
        raise InvalidInput("answer.not_sent")
    if recipient.status == RecipientStatus.DONE:
        raise NotAllowed("answer.already_done")
    if recipient.answer_revision != seen_revision:
        raise Conflict("answer.changed_meanwhile")
    raise NotAllowed("link.not_valid")  # only the extra condition is left


def _audit_answer(session: Session, recipient: Recipient, proposal: Proposal, *, actor: Actor | None,
                  actor_label: str, source: AnswerSource, decision: Decision, seen_revision: int) -> None:
    audit.record(session, actor=actor, actor_label=actor_label, action="recipient.answered", subject="recipient",
                 subject_id=recipient.id, cycle_id=proposal.cycle_id,
                 detail={"decision": decision.value, "source": source.value, "replaced_revision": seen_revision})


def answer_as_official(engine: Engine, *, actor: Actor, recipient_id: int, seen_revision: int,
                       answer: AnswerInput) -> None:
    """An official answers for their own organisation, in the app."""
    answer = answer.checked()
    if actor.role != Role.OFFICIAL:
        raise NotAllowed("error.not_allowed")
    with write_session(engine) as session:
        recipient, proposal = readable_recipient(session, actor, recipient_id)
        _write_answer(session, recipient, proposal, seen_revision=seen_revision, answer=answer,
                      answered_by=actor.display_name, source=AnswerSource.ACCOUNT)
        _audit_answer(session, recipient, proposal, actor=actor, actor_label="", source=AnswerSource.ACCOUNT,
                      decision=answer.decision, seen_revision=seen_revision)
        mail.queue_answer_notice(session, recipient.id, AnswerSource.ACCOUNT)


def enter_answer(engine: Engine, *, actor: Actor, recipient_id: int, seen_revision: int, answer: AnswerInput,
                 answered_by: str) -> None:
    """The facilitator types in an answer that came by e-mail or letter; `answered_by` is who sent it."""
    answer = answer.checked()
    answered_by = _answered_by(answered_by)
    with write_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        _write_answer(session, recipient, proposal, seen_revision=seen_revision, answer=answer,
                      answered_by=answered_by, source=AnswerSource.ENTERED)
        _audit_answer(session, recipient, proposal, actor=actor, actor_label="", source=AnswerSource.ENTERED,
                      decision=answer.decision, seen_revision=seen_revision)


def set_child_answer(engine: Engine, *, actor: Actor, recipient_id: int, child_answer: str, child_next: str,
                     seen_revision: int | None = None) -> None:
    """The facilitator's version of the answer in words a child of 8 understands, written for the
    answer revision they read (`seen_revision`; None: the answer as it stands). Had the answer
    changed meanwhile, the words are stored as outdated at once (services.feedback.words_needed)."""
    child_answer, child_next = clean_text(child_answer), clean_text(child_next)
    _fits("child_answer", child_answer, 1000)
    _fits("child_next", child_next, 500)
    with write_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        if recipient.status not in (RecipientStatus.ANSWERED, RecipientStatus.DONE):
            raise InvalidInput("feedback.needs_answer")
        recipient.child_answer, recipient.child_next = child_answer, child_next
        recipient.child_answer_revision = recipient.answer_revision if seen_revision is None else seen_revision
        session.add(recipient)
        audit.record(session, actor=actor, action="recipient.child_answer", subject="recipient",
                     subject_id=recipient_id, cycle_id=proposal.cycle_id, detail={})


# --- reply links -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRow:
    id: int
    recipient_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


def create_reply_link(engine: Engine, *, actor: Actor, recipient_id: int, valid_days: int = LINK_DAYS) -> str:
    """A new link for one recipient of one proposal; returns the token (shown once, stored hashed).
    The proposal must have been sent: a link to a concept would show a text still being written."""
    if not 1 <= valid_days <= MAX_LINK_DAYS:
        raise InvalidInput("validation.out_of_range", field="valid_days", low=1, high=MAX_LINK_DAYS)
    token = secrets.token_urlsafe(32)
    with write_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        if recipient.status == RecipientStatus.CONCEPT:
            raise InvalidInput("link.send_first")
        link = ReplyLink(recipient_id=recipient_id, token_hash=link_token_hash(token),
                         expires_at=utcnow() + timedelta(days=valid_days), created_by=actor.user_id)
        session.add(link)
        session.flush()
        audit.record(session, actor=actor, action="link.created", subject="recipient", subject_id=recipient_id,
                     cycle_id=proposal.cycle_id, detail={"link_id": link.id, "valid_days": valid_days})
    return token


def revoke_reply_link(engine: Engine, *, actor: Actor, link_id: int) -> None:
    with write_session(engine) as session:
        link = session.get(ReplyLink, link_id)
        if link is None:
            raise NotFound("link.not_valid")
        recipient, proposal = recipient_of(session, link.recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        session.execute(update(ReplyLink).where(ReplyLink.id == link_id, col(ReplyLink.revoked_at).is_(None))
                        .values(revoked_at=utcnow()))
        audit.record(session, actor=actor, action="link.revoked", subject="recipient", subject_id=recipient.id,
                     cycle_id=proposal.cycle_id, detail={"link_id": link_id})


def reply_links(engine: Engine, *, actor: Actor, recipient_id: int) -> list[LinkRow]:
    with read_session(engine) as session:
        _, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        links = session.exec(select(ReplyLink).where(ReplyLink.recipient_id == recipient_id)
                             .order_by(col(ReplyLink.created_at).desc())).all()
        return [LinkRow(link.id, link.recipient_id, as_utc(link.created_at), as_utc(link.expires_at),
                        as_utc(link.revoked_at), as_utc(link.last_used_at)) for link in links]


def _valid_link(session: Session, token: str, *, lock: bool = False) -> ReplyLink:
    """The link for this token, if it may still be used; one message for unknown, expired and
    revoked, so a guesser learns nothing. `lock` holds the row until the answer is written, so a
    revocation either comes before (and the answer is refused) or after."""
    query = select(ReplyLink).where(ReplyLink.token_hash == link_token_hash(token or ""))
    link = session.exec(query.with_for_update() if lock else query).first()
    if link is None or link.revoked_at is not None or as_utc(link.expires_at) <= utcnow():
        raise NotAllowed("link.not_valid")
    return link


def _link_still_valid(link_id: int) -> Any:
    return exists().where(ReplyLink.id == link_id, col(ReplyLink.revoked_at).is_(None),
                          ReplyLink.expires_at > utcnow())


@dataclass(frozen=True)
class ReplyPage:
    """What a reply link shows: one proposal to one organisation, and its current answer."""

    recipient: RecipientRow
    proposal: ProposalView
    organisation: str
    expires_at: datetime


def open_reply_link(engine: Engine, *, token: str) -> ReplyPage:
    with read_session(engine) as session:
        link = _valid_link(session, token)
        recipient, proposal = recipient_of(session, link.recipient_id)
        rows = recipient_rows(session, [proposal])[proposal.id]
        row = next(r for r in rows if r.id == recipient.id)
        view = proposal_view(session, proposal, [row])  # only this recipient: the others are not theirs to see
        return ReplyPage(row, view, row.organisation, as_utc(link.expires_at))


def answer_by_link(engine: Engine, *, token: str, seen_revision: int, answer: AnswerInput, answered_by: str) -> None:
    """Answer through a reply link: only its own recipient, only while the link is valid (checked
    in the UPDATE itself), and only over the answer the official was shown."""
    answer = answer.checked()
    answered_by = _answered_by(answered_by)
    with write_session(engine) as session:
        link = _valid_link(session, token, lock=True)
        recipient, proposal = recipient_of(session, link.recipient_id)
        _write_answer(session, recipient, proposal, seen_revision=seen_revision, answer=answer,
                      answered_by=answered_by, source=AnswerSource.LINK, also=_link_still_valid(link.id))
        session.execute(update(ReplyLink).where(ReplyLink.id == link.id).values(last_used_at=utcnow()))
        organisation = session.get(Organisation, recipient.organisation_id)
        _audit_answer(session, recipient, proposal, actor=None,
                      actor_label=t("audit.via_link", name=answered_by, organisation=organisation.name),
                      source=AnswerSource.LINK, decision=answer.decision, seen_revision=seen_revision)
        mail.queue_answer_notice(session, recipient.id, AnswerSource.LINK)


def link_dossier_pdf(engine: Engine, *, token: str, photos_dir: Path) -> bytes:
    """The dossier the link is about, so the official can read what they answer."""
    with read_session(engine) as session:
        link = _valid_link(session, token)
        dossier = build_dossier(session, link.recipient_id, photos_dir)
    return render_proposal_pdf(dossier)


# --- officials -------------------------------------------------------------------------------


def proposals_for_official(engine: Engine, *, actor: Actor) -> list[tuple[ProposalView, RecipientRow]]:
    """Everything sent to the official's organisation: the newest school year first, and within a
    year the waiting ones first, the soonest reply-by date first."""
    if actor.role != Role.OFFICIAL or actor.organisation_id is None:
        raise NotAllowed("error.not_allowed")
    with read_session(engine) as session:
        recipients = session.exec(select(Recipient).where(
            Recipient.organisation_id == actor.organisation_id,
            Recipient.status != RecipientStatus.CONCEPT)).all()
        proposals = session.exec(select(Proposal).where(
            col(Proposal.id).in_({r.proposal_id for r in recipients} or {-1}))).all()
        rows = recipient_rows(session, proposals)
        result = []
        for proposal in proposals:
            row = next(r for r in rows[proposal.id] if r.organisation_id == actor.organisation_id)
            result.append((proposal_view(session, proposal, [row]), row))
    result.sort(key=lambda pair: (pair[1].status not in WAITING, pair[1].reply_by or date.max))
    return sorted(result, key=lambda pair: pair[0].school_year, reverse=True)  # stable: keeps the order above
