"""No Streamlit English on a Dutch screen, in Chromium at both tablet sizes.

Streamlit's frontend writes English of its own that no parameter changes (the keyboard hint under a
note box, the photo uploader's button, limit and refusal, a help tooltip's "Help for ...", a select's
"Choose options", the sidebar's labels); ui/style.py replaces it from the catalogue. These tests walk
the screens where it shows: a child's tablet from the brainstorm to the photo (a photo too big, the
refusal's tooltip open), and the admin (who has the most pages in the menu) on the menu, a form with
a multiselect, a data editor's toolbar, and a help tooltip in Dutch, then English, then Dutch again.
The list of Streamlit's English is tests/streamlit_english.py.
"""

from __future__ import annotations

from contextlib import suppress

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import Engine

from kinderwijkraad.i18n import LANGUAGES, t
from kinderwijkraad.models import Role
from kinderwijkraad.ui import navigation
from tests.browser_support import (
    LANDSCAPE,
    PORTRAIT,
    STEP_BRAINSTORM,
    STEP_PLAN,
    WAIT_MS,
    NewContext,
    follows,
    go,
    join_tablets,
    log_in,
    nl,
    screenshot,
    settle,
    start_lesson_2,
    still,
)
from tests.streamlit_english import english_on

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"landscape": LANDSCAPE, "portrait": PORTRAIT}
TOO_BIG = 5 * 1024 * 1024 + 200_000  # bytes: over Streamlit's own 5 MB limit, which refuses it in the browser




def no_english(page: Page, screen: str) -> None:
    settle(page)
    page.wait_for_timeout(300)  # a redraw after the run (the tooltip, a chip) has had its frame
    found = english_on(page)
    assert not found, f"Streamlit's English on the Dutch screen {screen}:\n" + "\n".join(found)


def test_a_childs_tablet_shows_no_english_from_the_note_box_to_a_refused_photo(
        new_context: NewContext, teacher_cookies: list, app_url: str, app_engine: Engine, tmp_path):
    too_big = tmp_path / "te-groot.jpg"
    too_big.write_bytes(b"\xff\xd8\xff\xe0" + bytes(TOO_BIG))
    teacher = new_context(LANDSCAPE)
    teacher.add_cookies(teacher_cookies)
    board = teacher.new_page()
    board.goto(f"{app_url}/les")
    code = start_lesson_2(board, app_engine)
    go(board, "Volgende stap", STEP_BRAINSTORM)
    tablets = join_tablets(new_context, app_url, code, {"De Vossen": LANDSCAPE, "De Egels": PORTRAIT},
                           step=STEP_BRAINSTORM)
    for team, tablet in tablets.items():
        box = tablet.get_by_role("textbox", name=nl("brainstorm.prompt.happy"))
        box.fill("Het speeltuintje")  # the keyboard hint shows under a box being typed in
        instructions = tablet.get_by_test_id("InputInstructions").first
        expect(instructions).to_contain_text(nl("streamlit.press_keys_enter_submit", keys="Ctrl"), timeout=WAIT_MS)
        no_english(tablet, f"brainstorm ({team})")
        screenshot(tablet, f"streamlit-texts-brainstorm-{team.split()[-1].lower()}")

    go(board, "Volgende stap", STEP_PLAN)
    for team, tablet in tablets.items():
        follows(tablet, STEP_PLAN)
        uploader = tablet.get_by_test_id("stFileUploader")
        expect(uploader.get_by_role("button", name=nl("streamlit.upload"))).to_be_visible(timeout=WAIT_MS)
        expect(uploader).to_contain_text(nl("streamlit.upload_limit_types", size="5MB", types="JPG, PNG"))
        no_english(tablet, f"plan ({team})")
        tablet.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(too_big, timeout=4 * WAIT_MS)
        chip = uploader.get_by_test_id("stFileChip")
        expect(chip).to_be_visible(timeout=WAIT_MS)
        refusal = nl("streamlit.file_too_large", size="5.0MB")
        expect(uploader.get_by_role("alert")).to_have_text(f"{nl('streamlit.error_label')} {refusal}")
        chip.hover()
        expect(tablet.get_by_test_id("stTooltipErrorContent")).to_contain_text(refusal, timeout=WAIT_MS)
        no_english(tablet, f"plan with a refused photo ({team})")
        screenshot(tablet, f"streamlit-texts-photo-refused-{team.split()[-1].lower()}")


