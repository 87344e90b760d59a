"""Lesson runs, join codes, teams, tablets, brainstorm notes, plans and themes, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound, TooManyAttempts
from kinderwijkraad.models import Device, LessonRun, Plan, PlanStatus, Role, StepKind
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import lessons, plans, templates
from tests import factories

LESSON_2 = 1


@pytest.fixture
def world(engine) -> dict:
    return factories.world(engine)


def _start(engine, world, lesson_index: int = LESSON_2) -> int:
    template = templates.latest_template(engine)
    return lessons.start_run(engine, actor=world["teacher"], classroom_id=world["class_a"].id,
                             template_id=template.id, lesson_index=lesson_index)


def _join(engine, run_id: int, team: str = "De Vossen") -> str:
    code = lessons.run_state(engine, run_id).join_code
    found = lessons.find_run_by_code(engine, code=code.lower()[:3] + " " + code.lower()[3:], client="tablet")
    token, _team_id = lessons.join_team(engine, run_id=found, team_name=team)
    return token


def _step_of_kind(state: lessons.RunState, kind: StepKind) -> int:
    return next(i for i, step in enumerate(state.lesson.steps) if step.kind == kind)


def test_a_join_code_has_six_characters_without_look_alikes():
    for _ in range(200):
        code = lessons.new_join_code()
        assert len(code) == 6 and not set(code) & set("0O1IL")


def test_a_teacher_runs_a_lesson_in_their_own_class_only(engine, world):
    run_id = _start(engine, world)
    state = lessons.teacher_run_state(engine, actor=world["teacher"], run_id=run_id)
    assert state.step_index == 0 and state.code_valid()
    with pytest.raises(NotAllowed):
        lessons.start_run(engine, actor=world["teacher"], classroom_id=world["class_b"].id,
                          template_id=state.template_id, lesson_index=0)
    other_teacher = factories.user(engine, world["admin"], Role.TEACHER)
    with pytest.raises(NotAllowed):
        lessons.go_to_step(engine, actor=other_teacher, run_id=run_id, step_index=1)
    # The facilitator of the wijk may run it too (a guest lesson).
    lessons.go_to_step(engine, actor=world["facilitator"], run_id=run_id, step_index=1)
    assert lessons.run_state(engine, run_id).step_index == 1


def test_the_step_and_timer_live_in_the_database(engine, world):
    run_id = _start(engine, world)
    teacher = world["teacher"]
    lessons.go_to_step(engine, actor=teacher, run_id=run_id, step_index=2)
    lessons.start_timer(engine, actor=teacher, run_id=run_id)
    state = lessons.run_state(engine, run_id)
    assert state.timer_running and state.step_index == 2
    later = state.timer_started_at + timedelta(seconds=90)
    assert state.seconds_left(later) == state.step.minutes * 60 - 90
    lessons.pause_timer(engine, actor=teacher, run_id=run_id)
    assert not lessons.run_state(engine, run_id).timer_running
    with pytest.raises(InvalidInput):
        lessons.go_to_step(engine, actor=teacher, run_id=run_id, step_index=99)
    lessons.go_to_step(engine, actor=teacher, run_id=run_id, step_index=0)
    assert lessons.run_state(engine, run_id).timer_elapsed_seconds == 0


def test_starting_again_ends_the_open_lesson_and_its_code(engine, world):
    first = _start(engine, world)
    code = lessons.run_state(engine, first).join_code
    second = _start(engine, world)
    assert lessons.run_state(engine, first).ended
    with pytest.raises(NotFound):
        lessons.find_run_by_code(engine, code=code, client="tablet")
    assert lessons.find_run_by_code(engine, code=lessons.run_state(engine, second).join_code, client="t") == second
    choices = lessons.teachable_classrooms(engine, actor=world["teacher"])
    assert [(c.id, c.open_run_id) for c in choices] == [(world["class_a"].id, second)]


def test_an_expired_or_ended_code_no_longer_joins(engine, world):
    run_id = _start(engine, world)
    code = lessons.run_state(engine, run_id).join_code
    with write_session(engine) as session:
        session.get(LessonRun, run_id).code_expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(NotFound):
        lessons.find_run_by_code(engine, code=code, client="a")
    with pytest.raises(NotFound):
        lessons.join_team(engine, run_id=run_id, team_name="Te laat")


def test_guessing_codes_is_throttled_per_client(engine, world):
    run_id = _start(engine, world)
    for _ in range(lessons.FREE_JOIN_FAILURES):
        with pytest.raises(NotFound):
            lessons.find_run_by_code(engine, code="ZZZZZZ", client="guesser")
    # Now even the right code waits: the guesser cannot tell a hit from a miss.
    with pytest.raises(TooManyAttempts):
        lessons.find_run_by_code(engine, code=lessons.run_state(engine, run_id).join_code, client="guesser")
    # Another tablet is not affected.
    assert lessons.find_run_by_code(engine, code=lessons.run_state(engine, run_id).join_code, client="ok") == run_id


def test_tablets_join_teams_by_name_and_keep_only_a_token(engine, world):
    run_id = _start(engine, world)
    lessons.add_teams(engine, actor=world["teacher"], run_id=run_id, names=["De Vossen", "De Uilen", " ", "De Uilen"])
    token_a = _join(engine, run_id, "De Vossen")
    token_b = _join(engine, run_id, "De Vossen")
    token_c = _join(engine, run_id, "De Mussen")  # a new name makes a new team
    assert lessons.device_context(engine, token_a).team_id == lessons.device_context(engine, token_b).team_id
    assert lessons.device_context(engine, token_c).team_name == "De Mussen"
    assert [(t.name, t.devices) for t in lessons.teams(engine, run_id)] == [
        ("De Mussen", 1), ("De Uilen", 0), ("De Vossen", 2)]
    assert lessons.device_context(engine, "not a token") is None
    with read_session(engine) as session:
        stored = session.exec(select(Device.token_hash)).all()
    assert token_a not in stored and len(stored) == 3


def test_brainstorm_notes_only_during_a_brainstorm_step(engine, world):
    run_id = _start(engine, world)
    token = _join(engine, run_id)
    with pytest.raises(InvalidInput):
        lessons.add_note(engine, token=token, mood="happy", text="Het park")
    state = lessons.run_state(engine, run_id)
    lessons.go_to_step(engine, actor=world["teacher"], run_id=run_id,
                       step_index=_step_of_kind(state, StepKind.BRAINSTORM))
    lessons.add_note(engine, token=token, mood="happy", text="  Het   park ")
    lessons.add_note(engine, token=token, mood="unhappy", text="<script>alert(1)</script>")
    with pytest.raises(InvalidInput):
        lessons.add_note(engine, token=token, mood="happy", text="   ")
    with pytest.raises(InvalidInput):
        lessons.add_note(engine, token=token, mood="happy", text="x" * 201)
    with pytest.raises(NotAllowed):
        lessons.add_note(engine, token="nobody", mood="happy", text="hoi")
    notes = lessons.notes(engine, run_id)
    assert [(n.mood.value, n.text) for n in notes] == [("happy", "Het park"), ("unhappy", "<script>alert(1)</script>")]
    lessons.delete_note(engine, actor=world["teacher"], note_id=notes[1].id)
    assert len(lessons.notes(engine, run_id)) == 1


def test_a_team_plan_is_autosaved_field_by_field_and_locked_once_approved(engine, world):
    run_id = _start(engine, world)
    token = _join(engine, run_id)
    other_tablet = _join(engine, run_id)
    assert plans.team_plan(engine, token=token).id is None
    plans.save_field(engine, token=token, name="title", value=" Een zebrapad ")
    # The other tablet of the team saves another field: both stay.
    saved = plans.save_field(engine, token=other_tablet, name="problem", value="Auto's rijden hard")
    assert saved.answers == {"title": "Een zebrapad", "problem": "Auto's rijden hard"}
    assert plans.team_plan(engine, token=token).answers == saved.answers
    with pytest.raises(InvalidInput):
        plans.save_field(engine, token=token, name="title", value="x" * 81)
    with pytest.raises(InvalidInput):
        plans.save_field(engine, token=token, name="cost", value="Een miljoen")
    with pytest.raises(InvalidInput):
        plans.save_field(engine, token=token, name="photo", value="x.jpg")

    teacher = world["teacher"]
    seen = plans.team_plan(engine, token=token)
    with pytest.raises(InvalidInput) as incomplete:
        plans.approve_plan(engine, actor=teacher, plan_id=seen.id, seen_revision=seen.revision)
    assert incomplete.value.key == "plan.required_missing"
    plans.correct_plan(engine, actor=teacher, plan_id=seen.id, seen_revision=seen.revision,
                       answers={"idea": "Een zebrapad bij school"})
    corrected = plans.team_plan(engine, token=token)
    assert corrected.answers["problem"] == "Auto's rijden hard"  # untouched fields keep the team's text
    plans.approve_plan(engine, actor=teacher, plan_id=seen.id, seen_revision=corrected.revision)
    with pytest.raises(Conflict):
        plans.save_field(engine, token=token, name="title", value="Toch iets anders")
    assert plans.team_plan(engine, token=token).answers["idea"] == "Een zebrapad bij school"
    plans.reopen_plan(engine, actor=teacher, plan_id=seen.id)
    plans.save_field(engine, token=token, name="title", value="Toch iets anders")
    rows = plans.class_plans(engine, actor=teacher, run_id=run_id)
    assert [(r.team_name, r.title, r.status) for r in rows] == [("De Vossen", "Toch iets anders", PlanStatus.DRAFT)]


def test_the_teacher_approves_only_the_revision_they_read(engine, world):
    run_id = _start(engine, world)
    token = _join(engine, run_id)
    plans.save_answers(engine, token=token, answers={"title": "Speeltuin", "problem": "kapot", "idea": "maken"})
    seen = plans.team_plan(engine, token=token)
    plans.save_field(engine, token=token, name="idea", value="iets anders")  # after the teacher looked
    with pytest.raises(Conflict) as stale:
        plans.approve_plan(engine, actor=world["teacher"], plan_id=seen.id, seen_revision=seen.revision)
    assert stale.value.key == "plan.changed_meanwhile"
    with pytest.raises(Conflict):
        plans.correct_plan(engine, actor=world["teacher"], plan_id=seen.id, seen_revision=seen.revision,
                           answers={"title": "Speeltuin!"})
    assert plans.team_plan(engine, token=token).status == PlanStatus.DRAFT


def test_a_token_cannot_change_the_plan_after_the_lesson_ended(engine, world, tmp_path):
    run_id = _start(engine, world)
    token = _join(engine, run_id)
    plans.save_field(engine, token=token, name="title", value="Speeltuin")
    lessons.end_run(engine, actor=world["teacher"], run_id=run_id)
    with pytest.raises(Conflict) as over:
        plans.save_field(engine, token=token, name="title", value="weken later")
    assert over.value.key == "plan.lesson_over"
    with pytest.raises(Conflict):
        plans.save_photo(engine, token=token, data=_jpeg(), directory=tmp_path / "photos")
    assert list((tmp_path / "photos").iterdir()) == []  # the refused photo's file is gone again
    assert plans.team_plan(engine, token=token).title == "Speeltuin"


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_a_new_photo_replaces_the_old_file_and_the_teacher_can_remove_it(engine, world, tmp_path):
    tmp_path = tmp_path / "photos"
    run_id = _start(engine, world)
    token = _join(engine, run_id)
    first = plans.save_photo(engine, token=token, data=_jpeg(), directory=tmp_path)
    second = plans.save_photo(engine, token=token, data=_jpeg(), directory=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [second.photo_name] != [first.photo_name]
    plans.remove_photo(engine, actor=world["teacher"], plan_id=second.id, directory=tmp_path)
    assert plans.team_plan(engine, token=token).photo_name is None
    assert list(tmp_path.iterdir()) == []


def test_the_database_allows_one_open_lesson_per_class(engine, world):
    run_id = _start(engine, world)
    with write_session(engine) as session:
        run = session.get(LessonRun, run_id)
        twin = LessonRun(classroom_id=run.classroom_id, template_id=run.template_id, lesson_index=0,
                         join_code="ABCDEF", code_expires_at=run.code_expires_at, started_by=run.started_by)
    with pytest.raises(IntegrityError), write_session(engine) as session:
        session.add(twin)


def _cycle_with_plans(engine, world, texts: dict[str, str]) -> dict[str, int]:
    run_id = _start(engine, world)
    ids = {}
    for team, title in texts.items():
        token = _join(engine, run_id, team)
        ids[team] = plans.save_answers(engine, token=token, answers={"title": title, "problem": title}).id
    return ids


def test_merging_themes_keeps_every_plan_exactly_once(engine, world):
    ids = _cycle_with_plans(engine, world, {"A": "Speeltuin", "B": "Speeltuin kapot", "C": "Zebrapad", "D": "Afval"})
    facilitator, cycle_id = world["facilitator"], world["cycle_a"].id
    play = plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name="Spelen")
    play_2 = plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name="Speeltuinen")
    assert plans.move_plans(engine, actor=facilitator, cycle_id=cycle_id, plan_ids=[ids["A"]], theme_id=play) == 1
    plans.move_plans(engine, actor=facilitator, cycle_id=cycle_id, plan_ids=[ids["B"]], theme_id=play_2)
    plans.merge_themes(engine, actor=facilitator, source_id=play_2, target_id=play)
    rows = plans.themes(engine, actor=facilitator, cycle_id=cycle_id)
    assert [(r.name, r.plan_count) for r in rows] == [("Spelen", 2)]
    all_plans = plans.cycle_plans(engine, actor=facilitator, cycle_id=cycle_id)
    assert sorted(p.id for p in all_plans) == sorted(ids.values())
    plans.rename_theme(engine, actor=facilitator, theme_id=play, name="Spelen en sporten")
    with pytest.raises(Conflict):
        plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name="Spelen en sporten")
    plans.delete_theme(engine, actor=facilitator, theme_id=play)
    assert all(p.theme_id is None for p in plans.cycle_plans(engine, actor=facilitator, cycle_id=cycle_id))
    with read_session(engine) as session:
        assert len(session.exec(select(Plan)).all()) == 4


def test_themes_stay_within_the_facilitators_wijk(engine, world):
    with pytest.raises(NotAllowed):
        plans.create_theme(engine, actor=world["facilitator"], cycle_id=world["cycle_b"].id, name="Afval")
    with pytest.raises(NotAllowed):
        plans.cycle_plans(engine, actor=world["teacher"], cycle_id=world["cycle_a"].id)


def test_similar_unsorted_plans_are_suggested_together(engine, world):
    _cycle_with_plans(engine, world, {
        "A": "De speeltuin is kapot", "B": "Een nieuwe speeltuin met schommels", "C": "Speeltuin schommel kapot",
        "D": "Hondenpoep op de stoep", "E": "Overal hondenpoep in het gras",
    })
    all_plans = plans.cycle_plans(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id)
    titles = {p.id: p.title for p in all_plans}
    groups = [{titles[i] for i in s.plan_ids} for s in plans.suggested_groups(all_plans, threshold=0.2)]
    assert any({"De speeltuin is kapot", "Speeltuin schommel kapot"} <= g for g in groups)
    assert any({"Hondenpoep op de stoep", "Overal hondenpoep in het gras"} <= g for g in groups)


def test_les_3_presents_the_plans_the_class_wrote_in_les_2(engine, world):
    les_2 = _start(engine, world)
    token = _join(engine, les_2)
    plan = plans.save_field(engine, token=token, name="title", value="Een zebrapad")
    _join(engine, les_2, "De Uilen")  # a team that wrote nothing is not offered
    les_3 = _start(engine, world, lesson_index=2)
    assert [p.title for p in plans.presentable_plans(engine, les_3)] == ["Een zebrapad"]
    lessons.present_plan(engine, actor=world["teacher"], run_id=les_3, plan_id=plan.id)
    assert lessons.run_state(engine, les_3).presented_plan_id == plan.id
    other_class = lessons.start_run(engine, actor=world["admin"], classroom_id=world["class_b"].id,
                                    template_id=templates.latest_template(engine).id, lesson_index=2)
    with pytest.raises(NotFound):
        lessons.present_plan(engine, actor=world["admin"], run_id=other_class, plan_id=plan.id)


def test_this_school_years_classes_come_first_and_an_earlier_years_say_which(engine, world):
    last_cycle = factories.cycle(engine, world["admin"], world["wijk_a"].id, school_year="2025-2026")
    school_id = world["class_a"].school_id
    old = factories.classroom(engine, world["admin"], last_cycle.id, school_id, name="AAA eerste")
    choices = lessons.teachable_classrooms(engine, actor=world["admin"])
    ids = [c.id for c in choices]
    assert ids.index(world["class_a"].id) < ids.index(old.id)  # though "AAA" sorts first by name
    labels = {c.id: c.label for c in choices}
    assert labels[old.id].endswith(" · 2025-2026") and world["cycle_a"].school_year not in labels[world["class_a"].id]
