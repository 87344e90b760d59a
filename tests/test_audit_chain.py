"""The audit log is a hash chain: appended in the same transaction as the change, verified from the
first entry, and an edited or deleted entry is found. Both engines."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, update
from sqlmodel import col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import NotAllowed
from kinderwijkraad.models import AuditEntry
from kinderwijkraad.services import audit


def _append(engine, count: int, action: str = "test.action") -> None:
    for number in range(count):
        audit.record_now(engine, actor=None, actor_label="test", action=action, subject="poll", subject_id=number,
                         detail={"status": "open", "fields": ["title"]})


def _ids(engine) -> list[int]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry.id).order_by(AuditEntry.id)).all())


def test_an_untouched_chain_verifies(engine):
    assert audit.verify(engine).intact and audit.verify(engine).entries == 0
    _append(engine, 5)
    check = audit.verify(engine, batch=2)  # across batches
    assert check.intact and check.entries == 5


def test_several_entries_in_one_transaction_chain_in_order(engine):
    with write_session(engine) as session:
        for number in range(3):
            audit.record(session, actor=None, actor_label="test", action="a", subject="poll", subject_id=number,
                         cycle_id=None)
    with read_session(engine) as session:
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [r.prev_hash for r in rows[1:]] == [r.entry_hash for r in rows[:-1]]
    assert audit.verify(engine).intact


def test_an_edited_entry_is_found(engine):
    _append(engine, 4)
    third = _ids(engine)[2]
    with write_session(engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.id == third).values(actor="Iemand anders"))
    check = audit.verify(engine)
    assert (check.intact, check.broken_at, check.problem) == (False, third, "edited")


def test_a_deleted_entry_is_found_at_the_next_one(engine):
    _append(engine, 4)
    ids = _ids(engine)
    with write_session(engine) as session:
        session.execute(delete(AuditEntry).where(AuditEntry.id == ids[1]))
    check = audit.verify(engine)
    assert (check.broken_at, check.problem) == (ids[2], "missing_before")


def test_an_edited_detail_is_found(engine):
    _append(engine, 2)
    first = _ids(engine)[0]
    with write_session(engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.id == first).values(detail={"status": "closed"}))
    assert audit.verify(engine).broken_at == first


def test_concurrent_writers_never_fork_the_chain(engine):
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            _append(engine, 10, action=name)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = audit.verify(engine)
    assert check.intact and check.entries == 40
    with read_session(engine) as session:
        assert session.exec(select(col(AuditEntry.prev_hash)).where(AuditEntry.prev_hash == "")).all() == [""]


def test_the_verify_command_names_the_broken_entry(engine, monkeypatch, capsys):
    from kinderwijkraad.cli import main
    from kinderwijkraad.config import get_settings

    monkeypatch.setenv("KWR_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    _append(engine, 3)
    assert main(["audit", "verify"]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    second = _ids(engine)[1]
    with write_session(engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.id == second).values(action="poll.deleted"))
    assert main(["audit", "verify"]) == 1
    assert f"entry {second} was changed" in capsys.readouterr().err


def test_logins_failures_and_staff_changes_are_in_the_chain(engine):
    from kinderwijkraad.services import accounts
    from tests import factories

    world = factories.world(engine)
    user = world["teacher"]
    accounts.authenticate(engine, username=user.username, password=factories.PASSWORD, client="10.0.0.1")
    with pytest.raises(NotAllowed):
        accounts.authenticate(engine, username=user.username, password="wrong", client="10.0.0.1")
    with pytest.raises(NotAllowed):
        accounts.authenticate(engine, username="hunter2-typed-in-the-wrong-field", password="x", client="10.0.0.1")
    with read_session(engine) as session:
        rows = session.exec(select(AuditEntry).where(col(AuditEntry.action).like("login%"))
                            .order_by(AuditEntry.id)).all()
    assert [(r.action, r.actor) for r in rows] == [("login", user.display_name), ("login.failed", user.username),
                                                  ("login.failed", "?")]
    assert all("hunter2" not in str(r.detail) + r.actor for r in rows)
    assert audit.verify(engine).intact


def test_the_log_on_screen_shows_each_reader_what_is_theirs_and_filters(engine):
    from datetime import timedelta

    from kinderwijkraad.services.proposals import today
    from tests import factories

    world = factories.world(engine)
    cycle_a, cycle_b = world["cycle_a"].id, world["cycle_b"].id
    audit.record_now(engine, actor=world["facilitator"], action="poll.created", subject="poll", subject_id=1,
                     cycle_id=cycle_a)
    audit.record_now(engine, actor=world["admin"], action="proposal.created", subject="proposal", subject_id=2,
                     cycle_id=cycle_b)
    audit.record_now(engine, actor=None, actor_label="onbekend", action="login.failed", subject="user")

    everything = audit.log_lines(engine, actor=world["admin"])
    assert {line.action for line in everything} >= {"poll.created", "proposal.created", "login.failed"}
    mine = audit.log_lines(engine, actor=world["facilitator"])  # wijk A only, and no logins
    assert {line.action for line in mine} == {"poll.created"} and mine[0].where.endswith(world["cycle_a"].school_year)
    assert [line.action for line in audit.log_lines(engine, actor=world["admin"], where=audit.LogFilter(
        kind="proposal"))] == ["proposal.created"]
    assert [line.actor for line in audit.log_lines(engine, actor=world["admin"], where=audit.LogFilter(
        who="onbek"))] == ["onbekend"]
    assert audit.log_lines(engine, actor=world["admin"], where=audit.LogFilter(
        since=today() + timedelta(days=1))) == []
    assert [line.action for line in audit.log_lines(engine, actor=world["admin"], where=audit.LogFilter(
        neighbourhood_id=world["wijk_b"].id, since=today(), until=today()))] == ["proposal.created"]
    assert {"login", "poll", "proposal"} <= set(audit.log_kinds(engine, actor=world["admin"]))
    assert audit.verify_as(engine, actor=world["admin"]).intact
    for refused in (lambda: audit.verify_as(engine, actor=world["facilitator"]),
                    lambda: audit.log_lines(engine, actor=world["teacher"])):
        with pytest.raises(NotAllowed):
            refused()


def test_the_logs_csv_holds_what_the_screen_shows_and_no_formula_runs(engine):
    import csv
    import io

    from tests import factories

    world = factories.world(engine)
    audit.record_now(engine, actor=world["facilitator"], action="poll.created", subject="poll", subject_id=7,
                     cycle_id=world["cycle_a"].id, detail={"title": "=HYPERLINK(\"x\")"})
    lines = audit.log_lines(engine, actor=world["facilitator"])
    header, rows = audit.log_table(lines)
    assert rows[0][2:5] == ["poll.created", "poll 7", lines[0].where]
    parsed = list(csv.reader(io.StringIO(audit.log_csv(lines).decode("utf-8-sig"))))
    assert parsed[0] == header and parsed[1][:5] == rows[0][:5]
    assert "HYPERLINK" in parsed[1][5]
    audit.record_now(engine, actor=None, actor_label="=1+1", action="login.failed", subject="user")
    (typed,) = [row for row in csv.reader(io.StringIO(audit.log_csv(audit.log_lines(
        engine, actor=world["admin"], where=audit.LogFilter(kind="login"))).decode("utf-8-sig")))][1:]
    assert typed[1] != "=1+1" and typed[1].endswith("=1+1")  # a name typed at login never runs as a formula
