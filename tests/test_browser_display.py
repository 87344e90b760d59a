"""The bigger-text and high-contrast switch on the children's pages, in headless Chromium: it
changes the page at once, the tablet keeps it (a reload, Stemmen with the tablet's token), and every
children's screen passes axe with 48 px targets in the normal, the bigger-text and the
high-contrast mode, at 1024x768 and 768x1024 (tests/test_browser_a11y.py's check)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from kinderwijkraad.services import accounts, ballots, display
from kinderwijkraad.services.display import Display
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
    nl,
    settle,
    start_lesson_2,
    tablet_token,
)
from tests.test_browser_a11y import MIN_TARGET, check

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
LARGE, CONTRAST = nl("display.large_text"), nl("display.high_contrast")
MODES = (("normal", False, False), ("large", True, False), ("contrast", False, True))
# What the modes change, measured: the size of the children's text, the colours of text and buttons.
LOOKS = """() => {
    const text = [...document.querySelectorAll('[data-testid="stMain"] :is(h3, p)')].find(e => !e.closest(
        '.st-key-display_switch, [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"], button'));
    const primary = document.querySelector('[data-testid="stMain"] button[kind^="primary"]');
    return {size: parseFloat(getComputedStyle(text).fontSize),
            root: parseFloat(getComputedStyle(document.documentElement).fontSize), color: getComputedStyle(text).color,
            primary: primary && getComputedStyle(primary).backgroundColor,
            overflow: document.querySelector('[data-testid="stMain"]').scrollWidth - window.innerWidth};
}"""
SWITCH_BOXES = """() => [...document.querySelectorAll('.st-key-display_switch [data-testid="stCheckbox"] label')]
    .map(label => label.getBoundingClientRect().toJSON())"""


def _switch(page: Page, name: str):
    return page.get_by_role("switch", name=name, exact=True)


def set_mode(page: Page, *, large: bool, contrast: bool) -> None:
    """Tap the switches (their labels, as a finger does) until the page shows the mode."""
    for name, on in ((LARGE, large), (CONTRAST, contrast)):
        switch = _switch(page, name)
        if switch.is_checked() != on:
            settle(page)
            page.get_by_test_id("stCheckbox").filter(has_text=name).locator("label").click()
            expect(switch).to_be_checked(checked=on, timeout=WAIT_MS)
    # The switch shows its new state before the run that applies it: wait for the mode's style.
    page.wait_for_function("""([large, contrast]) => {
        const style = getComputedStyle(document.querySelector('.stApp'));
        return (style.getPropertyValue('--kwr-large-text').trim() === '1') === large
            && (style.getPropertyValue('--kwr-high-contrast').trim() === '1') === contrast;
    }""", arg=[large, contrast], timeout=WAIT_MS)
    settle(page)


def in_every_mode(page: Page, screen: str) -> list[str]:
    """The screen checked in each mode (axe, 48 px targets, lang), left in the normal mode."""
    failures = []
    for mode, large, contrast in MODES:
        set_mode(page, large=large, contrast=contrast)
        failures += check(page, f"{screen}-{mode}", child=True)
    set_mode(page, large=False, contrast=False)
    return failures


def test_the_tablet_keeps_its_mode_through_a_reload_and_on_stemmen(
        new_context: NewContext, teacher: Page, app_url: str, app_engine: Engine) -> None:
    code = start_lesson_2(teacher, app_engine)
    [tablet] = join_tablets(new_context, app_url, code, {"De Dassen": PORTRAIT}).values()
    token = tablet_token(tablet)
    normal = tablet.evaluate(LOOKS)
    assert not _switch(tablet, LARGE).is_checked() and not _switch(tablet, CONTRAST).is_checked()
    boxes = tablet.evaluate(SWITCH_BOXES)
    assert len(boxes) == 2 and all(min(box["width"], box["height"]) >= MIN_TARGET for box in boxes), boxes

    set_mode(tablet, large=True, contrast=False)
    large = tablet.evaluate(LOOKS)
    assert large["size"] == pytest.approx(normal["size"] * 1.35, rel=0.02), (normal, large)
    assert large["overflow"] <= 0, "bigger text must not push the page wider than the tablet"
    assert display.display_preference(app_engine, token) == Display(large_text=True)

    tablet.reload()
    expect(_switch(tablet, LARGE)).to_be_checked(timeout=WAIT_MS)
    settle(tablet)
    assert tablet.evaluate(LOOKS)["size"] == pytest.approx(large["size"])

    tablet.goto(f"{app_url}/stemmen?tablet={token}")
    expect(tablet.get_by_role("textbox", name=nl("vote.card_code"), exact=True)).to_be_visible(timeout=WAIT_MS)
    expect(_switch(tablet, LARGE)).to_be_checked(timeout=WAIT_MS)
    settle(tablet)
    on_stemmen = tablet.evaluate(LOOKS)
    assert on_stemmen["root"] == pytest.approx(normal["root"] * 1.35, rel=0.02)  # the text around the ballot too
    set_mode(tablet, large=True, contrast=True)
    contrast = tablet.evaluate(LOOKS)
    assert (contrast["color"], contrast["primary"]) == ("rgb(0, 0, 0)", "rgb(0, 0, 0)")
    assert (on_stemmen["color"], on_stemmen["primary"]) != (contrast["color"], contrast["primary"])
    boxes = tablet.evaluate(SWITCH_BOXES)
    assert all(min(box["width"], box["height"]) >= MIN_TARGET for box in boxes), boxes

    tablet.goto(f"{app_url}/meedoen?tablet={token}")  # back to the lesson: both still on
    expect(_switch(tablet, CONTRAST)).to_be_checked(timeout=WAIT_MS)
    expect(_switch(tablet, LARGE)).to_be_checked(timeout=WAIT_MS)
    set_mode(tablet, large=False, contrast=False)
    assert display.display_preference(app_engine, token) == Display()


@VIEWPORTS
def test_every_childrens_screen_passes_axe_in_every_mode(
        new_context: NewContext, teacher: Page, app_url: str, app_engine: Engine, open_poll, viewport: dict) -> None:
    """Meedoen (the code form, the brainstorm and plan steps), Stemmen (the ballot, the receipt)
    and Stemhokje (locked, the ballot, the receipt), each normal, with bigger text and in high
    contrast."""
    failures: list[str] = []
    code = start_lesson_2(teacher, app_engine)

    def visit(tablet: Page, screen: str) -> None:
        if screen == "join-code":  # no token yet: the session keeps the mode
            failures.extend(in_every_mode(tablet, "display-meedoen-join"))

    [tablet] = join_tablets(new_context, app_url, code, {"De Uilen": viewport}, visit=visit).values()
    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    follows(tablet, STEP_BRAINSTORM)
    failures += in_every_mode(tablet, "display-meedoen-brainstorm")
    go(teacher, "Volgende stap", STEP_PLAN)
    follows(tablet, STEP_PLAN)
    expect(tablet.get_by_role("radiogroup").first).to_be_visible(timeout=WAIT_MS)
    failures += in_every_mode(tablet, "display-meedoen-plan")

    poll, classroom_id = open_poll
    facilitator = accounts.session_actor(app_engine, username="demo-begeleider")
    card = ballots.issue_cards(app_engine, actor=facilitator, poll_id=poll.id, classroom_id=classroom_id, count=1,
                               base_url=app_url).cards[0].code
    tablet.goto(f"{app_url}/stemmen?tablet={tablet_token(tablet)}")
    tablet.get_by_role("textbox", name=nl("vote.card_code"), exact=True).fill(card)
    tablet.get_by_role("button", name=nl("vote.next")).click()
    tablet.get_by_role("button", name=poll.options[0].label, exact=True).click()
    expect(tablet.get_by_role("button", name=f"✓ {poll.options[0].label}")).to_be_visible(timeout=WAIT_MS)
    failures += in_every_mode(tablet, "display-stemmen-ballot")
    tablet.get_by_role("button", name=nl("ballot.vote")).click()
    expect(tablet.get_by_text(nl("vote.counted"))).to_be_visible(timeout=WAIT_MS)
    failures += in_every_mode(tablet, "display-stemmen-receipt")

    booth = ballots.booth_for(app_engine, actor=facilitator, poll_id=poll.id, classroom_id=classroom_id)
    booth = ballots.repair_booth(app_engine, actor=facilitator, booth_id=booth.id)
    hokje = new_context(viewport).new_page()
    hokje.goto(f"{app_url}/stemhokje")
    hokje.get_by_role("textbox", name=nl("booth.pair_code"), exact=True).fill(booth.pair_code)
    hokje.get_by_role("button", name=nl("booth.pair")).click()
    expect(hokje.get_by_text(nl("booth.wait"))).to_be_visible(timeout=WAIT_MS)
    expect(hokje).to_have_url(re.compile(r"[?&]hokje="), timeout=WAIT_MS)
    failures += in_every_mode(hokje, "display-stemhokje-locked")
    ballots.set_booth(app_engine, actor=facilitator, booth_id=booth.id, unlocked=True)
    expect(hokje.get_by_role("button", name=nl("ballot.vote"))).to_be_visible(timeout=WAIT_MS)
    failures += in_every_mode(hokje, "display-stemhokje-ballot")
    hokje.get_by_role("button", name=poll.options[1].label, exact=True).click()
    expect(hokje.get_by_role("button", name=f"✓ {poll.options[1].label}")).to_be_visible(timeout=WAIT_MS)
    hokje.get_by_role("button", name=nl("ballot.vote")).click()
    expect(hokje.get_by_text(nl("vote.counted"))).to_be_visible(timeout=WAIT_MS)
    failures += in_every_mode(hokje, "display-stemhokje-receipt")
    expect(hokje.get_by_text(nl("vote.counted"))).to_be_visible()  # still the receipt: the modes were checked on it
    assert not failures, "\n".join(failures)
