"""Mail handed to a real SMTP server (aiosmtpd on 127.0.0.1, tests/mail_server.py), on SQLite and
PostgreSQL: the dossier message as the server receives it over a plain connection, over STARTTLS
with a login and over TLS from the start; what the outbox records when the server refuses
(a wrong password, an unknown recipient: failed at once) or is not there, hangs up or never
answers (tried again later); a password is never sent over a connection that is not encrypted;
a message the server took counts as sent even when the goodbye fails; and a server killed in
the middle of a run loses no message and duplicates none.
"""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from kinderwijkraad import delivery
from kinderwijkraad.config import MailSettings
from kinderwijkraad.models import MailStatus
from kinderwijkraad.services import answers, mail
from tests import proposal_factories as pf
from tests.mail_server import (
    CORPORATIE_ADDRESS,
    HOST,
    Certificate,
    MailServer,
    expected_id,
    fill_outbox,
    free_port,
    mail_settings,
    make_certificate,
    outbox,
    running,
    silent_server,
)

# aiosmtpd itself touches a deprecated attribute of its session after a successful AUTH.
pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")

USER, PASSWORD = "kwr-mailer", "p@ss wo:rd/?%#"  # characters that must be quoted in the URL
SHORT_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def world(engine):
    return pf.cycle_with_proposal(engine)


def impatient(message, settings: MailSettings, stem: str) -> str:
    """The real hand-over with a timeout of half a second instead of thirty."""
    return delivery.deliver(message, settings, file_stem=stem, timeout=SHORT_TIMEOUT)


def _send_gemeente(engine, world, settings: MailSettings) -> int:
    return mail.send_proposal(engine, actor=world.facilitator, recipient_id=world.recipients["gemeente"],
                              mail=settings)


@pytest.mark.parametrize("variant", ["plain", "starttls+auth", "smtps+auth"])
def test_the_dossier_message_through_a_real_mail_server(engine, world, tmp_path, certificate, variant):
    tls = {"plain": "none", "starttls+auth": "starttls", "smtps+auth": "implicit"}[variant]
    users = {} if variant == "plain" else {USER: PASSWORD}
    with running(MailServer(tls=tls, certificate=certificate, users=users)) as server:
        settings = mail_settings(tmp_path, server.url(*((USER, PASSWORD) if users else ())),
                                 ca_file=certificate.cert_file)
        rid = world.recipients["gemeente"]
        _send_gemeente(engine, world, settings)
        report = mail.deliver_due(engine, settings)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [received] = server.received
    assert (received.mail_from, received.rcpt_tos) == ("kwr@kinderwijkraad.example", ["s.dewit@rivierstad.example"])
    assert (received.tls, received.login) == (variant != "plain", USER if users else "")
    message = received.message
    assert message["To"] == "Sanne de Wit <s.dewit@rivierstad.example>"
    assert message["From"] == "Kinderwijkraad <kwr@kinderwijkraad.example>"
    assert message["Reply-To"] == f"{pf.FACILITATOR_NAME} <{pf.FACILITATOR_EMAIL}>"
    title = world.fields["title"]
    assert message["Subject"] == f"Voorstel van de Kinderwijkraad Vogelbuurt: {title}"
    assert message["Message-ID"] == expected_id(f"dossier/{rid}/1")
    assert message["Auto-Submitted"] == "auto-generated"
    [pdf] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    pdf_text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
                        .split())
    assert title in pdf_text
    text = message.get_body(("plain",)).get_content()
    token = text.split("antwoord?link=")[1].split()[0]
    assert f"https://kwr.example.nl/antwoord?link={token}" in text
    assert answers.open_reply_link(engine, token=token).recipient.id == rid
    [stored] = outbox(engine)
    assert (stored.status, stored.tries, stored.delivered_to, stored.subject, stored.last_error) == (
        MailStatus.SENT, 1, f"{HOST}:{server.port}", message["Subject"], "")


