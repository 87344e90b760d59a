"""A seeded random explorer: a person who taps anything, in a real browser.

It looks at what the page offers right now (buttons, tabs, selects, multiselects, radios, toggles,
text boxes, number boxes, expanders, dialogs, menu links, photo fields), picks one at random, does it
as a person would (a click, a choice from the list, typed or pasted text, valid or hostile from
tests/bad_input.py), waits for Streamlit to settle, and checks the page:

- no exception: no exception box, no incident message, nothing new with a traceback in the server log;
- no word from Streamlit's own English strings on a Dutch screen (tests/streamlit_english.py);
- no sideways scrolling of the page;
- no button whose label is cut.

The same seed picks the same actions from the same offers, so a failure names its seed and the
actions so far, saves a screenshot, and replays with KWR_EXPLORER_SEED (see tests/test_explorer.py).
"""

from __future__ import annotations

import os
import random
import signal
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import bad_input
from tests.browser_support import ARTIFACTS, WAIT_MS, page_errors, server_errors, settle
from tests.streamlit_english import english_on

# What a person types when not being hostile: short Dutch words and sentences a child or a teacher
# would write, plus anything the test adds (class codes, card codes) so the explorer gets further.
PLAIN_TEXTS = ("Meer bomen in het park", "Groep 7b", "Juf Anna", "2027-2028", "De speeltuin is kapot",
               "Sam", "info@gemeente.example", "06-12345678", "12", "Een bankje bij de bushalte", "")

# Offers are marked with data-explorer-id in one pass over the DOM, then acted on by that id: one
# round trip to the browser instead of one per element. A modal dialog, when open, is all there is.
_OFFERS_JS = r"""
(exclude) => {
  document.querySelectorAll('[data-explorer-id]').forEach(e => e.removeAttribute('data-explorer-id'));
  const dialog = [...document.querySelectorAll('[role="dialog"]')].find(d => d.getBoundingClientRect().width > 0);
  const root = dialog || document;
  const offers = [];
  const shown = el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    // Below the fold counts (a person scrolls); a folded-away sidebar beside the screen does not.
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth
        && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const label = el => (el.innerText || el.getAttribute('aria-label') || el.getAttribute('placeholder') || '')
                        .replace(/\s+/g, ' ').trim().slice(0, 60);
  const add = (kind, el, text) => {
    if (!el || !shown(el) || el.closest('[data-explorer-id]')) return;
    el.setAttribute('data-explorer-id', String(offers.length));
    offers.push({id: offers.length, kind, label: text ?? label(el)});
  };
  const inWidget = el => el.closest('[data-testid="stSelectbox"], [data-testid="stMultiSelect"], '
      + '[data-testid="stFileUploader"], [data-testid="stToolbar"], [data-testid="stMainMenu"], '
      + '[data-testid="stHeader"], [data-testid="stDataFrame"], [data-testid="stNumberInput"]');
  const excluded = el => exclude.some(word => label(el).includes(word))
      || el.closest('[data-testid="stSidebarUserContent"] [data-testid="stSelectbox"]');
  root.querySelectorAll('[data-testid="stSelectbox"]').forEach(el => {
    if (!excluded(el)) add('select', el.querySelector('[data-baseweb="select"]') || el, label(el));
  });
  root.querySelectorAll('[data-testid="stMultiSelect"]').forEach(el =>
    add('multiselect', el.querySelector('[data-baseweb="select"]') || el, label(el)));
  root.querySelectorAll('[data-testid="stRadio"] label').forEach(el => add('click', el));
  root.querySelectorAll('[data-testid="stCheckbox"] label').forEach(el => add('click', el));
  root.querySelectorAll('[data-testid="stTextInput"] input').forEach(el => { if (!el.disabled) add('text', el); });
  root.querySelectorAll('[data-testid="stTextArea"] textarea').forEach(el => { if (!el.disabled) add('text', el); });
  root.querySelectorAll('[data-testid="stNumberInput"] input').forEach(el => { if (!el.disabled) add('number', el); });
  root.querySelectorAll('[data-testid="stExpander"] summary').forEach(el => add('click', el));
  root.querySelectorAll('[data-testid="stFileUploader"]').forEach(el => {
    const input = el.querySelector('input[type="file"]');
    if (input && shown(el)) { input.setAttribute('data-explorer-id', String(offers.length));
      offers.push({id: offers.length, kind: 'upload', label: label(el).slice(0, 40)}); }
  });
  root.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stPageLink"] a').forEach(el => add('click', el));
  root.querySelectorAll('button').forEach(el => {
    if (el.disabled || inWidget(el) || excluded(el)) return;
    if (el.getAttribute('role') === 'tab') return add('click', el);
    add('click', el);
  });
  return offers;
}
"""

