"""Pictures beside words in a real browser (issue 17): the ballot shows each theme's picture beside
its name (a decorative image: the button is still named by its words alone), a theme without one
shows just the name, and the facilitator gives a theme a picture on Thema's and sees it.

Screenshots go to test-artifacts/ (browser-pictograms-*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from kinderwijkraad.i18n import t
from kinderwijkraad.services import accounts, ballots, pictograms, plans
from tests.browser_support import WAIT_MS, log_in, nl, screenshot, settle, wait_for_cookie

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

FACILITATOR = "demo-begeleider"

# Each image in the ballot's option buttons: where it comes from, its alt text, and whether it drew.
IMAGES = """buttons => buttons.map(button => [...button.querySelectorAll('img')].map(img => ({
    src: img.getAttribute('src').slice(0, 26), alt: img.getAttribute('alt'), drawn: img.naturalWidth > 0,
    height: img.getBoundingClientRect().height})))"""


def test_the_ballot_shows_each_theme_picture_beside_its_name(browser: Browser, app_url: str, app_engine: Engine,
                                                             open_poll) -> None:
    poll, classroom_id = open_poll
    facilitator = accounts.session_actor(app_engine, username=FACILITATOR)
    code = ballots.issue_cards(app_engine, actor=facilitator, poll_id=poll.id, classroom_id=classroom_id, count=1,
                               base_url=app_url).cards[0].code
    page = browser.new_context(viewport={"width": 768, "height": 1024}).new_page()
    page.goto(f"{app_url}/stemmen?kaart={code.replace('-', '')}")
    expect(page.get_by_text(t("ballot.instruction.approval", k=3, left=3))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    assert any(option.pictogram for option in poll.options)  # the demo themes have pictures
    buttons = [page.get_by_role("button", name=option.label, exact=True) for option in poll.options]
    images = page.evaluate(IMAGES, [button.element_handle() for button in buttons])
    for option, found in zip(poll.options, images, strict=True):
        if option.pictogram and pictograms.picture(option.pictogram).svg:
            (image,) = found
            assert image["src"] == "data:image/svg+xml;base64,"[:26] and image["alt"] == "", image
            assert image["drawn"] and image["height"] >= 40, image  # a child's picture: about 48 px
        else:
            assert found == []
    buttons[0].click()  # chosen: the picture stays, the name too
    expect(page.get_by_role("button", name=f"✓ {poll.options[0].label}")).to_be_visible(timeout=WAIT_MS)
    path = screenshot(page, "pictograms-ballot")
    page.context.close()
    assert path.exists()


def test_a_facilitator_gives_a_theme_a_picture_and_sees_it(page: Page, app_url: str, app_engine: Engine) -> None:
    actor = accounts.session_actor(app_engine, username=FACILITATOR)
    cycle_id = plans.managed_cycles(app_engine, actor=actor)[0].id
    theme = next(row for row in plans.themes(app_engine, actor=actor, cycle_id=cycle_id) if row.pictogram)
    plans.set_pictogram(app_engine, actor=actor, theme_id=theme.id, pictogram=None)  # start without
    log_in(page, username=FACILITATOR)
    wait_for_cookie(page, present=True)
    page.goto(f"{app_url}/themas")
    expect(page.get_by_role("heading", name=nl("page.themes"), level=1)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    expander = page.get_by_test_id("stExpander").filter(has_text=theme.name)
    expander.locator("summary").click()
    form = expander.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=nl("pictogram.save")))
    form.get_by_role("textbox", name=nl("pictogram.or_emoji")).fill("🌳")
    form.get_by_role("button", name=nl("pictogram.save")).click()
    expect(page.get_by_text(nl("pictogram.saved", name=theme.name))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    stored = next(row for row in plans.themes(app_engine, actor=actor, cycle_id=cycle_id) if row.id == theme.id)
    assert stored.pictogram == "🌳"
    summary = page.get_by_test_id("stExpander").filter(has_text=theme.name).locator("summary")
    expect(summary.locator("img[alt='']")).to_have_count(1)  # the tree beside the name, drawn by the set
    screenshot(page, "pictograms-themes")

    expander = page.get_by_test_id("stExpander").filter(has_text=theme.name)
    if not expander.get_by_role("button", name=nl("pictogram.save")).is_visible():
        expander.locator("summary").click()  # its label changed (the picture): drawn folded again
    form = expander.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=nl("pictogram.save")))
    form.get_by_role("textbox", name=nl("pictogram.or_emoji")).fill("boom")
    form.get_by_role("button", name=nl("pictogram.save")).click()
    settle(page)
    screenshot(page, "pictograms-refused")
    expect(page.get_by_text(nl("pictogram.unknown", value="boom"))).to_be_visible(timeout=WAIT_MS)
    stored = next(row for row in plans.themes(app_engine, actor=actor, cycle_id=cycle_id) if row.id == theme.id)
    assert stored.pictogram == "🌳"  # nothing stored
