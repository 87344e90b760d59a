"""Outgoing e-mail on the pages, on the demo database: the facilitator sends a proposal to the
gemeente from Voorstellen (no mail server: the .eml lands in the outbox under the test's data
folder), sees what was sent, pauses the reminders; a mistyped address is refused with its Dutch
reason and nothing is stored; the wijk's reminders are set on Wijken."""

from __future__ import annotations

import email
import shutil
from email import policy
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from kinderwijkraad import db
from kinderwijkraad.config import get_settings
from kinderwijkraad.db import write_session
from kinderwijkraad.i18n import t
from kinderwijkraad.models import MailKind, MailMessage, MailStatus, RecipientStatus, Role
from kinderwijkraad.services import accounts, mail, neighbourhoods, plans, proposals
from kinderwijkraad.ui import navigation
from kinderwijkraad.ui.format import plain
from tests.test_pages import USERNAMES, app_as, demo_database, page_path, shown_text  # noqa: F401 - fixture

GEMEENTE = "Gemeente Rivierstad"
CONTACT = "Sanne de Wit <s.dewit@example.org>"
THEME = "Veilig oversteken"  # in the demo's top 3, without a proposal yet


@pytest.fixture
def database_url(demo_database, tmp_path, monkeypatch) -> str:  # noqa: F811 - the shared session fixture
    copy = tmp_path / "app.db"
    shutil.copy(demo_database, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    return url


@pytest.fixture
def data_dir(database_url, tmp_path, monkeypatch) -> Path:
    """The app's data folder for this test: the pages read it from the settings (get_settings),
    so the outbox is tmp_path/data/outbox, not the project's data/."""
    folder = tmp_path / "data"
    monkeypatch.setenv("KWR_DATA_DIR", str(folder))
    get_settings.cache_clear()
    return folder


@pytest.fixture
def proposal(database_url) -> tuple[int, int]:
    """A proposal to the gemeente (its contact has an address), not sent yet: (proposal, recipient)."""
    engine = db.make_engine(database_url)
    bo = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
    cycle_id = next(c.id for c in plans.managed_cycles(engine, actor=bo) if "2026-2027" in c.label)
    source = next(s for s in proposals.theme_sources(engine, actor=bo, cycle_id=cycle_id) if s.name == THEME)
    gemeente = next(p for p in proposals.partner_choices(engine, actor=bo, cycle_id=cycle_id) if p.name == GEMEENTE)
    fields = proposals.draft_from_theme(engine, actor=bo, theme_id=source.theme_id)
    proposal_id = proposals.create_proposal(engine, actor=bo, cycle_id=cycle_id, theme_id=source.theme_id,
                                            plan_ids=[p.id for p in source.plans], fields=fields,
                                            recipients=[(gemeente.organisation_id, gemeente.contacts[0][0])])
    recipient_id = proposals.get_proposal(engine, actor=bo, proposal_id=proposal_id).recipients[0].id
    engine.dispose()
    return proposal_id, recipient_id


def incidents(at: AppTest) -> list[str]:
    """What the page's error boundary caught (a bug, shown as "Er ging iets mis (code …)")."""
    start = t("error.incident", code="@").split("@")[0]
    return [e.value for e in at.error if e.value.startswith(start)]


def open_proposal(proposal_id: int) -> AppTest:
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.PROPOSALS))
    at.session_state["proposals.show"] = proposal_id  # the page shows it (as after "Voorstel maken")
    return at.run()


def messages(database_url: str, recipient_id: int) -> list[mail.MessageRow]:
    engine = db.make_engine(database_url)
    try:
        bo = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
        return mail.messages_of(engine, actor=bo, recipient_id=recipient_id)
    finally:
        engine.dispose()


def recipient_status(database_url: str, proposal_id: int) -> RecipientStatus:
    engine = db.make_engine(database_url)
    try:
        bo = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
        return proposals.get_proposal(engine, actor=bo, proposal_id=proposal_id).recipients[0].status
    finally:
        engine.dispose()


def test_the_facilitator_sends_the_dossier_by_e_mail_and_sees_it_in_the_outbox(database_url, data_dir, proposal):
    proposal_id, recipient_id = proposal
    at = open_proposal(proposal_id)
    assert not at.exception and not incidents(at)
    [section] = [e for e in at.expander if e.label == t("mail.heading")]
    assert t("mail.to", to=plain(CONTACT)) in [c.value for c in section.caption]
    assert t("mail.nothing_sent") in [c.value for c in section.caption]
    send = at.button(key=f"proposals.mail_send.{recipient_id}")
    assert send.label == t("mail.send")
    # Sending by hand is still there beside it.
    assert at.button(key=f"proposals.move.{recipient_id}").label == t("proposal.move.sent")

    send.click().run()
    assert not at.exception and not incidents(at)
    [message] = messages(database_url, recipient_id)
    assert (message.kind, message.status, message.to, message.to_outbox) == (
        MailKind.DOSSIER, MailStatus.SENT, CONTACT, True)
    assert t("mail.sent_to_outbox", to=plain(CONTACT)) in [s.value for s in at.success]
    assert recipient_status(database_url, proposal_id) == RecipientStatus.SENT
    [file] = list((data_dir / "outbox").glob("*.eml"))
    sent = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert sent["To"].addresses[0].addr_spec == "s.dewit@example.org"
    assert THEME in str(sent["Subject"])
    assert [part.get_content_type() for part in sent.iter_attachments()] == ["application/pdf"]

    # What was sent is listed under it, and the button now sends again.
    [section] = [e for e in at.expander if e.label == t("mail.heading")]
    lines = [c.value for c in section.caption]
    assert any(line.startswith(t("mail.row", kind=t("mail_kind.dossier"), to=plain(CONTACT),
                                 status=t("mail_status.sent"))) for line in lines), lines
    assert at.button(key=f"proposals.mail_send.{recipient_id}").label == t("mail.send_again")