def test_a_wrong_password_fails_at_once_with_the_reason(engine, world, tmp_path, certificate):
    with running(MailServer(tls="starttls", certificate=certificate, users={USER: PASSWORD})) as server:
        settings = mail_settings(tmp_path, server.url(USER, "wrong"), ca_file=certificate.cert_file)
        _send_gemeente(engine, world, settings)
        report = mail.deliver_due(engine, settings)
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    [stored] = outbox(engine)
    assert (stored.status, stored.tries) == (MailStatus.FAILED, 1)
    assert stored.last_error.startswith(f"{HOST}:{server.port} answered 535 ")
    assert "wrong" not in stored.last_error
    assert server.auth_attempts and server.received == []


def test_a_password_smtplib_cannot_send_fails_at_once_and_the_run_goes_on(engine, world, tmp_path, certificate):
    """smtplib sends a login in ASCII only: a password with "ö" failed the whole run with a
    UnicodeEncodeError (and left the message claimed); now each message fails with the reason."""
    with running(MailServer(tls="starttls", certificate=certificate, users={USER: "wörd"})) as server:
        settings = mail_settings(tmp_path, server.url(USER, "wörd"), ca_file=certificate.cert_file)
        keys = fill_outbox(engine, world, settings, reminders_each=0)
        report = mail.deliver_due(engine, settings)
    assert (report.sent, report.retrying, report.failed) == (0, 0, 2)
    assert [(m.key, m.status, m.last_error) for m in outbox(engine)] == [
        (key, MailStatus.FAILED, f"{HOST}:{server.port}: the user name or password in KWR_SMTP_URL has characters "
                                 "other than ASCII, which cannot be sent") for key in keys]
    assert server.auth_attempts == [] and server.received == []


def test_a_surprise_in_the_hand_over_is_recorded_and_the_run_goes_on(engine, world, tmp_path):
    """A port out of range in KWR_SMTP_URL raises ValueError inside the hand-over: it stopped the
    whole run and left the message claimed; now every message records it and waits for a retry."""
    settings = mail_settings(tmp_path, f"smtp://{HOST}:99999")
    keys = fill_outbox(engine, world, settings, reminders_each=1)
    report = mail.deliver_due(engine, settings)
    assert (report.sent, report.retrying, report.failed) == (0, 4, 0)
    assert [(m.key, m.status, m.tries, m.last_error) for m in outbox(engine)] == [
        (key, MailStatus.QUEUED, 1, "ValueError: Port out of range 0-65535") for key in keys]


def test_a_recipient_the_server_refuses_fails_at_once(engine, world, tmp_path):
    with running(MailServer(refuse={"s.dewit@rivierstad.example"})) as server:
        settings = mail_settings(tmp_path, server.url())
        _send_gemeente(engine, world, settings)
        report = mail.deliver_due(engine, settings)
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    [stored] = outbox(engine)
    assert (stored.status, stored.tries) == (MailStatus.FAILED, 1)
    assert stored.last_error == (f"{HOST}:{server.port} answered 550 5.1.1 <s.dewit@rivierstad.example>: "
                                 "Recipient address rejected: User unknown")


def _tried_again_later(engine, report, now, reason: str) -> None:
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    [stored] = outbox(engine)
    assert (stored.status, stored.tries, stored.claimed_until) == (MailStatus.QUEUED, 1, None)
    assert reason in stored.last_error
    assert stored.next_try_at.replace(tzinfo=now.tzinfo) == now + timedelta(minutes=mail.RETRY_MINUTES[0])


def test_a_server_that_is_down_is_tried_again_later(engine, world, tmp_path):
    settings = mail_settings(tmp_path, f"smtp://{HOST}:{free_port()}")  # nothing listens there
    _send_gemeente(engine, world, settings)
    now = mail.now_utc()
    _tried_again_later(engine, mail.deliver_due(engine, settings, now=now), now, "Connection refused")


@pytest.mark.parametrize(("mode", "reason"), [("close", "Connection unexpectedly closed"), ("hang", "timed out")])
def test_a_server_that_hangs_up_or_never_answers_is_tried_again_later(engine, world, tmp_path, mode, reason):
    with silent_server(mode) as port:
        settings = mail_settings(tmp_path, f"smtp://{quote(USER)}:{quote(PASSWORD, safe='')}@{HOST}:{port}")
        _send_gemeente(engine, world, settings)
        now = mail.now_utc()
        report = mail.deliver_due(engine, settings, now=now, deliver=impatient)
    _tried_again_later(engine, report, now, reason)


