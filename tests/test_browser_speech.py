"""Read aloud in Chromium: the speaker beside a ballot option speaks that option in the page's
language with the tablet's own voice; a tablet without a voice plays the server's espeak-ng audio,
made once per text; in the booth nothing spoken or shown after the vote names the choice.

The tablet's voices are replaced by a spy the test installs before the page loads (Chromium here
has none): `speechSynthesis.speak` records what it was given, `getVoices` answers a Dutch voice or
none. espeak-ng runs through a wrapper on the server's PATH that writes a line per run, so the
test sees whether the cache kept a second tap from running it again.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from kinderwijkraad.i18n import t
from kinderwijkraad.services import accounts, ballots, lessons
from kinderwijkraad.ui.speech import LABEL_CHARS, speakable
from tests.browser_support import (
    PORTRAIT,
    STEP_BRAINSTORM,
    STEP_PLAN,
    WAIT_MS,
    NewContext,
    follows,
    go,
    join_tablets,
    open_run,
    screenshot,
    settle,
    start_lesson_2,
    wait_until,
)

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")]

SPY = """(() => {
  window.__spoken = [];
  const dutch = %s;
  const synth = window.speechSynthesis;
  const voice = {lang: "nl-NL", name: "Spy", default: true, localService: true, voiceURI: "spy"};
  synth.getVoices = () => dutch ? [voice] : [];
  synth.speak = utterance => window.__spoken.push({text: utterance.text, lang: utterance.lang});
  synth.cancel = () => {};
})();"""


@pytest.fixture(scope="module", autouse=True)
def espeak_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A log with a line per espeak-ng run of the server this module starts (autouse: the PATH is
    set before the module's server starts)."""
    folder = tmp_path_factory.mktemp("espeak")
    log = folder / "runs.log"
    log.touch()
    wrapper = folder / "espeak-ng"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec {shutil.which("espeak-ng")} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        yield log


def _runs(log: Path) -> int:
    return len(log.read_text().splitlines())


def _tablet(browser: Browser, url: str, *, voices: bool, size: dict | None = None) -> Page:
    context = browser.new_context(viewport=size or {"width": 768, "height": 1024})
    context.add_init_script(SPY % ("true" if voices else "false"))
    page = context.new_page()
    page.goto(url)
    return page


def _card(app_engine: Engine, app_url: str, poll, classroom_id: int) -> str:
    facilitator = accounts.session_actor(app_engine, username="demo-begeleider")
    code = ballots.issue_cards(app_engine, actor=facilitator, poll_id=poll.id, classroom_id=classroom_id, count=1,
                               base_url=app_url).cards[0].code
    return f"{app_url}/stemmen?kaart={code.replace('-', '')}"


def _speaker(page: Page, text: str):
    """The speaker that reads `text`, found by its accessible name as a screen reader would."""
    short = text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS].rstrip() + "…"
    return page.get_by_role("button", name=t("speech.read_aloud", text=short), exact=True)


def _spoken(page: Page) -> list[dict]:
    return page.evaluate("() => window.__spoken")


def test_a_ballot_option_is_spoken_with_the_tablets_dutch_voice(browser, app_url, app_engine, open_poll):
    poll, classroom_id = open_poll
    page = _tablet(browser, _card(app_engine, app_url, poll, classroom_id), voices=True)
    option = poll.options[1]
    speaker = _speaker(page, option.label)
    expect(speaker).to_be_visible(timeout=WAIT_MS)
    box = speaker.bounding_box()
    assert box and box["width"] >= 48 and box["height"] >= 48  # a child's finger, not a mouse
    speaker.click()
    assert _spoken(page) == [{"text": option.label, "lang": "nl-NL"}]
    instruction = t("ballot.instruction.approval", k=3, left=3)
    _speaker(page, instruction).click()
    assert _spoken(page)[-1] == {"text": instruction, "lang": "nl-NL"}
    # Speaking is not a tap on the ballot: nothing is chosen.
    expect(page.get_by_role("button", name=f"✓ {option.label}")).to_have_count(0)
    screenshot(page, "speech-ballot")
    page.context.close()


