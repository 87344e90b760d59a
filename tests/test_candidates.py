"""Signing up for the council in a sign_up step: the services on SQLite and PostgreSQL, and the
tablet and teacher pages."""

from __future__ import annotations

import threading

import pytest

from kinderwijkraad import db
from kinderwijkraad.errors import Conflict, InvalidInput, KwrError, NotAllowed, NotFound
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role, StepKind
from kinderwijkraad.services import accounts, candidates, lessons, templates
from kinderwijkraad.ui import navigation
from tests import factories, test_pages
from tests.test_pages import USERNAMES, app_as, page_path, shown_text, submit

LESSON_3 = 2
# The page tests' demo database, copied per test (pytest finds fixtures by name in this module).
demo_database = test_pages.demo_database
database_url = test_pages.database_url


@pytest.fixture
def world(engine) -> dict:
    return factories.world(engine)


def _start(engine, actor, classroom_id: int) -> int:
    return lessons.start_run(engine, actor=actor, classroom_id=classroom_id,
                             template_id=templates.latest_template(engine).id, lesson_index=LESSON_3)


def _sign_up_step(engine, run_id: int) -> int:
    steps = lessons.run_state(engine, run_id).lesson.steps
    return next(i for i, step in enumerate(steps) if step.kind == StepKind.SIGN_UP)


def _at_sign_up(engine, actor, classroom_id: int) -> int:
    """Les 3 open in the class, at its sign_up step."""
    run_id = _start(engine, actor, classroom_id)
    lessons.go_to_step(engine, actor=actor, run_id=run_id, step_index=_sign_up_step(engine, run_id))
    return run_id


def _join(engine, run_id: int, team: str = "De Vossen") -> str:
    token, _team_id = lessons.join_team(engine, run_id=run_id, team_name=team)
    return token


def _refused_key(call) -> str:
    with pytest.raises(KwrError) as refused:
        call()
    return refused.value.key


def test_a_child_signs_up_with_a_first_name_and_the_school_and_class_come_from_the_lesson(engine, world):
    run_id = _at_sign_up(engine, world["teacher"], world["class_a"].id)
    token = _join(engine, run_id)
    emma = candidates.sign_up(engine, token=token, first_name="  emma   b. ")
    assert (emma.first_name, emma.school, emma.class_name) == ("Emma B.", world["school_a"].name,
                                                               world["class_a"].name)
    for name in ("Anne-Sophie", "Mo’nique", "Zoë", "Çağla"):  # typographic apostrophe from a tablet keyboard
        candidates.sign_up(engine, token=token, first_name=name)
    names = [c.first_name for c in candidates.candidates_of_run(engine, actor=world["teacher"], run_id=run_id)]
    assert names == ["Emma B.", "Anne-Sophie", "Mo'nique", "Zoë", "Çağla"]


def test_signing_up_is_refused_in_another_step(engine, world):
    run_id = _start(engine, world["teacher"], world["class_a"].id)  # at step 1: presenting
    token = _join(engine, run_id)
    with pytest.raises(NotAllowed) as refused:
        candidates.sign_up(engine, token=token, first_name="Emma")
    assert refused.value.key == "signup.not_now"
    with pytest.raises(NotAllowed):
        candidates.sign_up(engine, token="never joined", first_name="Emma")
    assert candidates.candidates_of_run(engine, actor=world["teacher"], run_id=run_id) == []


def test_signing_up_is_refused_after_the_lesson_ended(engine, world):
    run_id = _at_sign_up(engine, world["teacher"], world["class_a"].id)
    token = _join(engine, run_id)
    emma = candidates.sign_up(engine, token=token, first_name="Emma")
    lessons.end_run(engine, actor=world["teacher"], run_id=run_id)
    assert _refused_key(lambda: candidates.sign_up(engine, token=token, first_name="Noor")) == "signup.lesson_over"
    assert _refused_key(lambda: candidates.withdraw(engine, token=token, candidate_id=emma.id)) == "signup.lesson_over"
    # The sign-ups made during the lesson stay for the council.
    assert [c.first_name for c in candidates.candidates_of_cycle(
        engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)] == ["Emma"]


