"""The answer loop by e-mail (services/mail.py), on SQLite and PostgreSQL: sending a proposal
queues its dossier in the same transaction, the timeline of reminders under a fixed clock, the
facilitator's notices, cancelling what is no longer due, retries and failures, and addresses and
headers that typed text cannot break. Delivery goes to a list here (or the outbox folder);
tests/test_mail_smtp.py hands messages to a real SMTP server.
"""

from __future__ import annotations

import email
from dataclasses import replace
from datetime import datetime, time, timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from kinderwijkraad import delivery
from kinderwijkraad.config import AMSTERDAM, MailSettings
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput
from kinderwijkraad.i18n import format_date
from kinderwijkraad.models import (
    AuditEntry,
    Contact,
    MailKind,
    MailMessage,
    MailStatus,
    RecipientStatus,
    ReplyLink,
)
from kinderwijkraad.services import answers, feedback, mail, proposals
from kinderwijkraad.services.common import mail_address
from kinderwijkraad.ui import navigation
from tests import proposal_factories as pf


@pytest.fixture
def world(engine):
    return pf.cycle_with_proposal(engine)


@pytest.fixture
def settings(tmp_path) -> MailSettings:
    return MailSettings(smtp_url=None, mail_from="Kinderwijkraad <kwr@kinderwijkraad.example>",
                        outbox_dir=tmp_path / "outbox", public_url="https://kwr.example.nl",
                        link_key="test-key-" + "x" * 32, photos_dir=tmp_path / "photos")


class Inbox:
    """A `deliver` that keeps what it is given, or fails as told."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.fail: delivery.DeliveryError | None = None

    def __call__(self, message, _settings, _stem) -> str:
        if self.fail is not None:
            raise self.fail
        self.messages.append(email.message_from_bytes(message.as_bytes(), policy=policy.default))
        return "smtp.test:25"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


def _messages(engine) -> list[MailMessage]:
    with read_session(engine) as session:
        return list(session.exec(select(MailMessage).order_by(MailMessage.id)).all())


def _at(day, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), AMSTERDAM)


def test_the_pages_the_messages_link_to_exist():
    assert (navigation.REPLY.url_path, navigation.PROPOSALS.url_path) == (mail.REPLY_PATH, mail.PROPOSALS_PATH)


def test_sending_by_mail_sends_queues_and_makes_a_link_in_one_transaction(engine, world, settings):
    rid = world.recipients["gemeente"]
    message_id = mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    row = pf.recipient(engine, world, "gemeente")
    assert row.status == RecipientStatus.SENT and row.reply_by is not None
    [message] = _messages(engine)
    assert (message.id, message.key, message.kind, message.status) == (
        message_id, f"dossier/{rid}/1", MailKind.DOSSIER, MailStatus.QUEUED)
    assert (message.to_address, message.to_name) == ("s.dewit@rivierstad.example", "Sanne de Wit")
    with read_session(engine) as session:
        link = session.get(ReplyLink, message.reply_link_id)
        actions = session.exec(select(AuditEntry.action).where(AuditEntry.subject == "mail")).all()
    # The token is derived, not stored: the link answers with it, as a made link does.
    page = answers.open_reply_link(engine, token=mail.link_token(settings, link.id))
    assert page.recipient.id == rid
    assert link.expires_at.date() > row.reply_by
    assert actions == ["mail.queued"]


def test_a_refused_send_leaves_nothing_behind(engine, world, settings):
    """The corporatie's contact has no address: nothing is sent, queued or linked."""
    rid = world.recipients["corporatie"]
    with pytest.raises(InvalidInput) as refused:
        mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    assert refused.value.key == "mail.no_address"
    with pytest.raises(InvalidInput) as bad:
        mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings, to_address="ahmed@")
    assert bad.value.key == "validation.mail_address"
    assert pf.recipient(engine, world, "corporatie").status == RecipientStatus.CONCEPT
    assert _messages(engine) == []
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(ReplyLink)).one() == 0


