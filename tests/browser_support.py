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
import warnings
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import Engine

from kinderwijkraad import db
from kinderwijkraad.i18n import LANGUAGES, t
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


# What a server log holds when a run raised: Streamlit's own handler, or our boundary's incident.
SERVER_ERROR_MARKS = ("Traceback (most recent call last)", "Uncaught app exception", "Uncaught app execution",
                      "kinderwijkraad.incident")
# What a page shows when a run raised (Streamlit's exception box, or our incident message).
PAGE_ERROR_SELECTOR = '[data-testid="stException"]'
INCIDENT_TEXT = re.compile(r"\((code|code:) [A-Z2-9]{4}\)")


def page_errors(page: Page) -> list[str]:
    """What on this page says a run raised: Streamlit's exception box or our incident message."""
    found = [f"exception box: {text[:300]}" for text in page.locator(PAGE_ERROR_SELECTOR).all_inner_texts()]
    found += [f"incident: {text[:300]}" for text in page.get_by_test_id("stAlert").all_inner_texts()
              if INCIDENT_TEXT.search(text)]
    return found


def server_errors(log: Path, since: int) -> str:
    """The part of the server log written after byte `since`, if it holds an exception."""
    if not log.exists():
        return ""
    with log.open("rb") as handle:
        handle.seek(since)
        new = handle.read().decode(errors="replace")
    return new if any(mark in new for mark in SERVER_ERROR_MARKS) else ""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Every browser test fails when the server raised during it or an open page shows an exception,
    whatever the test itself was looking at (checked before the test's pages are closed)."""
    funcargs = getattr(item, "funcargs", {})
    served: ServedApp | None = funcargs.get("served_app")
    start = served.log.stat().st_size if served is not None and served.log.exists() else 0
    result = yield
    problems = []
    browser = funcargs.get("browser")
    if browser is not None:
        for context in browser.contexts:
            for tab in context.pages:
                with suppress(Exception):  # a page closed or navigating has nothing to show
                    problems += page_errors(tab)
    if served is not None and (logged := server_errors(served.log, start)):
        problems.append(f"server log:\n{logged[-6000:]}")
    if problems:
        pytest.fail("an exception reached a page or the server log:\n" + "\n".join(problems), pytrace=False)
    return result


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): browser test skipped")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


FIRST_LOAD_MS = 90_000  # a fresh server's first page: it imports every page; slow on a busy machine


@pytest.fixture(scope="module")
def app_url(served_app: ServedApp, browser: Browser) -> str:
    """The served app's address, once its first page has been drawn: the first run of a fresh server
    imports the whole app and can outlast the waits of a test, which are for a warm server."""
    context = browser.new_context(viewport=LANDSCAPE)
    try:
        tab = context.new_page()
        tab.goto(served_app.url, timeout=FIRST_LOAD_MS)
        expect(tab.get_by_text("Inloggen bij Kinderwijkraad")).to_be_visible(timeout=FIRST_LOAD_MS)
    finally:
        context.close()
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
    # Polled on a timer, not on animation frames: twice in a soak an expect().to_be_attached here
    # (which polls on frames) was still waiting minutes past its 15 s timeout.
    not_running = """() => !!document.querySelector('[data-test-script-state="notRunning"]')"""
    try:
        page.wait_for_function(not_running, polling=100, timeout=WAIT_MS)
        # A component that reported may be gone the next moment (its run is done): that counts too.
        page.wait_for_function("""() => [...document.querySelectorAll('iframe[title*="cookie_manager"]')]
            .every(frame => frame.contentDocument?.querySelector('#root > div'))""", polling=100, timeout=WAIT_MS)
        page.wait_for_function(not_running, polling=100, timeout=WAIT_MS)
    except PlaywrightTimeoutError as error:  # as an expect says it: callers wait on AssertionError
        raise AssertionError(f"the page did not settle: {error}") from error


