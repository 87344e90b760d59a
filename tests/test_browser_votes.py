"""A secret vote in a real browser, on tablets held either way round: a child votes with a card
(scanned: the code arrives in the address), sees a receipt, and the card is refused the second
time; the booth tablet waits locked, opens for one voter when the teacher unlocks it, and shows the
next child an empty ballot.

The poll (browser_support.open_poll) is set up through the services, as the facilitator's page
would, so the test is about what the children see.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from kinderwijkraad.i18n import t
from kinderwijkraad.services import accounts, ballots
from tests.browser_support import WAIT_MS, screenshot, settle

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")


def _tablet(browser: Browser, url: str, size: tuple[int, int]) -> Page:
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    page.goto(url)
    return page


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_a_child_votes_with_a_card_once(browser, app_url, app_engine: Engine, open_poll, size):
    poll, classroom_id = open_poll
    facilitator = accounts.session_actor(app_engine, username="demo-begeleider")
    code = ballots.issue_cards(app_engine, actor=facilitator, poll_id=poll.id, classroom_id=classroom_id, count=1,
                               base_url=app_url).cards[0].code
    page = _tablet(browser, f"{app_url}/stemmen?kaart={code.replace('-', '')}", size)
    expect(page.get_by_text(t("ballot.instruction.approval", k=3, left=3))).to_be_visible(timeout=WAIT_MS)
    for option in poll.options[:3]:
        page.get_by_role("button", name=option.label, exact=True).click()
        expect(page.get_by_role("button", name=f"✓ {option.label}")).to_be_visible(timeout=WAIT_MS)
    # A fourth tap is refused on the screen, not stored.
    page.get_by_role("button", name=poll.options[3].label, exact=True).click()
    expect(page.get_by_text(t("ballot.full", k=3))).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "vote-ballot")
    page.get_by_role("button", name=t("ballot.vote")).click()

    expect(page.get_by_text(t("vote.counted"))).to_be_visible(timeout=WAIT_MS)
    receipt = page.locator("code").filter(has_text=RECEIPT).first.inner_text()
    assert RECEIPT.fullmatch(receipt)
    assert "kaart" not in page.url  # the next child does not inherit the card
    screenshot(page, "vote-receipt")

    page.get_by_role("button", name=t("vote.done")).click()
    page.get_by_label(t("vote.card_code"), exact=True).fill(code)
    page.get_by_role("button", name=t("vote.next")).click()
    expect(page.get_by_text(t("vote.card_used"))).to_be_visible(timeout=WAIT_MS)
    page.context.close()


def test_the_booth_opens_for_one_voter_at_a_time_and_clears(browser, app_url, app_engine: Engine, open_poll):
    poll, classroom_id = open_poll
    teacher = accounts.session_actor(app_engine, username="demo-begeleider")
    booth = ballots.booth_for(app_engine, actor=teacher, poll_id=poll.id, classroom_id=classroom_id)
    page = _tablet(browser, f"{app_url}/stemhokje", (768, 1024))
    page.get_by_label(t("booth.pair_code")).fill(booth.pair_code)
    page.get_by_role("button", name=t("booth.pair")).click()
    expect(page.get_by_text(t("booth.wait"))).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "booth-locked")

    for voter, option in enumerate(poll.options[:2]):
        ballots.set_booth(app_engine, actor=teacher, booth_id=booth.id, unlocked=True)
        expect(page.get_by_role("button", name=t("ballot.vote"))).to_be_visible(timeout=WAIT_MS)
        # Nothing of the previous child's ballot or receipt is left on the screen.
        expect(page.get_by_text("✓")).to_have_count(0)
        expect(page.get_by_text(t("vote.your_receipt"))).to_have_count(0)
        page.get_by_role("button", name=option.label, exact=True).click()
        page.get_by_role("button", name=t("ballot.vote")).click()
        expect(page.get_by_text(t("vote.counted"))).to_be_visible(timeout=WAIT_MS)
        if voter == 0:
            screenshot(page, "booth-thanks")
            page.get_by_role("button", name=t("vote.done")).click()
            expect(page.get_by_text(t("booth.wait"))).to_be_visible(timeout=WAIT_MS)
        settle(page)
    assert ballots.booth_status(app_engine, actor=teacher, booth_id=booth.id).voters == 2
    assert not ballots.booth_status(app_engine, actor=teacher, booth_id=booth.id).unlocked
    page.context.close()



