"""Wijken, cycles, schools, classes and partners through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import Classroom, Neighbourhood, OrganisationKind, Phase, Role
from kinderwijkraad.services import neighbourhoods
from tests import factories


def test_a_facilitator_who_creates_a_wijk_manages_it(engine):
    boss = factories.admin(engine)
    facilitator = factories.user(engine, boss, Role.FACILITATOR)
    wijk = neighbourhoods.create_neighbourhood(engine, actor=facilitator, name="  De Bloemenwijk ",
                                               municipality="Rivierstad")
    assert wijk.name == "De Bloemenwijk"
    from kinderwijkraad.services.accounts import session_actor

    refreshed = session_actor(engine, username=facilitator.username)
    assert [w.name for w in neighbourhoods.list_neighbourhoods(engine, actor=refreshed)] == ["De Bloemenwijk"]


def test_a_facilitator_sees_only_their_own_wijken(engine):
    world = factories.world(engine)
    names = [w.name for w in neighbourhoods.list_neighbourhoods(engine, actor=world["facilitator"])]
    assert names == ["Wijk A"]
    assert len(neighbourhoods.list_neighbourhoods(engine, actor=world["admin"])) == 2


def test_another_wijks_overview_is_refused_to_a_facilitator(engine):
    world = factories.world(engine)
    with pytest.raises(NotAllowed):
        neighbourhoods.neighbourhood_overview(engine, actor=world["facilitator"], neighbourhood_id=world["wijk_b"].id)


def test_another_wijks_class_cannot_be_edited_by_a_facilitator(engine):
    world = factories.world(engine)
    with pytest.raises(NotAllowed):
        neighbourhoods.update_classroom(engine, actor=world["facilitator"], classroom_id=world["class_b"].id,
                                        name="Gekaapt", grade=8, pupil_count=20, teacher_ids=[])


@pytest.mark.parametrize("role", [Role.TEACHER, Role.OFFICIAL])
def test_teachers_and_officials_cannot_manage_wijken(engine, role):
    boss = factories.admin(engine)
    scope = {"organisation_id": factories.organisation(engine, boss).id} if role == Role.OFFICIAL else {}
    someone = factories.user(engine, boss, role, **scope)
    with pytest.raises(NotAllowed):
        neighbourhoods.list_neighbourhoods(engine, actor=someone)
    with pytest.raises(NotAllowed):
        neighbourhoods.create_neighbourhood(engine, actor=someone, name="Stiekem", municipality="Rivierstad")


def test_a_duplicate_wijk_name_in_one_municipality_is_a_conflict_and_stores_nothing(engine):
    boss = factories.admin(engine)
    neighbourhoods.create_neighbourhood(engine, actor=boss, name="Oost", municipality="Rivierstad")
    with pytest.raises(Conflict) as refused:
        neighbourhoods.create_neighbourhood(engine, actor=boss, name="Oost", municipality="Rivierstad")
    assert refused.value.key == "error.duplicate.neighbourhood"
    neighbourhoods.create_neighbourhood(engine, actor=boss, name="Oost", municipality="Zeestad")
    with Session(engine) as session:
        assert len(session.exec(select(Neighbourhood)).all()) == 2


@pytest.mark.parametrize(
    ("name", "key"),
    [("", "validation.required"), ("   ", "validation.required"), ("x", "validation.too_short"),
     ("x" * 81, "validation.too_long_by")],
)
def test_a_wijk_name_is_validated_with_a_key_naming_the_field(engine, name, key):
    boss = factories.admin(engine)
    with pytest.raises(InvalidInput) as refused:
        neighbourhoods.create_neighbourhood(engine, actor=boss, name=name, municipality="Rivierstad")
    assert refused.value.key == key
    assert refused.value.params["field"] == "name"


@pytest.mark.parametrize("school_year", ["2026", "2026-2028", "26-27", "2027-2026"])
def test_a_school_year_must_be_two_consecutive_years(engine, school_year):
    boss = factories.admin(engine)
    wijk = factories.wijk(engine, boss)
    with pytest.raises(InvalidInput) as refused:
        neighbourhoods.create_cycle(engine, actor=boss, neighbourhood_id=wijk.id, school_year=school_year)
    assert refused.value.key == "validation.pattern.school_year"


def test_a_wijk_has_one_cycle_per_school_year(engine):
    boss = factories.admin(engine)
    wijk = factories.wijk(engine, boss)
    factories.cycle(engine, boss, wijk.id, "2026-2027")
    with pytest.raises(Conflict):
        factories.cycle(engine, boss, wijk.id, "2026-2027")
    factories.cycle(engine, boss, wijk.id, "2027-2028")


def test_a_class_must_belong_to_a_school_in_the_cycles_wijk(engine):
    world = factories.world(engine)
    with pytest.raises(InvalidInput) as refused:
        factories.classroom(engine, world["admin"], world["cycle_a"].id, world["school_b"].id)
    assert refused.value.key == "error.classroom_school_outside_wijk"


@pytest.mark.parametrize(("grade", "pupils"), [(4, 20), (9, 20), (6, 0), (6, 41)])
def test_a_class_is_groep_5_to_8_with_1_to_40_pupils(engine, grade, pupils):
    world = factories.world(engine)
    with pytest.raises(InvalidInput) as refused:
        factories.classroom(engine, world["admin"], world["cycle_a"].id, world["school_a"].id,
                            grade=grade, pupil_count=pupils)
    assert refused.value.key == "validation.out_of_range"


def test_only_teacher_accounts_can_teach_a_class_and_nothing_is_half_stored(engine):
    world = factories.world(engine)
    with pytest.raises(InvalidInput):
        factories.classroom(engine, world["admin"], world["cycle_a"].id, world["school_a"].id, name="Groep 8b",
                            teacher_ids=[world["facilitator"].user_id])
    with Session(engine) as session:
        assert session.exec(select(Classroom).where(Classroom.name == "Groep 8b")).first() is None


def test_editing_a_class_replaces_its_teachers(engine):
    world = factories.world(engine)
    second = factories.user(engine, world["admin"], Role.TEACHER)
    neighbourhoods.update_classroom(engine, actor=world["facilitator"], classroom_id=world["class_a"].id,
                                    name="Groep 7a", grade=7, pupil_count=24, teacher_ids=[second.user_id])
    overview = neighbourhoods.neighbourhood_overview(engine, actor=world["facilitator"],
                                                     neighbourhood_id=world["wijk_a"].id)
    [row] = overview.classrooms
    assert (row.name, row.pupil_count, row.teacher_ids) == ("Groep 7a", 24, (second.user_id,))


def test_the_phase_moves_forward_once_even_when_two_people_click_at_once(engine):
    world = factories.world(engine)
    cycle_id = world["cycle_a"].id
    results: list[object] = []

    def click() -> None:
        try:
            results.append(neighbourhoods.advance_cycle_phase(engine, actor=world["facilitator"], cycle_id=cycle_id,
                                                              from_phase=Phase.PREPARATION))
        except Conflict as conflict:
            results.append(conflict)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Phase"]
    overview = neighbourhoods.neighbourhood_overview(engine, actor=world["admin"], neighbourhood_id=world["wijk_a"].id)
    assert overview.cycles[0].phase == Phase.LESSONS


def test_a_closed_cycle_has_no_next_phase(engine):
    world = factories.world(engine)
    phase = Phase.PREPARATION
    while phase.next() is not None:
        phase = neighbourhoods.advance_cycle_phase(engine, actor=world["admin"], cycle_id=world["cycle_a"].id,
                                                   from_phase=phase)
    assert phase == Phase.CLOSED
    with pytest.raises(InvalidInput):
        neighbourhoods.advance_cycle_phase(engine, actor=world["admin"], cycle_id=world["cycle_a"].id, from_phase=phase)


def test_partners_and_their_promises_belong_to_a_cycle_once(engine):
    world = factories.world(engine)
    gemeente = factories.organisation(engine, world["admin"])
    corporatie = factories.organisation(engine, world["admin"], OrganisationKind.HOUSING)
    neighbourhoods.add_partner(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                               organisation_id=gemeente.id, listener="Wethouder", reply_by_days=30, budget_eur=2500)
    neighbourhoods.add_partner(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                               organisation_id=corporatie.id)
    with pytest.raises(Conflict):
        neighbourhoods.add_partner(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                   organisation_id=gemeente.id)
    overview = neighbourhoods.neighbourhood_overview(engine, actor=world["facilitator"],
                                                     neighbourhood_id=world["wijk_a"].id)
    promises = {p.organisation_name: (p.listener, p.reply_by_days, p.budget_eur) for p in overview.partners}
    assert promises[gemeente.name] == ("Wethouder", 30, 2500)
    assert promises[corporatie.name] == ("", 42, None)


def test_a_contact_person_belongs_to_an_organisation_and_works_in_one_wijk(engine):
    """One gemeente serves two wijken; its people are seen only in the wijk they work in."""
    world = factories.world(engine)
    boss, gemeente = world["admin"], factories.organisation(engine, world["admin"])
    wijk_a, wijk_b = world["wijk_a"].id, world["wijk_b"].id
    neighbourhoods.add_contact(engine, actor=boss, organisation_id=gemeente.id, neighbourhood_id=wijk_a,
                               name="Sanne de Wit", email="s@example.org")
    assert [c.name for c in neighbourhoods.list_contacts(engine, actor=boss, organisation_id=gemeente.id,
                                                         neighbourhood_id=wijk_a)] == ["Sanne de Wit"]
    assert neighbourhoods.list_contacts(engine, actor=boss, organisation_id=gemeente.id, neighbourhood_id=wijk_b) == []
    # The facilitator of wijk A cannot list or add people in wijk B.
    for refused in (lambda: neighbourhoods.list_contacts(engine, actor=world["facilitator"],
                                                         organisation_id=gemeente.id, neighbourhood_id=wijk_b),
                    lambda: neighbourhoods.add_contact(engine, actor=world["facilitator"], organisation_id=gemeente.id,
                                                       neighbourhood_id=wijk_b, name="Iemand")):
        with pytest.raises(NotAllowed):
            refused()
    with pytest.raises(NotFound):
        neighbourhoods.add_contact(engine, actor=boss, organisation_id=9999, neighbourhood_id=wijk_a, name="Niemand")
    theirs = neighbourhoods.add_contact(engine, actor=boss, organisation_id=gemeente.id, neighbourhood_id=wijk_b,
                                        name="Bram Bakker")
    with pytest.raises(NotAllowed):  # nor archive them by id
        neighbourhoods.archive_contact(engine, actor=world["facilitator"], contact_id=theirs.id)


def test_a_facilitator_sees_the_teachers_of_their_wijk_and_new_ones_not_another_wijks(engine):
    world = factories.world(engine)
    elsewhere = factories.user(engine, world["admin"], Role.TEACHER)
    other_class = factories.classroom(engine, world["admin"], world["cycle_b"].id,
                                      factories.school(engine, world["admin"], world["wijk_b"].id).id)
    neighbourhoods.update_classroom(engine, actor=world["admin"], classroom_id=other_class.id, name=other_class.name,
                                    grade=other_class.grade, pupil_count=other_class.pupil_count,
                                    teacher_ids=[elsewhere.user_id])
    newcomer = factories.user(engine, world["admin"], Role.TEACHER)
    seen = {u.id for u in neighbourhoods.neighbourhood_overview(engine, actor=world["facilitator"],
                                                                neighbourhood_id=world["wijk_a"].id).teachers}
    assert world["teacher"].user_id in seen and newcomer.user_id in seen and elsewhere.user_id not in seen
    everyone = {u.id for u in neighbourhoods.neighbourhood_overview(engine, actor=world["admin"],
                                                                    neighbourhood_id=world["wijk_a"].id).teachers}
    assert elsewhere.user_id in everyone


def test_archived_things_leave_the_lists_but_stay_in_the_database(engine):
    world = factories.world(engine)
    boss = world["admin"]
    neighbourhoods.archive_classroom(engine, actor=boss, classroom_id=world["class_a"].id)
    neighbourhoods.archive_school(engine, actor=boss, school_id=world["school_b"].id)
    neighbourhoods.archive_neighbourhood(engine, actor=boss, neighbourhood_id=world["wijk_b"].id)
    assert [w.name for w in neighbourhoods.list_neighbourhoods(engine, actor=boss)] == ["Wijk A"]
    assert neighbourhoods.neighbourhood_overview(engine, actor=boss,
                                                 neighbourhood_id=world["wijk_a"].id).classrooms == []
    with pytest.raises(NotFound):
        neighbourhoods.neighbourhood_overview(engine, actor=boss, neighbourhood_id=world["wijk_b"].id)
    with Session(engine) as session:
        assert len(session.exec(select(Classroom)).all()) == 2


def test_only_admins_archive_a_wijk(engine):
    world = factories.world(engine)
    with pytest.raises(NotAllowed):
        neighbourhoods.archive_neighbourhood(engine, actor=world["facilitator"], neighbourhood_id=world["wijk_a"].id)


def test_an_organisation_can_be_renamed_and_archived_by_an_admin(engine):
    world = factories.world(engine)
    gemeente = factories.organisation(engine, world["admin"])
    neighbourhoods.update_organisation(engine, actor=world["facilitator"], organisation_id=gemeente.id,
                                       name="Gemeente Rivierstad", kind=OrganisationKind.MUNICIPALITY)
    with pytest.raises(NotAllowed):
        neighbourhoods.archive_organisation(engine, actor=world["facilitator"], organisation_id=gemeente.id)
    neighbourhoods.archive_organisation(engine, actor=world["admin"], organisation_id=gemeente.id)
    assert neighbourhoods.list_organisations(engine, actor=world["admin"]) == []


def test_a_school_can_be_renamed_but_not_to_a_name_the_wijk_already_has(engine):
    world = factories.world(engine)
    other = factories.school(engine, world["admin"], world["wijk_a"].id, "OBS Het Anker")
    neighbourhoods.rename_school(engine, actor=world["facilitator"], school_id=other.id, name="OBS De Kompas")
    with pytest.raises(Conflict):
        neighbourhoods.rename_school(engine, actor=world["facilitator"], school_id=other.id,
                                     name=world["school_a"].name)


def test_start_proposes_the_phase_the_work_has_reached_and_moves_only_forward(engine):
    """A vote held and a proposal sent while the phase still says Lessen: Start proposes moving on
    (one click, to where the work is), never silently and never backwards."""
    from kinderwijkraad.errors import InvalidInput
    from kinderwijkraad.models import Phase
    from kinderwijkraad.services import home
    from tests import proposal_factories as pf

    world = pf.make_cycle_with_proposal(engine)

    def status():
        return next(s for s in home.home_overview(engine, actor=world.facilitator).cycles
                    if s.cycle_id == world.cycle.id)

    assert status().phase in (Phase.PREPARATION, Phase.LESSONS)
    assert status().work_reached == Phase.VOTING  # lessons given and a vote held, nothing sent yet
    pf.send(engine, world, "gemeente")
    assert status().work_reached == Phase.IMPLEMENTATION
    assert status().phase in (Phase.PREPARATION, Phase.LESSONS)  # nothing moved by itself
    neighbourhoods.advance_cycle_phase(engine, actor=world.facilitator, cycle_id=world.cycle.id,
                                       from_phase=status().phase, to_phase=Phase.IMPLEMENTATION)
    assert (status().phase, status().work_reached) == (Phase.IMPLEMENTATION, None)
    with pytest.raises(InvalidInput) as backwards:
        neighbourhoods.advance_cycle_phase(engine, actor=world.facilitator, cycle_id=world.cycle.id,
                                           from_phase=Phase.IMPLEMENTATION, to_phase=Phase.VOTING)
    assert backwards.value.key == "error.phase_not_forward"
    with pytest.raises(InvalidInput):  # closing a year is a decision of its own, never a jump
        neighbourhoods.advance_cycle_phase(engine, actor=world.facilitator, cycle_id=world.cycle.id,
                                           from_phase=Phase.IMPLEMENTATION, to_phase=Phase.CLOSED)


def test_the_phase_of_the_work_is_the_furthest_begun():
    from kinderwijkraad.models import Phase
    from kinderwijkraad.services.home import phase_of_work

    assert phase_of_work({}) is None
    assert phase_of_work({Phase.LESSONS: True, Phase.VOTING: False}) == Phase.LESSONS
    assert phase_of_work({Phase.LESSONS: True, Phase.COUNCIL: True, Phase.FEEDBACK: False}) == Phase.COUNCIL
