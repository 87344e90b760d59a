"""The staff page Stemmingen and the card-voting tablet in a real browser, as a user walks them:
make a poll (it opens selected), make voting cards (the download stays in its tab, and the link
in the card's QR code opens the ballot on a fresh tablet), save a paper count (the tab stays),
read the results at 1024×768 without sideways scrolling, and check a receipt after a wrong card.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from kinderwijkraad.services import accounts, polls
from tests.browser_support import PORTRAIT, WAIT_MS, log_in, nl, screenshot, settle, tall_screenshot

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

FACILITATOR = "demo-begeleider"
# How many visible tables (Streamlit's data grid) are wider than their box.
SCROLLS_SIDEWAYS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
    .filter(s => s.offsetParent !== null && s.scrollWidth > s.clientWidth + 1).length"""




def _open_polls_page(page: Page, app_url: str, username: str) -> None:
    log_in(page, username=username)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    page.goto(f"{app_url}/stemmingen")
    expect(page.get_by_role("heading", name=nl("page.polls"), exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)


def _choose_poll(page: Page, title: str) -> None:
    box = page.get_by_role("combobox", name=nl("polls.pick"), exact=True)
    chosen = re.compile("^" + re.escape(title) + " ·")
    if not chosen.match(box.input_value()):
        box.click()
        page.get_by_role("option", name=chosen).first.click()
    expect(box).to_have_value(chosen, timeout=WAIT_MS)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)


def _tab(page: Page, key: str) -> None:
    page.get_by_role("tab", name=nl(key)).click()
    _in_tab(page, key)


def _in_tab(page: Page, key: str) -> None:
    expect(page.get_by_role("tab", name=nl(key))).to_have_attribute("aria-selected", "true", timeout=WAIT_MS)
    settle(page)


@pytest.mark.parametrize("username", [FACILITATOR, "demo-leerkracht"])
def test_a_new_poll_opens_selected_and_stays_selected_after_a_save(page: Page, app_url: str, username: str):
    _open_polls_page(page, app_url, username)
    title = f"Nieuwe stemming van {username}"
    page.get_by_role("button", name=nl("polls.new")).click()
    page.get_by_role("textbox", name=nl("field.title"), exact=True).fill(title)
    page.get_by_role("button", name=nl("polls.create")).click()
    expect(page.get_by_text(nl("polls.created"))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    box = page.get_by_role("combobox", name=nl("polls.pick"), exact=True)
    expect(box).to_have_value(re.compile("^" + re.escape(title) + " ·"), timeout=WAIT_MS)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=WAIT_MS)
    # The form's popover closes once the poll is made: left open, it lies over the new poll.
    expect(page.get_by_role("dialog", name=nl("polls.new"))).to_have_count(0, timeout=WAIT_MS)
    screenshot(page, f"polls-new-{username}")

    # A save on the new draft keeps it selected; so does a reload.
    page.get_by_role("button", name=nl("polls.save_options")).click()
    expect(page.get_by_text(nl("polls.options_saved"))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    expect(box).to_have_value(re.compile("^" + re.escape(title) + " ·"), timeout=WAIT_MS)
    page.reload()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=WAIT_MS)


def test_voting_cards_stay_in_their_tab_and_their_qr_link_opens_the_ballot(
        page: Page, app_url: str, open_poll, new_context):
    poll, _classroom_id = open_poll
    _open_polls_page(page, app_url, FACILITATOR)
    _choose_poll(page, poll.title)
    _in_tab(page, "polls.tab.turnout")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=WAIT_MS)
    settle(page)
    assert page.evaluate(SCROLLS_SIDEWAYS) == 0, "the turnout table scrolls sideways at 1024×768"
    tall_screenshot(page, "polls-turnout")
    _tab(page, "polls.tab.cards")
    page.get_by_role("button", name=nl("cards.make")).click()
    download_button = page.get_by_role("button", name=nl("cards.download"))
    expect(download_button).to_be_visible(timeout=WAIT_MS)
    _in_tab(page, "polls.tab.cards")
    assert "polls.tab=" in page.url, page.url  # the address names the tab: a reload keeps it
    tall_screenshot(page, "polls-cards")
    with page.expect_download(timeout=WAIT_MS) as download:
        download_button.click()
    reader = PdfReader(download.value.path())
    links = [annotation.get_object()["/A"]["/URI"] for annotation in reader.pages[0].get("/Annots", [])]
    assert links, "the card's QR code carries its link"
    assert all(re.fullmatch(rf"{re.escape(app_url)}/stemmen\?kaart=[A-Z0-9]+", link) for link in links), links
    code = links[0].rsplit("=", 1)[1]
    assert f"{code[:4]}-{code[4:]}" in reader.pages[0].extract_text()  # the QR and the printed code agree

    tablet = new_context(PORTRAIT).new_page()
    tablet.goto(links[0])
    expect(tablet.get_by_role("heading", name=poll.question or poll.title)).to_be_visible(timeout=WAIT_MS)
    expect(tablet.get_by_role("button", name=nl("ballot.vote"))).to_be_visible(timeout=WAIT_MS)
    expect(tablet.get_by_text(f"{poll.title} · {poll.scope_label}")).to_be_visible(timeout=WAIT_MS)
    screenshot(tablet, "polls-card-link-ballot")

    # A paper count for the same poll: saved, the message shows, and the tab stays.
    _tab(page, "polls.tab.paper")
    form = page.get_by_test_id("stForm")
    form.get_by_role("spinbutton", name=nl("paper.papers")).fill("2")
    form.get_by_role("spinbutton", name=poll.options[0].label).fill("2")
    form.get_by_role("button", name=nl("paper.save")).click()
    expect(page.get_by_text(nl("paper.saved", count=2))).to_be_visible(timeout=WAIT_MS)
    _in_tab(page, "polls.tab.paper")
    expect(page.get_by_text(nl("paper.stored", count=2))).to_be_visible(timeout=WAIT_MS)
    page.reload()
    expect(page.get_by_role("heading", name=poll.title, exact=True)).to_be_visible(timeout=WAIT_MS)
    _in_tab(page, "polls.tab.paper")