def test_without_a_voice_the_tablet_plays_the_servers_audio_made_once(browser, app_url, app_engine, open_poll,
                                                                       espeak_runs):
    poll, classroom_id = open_poll
    page = _tablet(browser, _card(app_engine, app_url, poll, classroom_id), voices=False)
    option = poll.options[2]
    before = _runs(espeak_runs)
    _speaker(page, option.label).click()
    audio = page.locator("audio#kwr-speech-audio")
    expect(audio).to_have_count(1)
    source = audio.evaluate("element => element.src")
    assert "/speech?" in source
    answer = page.evaluate("""async source => {
        const response = await fetch(source);
        const bytes = new Uint8Array(await response.arrayBuffer());
        return {status: response.status, type: response.headers.get("content-type"), size: bytes.length,
                riff: String.fromCharCode(...bytes.slice(0, 4))};
    }""", source)
    assert answer["status"] == 200 and answer["type"] == "audio/wav" and answer["riff"] == "RIFF"
    assert answer["size"] > 10_000
    assert _spoken(page) == []  # no voice was asked to speak
    wait_until(lambda: _runs(espeak_runs) == before + 1, what="espeak-ng made the option once")

    # The same text again, from this tablet and from a fresh one (no browser cache): no new run.
    _speaker(page, option.label).click()
    other = _tablet(browser, _card(app_engine, app_url, poll, classroom_id), voices=False)
    _speaker(other, option.label).click()
    other.evaluate("source => fetch(source, {cache: 'no-store'}).then(response => response.arrayBuffer())", source)
    assert _runs(espeak_runs) == before + 1
    # Another option is another text.
    _speaker(page, poll.options[3].label).click()
    wait_until(lambda: _runs(espeak_runs) == before + 2, what="espeak-ng made the second option")
    page.context.close()
    other.context.close()


def test_in_the_booth_nothing_spoken_or_shown_after_the_vote_names_the_choice(browser, app_url, app_engine,
                                                                                open_poll):
    poll, classroom_id = open_poll
    teacher = accounts.session_actor(app_engine, username="demo-begeleider")
    booth = ballots.booth_for(app_engine, actor=teacher, poll_id=poll.id, classroom_id=classroom_id)
    page = _tablet(browser, f"{app_url}/stemhokje", voices=True)
    page.get_by_label(t("booth.pair_code")).fill(booth.pair_code)
    page.get_by_role("button", name=t("booth.pair")).click()
    expect(page.get_by_text(t("booth.wait"))).to_be_visible(timeout=WAIT_MS)
    ballots.set_booth(app_engine, actor=teacher, booth_id=booth.id, unlocked=True)
    chosen = poll.options[4]
    expect(page.get_by_role("button", name=chosen.label, exact=True)).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name=chosen.label, exact=True).click()
    expect(page.get_by_role("button", name=f"✓ {chosen.label}")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    # After the tap the speaker still reads just the option's name, not that it is chosen.
    _speaker(page, chosen.label).click()
    assert _spoken(page)[-1]["text"] == chosen.label
    spoken_before_vote = len(_spoken(page))

    page.get_by_role("button", name=t("ballot.vote")).click()
    expect(page.get_by_text(t("vote.counted"))).to_be_visible(timeout=WAIT_MS)
    settle(page)
    for speaker in page.locator("button.kwr-speak").all():
        speaker.click()
    after = _spoken(page)[spoken_before_vote:]
    assert after, "the receipt's speakers spoke"
    words = re.compile(re.escape(chosen.label), re.IGNORECASE)
    assert not any(words.search(entry["text"]) for entry in after)
    assert not words.search(page.locator("body").inner_text())
    screenshot(page, "speech-booth-receipt")
    page.context.close()


def test_a_team_tablet_reads_the_step_the_prompts_a_refusal_and_each_plan_question(
        teacher: Page, new_context: NewContext, app_url: str, app_engine: Engine) -> None:
    def spied(viewport: dict):
        context = new_context(viewport)
        context.add_init_script(SPY % "true")
        return context

    code = start_lesson_2(teacher, app_engine)
    [tablet] = join_tablets(spied, app_url, code, {"De Mussen": PORTRAIT}).values()
    state = lessons.run_state(app_engine, open_run(app_engine))
    step_text = state.step.children_text.nl
    _speaker(tablet, step_text).click()
    assert _spoken(tablet) == [{"text": step_text, "lang": "nl-NL"}]

    go(teacher, "Volgende stap", STEP_BRAINSTORM)
    follows(tablet, STEP_BRAINSTORM)
    prompt = speakable(f"{t('brainstorm.happy')}. {t('brainstorm.prompt.happy')}")  # the emoji is not read
    _speaker(tablet, prompt).click()
    assert _spoken(tablet)[-1]["text"] == prompt
    # Sending an empty note is refused, and the refusal can be heard too.
    tablet.get_by_test_id("stForm").first.get_by_role("button", name=t("brainstorm.send")).click()
    refusal = t("brainstorm.empty")
    expect(_speaker(tablet, refusal)).to_be_visible(timeout=WAIT_MS)
    _speaker(tablet, refusal).click()
    assert _spoken(tablet)[-1]["text"] == refusal

    go(teacher, "Volgende stap", STEP_PLAN)
    follows(tablet, STEP_PLAN)
    for field in state.series.plan_form.fields:
        said = ". ".join(filter(None, [field.label.nl, field.help.nl if field.help else None,
                                       ", ".join(option.nl for option in field.options)]))
        _speaker(tablet, said).click()
        assert _spoken(tablet)[-1] == {"text": said, "lang": "nl-NL"}
    screenshot(tablet, "speech-plan-form")
