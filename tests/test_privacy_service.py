"""Privacy (services.retention, services.access_requests): the retention period, the removal of a
closed cycle's child-level data (and nothing else), its record and audit, the command line, and the
access export for one child — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, func, update
from sqlmodel import SQLModel, col, select

from kinderwijkraad import db
from kinderwijkraad.cli import main
from kinderwijkraad.config import get_settings
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import InvalidInput, NotAllowed, NotFound
from kinderwijkraad.exports.access import render_access_json, render_access_pdf
from kinderwijkraad.i18n import t
from kinderwijkraad.models import (
    DEFAULT_RETENTION_DAYS,
    Attendance,
    AuditEntry,
    Ballot,
    Booth,
    BrainstormNote,
    Candidate,
    Classroom,
    Consent,
    CouncilMember,
    Cycle,
    Device,
    LessonRun,
    Meeting,
    Mood,
    PaperTally,
    Phase,
    Plan,
    Poll,
    PollOption,
    Proposal,
    Receipt,
    Recipient,
    RetentionRun,
    Role,
    Team,
    Theme,
    VotingCard,
    WorkItem,
)
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import (
    access_requests,
    audit,
    council,
    demo,
    demo_year,
    neighbourhoods,
    plans,
    results,
    retention,
)
from tests import council_factories, factories
from tests.proposal_factories import cycle_with_proposal, staff

# --- building a year to clean ----------------------------------------------------------------------


def close(engine: Engine, actor, cycle_id: int, *, days_ago: float) -> None:
    """Advance the cycle to closed the way a facilitator does, then move the close into the past."""
    with read_session(engine) as session:
        phase = Phase(session.get(Cycle, cycle_id).phase)
    while phase != Phase.CLOSED:
        phase = neighbourhoods.advance_cycle_phase(engine, actor=actor, cycle_id=cycle_id, from_phase=phase)
    with write_session(engine) as session:
        session.execute(update(Cycle).where(Cycle.id == cycle_id)
                        .values(phase_changed_at=utcnow() - timedelta(days=days_ago)))


def year(engine: Engine) -> SimpleNamespace:
    """The proposal world's cycle with sign-ups (two members, one not), a meeting with attendance and
    names in its minutes, a work item, a brainstorm note, a paired booth and a plan title with a name
    on the ballot; closed 40 days ago. Besides it: wijk B's open cycle and a cycle of wijk A closed
    5 days ago, each with a sign-up."""
    w = cycle_with_proposal(engine)
    fac, cycle_id = w.facilitator, w.cycle.id
    names = {"Noor": "a", "Daan": "a", "Milan": "b"}
    ids = {name: council_factories.candidate(engine, w.classes[key].id, name) for name, key in names.items()}
    members = {name: council.record_consent(engine, actor=fac, candidate_id=ids[name], consent=Consent.GIVEN)
               for name in ("Noor", "Milan")}
    council.record_consent(engine, actor=fac, candidate_id=ids["Daan"], consent=Consent.REFUSED)
    council.create_meeting(engine, actor=fac, cycle_id=cycle_id, held_on=date(2027, 1, 12),
                           agenda="Kennismaken", minutes="Noor opende de vergadering. milan schreef de notulen.",
                           decisions="Iedereen maakt een poster.", member_ids=list(members.values()))
    council.update_work_item(engine, actor=fac, cycle_id=cycle_id, theme_id=w.top_theme_id, organisation_id=None,
                             next_action="Noor belt de wethouder", status="doing")
    with write_session(engine) as session:
        plan = session.get(Plan, w.plans["swings"])
        plan.answers = {**plan.answers, "ourselves": "Noor en Daan houden de speeltuin schoon."}
        session.add(BrainstormNote(run_id=plan.run_id, team_id=plan.team_id, mood=Mood.HAPPY, text="Het park!"))
        session.add(Booth(poll_id=w.poll_id, classroom_id=w.classes["a"].id, pair_code="QX7P2M",
                          token_hash="b" * 64, unlocked=True, voters=2, present=20))
        options = session.exec(select(PollOption).where(PollOption.poll_id == w.poll_id)
                               .order_by(PollOption.position)).all()
        options[0].label, options[1].label = "Plan van Noor", "Plan van [naam]"
        session.get(Proposal, w.proposal_id).children_contribution = "Milan en Noor maken posters."
    close(engine, w.admin, cycle_id, days_ago=40)

    school_b = factories.school(engine, w.admin, w.other_wijk.id)
    open_class = factories.classroom(engine, w.admin, w.other_cycle.id, school_b.id)
    council_factories.candidate(engine, open_class.id, "Sanne")
    recent = factories.cycle(engine, w.admin, w.wijk.id, "2025-2026")
    recent_class = factories.classroom(engine, w.admin, recent.id, w.schools["a"].id)
    council_factories.candidate(engine, recent_class.id, "Lotte")
    close(engine, w.admin, recent.id, days_ago=5)
    return SimpleNamespace(**vars(w), candidate_ids=ids, member_ids=members, recent=recent, open_class=open_class,
                           recent_class=recent_class)


def in_cycle(session, model, cycle_id: int) -> int:
    """Rows of a child-level table that belong to the cycle."""
    classes = select(Classroom.id).where(Classroom.cycle_id == cycle_id)
    runs = select(LessonRun.id).where(col(LessonRun.classroom_id).in_(classes))
    poll_ids = select(Poll.id).where(Poll.cycle_id == cycle_id)
    where = {
        Candidate: col(Candidate.classroom_id).in_(classes),
        CouncilMember: CouncilMember.cycle_id == cycle_id,
        Attendance: col(Attendance.meeting_id).in_(select(Meeting.id).where(Meeting.cycle_id == cycle_id)),
        Device: col(Device.run_id).in_(runs),
        BrainstormNote: col(BrainstormNote.run_id).in_(runs),
        VotingCard: col(VotingCard.poll_id).in_(poll_ids),
        Receipt: col(Receipt.poll_id).in_(poll_ids),
        Ballot: col(Ballot.poll_id).in_(poll_ids),
        PaperTally: col(PaperTally.poll_id).in_(poll_ids),
        PollOption: col(PollOption.poll_id).in_(poll_ids),
        Team: col(Team.run_id).in_(runs),
        Plan: col(Plan.run_id).in_(runs),
        Theme: Theme.cycle_id == cycle_id,
        Meeting: Meeting.cycle_id == cycle_id,
        WorkItem: WorkItem.cycle_id == cycle_id,
        Proposal: Proposal.cycle_id == cycle_id,
        Recipient: col(Recipient.proposal_id).in_(select(Proposal.id).where(Proposal.cycle_id == cycle_id)),
        Booth: col(Booth.poll_id).in_(poll_ids),
    }[model]
    return session.exec(select(func.count()).select_from(model).where(where)).one()


CHILD_LEVEL = (Candidate, CouncilMember, Attendance, Device, BrainstormNote, VotingCard, Receipt)
KEPT = (Ballot, PaperTally, PollOption, Team, Plan, Theme, Meeting, WorkItem, Proposal, Recipient, Booth)


def census(engine: Engine, cycle_id: int) -> dict[str, int]:
    with read_session(engine) as session:
        return {model.__name__: in_cycle(session, model, cycle_id) for model in (*CHILD_LEVEL, *KEPT)}


def every_row(engine: Engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {table.name: sorted(map(repr, connection.execute(select(table)).all()))
                for table in SQLModel.metadata.sorted_tables if table.name not in ("retentionrun", "auditentry")}


# --- settings ----------------------------------------------------------------------------------------


def test_the_retention_period_is_thirty_days_until_an_admin_changes_it_and_each_change_is_audited(engine):
    boss = factories.admin(engine)
    assert retention.retention_settings(engine).retention_days == DEFAULT_RETENTION_DAYS == 30
    saved = retention.set_retention_days(engine, actor=boss, days=60)
    assert (saved.retention_days, saved.updated_by) == (60, "Admin")
    retention.set_retention_days(engine, actor=boss, days=60)  # the same value: nothing to log
    retention.set_retention_days(engine, actor=boss, days=0)
    with read_session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "retention_days_set")
                               .order_by(AuditEntry.id)).all()
    assert [e.detail for e in entries] == [{"retention_days": 60, "previous": 30},
                                           {"retention_days": 0, "previous": 60}]
    assert retention.retention_settings(engine).retention_days == 0


def test_only_an_admin_sets_the_period_and_only_within_range(engine):
    w = factories.world(engine)
    for who in ("facilitator", "teacher"):
        with pytest.raises(NotAllowed):
            retention.set_retention_days(engine, actor=w[who], days=10)
    for days in (-1, 3651):
        with pytest.raises(InvalidInput) as refused:
            retention.set_retention_days(engine, actor=w["admin"], days=days)
        assert refused.value.key == "validation.out_of_range"
    assert retention.retention_settings(engine).retention_days == 30
    with pytest.raises(NotAllowed):
        retention.retention_preview(engine, actor=w["facilitator"])
    with pytest.raises(NotAllowed):
        retention.apply_retention(engine, actor=w["facilitator"])
    with pytest.raises(NotAllowed):
        retention.last_run(engine, actor=w["facilitator"])
    with pytest.raises(ValueError):
        retention.apply_retention(engine)  # nobody said who runs it


# --- retention ---------------------------------------------------------------------------------------


def test_the_preview_counts_what_is_due_and_lists_what_is_waiting(engine):
    y = year(engine)
    preview = retention.retention_preview(engine, actor=y.admin)
    assert [c.cycle_id for c in preview.due] == [y.cycle.id]
    assert [c.cycle_id for c in preview.waiting] == [y.recent.id]
    counts = preview.due[0].counts
    assert counts == {"candidates": 3, "council_members": 2, "attendance": 2, "devices": 5, "brainstorm_notes": 1,
                      "voting_cards": 5, "receipts": 5, "booth_tokens": 1, "team_names": 5,
                      # minutes, work item, plan answers, proposal, one poll option
                      "texts_with_names": 5, "mail_addresses": 0}
    later = retention.retention_preview(engine, now=utcnow() + timedelta(days=26))
    assert [c.cycle_id for c in later.due] == [y.cycle.id, y.recent.id]
    assert preview.due[0].label == "Vogelbuurt — 2026-2027"


def test_retention_removes_exactly_the_child_level_data_of_the_cycle_closed_long_enough(engine):
    y = year(engine)
    before = census(engine, y.cycle.id)
    others_before = (census(engine, y.other_cycle.id), census(engine, y.recent.id))
    results_before = results.results(engine, actor=y.facilitator, poll_id=y.poll_id).total.rows
    preview = retention.retention_preview(engine)

    result = retention.apply_retention(engine, actor=y.admin)

    assert [c.cycle_id for c in result.cycles] == [y.cycle.id]
    assert result.cycles[0].counts == preview.due[0].counts
    after = census(engine, y.cycle.id)
    assert {model.__name__: after[model.__name__] for model in CHILD_LEVEL} == dict.fromkeys(
        (model.__name__ for model in CHILD_LEVEL), 0)
    assert all(before[m.__name__] > 0 for m in CHILD_LEVEL)
    assert {m.__name__: after[m.__name__] for m in KEPT} == {m.__name__: before[m.__name__] for m in KEPT}
    # the open cycle and the recently closed one are untouched
    assert (census(engine, y.other_cycle.id), census(engine, y.recent.id)) == others_before
    # the vote still counts the same: ballots and paper tallies are anonymous and kept
    assert [(r.label, r.total) for r in results.results(engine, actor=y.facilitator, poll_id=y.poll_id).total.rows] \
        == [(r.label.replace("Noor", "[naam]") + (" (2)" if r.label == "Plan van Noor" else ""), r.total)
            for r in results_before]
    with read_session(engine) as session:
        cycle = session.get(Cycle, y.cycle.id)
        assert cycle.child_data_removed_at is not None
        assert session.get(Cycle, y.recent.id).child_data_removed_at is None
        booth = session.exec(select(Booth).where(Booth.poll_id == y.poll_id)).one()
        assert (booth.token_hash, booth.unlocked, booth.voters, booth.present) == (None, False, 2, 20)
        meeting = session.exec(select(Meeting).where(Meeting.cycle_id == y.cycle.id)).one()
        assert meeting.minutes == "[naam] opende de vergadering. [naam] schreef de notulen."
        assert meeting.agenda == "Kennismaken"
        item = session.exec(select(WorkItem).where(WorkItem.cycle_id == y.cycle.id)).one()
        assert item.next_action == "[naam] belt de wethouder"
        plan = session.get(Plan, y.plans["swings"])
        assert plan.answers["ourselves"] == "[naam] en [naam] houden de speeltuin schoon."
        assert plan.answers["title"] == "Nieuwe schommels"
        assert session.get(Proposal, y.proposal_id).children_contribution == "[naam] en [naam] maken posters."
        labels = set(session.exec(select(PollOption.label).where(PollOption.poll_id == y.poll_id)))
        assert {"Plan van [naam]", "Plan van [naam] (2)"} <= labels
    # teams keep their plans under neutral names
    cycle_plans = plans.cycle_plans(engine, actor=y.facilitator, cycle_id=y.cycle.id)
    assert {p.team_name for p in cycle_plans} <= {f"Groepje {n}" for n in range(1, 6)}
    assert {p.title for p in cycle_plans} == {"Nieuwe schommels", "Een zebrapad", "Speeltuin voor iedereen",
                                              "Bankjes bij de speeltuin", "Meer prullenbakken"}


def test_a_run_is_recorded_and_audited_without_names_and_a_second_run_removes_nothing(engine):
    y = year(engine)
    first = retention.apply_retention(engine, actor=y.admin)
    rows_after_first = every_row(engine)
    second = retention.apply_retention(engine, actor=y.admin)
    assert second.cycles == ()
    assert every_row(engine) == rows_after_first
    with read_session(engine) as session:
        runs = session.exec(select(RetentionRun).order_by(RetentionRun.id)).all()
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "retention_applied")
                               .order_by(AuditEntry.id)).all()
    assert [(r.by, r.cycle_ids) for r in runs] == [("Admin", [y.cycle.id]), ("Admin", [])]
    assert runs[0].counts == first.totals and runs[0].counts["candidates"] == 3
    assert [(e.subject, e.subject_id, e.cycle_id) for e in entries] == [
        ("cycle", y.cycle.id, y.cycle.id), ("retention_run", runs[1].id, None)]
    assert entries[0].detail == {"run_id": runs[0].id, "counts": first.cycles[0].counts}
    everything = json.dumps([e.detail for e in entries] + [r.counts for r in runs])
    assert not any(name in everything for name in ("Noor", "Milan", "Daan", "De Vossen"))
    assert audit.verify(engine).intact
    last = retention.last_run(engine, actor=y.admin)
    assert (last.id, last.cycle_ids) == (runs[1].id, ())


def test_a_longer_period_set_meanwhile_keeps_the_data(engine):
    y = year(engine)
    retention.set_retention_days(engine, actor=y.admin, days=60)
    assert retention.retention_preview(engine).due == ()
    assert retention.apply_retention(engine, by_label="cron").cycles == ()
    assert census(engine, y.cycle.id)["Candidate"] == 3


def test_the_demos_closed_year_loses_exactly_its_child_data(engine):
    demo.seed_demo(engine)
    with read_session(engine) as session:
        cycles = {c.school_year: c.id for c in session.exec(select(Cycle))}
    closed, current = cycles[demo_year.YEAR], cycles["2026-2027"]
    before, current_before = census(engine, closed), census(engine, current)
    boss = staff_admin(engine)
    # The demo's year closed on 10 July 2026: past the default 30 days, so due now.
    assert [c.cycle_id for c in retention.retention_preview(engine).due] == [closed]
    result = retention.apply_retention(engine, actor=boss)
    assert [c.cycle_id for c in result.cycles] == [closed]
    after = census(engine, closed)
    assert {m.__name__: after[m.__name__] for m in CHILD_LEVEL} == dict.fromkeys((m.__name__ for m in CHILD_LEVEL), 0)
    assert before["Candidate"] == 6 and before["CouncilMember"] == 4 and before["VotingCard"] > 0
    assert {m.__name__: after[m.__name__] for m in KEPT} == {m.__name__: before[m.__name__] for m in KEPT}
    assert census(engine, current) == current_before
    with read_session(engine) as session:
        texts = " ".join(m.minutes + m.decisions for m in session.exec(select(Meeting).where(
            Meeting.cycle_id == closed)))
        teams = set(session.exec(select(Team.name).join(LessonRun, col(LessonRun.id) == Team.run_id)
                                 .join(Classroom, col(Classroom.id) == LessonRun.classroom_id)
                                 .where(Classroom.cycle_id == closed)))
    for name in ("Noor", "Milan", "Daan", "Lotte"):
        assert name not in texts
    assert "[naam] heeft de vergadering geopend" in texts
    assert teams <= {f"Groepje {n}" for n in range(1, 10)}


def staff_admin(engine: Engine):
    from kinderwijkraad.services import accounts

    return accounts.session_actor(engine, username="demo-admin")


def test_the_command_line_shows_the_preview_and_applies_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KWR_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    url = get_settings().effective_database_url
    (tmp_path / "data").mkdir()
    db.upgrade(url)
    engine = db.make_engine(url)
    w = factories.world(engine)
    council_factories.candidate(engine, w["class_a"].id, "Noor")
    close(engine, w["admin"], w["cycle_a"].id, days_ago=31)
    engine.dispose()

    assert main(["retention"]) == 0
    out = capsys.readouterr().out
    assert "retention period: 30 days" in out
    assert f"due: cycle {w['cycle_a'].id} (Wijk A — 2026-2027): candidates 1" in out
    assert "Noor" not in out
    assert main(["retention", "--apply"]) == 0
    assert f"removed: cycle {w['cycle_a'].id} (Wijk A — 2026-2027): candidates 1" in capsys.readouterr().out
    assert main(["retention", "--apply"]) == 0
    assert "nothing was due" in capsys.readouterr().out
    engine = db.make_engine(url)
    with read_session(engine) as session:
        assert [r.by for r in session.exec(select(RetentionRun))] == [t("privacy.by_command_line")] * 2
        assert session.exec(select(func.count()).select_from(Candidate)).one() == 0
    engine.dispose()


# --- the access request ------------------------------------------------------------------------------


def test_the_access_export_holds_what_the_app_keeps_about_one_child(engine):
    y = year(engine)
    export = access_requests.access_export(engine, actor=y.facilitator, classroom_id=y.classes["a"].id,
                                           first_name=" noor ")
    assert (export.first_name, export.school, export.class_name, export.wijk, export.school_year) == (
        "Noor", "OBS De Regenboog", "Groep 7", "Vogelbuurt", "2026-2027")
    assert (export.consent, export.council_role, export.council_active) == ("given", "member", True)
    assert export.meetings_attended == (date(2027, 1, 12),) and export.meetings_held == 1
    assert export.mentions == (
        t("privacy.mention.meeting", date="12 januari 2027", fields=t("field.minutes")),
        t("privacy.mention.work_item", fields=t("field.next_action")),
        t("privacy.mention.proposal", title="Speeltuin", fields=t("field.children_contribution")),
        t("privacy.mention.plan", title="Nieuwe schommels"),
        t("privacy.mention.poll_option", poll="Wijkstemming"),
    )
    assert set(export.class_plans) == {"Nieuwe schommels", "Een zebrapad"}
    assert export.retention_days == 30 and export.removal_due is not None

    data = json.loads(render_access_json(export).decode("utf-8"))
    assert data["child"]["first_name"] == "Noor" and data["sign_up"]["consent"] == "given"
    assert data["council"]["meetings_attended"] == ["2027-01-12"]
    assert data["votes"] is None
    assert "Stemmen zijn geheim" in data["statements"]["votes"]
    assert "welk kind aan welk plan" in data["statements"]["plans"]

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_access_pdf(export))).pages)
    text = " ".join(text.split())
    for expected in ("Gegevens over Noor", "OBS De Regenboog", "Groep 7", "Vogelbuurt", "Stemmen zijn geheim",
                     "Nieuwe schommels", "12 januari 2027", "verwerkingsverantwoordelijke"):
        assert expected in text, expected


def test_a_child_who_did_not_join_the_council_is_shown_as_such(engine):
    y = year(engine)
    export = access_requests.access_export(engine, actor=y.admin, classroom_id=y.classes["a"].id, first_name="Daan")
    assert (export.consent, export.council_role, export.meetings_attended) == ("refused", None, ())
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_access_pdf(export))).pages)
    assert "Geen raadslid" in " ".join(text.split())


def test_an_unknown_name_gets_a_clear_dutch_message(engine):
    y = year(engine)
    with pytest.raises(NotFound) as refused:
        access_requests.access_export(engine, actor=y.facilitator, classroom_id=y.classes["a"].id, first_name="Milan")
    assert refused.value.key == "privacy.access.not_found"
    message = t(refused.value.key, **refused.value.params)
    assert "‘Milan’" in message and "aangemeld" in message


def test_only_admins_and_the_wijks_facilitators_may_export_and_every_attempt_is_audited(engine):
    y = year(engine)
    teacher = staff(engine, y.admin, Role.TEACHER, display_name="Juf")
    for who in (y.other_facilitator, y.official, teacher):
        with pytest.raises(NotAllowed):
            access_requests.access_export(engine, actor=who, classroom_id=y.classes["a"].id, first_name="Noor")
    with pytest.raises(NotAllowed):
        access_requests.access_classrooms(engine, actor=teacher)
    assert {c.id for c in access_requests.access_classrooms(engine, actor=y.other_facilitator)} == {y.open_class.id}
    assert {y.classes["a"].id, y.classes["b"].id, y.recent_class.id} <= {
        c.id for c in access_requests.access_classrooms(engine, actor=y.facilitator)}
    access_requests.access_export(engine, actor=y.facilitator, classroom_id=y.classes["a"].id, first_name="Noor",
                                  purpose="pdf")
    with pytest.raises(NotFound):
        access_requests.access_export(engine, actor=y.facilitator, classroom_id=y.classes["a"].id, first_name="Zoë")
    with read_session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "access_export")
                               .order_by(AuditEntry.id)).all()
    assert [e.detail["outcome"] for e in entries] == ["refused"] * 3 + ["exported", "not_found"]
    assert entries[3].detail == {"classroom_id": y.classes["a"].id, "format": "pdf", "outcome": "exported"}
    assert {(e.subject, e.subject_id, e.cycle_id) for e in entries} == {("classroom", y.classes["a"].id, y.cycle.id)}
    assert not any(name in json.dumps([e.detail for e in entries]) for name in ("Noor", "Zoë"))


def test_after_retention_the_export_says_the_data_was_removed(engine):
    y = year(engine)
    retention.apply_retention(engine, actor=y.admin)
    with pytest.raises(NotFound) as refused:
        access_requests.access_export(engine, actor=y.admin, classroom_id=y.classes["a"].id, first_name="Noor")
    assert refused.value.key == "privacy.access.removed"
    assert "verwijderd" in t(refused.value.key, **refused.value.params)


def test_replaced_names_never_make_a_text_longer_than_its_column_and_other_texts_stay_as_they_are(engine):
    w = factories.world(engine)
    council_factories.candidate(engine, w["class_a"].id, "Bo")
    decomposed = "Cafe\u0301 op het plein"  # not NFC, and no name in it: left exactly as it is
    council.create_meeting(engine, actor=w["admin"], cycle_id=w["cycle_a"].id, held_on=date(2027, 2, 1),
                           minutes="Café", decisions="Bo " * 1333)
    with write_session(engine) as session:  # the services store NFC; older rows may not be
        session.exec(select(Meeting)).one().minutes = decomposed
    close(engine, w["admin"], w["cycle_a"].id, days_ago=31)
    assert retention.retention_preview(engine).due[0].counts["texts_with_names"] == 1
    retention.apply_retention(engine, actor=w["admin"])
    with read_session(engine) as session:
        meeting = session.exec(select(Meeting)).one()
    assert meeting.minutes == decomposed
    assert len(meeting.decisions) == 4000 and meeting.decisions.startswith("[naam] [naam] ")
    assert meeting.decisions.endswith("…")


def test_a_name_is_found_however_it_was_typed():
    """A tablet types a curly apostrophe; a child writes "Zoe" for "Zoë": both are that name."""
    pattern = retention.name_pattern(["O'Neil", "Zoë", "Jan-Willem", "Ad"])
    assert pattern.sub("[naam]", "O’Neil en ZOE zeiden: jan-willem heeft gelijk. Adam niet, Ad wel.") == \
        "[naam] en [naam] zeiden: [naam] heeft gelijk. Adam niet, [naam] wel."
