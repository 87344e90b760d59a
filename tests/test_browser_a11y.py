"""Accessibility on classroom tablets: every screen of the child flows and the teacher's lesson
mode, in headless Chromium at 1024x768 and 768x1024.

Each screen gets an axe-core scan (the copy bundled by axe-playwright-python, all rules axe runs by
default: WCAG 2.0-2.2 A and AA plus best practices); a serious or critical violation fails the
test unless ALLOWED names it (Streamlit's own markup, which the app cannot change). On the
children's screens every visible touch target must measure at least 48 x 48 CSS px. The page must
say it is Dutch (<html lang="nl">; Streamlit serves "en", ui/style.py corrects it).

docs/accessibility.md says what is checked, what is allowed and why, and what axe cannot judge.
Screenshots of every screen: test-artifacts/browser-a11y-*.png; every finding, of any impact:
test-artifacts/a11y-report.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from kinderwijkraad.services import accounts, ballots
from tests.browser_support import (
    ARTIFACTS,
    LANDSCAPE,
    PORTRAIT,
    STEP_BRAINSTORM,
    STEP_PLAN,
    WAIT_MS,
    NewContext,
    follows,
    go,
    join_tablets,
    nl,
    screenshot,
    scroll_to_top,
    settle,
    start_lesson_2,
)

# The fixtures (served_app, browser, app_url, app_engine, teacher_cookies, new_context, open_poll)
# live in browser_support too, found by name.
pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
FAILING_IMPACTS = {"serious", "critical"}
# Serious or critical findings caused by Streamlit's own markup, which the app cannot change: rule
# id -> (a piece of the CSS selector axe reports for the node, why it is allowed). Keep it small;
# docs/accessibility.md lists the same. Everything else is ours to fix.
ALLOWED: dict[str, tuple[str, str]] = {}
MIN_TARGET = 48  # CSS px, both ways (WCAG 2.5.5 AAA; Apple and Android ask 44 and 48)
# Touch targets not measured, each with the reason. Everything else that can be tapped is.
NOT_TOUCH_TARGETS = {
    '[data-testid="stSkipToContent"]': "Streamlit's skip link: 1 x 1 px until a keyboard focuses it, never tapped",
}

# What a finger taps: the element itself, or the box that holds it (a radio's and a checkbox's
# input is hidden inside its label; a text field's and a select's input inside a bordered box).
TARGETS_JS = """([selectors, excluded]) => {
    const boxOf = e => {
        if (e.matches('input[type=radio], input[type=checkbox]')) return e.closest('label') || e;
        if (e.closest('[data-testid=stSelectbox]')) return e.closest('[role=group]') || e;
        if (e.matches('input')) return e.closest('[data-testid=stTextInputRootElement]') || e;
        return e;
    };
    const boxes = new Set();
    for (const e of document.querySelectorAll(selectors)) {
        if (!excluded.some(x => e.closest(x))) boxes.add(boxOf(e));
    }
    return [...boxes].filter(e => e.checkVisibility({visibilityProperty: true, opacityProperty: true}))
        .map(e => ({box: e.getBoundingClientRect().toJSON(), tag: e.tagName.toLowerCase(),
                    testid: e.closest('[data-testid]')?.dataset.testid ?? '',
                    name: (e.getAttribute('aria-label') || e.innerText || '').replace(/\\s+/g, ' ').slice(0, 40)}))
        .filter(t => t.box.width > 0 && t.box.height > 0 && t.box.right > 0 && t.box.left < window.innerWidth);
}"""
TAPPABLE = ("button, a[href], input:not([type=hidden]):not([type=file]), textarea, select, summary, "
            "[role=button], [role=tab], [role=switch], [role=checkbox], [role=radio], [role=combobox], [role=link]")

REPORT: dict[str, dict] = {}


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    """All findings of the module, for people: test-artifacts/a11y-report.json."""
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "a11y-report.json").write_text(json.dumps(REPORT, indent=1, ensure_ascii=False), encoding="utf-8")


def _axe(page: Page) -> list[dict]:
    for frame in page.frames:  # the cookie components are iframes: axe looks inside them too
        if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
            frame.evaluate(AXE_SCRIPT)
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")["violations"]


def _allowed(rule: str, node: dict) -> bool:
    piece, _reason = ALLOWED.get(rule, ("\0", ""))
    return any(piece in selector for selector in map(str, node["target"]))


def check(page: Page, screen: str, *, child: bool) -> list[str]:
    """Scan the screen as it is now; return what fails, each as one readable line (also kept for
    the report, with the moderate and minor findings)."""
    settle(page)
    scroll_to_top(page)
    screenshot(page, f"a11y-{screen}")
    size = page.viewport_size or LANDSCAPE
    name = f"{screen} {size['width']}x{size['height']}"
    failures = []
    violations = _axe(page)
    for violation in violations:
        for node in violation["nodes"]:
            if violation["impact"] in FAILING_IMPACTS and not _allowed(violation["id"], node):
                failures.append(f"{name}: axe {violation['id']} ({violation['impact']}) at {node['target']}: "
                                f"{node.get('failureSummary', '')!r}")
    small = []
    if child:
        targets = page.evaluate(TARGETS_JS, [TAPPABLE, list(NOT_TOUCH_TARGETS)])
        small = [target for target in targets
                 if round(target["box"]["width"]) < MIN_TARGET or round(target["box"]["height"]) < MIN_TARGET]
        failures += [f"{name}: touch target {target['tag']} {target['testid']} {target['name']!r} is "
                     f"{target['box']['width']:.0f} x {target['box']['height']:.0f} px" for target in small]
    language = page.evaluate("document.documentElement.lang")
    if language != "nl":
        failures.append(f'{name}: <html lang="{language}">, the screen is Dutch')
    REPORT[name] = {"axe": [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
                             "targets": [node["target"] for node in v["nodes"]]} for v in violations],
                    "small_touch_targets": small, "lang": language}
    return failures


@VIEWPORTS
def test_the_lesson_screens_pass_axe_and_give_children_48px_targets(
        new_context: NewContext, teacher_cookies: list, app_url: str, app_engine: Engine, viewport: dict) -> None:
    """Meedoen (the code, the team, the steps, the plan form) and the teacher's Les geven, in
    lesson mode at the join, brainstorm and plan steps, and as the board only."""
    failures: list[str] = []
    teacher_context = new_context(viewport)
    teacher_context.add_cookies(teacher_cookies)
    teacher = teacher_context.new_page()
    teacher.goto(f"{app_url}/les")
    code = start_lesson_2(teacher, app_engine)
    failures += check(teacher, "les-join", child=False)

    def visit(tablet: Page, screen: str) -> None:
        failures.extend(check(tablet, f"meedoen-{screen}", child=True))

    [tablet] = join_tablets(new_context, app_url, code, {"De Egels": viewport}, visit=visit).values()
    failures += check(tablet, "meedoen-step", child=True)

    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    follows(tablet, STEP_BRAINSTORM)
    failures += check(tablet, "meedoen-brainstorm", child=True)
    failures += check(teacher, "les-brainstorm", child=False)

    go(teacher, "Volgende stap", STEP_PLAN)
    follows(tablet, STEP_PLAN)
    expect(tablet.get_by_role("radiogroup").first).to_be_visible(timeout=WAIT_MS)
    failures += check(tablet, "meedoen-plan", child=True)
    failures += check(teacher, "les-plan", child=False)
    teacher.get_by_text(nl("lesson.board_mode"), exact=True).click()
    expect(teacher.get_by_text(nl("lesson.for_teacher"))).to_have_count(0, timeout=WAIT_MS)
    failures += check(teacher, "les-board-only", child=False)
    assert not failures, "\n".join(failures)


@VIEWPORTS
def test_the_voting_screens_pass_axe_and_give_children_48px_targets(
        new_context: NewContext, app_url: str, app_engine: Engine, open_poll, viewport: dict) -> None:
    """Stemmen (the card, the ballot, the receipt) and Stemhokje (pairing, locked, the ballot)."""
    poll, classroom_id = open_poll
    facilitator = accounts.session_actor(app_engine, username="demo-begeleider")
    card = ballots.issue_cards(app_engine, actor=facilitator, poll_id=poll.id, classroom_id=classroom_id, count=1,
                               base_url=app_url).cards[0].code
    failures: list[str] = []
    voter = new_context(viewport).new_page()
    voter.goto(f"{app_url}/stemmen")
    voter.get_by_label(nl("vote.card_code"), exact=True).fill(card)
    failures += check(voter, "stemmen-card", child=True)
    voter.get_by_role("button", name=nl("vote.next")).click()
    voter.get_by_role("button", name=poll.options[0].label, exact=True).click()
    expect(voter.get_by_role("button", name=f"✓ {poll.options[0].label}")).to_be_visible(timeout=WAIT_MS)
    failures += check(voter, "stemmen-ballot", child=True)
    voter.get_by_role("button", name=nl("ballot.vote")).click()
    expect(voter.get_by_text(nl("vote.counted"))).to_be_visible(timeout=WAIT_MS)
    failures += check(voter, "stemmen-receipt", child=True)

    booth = ballots.booth_for(app_engine, actor=facilitator, poll_id=poll.id, classroom_id=classroom_id)
    booth = ballots.repair_booth(app_engine, actor=facilitator, booth_id=booth.id)  # a fresh code per test
    tablet = new_context(viewport).new_page()
    tablet.goto(f"{app_url}/stemhokje")
    tablet.get_by_label(nl("booth.pair_code")).fill(booth.pair_code)
    failures += check(tablet, "stemhokje-pair", child=True)
    tablet.get_by_role("button", name=nl("booth.pair")).click()
    expect(tablet.get_by_text(nl("booth.wait"))).to_be_visible(timeout=WAIT_MS)
    failures += check(tablet, "stemhokje-locked", child=True)
    ballots.set_booth(app_engine, actor=facilitator, booth_id=booth.id, unlocked=True)
    expect(tablet.get_by_role("button", name=nl("ballot.vote"))).to_be_visible(timeout=WAIT_MS)
    failures += check(tablet, "stemhokje-ballot", child=True)
    assert not failures, "\n".join(failures)
