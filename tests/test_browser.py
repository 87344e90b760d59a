"""The app in a real browser: what AppTest cannot see.

AppTest runs the script without a browser, so it never runs the cookie component (a JavaScript
iframe) that writes and deletes the login cookie, never renders CSS, and never shows what a
teacher's tablet shows. These tests start `streamlit run` on a seeded demo database and drive
Debian's headless Chromium through Playwright.
"""

from __future__ import annotations

from contextlib import suppress

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import Engine

from kinderwijkraad.services import accounts
from tests.browser_support import COOKIE, WAIT_MS, log_in, screenshot, settle, wait_for_cookie
from tests.streamlit_english import english_on

# The fixtures (served_app, browser, app_url, app_engine, page) live there too, found by name.
pytest_plugins = ["tests.browser_support"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _expect_login_page(page: Page) -> None:
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)


def _expect_teacher_home(page: Page) -> None:
    expect(page.get_by_text("Welkom, Juf Demi")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("OBS De Regenboog — Groep 6")).to_be_visible(timeout=WAIT_MS)


def test_the_demo_teacher_logs_in_sees_home_and_logs_out(page: Page) -> None:
    screenshot(page, "login")
    log_in(page)
    _expect_teacher_home(page)
    wait_for_cookie(page, present=True)
    screenshot(page, "teacher-home")

    page.reload()  # a refresh lands where it was: the login cookie logs the teacher in again
    _expect_teacher_home(page)

    # At once, without waiting for the page to settle: the teacher does not wait either.
    page.get_by_role("button", name="Uitloggen").click()
    _expect_login_page(page)
    wait_for_cookie(page, present=False)
    page.reload()  # the cookie is gone: still logged out
    _expect_login_page(page)
    settle(page)
    expect(page.get_by_text("Welkom, Juf Demi")).to_have_count(0)


def test_a_cookie_copied_before_logout_no_longer_logs_in(page: Page) -> None:
    """Logging out revokes the user's cookies in the database, so a copy that survived (a browser
    closed before it deleted the cookie, or a cookie lifted from a shared tablet) is worthless."""
    log_in(page)
    _expect_teacher_home(page)
    wait_for_cookie(page, present=True)
    copied = [cookie for cookie in page.context.cookies() if cookie["name"] == COOKIE]

    page.get_by_role("button", name="Uitloggen").click()
    _expect_login_page(page)
    wait_for_cookie(page, present=False)
    page.context.add_cookies(copied)
    page.reload()
    _expect_login_page(page)
    settle(page)
    expect(page.get_by_text("Welkom, Juf Demi")).to_have_count(0)


def test_a_deactivated_users_cookie_no_longer_logs_in(page: Page, app_engine: Engine) -> None:
    log_in(page, username="demo-ambtenaar")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible(timeout=WAIT_MS)
    wait_for_cookie(page, present=True)
    admin = accounts.session_actor(app_engine, username="demo-admin")
    official = accounts.session_actor(app_engine, username="demo-ambtenaar")
    assert admin is not None and official is not None
    accounts.set_user_active(app_engine, actor=admin, user_id=official.user_id, active=False)
    try:
        page.reload()
        _expect_login_page(page)
        wait_for_cookie(page, present=False)  # and the dead cookie is cleared from the tablet
    finally:
        accounts.set_user_active(app_engine, actor=admin, user_id=official.user_id, active=True)


def test_a_refresh_keeps_the_facilitator_on_the_page_they_were_on(page: Page, app_url: str) -> None:
    log_in(page, username="demo-begeleider")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible(timeout=WAIT_MS)
    wait_for_cookie(page, present=True)
    page.goto(f"{app_url}/wijken")
    expect(page.get_by_role("heading", name="Wijken", exact=True)).to_be_visible(timeout=WAIT_MS)
    page.reload()
    expect(page.get_by_role("heading", name="Wijken", exact=True)).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("De Vogelbuurt").first).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "facilitator-wijken")


def test_a_bookmarked_page_opened_logged_out_asks_for_the_login_and_then_opens(page: Page, app_url: str) -> None:
    """A teacher's bookmark after the login expired, and a page of another role: the login form or
    the home page at that address, never Streamlit's English "Page not found" box."""
    page.goto(f"{app_url}/les")
    _expect_login_page(page)
    settle(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Wachtwoord tonen")).to_be_visible()
    log_in(page)
    expect(page.get_by_role("heading", name="Les geven", exact=True)).to_be_visible(timeout=WAIT_MS)
    assert page.url.endswith("/les")
    wait_for_cookie(page, present=True)

    page.goto(f"{app_url}/gebruikers")  # the admin's page
    _expect_teacher_home(page)
    settle(page)
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.goto(f"{app_url}/bestaat-niet")  # a mistyped address: Streamlit's box, in Dutch
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Pagina niet gevonden")).to_be_visible(timeout=WAIT_MS)
    expect(dialog).to_contain_text("Deze pagina bestaat niet.")
    assert not english_on(page), english_on(page)


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_the_teacher_home_fits_a_tablet_either_way_round(page: Page, size: tuple[int, int]) -> None:
    """No sideways scrolling on a 10-inch tablet, held either way; the screenshots are for people."""
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    log_in(page)
    _expect_teacher_home(page)
    screenshot(page, "teacher-home")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_touch_targets_are_at_least_48px_high(page: Page) -> None:
    # The app's style arrives with its first run, which may end after the form already shows and
    # after the page first reads "not running" (a CI run measured 45 px there): wait for it, and
    # fail only if the button never reaches 48 px.
    settle(page)
    button = page.get_by_role("button", name="Inloggen", exact=True)
    with suppress(PlaywrightTimeoutError):  # the assertion below says how high it stayed
        page.wait_for_function("b => b.getBoundingClientRect().height >= 48", arg=button.element_handle(),
                               polling=100, timeout=WAIT_MS)
    box = button.bounding_box()
    assert box is not None and box["height"] >= 48, box


def test_a_wrong_password_shows_a_dutch_message_and_no_traceback(page: Page) -> None:
    log_in(page, "niet het goede wachtwoord")
    expect(page.get_by_text("Gebruikersnaam of wachtwoord klopt niet.")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("Traceback")).to_have_count(0)
