"""The random explorer (tests/explorer.py) walks every role's pages and the children's tablet pages.

`make test` runs fixed seeds with a small number of actions each. To replay a failure or soak:

    KWR_EXPLORER_SEED=1234 pytest tests/test_explorer.py -k facilitator   # replay one seed
    KWR_EXPLORER_STEPS=60 pytest tests/test_explorer.py                   # longer walks
    KWR_EXPLORER_MINUTES=30 pytest tests/test_explorer.py -k soak         # new seeds until time is up
    KWR_EXPLORER_SKIP=english,cut,sideways ...                            # look for crashes only

Staff walk on the demo data, or (for the roles that may) first make a new wijk through the page and
walk from there. Children's walks start on Meedoen with the code of a lesson the teacher opened, and
know two voting cards of an open vote, so random typing gets them somewhere.
"""

from __future__ import annotations

import os
import time
from contextlib import suppress
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import Engine

from kinderwijkraad.services import accounts, ballots, lessons, templates
from tests.browser_support import (
    LANDSCAPE,
    PORTRAIT,
    WAIT_MS,
    ServedApp,
    choose_language,
    log_in,
    nl,
    open_sidebar,
    settle,
    wait_for_cookie,
)
from tests.explorer import Explorer, ExplorerFound, WalkStuck, watchdog

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

# make test: twelve fixed walks of 12 actions (about six minutes on 2 cores); the soak goes further.
STEPS = int(os.environ.get("KWR_EXPLORER_STEPS", "12"))
REPLAY_SEED = os.environ.get("KWR_EXPLORER_SEED")
SOAK_MINUTES = float(os.environ.get("KWR_EXPLORER_MINUTES", "0"))
SKIP_CHECKS = frozenset(filter(None, os.environ.get("KWR_EXPLORER_SKIP", "").split(",")))  # e.g. english,cut
ACCOUNTS = {"admin": "demo-admin", "facilitator": "demo-begeleider", "teacher": "demo-leerkracht",
            "official": "demo-ambtenaar"}
MAKES_WIJKEN = ("admin", "facilitator")
SETUP_SECONDS = 300  # a login and a new wijk wait at most a few times WAIT_MS each; far beyond is stuck
EXPLORER_WIJK = "Verkenwijk"


@dataclass(frozen=True)
class Walk:
    who: str  # a role in ACCOUNTS, or "child"
    viewport: str  # "landscape" 1024×768 or "portrait" 768×1024
    language: str
    seed: int
    new_wijk: bool = False

    @property
    def label(self) -> str:
        return f"{self.who}-{self.viewport}-{self.language}{'-newwijk' if self.new_wijk else ''}-{self.seed}"


# Every role at both sizes and in both languages, on the demo and (where the role may) a new wijk.
WALKS = [
    Walk("admin", "landscape", "nl", 101), Walk("admin", "portrait", "en", 102, new_wijk=True),
    Walk("facilitator", "landscape", "nl", 201, new_wijk=True), Walk("facilitator", "portrait", "en", 202),
    Walk("facilitator", "landscape", "nl", 203),
    Walk("teacher", "landscape", "en", 301), Walk("teacher", "portrait", "nl", 302),
    Walk("official", "landscape", "nl", 401), Walk("official", "portrait", "en", 402),
    Walk("child", "portrait", "nl", 501), Walk("child", "landscape", "en", 502), Walk("child", "portrait", "nl", 503),
]


def _make_wijk(page: Page, app_url: str, seed: int) -> None:
    """Make a new wijk on Wijken as a person does: the walk starts from what was just made."""
    # The login cookie carries the session over to the new address once the browser has written it
    # (before, the address shows the login form).
    wait_for_cookie(page, present=True)
    page.goto(f"{app_url}/wijken")
    new = page.get_by_text(nl("wijken.new_neighbourhood"))
    expect(new).to_be_visible(timeout=WAIT_MS)
    settle(page)
    new.click()
    form = page.get_by_test_id("stForm").first
    form.get_by_label(nl("field.name")).fill(f"{EXPLORER_WIJK} {seed}")
    form.get_by_label(nl("field.municipality")).fill("Proefstad")
    form.get_by_role("button", name=nl("action.create")).click()
    expect(page.get_by_text(f"{EXPLORER_WIJK} {seed}").first).to_be_visible(timeout=WAIT_MS)
    settle(page)