def test_the_dossier_message_as_it_leaves(engine, world, settings):
    rid = world.recipients["gemeente"]
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    report = mail.deliver_due(engine, settings)  # no mail server set: the outbox folder
    assert (report.sent, report.failed) == (1, 0)
    [file] = list(settings.outbox_dir.glob("*.eml"))
    message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["To"] == "Sanne de Wit <s.dewit@rivierstad.example>"
    assert message["Reply-To"] == f"{pf.FACILITATOR_NAME} <{pf.FACILITATOR_EMAIL}>"
    assert message["Subject"].startswith("Voorstel van de Kinderwijkraad Vogelbuurt: ")
    assert message["Message-ID"] == mail_message_id(f"dossier/{rid}/1")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Beste Sanne de Wit," in text and "Wilt u vóór" in text
    [pdf] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF") and pdf.get_filename().endswith(".pdf")
    token = text.split("antwoord?link=")[1].split()[0]
    assert answers.open_reply_link(engine, token=token).recipient.id == rid
    assert f'href="https://kwr.example.nl/antwoord?link={token}"' in html
    [stored] = _messages(engine)
    assert (stored.status, stored.delivered_to, stored.subject) == (MailStatus.SENT, "outbox", message["Subject"])


def mail_message_id(key: str) -> str:
    from kinderwijkraad.exports.mail import message_id

    return message_id(key, "kinderwijkraad.example")


def test_the_reminder_timeline_under_a_fixed_clock(engine, world, settings):
    """Sent → 7 days before → on the day → two weekly → answered: exactly those reminders, each
    once however often the run goes, then none; all with the dossier's link."""
    rid = world.recipients["gemeente"]
    inbox = Inbox()
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    reply_by = pf.recipient(engine, world, "gemeente").reply_by
    moments = [_at(reply_by - timedelta(days=8)), _at(reply_by - timedelta(days=7), 7),  # before 08:00: not yet
               _at(reply_by - timedelta(days=7)), _at(reply_by - timedelta(days=3)), _at(reply_by),
               _at(reply_by + timedelta(days=7)), _at(reply_by + timedelta(days=10)),
               _at(reply_by + timedelta(days=14)), _at(reply_by + timedelta(days=21)),
               _at(reply_by + timedelta(days=60))]
    seen: list[list[str]] = []
    for moment in moments:
        for _ in range(2):  # a second run at the same moment changes nothing
            mail.send_due(engine, settings, now=moment, deliver=inbox)
        seen.append([m.key for m in _messages(engine)])
    keys = seen[-1]
    prefix = f"reminder/{rid}/{reply_by.isoformat()}"
    assert keys == [f"dossier/{rid}/1", f"{prefix}/1", f"{prefix}/2", f"{prefix}/3", f"{prefix}/4"]
    assert [len(s) for s in seen] == [1, 1, 2, 2, 3, 4, 4, 5, 5, 5]
    assert len(inbox.messages) == 5
    links = {m.get_body(("plain",)).get_content().split("antwoord?link=")[1].split()[0] for m in inbox.messages}
    assert len(links) == 1
    assert inbox.subjects()[1].startswith("Herinnering: voorstel")
    assert inbox.subjects()[2].startswith("Vandaag:")
    assert inbox.subjects()[3].startswith("Nog geen antwoord")


