"""Server-made speech (kinderwijkraad/speech.py, the /speech route in kinderwijkraad/web.py) and the
speaker buttons' HTML (kinderwijkraad/ui/speech.py). The browser side: tests/test_browser_speech.py."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from kinderwijkraad import speech, web
from kinderwijkraad.config import get_settings
from kinderwijkraad.i18n import set_language
from kinderwijkraad.ui.speech import button_html, speakable

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@needs_espeak
def test_espeak_makes_a_wav_whose_lengths_are_filled_in():
    wav = speech.make_wav("Een speeltuin met een grote glijbaan", "nl")
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert int.from_bytes(wav[4:8], "little") == len(wav) - 8
    assert int.from_bytes(wav[40:44], "little") == len(wav) - 44 > 22050  # more than half a second of speech


@needs_espeak
def test_a_text_that_looks_like_an_option_is_spoken_not_obeyed():
    # Given on stdin: "--help" would otherwise print espeak-ng's help instead of audio.
    assert speech.make_wav("--help", "nl")[:4] == b"RIFF"


@needs_espeak
def test_the_cache_makes_each_text_once_per_language_and_forgets_the_oldest_past_its_bytes():
    first = speech.make_wav("Meer bankjes in het park", "nl")
    cache = speech.SpeechCache(max_bytes=len(first) * 2 + 1000)  # room for about two such texts
    assert cache.wav("Meer bankjes in het park", "nl") == first
    assert cache.wav("Meer  bankjes in het park ", "nl") == first  # the same words, spaced otherwise
    assert cache.made == 1
    cache.wav("Meer bankjes in het park", "en")
    assert cache.made == 2  # another language is another sound
    cache.wav("Een hondenveld in de wijk", "nl")  # a third text: the oldest goes
    cache.wav("Meer bankjes in het park", "nl")
    assert cache.made == 4


@needs_espeak
def test_taps_at_the_same_moment_on_one_new_text_make_it_once():
    cache = speech.SpeechCache()
    with ThreadPoolExecutor(8) as pool:
        sounds = list(pool.map(lambda _: cache.wav("Een speeltuin voor iedereen", "nl"), range(8)))
    assert cache.made == 1 and len(set(sounds)) == 1


KEY = "test-key"


@pytest.mark.parametrize(("text", "language", "why"), [
    ("", "nl", "characters"), ("   ", "nl", "characters"), ("x" * (speech.MAX_TEXT + 1), "nl", "characters"),
    ("Hallo", "fr", "no voice"),
])
def test_what_cannot_be_spoken_is_refused_before_espeak_runs(text, language, why):
    with pytest.raises(speech.SpeechUnavailable, match=why):
        speech.check(text, language, speech.signature(text, language, KEY), KEY)


@pytest.mark.parametrize("signed", ["", "0" * 32, speech.signature("Hallo", "en", KEY),
                                    speech.signature("Hallo!", "nl", KEY), speech.signature("Hallo", "nl", "other")])
def test_only_a_text_the_app_signed_is_spoken(signed):
    with pytest.raises(speech.SpeechUnavailable, match="not a text of this app"):
        speech.check("Hallo", "nl", signed, KEY)
    assert speech.check(" Hallo ", "nl", speech.signature("Hallo", "nl", KEY), KEY) == "Hallo"


def test_without_espeak_the_refusal_says_so(monkeypatch):
    monkeypatch.setattr(speech.shutil, "which", lambda _name: None)
    with pytest.raises(speech.SpeechNotInstalled, match="not installed"):
        speech.make_wav("Hallo", "nl")


def _get(query: dict[str, str]):
    request = Request({"type": "http", "method": "GET", "path": web.SPEECH_PATH, "headers": [],
                       "query_string": urlencode(query).encode()})
    return asyncio.run(web.spoken(request))


def _signed(text: str, language: str = "nl") -> dict[str, str]:
    return {"lang": language, "text": text, "sig": speech.signature(text, language, get_settings().cookie_key)}


@needs_espeak
def test_the_route_answers_wav_that_a_tablet_may_keep():
    response = _get(_signed("Kies er hoogstens 3."))
    assert response.status_code == 200
    assert response.media_type == "audio/wav"
    assert response.body[:4] == b"RIFF"
    assert "max-age" in response.headers["cache-control"]


def test_the_route_refuses_what_cannot_be_spoken():
    assert _get(_signed("Hallo", "xx")).status_code == 400
    assert _get({"lang": "nl"}).status_code == 400
    assert _get({"lang": "nl", "text": "Iets dat de app nooit liet zien"}).status_code == 400  # unsigned


def test_a_speaker_reads_words_not_emoji():
    assert speakable("😊 Gelukkig ✓ ") == "Gelukkig"
    assert speakable("Kies 3 (€ 5) — ja!") == "Kies 3 (€ 5) — ja!"


def test_a_speaker_carries_its_text_language_and_a_name_for_screen_readers():
    set_language("nl")
    markup = button_html('Een "groot" <plein> & meer')
    assert 'data-say="Een &quot;groot&quot; &lt;plein&gt; &amp; meer"' in markup
    assert 'data-lang="nl"' in markup and 'data-locale="nl-NL"' in markup
    signed = re.search(r'data-sig="([0-9a-f]+)"', markup).group(1)
    assert speech.check('Een "groot" <plein> & meer', "nl", signed, get_settings().cookie_key)
    label = re.search(r'aria-label="([^"]*)"', markup)
    assert label and html.unescape(label.group(1)) == 'Lees voor: Een "groot" <plein> & meer'
    set_language("en")
    try:
        assert 'data-locale="en-GB"' in button_html("Hello")
    finally:
        set_language("nl")


def test_a_long_text_gets_a_short_name_but_is_read_whole():
    text = " ".join(["woord"] * 40)
    markup = button_html(text)
    name = html.unescape(re.search(r'aria-label="([^"]*)"', markup).group(1))
    assert len(name) < 80 and name.endswith("…")
    assert html.escape(text, quote=True) in markup
