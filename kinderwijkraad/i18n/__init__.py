"""One translation table for every screen, PDF and error text: `t("key", **params)`.

Dutch is the default; English is complete (a test fails on a key missing from any catalogue).
The language is per Streamlit session: the app sets it at the start of every run.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from typing import TypeVar

from kinderwijkraad.i18n.en import MESSAGES as EN
from kinderwijkraad.i18n.nl import MESSAGES as NL

CATALOGUES: dict[str, dict[str, str]] = {"nl": NL, "en": EN}
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"

_language: ContextVar[str] = ContextVar("kwr_language", default=DEFAULT_LANGUAGE)
T = TypeVar("T")


def set_language(language: str) -> None:
    _language.set(language if language in CATALOGUES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _language.get()


def t(key: str, /, *, language: str | None = None, **params: object) -> str:
    """The text for `key` in the current language with `params` filled in. A missing key shows
    itself (so it is seen and fixed) rather than crashing a lesson."""
    catalogue = CATALOGUES[language or _language.get()]
    text = catalogue.get(key) or NL.get(key)
    if text is None:
        return key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


def long_date(day: date) -> str:
    """A date as a letter writes it: "27 november 2026" (no locale module: the server's locale is
    not the reader's)."""
    return t("date.long", day=day.day, month=t(f"month.{day.month}"), year=day.year)


def keep_language(make: Callable[[], T]) -> Callable[[], T]:
    """`make` run later, on another thread (a download's file is made on Streamlit's download
    thread, which starts in the default language), in the language of the page that offered it."""
    language = current_language()

    def run() -> T:
        set_language(language)
        return make()

    return run