def test_no_reminder_after_an_answer_and_the_facilitator_hears_of_it(engine, world, settings):
    rid = world.recipients["gemeente"]
    inbox = Inbox()
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    reply_by = pf.recipient(engine, world, "gemeente").reply_by
    mail.send_due(engine, settings, now=_at(reply_by - timedelta(days=7)), deliver=inbox)
    token = inbox.messages[0].get_body(("plain",)).get_content().split("antwoord?link=")[1].split()[0]
    answers.answer_by_link(engine, token=token, seen_revision=0, answered_by="Wethouder Jansen",
                           answer=pf.an_answer("partly", "Het Merelpark krijgt nieuwe schommels.", "In mei"))
    for days in (0, 7, 14, 30):
        mail.send_due(engine, settings, now=_at(reply_by + timedelta(days=days)), deliver=inbox)
    kinds = [m.kind for m in _messages(engine)]
    assert kinds.count(MailKind.REMINDER) == 1
    answered = [m for m in inbox.messages if m["To"].addresses[0].addr_spec == pf.FACILITATOR_EMAIL]
    assert [str(m["Subject"]) for m in answered][0].startswith("Antwoord van Gemeente Rivierstad")
    assert "Het Merelpark krijgt nieuwe schommels." in answered[0].get_body(("plain",)).get_content()
    # A week later no class has heard it: one reminder to write the children's words, once.
    feedback_notices = [m for m in _messages(engine) if m.kind == MailKind.FEEDBACK_DUE]
    assert len(feedback_notices) == 1 and feedback_notices[0].status == MailStatus.SENT


def test_an_answer_typed_in_by_the_facilitator_needs_no_notice(engine, world, settings):
    pf.answer(engine, world, "gemeente")
    assert [m.kind for m in _messages(engine)] == []


def test_a_queued_reminder_is_cancelled_when_its_cause_went(engine, world, settings):
    rid = world.recipients["gemeente"]
    inbox = Inbox()
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    mail.deliver_due(engine, settings, deliver=inbox)
    reply_by = pf.recipient(engine, world, "gemeente").reply_by
    moment = _at(reply_by - timedelta(days=7))
    assert mail.queue_due(engine, now=moment) == 1
    mail.set_reminders_paused(engine, actor=world.facilitator, recipient_id=rid, paused=True)
    report = mail.deliver_due(engine, settings, now=moment, deliver=inbox)
    assert (report.sent, report.cancelled) == (0, 1)
    assert mail.queue_due(engine, now=_at(reply_by)) == 0  # paused: nothing new either
    mail.set_reminders_paused(engine, actor=world.facilitator, recipient_id=rid, paused=False)
    assert mail.queue_due(engine, now=_at(reply_by)) == 1
    with read_session(engine) as session:
        link_id = session.exec(select(ReplyLink.id)).one()
    answers.revoke_reply_link(engine, actor=world.facilitator, link_id=link_id)
    report = mail.deliver_due(engine, settings, now=_at(reply_by), deliver=inbox)
    assert (report.sent, report.cancelled) == (0, 1)
    assert mail.queue_due(engine, now=_at(reply_by + timedelta(days=7))) == 0
    assert len(inbox.messages) == 1
    rows = mail.messages_of(engine, actor=world.facilitator, recipient_id=rid)
    assert [(r.kind, r.status, r.last_error) for r in rows][:2] == [
        (MailKind.REMINDER, MailStatus.CANCELLED, "link_revoked"), (MailKind.REMINDER, MailStatus.CANCELLED, "paused")]


def test_a_double_click_sends_one_dossier_and_a_resend_goes_to_a_corrected_address(engine, world, settings):
    rid = world.recipients["gemeente"]
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings, seen_sent=0)
    with pytest.raises(Conflict):
        mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings, seen_sent=0)
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings, seen_sent=1,
                       to_address=" Sanne.deWit@Rivierstad.example ")
    messages = _messages(engine)
    assert [(m.key, m.to_address) for m in messages] == [
        (f"dossier/{rid}/1", "s.dewit@rivierstad.example"), (f"dossier/{rid}/2", "Sanne.deWit@rivierstad.example")]
    assert messages[0].reply_link_id != messages[1].reply_link_id


