"""What the browser tests share: a served app on a seeded demo database, Debian's Chromium, and the
waits that keep a test from racing Streamlit's reruns.

A browser test module loads the fixtures with `pytest_plugins = ["tests.browser_support"]` and
imports the helpers. Module scope is per test module, so each gets its own server and database.
The module imports before pytest loads it as a plugin, too late to rewrite its asserts; it has
none (it calls pytest.fail), and this marker says so: PYTEST_DONT_REWRITE.

Besides the server and the browser: the steps of a lesson (the teacher starts Les 2, tablets join
and follow) and an open vote, shared by the lesson, vote and accessibility tests.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import Engine

from kinderwijkraad import db
from kinderwijkraad.i18n import t
from kinderwijkraad.services import accounts, lessons, polls
from kinderwijkraad.services.demo import DEMO_PASSWORD, seed_demo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 15_000
COOKIE = "kwr_auth"
TEACHER = "demo-leerkracht"
FOLLOW_MS = 10_000  # a tablet polls every 2 s through a 1 s cache: 10 s is plenty, not a race
LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
LESSON_2 = "Les 2: Onze wijk en onze plannen"
STEP_JOIN, STEP_BRAINSTORM, STEP_PLAN = "Onze wijk", "Gelukkig en ongelukkig", "Ons plan"


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
    data_dir: Path  # KWR_DATA_DIR of the server: uploaded photos land in data_dir / "photos"

    @property
    def log(self) -> Path:
        return self.data_dir / "streamlit.log"


@pytest.fixture(scope="module")
def served_app() -> Iterator[ServedApp]:
    """`streamlit run` on a migrated database holding the demo wijk."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/kwr.db"
        db.upgrade(url)
        seed_demo(engine := db.make_engine(url), photos_dir=Path(tmp) / "photos")
        engine.dispose()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": url, "KWR_DEMO": "true", "KWR_ENV": "development",
               "KWR_COOKIE_NAME": COOKIE, "KWR_DATA_DIR": tmp}
        # streamlit_app.py, not kinderwijkraad/app.py: see the docstring of the latter.
        command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true",
                   "--browser.gatherUsageStats", "false"]
        log = Path(tmp) / "streamlit.log"  # ServedApp.log
        with log.open("wb") as output:
            server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 30
                while not _healthy(base):
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"streamlit did not become healthy:\n{log.read_text(errors='replace')}")
                    time.sleep(0.2)
                yield ServedApp(base, url, Path(tmp))
            finally:
                server.terminate()
                try:
                    server.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """When a browser test fails: every open page as a screenshot in test-artifacts/failed-*.png,
    and the end of the server's log in the report. A failure that happens once in twenty runs
    can then be read instead of guessed."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    if report.when == "call" and report.failed and "browser" in funcargs:
        ARTIFACTS.mkdir(exist_ok=True)
        pages = [page for context in funcargs["browser"].contexts for page in context.pages]
        for number, page in enumerate(pages):
            with suppress(Exception):  # a page that is gone has nothing to show
                page.screenshot(path=ARTIFACTS / f"failed-{item.name}-{number}.png", full_page=True)
        served = funcargs.get("served_app")
        if served is not None and served.log.exists():
            report.sections.append(("streamlit log (end)", served.log.read_text(errors="replace")[-4000:]))
    return report


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
    settle(tab)
    yield tab
    context.close()


def settle(page: Page) -> None:
    """Wait until no run is going and, where the page draws a cookie component (a run that writes
    or deletes the login cookie), until it has reported (which reruns the app): styles are
    applied, and a click is not raced by that rerun."""
    not_running = page.locator('[data-test-script-state="notRunning"]')
    expect(not_running).to_be_attached(timeout=WAIT_MS)
    # A component that reported may be gone the next moment (its run is done): that counts too.
    page.wait_for_function("""() => [...document.querySelectorAll('iframe[title*="cookie_manager"]')]
        .every(frame => frame.contentDocument?.querySelector('#root > div'))""", timeout=WAIT_MS)
    expect(not_running).to_be_attached(timeout=WAIT_MS)


def still(page: Page) -> None:
    """Wait until no CSS transition or finite animation runs (a sidebar folding, a toast sliding in)."""
    page.wait_for_function("""() => document.getAnimations().every(animation =>
        animation.playState !== 'running' || animation.effect?.getComputedTiming().iterations === Infinity)""",
                           timeout=WAIT_MS)


def wait_for_cookie(page: Page, *, present: bool) -> None:
    has_cookie = f"document.cookie.split('; ').some(c => c.startsWith('{COOKIE}='))"
    page.wait_for_function(f"() => {'' if present else '!'}{has_cookie}", timeout=WAIT_MS)


def log_in(page: Page, password: str = DEMO_PASSWORD, username: str = "demo-leerkracht") -> None:
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()


def scroll_to_top(page: Page) -> None:
    """Streamlit scrolls inside its own containers; a screenshot shows the page from the top."""
    page.evaluate("""() => document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')
                         .forEach(element => element.scrollTo(0, 0))""")


def screenshot(page: Page, name: str) -> Path:
    """The whole page as Playwright sees it (Streamlit scrolls inside its own container, so this is
    what fits in the viewport); see `tall_screenshot` for all of a long page."""
    settle(page)
    still(page)
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    path = ARTIFACTS / f"browser-{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=path, full_page=True)
    return path


def tall_screenshot(page: Page, name: str, *, ready: Callable[[], None] | None = None) -> Path:
    """All of a long page: the viewport is made as tall as Streamlit's content for the shot (the
    file is named after the real viewport, with "-full"), then set back."""
    settle(page)
    size = page.viewport_size or {"width": 1024, "height": 768}
    content = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], [data-testid=\"stSidebar\"]')]"
        ".map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(content) + 40)})
    try:
        if ready is not None:
            ready()
        settle(page)
        still(page)
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"browser-{name}-{size['width']}x{size['height']}-full.png"
        page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def wait_until(condition: Callable[[], object], *, timeout: float = WAIT_MS / 1000, what: str = "condition") -> None:
    """Poll something outside the page (the database) until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def nl(key: str, **params: object) -> str:
    """The Dutch screen text, from the catalogue the app uses."""
    return t(key, language="nl", **params)


