"""One translation table for every screen, PDF and error text: `t("key", **params)`.

Dutch is the default; English is complete (a test fails on a key missing from any catalogue, or
on a translation whose placeholders differ from the Dutch text). The language is per Streamlit
session: the app sets it at the start of every run.

Writing a message (nl.py and en.py, same key in both):

- Plain text with named placeholders: `"wijken.created": "Wijk ‘{name}’ aangemaakt."`, shown with
  `t("wijken.created", name=...)`.
- A count with a noun is a dict of plural forms, chosen by the `count` parameter:
  `"lesson.teams_added": {"one": "{count} groepje toegevoegd.", "other": "{count} groepjes toegevoegd."}`,
  shown with `t("lesson.teams_added", count=3)`. Dutch and English both have the forms "one"
  (exactly 1) and "other" (everything else, 0 included); the choice follows CLDR's rules
  (Babel), so another language brings its own forms. `{count}` is filled in as a number in the
  reader's language ("1.250" in Dutch, "1,250" in English).
- Numbers, percentages and dates in a text are formatted before they go in, with
  `format_number`, `format_percent` and `format_date` / `format_datetime` (i18n/formats.py):
  "12,5" and "3 december 2026" in Dutch, "12.5" and "3 December 2026" in English.

Strict mode (`set_strict(True)`, or the environment variable KWR_STRICT_I18N=1; the test suite
turns it on): a missing key, a placeholder without a parameter, a plural message without a
number as `count` or a malformed text raises `MessageError`. Without it
(production) `t()` logs a warning and shows what it can — the key itself, or the text
unfilled — rather than crashing a lesson.
"""

from __future__ import annotations

import logging
import os
import string
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import TypeVar

from babel import Locale

from kinderwijkraad.i18n.en import MESSAGES as EN
from kinderwijkraad.i18n.formats import LOCALES, format_date, format_datetime, format_number, format_percent
from kinderwijkraad.i18n.nl import MESSAGES as NL

__all__ = [
    "CATALOGUES", "DEFAULT_LANGUAGE", "LANGUAGES", "Message", "MessageError", "current_language",
    "format_date", "format_datetime", "format_number", "format_percent", "keep_language", "set_language",
    "set_strict", "t", "texts",
]

# A message is a text, or its plural forms ({"one": ..., "other": ...}) chosen by `count`.
Message = str | Mapping[str, str]

CATALOGUES: dict[str, Mapping[str, Message]] = {"nl": NL, "en": EN}
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"

log = logging.getLogger(__name__)
_language: ContextVar[str] = ContextVar("kwr_language", default=DEFAULT_LANGUAGE)
_strict = os.environ.get("KWR_STRICT_I18N") == "1"
T = TypeVar("T")


class MessageError(LookupError):
    """A message that cannot be shown as written: raised in strict mode only."""


def set_language(language: str) -> None:
    _language.set(language if language in CATALOGUES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _language.get()


def set_strict(strict: bool) -> None:
    """Whether a broken message raises (tests) or is logged and shown as well as it can (production)."""
    global _strict
    _strict = strict


def texts(message: Message) -> list[str]:
    """Every text of a message: itself, or each of its plural forms."""
    return [message] if isinstance(message, str) else list(message.values())


def placeholders(text: str) -> set[str]:
    """The names a text fills in: {"name"} for "Wijk ‘{name}’ aangemaakt."."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, /, *, language: str | None = None, **params: object) -> str:
    """The text for `key` in the current language (or `language`) with `params` filled in; for a
    plural message, the form `count` asks for. See the module docstring for strict mode."""
    language = language or _language.get()
    message = CATALOGUES[language].get(key)
    if message is None:
        _broken(f"no message {key!r} in {language!r}")
        message = NL.get(key)
        if message is None:
            return key
    text = _form(key, message, language, params)
    # A parameter the text does not use is fine: one set of parameters often serves several
    # messages (a template error and its problem; a method's label that needs k for one method only).
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError, AttributeError) as problem:
        _broken(f"{key!r} cannot be filled in ({language}): {problem!r} missing or malformed", problem)
        return text


def _form(key: str, message: Message, language: str, params: dict[str, object]) -> str:
    """The text to fill in: the message itself, or the plural form for params["count"] (which is
    then written as a number in the language)."""
    if isinstance(message, str):
        return message
    count = params.get("count")
    if not isinstance(count, int | float) or isinstance(count, bool):
        _broken(f"{key!r} is a plural message and needs a number as count= (got {count!r})")
        params.setdefault("count", "{count}")  # shown unfilled, and logged once
        return message.get("other") or next(iter(message.values()))
    params["count"] = format_number(count, language=language)
    form = _plural_rule(language)(count)
    if form not in message:
        _broken(f"{key!r} has no plural form {form!r} in {language!r}")
        return message.get("other") or next(iter(message.values()))
    return message[form]


_PLURAL_RULES: dict[str, Callable[[float], str]] = {}


def _plural_rule(language: str) -> Callable[[float], str]:
    rule = _PLURAL_RULES.get(language)
    if rule is None:
        rule = _PLURAL_RULES[language] = Locale.parse(LOCALES[language]).plural_form
    return rule


def _broken(problem: str, cause: BaseException | None = None) -> None:
    if _strict:
        raise MessageError(problem) from cause
    log.warning("i18n: %s", problem)


def keep_language(make: Callable[[], T]) -> Callable[[], T]:
    """`make` run later, on another thread (a download's file is made on Streamlit's download
    thread, which starts in the default language), in the language of the page that offered it."""
    language = current_language()

    def run() -> T:
        set_language(language)
        return make()

    return run