def test_a_mail_server_that_fails_is_tried_again_then_shown_as_failed(engine, world, settings):
    rid = world.recipients["gemeente"]
    inbox = Inbox()
    inbox.fail = delivery.DeliveryError("smtp.test:25: Connection refused", temporary=True)
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    moment = mail.now_utc()
    waits = []
    for _ in range(len(mail.RETRY_MINUTES) + 1):
        assert mail.deliver_due(engine, settings, now=moment, deliver=inbox).sent == 0
        [message] = _messages(engine)
        waits.append(round((message.next_try_at.replace(tzinfo=moment.tzinfo) - moment).total_seconds() / 60))
        moment = message.next_try_at.replace(tzinfo=moment.tzinfo)
    assert (message.status, message.tries, message.last_error) == (
        MailStatus.FAILED, len(mail.RETRY_MINUTES) + 1, "smtp.test:25: Connection refused")
    assert waits[:-1] == list(mail.RETRY_MINUTES)
    mail.retry(engine, actor=world.facilitator, message_id=message.id)
    inbox.fail = None
    assert mail.deliver_due(engine, settings, deliver=inbox).sent == 1


def test_a_refusal_fails_at_once(engine, world, settings):
    inbox = Inbox()
    inbox.fail = delivery.DeliveryError("smtp.test:25 answered 550 no such user", temporary=False)
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=world.recipients["gemeente"], mail=settings)
    assert mail.deliver_due(engine, settings, deliver=inbox).failed == 1
    [message] = _messages(engine)
    assert (message.status, message.tries) == (MailStatus.FAILED, 1)


def test_a_claim_whose_sender_died_goes_again_after_its_lease(engine, world, settings):
    rid = world.recipients["gemeente"]
    inbox = Inbox()
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    [message] = _messages(engine)
    now = mail.now_utc()
    assert mail._claim(engine, message.id, now) == 1  # a sender took it, then died
    assert mail.deliver_due(engine, settings, now=now + timedelta(minutes=5), deliver=inbox).sent == 0
    assert mail.deliver_due(engine, settings, now=now + mail.LEASE + timedelta(seconds=1), deliver=inbox).sent == 1
    assert _messages(engine)[0].tries == 2


@pytest.mark.parametrize(("typed", "problem"), [
    ("jan jansen@gemeente.nl", "mail.problem.space"),
    ("jan@gemeente.nl\r\nBcc: iedereen@example.org", "mail.problem.space"),
    ("jan.gemeente.nl", "mail.problem.no_at"),
    ("jan@@gemeente.nl", "mail.problem.two_at"),
    ("@gemeente.nl", "mail.problem.nothing_before"),
    ("jan@gemeente", "mail.problem.no_domain"),
    ("jöran@gemeente.nl", "mail.problem.local_not_ascii"),
    ("jan..jansen@gemeente.nl", "mail.problem.other"),
])
def test_an_address_is_refused_with_its_reason(typed, problem):
    with pytest.raises(InvalidInput) as refused:
        mail_address(typed)
    assert refused.value.params["problem_key"] == problem


def test_an_address_is_kept_in_its_normal_form():
    assert mail_address("  Jan.Jansen@Gemeente.NL ") == "Jan.Jansen@gemeente.nl"
    assert mail_address("") == ""
    assert mail_address("info@gemeente-ĳsselstein.nl") == "info@gemeente-ijsselstein.nl"
    assert mail_address("info@gemeente-süd.nl") == "info@gemeente-süd.nl"


def test_typed_text_cannot_add_a_header(engine, world, settings):
    """A contact's name and a proposal title with line breaks, Arabic, emoji and 1,000 characters."""
    rid = world.recipients["gemeente"]
    with write_session(engine) as session:
        recipient = session.get(proposals.Recipient, rid)
        session.execute(update(Contact).where(Contact.id == recipient.contact_id).values(
            name="Sanne\r\nBcc: iedereen@example.org"))
    long_title = "Speeltuin 🛝 " + "ملعب " * 20 + "x" * 1000
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    proposals.update_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id,
                              seen_revision=view.revision, fields={**view.fields, "title": long_title[:120]})
    inbox = Inbox()
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    mail.deliver_due(engine, settings, deliver=inbox)
    [message] = inbox.messages
    assert message["Bcc"] is None and len(message.get_all("To")) == 1
    assert "\n" not in str(message["To"]) and "\n" not in str(message["Subject"])
    assert message["To"].addresses[0].addr_spec == "s.dewit@rivierstad.example"
    assert "🛝" in str(message["Subject"]) and "ملعب" in str(message["Subject"])


