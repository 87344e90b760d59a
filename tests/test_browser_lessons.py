"""A lesson in a real browser: the teacher's screen on /les and the children's tablets on /meedoen.

What AppTest cannot show: that a tablet follows the teacher by itself (a polling fragment), that a
plan survives a reload because it was saved when a child left the field (a blur in the browser),
that the file uploader hands the photo check real bytes, that children's text reaches the board
as text and not as markup, and what it all looks like on a tablet held either way round.

Each test starts its own lesson in the demo teacher's class; starting one ends the one before, so
the tests do not depend on each other's order. The teacher logs in once per module: every test
gets a fresh browser context carrying her login cookie.
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from kinderwijkraad.services import plans
from tests.browser_support import (
    LANDSCAPE,
    PORTRAIT,
    STEP_BRAINSTORM,
    STEP_JOIN,
    STEP_PLAN,
    WAIT_MS,
    NewContext,
    ServedApp,
    follows,
    go,
    join_tablets,
    nl,
    screenshot,
    scroll_to_top,
    settle,
    start_lesson_2,
    tablet_token,
    tall_screenshot,
    wait_until,
)

# The fixtures (served_app, browser, app_url, app_engine, teacher_cookies, new_context) live
# there too, found by name; so do the steps of a lesson (start_lesson_2, join_tablets, go).
pytest_plugins = ["tests.browser_support"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HAPPY_PROMPT, UNHAPPY_PROMPT = nl("brainstorm.prompt.happy"), nl("brainstorm.prompt.unhappy")






def _send_note(tablet: Page, prompt: str, text: str) -> None:
    form = tablet.get_by_test_id("stForm").filter(has=tablet.get_by_role("textbox", name=prompt))
    form.get_by_role("textbox", name=prompt).fill(text)
    form.get_by_role("button", name="Stuur naar het bord").click()
    expect(form.get_by_role("textbox", name=prompt)).to_have_value("", timeout=WAIT_MS)  # clear_on_submit: sent


def _plan_field(tablet: Page, label: str):
    return tablet.get_by_role("textbox", name=label)


def _saved_answers(engine: Engine, tablet: Page) -> dict[str, str]:
    return plans.team_plan(engine, token=tablet_token(tablet)).answers


def _write(tablet: Page, engine: Engine, label: str, text: str) -> None:
    """Type in a plan field and leave it, as a child does; leaving saves. Waits for that save in
    the database, so the next field is not typed while the page is being redrawn."""
    field = _plan_field(tablet, label)
    field.fill(text)
    field.press("Tab")
    wait_until(lambda: text in _saved_answers(engine, tablet).values(), what=f"the autosave of {label!r}")


def test_a_tablet_follows_the_teacher_to_the_next_step_and_back(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine) -> None:
    code = start_lesson_2(teacher, app_engine)
    [tablet] = join_tablets(new_context, app_url, code, {"De Vossen": PORTRAIT}).values()

    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    follows(tablet, STEP_BRAINSTORM)
    expect(tablet.get_by_role("textbox", name=HAPPY_PROMPT)).to_be_visible()

    go(teacher, "Vorige stap", STEP_JOIN)
    follows(tablet, STEP_JOIN)
    expect(tablet.get_by_role("textbox", name=HAPPY_PROMPT)).to_have_count(0)


def test_a_plan_is_saved_when_a_child_leaves_the_field_and_survives_a_reload(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine) -> None:
    code = start_lesson_2(teacher, app_engine)
    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    go(teacher, "Volgende stap", STEP_PLAN)
    [tablet] = join_tablets(new_context, app_url, code, {"De Uilen": PORTRAIT}, step=STEP_PLAN).values()

    problem = "Auto's rijden te hard bij school.\nWe durven niet over te steken."
    _write(tablet, app_engine, "Naam van ons plan", "Een veilig zebrapad")
    _write(tablet, app_engine, "Wat is het probleem?", problem)
    # No "save" was clicked: leaving each field saved it (see _write).
    assert set(_saved_answers(app_engine, tablet)) == {"title", "problem"}

    tablet.reload()
    expect(_plan_field(tablet, "Naam van ons plan")).to_have_value("Een veilig zebrapad", timeout=WAIT_MS)
    expect(_plan_field(tablet, "Wat is het probleem?")).to_have_value(problem)
    expect(tablet.get_by_text(nl("plan.saved_automatically"))).to_be_visible()


def _png_claiming(width: int, height: int) -> bytes:
    """A valid PNG of a few dozen bytes whose header says width x height (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def _jpeg_with_gps() -> bytes:
    """A small real photo, with a GPS position in its EXIF as a tablet camera writes it."""
    image = Image.new("RGB", (320, 240), (70, 140, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_the_photo_upload_refuses_a_renamed_pdf_and_a_pixel_bomb_and_keeps_a_real_photo(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine, served_app: ServedApp) -> None:
    code = start_lesson_2(teacher, app_engine)
    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    go(teacher, "Volgende stap", STEP_PLAN)
    [tablet] = join_tablets(new_context, app_url, code, {"De Mussen": PORTRAIT}, step=STEP_PLAN).values()
    upload = tablet.locator('input[type="file"]')
    not_an_image = tablet.get_by_text(nl("photo.not_an_image"))
    too_many_pixels = tablet.get_by_text(nl("photo.too_many_pixels"))
    photo = tablet.get_by_test_id("stImage").locator("img")
    expect(photo).to_have_count(0)

    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    upload.set_input_files({"name": "x.jpg", "mimeType": "image/jpeg", "buffer": pdf})
    expect(not_an_image).to_be_visible(timeout=WAIT_MS)

    upload.set_input_files({"name": "groot.png", "mimeType": "image/png", "buffer": _png_claiming(20_000, 20_000)})
    expect(too_many_pixels).to_be_visible(timeout=WAIT_MS)
    expect(not_an_image).to_have_count(0)
    assert plans.team_plan(app_engine, token=tablet_token(tablet)).photo_name is None

    upload.set_input_files({"name": "speeltuin.jpg", "mimeType": "image/jpeg", "buffer": _jpeg_with_gps()})
    expect(photo).to_be_visible(timeout=WAIT_MS)
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0  # the photo itself, not a broken image
    expect(too_many_pixels).to_have_count(0)
    name = plans.team_plan(app_engine, token=tablet_token(tablet)).photo_name
    assert name is not None
    stored = served_app.data_dir / "photos" / name
    with Image.open(stored) as saved:  # in KWR_DATA_DIR, re-encoded without the GPS position
        assert saved.format == "JPEG" and saved.size == (320, 240)
        assert not saved.getexif()


# Markdown and HTML a child might type (or paste): on the board it must read exactly as typed.
SCRIPT, LINK, PICTURE = "<script>alert(1)</script>", "[x](javascript:alert(1))", "![img](http://example.invalid/x.png)"
NOTE = f"{SCRIPT} {LINK} {PICTURE}"
TITLES = {"De Haviken": f"{SCRIPT} {LINK}", "De Kraaien": f"{PICTURE} **vet** <b>vet</b>"}  # a title holds 80


def _watch(page: Page, requests: list[str], dialogs: list[str]) -> None:
    page.context.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))


def _expect_nothing_ran(page: Page, requests: list[str], dialogs: list[str]) -> None:
    assert not [url for url in requests if "example.invalid" in url or url.startswith("javascript:")], requests
    assert dialogs == []
    expect(page.locator('a[href^="javascript:"]')).to_have_count(0)
    expect(page.locator('img[src*="example.invalid"]')).to_have_count(0)
    assert not page.evaluate("[...document.scripts].some(s => s.textContent.includes('alert(1)'))")


def test_childrens_markup_shows_as_literal_text_on_the_board_and_runs_nothing(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine) -> None:
    requests: list[str] = []
    dialogs: list[str] = []
    _watch(teacher, requests, dialogs)
    code = start_lesson_2(teacher, app_engine)
    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    tablets = join_tablets(new_context, app_url, code, dict.fromkeys(TITLES, PORTRAIT), step=STEP_BRAINSTORM)
    for tablet in tablets.values():
        _watch(tablet, requests, dialogs)

    writer = tablets["De Haviken"]
    _send_note(writer, UNHAPPY_PROMPT, NOTE)
    expect(teacher.get_by_text(NOTE, exact=True)).to_be_visible(timeout=WAIT_MS)  # the board polls
    # The list of notes to remove is drawn by a full run of the page, not by the board's polling:
    # a note sent since the teacher's last click is on the board but not yet in it. A reload is.
    teacher.reload()
    settle(teacher)
    teacher.get_by_text(nl("brainstorm.moderate")).click()
    expect(teacher.get_by_role("button", name=f"Weghalen: {NOTE[:40]}", exact=True)).to_be_visible()

    go(teacher, "Volgende stap", STEP_PLAN)
    for team, title in TITLES.items():
        follows(tablets[team], STEP_PLAN)
        _write(tablets[team], app_engine, "Naam van ons plan", title)
        _write(tablets[team], app_engine, "Wat is het probleem?", NOTE)

    teacher.get_by_role("button", name=nl("plan.load_new")).click()
    for team, title in TITLES.items():
        summary = teacher.get_by_text(f"{team}: {title}", exact=True)
        expect(summary).to_be_visible(timeout=WAIT_MS)
        summary.click()
        plan = teacher.get_by_test_id("stExpander").filter(has=summary)
        expect(plan.get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect(plan.get_by_test_id("stText")).to_have_text(NOTE)
        expect(plan.get_by_role("textbox", name="Naam van ons plan")).to_have_value(title)
    settle(teacher)
    _expect_nothing_ran(teacher, requests, dialogs)
    for tablet in tablets.values():
        _expect_nothing_ran(tablet, requests, dialogs)


def _no_sideways_scrolling(page: Page) -> None:
    width = (page.viewport_size or {"width": 0})["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _shots(page: Page, name: str) -> None:
    """What the screen shows from the top, and all of the page (see browser_support)."""
    settle(page)
    scroll_to_top(page)
    screenshot(page, name)
    _no_sideways_scrolling(page)
    tall_screenshot(page, name)


def _teacher_shots(views: list[Page], name: str, *, showing: str, on_board: str) -> None:
    """The teacher's screen at both sizes, as opened now (a reload is a full run of the page: the
    board polls, the rest of the page does not), then the same in board-only mode."""
    for view in views:
        view.reload()
        expect(view.get_by_text(showing, exact=True)).to_be_visible(timeout=WAIT_MS)
        _shots(view, f"les-teacher-{name}")
        view.get_by_text(nl("lesson.board_mode"), exact=True).click()  # the switch's label, as a finger does
        expect(view.get_by_role("switch", name=nl("lesson.board_mode"))).to_be_checked()
        expect(view.get_by_text(nl("lesson.for_teacher"))).to_have_count(0, timeout=WAIT_MS)
        expect(view.get_by_text(on_board, exact=True)).to_be_visible()
        _shots(view, f"les-board-only-{name}")


def test_screenshots_of_a_lesson_on_tablets_either_way_round(
        teacher: Page, new_context: NewContext, teacher_cookies: list, app_url: str, app_engine: Engine) -> None:
    """For people to look at: test-artifacts/browser-les-*.png, each at 1024x768 and 768x1024, as
    the screen shows it and (-full) all of the page. Every size is its own device: turning a
    window mid-test leaves Streamlit's sidebar half folded. The test itself only checks that
    nothing needs sideways scrolling."""
    code = start_lesson_2(teacher, app_engine)
    portrait_teacher = new_context(PORTRAIT)
    portrait_teacher.add_cookies(teacher_cookies)
    teachers = [teacher, portrait_teacher.new_page()]
    teachers[1].goto(f"{app_url}/les")
    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    tablets = join_tablets(new_context, app_url, code, {"De Spechten": PORTRAIT, "De Zwaluwen": LANDSCAPE},
                    step=STEP_BRAINSTORM)
    unhappy = "Er ligt veel afval bij het winkelcentrum"
    _send_note(tablets["De Spechten"], HAPPY_PROMPT, "Het park met de eendjes en de grote glijbaan")
    _send_note(tablets["De Zwaluwen"], UNHAPPY_PROMPT, unhappy)
    for tablet in tablets.values():
        _shots(tablet, "les-tablet-brainstorm")
    _teacher_shots(teachers, "brainstorm", showing=unhappy, on_board=unhappy)

    go(teacher, "Volgende stap", STEP_PLAN)
    for team, tablet in tablets.items():
        follows(tablet, STEP_PLAN)
        _write(tablet, app_engine, "Naam van ons plan", f"Meer prullenbakken ({team})")
        _write(tablet, app_engine, "Wat is het probleem?", "Er ligt veel afval bij het winkelcentrum en in het park.")
    for tablet in tablets.values():
        _shots(tablet, "les-tablet-plan")
    _teacher_shots(teachers, "plan", showing="De Zwaluwen: Meer prullenbakken (De Zwaluwen)", on_board=STEP_PLAN)
