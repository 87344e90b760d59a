"""Numbers, percentages and dates as a reader of the current language writes them (Babel, CLDR):
"12,5", "88%" and "3 december 2026" in Dutch; "12.5", "88%" and "3 December 2026" in English.

Never the server's locale: that is not the reader's. Every function takes `language=` for text
made outside a page's run; by default it uses the session's language (`i18n.set_language`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from babel import dates, numbers

from kinderwijkraad import i18n

# en_GB rather than en_US: day before month, as the Dutch readers of an English page expect.
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def _locale(language: str | None) -> str:
    return LOCALES[language or i18n.current_language()]


def format_number(value: float, *, decimals: int = 1, language: str | None = None) -> str:
    """A count or a measure: 1250 -> "1.250", 12.5 -> "12,5" (Dutch); whole numbers without
    decimals, others rounded to at most `decimals`."""
    return numbers.format_decimal(round(value, decimals), locale=_locale(language))


def format_percent(share: float, *, decimals: int = 0, language: str | None = None) -> str:
    """A share of a whole (0.875) as a percentage: "88%" (whole percents unless `decimals`)."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "") + "%"
    return numbers.format_percent(share, format=pattern, locale=_locale(language))


def format_date(day: date, style: Literal["long", "short"] = "long", *, language: str | None = None) -> str:
    """A date as a letter writes it ("long": "3 december 2026") or in a table or a short line
    ("short": "03-12-2026", in English "03/12/2026")."""
    return dates.format_date(day, format=style, locale=_locale(language))


def format_datetime(moment: datetime, *, language: str | None = None) -> str:
    """A moment in a list or a log: "03-12-2026 14:05". `moment` is already in the reader's time
    zone (ui/format.py local_time converts from UTC)."""
    locale = _locale(language)
    return f"{dates.format_date(moment, format='short', locale=locale)} " \
           f"{dates.format_time(moment, format='short', locale=locale)}"
