"""A proposal in a real browser, from the council's theme to the class that wrote the plan.

The facilitator writes a proposal from a top-3 theme of the demo wijk (2026-2027) to the gemeente,
downloads its dossier, marks it sent and makes a reply link. An official without an account opens
the link in another browser, answers, and whoever opens the link next sees that answer first. The
facilitator then sees the answer, puts it into children's words, shows the class its feedback sheet
and notes that the class has seen it; the log names the official who answered through the link.

What AppTest cannot show: the PDF a real download delivers, a link opened by a stranger's browser,
the tabs and expanders a facilitator clicks through, and how it all looks on a tablet either way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from pypdf import PdfReader

from kinderwijkraad.i18n import t
from tests.browser_support import WAIT_MS, choose, log_in, settle, tall_screenshot, wait_for_cookie

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
CYCLE = "De Vogelbuurt — 2026-2027"
THEME = "Veilig oversteken"  # in the top-3, with De Vlinder's plan in it, and no proposal yet
PLAN = "Zebrapad bij school"
CLASS = "Kindcentrum De Vlinder · Groep 5/6"
GEMEENTE, WOONSTICHTING = "Gemeente Rivierstad", "Woonstichting Rivierthuis"
ASK = ("Wilt u vóór de zomer een zebrapad leggen in de Spechtstraat, zodat de kinderen daar veilig oversteken? "
       "Dat is één wens van ons allemaal, ook van Chloë.")
OFFICIAL = "Fatima El Idrissi"
REASONS = "Een zebrapad komt er in het voorjaar. Een verkeerslicht is te duur voor deze straat."
CHILD_ANSWER = "Er komt een zebrapad! Een stoplicht niet, dat kost te veel geld."


def nl(key: str, **params: object) -> str:
    """The Dutch screen text, from the catalogue the app uses."""
    return t(key, language="nl", **params)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """The other browsers of the test (an official's), closed afterwards."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def _shots(page: Page, name: str) -> None:
    """All of the page, on a tablet held either way round; the page is left in landscape."""
    for size in (LANDSCAPE, PORTRAIT):
        page.set_viewport_size(size)
        tall_screenshot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], f"{name} scrolls sideways"
    page.set_viewport_size(LANDSCAPE)




def _tab(page: Page, key: str) -> None:
    page.get_by_role("tab", name=nl(key)).click()
    expect(page.get_by_role("tab", name=nl(key))).to_have_attribute("aria-selected", "true", timeout=WAIT_MS)
    settle(page)


def _grid(within: Locator) -> Locator:
    """The cells of the st.dataframe in `within`: the table the grid keeps inside its canvas for
    screen readers (drawn, not shown; only the columns in view)."""
    return within.get_by_test_id("stDataFrame").locator("table")


def _shared_cell(page: Page) -> Locator:
    """The class's "Gedeeld met de klas" cell in the table above the feedback sheet."""
    classes = page.get_by_test_id("stVerticalBlock").filter(visible=True).filter(
        has=page.get_by_role("combobox", name=nl("feedback.choose_class"), exact=True)).last
    grid = _grid(classes).first
    expect(grid.locator("th").nth(3)).to_have_text(nl("feedback.col.shared"), timeout=WAIT_MS)
    return grid.locator("tr").filter(has_text=CLASS).locator('td[aria-colindex="4"]')


def _sheet(page: Page) -> Locator:
    """The feedback sheet on the screen (the box under its heading)."""
    return page.get_by_test_id("stVerticalBlock").filter(
        has=page.get_by_role("heading", name=nl("pdf.feedback.title"), exact=True)).last


def _recipient(page: Page, organisation: str) -> Locator:
    return (page.get_by_test_id("stVerticalBlock")
            .filter(has=page.get_by_role("heading", name=organisation, exact=True)).last)


