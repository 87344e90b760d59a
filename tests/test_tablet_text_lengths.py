"""What a child types that is too long is refused whole, saying by how much (the tablet keeps the
text); an iPad's HEIC photo is taken and cleaned like any other."""

from __future__ import annotations

import io

import pillow_heif
import pytest
from PIL import Image
from sqlmodel import select

from kinderwijkraad.db import read_session
from kinderwijkraad.errors import InvalidInput
from kinderwijkraad.models import StepKind, Team
from kinderwijkraad.services import candidates, lessons, plans, templates
from kinderwijkraad.services.images import clean_photo
from tests import factories
from tests.test_bad_input import message_problem

LESSON_2, LESSON_3 = 1, 2


@pytest.fixture
def world(engine) -> dict:
    return factories.world(engine)


def _run_at(engine, world, kind: StepKind, lesson_index: int = LESSON_2) -> tuple[int, str]:
    """A run of the lesson at its first step of `kind`, with one tablet joined."""
    template = templates.latest_template(engine)
    run_id = lessons.start_run(engine, actor=world["teacher"], classroom_id=world["class_a"].id,
                               template_id=template.id, lesson_index=lesson_index)
    state = lessons.run_state(engine, run_id)
    step = next(i for i, s in enumerate(state.lesson.steps) if s.kind == kind)
    lessons.go_to_step(engine, actor=world["teacher"], run_id=run_id, step_index=step)
    token, _team_id = lessons.join_team(engine, run_id=run_id, team_name="De Vossen")
    return run_id, token


def _refusal(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        call()
    assert message_problem(refused.value) is None, refused.value  # reads as a message in nl and en
    return refused.value


def test_a_pasted_note_of_5000_characters_is_refused_saying_it_is_4800_too_long(engine, world):
    _run_id, token = _run_at(engine, world, StepKind.BRAINSTORM)

    error = _refusal(lambda: lessons.add_note(engine, token=token, mood="happy", text="a" * 5000))

    assert (error.key, error.params) == ("brainstorm.too_long", {"max": 200, "count": 4800})


def test_a_plan_field_too_long_says_by_how_much_and_nothing_is_saved(engine, world):
    _run_id, token = _run_at(engine, world, StepKind.WRITE_PLANS)

    error = _refusal(lambda: plans.save_field(engine, token=token, name="title", value="x" * 95))

    assert error.key == "plan.too_long" and error.params["count"] == 15 and error.params["max"] == 80
    assert plans.team_plan(engine, token=token).answers == {}


def test_a_team_name_too_long_is_refused_not_cut(engine, world):
    run_id, _token = _run_at(engine, world, StepKind.BRAINSTORM)

    error = _refusal(lambda: lessons.join_team(engine, run_id=run_id, team_name="  " + "B" * 47 + "  "))
    assert (error.key, error.params) == ("join.team_name_too_long", {"max": 40, "count": 7})
    teacher_error = _refusal(lambda: lessons.add_teams(engine, actor=world["teacher"], run_id=run_id,
                                                        names=["De Uilen", "C" * 41]))
    assert teacher_error.key == "join.team_name_too_long"

    with read_session(engine) as session:
        assert session.exec(select(Team.name).where(Team.run_id == run_id)).all() == ["De Vossen"]


def test_a_first_name_too_long_says_by_how_much(engine, world):
    _run_id, token = _run_at(engine, world, StepKind.SIGN_UP, lesson_index=LESSON_3)

    error = _refusal(lambda: candidates.sign_up(engine, token=token, first_name="A" * 45))

    assert error.key == "signup.name_too_long" and error.params["count"] == 5


def test_a_theme_name_too_long_says_by_how_much(engine, world):
    error = _refusal(lambda: plans.create_theme(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                                name="T" * 90))

    assert error.key == "theme.name_too_long" and error.params == {"max": 80, "count": 10}


def test_an_ipad_heic_photo_becomes_an_upright_jpeg_without_its_exif():
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}  # GPSInfo
    exif[0x0112] = 6  # Orientation: turned a quarter; libheif turns it, once
    heic = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 160, 90)).save(heic, format="HEIF", exif=exif.tobytes())
    assert heic.getvalue()[4:12] == b"ftypheic"

    cleaned = clean_photo(heic.getvalue())

    with Image.open(io.BytesIO(cleaned)) as photo:
        assert photo.format == "JPEG"
        assert photo.size in ((640, 480), (480, 640))
        assert not photo.getexif() and "exif" not in photo.info and "xmp" not in photo.info


@pytest.mark.parametrize("data", [b"", b"\x00\x00\x00\x18ftypheic" + b"\x13\x37" * 100],
                         ids=["empty", "heic header then garbage"])
def test_an_empty_or_broken_photo_is_refused_in_words_that_say_what_to_do(data):
    error = _refusal(lambda: clean_photo(data))

    assert error.key == "photo.not_an_image"