NewContext = Callable[..., BrowserContext]


@pytest.fixture(scope="module")
def teacher_cookies(browser: Browser, app_url: str) -> list:
    """Log the demo teacher in once; the login cookie is all a new context needs."""
    context = browser.new_context(viewport=LANDSCAPE)
    try:
        tab = context.new_page()
        tab.goto(app_url)
        expect(tab.get_by_text("Inloggen bij Kinderwijkraad")).to_be_visible(timeout=WAIT_MS)
        settle(tab)
        log_in(tab, username=TEACHER)
        expect(tab.get_by_text("Welkom, Juf Demi")).to_be_visible(timeout=WAIT_MS)
        wait_for_cookie(tab, present=True)
        return context.cookies()
    finally:
        context.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Browser contexts (each its own cookies: another device), closed after the test."""
    made: list[BrowserContext] = []

    def make(viewport: dict = PORTRAIT) -> BrowserContext:
        made.append(context := browser.new_context(viewport=viewport))
        return context

    yield make
    for context in made:
        context.close()


def open_run(engine: Engine) -> int | None:
    """The lesson open in the demo teacher's class (the one /les preselects), through the services."""
    actor = accounts.session_actor(engine, username=TEACHER)
    if actor is None:
        pytest.fail(f"the demo has no {TEACHER}")
    return lessons.teachable_classrooms(engine, actor=actor)[0].open_run_id