@pytest.fixture(scope="module")
def child_codes(served_app: ServedApp) -> tuple[str, ...]:
    """A lesson open in the teacher's class (its join code) and two cards of an open vote."""
    from kinderwijkraad import db
    from kinderwijkraad.services import polls

    engine: Engine = db.make_engine(served_app.database_url)
    try:
        teacher = accounts.session_actor(engine, username=ACCOUNTS["teacher"])
        facilitator = accounts.session_actor(engine, username=ACCOUNTS["facilitator"])
        classroom = lessons.teachable_classrooms(engine, actor=teacher)[0]
        run_id = classroom.open_run_id or lessons.start_run(
            engine, actor=teacher, classroom_id=classroom.id, template_id=templates.latest_template(engine).id,
            lesson_index=1)  # Les 2: teams, notes, the plan form
        codes = [lessons.run_state(engine, run_id).join_code]
        cycle_id = next(s.cycle_id for s in polls.poll_scopes(engine, actor=facilitator) if s.cycle_id)
        poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=cycle_id, title="Verkenstemming")
        polls.open_poll(engine, actor=facilitator, poll_id=poll_id)
        classroom_id = polls.turnout(engine, actor=facilitator, poll_id=poll_id)[0].classroom_id
        cards = ballots.issue_cards(engine, actor=facilitator, poll_id=poll_id, classroom_id=classroom_id, count=2,
                                    base_url=served_app.url).cards
        codes += [card.code for card in cards]
        return tuple(codes)
    finally:
        engine.dispose()


def _walk(browser: Browser, served_app: ServedApp, walk: Walk, codes: tuple[str, ...], *, steps: int,
          deadline: float | None = None, verbose: bool = False) -> int:
    context = browser.new_context(viewport=LANDSCAPE if walk.viewport == "landscape" else PORTRAIT)
    try:
        page = context.new_page()
        with watchdog(SETUP_SECONDS, f"[{walk.label}] seed {walk.seed}: the walk's set-up"):
            _set_up(page, served_app, walk)
        explorer = Explorer(page, served_app.log, walk.seed, language=walk.language, label=walk.label,
                            extra_texts=codes if walk.who == "child" else (), skip_checks=SKIP_CHECKS, verbose=verbose)
        return explorer.walk(steps, deadline=deadline)
    finally:
        with suppress(WalkStuck), watchdog(60, "closing the walk's browser context"):
            context.close()


def _set_up(page: Page, served_app: ServedApp, walk: Walk) -> None:
    """The walk's start: a child on Meedoen, staff logged in (on a new wijk where asked)."""
    page.goto(served_app.url)
    # The login form: the app has drawn its first run (slow on a busy machine, hence the margin).
    expect(page.get_by_test_id("stForm")).to_be_visible(timeout=3 * WAIT_MS)
    settle(page)
    if walk.who == "child":
        choose_language(page, walk.language)
        # In the session that chose the language: the children's pages are in the public menu.
        open_sidebar(page)
        page.get_by_test_id("stSidebarNav").locator('a[href$="/meedoen"]').click()
        settle(page)
    else:
        log_in(page, username=ACCOUNTS[walk.who])
        expect(page.get_by_test_id("stSidebarNav")).to_be_attached(timeout=WAIT_MS)
        settle(page)
        if walk.new_wijk:
            _make_wijk(page, served_app.url, walk.seed)
        choose_language(page, walk.language)


@pytest.mark.parametrize("walk", WALKS, ids=lambda walk: walk.label)
def test_the_explorer_finds_nothing(browser: Browser, served_app: ServedApp, child_codes, walk: Walk) -> None:
    if REPLAY_SEED:
        walk = Walk(walk.who, walk.viewport, walk.language, int(REPLAY_SEED), walk.new_wijk)
    _walk(browser, served_app, walk, child_codes, steps=STEPS)


@pytest.mark.skipif(SOAK_MINUTES <= 0, reason="a soak runs only with KWR_EXPLORER_MINUTES set")
def test_soak(browser: Browser, served_app: ServedApp, child_codes) -> None:
    """New seeds over every kind of walk until the time is up; prints the seeds, the action count and
    every finding (a finding ends its walk, not the soak)."""
    deadline = time.monotonic() + SOAK_MINUTES * 60
    seed = int(REPLAY_SEED or time.time())
    done: list[tuple[str, int, int]] = []
    findings: list[str] = []
    while time.monotonic() < deadline:
        base = WALKS[seed % len(WALKS)]
        walk = Walk(base.who, base.viewport, base.language, seed, base.new_wijk and seed % 2 == 0)
        before = len(findings)
        try:
            count = _walk(browser, served_app, walk, child_codes, steps=STEPS * 2, deadline=deadline, verbose=True)
        except ExplorerFound as finding:
            count = str(finding).count("\n  ")
            findings.append(str(finding))
        except (AssertionError, PlaywrightError) as error:  # the walk's set-up (a login) did not get through
            count = 0
            findings.append(f"[{walk.label}] set-up: {str(error)[:500]}")
        except WalkStuck as stuck:
            count = 0
            findings.append(str(stuck))
        for number, finding in enumerate(findings[before:], before + 1):  # now: a soak may be cut short
            print(f"FINDING {number}:\n{finding}", flush=True)
        done.append((walk.label, seed, count))
        seed += 1
    print(f"soak: {len(done)} walks, {sum(count for *_, count in done)} actions, seeds {done[0][1]}–{done[-1][1]}, "
          f"{len(findings)} findings")
    for label, _seed, count in done:
        print(f"  {label}: {count} actions")
    assert not findings, "\n\n".join(findings)
