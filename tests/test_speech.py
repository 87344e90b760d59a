"""Server-made speech (kinderwijkraad/speech.py, the /speech route in kinderwijkraad/web.py) and the
speaker buttons' HTML (kinderwijkraad/ui/speech.py). The browser side: tests/test_browser_speech.py."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from kinderwijkraad import speech, web
from kinderwijkraad.i18n import set_language
from kinderwijkraad.ui.speech import button_html

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
def test_the_cache_makes_each_text_once_per_language_and_forgets_the_oldest():
    cache = speech.SpeechCache(entries=2)
    first = cache.wav("Meer bankjes in het park", "nl")
    assert cache.wav("Meer  bankjes in het park ", "nl") is first  # the same words, spaced otherwise
    assert cache.made == 1
    cache.wav("Meer bankjes in het park", "en")
    assert cache.made == 2  # another language is another sound
    cache.wav("Een hondenveld", "nl")  # a third text: the oldest goes
    cache.wav("Meer bankjes in het park", "nl")
    assert cache.made == 4


@pytest.mark.parametrize(("text", "language", "why"), [
    ("", "nl", "characters"), ("   ", "nl", "characters"), ("x" * (speech.MAX_TEXT + 1), "nl", "characters"),
    ("Hallo", "fr", "no voice"),
])
def test_what_cannot_be_spoken_is_refused_before_espeak_runs(text, language, why):
    with pytest.raises(speech.SpeechUnavailable, match=why):
        speech.check(text, language)


def test_without_espeak_the_refusal_says_so(monkeypatch):
    monkeypatch.setattr(speech.shutil, "which", lambda _name: None)
    with pytest.raises(speech.SpeechUnavailable, match="not installed"):
        speech.make_wav("Hallo", "nl")


def _get(query: dict[str, str]):
    request = Request({"type": "http", "method": "GET", "path": web.SPEECH_PATH, "headers": [],
                       "query_string": urlencode(query).encode()})
    return asyncio.run(web.spoken(request))


@needs_espeak
def test_the_route_answers_wav_that_a_tablet_may_keep():
    response = _get({"lang": "nl", "text": "Kies er hoogstens 3."})
    assert response.status_code == 200
    assert response.media_type == "audio/wav"
    assert response.body[:4] == b"RIFF"
    assert "max-age" in response.headers["cache-control"]


def test_the_route_refuses_what_cannot_be_spoken():
    assert _get({"lang": "xx", "text": "Hallo"}).status_code == 400
    assert _get({"lang": "nl"}).status_code == 400


def test_a_speaker_carries_its_text_language_and_a_name_for_screen_readers():
    set_language("nl")
    markup = button_html('Een "groot" <plein> & meer')
    assert 'data-say="Een &quot;groot&quot; &lt;plein&gt; &amp; meer"' in markup
    assert 'data-lang="nl"' in markup and 'data-locale="nl-NL"' in markup
    label = re.search(r'aria-label="([^"]*)"', markup)
    assert label and html.unescape(label.group(1)) == 'Lees voor: Een "groot" <plein> & meer'
    set_language("en")
    try:
        assert 'data-locale="en-GB"' in button_html("Hello")
    finally:
        set_language("nl")


def test_a_long_text_gets_a_short_name_but_is_read_whole():
    text = "woord " * 40
    markup = button_html(text)
    name = html.unescape(re.search(r'aria-label="([^"]*)"', markup).group(1))
    assert len(name) < 80 and name.endswith("…")
    assert html.escape(text, quote=True) in markup
