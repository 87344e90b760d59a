"""Speech made on the server with espeak-ng, for a tablet that has no voice for the screen's
language (issue: every child can take part).

A tablet reads aloud with its own voices (the browser's Web Speech API) wherever it has one for
the language; iPads and Android tablets do. Where it has none, the page plays this audio instead.
It is made once per text and language and kept in memory (a cache bounded in bytes, least
recently used out): a ballot's options are the same for every child, so the class's first tap
makes them and every later tap is served from memory. Nothing is written to disk and nothing
says who asked.

Only what the app itself put on a speaker is spoken: each speaker carries a signature of its
text (an HMAC with the app's cookie key), and the route refuses a text without one. So the open
route cannot be used to fill the cache or as anyone's speech service.

espeak-ng is Debian's package (`scripts/ensure-speech.sh`, run by `make run`, and
`scripts/ensure-test-tools.sh`, run by `make test`, install it). Without it the tablet's own voices
are the only ones, and the route answers 404 instead of failing.
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
import subprocess
import threading
from collections import OrderedDict
from typing import Final

from kinderwijkraad.errors import KwrError

# The screen's languages and the espeak-ng voice for each.
VOICES: Final = {"nl": "nl", "en": "en-gb"}
MAX_TEXT: Final = 2000  # a template's longest text (models/lessons.py); about 6 MB of WAV
WORDS_PER_MINUTE: Final = 140  # a little slower than espeak-ng's 175: for children, some learning Dutch
CACHE_BYTES: Final = 64 * 1024 * 1024  # a short option is ~50 KB, a step's question ~300 KB: a wijk's lessons fit
AT_ONCE: Final = 2  # espeak-ng runs at the same time, one per core: more only queue in the CPU
TIMEOUT_SECONDS: Final = 20


class SpeechUnavailable(KwrError):
    """This text cannot be spoken (empty, too long, unsigned, or a language without a voice)."""


class SpeechNotInstalled(SpeechUnavailable):
    """espeak-ng is not on this server, or failed."""


def _clean(text: str) -> str:
    return " ".join(text.split())


def signature(text: str, language: str, key: str) -> str:
    """What a speaker carries beside its text, so the route speaks only the app's own texts."""
    message = f"{language}\n{_clean(text)}".encode(errors="surrogatepass")
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


def check(text: str, language: str, signed: str, key: str) -> str:
    """The text as it will be spoken, or SpeechUnavailable with why not."""
    text = _clean(text)
    if language not in VOICES:
        raise SpeechUnavailable(f"no voice for language {language!r}")
    if not text or len(text) > MAX_TEXT:
        raise SpeechUnavailable(f"text of {len(text)} characters: 1 to {MAX_TEXT} can be spoken")
    if not hmac.compare_digest(signed.encode(errors="surrogatepass"), signature(text, language, key).encode()):
        raise SpeechUnavailable("not a text of this app")
    return text


class SpeechCache:
    """Audio made per (language, text). Thread-safe: the server answers requests on several
    threads. 25 tablets tapping the same new option at once make it once (a lock per text, held
    while it is made); different texts are made side by side, AT_ONCE at a time."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.made = 0  # how many times espeak-ng ran: the tests read it
        self._audio: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._bytes = 0
        self._making: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()  # guards the three above; never held while espeak-ng runs
        self._runs = threading.BoundedSemaphore(AT_ONCE)

    def _cached(self, key: tuple[str, str]) -> bytes | None:
        with self._lock:
            audio = self._audio.get(key)
            if audio is not None:
                self._audio.move_to_end(key)
            return audio

    def wav(self, text: str, language: str) -> bytes:
        key = (language, _clean(text))
        if (audio := self._cached(key)) is not None:
            return audio
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            if (audio := self._cached(key)) is not None:  # made by the tap we waited for
                return audio
            with self._runs:
                audio = make_wav(key[1], key[0])
            with self._lock:
                self.made += 1
                self._making.pop(key, None)
                if len(audio) <= self.max_bytes:
                    self._audio[key] = audio
                    self._bytes += len(audio)
                while self._bytes > self.max_bytes:
                    self._bytes -= len(self._audio.popitem(last=False)[1])
            return audio


CACHE: Final = SpeechCache()


def make_wav(text: str, language: str) -> bytes:
    """Run espeak-ng on `text` (given on stdin, so no text is ever read as an option) and return
    a WAV file with its lengths filled in."""
    program = shutil.which("espeak-ng")
    if program is None:
        raise SpeechNotInstalled("espeak-ng is not installed")
    try:
        done = subprocess.run([program, "-v", VOICES[language], "-s", str(WORDS_PER_MINUTE), "-b", "1", "--stdout"],
                              input=text.encode(), capture_output=True, timeout=TIMEOUT_SECONDS, check=True)
    except (subprocess.SubprocessError, OSError) as error:
        raise SpeechNotInstalled(f"espeak-ng failed: {error}") from error
    return _fill_in_lengths(done.stdout)


def _fill_in_lengths(wav: bytes) -> bytes:
    """espeak-ng writing to a pipe cannot go back to fill in the RIFF and data lengths, so it
    writes placeholders; some players then read past the end or refuse the file. Its header is
    the canonical 44 bytes with the data chunk last."""
    if len(wav) < 44 or wav[:4] != b"RIFF" or wav[36:40] != b"data":
        raise SpeechNotInstalled("espeak-ng wrote no WAV audio")
    return (wav[:4] + (len(wav) - 8).to_bytes(4, "little") + wav[8:40]
            + (len(wav) - 44).to_bytes(4, "little") + wav[44:])
