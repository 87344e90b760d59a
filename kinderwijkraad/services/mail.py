"""The answer loop by e-mail: a proposal's dossier to each recipient's contact person with their
own reply link, reminders before, on and after the reply-by date, and the facilitator told of
every answer and of every class still waiting for its feedback.

The outbox table (models/mail.py) is the truth. A message is queued in the transaction of the
change that causes it (sending a proposal, an answer) or, for what falls due with time
(reminders, feedback), by `queue_due`; `deliver_due` hands queued messages to the mail server.
`kinderwijkraad mail send` runs both, from cron or a systemd timer: it is the one place reminders
are made, so several app replicas never duplicate them.

Exactly once, step by step:
- Queueing is at most once per idempotency key (the key is unique; an INSERT that meets it does
  nothing) and at least once for what is due (every run queues whatever is due and missing), so
  each key is queued exactly once, whatever runs at the same time or crashed before.
- Delivery claims a message with one conditional UPDATE (queued → sending, with a lease), so two
  senders never hand over the same message at the same moment. Handing over is at least once: a
  sender that dies after the mail server took a message but before recording it leaves the claim
  to expire, and the message goes again — with the same Message-ID (derived from the key), so the
  receiving side can see it is the same message. At most once would mean losing a message to a
  crash instead, which is worse for a reminder that children wait on.
- A message whose cause went away before it went (an answer came, the link was revoked, the
  reminders were paused, the proposal was closed) is cancelled at delivery, not sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, and_, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from kinderwijkraad import delivery
from kinderwijkraad.config import AMSTERDAM, MailSettings
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotFound
from kinderwijkraad.exports.mail import Letter, Paragraph, build_message
from kinderwijkraad.exports.proposals import render_proposal_pdf
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import (
    AnswerSource,
    Contact,
    Cycle,
    FacilitatorNeighbourhood,
    FeedbackShare,
    LessonRun,
    MailKind,
    MailMessage,
    MailStatus,
    Neighbourhood,
    Organisation,
    Phase,
    Plan,
    Proposal,
    ProposalPlan,
    Recipient,
    RecipientStatus,
    ReplyLink,
    Role,
    User,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, link_token_hash, mail_address, managed_cycle
from kinderwijkraad.services.proposals import (
    WAITING,
    build_dossier,
    child_words_needed,
    dossier_file_name_for,
    expected_reply_by,
    move_in,
    recipient_of,
    today,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

LANGUAGE = "nl"  # officials and facilitators are written to in Dutch, whatever the screen's language
# The app's page addresses the messages link to (ui/navigation.py; tests/test_mail_service.py
# checks they agree).
REPLY_PATH, LINK_PARAM, PROPOSALS_PATH = "antwoord", "link", "voorstellen"
LINK_DAYS_AFTER_REPLY_BY = 42  # a mailed reply link keeps working six weeks past the reply-by date
REMINDER_HOUR = time(8, 0)  # reminders go out from 08:00 in the Netherlands, not at midnight
FEEDBACK_DAYS = 7  # days after an answer before the facilitator hears a class still waits
LEASE = timedelta(minutes=10)  # a claimed message not recorded within this goes again
RETRY_MINUTES = (1, 5, 15, 60, 240)  # waits after failed tries; after the last, the message fails
AUDIT_SENDER = "e-mail"  # the audit log's actor for messages the mail run sends


def now_utc() -> datetime:
    return utcnow()


def closed(cycle: Cycle) -> bool:
    """A school year that was closed (or archived): its proposals get no more e-mail."""
    return cycle.phase == Phase.CLOSED or cycle.archived_at is not None


def _utc(now: datetime | None) -> datetime:
    """The run's clock in UTC, as every time is stored (SQLite would keep a local wall time)."""
    return (now or now_utc()).astimezone(UTC)


def _one(session: Session, model: type[T], ident: int | None) -> T:
    """A row the caller knows exists (a foreign key points at it)."""
    row = session.get(model, ident) if ident is not None else None
    if row is None:
        raise NotFound("mail.not_found")
    return row


def _id(ident: int | None) -> int:
    """The id of a row that was stored (flushed or read back), which always has one."""
    assert ident is not None
    return ident


