"""The answer loop by e-mail in a real browser, without a mail server: the facilitator sends the
gemeente its dossier from Voorstellen, the .eml file lands in the outbox folder, the official
follows the link in it and answers, and the next mail run (`kinderwijkraad mail send`) tells the
facilitator, in a message of its own in the outbox, what the gemeente answered.

What AppTest cannot show: the E-mail section a facilitator unfolds and reads on a 1024 × 768
screen, and a link read from the message itself opened by a stranger's browser.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import Engine

from kinderwijkraad import cli
from kinderwijkraad.config import get_settings
from kinderwijkraad.i18n import t
from kinderwijkraad.services import accounts, plans, proposals
from tests.browser_support import (
    WAIT_MS,
    ServedApp,
    choose,
    drawn,
    log_in,
    screenshot,
    settle,
    tall_screenshot,
    wait_for_cookie,
)

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANDSCAPE = {"width": 1024, "height": 768}
CYCLE = "De Vogelbuurt — 2026-2027"
THEME = "Veilig oversteken"  # in the demo's top 3, without a proposal yet
GEMEENTE = "Gemeente Rivierstad"
CONTACT = "Sanne de Wit <s.dewit@example.org>"
FACILITATOR = "bo@kiesenco.example.org"
OFFICIAL = "Fatima El Idrissi"
REASONS = "Een zebrapad komt er in het voorjaar. Een verkeerslicht is te duur voor deze straat."


def nl(key: str, **params: object) -> str:
    """The Dutch screen text, from the catalogue the app uses."""
    return t(key, language="nl", **params)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """The other browsers of the test (the official's), closed afterwards."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def _proposal_to_the_gemeente(engine: Engine) -> int:
    """A proposal from a top-3 theme to the gemeente, not sent yet, written through the services
    (writing one on the page is tests/test_browser_proposals.py); returns the recipient's id."""
    bo = accounts.session_actor(engine, username="demo-begeleider")
    cycle_id = next(c.id for c in plans.managed_cycles(engine, actor=bo) if c.label.startswith(CYCLE))
    source = next(s for s in proposals.theme_sources(engine, actor=bo, cycle_id=cycle_id) if s.name == THEME)
    gemeente = next(p for p in proposals.partner_choices(engine, actor=bo, cycle_id=cycle_id) if p.name == GEMEENTE)
    proposal_id = proposals.create_proposal(
        engine, actor=bo, cycle_id=cycle_id, theme_id=source.theme_id, plan_ids=[p.id for p in source.plans],
        fields=proposals.draft_from_theme(engine, actor=bo, theme_id=source.theme_id),
        recipients=[(gemeente.organisation_id, gemeente.contacts[0][0])])
    return proposals.get_proposal(engine, actor=bo, proposal_id=proposal_id).recipients[0].id


def _recipient(page: Page, organisation: str) -> Locator:
    return (page.get_by_test_id("stVerticalBlock")
            .filter(has=page.get_by_role("heading", name=organisation, exact=True)).last)


def _mail_section(card: Locator) -> Locator:
    page = card.page
    summary = page.locator("summary").filter(has=page.get_by_text(nl("mail.heading"), exact=True))
    return card.get_by_test_id("stExpander").filter(has=summary)


def _read(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _open_voorstellen(page: Page, app_url: str) -> Locator:
    page.goto(f"{app_url}/voorstellen")
    expect(page.get_by_role("heading", name=nl("page.proposals"), exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    choose(page, nl("themes.cycle"), CYCLE)
    choose(page, nl("proposal.choose"), THEME)
    gemeente = _recipient(page, GEMEENTE)
    expect(gemeente).to_be_visible(timeout=WAIT_MS)
    return gemeente


def test_a_dossier_goes_by_e_mail_and_the_answer_comes_back_to_the_facilitator(
        page: Page, browser: Browser, app_url: str, app_engine: Engine, served_app: ServedApp,
        contexts: list[BrowserContext], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    recipient_id = _proposal_to_the_gemeente(app_engine)
    outbox = served_app.data_dir / "outbox"

    # --- 1. The facilitator reads the message before it goes, then sends it. ----------------------
    log_in(page, username="demo-begeleider")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible(timeout=WAIT_MS)
    wait_for_cookie(page, present=True)
    gemeente = _open_voorstellen(page, app_url)
    section = _mail_section(gemeente)
    section.locator("summary").click()
    expect(section.get_by_text(nl("mail.to", to=CONTACT), exact=True)).to_be_visible(timeout=WAIT_MS)
    expect(section.get_by_text(nl("mail.preview"), exact=True)).to_be_visible()
    expect(section.get_by_text(nl("mail.nothing_sent"), exact=True)).to_be_visible()
    send = section.get_by_role("button", name=nl("mail.send"), exact=True)
    send.scroll_into_view_if_needed()
    settle(page)
    screenshot(page, "mail-before-sending")
    tall_screenshot(page, "mail-before-sending")
    send.click()
    expect(page.get_by_text(nl("mail.sent_to_outbox", to=CONTACT), exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)

    # The section stays open and lists the message; the dossier went to the outbox at once.
    section = _mail_section(_recipient(page, GEMEENTE))
    sent_line = section.get_by_text(nl("mail.row", kind=nl("mail_kind.dossier"), to=CONTACT,
                                       status=nl("mail_status.sent")))
    expect(sent_line).to_be_visible(timeout=WAIT_MS)
    expect(section.get_by_role("button", name=nl("mail.send_again"), exact=True)).to_be_visible()
    expect(section.get_by_text(nl("mail.pause"), exact=True)).to_be_visible()
    sent_line.scroll_into_view_if_needed()
    settle(page)
    drawn(page)
    screenshot(page, "mail-sent")
    [dossier_file] = list(outbox.glob(f"dossier-{recipient_id}-*.eml"))
    dossier = _read(dossier_file)
    assert dossier["To"].addresses[0].addr_spec == "s.dewit@example.org"
    assert THEME in str(dossier["Subject"])
    assert [part.get_content_type() for part in dossier.iter_attachments()] == ["application/pdf"]
    links = re.findall(r"https?://\S+/antwoord\?link=[\w-]+", _text(dossier))
    assert len(links) == 1, _text(dossier)

    # --- 2. The official follows the link in the message and answers. ------------------------------
    # The message's links start from KWR_PUBLIC_URL (unset here: the default); the test's server
    # listens elsewhere, so the same path and token are opened on it.
    link = urlsplit(links[0])
    contexts.append(official := browser.new_context(viewport=LANDSCAPE))
    reply = official.new_page()
    reply.goto(f"{app_url}{link.path}?{link.query}")
    expect(reply.get_by_role("heading", name=nl("reply.title"))).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_role("heading", name=THEME)).to_be_visible(timeout=WAIT_MS)
    expect(reply.get_by_text(nl("answer.none_yet"))).to_be_visible(timeout=WAIT_MS)
    settle(reply)
    answer = reply.get_by_test_id("stForm")
    answer.get_by_test_id("stRadio").get_by_text(nl("decision.partly"), exact=True).click()
    answer.get_by_role("textbox", name=nl("field.reasons"), exact=True).fill(REASONS)
    answer.get_by_role("textbox", name=nl("field.answered_by"), exact=True).fill(OFFICIAL)
    answer.get_by_role("button", name=nl("answer.save")).click()
    expect(reply.get_by_text(nl("answer.saved"))).to_be_visible(timeout=WAIT_MS)
    settle(reply)
    screenshot(reply, "mail-official-answered")

    # --- 3. The mail run tells the facilitator. ------------------------------------------------------
    monkeypatch.setenv("DATABASE_URL", served_app.database_url)
    monkeypatch.setenv("KWR_DATA_DIR", str(served_app.data_dir))
    get_settings.cache_clear()
    assert cli.main(["mail", "send"]) == 0
    assert "1 delivered to the outbox folder" in capsys.readouterr().out
    [notice_file] = list(outbox.glob(f"answered-{recipient_id}-*.eml"))
    notice = _read(notice_file)
    assert notice["To"].addresses[0].addr_spec == FACILITATOR
    assert str(notice["Subject"]) == nl("mail.answered.subject", organisation=GEMEENTE, title=THEME)
    text = " ".join(_text(notice).split())
    assert REASONS in text and OFFICIAL in text and nl("decision.partly") in text, text

    # ... and the facilitator's page lists both messages, the notice first.
    page.reload()
    gemeente = _open_voorstellen(page, app_url)
    expect(gemeente.get_by_text(f"{nl('recipient_status.answered')}: {nl('decision.partly')}")).to_be_visible(
        timeout=WAIT_MS)
    section = _mail_section(gemeente)
    section.locator("summary").click()
    lines = section.get_by_test_id("stCaptionContainer")
    notice_line = lines.filter(has_text=nl("mail_kind.answered"))
    expect(notice_line).to_contain_text(FACILITATOR, timeout=WAIT_MS)
    expect(section.get_by_role("button", name=nl("mail.send"), exact=True)).to_have_count(0)  # answered
    notice_line.scroll_into_view_if_needed()
    settle(page)
    screenshot(page, "mail-answered")

    # --- 4. The wijk's reminders are set where the wijk's other settings are. -----------------------
    page.goto(f"{app_url}/wijken")
    expect(page.get_by_role("heading", name=nl("page.neighbourhoods"), exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    page.get_by_role("tab", name=nl("wijken.tab.neighbourhood")).click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("heading", name=nl("wijk.reminders")))
    days = form.get_by_role("spinbutton", name=nl("field.reminder_days_before"))
    expect(days).to_have_value("7", timeout=WAIT_MS)
    days.fill("10")
    form.get_by_role("button", name=nl("action.save")).click()
    expect(page.get_by_text(nl("wijk.reminders_saved"))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    form.scroll_into_view_if_needed()
    screenshot(page, "mail-wijk-reminders")
    expect(form.get_by_role("spinbutton", name=nl("field.reminder_days_before"))).to_have_value("10")