def drawn(page: Page) -> None:
    """Wait until the browser has drawn what arrives after the run: Plotly charts (their library
    loads lazily; until then a grey skeleton stands in) and any other element still a skeleton."""
    page.wait_for_function("""() => !document.querySelector('[data-testid^="stSkeleton"]')
        && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))""",
        timeout=WAIT_MS)


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
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()


def open_sidebar(page: Page) -> None:
    """A portrait tablet starts with the menu folded away; unfold it as a person does."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():
        expand.click()
        expect(page.get_by_test_id("stSidebarNav")).to_be_in_viewport(timeout=WAIT_MS)


def choose_language(page: Page, language: str) -> None:
    """Pick the session's language in the sidebar (a session keeps it; a new one starts in Dutch)."""
    if language == "nl":
        return
    open_sidebar(page)
    settle(page)
    option = page.get_by_role("option", name=LANGUAGES[language])
    for _ in range(3):  # a click during a rerun can be swallowed: open the list until it shows
        page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        try:
            expect(option).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            settle(page)
    option.click()
    settle(page)


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
        drawn(page)
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


class PressedAgain(UserWarning):
    """A press showed no effect and was pressed again (listed in pytest's warnings summary)."""


def press(page: Page, button: Locator, done: Callable[[], object], *, what: str, first_wait: float = 8.0) -> None:
    """Press `button` and wait until `done()` holds, the way a person does: once more if nothing
    happened. Under load Streamlit now and then drops a press (CI: "Start de les" on a board whose
    fragments rerun every second). Pressed again only after `first_wait` seconds with the page
    idle and the button still there, so a slow first press is not doubled; the second press is
    reported as a PressedAgain warning, and a press that never works still fails the test."""
    button.click()
    deadline = time.monotonic() + first_wait
    while not done():
        if time.monotonic() > deadline:
            settle(page)
            if done():
                return
            if button.is_visible() and button.is_enabled():
                warnings.warn(PressedAgain(f"pressed again: {what}"), stacklevel=2)
                button.click()
            break
        time.sleep(0.1)
    wait_until(done, what=what)


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


@pytest.fixture
def teacher(new_context: NewContext, teacher_cookies: list, app_url: str) -> Page:
    """The teacher's laptop, logged in, on Les geven."""
    context = new_context(LANDSCAPE)
    context.add_cookies(teacher_cookies)
    tab = context.new_page()
    tab.goto(f"{app_url}/les")
    return tab


def tablet_token(tablet: Page) -> str:
    """The device token a joined tablet carries in its address."""
    return parse_qs(urlparse(tablet.url).query)["tablet"][0]


def choose(page: Page, label: str, option: str) -> None:
    """Pick the option starting with `option` in the visible selectbox labelled `label` (a rerun follows)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    chosen = re.compile("^" + re.escape(option))
    expect(box).to_be_visible(timeout=WAIT_MS)
    if chosen.match(box.input_value()):
        return
    box.click()
    page.get_by_role("option", name=chosen).first.click()
    expect(box).to_have_value(chosen, timeout=WAIT_MS)
    settle(page)


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
    # Two waits, so a failure says which half went wrong: the click, or the redraw.
    press(teacher, form.get_by_role("button", name="Start de les"), lambda: open_run(engine) not in (None, before),
          what="the click on 'Start de les' to start a run")
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
        new_team = tablet.get_by_label("Of typ de naam van een nieuw groepje")
        press(tablet, tablet.get_by_role("button", name="Verder"), new_team.is_visible,
              what="'Verder' with the class code to show the teams")
        if visit is not None:
            expect(new_team).to_be_visible(timeout=WAIT_MS)
            visit(tablet, "join-team")
        new_team.fill(team)
        joined = tablet.get_by_text(f"Groepje {team} ·")
        press(tablet, tablet.get_by_role("button", name="Meedoen", exact=True), joined.is_visible,
              what=f"'Meedoen' to join as {team}")
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