def _changed(session: Session, statement: Any) -> int:
    """How many rows one conditional UPDATE changed."""
    return int(cast(Any, session.execute(statement)).rowcount)


# --- reply links a message can carry again --------------------------------------------------------


def link_token(mail: MailSettings, link_id: int) -> str:
    """The token of a mailed reply link, derived from the server's key: stored nowhere (the link
    row holds its hash, as every link's), yet every reminder carries the same link."""
    digest = hmac.new(mail.link_key.encode(), f"kinderwijkraad reply link {link_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def reply_url(mail: MailSettings, token: str) -> str:
    return f"{mail.public_url.rstrip('/')}/{REPLY_PATH}?{LINK_PARAM}={token}"


def _mailed_link(session: Session, mail: MailSettings, recipient: Recipient, actor: Actor) -> ReplyLink:
    reply_by = recipient.reply_by or datetime.now(AMSTERDAM).date()
    expires = datetime.combine(reply_by + timedelta(days=LINK_DAYS_AFTER_REPLY_BY), time(23, 59), AMSTERDAM)
    link = ReplyLink(recipient_id=_id(recipient.id), token_hash="pending", expires_at=expires, created_by=actor.user_id)
    link.token_hash = f"pending-{id(link)}-{utcnow().timestamp()}"  # unique until the id is known
    session.add(link)
    session.flush()
    link.token_hash = link_token_hash(link_token(mail, _id(link.id)))
    session.flush()
    return link


# --- queueing -----------------------------------------------------------------------------------


def _queue(session: Session, *, key: str, kind: MailKind, to_address: str, to_name: str,
           recipient_id: int | None = None, user_id: int | None = None, cycle_id: int | None = None,
           reply_link_id: int | None = None, created_by: int | None = None, actor: Actor | None = None,
           at: datetime | None = None) -> int | None:
    """Queue one message unless its key was queued before (then None): the database decides, so
    two runs at once queue it once. `at`: the run's clock (made then, due then), else now."""
    at = at or utcnow()
    values = {"key": key, "kind": kind.value, "status": MailStatus.QUEUED.value, "recipient_id": recipient_id,
              "user_id": user_id, "cycle_id": cycle_id, "reply_link_id": reply_link_id,
              "to_address": to_address, "to_name": to_name[:120], "created_at": at,
              "created_by": created_by, "next_try_at": at, "tries": 0,
              "delivered_to": "", "subject": "", "last_error": ""}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(MailMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
                 .returning(MailMessage.id))
    message_id = session.execute(statement).scalar_one_or_none()
    if message_id is not None:
        audit.record(session, actor=actor, actor_label=AUDIT_SENDER, action="mail.queued", subject="mail",
                     subject_id=message_id, cycle_id=cycle_id,
                     detail={"kind": kind.value, "key": key, "recipient_id": recipient_id})
    return message_id


def _contact_address(session: Session, recipient: Recipient) -> tuple[str, str]:
    contact = session.get(Contact, recipient.contact_id) if recipient.contact_id else None
    return (contact.name, contact.email) if contact else ("", "")


def send_proposal(engine: Engine, *, actor: Actor, recipient_id: int, mail: MailSettings,
                  to_address: str | None = None, seen_sent: int | None = None) -> int:
    """*Versturen per e-mail*: in one transaction the recipient becomes sent (if it was a concept,
    with its reply-by date), gets a reply link of its own and its dossier message is queued, to the
    contact person or to `to_address` (a corrected address). `seen_sent` is how many dossier
    messages the user saw: a double click, or two people at once, queue one message, not two."""
    with write_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        cycle = managed_cycle(session, actor, proposal.cycle_id)
        if closed(cycle):
            raise InvalidInput("mail.cycle_closed")
        name, contact_email = _contact_address(session, recipient)
        address = mail_address(to_address if to_address is not None else contact_email, field="email")
        if not address:
            raise InvalidInput("mail.no_address")
        if recipient.status == RecipientStatus.CONCEPT:
            move_in(session, actor, recipient, proposal, RecipientStatus.SENT)
        elif recipient.status not in WAITING:
            raise InvalidInput("mail.already_answered")
        elif recipient.reply_by is not None and recipient.reply_by < today():
            # Sent again after the date passed (the first went astray): a letter asking for an answer
            # "before" a day gone by makes no sense, so the partner gets the time it promised anew.
            new_date = expected_reply_by(session, recipient, proposal)
            session.execute(update(Recipient).where(col(Recipient.id) == recipient_id).values(reply_by=new_date))
            audit.record(session, actor=actor, action="recipient.reply_by", subject="recipient",
                         subject_id=recipient_id, cycle_id=proposal.cycle_id,
                         detail={"previous": recipient.reply_by.isoformat(), "new": new_date.isoformat()})
            session.refresh(recipient)
        earlier = session.exec(select(func.count()).select_from(MailMessage).where(
            MailMessage.recipient_id == recipient_id, MailMessage.kind == MailKind.DOSSIER)).one()
        if seen_sent is not None and seen_sent != earlier:
            raise Conflict("mail.sent_meanwhile")
        link = _mailed_link(session, mail, recipient, actor)
        message_id = _queue(session, key=f"dossier/{recipient_id}/{earlier + 1}", kind=MailKind.DOSSIER,
                            to_address=address, to_name=name if to_address is None else "",
                            recipient_id=recipient_id, cycle_id=proposal.cycle_id, reply_link_id=link.id,
                            created_by=actor.user_id, actor=actor)
        if message_id is None:
            raise Conflict("mail.sent_meanwhile")
        return message_id


def set_reminders_paused(engine: Engine, *, actor: Actor, recipient_id: int, paused: bool) -> None:
    with write_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        session.execute(update(Recipient).where(col(Recipient.id) == recipient_id).values(reminders_paused=paused))
        audit.record(session, actor=actor, action="mail.reminders_paused" if paused else "mail.reminders_resumed",
                     subject="recipient", subject_id=recipient_id, cycle_id=proposal.cycle_id)


def retry(engine: Engine, *, actor: Actor, message_id: int) -> None:
    """Try a failed message again from the start (after the mail server or the address was fixed)."""
    with write_session(engine) as session:
        message = session.get(MailMessage, message_id)
        if message is None or message.cycle_id is None:
            raise NotFound("mail.not_found")
        managed_cycle(session, actor, message.cycle_id)
        done = _changed(session, update(MailMessage).where(
            col(MailMessage.id) == message_id, col(MailMessage.status) == MailStatus.FAILED).values(
            status=MailStatus.QUEUED, tries=0, next_try_at=utcnow()))
        if done != 1:
            raise Conflict("mail.changed_meanwhile")
        audit.record(session, actor=actor, action="mail.retry", subject="mail", subject_id=message_id,
                     cycle_id=message.cycle_id)


def _facilitators(session: Session, proposal: Proposal, cycle: Cycle) -> list[User]:
    """The wijk's facilitators with an address; else whoever wrote the proposal, if they have one."""
    assigned = col(FacilitatorNeighbourhood.user_id) == User.id
    users = list(session.exec(select(User).join(FacilitatorNeighbourhood, assigned)
                              .where(FacilitatorNeighbourhood.neighbourhood_id == cycle.neighbourhood_id,
                                     User.role == Role.FACILITATOR, User.active, User.email != "")
                              .order_by(col(User.id))).all())
    if not users:
        writer = session.get(User, proposal.created_by)  # may be gone: then nobody
        users = [writer] if writer and writer.active and writer.email else []
    return users


def queue_answer_notice(session: Session, recipient_id: int, source: AnswerSource) -> None:
    """In the answer's own transaction: each facilitator of the wijk hears an answer came in (one
    message per answer revision). An answer the facilitator typed in themselves needs no notice."""
    if source == AnswerSource.ENTERED:
        return
    recipient, proposal = recipient_of(session, recipient_id)
    session.refresh(recipient)
    cycle = _one(session, Cycle, proposal.cycle_id)
    for user in _facilitators(session, proposal, cycle):
        _queue(session, key=f"answered/{recipient_id}/{recipient.answer_revision}/{user.id}",
               kind=MailKind.ANSWERED, to_address=user.email, to_name=user.display_name,
               recipient_id=recipient_id, user_id=user.id, cycle_id=proposal.cycle_id)


# --- what falls due with time ---------------------------------------------------------------------


def reminder_dates(reply_by: date, *, days_before: int, after: int) -> list[tuple[int, date]]:
    """The reminders of one reply-by date, numbered so their keys stay the same between runs:
    1 before (when the wijk wants one), 2 on the day, 3… weekly after it."""
    dates = [(1, reply_by - timedelta(days=days_before))] if days_before > 0 else []
    dates.append((2, reply_by))
    dates += [(2 + week, reply_by + timedelta(weeks=week)) for week in range(1, after + 1)]
    return dates


def _due_moment(day: date) -> datetime:
    return datetime.combine(day, REMINDER_HOUR, AMSTERDAM)


def _last_dossier(session: Session, recipient_id: int) -> MailMessage | None:
    return session.exec(select(MailMessage).where(
        MailMessage.recipient_id == recipient_id, MailMessage.kind == MailKind.DOSSIER,
        MailMessage.status != MailStatus.CANCELLED).order_by(col(MailMessage.id).desc()).limit(1)).first()


def _link_usable(session: Session, link_id: int | None, now: datetime) -> bool:
    link = session.get(ReplyLink, link_id) if link_id else None
    return link is not None and link.revoked_at is None and as_utc(link.expires_at) > now


def _reminder_due(session: Session, recipient: Recipient, now: datetime) -> tuple[int, MailMessage] | None:
    """The latest reminder due for a recipient still waiting whose dossier went by e-mail (only
    the latest: after days without a run, one reminder goes, not a pile of them)."""
    if recipient.reminders_paused or recipient.status not in WAITING or recipient.reply_by is None:
        return None
    dossier = _last_dossier(session, _id(recipient.id))
    if dossier is None or not _link_usable(session, dossier.reply_link_id, now):
        return None
    proposal = _one(session, Proposal, recipient.proposal_id)
    cycle = _one(session, Cycle, proposal.cycle_id)
    wijk = _one(session, Neighbourhood, cycle.neighbourhood_id)
    if closed(cycle):
        return None
    due = [(number, day) for number, day in reminder_dates(
        recipient.reply_by, days_before=wijk.reminder_days_before, after=wijk.reminders_after)
        if _due_moment(day) <= now and _due_moment(day) > as_utc(recipient.sent_at or now)]
    return (due[-1][0], dossier) if due else None


def _feedback_waiting(session: Session, recipient: Recipient, proposal: Proposal) -> bool:
    """A class whose plan this answer is about has not heard it yet: the children's words are
    missing, or the class's sheet was not shared since the answer came."""
    if child_words_needed(recipient.status, recipient.child_answer, recipient.child_answer_revision,
                          recipient.answer_revision):
        return True
    answered = as_utc(recipient.answered_at)
    classes = set(session.exec(select(LessonRun.classroom_id).join(Plan, col(Plan.run_id) == LessonRun.id)
                               .join(ProposalPlan, col(ProposalPlan.plan_id) == Plan.id)
                               .where(ProposalPlan.proposal_id == proposal.id)).all())
    shared = set(session.exec(select(FeedbackShare.classroom_id).where(
        FeedbackShare.cycle_id == proposal.cycle_id, col(FeedbackShare.shared_at) >= answered)).all())
    return bool(classes - shared)


def queue_due(engine: Engine, *, now: datetime | None = None) -> int:
    """Queue every reminder and feedback notice due at `now` that is not queued yet; returns how
    many were queued. Safe to run anywhere at any time: the keys make a second run a no-op."""
    now = _utc(now)
    queued = 0
    with write_session(engine) as session:
        waiting = session.exec(select(Recipient).where(col(Recipient.status).in_(WAITING),
                                                       col(Recipient.reply_by).is_not(None),
                                                       col(Recipient.reminders_paused).is_(False))).all()
        for recipient in waiting:
            due = _reminder_due(session, recipient, now)
            if due is None or recipient.reply_by is None:
                continue
            number, dossier = due
            later = session.exec(select(func.count()).select_from(MailMessage).where(
                MailMessage.recipient_id == recipient.id, MailMessage.kind == MailKind.REMINDER,
                col(MailMessage.key).startswith(f"reminder/{recipient.id}/{recipient.reply_by.isoformat()}/"),
            )).one()
            if later >= number:  # this one or a later one is queued already (catch-up skips the missed)
                continue
            queued += _queue(session, key=f"reminder/{recipient.id}/{recipient.reply_by.isoformat()}/{number}",
                             kind=MailKind.REMINDER, to_address=dossier.to_address, to_name=dossier.to_name,
                             recipient_id=recipient.id, cycle_id=dossier.cycle_id,
                             reply_link_id=dossier.reply_link_id, at=now) is not None
        # Open school years only: a run every few minutes must not walk every answer of past years.
        answered = session.exec(select(Recipient, Proposal, Cycle)
                                .join(Proposal, col(Proposal.id) == Recipient.proposal_id)
                                .join(Cycle, col(Cycle.id) == Proposal.cycle_id)
                                .where(Recipient.status == RecipientStatus.ANSWERED,
                                       col(Recipient.answered_at) <= now - timedelta(days=FEEDBACK_DAYS),
                                       Cycle.phase != Phase.CLOSED, col(Cycle.archived_at).is_(None))).all()
        for recipient, proposal, cycle in answered:
            if not _feedback_waiting(session, recipient, proposal):
                continue
            for user in _facilitators(session, proposal, cycle):
                queued += _queue(session, key=f"feedback/{recipient.id}/{recipient.answer_revision}/{user.id}",
                                 kind=MailKind.FEEDBACK_DUE, to_address=user.email, to_name=user.display_name,
                                 recipient_id=recipient.id, user_id=user.id, cycle_id=proposal.cycle_id,
                                 at=now) is not None
    return queued


# --- the letters ----------------------------------------------------------------------------------


def _m(key: str, **params: object) -> str:
    return t(f"mail.{key}", language=LANGUAGE, **params)


def _proposal_letter(session: Session, *, kind: MailKind, recipient: Recipient, proposal: Proposal, to_name: str,
                     link: str, reply_by: date | None, today: date) -> Letter:
    """The dossier's covering letter, or a reminder, in the name of the council and its adult contact."""
    organisation = _one(session, Organisation, recipient.organisation_id)
    cycle = _one(session, Cycle, proposal.cycle_id)
    wijk = _one(session, Neighbourhood, cycle.neighbourhood_id)
    council = t("council.name", wijk=wijk.name, language=LANGUAGE)
    when = format_date(reply_by, language=LANGUAGE) if reply_by else ""
    title = proposal.title
    if kind == MailKind.DOSSIER:
        subject = _m("dossier.subject", council=council, title=title)
        paragraphs = [Paragraph(_m("dossier.intro", council=council, organisation=organisation.name, title=title)),
                      Paragraph(_m("dossier.answer", date=when), link)]
    else:
        moment = "before" if reply_by and today < reply_by else "today" if reply_by == today else "after"
        subject = _m(f"reminder.subject_{moment}", title=title, date=when)
        paragraphs = [Paragraph(_m(f"reminder.{moment}", title=title, date=when, council=council)),
                      Paragraph(_m("reminder.link"), link)]
    paragraphs.append(Paragraph(_m("children_hear")))
    dossier = kind == MailKind.DOSSIER
    attachment_name = dossier_file_name_for(_id(proposal.id), _id(recipient.id), organisation.name) if dossier else ""
    return Letter(subject=subject, greeting=_m("greeting", name=to_name or organisation.name), paragraphs=paragraphs,
                  closing=_m("closing"), signature=_m("signature", name=proposal.contact_name or council,
                                                      council=council),
                  attachment_name=attachment_name)


def _facilitator_letter(session: Session, message: MailMessage, mail: MailSettings) -> Letter:
    """To a facilitator: an answer came in, or a class still waits to hear it."""
    recipient, proposal = recipient_of(session, _id(message.recipient_id))
    organisation = _one(session, Organisation, recipient.organisation_id)
    page = f"{mail.public_url.rstrip('/')}/{PROPOSALS_PATH}"
    if message.kind == MailKind.ANSWERED:
        decision = t(f"decision.{recipient.decision.value}", language=LANGUAGE) if recipient.decision else ""
        subject = _m("answered.subject", organisation=organisation.name, title=proposal.title)
        paragraphs = [Paragraph(_m("answered.intro", organisation=organisation.name, title=proposal.title,
                                   decision=decision, name=recipient.answered_by)),
                      Paragraph(recipient.reasons or "—")]
        if recipient.next_step:
            paragraphs.append(Paragraph(_m("answered.next", next=recipient.next_step)))
        paragraphs.append(Paragraph(_m("answered.words"), page))
    else:
        subject = _m("feedback.subject", title=proposal.title)
        paragraphs = [Paragraph(_m("feedback.intro", organisation=organisation.name, title=proposal.title,
                                   days=FEEDBACK_DAYS)),
                      Paragraph(_m("feedback.words"), page)]
    return Letter(subject=subject, greeting=_m("greeting", name=message.to_name), paragraphs=paragraphs,
                  closing=_m("closing"), signature=_m("signature_app"))


def _no_longer_due(session: Session, message: MailMessage, now: datetime) -> str:
    """Why a queued message should not go any more ("" when it should)."""
    if message.recipient_id is None:
        return ""
    recipient, proposal = recipient_of(session, message.recipient_id)
    if closed(_one(session, Cycle, proposal.cycle_id)):
        return "closed"
    if message.kind == MailKind.DOSSIER and recipient.status == RecipientStatus.CONCEPT:
        return "not_sent"
    if message.kind == MailKind.REMINDER:
        if recipient.status not in WAITING:
            return "answered"
        if recipient.reminders_paused:
            return "paused"
        if not _link_usable(session, message.reply_link_id, now):
            return "link_revoked"
    if message.kind == MailKind.FEEDBACK_DUE and not _feedback_waiting(session, recipient, proposal):
        return "feedback_given"
    return ""


def compose(session: Session, message: MailMessage, mail: MailSettings, *, now: datetime) -> EmailMessage | str:
    """The message as it goes now, made from the data now; or why it no longer goes."""
    reason = _no_longer_due(session, message, now)
    if reason:
        return reason
    reply_to = None
    if message.kind in (MailKind.DOSSIER, MailKind.REMINDER):
        recipient, proposal = recipient_of(session, _id(message.recipient_id))
        token = link_token(mail, _id(message.reply_link_id))
        if _one(session, ReplyLink, message.reply_link_id).token_hash != link_token_hash(token):
            return "key_changed"  # KWR_COOKIE_KEY changed since: the link would not open, so it does not go
        link = reply_url(mail, token)
        letter = _proposal_letter(session, kind=message.kind, recipient=recipient, proposal=proposal,
                                  to_name=message.to_name, link=link, reply_by=recipient.reply_by,
                                  today=now.astimezone(AMSTERDAM).date())
        if message.kind == MailKind.DOSSIER:
            letter = replace(letter, attachment=render_proposal_pdf(build_dossier(session, _id(recipient.id),
                                                                                  mail.photos_dir)))
        if proposal.contact_email:
            reply_to = (proposal.contact_name, proposal.contact_email)
    else:
        letter = _facilitator_letter(session, message, mail)
    return build_message(letter, key=message.key, sender=mail.mail_from, to_name=message.to_name,
                         to_address=message.to_address, reply_to=reply_to, sent_at=now)


@dataclass(frozen=True)
class Preview:
    """What *Versturen per e-mail* would send, shown before it goes."""

    to: str  # "Name <address>", or "" without an address
    reply_to: str
    subject: str
    text: str
    attachment_name: str


def preview(engine: Engine, *, actor: Actor, recipient_id: int, mail: MailSettings,
            to_address: str | None = None) -> Preview:
    """The dossier message as it would go now, with a placeholder where the new link goes."""
    with read_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        name, contact_email = _contact_address(session, recipient)
        if to_address is not None:
            name, contact_email = "", to_address
        reply_by = recipient.reply_by or expected_reply_by(session, recipient, proposal)
        letter = _proposal_letter(session, kind=MailKind.DOSSIER, recipient=recipient, proposal=proposal,
                                  to_name=name, link=reply_url(mail, "…"), reply_by=reply_by,
                                  today=datetime.now(AMSTERDAM).date())
        reply_to = f"{proposal.contact_name} <{proposal.contact_email}>" if proposal.contact_email else ""
        to = f"{name} <{contact_email}>" if name and contact_email else contact_email
        text = build_message(letter, key="preview", sender=mail.mail_from, to_name=name,
                             to_address=contact_email or "nobody@invalid", reply_to=None)
        body = text.get_body(("plain",))
        return Preview(to, reply_to, str(text["Subject"]), body.get_content() if body else "", letter.attachment_name)


# --- delivery -------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


def _claimable(now: datetime) -> Any:
    """Queued and due, or sending under a claim that expired (its sender died)."""
    return or_(and_(col(MailMessage.status) == MailStatus.QUEUED, col(MailMessage.next_try_at) <= now),
               and_(col(MailMessage.status) == MailStatus.SENDING, col(MailMessage.claimed_until) < now))


def _claim(engine: Engine, message_id: int, now: datetime) -> int | None:
    """Take one message for this sender with one conditional UPDATE: queued and due, or sending
    under a claim that expired (its sender died). Returns the try number, or None if another took it."""
    with write_session(engine) as session:
        done = _changed(session, update(MailMessage).where(col(MailMessage.id) == message_id, _claimable(now)).values(
            status=MailStatus.SENDING, claimed_until=now + LEASE, tries=col(MailMessage.tries) + 1))
        if done != 1:
            return None
        return session.exec(select(MailMessage.tries).where(col(MailMessage.id) == message_id)).one()


def _finish(engine: Engine, message_id: int, tries: int, *, action: str, **values: object) -> bool:
    """Record the outcome, if the claim is still ours (the same try); audit it without the body."""
    with write_session(engine) as session:
        done = _changed(session, update(MailMessage).where(
            col(MailMessage.id) == message_id, col(MailMessage.status) == MailStatus.SENDING,
            col(MailMessage.tries) == tries,
        ).values(claimed_until=None, **values))
        if done == 1:
            message = _one(session, MailMessage, message_id)
            audit.record(session, actor=None, actor_label=AUDIT_SENDER, action=action, subject="mail",
                         subject_id=message_id, cycle_id=message.cycle_id,
                         detail={"kind": message.kind.value, "key": message.key, "tries": tries,
                                 **({"reason": values["last_error"]} if values.get("last_error") else {})})
        return done == 1


Deliver = Callable[[EmailMessage, MailSettings, str], str]


def _hand_over(message: EmailMessage, mail: MailSettings, file_stem: str) -> str:
    return delivery.deliver(message, mail, file_stem=file_stem)


def deliver_one(engine: Engine, message_id: int, mail: MailSettings, *, now: datetime | None = None,
                deliver: Deliver = _hand_over, report: DeliveryReport | None = None) -> DeliveryReport:
    """Claim, compose, hand over and record one message; a failure is recorded, never raised."""
    report = report or DeliveryReport()
    now = _utc(now)
    tries = _claim(engine, message_id, now)
    if tries is None:
        return report
    with read_session(engine) as session:
        message = _one(session, MailMessage, message_id)
        made: EmailMessage | str | Exception
        try:
            made = compose(session, message, mail, now=now)
        # A message that cannot be made (a damaged photo in its dossier) fails alone; the run goes on.
        except Exception as error:
            logger.exception("mail %s could not be composed", message_id)
            made = error
    if isinstance(made, str):
        _finish(engine, message_id, tries, action="mail.cancelled", status=MailStatus.CANCELLED,
                last_error=made)
        report.cancelled += 1
        return report
    try:
        if isinstance(made, Exception):
            raise delivery.DeliveryError(f"{type(made).__name__}: {made}", temporary=False)
        where = deliver(made, mail, message.key)
    except Exception as error:
        failure = error if isinstance(error, delivery.DeliveryError) else None
        if failure is None:  # a surprise in the hand-over (a bad port in KWR_SMTP_URL): recorded, not raised
            logger.exception("mail %s could not be handed over", message_id)
            failure = delivery.DeliveryError(f"{type(error).__name__}: {error}", temporary=True)
        if failure.temporary and tries < len(RETRY_MINUTES) + 1:
            _finish(engine, message_id, tries, action="mail.retrying", status=MailStatus.QUEUED,
                    next_try_at=now + timedelta(minutes=RETRY_MINUTES[tries - 1]), last_error=failure.reason[:500])
            report.retrying += 1
        else:
            _finish(engine, message_id, tries, action="mail.failed", status=MailStatus.FAILED,
                    last_error=failure.reason[:500])
            report.failed += 1
        return report
    _finish(engine, message_id, tries, action="mail.sent", status=MailStatus.SENT, sent_at=now,
            delivered_to=where[:200], subject=str(made["Subject"])[:300], last_error="")
    report.sent += 1
    return report


def deliver_due(engine: Engine, mail: MailSettings, *, now: datetime | None = None, limit: int = 200,
                deliver: Deliver = _hand_over) -> DeliveryReport:
    """Hand over every message due now (up to `limit` per run), one at a time, each claimed first."""
    now = _utc(now)
    with read_session(engine) as session:
        due = session.exec(select(col(MailMessage.id)).where(_claimable(now))
                           .order_by(col(MailMessage.next_try_at), col(MailMessage.id)).limit(limit)).all()
    report = DeliveryReport()
    for message_id in due:
        deliver_one(engine, _id(message_id), mail, now=now, deliver=deliver, report=report)
    return report


def send_due(engine: Engine, mail: MailSettings, *, now: datetime | None = None,
             deliver: Deliver = _hand_over) -> tuple[int, DeliveryReport]:
    """`kinderwijkraad mail send`: queue what fell due, then deliver what is queued."""
    now = _utc(now)
    return queue_due(engine, now=now), deliver_due(engine, mail, now=now, deliver=deliver)


# --- what the facilitator sees --------------------------------------------------------------------


@dataclass(frozen=True)
class MessageRow:
    id: int
    kind: MailKind
    status: MailStatus
    to: str
    created_at: datetime
    sent_at: datetime | None
    delivered_to: str
    tries: int
    last_error: str
    reminder_number: int | None

    @property
    def to_outbox(self) -> bool:
        return self.delivered_to == delivery.OUTBOX


def messages_of(engine: Engine, *, actor: Actor, recipient_id: int) -> list[MessageRow]:
    """Every message about one recipient, newest first (the facilitator's "what was sent")."""
    with read_session(engine) as session:
        _, proposal = recipient_of(session, recipient_id)
        managed_cycle(session, actor, proposal.cycle_id)
        rows = session.exec(select(MailMessage).where(col(MailMessage.recipient_id) == recipient_id)
                            .order_by(col(MailMessage.id).desc())).all()
        return [MessageRow(_id(m.id), m.kind, m.status, f"{m.to_name} <{m.to_address}>" if m.to_name else m.to_address,
                           as_utc(m.created_at), as_utc(m.sent_at), m.delivered_to, m.tries, m.last_error,
                           int(m.key.rsplit("/", 1)[1]) if m.kind == MailKind.REMINDER else None)
                for m in rows]


def dossier_count(messages: Iterable[MessageRow]) -> int:
    """How many dossier messages a recipient has (what *Versturen per e-mail* passes as seen)."""
    return sum(1 for m in messages if m.kind == MailKind.DOSSIER)


@dataclass(frozen=True)
class ReminderPlan:
    """The reminders a recipient gets while it waits: the wijk's setting and the recipient's pause."""

    days_before: int  # 0: none before the reply-by date
    after: int  # weekly after it, this many times
    reply_by: date  # the recipient's date, or the one sending now would give it
    paused: bool


def reminder_plan(engine: Engine, *, actor: Actor, recipient_id: int) -> ReminderPlan:
    """What the facilitator reads beside *Versturen per e-mail* and the pause switch."""
    with read_session(engine) as session:
        recipient, proposal = recipient_of(session, recipient_id)
        cycle = managed_cycle(session, actor, proposal.cycle_id)
        wijk = _one(session, Neighbourhood, cycle.neighbourhood_id)
        reply_by = recipient.reply_by or expected_reply_by(session, recipient, proposal)
        return ReminderPlan(wijk.reminder_days_before, wijk.reminders_after, reply_by, recipient.reminders_paused)