def test_no_child_name_reaches_a_message_beyond_the_dossier(engine, world, settings):
    """The covering letter names the council, the organisation and the title; the children's
    plans and classes are only in the attached dossier."""
    rid = world.recipients["gemeente"]
    inbox = Inbox()
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    mail.deliver_due(engine, settings, deliver=inbox)
    text = inbox.messages[0].get_body(("plain",)).get_content()
    for _class, team, _theme, _texts in pf.PLANS.values():
        assert team not in text


def test_feedback_notice_stops_once_the_class_heard_it(engine, world, settings):
    rid = pf.answer(engine, world, "gemeente")  # typed in: no answered-notice
    with write_session(engine) as session:
        session.execute(update(proposals.Recipient).where(proposals.Recipient.id == rid).values(
            answered_at=mail.now_utc() - timedelta(days=mail.FEEDBACK_DAYS + 1)))
    row = pf.recipient(engine, world, "gemeente")
    answers.set_child_answer(engine, actor=world.facilitator, recipient_id=rid, child_answer="Nee, dit jaar niet.",
                             child_next="", seen_revision=row.answer_revision)
    for classroom in world.classes.values():
        feedback.record_shared(engine, actor=world.facilitator, classroom_id=classroom.id)
    assert mail.queue_due(engine) == 0


def test_outbox_files_are_written_whole(tmp_path, settings):
    from kinderwijkraad.exports.mail import Letter, build_message

    message = build_message(Letter("Onderwerp", "Beste X,", [], "Groet,", "Y"), key="k", sender=settings.mail_from,
                            to_name="X", to_address="x@example.org", reply_to=None)
    assert delivery.deliver(message, settings, file_stem="dossier/1/1") == delivery.OUTBOX
    assert delivery.deliver(message, settings, file_stem="dossier/1/1") == delivery.OUTBOX
    assert [p.name for p in Path(settings.outbox_dir).iterdir()] == ["dossier-1-1.eml"]


def test_retention_erases_to_whom_the_years_mail_went_and_a_closed_year_gets_no_more(engine, world, settings):
    from kinderwijkraad.models import Cycle, Phase
    from kinderwijkraad.services import retention

    rid = world.recipients["gemeente"]
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    reply_by = pf.recipient(engine, world, "gemeente").reply_by
    with write_session(engine) as session:
        session.execute(update(Cycle).where(Cycle.id == world.cycle.id).values(
            phase=Phase.CLOSED, phase_changed_at=mail.now_utc() - timedelta(days=400)))
    inbox = Inbox()
    assert mail.send_due(engine, settings, now=_at(reply_by), deliver=inbox)[0] == 0
    assert [m.status for m in _messages(engine)] == [MailStatus.CANCELLED]
    result = retention.apply_retention(engine, by_label="test")
    assert result.cycles[0].counts["mail_addresses"] == 1
    [message] = _messages(engine)
    assert (message.to_address, message.to_name, message.key) == ("", "", f"dossier/{rid}/1")


@pytest.mark.parametrize(("env", "key"), [
    ({"KWR_SMTP_URL": "http://mail.example.nl"}, "config.bad_smtp_url"),
    ({"KWR_SMTP_URL": "smtp://"}, "config.bad_smtp_url"),
    ({"KWR_SMTP_URL": "smtp://mail.example.nl:99999"}, "config.bad_smtp_url"),
    ({"KWR_SMTP_URL": "smtp://mail.example.nl:587", "KWR_ENV": "production", "KWR_COOKIE_KEY": "k" * 40},
     "config.mail_needs_public_url"),
])
def test_a_mail_setting_that_cannot_work_is_refused_at_start(monkeypatch, env, key):
    from kinderwijkraad.config import get_settings
    from kinderwijkraad.errors import ConfigError

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError) as refused:
            get_settings()
        assert refused.value.key == key
    finally:
        get_settings.cache_clear()