def test_a_mail_server_that_cannot_be_reached_is_said_and_a_failed_message_is_tried_again(
        database_url, data_dir, proposal, monkeypatch):
    proposal_id, recipient_id = proposal
    monkeypatch.setenv("KWR_SMTP_URL", "smtp://127.0.0.1:1")  # nothing listens there: refused at once
    get_settings.cache_clear()
    at = open_proposal(proposal_id)
    at.button(key=f"proposals.mail_send.{recipient_id}").click().run()
    assert not at.exception and not incidents(at)
    [message] = messages(database_url, recipient_id)
    assert message.status == MailStatus.QUEUED and message.last_error  # it goes again at the next mail run
    assert t("mail.not_yet", reason=plain(message.last_error)) in [w.value for w in at.warning]
    assert recipient_status(database_url, proposal_id) == RecipientStatus.SENT  # the dossier is on its way
    assert not [b for b in at.button if b.key == f"proposals.mail_retry.{message.id}"]  # not failed (yet)

    # Its tries ran out; the server is set right (here: no server, the outbox) and it is tried again.
    engine = db.make_engine(database_url)
    with write_session(engine) as session:
        session.execute(update(MailMessage).where(MailMessage.id == message.id).values(status=MailStatus.FAILED))
    engine.dispose()
    monkeypatch.delenv("KWR_SMTP_URL")
    get_settings.cache_clear()
    at.run()
    assert any(t("mail_status.failed") in c.value and t("mail.row_error", error="").strip() in c.value
               for c in at.caption)
    at.button(key=f"proposals.mail_retry.{message.id}").click().run()
    assert not at.exception and not incidents(at)
    assert t("mail.sent_to_outbox", to=plain(CONTACT)) in [s.value for s in at.success]
    [message] = messages(database_url, recipient_id)
    assert (message.status, message.to_outbox) == (MailStatus.SENT, True)
    assert len(list((data_dir / "outbox").glob("*.eml"))) == 1


def test_the_facilitator_pauses_the_reminders_of_a_recipient_that_waits(database_url, data_dir, proposal):
    proposal_id, recipient_id = proposal
    at = open_proposal(proposal_id)
    assert not [w for w in at.toggle if w.key.startswith("proposals.mail_pause.")]  # nothing went by e-mail yet
    at.button(key=f"proposals.mail_send.{recipient_id}").click().run()
    pause = at.toggle(key=f"proposals.mail_pause.{recipient_id}.False")
    assert pause.value is False
    pause.set_value(True).run()
    assert not at.exception and not incidents(at)  # the proposal's history names the pause too
    assert t("mail.paused", organisation=GEMEENTE) in [s.value for s in at.success]
    assert at.toggle(key=f"proposals.mail_pause.{recipient_id}.True").value is True
    engine = db.make_engine(database_url)
    bo = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
    assert mail.reminder_plan(engine, actor=bo, recipient_id=recipient_id).paused
    engine.dispose()


def test_a_mistyped_address_is_refused_with_its_reason_and_nothing_is_stored(database_url, data_dir, proposal):
    proposal_id, recipient_id = proposal
    at = open_proposal(proposal_id)
    at.text_input(key=f"proposals.mail_to.{recipient_id}").input("s.dewit@gemeente").run()
    assert t("mail.to", to=plain("s.dewit@gemeente")) in shown_text(at)  # the preview follows what is typed
    at.button(key=f"proposals.mail_send.{recipient_id}").click().run()
    assert not at.exception and not incidents(at)
    reason = t("validation.mail_address", field=t("field.email"), problem=t("mail.problem.no_domain"))
    assert reason in [e.value for e in at.error]
    assert messages(database_url, recipient_id) == []
    assert recipient_status(database_url, proposal_id) == RecipientStatus.CONCEPT
    assert not (data_dir / "outbox").exists()


def test_a_facilitator_sets_the_wijks_reminders_on_wijken(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.NEIGHBOURHOODS)).run()
    at.session_state["wijken.tab"] = t("wijken.tab.neighbourhood")  # only the open tab runs
    at.run()
    assert t("wijk.reminders") in [s.value for s in at.subheader]
    [days] = [n for n in at.number_input if n.label == t("field.reminder_days_before")]
    [after] = [n for n in at.number_input if n.label == t("field.reminders_after")]
    assert (days.value, after.value) == (7, 2)
    days.set_value(10)
    after.set_value(3)
    [form] = [b for b in at.button if b.key and b.key.startswith("FormSubmitter:wijken.reminders_form.")]
    form.click().run()
    assert not at.exception and not incidents(at)
    assert t("wijk.reminders_saved") in [s.value for s in at.success]
    engine = db.make_engine(database_url)
    bo = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
    [wijk] = neighbourhoods.list_neighbourhoods(engine, actor=bo)
    engine.dispose()
    assert (wijk.reminder_days_before, wijk.reminders_after) == (10, 3)
    [days] = [n for n in at.number_input if n.label == t("field.reminder_days_before")]
    assert days.value == 10