def test_results_fit_a_staff_screen_and_the_longest_bar_keeps_its_number(page: Page, app_url: str):
    _open_polls_page(page, app_url, FACILITATOR)
    _choose_poll(page, "Wijkstemming Vogelbuurt 2025")
    _in_tab(page, "polls.tab.results")
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible(timeout=WAIT_MS)
    settle(page)
    # The number at the end of the longest bar (27 votes) is drawn whole: not past the figure's
    # edge, and not past the plot area where Plotly clips it (a 27 showed as "2").
    expect(page.locator(".js-plotly-plot text.bartext").filter(has_text=re.compile("^27$")).first).to_be_visible(
        timeout=WAIT_MS)
    cut = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
        const area = plot.querySelector('rect.nsewdrag').getBoundingClientRect();
        const figure = plot.querySelector('svg.main-svg').getBoundingClientRect();
        return [...plot.querySelectorAll('text.bartext')].filter(text => {
            const right = text.getBoundingClientRect().right;
            return right > figure.right || (right > area.right + 1 && text.closest('[clip-path]'));
        }).map(text => text.textContent); })""")
    assert not cut, f"bar numbers cut off at the chart's edge: {cut}"
    assert page.evaluate(SCROLLS_SIDEWAYS) == 0, "a results table scrolls sideways at 1024×768"
    tall_screenshot(page, "polls-results")

    # A poll where classes also voted on paper: the table splits tablet and paper and still fits.
    _choose_poll(page, "Wijkstemming Vogelbuurt")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=WAIT_MS)
    settle(page)
    assert page.evaluate(SCROLLS_SIDEWAYS) == 0, "the results table with paper votes scrolls sideways"
    tall_screenshot(page, "polls-results-paper")

    # The poll and its tab are named in the address: a reload keeps both.
    _tab(page, "polls.tab.receipts")
    page.reload()
    expect(page.get_by_role("heading", name="Wijkstemming Vogelbuurt", exact=True)).to_be_visible(timeout=WAIT_MS)
    _in_tab(page, "polls.tab.receipts")


def test_a_receipt_check_after_a_wrong_card_shows_its_answer(new_context, app_url: str, app_engine):
    tablet = new_context(PORTRAIT).new_page()
    tablet.goto(f"{app_url}/stemmen")
    expect(tablet.get_by_label(nl("vote.card_code"), exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(tablet)
    tablet.get_by_label(nl("vote.card_code"), exact=True).fill("ZZZZ-ZZZZ")
    tablet.get_by_role("button", name=nl("vote.next")).click()
    expect(tablet.get_by_text(nl("vote.unknown_card"))).to_be_visible(timeout=WAIT_MS)
    settle(tablet)
    tablet.get_by_test_id("stExpander").filter(has_text=nl("vote.check_receipt")).locator("summary").click()
    receipt = tablet.get_by_label(nl("vote.receipt_code"))
    expect(receipt).to_be_visible(timeout=WAIT_MS)
    receipt.fill("NOPE-NOPE")
    tablet.get_by_role("button", name=nl("vote.check")).click()
    expect(tablet.get_by_text(nl("vote.receipt_not_found"))).to_be_visible(timeout=WAIT_MS)
    settle(tablet)
    expect(receipt).to_be_visible()
    screenshot(tablet, "vote-receipt-check")

    # A receipt that was counted, checked right after: the answer names the poll.
    facilitator = accounts.session_actor(app_engine, username=FACILITATOR)
    closed = next(s for s in polls.list_polls(app_engine, actor=facilitator) if s.status == "closed")
    counted = polls.receipt_codes(app_engine, actor=facilitator, poll_id=closed.id)[0]
    receipt.fill(counted)
    tablet.get_by_role("button", name=nl("vote.check")).click()
    expect(tablet.get_by_text(nl("vote.receipt_counted", poll=closed.title))).to_be_visible(timeout=WAIT_MS)