_CHECK_JS = r"""
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const sideways = main && main.scrollWidth > main.clientWidth + 1
      ? `the page scrolls sideways (${main.scrollWidth} > ${main.clientWidth} px)` : null;
  const cut = [];
  document.querySelectorAll('button').forEach(button => {
    const r = button.getBoundingClientRect();
    if (!r.width || !r.height || button.closest('[data-testid="stDataFrame"], [data-testid="stToolbar"]')) return;
    button.querySelectorAll('p, span').forEach(text => {
      if (text.scrollWidth > text.clientWidth + 1 && getComputedStyle(text).overflow !== 'visible')
        cut.push((button.innerText || '').trim().slice(0, 40));
    });
  });
  return {sideways, cut: [...new Set(cut)]};
}
"""


def tiny_png(colour: tuple[int, int, int] = (30, 120, 90)) -> bytes:
    """A real 8×8 PNG, made here (no file to ship)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(colour) * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


UPLOADS = (("plek.png", "image/png", tiny_png()), ("leeg.png", "image/png", b""),
           ("kapot.png", "image/png", tiny_png()[:40]), ("brief.txt", "text/plain", b"geen foto"))


class ExplorerFound(AssertionError):
    """What the explorer found, with all it needs to replay it."""


class WalkStuck(Exception):
    """The browser gave no answer for far longer than any of the walk's waits allow."""


STEP_SECONDS = 150  # one action, its settling (at most 3 × WAIT_MS) and the checks; far beyond is stuck