def test_without_a_mail_server_the_outbox_folder_is_the_default(monkeypatch, tmp_path):
    from kinderwijkraad.config import get_settings

    monkeypatch.delenv("KWR_SMTP_URL", raising=False)
    monkeypatch.setenv("KWR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert (get_settings().mail.smtp_url, get_settings().mail.outbox_dir) == (None, tmp_path / "outbox")
    finally:
        get_settings.cache_clear()


def test_a_message_that_failed_for_good_is_on_the_facilitators_start(engine, world, settings):
    from kinderwijkraad.services import home

    inbox = Inbox()
    inbox.fail = delivery.DeliveryError("smtp.test:25 answered 550 no such user", temporary=False)
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=world.recipients["gemeente"], mail=settings)
    mail.deliver_due(engine, settings, deliver=inbox)
    [status] = [s for s in home.home_overview(engine, actor=world.facilitator).cycles if s.cycle_id == world.cycle.id]
    assert status.todos[0].key == "todo.mail_failed" and status.todos[0].params == {"count": 1}


def test_a_reminder_whose_link_a_new_server_key_would_break_does_not_go(engine, world, settings):
    """The mailed link's token is derived from the server's key: after KWR_COOKIE_KEY changed, a
    reminder would carry a link that no longer opens, so it is cancelled and says why."""
    rid = world.recipients["gemeente"]
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    rotated = replace(settings, link_key="another-key-" + "y" * 32)
    report = mail.deliver_due(engine, rotated, deliver=Inbox())
    assert (report.sent, report.cancelled) == (0, 1)
    assert [(m.status, m.last_error) for m in _messages(engine)] == [(MailStatus.CANCELLED, "key_changed")]


def test_sent_again_after_the_reply_by_date_the_partner_gets_its_time_anew(engine, world, settings):
    """The first message went to a wrong address and the date passed: the new one does not ask for
    an answer before a day gone by, and the reminders start over for the new date."""
    rid = world.recipients["gemeente"]
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings)
    past = proposals.today() - timedelta(days=3)
    pf.set_reply_by(engine, rid, past)
    mail.send_proposal(engine, actor=world.facilitator, recipient_id=rid, mail=settings, seen_sent=1,
                       to_address="sanne.dewit@rivierstad.example")
    row = pf.recipient(engine, world, "gemeente")
    assert row.reply_by == proposals.today() + timedelta(days=pf.GEMEENTE_REPLY_DAYS)
    assert not row.overdue
    inbox = Inbox()
    mail.deliver_due(engine, settings, deliver=inbox)
    assert "vóór " + format_date(row.reply_by) in inbox.messages[-1].get_body(("plain",)).get_content()
    assert mail.queue_due(engine, now=_at(row.reply_by - timedelta(days=7))) == 1
    assert _messages(engine)[-1].key == f"reminder/{rid}/{row.reply_by.isoformat()}/1"


def test_the_demo_shows_its_outbox(tmp_path, settings):
    """`make run`'s demo: the late proposal went by e-mail (its dossier and two reminders) and last
    year's facilitator heard of its two answers; all of it sits in the outbox folder, nothing waits."""
    from kinderwijkraad import db
    from kinderwijkraad.services import demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        demo.seed_demo(engine, mail_settings=replace(settings, smtp_url="smtp://never.invalid:25"))
        messages = _messages(engine)
        assert sorted(m.kind.value for m in messages) == ["answered", "answered", "dossier", "reminder", "reminder"]
        assert {m.status for m in messages} == {MailStatus.SENT}
        assert len(list(settings.outbox_dir.glob("*.eml"))) == 5
        assert mail.send_due(engine, settings)[1] == mail.DeliveryReport()  # nothing due today
    finally:
        engine.dispose()
