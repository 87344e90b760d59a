"""Races and crashes around the outbox, with real processes and a real SMTP server (aiosmtpd,
tests/mail_server.py), on a SQLite file and on PostgreSQL:

- two `kinderwijkraad mail send` processes started at the same moment over 20 due messages
  (two of them reminders the processes queue themselves): every message arrives exactly once;
- a sender killed (SIGKILL) after the mail server took a message and before the database heard
  of it: the message waits out its claim, then goes again with the same Message-ID (at least
  once, recognisably the same message); every other message arrives once, none is lost.

Each test prints the message counts it checked.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.db import write_session
from kinderwijkraad.models import MailKind, MailStatus, Recipient
from kinderwijkraad.services import audit, mail
from tests import proposal_factories as pf
from tests.mail_server import (
    LINK_KEY,
    MAIL_FROM,
    PUBLIC_URL,
    MailServer,
    expected_id,
    fill_outbox,
    mail_settings,
    outbox,
    running,
)

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMMAND = Path(sys.executable).with_name("kinderwijkraad")
PROCESS_TIMEOUT = 120  # seconds; a run takes one or two


@pytest.fixture
def world(engine):
    return pf.cycle_with_proposal(engine)


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _env(engine, smtp_url: str, folder: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "KWR_SMTP_CA_FILE")}
    return {**env, "KWR_DATABASE_URL": _url(engine), "KWR_SMTP_URL": smtp_url, "KWR_DATA_DIR": str(folder / "data"),
            "KWR_MAIL_FROM": MAIL_FROM, "KWR_PUBLIC_URL": PUBLIC_URL, "KWR_COOKIE_KEY": LINK_KEY, "KWR_ENV": "test"}


def _make_reminders_due(engine, world) -> None:
    """Both recipients were sent a month ago and their reply-by date was yesterday: the reminder
    "on the day" is due for each, and `mail send` queues it."""
    yesterday = datetime.now(AMSTERDAM).date() - timedelta(days=1)
    month_ago = datetime.combine(yesterday - timedelta(days=30), time(12), AMSTERDAM)
    for key in ("gemeente", "corporatie"):
        pf.set_reply_by(engine, world.recipients[key], yesterday)
        with write_session(engine) as session:
            session.execute(update(Recipient).where(Recipient.id == world.recipients[key]).values(sent_at=month_ago))


def test_two_mail_send_processes_at_once_deliver_each_message_exactly_once(engine, world, tmp_path):
    settings = mail_settings(tmp_path, None)
    fill_outbox(engine, world, settings, reminders_each=8)  # 2 dossiers, 16 reminders
    _make_reminders_due(engine, world)  # 2 more, queued by the processes themselves
    # Each message takes the server 20 ms, so the two runs overlap for the whole of their delivery.
    with running(MailServer(delay=0.02)) as server:
        env = _env(engine, server.url(), tmp_path)
        runs = [subprocess.Popen([str(COMMAND), "mail", "send"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=PROCESS_TIMEOUT) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, out + err
    summaries = [re.search(r"mail: (\d+) queued now; (\d+) delivered to the mail server, 0 to try again, 0 failed",
                           out) for out, _ in outputs]
    assert all(summaries), outputs
    queued = [int(s.group(1)) for s in summaries if s]
    delivered = [int(s.group(2)) for s in summaries if s]
    messages = outbox(engine)
    keys = [m.key for m in messages]
    counts = server.message_ids()
    print(f"\ntwo senders at once [{engine.dialect.name}]: {len(keys)} messages due, queued by the runs {queued}, "
          f"delivered by the runs {delivered}; the server received {len(server.received)} "
          f"({len(counts)} Message-IDs): lost {len(set(map(expected_id, keys)) - set(counts))}, "
          f"duplicated {sum(n - 1 for n in counts.values())}")
    assert len(keys) == 20 and sum(queued) == 2 and sum(delivered) == 20
    assert Counter(m.kind for m in messages) == {MailKind.DOSSIER: 2, MailKind.REMINDER: 18}
    assert counts == {expected_id(key): 1 for key in keys}
    assert {(m.status, m.tries) for m in messages} == {(MailStatus.SENT, 1)}
    assert audit.verify(engine).intact  # both processes wrote to the audit chain


# Delivers what is due, and dies (SIGKILL: no cleanup, no rollback) right after the mail server
# took message number `kill_after`, before the outcome reaches the database.
KILLED_SENDER = """
import os, signal, sys
from pathlib import Path
from kinderwijkraad import db, delivery
from kinderwijkraad.services import mail
from tests.mail_server import mail_settings

url, smtp_url, folder, kill_after = sys.argv[1:]
handed = 0

def deliver(message, settings, stem):
    global handed
    where = delivery.deliver(message, settings, file_stem=stem)
    handed += 1
    if handed == int(kill_after):
        os.kill(os.getpid(), signal.SIGKILL)
    return where

mail.deliver_due(db.make_engine(url), mail_settings(Path(folder), smtp_url), deliver=deliver)
raise SystemExit("not killed")
"""


def test_a_sender_killed_after_the_server_took_a_message_sends_it_again_after_the_lease(engine, world, tmp_path):
    settings = mail_settings(tmp_path, None)
    keys = fill_outbox(engine, world, settings, reminders_each=2)  # 2 dossiers, 4 reminders
    with running(MailServer()) as server:
        settings = mail_settings(tmp_path, server.url())
        killed = subprocess.run([sys.executable, "-c", KILLED_SENDER, _url(engine), server.url(), str(tmp_path), "2"],
                                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=PROCESS_TIMEOUT)
        assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
        after_kill = [(m.status, m.tries) for m in outbox(engine)]
        now = mail.now_utc()
        within_lease = mail.deliver_due(engine, settings, now=now)
        after_lease = mail.deliver_due(engine, settings, now=now + mail.LEASE + timedelta(seconds=1))
    # The server took the first two; the database knows of the first only: the second is claimed.
    assert after_kill == [(MailStatus.SENT, 1), (MailStatus.SENDING, 1)] + [(MailStatus.QUEUED, 0)] * 4
    # A run within the claim's lease leaves the claimed message alone; one after it sends it again.
    assert (within_lease.sent, after_lease.sent) == (4, 1)
    assert [(m.key, m.status, m.tries) for m in outbox(engine)] == [
        (keys[0], MailStatus.SENT, 1), (keys[1], MailStatus.SENT, 2)] + [(key, MailStatus.SENT, 1) for key in keys[2:]]
    counts = server.message_ids()
    print(f"\nsender killed after the server took message 2 [{engine.dialect.name}]: {len(keys)} messages, "
          f"the server received {len(server.received)}: {keys[1]} {counts[expected_id(keys[1])]} times, "
          f"the other {len(keys) - 1} once each ({sorted(counts[expected_id(k)] for k in keys if k != keys[1])}), "
          f"lost {len(set(map(expected_id, keys)) - set(counts))}")
    assert len(server.received) == 7
    assert counts == {expected_id(key): 2 if key == keys[1] else 1 for key in keys}
    # Recognisably the same message twice: same Message-ID, recipient, subject, words and link.
    first, again = [r.message for r in server.received if r.message_id == expected_id(keys[1])]
    for header in ("To", "From", "Subject", "Reply-To"):
        assert first[header] == again[header]
    assert first.get_body(("plain",)).get_content() == again.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in first.iter_attachments()] == [p.get_filename() for p in again.iter_attachments()]