def test_a_password_is_never_sent_over_a_plain_connection(engine, world, tmp_path):
    """The server offers AUTH without offering STARTTLS: the sender refuses rather than log in."""
    with running(MailServer(users={USER: PASSWORD}, auth_require_tls=False)) as server:
        settings = mail_settings(tmp_path, server.url(USER, PASSWORD))
        _send_gemeente(engine, world, settings)
        report = mail.deliver_due(engine, settings)
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    [stored] = outbox(engine)
    assert stored.status == MailStatus.FAILED
    assert stored.last_error == (f"{HOST}:{server.port} offers no STARTTLS: the password is not sent unencrypted")
    assert server.auth_attempts == [] and server.received == []


def test_an_untrusted_certificate_gets_no_password_and_is_tried_again(engine, world, tmp_path, certificate):
    """Without the CA file the self-signed certificate is not trusted: nothing is sent, not even
    the login, and the message waits for the setting to be fixed."""
    with running(MailServer(tls="starttls", certificate=certificate, users={USER: PASSWORD})) as server:
        settings = mail_settings(tmp_path, server.url(USER, PASSWORD))
        _send_gemeente(engine, world, settings)
        now = mail.now_utc()
        report = mail.deliver_due(engine, settings, now=now)
    _tried_again_later(engine, report, now, "certificate not trusted")
    assert server.auth_attempts == [] and server.received == []


@pytest.mark.parametrize("on_quit", ["hang", "refuse"])
def test_a_message_the_server_took_is_sent_even_if_the_goodbye_fails(engine, world, tmp_path, on_quit):
    """The server accepted the message (250 after DATA), then QUIT times out or is answered 421:
    the message went, so it is recorded as sent and not sent again."""
    with running(MailServer(on_quit=on_quit)) as server:
        settings = mail_settings(tmp_path, server.url())
        _send_gemeente(engine, world, settings)
        now = mail.now_utc()
        first = mail.deliver_due(engine, settings, now=now, deliver=impatient)
        later = mail.deliver_due(engine, settings, now=now + timedelta(hours=1), deliver=impatient)
    assert (first.sent, first.retrying, first.failed, later.sent) == (1, 0, 0, 0)
    [stored] = outbox(engine)
    assert (stored.status, stored.tries) == (MailStatus.SENT, 1)
    assert len(server.received) == 1


def test_a_server_killed_in_the_middle_of_a_run_loses_nothing_and_duplicates_nothing(engine, world, tmp_path):
    """Six messages due; the server goes away after taking the first. The rest wait with the
    error; when it is back, the next run delivers each of them: every Message-ID exactly once."""
    server = MailServer(stop_after=1).start()
    try:
        settings = mail_settings(tmp_path, server.url())
        keys = fill_outbox(engine, world, settings, reminders_each=2)
        now = mail.now_utc()
        first = mail.deliver_due(engine, settings, now=now)
        waiting = outbox(engine)
        server.restart()
        second = mail.deliver_due(engine, settings, now=now + timedelta(minutes=mail.RETRY_MINUTES[0]))
    finally:
        server.stop()
    assert len(keys) == 6
    assert (first.sent, first.retrying, first.failed) == (1, 5, 0)
    assert [m.status for m in waiting] == [MailStatus.SENT] + [MailStatus.QUEUED] * 5
    assert waiting[0].last_error == "" and all("Connection refused" in m.last_error for m in waiting[1:])
    assert (second.sent, second.retrying, second.failed) == (5, 0, 0)
    counts = server.message_ids()
    print(f"server killed mid-run: {len(server.received)} received, {len(counts)} Message-IDs, "
          f"lost {len(set(map(expected_id, keys)) - set(counts))}, duplicated {sum(n - 1 for n in counts.values())}")
    assert counts == {expected_id(key): 1 for key in keys}
    assert [(m.key, m.status, m.tries) for m in outbox(engine)] == [
        (keys[0], MailStatus.SENT, 1)] + [(key, MailStatus.SENT, 2) for key in keys[1:]]
    to = {r.message_id: r.rcpt_tos for r in server.received}
    assert to[expected_id(keys[1])] == [CORPORATIE_ADDRESS]
