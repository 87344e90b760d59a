"""What children type and upload on a tablet, and what the teacher then sees, in a real browser.

A join code typed with spaces and small letters is found; a note, a plan field or a team name that
is too long stays in its box and the tablet says by how much; a refused photo does not stay in the
upload box looking attached, and an iPad's HEIC photo is taken (cleaned like any other); the
teacher's plan review shows the plans that are there without a button press.
"""

from __future__ import annotations

import io

import pillow_heif
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from kinderwijkraad.services import plans
from tests.browser_support import (
    LANDSCAPE,
    PORTRAIT,
    STEP_BRAINSTORM,
    STEP_PLAN,
    WAIT_MS,
    NewContext,
    ServedApp,
    follows,
    go,
    join_tablets,
    nl,
    screenshot,
    settle,
    start_lesson_2,
    tablet_token,
    tall_screenshot,
    wait_until,
)

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

HAPPY_PROMPT = nl("brainstorm.prompt.happy")
TITLE = "Naam van ons plan"








def _plan_step(teacher: Page, engine: Engine) -> str:
    code = start_lesson_2(teacher, engine)
    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    go(teacher, "Volgende stap", STEP_PLAN)
    return code


def test_a_join_code_typed_with_spaces_and_small_letters_is_found(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine) -> None:
    code = start_lesson_2(teacher, app_engine)
    tablet = new_context(PORTRAIT).new_page()
    tablet.goto(f"{app_url}/meedoen")
    box = tablet.get_by_role("textbox", name=nl("join.code"))
    expect(box).to_be_visible(timeout=WAIT_MS)
    settle(tablet)
    typed = f"   {code[:3].lower()} {code[3:].lower()}   "
    box.fill(typed)
    expect(box).to_have_value(typed)  # nothing cut off at the end
    tablet.get_by_role("button", name=nl("join.next")).click()
    expect(tablet.get_by_text(nl("join.first_team"))).to_be_visible(timeout=WAIT_MS)  # a new lesson: no team yet
    expect(tablet.get_by_text(nl("join.unknown_code"))).to_have_count(0)

    # A team name that is too long stays in the box, with how much too long.
    name = "De Supersnelle Stoepkrijttekenaars van de Merel"  # 47 characters, 40 fit
    new_team = tablet.get_by_label(nl("join.new_team"))
    new_team.fill(name)
    tablet.get_by_role("button", name=nl("join.join"), exact=True).click()
    expect(tablet.get_by_text(nl("join.team_name_too_long", count=len(name) - 40, max=40))).to_be_visible(
        timeout=WAIT_MS)
    expect(new_team).to_have_value(name)
    new_team.fill(name[:40])
    tablet.get_by_role("button", name=nl("join.join"), exact=True).click()
    expect(tablet.get_by_text(f"Groepje {name[:40].strip()} ·")).to_be_visible(timeout=WAIT_MS)


def test_a_pasted_note_or_plan_text_that_is_too_long_stays_and_says_by_how_much(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine) -> None:
    code = start_lesson_2(teacher, app_engine)
    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    [tablet] = join_tablets(new_context, app_url, code, {"De Meeuwen": PORTRAIT}, step=STEP_BRAINSTORM).values()

    pasted = ("Het park is fijn en groen. " * 200)[:5000]
    form = tablet.get_by_test_id("stForm").filter(has=tablet.get_by_role("textbox", name=HAPPY_PROMPT))
    note = form.get_by_role("textbox", name=HAPPY_PROMPT)
    note.fill(pasted)
    form.get_by_role("button", name=nl("brainstorm.send")).click()
    excess = len(" ".join(pasted.split())) - 200
    expect(tablet.get_by_text(nl("brainstorm.too_long", count=excess, max=200))).to_be_visible(timeout=WAIT_MS)
    expect(tablet.get_by_text(nl("brainstorm.empty"))).to_have_count(0)
    expect(note).to_have_value(pasted)
    screenshot(tablet, "tablet-note-too-long")

    note.fill("Het park is fijn en groen.")
    form.get_by_role("button", name=nl("brainstorm.send")).click()
    expect(note).to_have_value("", timeout=WAIT_MS)
    expect(teacher.get_by_text("Het park is fijn en groen.", exact=True)).to_be_visible(timeout=WAIT_MS)

    go(teacher, "Volgende stap", STEP_PLAN)
    follows(tablet, STEP_PLAN)
    title = tablet.get_by_role("textbox", name=TITLE)
    long_title = "Een heel erg grote nieuwe speeltuin met glijbanen en schommels voor alle kinderen van de wijk"
    title.fill(long_title)
    title.press("Tab")
    expect(tablet.get_by_text(nl("plan.too_long", label=TITLE, count=len(long_title) - 80, max=80))).to_be_visible(
        timeout=WAIT_MS)
    expect(title).to_have_value(long_title)
    assert "title" not in plans.team_plan(app_engine, token=tablet_token(tablet)).answers
    title.fill(long_title[:60])
    title.press("Tab")
    wait_until(lambda: plans.team_plan(app_engine, token=tablet_token(tablet)).answers.get("title") == long_title[:60],
               what="the shortened title saved")


