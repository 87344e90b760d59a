"""The council (services.council): consent makes members, roles and active, the installation's
certificates and programme, meetings with attendance, the top-3 work list, scope and the audit
log — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
from datetime import date

import pytest
from sqlmodel import select

from kinderwijkraad import db
from kinderwijkraad.errors import InvalidInput, NotAllowed, NotFound
from kinderwijkraad.exports import council as council_pdf
from kinderwijkraad.exports.council import ProgrammeItem
from kinderwijkraad.i18n import CATALOGUES, t
from kinderwijkraad.models import Classroom, Consent, CouncilRole, Role, WorkStatus
from kinderwijkraad.services import accounts, audit, council, plans
from kinderwijkraad.services.council import parse_programme
from kinderwijkraad.ui import navigation
from tests import council_factories, factories, test_pages
from tests.test_pages import USERNAMES, app_as, page_path, submit


@pytest.fixture
def world(engine) -> dict:
    return factories.world(engine)


@pytest.fixture
def kids(engine, world) -> dict[str, int]:
    """Three sign-ups in wijk A's class and one in wijk B's."""
    ids = {name: council_factories.candidate(engine, world["class_a"].id, name) for name in ("Sanne", "Daan", "Mo")}
    ids["Bo"] = council_factories.candidate(engine, world["class_b"].id, "Bo")
    return ids


def _council(engine, world, cycle="cycle_a") -> council.CouncilView:
    return council.council_of_cycle(engine, actor=world["admin"], cycle_id=world[cycle].id)


def _give(engine, world, *candidate_ids) -> list[int]:
    return [council.record_consent(engine, actor=world["facilitator"], candidate_id=i, consent=Consent.GIVEN)
            for i in candidate_ids]


def _actions(engine, world, cycle="cycle_a") -> list[tuple[str, str, dict]]:
    rows = audit.audit_log(engine, actor=world["admin"], cycle_id=world[cycle].id)
    return [(row.action, row.subject, row.detail) for row in reversed(rows) if row.subject != "poll"]


# --- consent and members -----------------------------------------------------------------------


def test_signed_up_children_are_listed_with_pending_consent_and_no_member(engine, world, kids):
    view = _council(engine, world)
    assert view.council_name == t("council.name", wijk="Wijk A") == "Kinderwijkraad Wijk A"
    assert view.school_year == "2026-2027"
    assert [c.first_name for c in view.candidates] == ["Daan", "Mo", "Sanne"]  # Bo is of wijk B
    assert {c.consent for c in view.candidates} == {Consent.PENDING}
    assert all(c.member_id is None and not c.active and c.consent_recorded_at is None for c in view.candidates)
    assert {(c.school, c.class_label) for c in view.candidates} == {(world["school_a"].name, world["class_a"].name)}
    assert view.members == ()


def test_consent_given_makes_the_child_an_active_member_with_role_lid(engine, world, kids):
    member_id = council.record_consent(engine, actor=world["facilitator"], candidate_id=kids["Sanne"],
                                       consent="given")
    view = _council(engine, world)
    [member] = view.members
    assert (member.id, member.first_name, member.role, member.active) == (member_id, "Sanne", CouncilRole.MEMBER,
                                                                          True)
    sanne = next(c for c in view.candidates if c.first_name == "Sanne")
    assert (sanne.consent, sanne.member_id, sanne.role, sanne.active) == (Consent.GIVEN, member_id,
                                                                          CouncilRole.MEMBER, True)
    assert sanne.consent_recorded_at is not None
    assert member.label == "Sanne (lid), {}, {}".format(world["class_a"].name, world["school_a"].name)


def test_recording_consent_twice_gives_one_member_and_one_audit_entry(engine, world, kids):
    first, second = _give(engine, world, kids["Sanne"], kids["Sanne"])
    assert first == second
    assert len(_council(engine, world).members) == 1
    assert [a for a, _, _ in _actions(engine, world)] == ["consent_recorded", "member_added"]


def test_two_facilitators_recording_consent_at_once_make_one_member(engine, world, kids):
    other = factories.user(engine, world["admin"], Role.FACILITATOR, neighbourhood_ids=[world["wijk_a"].id])
    barrier = threading.Barrier(4)
    results, errors = [], []

    def record(actor):
        try:
            barrier.wait()
            results.append(council.record_consent(engine, actor=actor, candidate_id=kids["Daan"],
                                                  consent=Consent.GIVEN))
        except Exception as exc:  # noqa: BLE001 - any failure is the test's failure
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(actor,))
               for actor in (world["facilitator"], other, world["facilitator"], world["admin"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert [m.first_name for m in _council(engine, world).members] == ["Daan"]
    assert [a for a, _, _ in _actions(engine, world)].count("member_added") == 1


def test_refusal_or_back_to_pending_deactivates_but_keeps_the_member(engine, world, kids):
    [member_id] = _give(engine, world, kids["Mo"])
    assert council.record_consent(engine, actor=world["facilitator"], candidate_id=kids["Mo"],
                                  consent=Consent.REFUSED) == member_id
    view = _council(engine, world)
    assert [(m.id, m.active) for m in view.members] == [(member_id, False)]
    assert view.active_members == ()
    assert next(c for c in view.candidates if c.first_name == "Mo").consent == Consent.REFUSED
    _give(engine, world, kids["Mo"])  # the slip was signed after all: the same member, active again
    assert [(m.id, m.active) for m in _council(engine, world).members] == [(member_id, True)]
    council.record_consent(engine, actor=world["facilitator"], candidate_id=kids["Mo"], consent=Consent.PENDING)
    mo = next(c for c in _council(engine, world).candidates if c.first_name == "Mo")
    assert (mo.consent, mo.member_id, mo.active, mo.consent_recorded_at) == (Consent.PENDING, member_id, False, None)
    # Refusing a child who never was a member makes no member.
    assert council.record_consent(engine, actor=world["facilitator"], candidate_id=kids["Daan"],
                                  consent=Consent.REFUSED) is None


def test_an_unknown_consent_or_candidate_is_refused(engine, world, kids):
    with pytest.raises(InvalidInput):
        council.record_consent(engine, actor=world["facilitator"], candidate_id=kids["Sanne"], consent="maybe")
    with pytest.raises(NotFound):
        council.record_consent(engine, actor=world["facilitator"], candidate_id=999_999, consent=Consent.GIVEN)


def test_roles_and_active_are_set_per_member(engine, world, kids):
    sanne, daan = _give(engine, world, kids["Sanne"], kids["Daan"])
    council.set_member_role(engine, actor=world["facilitator"], member_id=daan, role=CouncilRole.CHAIR)
    council.set_member_role(engine, actor=world["facilitator"], member_id=sanne, role="secretary")
    view = _council(engine, world)
    assert [(m.first_name, m.role) for m in view.members] == [("Daan", CouncilRole.CHAIR),
                                                              ("Sanne", CouncilRole.SECRETARY)]
    council.set_member_active(engine, actor=world["facilitator"], member_id=sanne, active=False)
    assert [m.first_name for m in _council(engine, world).active_members] == ["Daan"]
    council.set_member_active(engine, actor=world["facilitator"], member_id=sanne, active=True)
    assert len(_council(engine, world).active_members) == 2
    with pytest.raises(InvalidInput):
        council.set_member_role(engine, actor=world["facilitator"], member_id=sanne, role="king")
    with pytest.raises(NotFound):
        council.set_member_role(engine, actor=world["facilitator"], member_id=999_999, role=CouncilRole.MEMBER)


def test_a_member_whose_consent_was_refused_cannot_be_made_active(engine, world, kids):
    [member_id] = _give(engine, world, kids["Sanne"])
    council.record_consent(engine, actor=world["facilitator"], candidate_id=kids["Sanne"], consent=Consent.REFUSED)
    with pytest.raises(InvalidInput) as refused:
        council.set_member_active(engine, actor=world["facilitator"], member_id=member_id, active=True)
    assert refused.value.key == "council.no_consent"


# --- scope -------------------------------------------------------------------------------------


def test_a_facilitator_of_another_wijk_and_a_teacher_are_refused_everything(engine, world, kids):
    themes = council_factories.closed_vote(engine, world)
    [member_id] = _give(engine, world, kids["Sanne"])
    meeting_id = council.create_meeting(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                        held_on=date(2027, 1, 20))
    outsider = factories.user(engine, world["admin"], Role.FACILITATOR, neighbourhood_ids=[world["wijk_b"].id])
    cycle_id = world["cycle_a"].id
    for actor in (outsider, world["teacher"]):
        calls = [
            lambda a=actor: council.council_of_cycle(engine, actor=a, cycle_id=cycle_id),
            lambda a=actor: council.record_consent(engine, actor=a, candidate_id=kids["Daan"], consent="given"),
            lambda a=actor: council.set_member_role(engine, actor=a, member_id=member_id, role="chair"),
            lambda a=actor: council.set_member_active(engine, actor=a, member_id=member_id, active=False),
            lambda a=actor: council.installation(engine, actor=a, cycle_id=cycle_id),
            lambda a=actor: council.save_installation(engine, actor=a, cycle_id=cycle_id, alderman_name="X"),
            lambda a=actor: council.certificates(engine, actor=a, cycle_id=cycle_id),
            lambda a=actor: council.installation_programme(engine, actor=a, cycle_id=cycle_id),
            lambda a=actor: council.meetings(engine, actor=a, cycle_id=cycle_id),
            lambda a=actor: council.create_meeting(engine, actor=a, cycle_id=cycle_id, held_on=date(2027, 2, 1)),
            lambda a=actor: council.update_meeting(engine, actor=a, meeting_id=meeting_id, held_on=date(2027, 2, 1)),
            lambda a=actor: council.set_attendance(engine, actor=a, meeting_id=meeting_id, member_ids=[]),
            lambda a=actor: council.delete_meeting(engine, actor=a, meeting_id=meeting_id),
            lambda a=actor: council.work_list(engine, actor=a, cycle_id=cycle_id),
            lambda a=actor: council.update_work_item(engine, actor=a, cycle_id=cycle_id, theme_id=themes["Groen"],
                                                     organisation_id=None, next_action="x", status="todo"),
        ]
        for call in calls:
            with pytest.raises(NotAllowed):
                call()
    view = _council(engine, world)
    assert [(m.role, m.active) for m in view.members] == [(CouncilRole.MEMBER, True)]
    assert next(c for c in view.candidates if c.first_name == "Daan").consent == Consent.PENDING
    assert len(council.meetings(engine, actor=world["facilitator"], cycle_id=cycle_id)) == 1
    # The wijk B facilitator does manage wijk B's council.
    assert [c.first_name for c in council.council_of_cycle(engine, actor=outsider,
                                                           cycle_id=world["cycle_b"].id).candidates] == ["Bo"]


# --- installation ----------------------------------------------------------------------------------


def test_the_programme_is_one_item_per_line_with_an_optional_time():
    text = "14:00 Welkom\n\n  9.30 uur - Koffie  \n14.15: Speech van de wethouder\nUitreiking\n25:00 Te laat\n14:45"
    assert parse_programme(text) == [
        ProgrammeItem("14:00", "Welkom"),
        ProgrammeItem("09:30", "Koffie"),
        ProgrammeItem("14:15", "Speech van de wethouder"),
        ProgrammeItem("", "Uitreiking"),
        ProgrammeItem("", "25:00 Te laat"),
        ProgrammeItem("14:45", ""),
    ]
    assert parse_programme("") == []


def test_the_installation_is_saved_and_read_back(engine, world):
    empty = council.installation(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert not empty.saved and empty.alderman_name == "" and empty.installed_on is None
    saved = council.save_installation(
        engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, alderman_name="  Fatima Yilmaz ",
        alderman_title="wethouder Jeugd", installed_on=date(2027, 3, 12), venue="Stadhuis",
        programme="14:00 Welkom\n14:30 Certificaten")
    assert saved.saved
    assert (saved.alderman_name, saved.installed_on, saved.venue) == ("Fatima Yilmaz", date(2027, 3, 12), "Stadhuis")
    council.save_installation(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                              alderman_name="Fatima Yilmaz", venue="Buurthuis")
    again = council.installation(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert (again.venue, again.installed_on, again.programme) == ("Buurthuis", None, "")
    with pytest.raises(InvalidInput) as too_long:
        council.save_installation(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                  alderman_name="x" * 121)
    assert too_long.value.params["field"] == "alderman_name"
    installs = [d for a, _, d in _actions(engine, world) if a == "installation_saved"]
    assert installs[1]["fields"] == ["alderman_title", "installed_on", "venue", "programme"]


def test_certificates_are_for_active_members_only_chair_first(engine, world, kids):
    with pytest.raises(InvalidInput) as none_yet:
        council.certificates(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert none_yet.value.key == "council.no_active_members"
    sanne, daan, mo = _give(engine, world, kids["Sanne"], kids["Daan"], kids["Mo"])
    council.set_member_role(engine, actor=world["facilitator"], member_id=mo, role=CouncilRole.CHAIR)
    council.record_consent(engine, actor=world["facilitator"], candidate_id=kids["Daan"], consent=Consent.REFUSED)
    council.save_installation(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                              alderman_name="Fatima Yilmaz", alderman_title="wethouder Jeugd",
                              installed_on=date(2027, 3, 12))
    certificates = council.certificates(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert [(c.first_name, c.role_label) for c in certificates] == [("Mo", "voorzitter"), ("Sanne", "lid")]
    first = certificates[0]
    assert (first.council_name, first.school_year, first.date_text) == ("Kinderwijkraad Wijk A", "2026-2027",
                                                                         "12 maart 2027")
    assert (first.alderman_name, first.alderman_title) == ("Fatima Yilmaz", "wethouder Jeugd")
    assert (first.class_label, first.school) == (world["class_a"].name, world["school_a"].name)


def test_the_installation_programme_lists_items_and_active_members(engine, world, kids):
    with pytest.raises(InvalidInput) as empty:
        council.installation_programme(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert empty.value.key == "council.no_programme"
    sanne, _ = _give(engine, world, kids["Sanne"], kids["Daan"])
    council.set_member_role(engine, actor=world["facilitator"], member_id=sanne, role=CouncilRole.CHAIR)
    council.save_installation(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, venue="Stadhuis",
                              programme="14:00 Welkom\nFoto")
    programme = council.installation_programme(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert programme.items == [ProgrammeItem("14:00", "Welkom"), ProgrammeItem("", "Foto")]
    assert programme.venue == "Stadhuis" and programme.date_text == ""
    class_a, school_a = world["class_a"].name, world["school_a"].name
    assert programme.members == [f"Sanne (voorzitter), {class_a}, {school_a}", f"Daan (lid), {class_a}, {school_a}"]


def test_the_certificates_render_as_a_pdf_with_a_page_per_member(engine, world, kids):
    _give(engine, world, kids["Sanne"], kids["Daan"])
    certificates = council.certificates(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    try:
        pdf = council_pdf.render_certificates_pdf(certificates)
    except NotImplementedError:
        pytest.skip("exports.council.render_certificates_pdf is not written yet (another engineer's task)")
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == len(certificates) == 2
    council.save_installation(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                              programme="14:00 Welkom\n14:30 Certificaten")
    programme = council.installation_programme(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    try:
        assert council_pdf.render_installation_programme_pdf(programme).startswith(b"%PDF")
    except NotImplementedError:
        pytest.skip("exports.council.render_installation_programme_pdf is not written yet (another engineer's task)")


# --- meetings ---------------------------------------------------------------------------------------


def test_meetings_are_created_edited_listed_and_deleted_with_attendance(engine, world, kids):
    sanne, daan, mo = _give(engine, world, kids["Sanne"], kids["Daan"], kids["Mo"])
    cycle_id, facilitator = world["cycle_a"].id, world["facilitator"]
    first = council.create_meeting(engine, actor=facilitator, cycle_id=cycle_id, held_on=date(2027, 1, 20),
                                   agenda="Kennismaken", member_ids=[sanne, daan])
    second = council.create_meeting(engine, actor=facilitator, cycle_id=cycle_id, held_on=date(2027, 2, 17),
                                    agenda="Top-3", minutes="We spraken over de speeltuin.", decisions="Brief sturen")
    rows = council.meetings(engine, actor=facilitator, cycle_id=cycle_id)
    assert [(r.id, r.attendance) for r in rows] == [(second, 0), (first, 2)]  # newest first
    council.set_attendance(engine, actor=facilitator, meeting_id=second, member_ids=[mo, daan, mo])
    council.update_meeting(engine, actor=facilitator, meeting_id=first, held_on=date(2027, 1, 21),
                           agenda="Kennismaken", minutes="Iedereen stelde zich voor.", member_ids=[sanne])
    rows = {r.id: r for r in council.meetings(engine, actor=facilitator, cycle_id=cycle_id)}
    assert rows[second].present_member_ids == {mo, daan}
    assert (rows[first].held_on, rows[first].minutes, rows[first].present_member_ids) == (
        date(2027, 1, 21), "Iedereen stelde zich voor.", {sanne})
    council.update_meeting(engine, actor=facilitator, meeting_id=first, held_on=date(2027, 1, 21),
                           agenda="Kennismaken", minutes="Iedereen stelde zich voor.")  # attendance untouched
    assert council.meetings(engine, actor=facilitator, cycle_id=cycle_id)[1].present_member_ids == {sanne}
    council.delete_meeting(engine, actor=facilitator, meeting_id=first)
    assert [r.id for r in council.meetings(engine, actor=facilitator, cycle_id=cycle_id)] == [second]
    with pytest.raises(NotFound):
        council.update_meeting(engine, actor=facilitator, meeting_id=first, held_on=date(2027, 1, 21))
    with pytest.raises(InvalidInput) as no_date:
        council.create_meeting(engine, actor=facilitator, cycle_id=cycle_id, held_on=None)
    assert no_date.value.params["field"] == "held_on"


def test_attendance_takes_only_members_of_the_meetings_council(engine, world, kids):
    [sanne] = _give(engine, world, kids["Sanne"])
    bo = council.record_consent(engine, actor=world["admin"], candidate_id=kids["Bo"], consent=Consent.GIVEN)
    meeting_id = council.create_meeting(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                        held_on=date(2027, 1, 20), member_ids=[sanne])
    for wrong in ([sanne, bo], [999_999]):
        with pytest.raises(InvalidInput) as refused:
            council.set_attendance(engine, actor=world["facilitator"], meeting_id=meeting_id, member_ids=wrong)
        assert refused.value.key == "council.attendance_not_member"
    with pytest.raises(InvalidInput):
        council.create_meeting(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                               held_on=date(2027, 2, 1), member_ids=[bo])
    assert [r.present_member_ids for r in council.meetings(engine, actor=world["facilitator"],
                                                           cycle_id=world["cycle_a"].id)] == [{sanne}]


def test_attendance_saved_from_two_devices_at_once_ends_as_one_of_the_lists(engine, world, kids):
    ids = _give(engine, world, kids["Sanne"], kids["Daan"], kids["Mo"])
    meeting_id = council.create_meeting(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                        held_on=date(2027, 1, 20))
    lists = [ids, ids[:2], ids[1:], ids]
    barrier, errors = threading.Barrier(len(lists)), []

    def save(member_ids):
        try:
            barrier.wait()
            council.set_attendance(engine, actor=world["facilitator"], meeting_id=meeting_id, member_ids=member_ids)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(member_ids,)) for member_ids in lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [row] = council.meetings(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert row.present_member_ids in [set(member_ids) for member_ids in lists]


# --- the work list -------------------------------------------------------------------------------------


def test_before_a_closed_vote_the_work_list_is_empty(engine, world):
    work = council.work_list(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert (work.poll_title, work.rows) == (None, ())


def test_the_work_list_has_a_row_per_top_3_theme_of_the_closed_vote(engine, world):
    themes = council_factories.closed_vote(engine, world)
    partner_id = council_factories.partner(engine, world)
    work = council.work_list(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    assert work.poll_title == "Wijkstemming"
    assert [(r.theme, r.place, r.score, r.in_top, r.item_id) for r in work.rows] == [
        ("Groen", 1, 4, True, None), ("Speeltuin", 2, 3, True, None), ("Verkeer", 3, 2, True, None)]
    assert [p.organisation_id for p in work.partners] == [partner_id]
    item_id = council.update_work_item(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                       theme_id=themes["Speeltuin"], organisation_id=partner_id,
                                       next_action="  Brief aan de gemeente ", status=WorkStatus.DOING)
    again = council.update_work_item(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                     theme_id=themes["Speeltuin"], organisation_id=partner_id,
                                     next_action="Wethouder uitnodigen", status="done")
    assert again == item_id
    row = council.work_list(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id).rows[1]
    assert (row.item_id, row.organisation_id, row.next_action, row.status) == (
        item_id, partner_id, "Wethouder uitnodigen", WorkStatus.DONE)
    assert row.organisation and row.updated_at is not None
    saves = [d for a, _, d in _actions(engine, world) if a == "work_item_saved"]
    assert saves[0]["created"] and saves[1]["fields"] == ["next_action", "status"]


def test_a_theme_outside_the_top_3_and_an_organisation_that_is_no_partner_are_refused(engine, world):
    themes = council_factories.closed_vote(engine, world)
    council_factories.partner(engine, world)
    stranger = factories.organisation(engine, world["admin"]).id
    partner_b = council_factories.partner(engine, world, cycle_key="cycle_b")
    for organisation_id in (stranger, partner_b, 999_999):
        with pytest.raises(InvalidInput) as not_partner:
            council.update_work_item(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                     theme_id=themes["Groen"], organisation_id=organisation_id, next_action="",
                                     status="todo")
        assert not_partner.value.key == "council.not_a_partner"
    with pytest.raises(InvalidInput) as not_top:
        council.update_work_item(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                 theme_id=themes["Afval"], organisation_id=None, next_action="", status="todo")
    assert not_top.value.key == "council.theme_not_in_top"
    with pytest.raises(InvalidInput):
        council.update_work_item(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                 theme_id=themes["Groen"], organisation_id=None, next_action="x" * 301,
                                 status="todo")
    with pytest.raises(InvalidInput):
        council.update_work_item(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                 theme_id=themes["Groen"], organisation_id=None, next_action="", status="later")
    assert all(r.item_id is None for r in council.work_list(engine, actor=world["facilitator"],
                                                            cycle_id=world["cycle_a"].id).rows)


def test_first_saves_of_one_theme_at_once_make_one_work_item(engine, world):
    themes = council_factories.closed_vote(engine, world)
    barrier, ids, errors = threading.Barrier(4), [], []

    def save(n):
        try:
            barrier.wait()
            ids.append(council.update_work_item(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                                theme_id=themes["Groen"], organisation_id=None,
                                                next_action=f"stap {n}", status="doing"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(ids)) == 1


# --- audit and labels ----------------------------------------------------------------------------------


def test_every_council_change_is_in_the_audit_log_without_a_childs_name(engine, world, kids):
    themes = council_factories.closed_vote(engine, world)
    facilitator, cycle_id = world["facilitator"], world["cycle_a"].id
    [sanne] = _give(engine, world, kids["Sanne"])
    council.set_member_role(engine, actor=facilitator, member_id=sanne, role=CouncilRole.CHAIR)
    council.set_member_active(engine, actor=facilitator, member_id=sanne, active=False)
    council.record_consent(engine, actor=facilitator, candidate_id=kids["Sanne"], consent=Consent.REFUSED)
    council.save_installation(engine, actor=facilitator, cycle_id=cycle_id, alderman_name="Fatima Yilmaz")
    meeting_id = council.create_meeting(engine, actor=facilitator, cycle_id=cycle_id, held_on=date(2027, 1, 20))
    council.update_meeting(engine, actor=facilitator, meeting_id=meeting_id, held_on=date(2027, 1, 20),
                           agenda="Nieuw")
    council.set_attendance(engine, actor=facilitator, meeting_id=meeting_id, member_ids=[sanne])
    council.update_work_item(engine, actor=facilitator, cycle_id=cycle_id, theme_id=themes["Groen"],
                             organisation_id=None, next_action="Bellen", status="doing")
    council.delete_meeting(engine, actor=facilitator, meeting_id=meeting_id)
    entries = _actions(engine, world)
    assert [(a, s) for a, s, _ in entries] == [
        ("consent_recorded", "candidate"), ("member_added", "council_member"), ("role_changed", "council_member"),
        ("member_deactivated", "council_member"), ("consent_recorded", "candidate"),
        ("installation_saved", "installation"), ("meeting_created", "meeting"), ("meeting_updated", "meeting"),
        ("attendance_set", "meeting"), ("work_item_saved", "work_item"), ("meeting_deleted", "meeting"),
    ]
    assert entries[2][2] == {"role": "chair", "previous": "member"}
    assert entries[4][2] == {"consent": "refused", "previous": "given"}
    text = json.dumps([d for _, _, d in entries])
    assert not any(name in text for name in ("Sanne", "Daan", "Mo", "Bo"))
    rows = audit.audit_log(engine, actor=world["admin"], cycle_id=cycle_id)
    assert {row.actor for row in rows if row.subject != "poll"} == {"facilitator user"}


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_every_council_label_is_translated(language):
    keys = {f"council_role.{r.value}" for r in CouncilRole} | {f"consent.{c.value}" for c in Consent}
    keys |= {f"work_status.{s.value}" for s in WorkStatus} | {f"council.set_consent.{c.value}" for c in Consent}
    keys |= {f"field.{name}" for model in (council.InstallationInput, council.MeetingInput, council.WorkItemInput)
             for name in model.model_fields} | {"field.member_ids", "field.consent", "field.role"}
    assert sorted(keys - set(CATALOGUES[language])) == []


def test_when_the_member_exists_already_the_unique_candidate_id_decides_and_the_transaction_goes_on(engine, world,
                                                                                                    kids):
    """The fallback behind the candidate lock: an insert refused by the unique constraint rolls back
    only its savepoint."""
    from kinderwijkraad.db import write_session

    [member_id] = _give(engine, world, kids["Sanne"])
    with write_session(engine) as session:
        assert council._new_member(session, world["cycle_a"].id, kids["Sanne"]) is None
        assert council._new_member(session, world["cycle_a"].id, kids["Daan"]) is not None
    assert sorted(m.id for m in _council(engine, world).members)[0] == member_id
    assert len(_council(engine, world).members) == 2


# --- the page (AppTest, on the demo database) ----------------------------------------------------------

demo_database = test_pages.demo_database  # pytest finds fixtures by name in this module
database_url = test_pages.database_url


def _demo_sign_ups(database_url: str) -> tuple[int, dict[str, int]]:
    """Two sign-ups in the demo wijk's first class; the cycle id and the candidates' ids."""
    engine = db.make_engine(database_url)
    facilitator = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
    cycle = plans.managed_cycles(engine, actor=facilitator)[0]  # the one the page opens with
    with db.read_session(engine) as session:
        classroom_id = session.exec(select(Classroom.id).where(Classroom.cycle_id == cycle.id)
                                    .order_by(Classroom.id)).first()
    ids = {name: council_factories.candidate(engine, classroom_id, name) for name in ("Sanne", "Daan")}
    engine.dispose()
    return cycle.id, ids


def _open_tab(at, label_key: str) -> None:
    """Only the open tab of the page runs (ui.tabs.place_tabs)."""
    at.session_state["raad.tab"] = t(label_key)
    at.run()


def test_a_facilitator_forms_the_council_on_the_page(database_url):
    cycle_id, ids = _demo_sign_ups(database_url)
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.COUNCIL)).run()
    assert not at.exception
    assert at.title[0].value == t("page.council")
    assert [m.value for m in at.metric] == ["2", "0", "0"]

    at.segmented_control(key=f"raad.consent.{ids['Sanne']}.pending").set_value(Consent.GIVEN).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2", "1", "1"]
    assert any(s.value.startswith(t("council.consent_saved", name="Sanne", consent="")[:10]) for s in at.success)

    engine = db.make_engine(database_url)
    facilitator = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
    [member] = council.council_of_cycle(engine, actor=facilitator, cycle_id=cycle_id).members
    version = f"{member.id}.member.True"
    _open_tab(at, "council.tab.members")
    at.selectbox(key=f"raad.member_role.{version}").select(CouncilRole.CHAIR)
    submit(at, f"raad.member.{version}", t("council.save"))
    assert not at.exception
    assert t("council.member_saved", name="Sanne") in [s.value for s in at.success]
    assert council.council_of_cycle(engine, actor=facilitator, cycle_id=cycle_id).members[0].role == CouncilRole.CHAIR

    _open_tab(at, "council.tab.installation")
    next(x for x in at.text_input if x.label == t("field.alderman_name")).input("Fatima Yilmaz")
    next(x for x in at.text_area if x.label == t("field.programme")).input("14:00 Welkom\n14:30 Certificaten")
    submit(at, f"raad.installation.{cycle_id}", t("council.save_installation"))
    assert not at.exception
    assert t("council.installation_saved") in [s.value for s in at.success]
    assert council.installation(engine, actor=facilitator, cycle_id=cycle_id).alderman_name == "Fatima Yilmaz"

    _open_tab(at, "council.tab.meetings")
    at.text_area(key=f"raad.new_meeting.{cycle_id}.agenda").input("Kennismaken")
    next(x for x in at.multiselect if x.label == t("field.member_ids")).select(member.id)
    submit(at, f"raad.new_meeting.{cycle_id}", t("council.create_meeting"))
    assert not at.exception
    [meeting] = council.meetings(engine, actor=facilitator, cycle_id=cycle_id)
    assert (meeting.agenda, meeting.present_member_ids) == ("Kennismaken", {member.id})

    work = council.work_list(engine, actor=facilitator, cycle_id=cycle_id)
    first = work.rows[0]
    _open_tab(at, "council.tab.work")
    at.selectbox(key=f"raad.work_partner.{first.theme_id}.new").select(work.partners[0].organisation_id)
    at.text_input(key=f"raad.work_action.{first.theme_id}.new").input("Brief sturen")
    submit(at, f"raad.work.{cycle_id}.{first.theme_id}.new", t("council.save"))
    assert not at.exception
    saved = council.work_list(engine, actor=facilitator, cycle_id=cycle_id).rows[0]
    assert (saved.organisation_id, saved.next_action) == (work.partners[0].organisation_id, "Brief sturen")

    # The PDFs are made on a click, then offered for download.
    _open_tab(at, "council.tab.installation")
    assert not at.get("download_button")
    at.button(key="raad.make_certificates").click().run()
    assert not at.exception and not at.error
    assert [d.proto.label for d in at.get("download_button")] == [t("council.download_certificates")]
    engine.dispose()


def test_the_page_refuses_certificates_with_a_clear_message_while_there_are_no_members(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.COUNCIL)).run()
    _open_tab(at, "council.tab.installation")
    at.button(key="raad.make_certificates").click().run()
    assert not at.exception
    assert t("council.no_active_members") in [e.value for e in at.error]


def test_the_work_list_follows_the_proposals_of_a_theme(engine):
    """A theme whose proposal went to the gemeente 60 days ago is not "nog geen partner / Nog te
    doen": partner, status and next step come from the proposal; done when the partner carried it out."""
    from sqlalchemy import update

    from kinderwijkraad.db import write_session
    from kinderwijkraad.models import Decision, Recipient, RecipientStatus, WorkStatus
    from kinderwijkraad.services import proposals
    from tests import proposal_factories as pf

    world = pf.make_cycle_with_proposal(engine)

    def speeltuin():
        work = council.work_list(engine, actor=world.facilitator, cycle_id=world.cycle.id)
        return next(row for row in work.rows if row.theme == "Speeltuin")

    assert (speeltuin().status, speeltuin().proposals) == (WorkStatus.TODO, ())  # a concept has not gone out
    pf.send(engine, world, "gemeente")
    with write_session(engine) as session:
        session.execute(update(Recipient).where(Recipient.id == world.recipients["gemeente"])
                        .values(sent_at=pf.days_ago(60)))
    row = speeltuin()
    assert (row.status, row.organisation) == (WorkStatus.DOING, "Gemeente Rivierstad")
    assert row.organisation_id is not None
    assert row.next_action == ""  # what the council types; nothing derived is saved as if typed
    assert len(row.proposals) == 1 and "60" in row.proposals[0] and "Gemeente Rivierstad" in row.proposals[0]

    recipient_id = pf.answer(engine, world, "gemeente", Decision.ACCEPTED)
    assert speeltuin().status == WorkStatus.DOING  # a yes still has to be carried out
    proposals.move_recipient(engine, actor=world.facilitator, recipient_id=recipient_id, to=RecipientStatus.DONE)
    assert speeltuin().status == WorkStatus.DONE
    pf.answer(engine, world, "corporatie", Decision.REJECTED)  # a no settles it too
    assert speeltuin().status == WorkStatus.DONE