def test_a_name_already_in_the_class_is_refused_in_any_capitals(engine, world):
    run_id = _at_sign_up(engine, world["teacher"], world["class_a"].id)
    token, other_tablet = _join(engine, run_id), _join(engine, run_id, "De Uilen")
    candidates.sign_up(engine, token=token, first_name="Emma")
    for typed in ("Emma", "emma", " EMMA "):
        with pytest.raises(Conflict) as duplicate:
            candidates.sign_up(engine, token=other_tablet, first_name=typed)
        assert duplicate.value.key == "signup.duplicate"
    assert duplicate.value.params == {"name": "EMMA"}
    candidates.sign_up(engine, token=other_tablet, first_name="Emma B.")  # what the message suggests
    # Another class has its own Emma.
    admin = world["admin"]
    other_class = factories.classroom(engine, admin, world["cycle_a"].id, world["school_a"].id)
    other_run = _at_sign_up(engine, admin, other_class.id)
    assert candidates.sign_up(engine, token=_join(engine, other_run), first_name="Emma").first_name == "Emma"


def test_two_tablets_typing_the_same_name_at_once_give_one_sign_up(engine, world):
    run_id = _at_sign_up(engine, world["teacher"], world["class_a"].id)
    tokens = [_join(engine, run_id, f"Groepje {i}") for i in range(4)]
    results: list[object] = []

    def sign_up(token: str, name: str) -> None:
        try:
            results.append(candidates.sign_up(engine, token=token, first_name=name))
        except Conflict as conflict:
            results.append(conflict)

    threads = [threading.Thread(target=sign_up, args=(token, name))
               for token, name in zip(tokens, ("Emma", "emma", "EMMA", "Emma"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(r).__name__ for r in results) == ["CandidateView", "Conflict", "Conflict", "Conflict"]
    assert len(candidates.candidates_of_run(engine, actor=world["teacher"], run_id=run_id)) == 1


@pytest.mark.parametrize(("typed", "key"), [
    ("emma@school.nl", "signup.only_first_name"),
    ("Emma2", "signup.only_first_name"),
    ("06 12345678", "signup.only_first_name"),
    ("Emma!", "signup.letters_only"),
    ("Emma_B", "signup.letters_only"),
    ("   ", "signup.name_required"),
    ("- . '", "signup.name_required"),
    ("A" * 41, "signup.name_too_long"),
])
def test_what_is_not_a_first_name_is_refused_with_a_message_a_child_can_act_on(engine, world, typed, key):
    run_id = _at_sign_up(engine, world["teacher"], world["class_a"].id)
    token = _join(engine, run_id)
    with pytest.raises(InvalidInput) as refused:
        candidates.sign_up(engine, token=token, first_name=typed)
    assert refused.value.key == key
    assert candidates.candidates_of_run(engine, actor=world["teacher"], run_id=run_id) == []


def test_a_tablet_takes_back_a_mistaken_sign_up_of_its_own_lesson_only(engine, world):
    teacher = world["teacher"]
    run_id = _at_sign_up(engine, teacher, world["class_a"].id)
    token = _join(engine, run_id)
    emma = candidates.sign_up(engine, token=token, first_name="Emma")
    noor = candidates.sign_up(engine, token=token, first_name="Noor")
    assert [c.first_name for c in candidates.tablet_sign_ups(engine, token=token, candidate_ids=[emma.id, noor.id])
            ] == ["Emma", "Noor"]
    # A tablet of another class's lesson neither sees nor removes them.
    admin = world["admin"]
    other_run = _at_sign_up(engine, admin, world["class_b"].id)
    stranger = _join(engine, other_run)
    assert candidates.tablet_sign_ups(engine, token=stranger, candidate_ids=[emma.id, noor.id]) == []
    with pytest.raises(NotFound):
        candidates.withdraw(engine, token=stranger, candidate_id=emma.id)

    candidates.withdraw(engine, token=token, candidate_id=noor.id)
    with pytest.raises(NotFound):
        candidates.withdraw(engine, token=token, candidate_id=noor.id)
    assert [c.first_name for c in candidates.candidates_of_run(engine, actor=teacher, run_id=run_id)] == ["Emma"]
    assert [c.id for c in candidates.tablet_sign_ups(engine, token=token, candidate_ids=[emma.id, noor.id])
            ] == [emma.id]
    # Once the class has moved on, only the teacher can still remove a name.
    lessons.go_to_step(engine, actor=teacher, run_id=run_id, step_index=0)
    assert _refused_key(lambda: candidates.withdraw(engine, token=token, candidate_id=emma.id)) == "signup.not_now"
    candidates.remove_candidate(engine, actor=teacher, run_id=run_id, candidate_id=emma.id)
    assert candidates.candidates_of_run(engine, actor=teacher, run_id=run_id) == []


def test_a_child_on_the_council_cannot_be_removed_from_the_list(engine, world):
    """Consent made Emma a member: her sign-up stays (meetings keep who was there)."""
    from kinderwijkraad.services import council

    teacher = world["teacher"]
    run_id = _at_sign_up(engine, teacher, world["class_a"].id)
    token = _join(engine, run_id)
    emma = candidates.sign_up(engine, token=token, first_name="Emma")
    council.record_consent(engine, actor=world["admin"], candidate_id=emma.id, consent="given")
    assert _refused_key(lambda: candidates.withdraw(engine, token=token, candidate_id=emma.id)) == "signup.is_member"
    assert _refused_key(lambda: candidates.remove_candidate(engine, actor=teacher, run_id=run_id,
                                                            candidate_id=emma.id)) == "signup.is_member"
    assert [c.first_name for c in candidates.candidates_of_run(engine, actor=teacher, run_id=run_id)] == ["Emma"]


def test_the_teacher_sees_the_class_list_and_a_teacher_of_another_class_is_refused(engine, world):
    teacher = world["teacher"]
    run_id = _at_sign_up(engine, teacher, world["class_a"].id)
    token = _join(engine, run_id)
    for name in ("Noor", "Emma", "Daan"):
        candidates.sign_up(engine, token=token, first_name=name)
    assert [c.first_name for c in candidates.candidates_of_run(engine, actor=teacher, run_id=run_id)
            ] == ["Noor", "Emma", "Daan"]  # in the order they signed up
    # The facilitator of the wijk may lead the lesson too.
    assert len(candidates.candidates_of_run(engine, actor=world["facilitator"], run_id=run_id)) == 3

    other_teacher = factories.user(engine, world["admin"], Role.TEACHER)
    with pytest.raises(NotAllowed):
        candidates.candidates_of_run(engine, actor=other_teacher, run_id=run_id)
    emma = candidates.candidates_of_run(engine, actor=teacher, run_id=run_id)[1]
    with pytest.raises(NotAllowed):
        candidates.remove_candidate(engine, actor=other_teacher, run_id=run_id, candidate_id=emma.id)
    # A teacher cannot reach another class's candidate through their own run either.
    other_run = _at_sign_up(engine, world["admin"], world["class_b"].id)
    other_child = candidates.sign_up(engine, token=_join(engine, other_run), first_name="Sem")
    with pytest.raises(NotFound):
        candidates.remove_candidate(engine, actor=teacher, run_id=run_id, candidate_id=other_child.id)
    with pytest.raises(NotFound):
        candidates.candidates_of_run(engine, actor=teacher, run_id=999_999)


def test_the_facilitator_sees_every_class_of_the_cycle_with_school_and_class(engine, world):
    admin, facilitator = world["admin"], world["facilitator"]
    second_school = factories.school(engine, admin, world["wijk_a"].id, "AAA Basisschool")
    second_class = factories.classroom(engine, admin, world["cycle_a"].id, second_school.id, "Groep 8")
    first = _join(engine, _at_sign_up(engine, admin, world["class_a"].id))
    second = _join(engine, _at_sign_up(engine, admin, second_class.id))
    candidates.sign_up(engine, token=first, first_name="Noor")
    candidates.sign_up(engine, token=second, first_name="Sem")
    candidates.sign_up(engine, token=second, first_name="Emma")
    candidates.sign_up(engine, token=_join(engine, _at_sign_up(engine, admin, world["class_b"].id)),
                       first_name="Daan")  # another wijk

    rows = candidates.candidates_of_cycle(engine, actor=facilitator, cycle_id=world["cycle_a"].id)
    assert [(c.school, c.class_name, c.first_name) for c in rows] == [
        ("AAA Basisschool", "Groep 8", "Emma"), ("AAA Basisschool", "Groep 8", "Sem"),
        (world["school_a"].name, world["class_a"].name, "Noor"),
    ]
    assert len(candidates.candidates_of_cycle(engine, actor=admin, cycle_id=world["cycle_b"].id)) == 1
    with pytest.raises(NotAllowed):
        candidates.candidates_of_cycle(engine, actor=facilitator, cycle_id=world["cycle_b"].id)
    with pytest.raises(NotAllowed):
        candidates.candidates_of_cycle(engine, actor=world["teacher"], cycle_id=world["cycle_a"].id)
    with pytest.raises(NotFound):
        candidates.candidates_of_cycle(engine, actor=admin, cycle_id=999_999)


# --- the pages -------------------------------------------------------------------------------


def _open_sign_up_step(database_url: str) -> str:
    """Les 3 open in the demo teacher's class, at the sign_up step; its join code."""
    engine = db.make_engine(database_url)
    teacher = accounts.session_actor(engine, username=USERNAMES[Role.TEACHER])
    run_id = _at_sign_up(engine, teacher, min(teacher.classroom_ids))
    code = lessons.run_state(engine, run_id).join_code
    engine.dispose()
    return code


def test_children_sign_up_one_after_another_on_a_tablet_and_the_board_shows_their_names(database_url):
    code = _open_sign_up_step(database_url)
    at = app_as(None)
    at.switch_page(page_path(navigation.JOIN)).run()
    at.text_input(key="join.code_input").input(code)
    submit(at, "join.code_form", t("join.next"))
    at.text_input(key="join.new_team_input").input("De Vossen")
    submit(at, "join.new_team_form", t("join.join"))
    assert at.title[0].value == "Aanmelden voor de raad"
    assert t("signup.for_class", classroom="OBS De Regenboog — Groep 6") in [i.value for i in at.info]

    for typed in ("emma", "Noor"):
        at.text_input(key="signup.first_name").input(typed)
        submit(at, "signup.form", t("signup.send"))
        assert not at.exception
        assert at.text_input(key="signup.first_name").value == ""  # ready for the next child
    assert {"### Emma", "### Noor"} <= {m.value for m in at.markdown}

    at.text_input(key="signup.first_name").input("Emma")
    submit(at, "signup.form", t("signup.send"))
    assert [e.value for e in at.error] == [t("signup.duplicate", name="Emma")]
    assert at.text_input(key="signup.first_name").value == "Emma"  # left to add a letter to

    withdraw_buttons = [b for b in at.button if (b.key or "").startswith("signup.withdraw.")]
    assert len(withdraw_buttons) == 2
    withdraw_buttons[1].click().run()  # Noor's: listed in the order they signed up
    assert not at.exception
    assert "### Noor" not in {m.value for m in at.markdown}

    teacher = app_as(Role.TEACHER).run()
    teacher.switch_page(page_path(navigation.LESSON)).run()
    assert not teacher.exception
    assert t("signup.count", count=1) in [s.value for s in teacher.subheader]
    assert "### Emma" in {m.value for m in teacher.markdown}
    assert "Noor" not in shown_text(teacher)
