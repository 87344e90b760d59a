"""What the browser tests share: a served app on a seeded demo database, Debian's Chromium, and the
waits that keep a test from racing Streamlit's reruns.

A browser test module loads the fixtures with `pytest_plugins = ["tests.browser_support"]` and
imports the helpers. Module scope is per test module, so each gets its own server and database.
The module imports before pytest loads it as a plugin, too late to rewrite its asserts; it has
none (it calls pytest.fail), and this marker says so: PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import os
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
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from kinderwijkraad import db
from kinderwijkraad.services.demo import DEMO_PASSWORD, seed_demo

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
    """Wait until the cookie component has reported the browser's cookies (which reruns the app)
    and no run is going: styles are applied, and a click is not raced by that rerun."""
    cookie_frame = page.locator('iframe[title*="cookie_manager"]').first.content_frame
    expect(cookie_frame.locator("#root > div")).to_be_attached(timeout=WAIT_MS)
    expect(page.locator('[data-test-script-state="notRunning"]')).to_be_attached(timeout=WAIT_MS)


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