def start_lesson_2(teacher: Page, engine: Engine) -> str:
    """Start Les 2 in the preselected class, as the teacher does (the lesson another test left
    open ends), and return the class code on the board."""
    first_start = teacher.get_by_role("button", name="Start de les")
    start_other = teacher.get_by_text(nl("lesson.start_other"))
    expect(first_start.or_(start_other).first).to_be_visible(timeout=WAIT_MS)
    settle(teacher)
    before = open_run(engine)
    if start_other.is_visible():
        start_other.click()
        form = teacher.get_by_test_id("stExpander").filter(has_text=nl("lesson.start_other"))
    else:
        form = teacher.get_by_test_id("stForm")
    form.get_by_text(LESSON_2).click()
    form.get_by_role("button", name="Start de les").click()
    # Two waits, so a failure says which half went wrong: the click, or the redraw.
    wait_until(lambda: open_run(engine) not in (None, before), what="the click on 'Start de les' to start a run")
    code = teacher.locator("code").first
    expect(teacher.get_by_role("heading", name=STEP_JOIN)).to_be_visible(timeout=WAIT_MS)
    run_code = lessons.run_state(engine, open_run(engine)).join_code
    expect(code).to_have_text(run_code, timeout=WAIT_MS)
    settle(teacher)
    return run_code


def join_tablets(new_context: NewContext, app_url: str, code: str, teams: dict[str, dict], *,
                 step: str = STEP_JOIN, visit: Callable[[Page, str], None] | None = None) -> dict[str, Page]:
    """Children's tablets (team name: viewport) join with the code from the board, each as a new
    team, and land on the class's step. `visit(tablet, screen)` is called on the way, on the
    screens "join-code" (the code filled in from the address) and "join-team" (pick a team)."""
    tablets = {}
    for team, viewport in teams.items():
        tablet = tablets[team] = new_context(viewport).new_page()
        tablet.goto(f"{app_url}/meedoen?code={code}")
        expect(tablet.get_by_role("textbox", name="Code van het bord")).to_have_value(code, timeout=WAIT_MS)
        settle(tablet)
        if visit is not None:
            visit(tablet, "join-code")
        tablet.get_by_role("button", name="Verder").click()
        new_team = tablet.get_by_label("Of typ de naam van een nieuw groepje")
        if visit is not None:
            expect(new_team).to_be_visible(timeout=WAIT_MS)
            visit(tablet, "join-team")
        new_team.fill(team)
        tablet.get_by_role("button", name="Meedoen", exact=True).click()
        expect(tablet.get_by_text(f"Groepje {team} ·")).to_be_visible(timeout=WAIT_MS)
        expect(tablet).to_have_url(re.compile(r"[?&]tablet="), timeout=WAIT_MS)
        expect(tablet.get_by_role("heading", name=step)).to_be_visible(timeout=WAIT_MS)
        settle(tablet)
    return tablets


def go(teacher: Page, button: str, heading: str) -> None:
    """The teacher moves the class on (or back) and sees the step at once."""
    settle(teacher)  # a click during the rerun the cookie component asks for after a load can get lost
    teacher.get_by_role("button", name=button).click()
    expect(teacher.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT_MS)
    settle(teacher)


def follows(tablet: Page, heading: str) -> None:
    """The tablet shows the step by itself: no reload, no click."""
    expect(tablet.get_by_role("heading", name=heading)).to_be_visible(timeout=FOLLOW_MS)
    settle(tablet)


@pytest.fixture(scope="module")
def open_poll(served_app: ServedApp) -> Iterator[tuple[polls.PollView, int]]:
    """An open wijk vote (pick 3 of 5 themes) in the demo wijk, and the class that votes. Set up
    through the services, as the facilitator's page would."""
    engine = db.make_engine(served_app.database_url)
    facilitator = accounts.session_actor(engine, username="demo-begeleider")
    cycle_id = next(s.cycle_id for s in polls.poll_scopes(engine, actor=facilitator) if s.cycle_id)
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=cycle_id, title="Browserstemming")
    polls.open_poll(engine, actor=facilitator, poll_id=poll_id)
    classroom_id = polls.turnout(engine, actor=facilitator, poll_id=poll_id)[0].classroom_id
    yield polls.poll_view(engine, actor=facilitator, poll_id=poll_id), classroom_id
    engine.dispose()