@contextmanager
def watchdog(seconds: int, what: str) -> Iterator[None]:
    """Interrupt a Playwright call that never returns, so that one stuck walk cannot hang the suite
    or a soak (seen in soaks: a wait with a 15 s timeout still waiting after minutes). A timer thread
    sends SIGALRM to this process; its handler raises in the main thread, where the sync API waits
    for the browser. (signal.alarm alone did not end one such wait; a SIGALRM sent from outside did.)"""
    def send() -> None:
        os.kill(os.getpid(), signal.SIGALRM)

    timers = [threading.Timer(seconds, send)]

    def stuck(_signal: int, _frame: object) -> None:
        timers.append(threading.Timer(60, send))  # once more, for the clean-up (a screenshot) that follows
        timers[-1].daemon = True
        timers[-1].start()
        raise WalkStuck(f"{what}: no answer from the browser for {seconds} s")

    previous = signal.signal(signal.SIGALRM, stuck)
    timers[0].daemon = True
    timers[0].start()
    try:
        yield
    finally:
        for timer in timers:
            timer.cancel()
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Explorer:
    page: Page
    log: Path
    seed: int
    language: str = "nl"
    label: str = ""  # role and screen size, for the report and the screenshot's name
    extra_texts: tuple[str, ...] = ()  # codes the test knows (a class code, voting cards)
    exclude: tuple[str, ...] = ("Uitloggen", "Log out")  # a logout ends the walk, not a finding
    actions: list[str] = field(default_factory=list)
    # Checks to leave out, for a soak that looks for crashes only ("english", "cut", "sideways").
    skip_checks: frozenset[str] = frozenset()
    verbose: bool = False  # print each action as it happens (a soak's log)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.log_start = self.log.stat().st_size if self.log.exists() else 0

    # ---- one step -------------------------------------------------------------------------------
    def walk(self, steps: int, *, deadline: float | None = None) -> int:
        """Do up to `steps` random actions (stopping at `deadline`, a time.monotonic()); checks after each."""
        self.check("start")
        for _ in range(steps):
            if deadline is not None and time.monotonic() > deadline:
                break
            try:
                with watchdog(STEP_SECONDS, f"action {len(self.actions) + 1}"):
                    self.step()
            except WalkStuck as stuck:
                self.fail(f"action {len(self.actions) + 1} (stuck)", [str(stuck)])
        return len(self.actions)

    def step(self) -> None:
        offers = self.page.evaluate(_OFFERS_JS, list(self.exclude))
        # Now and then, and more often where little can be done (a kiosk page without a menu), a
        # person goes back or reloads; with nothing at all to do, that is all there is.
        if not offers or self.rng.random() < (0.3 if len(offers) < 4 else 0.04):
            way = self.rng.choice(("back", "reload"))
            self.actions.append(f"({way})")
            if self.verbose:
                print(f"[{self.label} seed {self.seed}] {len(self.actions)}. ({way})", flush=True)
            if way == "back":
                self.page.go_back(timeout=WAIT_MS)
            else:
                self.page.reload(timeout=WAIT_MS)
            self._settle()
            self.check(way)
            return
        offer = self.rng.choice(offers)
        description = f"{offer['kind']} «{offer['label']}»"
        target = self.page.locator(f'[data-explorer-id="{offer["id"]}"]')
        try:
            description += self._act(offer["kind"], target)
        except (PlaywrightTimeout, PlaywrightError) as error:
            # The element went away under a rerun (a fragment refreshed): a person's tap misses too.
            description += f" (missed: {str(error).splitlines()[0][:80]})"
        self.actions.append(description)
        if self.verbose:
            print(f"[{self.label} seed {self.seed}] {len(self.actions)}. {description}", flush=True)
        self._settle()
        self.check(description)

    def _act(self, kind: str, target) -> str:  # a Playwright Locator
        rng = self.rng
        if kind == "click":
            target.click(timeout=5_000)
            return ""
        if kind in ("select", "multiselect"):
            target.click(timeout=5_000)
            options = self.page.locator('[role="option"]')
            try:
                options.first.wait_for(timeout=2_000)
            except PlaywrightTimeout:
                self.page.keyboard.press("Escape")
                return " (no options)"
            count = options.count()
            if not count:  # the list closed again under a rerun
                self.page.keyboard.press("Escape")
                return " (no options)"
            choice = options.nth(rng.randrange(count))
            text = (choice.inner_text(timeout=2_000) or "").strip()[:40]
            choice.click(timeout=5_000)
            if kind == "multiselect":
                self.page.keyboard.press("Escape")
            return f" → {text}"
        if kind == "text":
            text = self._text()
            target.fill(text, timeout=5_000)
            key = rng.choice(("Tab", "Enter"))  # leave the box, or press Enter (a form submits)
            target.press(key)
            return f" ← {text[:40]!r}{'…' if len(text) > 40 else ''} + {key}"
        if kind == "number":
            number = str(rng.choice((rng.randint(0, 40), -1, 0, 999)))
            target.fill(number, timeout=5_000)
            target.press("Tab")
            return f" ← {number}"
        if kind == "upload":
            name, mime, data = rng.choice(UPLOADS)
            target.set_input_files({"name": name, "mimeType": mime, "buffer": data}, timeout=5_000)
            return f" ← {name}"
        raise ValueError(kind)

    def _text(self) -> str:
        roll = self.rng.random()
        if roll < 0.25:
            return self.rng.choice(bad_input.TEXTS).text
        if self.extra_texts and roll < 0.5:
            return self.rng.choice(self.extra_texts)
        return self.rng.choice(PLAIN_TEXTS)

    def _settle(self) -> None:
        try:
            settle(self.page)
        except AssertionError:
            # A page that keeps running (a live board refreshing each second) never settles long;
            # the checks below still see what it shows.
            self.page.wait_for_timeout(500)

    # ---- the checks -----------------------------------------------------------------------------
    def check(self, after: str) -> None:
        problems = page_errors(self.page)
        logged = server_errors(self.log, self.log_start)
        if logged:
            problems.append(f"server log:\n{logged[-4000:]}")
        seen = self.page.evaluate(_CHECK_JS)
        if seen["sideways"] and "sideways" not in self.skip_checks:
            problems.append(seen["sideways"])
        if seen["cut"] and "cut" not in self.skip_checks:
            problems.append(f"buttons with a cut label: {seen['cut']}")
        if self.language == "nl" and "english" not in self.skip_checks:
            english = english_on(self.page)
            if english:
                problems.append(f"Streamlit's English on a Dutch screen: {english}")
        if problems:
            self.fail(after, problems)

    def fail(self, after: str, problems: list[str]) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"explorer-{self.label}-seed{self.seed}-{len(self.actions)}.png"
        try:
            with watchdog(30, "the finding's screenshot"):
                self.page.screenshot(path=shot, full_page=True)
        except (PlaywrightError, WalkStuck):
            shot = Path("(no screenshot)")
        steps = "\n".join(f"  {number:3}. {action}" for number, action in enumerate(self.actions, 1))
        raise ExplorerFound(
            f"explorer [{self.label}] seed {self.seed} ({self.language}) after: {after}\n"
            + "\n".join(f"- {problem}" for problem in problems)
            + f"\nscreenshot: {shot}\nactions:\n{steps}\n"
            f"replay: KWR_EXPLORER_SEED={self.seed} pytest tests/test_explorer.py -k '{self.label}'")

