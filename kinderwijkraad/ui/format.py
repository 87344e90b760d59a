"""How values look on screen: local times and translated enum labels."""

from __future__ import annotations

from datetime import datetime

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.i18n import format_datetime, t
from kinderwijkraad.models.common import as_utc


def local_time(moment: datetime | None) -> str:
    """UTC from the database, shown in Europe/Amsterdam: "03-12-2026 14:05" (English "03/12/2026 14:05")."""
    if moment is None:
        return "—"
    return format_datetime(as_utc(moment).astimezone(AMSTERDAM))


def label(kind: str, value: object) -> str:
    """`label("phase", Phase.LESSONS)` -> "Lessen"."""
    return t(f"{kind}.{getattr(value, 'value', value)}")


_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~:$")


def plain(text: str) -> str:
    """User text made safe for Streamlit markdown (titles, subheaders, captions): every character
    markdown would act on is escaped, so a name shows exactly as typed."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text)