def test_a_proposal_goes_to_the_gemeente_and_its_answer_back_to_the_class(
        page: Page, browser: Browser, app_url: str, contexts: list[BrowserContext]) -> None:
    # --- 1. The facilitator writes the proposal from the theme. ----------------------------------
    log_in(page, username="demo-begeleider")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible(timeout=WAIT_MS)
    wait_for_cookie(page, present=True)
    page.goto(f"{app_url}/voorstellen")
    expect(page.get_by_role("heading", name=nl("page.proposals"), exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    choose(page, nl("themes.cycle"), CYCLE)

    _tab(page, "proposal.tab.new")
    choose(page, nl("proposal.theme"), THEME)
    form = page.get_by_test_id("stForm").filter(visible=True)
    expect(form.get_by_role("textbox", name=nl("field.title"), exact=True)).to_have_value(THEME, timeout=WAIT_MS)
    form.get_by_role("textbox", name=nl("field.ask"), exact=True).fill(ASK)
    woonstichting = form.get_by_test_id("stCheckbox").filter(has_text=WOONSTICHTING)
    woonstichting.locator("label").click()
    expect(woonstichting.get_by_role("checkbox")).not_to_be_checked(timeout=WAIT_MS)
    expect(form.get_by_test_id("stCheckbox").filter(has_text=GEMEENTE).get_by_role("checkbox")).to_be_checked()
    _shots(page, "proposal-new")
    form.get_by_role("button", name=nl("proposal.create")).click()
    expect(page.get_by_text(nl("proposal.created", title=THEME))).to_be_visible(timeout=WAIT_MS)
    settle(page)

    _tab(page, "proposal.tab.overview")
    expect(page.get_by_role("combobox", name=nl("proposal.choose"), exact=True)).to_have_value(THEME, timeout=WAIT_MS)
    gemeente = _recipient(page, GEMEENTE)
    expect(gemeente).to_be_visible(timeout=WAIT_MS)
    expect(_recipient(page, WOONSTICHTING)).to_have_count(0)
    with page.expect_download(timeout=WAIT_MS) as download:
        gemeente.get_by_role("button", name=nl("proposal.download_pdf", organisation=GEMEENTE)).click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf.path()).pages).split())
    assert GEMEENTE in flat and THEME in flat
    assert ASK in flat, flat[:2000]

    # --- 2. Sent, and a reply link for the official. ---------------------------------------------
    gemeente.get_by_role("button", name=nl("proposal.move.sent")).click()
    expect(page.get_by_text(nl("proposal.moved", organisation=GEMEENTE,
                               status=nl("recipient_status.sent")))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    gemeente = _recipient(page, GEMEENTE)
    gemeente.get_by_test_id("stExpander").filter(has_text=nl("link.heading")).locator("summary").click()
    gemeente.get_by_role("button", name=nl("link.make")).click()
    expect(page.get_by_text(nl("link.made"))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    url = page.locator("code").filter(has_text="/antwoord?link=").first.inner_text().strip()
    assert re.fullmatch(rf"{re.escape(app_url)}/antwoord\?link=[\w-]+", url), url

    # --- 3. The official answers through the link, without an account. ---------------------------
    contexts.append(official := browser.new_context(viewport=LANDSCAPE))
    reply = official.new_page()
    reply.goto(url)
    expect(reply.get_by_role("heading", name=nl("reply.title"))).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_role("heading", name=THEME)).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_text(ASK)).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_text(nl("answer.none_yet"))).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_role("button", name="Uitloggen")).to_have_count(0)
    settle(reply)
    answer = reply.get_by_test_id("stForm")
    answer.get_by_test_id("stRadio").get_by_text(nl("decision.partly"), exact=True).click()
    answer.get_by_role("textbox", name=nl("field.reasons"), exact=True).fill(REASONS)
    answer.get_by_role("textbox", name=nl("field.answered_by"), exact=True).fill(OFFICIAL)
    answer.get_by_role("button", name=nl("answer.save")).click()
    expect(reply.get_by_text(nl("answer.saved"))).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_text(f"{nl('answer.current')} — {nl('decision.partly')}")).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_test_id("stText").filter(has_text=REASONS)).to_be_visible(timeout=WAIT_MS)
    settle(reply)
    _shots(reply, "proposal-reply")

    # Whoever opens the link next reads the answer before they could overwrite it.
    contexts.append(colleague := browser.new_context(viewport=LANDSCAPE))
    again = colleague.new_page()
    again.goto(url)
    expect(again.get_by_text(f"{nl('answer.current')} — {nl('decision.partly')}")).to_be_visible(timeout=WAIT_MS)
    by_official = nl("answer.by", name=OFFICIAL, at="@", source=nl("answer_source.link")).split("@")
    expect(again.get_by_text(re.compile(".+".join(map(re.escape, by_official))))).to_be_visible(timeout=WAIT_MS)
    expect(again.get_by_test_id("stText").filter(has_text=REASONS)).to_be_visible(timeout=WAIT_MS)
    expect(again.get_by_role("button", name=nl("answer.replace"))).to_be_visible(timeout=WAIT_MS)
    expect(again.get_by_text(nl("answer.none_yet"))).to_have_count(0)

    # --- 4. The facilitator sees the answer and takes it back to the class. ----------------------
    page.reload()
    expect(page.get_by_role("heading", name=nl("page.proposals"), exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    choose(page, nl("themes.cycle"), CYCLE)
    choose(page, nl("proposal.choose"), THEME)
    gemeente = _recipient(page, GEMEENTE)
    expect(gemeente.get_by_text(f"{nl('recipient_status.answered')}: {nl('decision.partly')}")).to_be_visible(
        timeout=WAIT_MS)
    expect(gemeente.get_by_test_id("stText").filter(has_text=REASONS)).to_be_visible(timeout=WAIT_MS)
    history = page.get_by_test_id("stExpander").filter(has_text=nl("audit.heading", count=0).split("(")[0].strip())
    history.locator("summary").click()
    via_link = nl("audit.via_link", name=OFFICIAL, organisation=GEMEENTE)
    expect(history.get_by_test_id("stDataFrame")).to_be_visible(timeout=WAIT_MS)
    expect(_grid(history)).to_contain_text(via_link, timeout=WAIT_MS)
    expect(_grid(history)).to_contain_text(nl("audit.action.recipient.answered", decision=nl("decision.partly"),
                                              source=nl("answer_source.link")))
    _shots(page, "proposal-answered")

    # The sheet on the board: the official's reasons while no child-language version exists.
    _tab(page, "proposal.tab.feedback")
    choose(page, nl("feedback.choose_class"), CLASS)
    sheet = _sheet(page)
    expect(sheet).to_contain_text(PLAN, timeout=WAIT_MS)
    answered = sheet.locator("li").filter(has_text=GEMEENTE)
    expect(answered).to_contain_text(nl("feedback.decision.partly"), timeout=WAIT_MS)
    expect(answered).not_to_contain_text(REASONS)  # the class never hears the official's letter
    # Not to be shared before the answer is in children's words.
    expect(page.get_by_text(nl("feedback.words_needed", answers="")[:40])).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("button", name=nl("feedback.mark_shared"))).to_be_disabled()

    # In children's words: the letter above, an empty box to write them in.
    _tab(page, "proposal.tab.overview")
    child_answer = page.get_by_role("textbox", name=nl("field.child_answer"), exact=True)
    words = page.get_by_test_id("stForm").filter(has=child_answer)
    expect(child_answer).to_have_value("", timeout=WAIT_MS)
    expect(page.get_by_text(REASONS).first).to_be_visible()
    child_answer.fill(CHILD_ANSWER)
    words.get_by_role("button", name=nl("feedback.save_child_words")).click()
    expect(page.get_by_text(nl("feedback.child_words_saved"))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    _tab(page, "proposal.tab.feedback")
    choose(page, nl("feedback.choose_class"), CLASS)
    answered = _sheet(page).locator("li").filter(has_text=GEMEENTE)
    expect(answered).to_contain_text(CHILD_ANSWER, timeout=WAIT_MS)
    expect(answered).not_to_contain_text(REASONS)

    # Shown on the board: noted in the class table.
    shared = _shared_cell(page)
    expect(shared).to_have_text(nl("feedback.not_shared"), timeout=WAIT_MS)
    page.get_by_role("button", name=nl("feedback.mark_shared")).click()
    expect(page.get_by_text(nl("feedback.shared"))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    expect(_shared_cell(page)).to_have_text(re.compile(r"\d\d-\d\d-\d{4} \d\d:\d\d"), timeout=WAIT_MS)
    _shots(page, "proposal-feedback")
