"""Every page every role has, and the children's tablet screens, opened in Chromium in Dutch and in
English: no exception (browser_support fails the test on one), no Streamlit English on a Dutch
screen, no sideways scrolling, and a screenshot of each to look at.

Staff pages at 1024×768 (test-artifacts/tour-<role>-<language>-<page>-1024x768-full.png), the
children's screens at 768×1024 (tour-child-<language>-<screen>-768x1024-full.png).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine

from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import accounts, ballots, lessons, polls, templates
from kinderwijkraad.ui import navigation
from tests.browser_support import (
    LANDSCAPE,
    PORTRAIT,
    WAIT_MS,
    ServedApp,
    choose_language,
    log_in,
    open_sidebar,
    settle,
    tall_screenshot,
)
from tests.streamlit_english import english_on

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACCOUNTS = {Role.ADMIN: "demo-admin", Role.FACILITATOR: "demo-begeleider", Role.TEACHER: "demo-leerkracht",
            Role.OFFICIAL: "demo-ambtenaar"}
CHILD_PAGES = {navigation.JOIN.url_path, navigation.VOTE.url_path, navigation.BOOTH.url_path,
               navigation.REPLY.url_path}


def _sideways(page: Page) -> bool:
    return page.evaluate("""() => { const main = document.querySelector('[data-testid="stMain"]');
                                   return !!main && main.scrollWidth > main.clientWidth + 1; }""")


def _open_menu_item(page: Page, spec: navigation.PageSpec, language: str) -> None:
    """Open a page through the menu, as a person does (the session keeps its language)."""
    open_sidebar(page)
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name=t(spec.title_key, language=language), exact=True).click()
    settle(page)


def _looked_at(page: Page, name: str, language: str) -> list[str]:
    tall_screenshot(page, name)
    problems = []
    if language == "nl":
        problems += [f"{name}: {found}" for found in english_on(page)]
    if _sideways(page):
        problems.append(f"{name}: scrolls sideways")
    return problems


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda role: role.value)
def test_every_staff_page_opens_cleanly(browser: Browser, app_url: str, role: Role, language: str) -> None:
    context = browser.new_context(viewport=LANDSCAPE)
    try:
        page = context.new_page()
        page.goto(app_url)
        expect(page.get_by_test_id("stForm")).to_be_visible(timeout=3 * WAIT_MS)
        settle(page)
        log_in(page, username=ACCOUNTS[role])
        expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=WAIT_MS)
        settle(page)
        choose_language(page, language)
        problems = []
        for spec in navigation.pages_for(role):
            if spec.url_path in CHILD_PAGES:
                continue
            _open_menu_item(page, spec, language)
            expect(page.get_by_role("heading").first).to_be_visible(timeout=WAIT_MS)
            problems += _looked_at(page, f"tour-{role.value}-{language}-{spec.url_path}", language)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.fixture(scope="module")
def child_codes(app_engine: Engine, app_url: str) -> tuple[str, str]:
    """The code of a lesson open in the demo teacher's class, and a card of an open vote."""
    teacher = accounts.session_actor(app_engine, username=ACCOUNTS[Role.TEACHER])
    facilitator = accounts.session_actor(app_engine, username=ACCOUNTS[Role.FACILITATOR])
    classroom = lessons.teachable_classrooms(app_engine, actor=teacher)[0]
    run_id = classroom.open_run_id or lessons.start_run(
        app_engine, actor=teacher, classroom_id=classroom.id, template_id=templates.latest_template(app_engine).id,
        lesson_index=1)
    cycle_id = next(s.cycle_id for s in polls.poll_scopes(app_engine, actor=facilitator) if s.cycle_id)
    poll_id = polls.create_poll(app_engine, actor=facilitator, cycle_id=cycle_id, title="Rondleiding")
    polls.open_poll(app_engine, actor=facilitator, poll_id=poll_id)
    classroom_id = polls.turnout(app_engine, actor=facilitator, poll_id=poll_id)[0].classroom_id
    card = ballots.issue_cards(app_engine, actor=facilitator, poll_id=poll_id, classroom_id=classroom_id, count=2,
                               base_url=app_url).cards
    return lessons.run_state(app_engine, run_id).join_code, tuple(c.code for c in card)


@pytest.fixture(scope="module")
def app_engine(served_app: ServedApp):  # module scope: the codes are made once
    from kinderwijkraad import db

    engine = db.make_engine(served_app.database_url)
    yield engine
    engine.dispose()


def _public_page(context: BrowserContext, app_url: str, language: str) -> Page:
    """A new tablet session on the login page, in `language` (the children's pages have no picker;
    a session keeps the language it chose)."""
    page = context.new_page()
    page.goto(app_url)
    expect(page.get_by_test_id("stForm")).to_be_visible(timeout=3 * WAIT_MS)
    settle(page)
    choose_language(page, language)
    return page


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_childrens_screens_open_cleanly(browser: Browser, app_url: str, child_codes, language: str) -> None:
    join_code, cards = child_codes
    card = cards[0 if language == "nl" else 1]
    context = browser.new_context(viewport=PORTRAIT)
    problems = []
    try:
        page = _public_page(context, app_url, language)
        _open_menu_item(page, navigation.JOIN, language)
        problems += _looked_at(page, f"tour-child-{language}-join-code", language)
        page.get_by_role("textbox", name=t("join.code", language=language)).fill(join_code)
        page.get_by_role("button", name=t("join.next", language=language)).click()
        new_team = page.get_by_label(t("join.new_team", language=language))
        expect(new_team).to_be_visible(timeout=WAIT_MS)
        settle(page)
        problems += _looked_at(page, f"tour-child-{language}-join-team", language)
        new_team.fill(f"Rondje {language}")
        page.get_by_role("button", name=t("join.join", language=language), exact=True).click()
        expect(page.get_by_text(f"Rondje {language}").first).to_be_visible(timeout=WAIT_MS)
        settle(page)
        problems += _looked_at(page, f"tour-child-{language}-lesson-step", language)

        # The voting pages are kiosks without a menu: each is reached from a session of its own.
        page = _public_page(context, app_url, language)
        _open_menu_item(page, navigation.VOTE, language)
        problems += _looked_at(page, f"tour-child-{language}-vote-card", language)
        page.get_by_label(t("vote.card_code", language=language), exact=True).fill(card)
        page.get_by_role("button", name=t("vote.next", language=language)).click()
        expect(page.get_by_role("button", name=t("ballot.vote", language=language))).to_be_visible(timeout=WAIT_MS)
        settle(page)
        problems += _looked_at(page, f"tour-child-{language}-vote-ballot", language)

        page = _public_page(context, app_url, language)
        _open_menu_item(page, navigation.BOOTH, language)
        problems += _looked_at(page, f"tour-child-{language}-booth", language)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
