"""The app in a real browser: what AppTest cannot see.

AppTest runs the script without a browser, so it never runs the cookie component (a JavaScript
iframe) that writes and deletes the login cookie, never renders CSS, and never shows what a
teacher's tablet shows. These tests start `streamlit run` on a seeded demo database and drive
Debian's headless Chromium through Playwright.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from kinderwijkraad import db
from kinderwijkraad.services import accounts
from kinderwijkraad.services.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 15_000
COOKIE = "kwr_auth"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass(frozen=True)
class ServedApp:
    url: str
    database_url: str


@pytest.fixture(scope="module")
def served_app() -> Iterator[ServedApp]:
    """`streamlit run` on a migrated database holding the demo wijk."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/kwr.db"
        db.upgrade(url)
        seed_demo(engine := db.make_engine(url))
        engine.dispose()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": url, "KWR_DEMO": "true", "KWR_ENV": "development",
               "KWR_COOKIE_NAME": COOKIE}
        # streamlit_app.py, not kinderwijkraad/app.py: see the docstring of the latter.
        command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true",
                   "--browser.gatherUsageStats", "false"]
        log = Path(tmp) / "streamlit.log"
        with log.open("wb") as output:
            server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 30
                while not _healthy(base):
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"streamlit did not become healthy:\n{log.read_text(errors='replace')}")
                    time.sleep(0.2)
                yield ServedApp(base, url)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): browser test skipped")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app_url(served_app: ServedApp) -> str:
    return served_app.url


@pytest.fixture
def app_engine(served_app: ServedApp) -> Iterator[Engine]:
    """The served app's database, to change what the app will read."""
    engine = db.make_engine(served_app.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh tablet (own cookies) showing the login page."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    tab = context.new_page()
    tab.goto(app_url)
    expect(tab.get_by_text("Inloggen bij Kinderwijkraad")).to_be_visible(timeout=WAIT_MS)
    _settle(tab)
    yield tab
    context.close()


def _settle(page: Page) -> None:
    """Wait until the cookie component has reported the browser's cookies (which reruns the app)
    and no run is going: styles are applied, and a click is not raced by that rerun."""
    cookie_frame = page.locator('iframe[title*="cookie_manager"]').first.content_frame
    expect(cookie_frame.locator("#root > div")).to_be_attached(timeout=WAIT_MS)
    expect(page.locator('[data-test-script-state="notRunning"]')).to_be_attached(timeout=WAIT_MS)


def _wait_for_cookie(page: Page, *, present: bool) -> None:
    has_cookie = f"document.cookie.split('; ').some(c => c.startsWith('{COOKIE}='))"
    page.wait_for_function(f"() => {'' if present else '!'}{has_cookie}", timeout=WAIT_MS)


def _log_in(page: Page, password: str = DEMO_PASSWORD, username: str = "demo-leerkracht") -> None:
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()


def _expect_login_page(page: Page) -> None:
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)


def _expect_teacher_home(page: Page) -> None:
    expect(page.get_by_text("Welkom, Juf Demi")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("OBS De Regenboog — Groep 6")).to_be_visible(timeout=WAIT_MS)


def _screenshot(page: Page, name: str) -> None:
    _settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    page.screenshot(path=ARTIFACTS / f"browser-{name}-{size['width']}x{size['height']}.png", full_page=True)


def test_the_demo_teacher_logs_in_sees_home_and_logs_out(page: Page) -> None:
    _screenshot(page, "login")
    _log_in(page)
    _expect_teacher_home(page)
    _wait_for_cookie(page, present=True)
    _screenshot(page, "teacher-home")

    page.reload()  # a refresh lands where it was: the login cookie logs the teacher in again
    _expect_teacher_home(page)

    # At once, without waiting for the page to settle: the teacher does not wait either.
    page.get_by_role("button", name="Uitloggen").click()
    _expect_login_page(page)
    _wait_for_cookie(page, present=False)
    page.reload()  # the cookie is gone: still logged out
    _expect_login_page(page)
    _settle(page)
    expect(page.get_by_text("Welkom, Juf Demi")).to_have_count(0)


def test_a_cookie_copied_before_logout_no_longer_logs_in(page: Page) -> None:
    """Logging out revokes the user's cookies in the database, so a copy that survived (a browser
    closed before it deleted the cookie, or a cookie lifted from a shared tablet) is worthless."""
    _log_in(page)
    _expect_teacher_home(page)
    _wait_for_cookie(page, present=True)
    copied = [cookie for cookie in page.context.cookies() if cookie["name"] == COOKIE]

    page.get_by_role("button", name="Uitloggen").click()
    _expect_login_page(page)
    _wait_for_cookie(page, present=False)
    page.context.add_cookies(copied)
    page.reload()
    _expect_login_page(page)
    _settle(page)
    expect(page.get_by_text("Welkom, Juf Demi")).to_have_count(0)


def test_a_deactivated_users_cookie_no_longer_logs_in(page: Page, app_engine: Engine) -> None:
    _log_in(page, username="demo-ambtenaar")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible(timeout=WAIT_MS)
    _wait_for_cookie(page, present=True)
    admin = accounts.session_actor(app_engine, username="demo-admin")
    official = accounts.session_actor(app_engine, username="demo-ambtenaar")
    assert admin is not None and official is not None
    accounts.set_user_active(app_engine, actor=admin, user_id=official.user_id, active=False)
    try:
        page.reload()
        _expect_login_page(page)
        _wait_for_cookie(page, present=False)  # and the dead cookie is cleared from the tablet
    finally:
        accounts.set_user_active(app_engine, actor=admin, user_id=official.user_id, active=True)


def test_a_refresh_keeps_the_facilitator_on_the_page_they_were_on(page: Page, app_url: str) -> None:
    _log_in(page, username="demo-begeleider")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible(timeout=WAIT_MS)
    _wait_for_cookie(page, present=True)
    page.goto(f"{app_url}/wijken")
    expect(page.get_by_role("heading", name="Wijken", exact=True)).to_be_visible(timeout=WAIT_MS)
    page.reload()
    expect(page.get_by_role("heading", name="Wijken", exact=True)).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("De Vogelbuurt").first).to_be_visible(timeout=WAIT_MS)
    _screenshot(page, "facilitator-wijken")


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_the_teacher_home_fits_a_tablet_either_way_round(page: Page, size: tuple[int, int]) -> None:
    """No sideways scrolling on a 10-inch tablet, held either way; the screenshots are for people."""
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    _log_in(page)
    _expect_teacher_home(page)
    _screenshot(page, "teacher-home")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_touch_targets_are_at_least_48px_high(page: Page) -> None:
    box = page.get_by_role("button", name="Inloggen", exact=True).bounding_box()
    assert box is not None and box["height"] >= 48, box


def test_a_wrong_password_shows_a_dutch_message_and_no_traceback(page: Page) -> None:
    _log_in(page, "niet het goede wachtwoord")
    expect(page.get_by_text("Gebruikersnaam of wachtwoord klopt niet.")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("Traceback")).to_have_count(0)
