"""Speech made on the server with espeak-ng, for a tablet that has no voice for the screen's
language (issue: every child can take part).

A tablet reads aloud with its own voices (the browser's Web Speech API) wherever it has one for
the language; iPads and Android tablets do. Where it has none, the page plays this audio instead.
It is made once per text and language and kept in memory (a bounded LRU cache): a ballot's options
are the same for every child, so the class's first tap makes them and every later tap is served
from memory. Nothing is written to disk and nothing says who asked.

espeak-ng is Debian's package (`scripts/ensure-test-tools.sh` and `make run` install it). Without
it the tablet's own voices are the only ones, and this module says so instead of failing.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections import OrderedDict
from typing import Final

from kinderwijkraad.errors import KwrError

# The screen's languages and the espeak-ng voice for each.
VOICES: Final = {"nl": "nl", "en": "en-gb"}
MAX_TEXT: Final = 600  # the longest text a child's screen gives a speaker (a step's question with its hint)
WORDS_PER_MINUTE: Final = 140  # a little slower than espeak-ng's 175: for children, some learning Dutch
CACHE_ENTRIES: Final = 512  # about 100 KB a text: at most some 50 MB, enough for a wijk's lessons
TIMEOUT_SECONDS: Final = 10


class SpeechUnavailable(KwrError):
    """espeak-ng is not installed, or could not make this text."""


class SpeechCache:
    """Audio made per (language, text), least recently used first out. Thread-safe: the server
    answers requests on several threads, and two taps on the same text make it once."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self.made = 0  # how many times espeak-ng ran: the tests and the benchmark read it
        self._audio: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def wav(self, text: str, language: str) -> bytes:
        key = (language, _clean(text))
        with self._lock:  # one text at a time: espeak-ng takes milliseconds, a double tap waits
            if key in self._audio:
                self._audio.move_to_end(key)
                return self._audio[key]
            audio = make_wav(key[1], key[0])
            self.made += 1
            self._audio[key] = audio
            if len(self._audio) > self.entries:
                self._audio.popitem(last=False)
            return audio


CACHE: Final = SpeechCache()


def _clean(text: str) -> str:
    return " ".join(text.split())


def check(text: str, language: str) -> str:
    """The text as it will be spoken, or InvalidInput's kin for what cannot be."""
    text = _clean(text)
    if language not in VOICES:
        raise SpeechUnavailable(f"no voice for language {language!r}")
    if not text or len(text) > MAX_TEXT:
        raise SpeechUnavailable(f"text of {len(text)} characters: 1 to {MAX_TEXT} can be spoken")
    return text


def make_wav(text: str, language: str) -> bytes:
    """Run espeak-ng on `text` (given on stdin, so no text is ever read as an option) and return
    a WAV file with its lengths filled in."""
    text = check(text, language)
    program = shutil.which("espeak-ng")
    if program is None:
        raise SpeechUnavailable("espeak-ng is not installed")
    try:
        done = subprocess.run([program, "-v", VOICES[language], "-s", str(WORDS_PER_MINUTE), "-b", "1", "--stdout"],
                              input=text.encode(), capture_output=True, timeout=TIMEOUT_SECONDS, check=True)
    except (subprocess.SubprocessError, OSError) as error:
        raise SpeechUnavailable(f"espeak-ng failed: {error}") from error
    return _fill_in_lengths(done.stdout)


def _fill_in_lengths(wav: bytes) -> bytes:
    """espeak-ng writing to a pipe cannot go back to fill in the RIFF and data lengths, so it
    writes 0x7ffff000-ish placeholders; some players then read past the end or refuse the file.
    Its header is the canonical 44 bytes with the data chunk last."""
    if len(wav) < 44 or wav[:4] != b"RIFF" or wav[36:40] != b"data":
        raise SpeechUnavailable("espeak-ng wrote no WAV audio")
    return (wav[:4] + (len(wav) - 8).to_bytes(4, "little") + wav[8:40]
            + (len(wav) - 44).to_bytes(4, "little") + wav[44:])