def _heic_photo() -> bytes:
    """A small iPad-style HEIC photo with a GPS position in its EXIF."""
    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (320, 240), (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="HEIF", exif=exif.tobytes())
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def test_a_refused_photo_leaves_the_upload_box_empty_and_an_ipad_heic_photo_is_kept(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine, served_app: ServedApp) -> None:
    code = _plan_step(teacher, app_engine)
    [tablet] = join_tablets(new_context, app_url, code, {"De Kieviten": PORTRAIT}, step=STEP_PLAN).values()
    upload = tablet.locator('input[type="file"]')
    attached = tablet.get_by_test_id("stFileChip")
    refused = tablet.get_by_text(nl("photo.not_an_image"))
    photo = tablet.get_by_test_id("stImage").locator("img")

    for name, data in (("leeg.jpg", b""), ("half.png", _png()[:300])):
        upload.set_input_files({"name": name, "mimeType": "image/png", "buffer": data})
        expect(refused).to_be_visible(timeout=WAIT_MS)
        expect(attached).to_have_count(0)  # the refused file is not shown as if it were attached
        assert plans.team_plan(app_engine, token=tablet_token(tablet)).photo_name is None
    tall_screenshot(tablet, "tablet-photo-refused")

    upload.set_input_files({"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": _heic_photo()})
    expect(photo).to_be_visible(timeout=WAIT_MS)
    expect(photo).to_have_js_property("complete", True)
    expect(refused).to_have_count(0)
    expect(attached).to_have_count(0)
    name = plans.team_plan(app_engine, token=tablet_token(tablet)).photo_name
    assert name is not None
    with Image.open(served_app.data_dir / "photos" / name) as saved:
        assert saved.format == "JPEG" and saved.size == (320, 240)
        assert not saved.getexif()
    tall_screenshot(tablet, "tablet-photo-heic")


def test_the_plan_review_shows_the_plans_there_are_without_a_button(
        teacher: Page, new_context: NewContext, teacher_cookies: list, app_url: str, app_engine: Engine) -> None:
    code = _plan_step(teacher, app_engine)
    tablets = join_tablets(new_context, app_url, code, {"De Reigers": PORTRAIT, "De Ganzen": PORTRAIT},
                           step=STEP_PLAN)
    for team, tablet in tablets.items():
        title = tablet.get_by_role("textbox", name=TITLE)
        title.fill(f"Een bankje ({team})")
        title.press("Tab")
        wait_until(lambda tablet=tablet, team=team: plans.team_plan(
            app_engine, token=tablet_token(tablet)).answers.get("title") == f"Een bankje ({team})", what="the autosave")

    # The teacher's screen was open all along: the review fills itself, like the progress table.
    for team in tablets:
        expect(teacher.get_by_text(f"{team}: Een bankje ({team})", exact=True)).to_be_visible(timeout=WAIT_MS)
    # A second screen of the teacher, opened now, shows them at once.
    other = new_context(LANDSCAPE)
    other.add_cookies(teacher_cookies)
    second = other.new_page()
    second.goto(f"{app_url}/les")
    for team in tablets:
        expect(second.get_by_text(f"{team}: Een bankje ({team})", exact=True)).to_be_visible(timeout=WAIT_MS)