def _admin(new_context: NewContext, app_url: str, size: dict) -> Page:
    page = new_context(size).new_page()
    page.goto(app_url)
    expect(page.get_by_text("Inloggen bij Kinderwijkraad")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    log_in(page, username="demo-admin")
    expect(page.get_by_role("heading", name="Welkom", exact=False)).to_be_visible(timeout=WAIT_MS)
    return page


def _open_menu(page: Page) -> None:
    """On a portrait tablet the sidebar starts folded: open it, as the admin does."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():
        expand.click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=WAIT_MS)


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_the_admins_menu_a_multiselect_and_a_help_tooltip_speak_the_screens_language(
        new_context: NewContext, app_url: str, size: str):
    page = _admin(new_context, app_url, SIZES[size])
    _open_menu(page)
    menu = page.get_by_test_id("stSidebarNav")
    # Every page of the admin in the menu at once: no folded menu with Streamlit's "View 6 more".
    admin_pages = len(navigation.pages_for(Role.ADMIN))
    expect(menu.get_by_test_id("stSidebarNavLink")).to_have_count(admin_pages, timeout=WAIT_MS)
    expect(page.get_by_test_id("stSidebarNavViewButton")).to_have_count(0)
    no_english(page, f"start with the menu ({size})")
    screenshot(page, f"streamlit-texts-admin-menu-{size}")

    # A staff form with a multiselect: a new class and its teachers (Wijken, Scholen en groepen).
    page.goto(f"{app_url}/wijken")
    _close_menu(page)
    page.get_by_role("tab", name=nl("wijken.tab.classes")).click()
    expander = page.get_by_test_id("stExpander").filter(has_text=nl("wijken.new_class"))
    expect(expander).to_be_visible(timeout=WAIT_MS)
    if not expander.get_by_test_id("stMultiSelect").is_visible():
        expander.locator("summary").click()
    teachers = expander.get_by_test_id("stMultiSelect")
    expect(teachers).to_be_visible(timeout=WAIT_MS)
    no_english(page, f"wijken, a new class, no teacher picked yet ({size})")  # the empty box's placeholder
    # Open the list, then pick a teacher: its chip has a label too. A rerun (the tab's, or another
    # widget's) can close the list under the click, so open and pick until a chip shows.
    chip = teachers.get_by_test_id("stMultiSelectTagsContainer").get_by_role("button")  # a chip's remove button
    for _ in range(4):
        settle(page)
        with suppress(AssertionError, PlaywrightTimeoutError):
            teachers.get_by_role("combobox").click(timeout=5_000)
            expect(page.get_by_role("option").first).to_be_visible(timeout=5_000)
            page.get_by_role("option").first.click(timeout=5_000)
            expect(chip.first).to_be_visible(timeout=5_000)
            break
    expect(chip.first).to_be_visible()
    page.keyboard.press("Escape")
    no_english(page, f"wijken, a new class with a teacher picked ({size})")
    screenshot(page, f"streamlit-texts-multiselect-{size}")

    # A data editor's toolbar (Lessjablonen, a lesson's steps): its buttons' labels are read aloud.
    page.goto(f"{app_url}/sjablonen")
    expect(page.get_by_label(nl("streamlit.add_row"), exact=True).first).to_be_attached(timeout=2 * WAIT_MS)
    expect(page.get_by_label(nl("streamlit.show_hide_columns"), exact=True).first).to_be_attached()
    no_english(page, f"lessjablonen, a data editor's toolbar ({size})")

    # A help tooltip and a number box (Privacy, Bewaartermijn): Dutch, English, Dutch again.
    page.goto(f"{app_url}/privacy")
    expect(page.get_by_role("tab", name=nl("privacy.tab.retention"))).to_be_visible(timeout=2 * WAIT_MS)
    page.get_by_role("tab", name=nl("privacy.tab.retention")).click()
    expect(page.get_by_test_id("stTooltipIcon").first).to_be_visible(timeout=WAIT_MS)
    days = nl("field.retention_days")
    expect(page.get_by_label(nl("streamlit.help_for", label=days))).to_have_count(1, timeout=WAIT_MS)
    no_english(page, f"privacy ({size})")
    _switch_language(page, "en")
    help_for = t("streamlit.help_for", language="en", label=t("field.retention_days", language="en"))
    expect(page.get_by_label(help_for)).to_have_count(1, timeout=WAIT_MS)
    expect(page.get_by_test_id("stSidebarNav")).to_have_attribute("aria-label", "App pages")
    _switch_language(page, "nl")
    expect(page.get_by_label(nl("streamlit.help_for", label=days))).to_have_count(1, timeout=WAIT_MS)
    no_english(page, f"privacy after English and back ({size})")


def _close_menu(page: Page) -> None:
    """On a portrait tablet an open sidebar lies over the page: fold it, as the admin does."""
    expect(page.get_by_test_id("stSidebar")).to_be_attached(timeout=2 * WAIT_MS)
    settle(page)
    collapse = page.get_by_test_id("stSidebarCollapseButton")
    if (page.viewport_size or LANDSCAPE)["width"] < LANDSCAPE["width"] and collapse.is_visible():
        collapse.locator("button").click()
        expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible(timeout=WAIT_MS)


def _switch_language(page: Page, language: str) -> None:
    _open_menu(page)
    settle(page)
    still(page)  # a sidebar still sliding in lets the click miss the box
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    option = page.get_by_role("option", name=LANGUAGES[language])
    for _ in range(3):  # the list can close again when a late rerun redraws the box
        picker.get_by_role("combobox").click()
        with suppress(PlaywrightTimeoutError):
            option.wait_for(timeout=WAIT_MS // 3)
            break
    option.click()
    expect(picker).to_contain_text(t("nav.language", language=language), timeout=WAIT_MS)  # the page redrew
    settle(page)
