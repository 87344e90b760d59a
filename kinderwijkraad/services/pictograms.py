"""Pictures beside words: the built-in pictogram set, and what a theme, step or plan question shows.

The set is a curated part of OpenMoji (CC BY-SA 4.0) in `assets/pictograms/`: one SVG per
pictogram, its licence and attribution beside them, and `pictograms.json` (name, file, Dutch and
English label, the emoji it stands for). `scripts/build_pictograms.py` rebuilds it; nothing is
downloaded at run time.

A stored pictogram is a name from the set (`"tree"`) or one emoji (`"🌳"`). An emoji the set has
is drawn with the set's SVG (the same picture on every tablet, and in PDFs, whose fonts have no
emoji); any other emoji shows as text on screen and not at all in a PDF, where the name stays.
A picture is never the only carrier of meaning: the words are always beside it.
"""

from __future__ import annotations

import json
import unicodedata
from base64 import b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlmodel import Session, col, select

from kinderwijkraad.config import ASSETS_DIR
from kinderwijkraad.errors import InvalidInput
from kinderwijkraad.models import PollOption, Theme

PICTOGRAMS_DIR = ASSETS_DIR / "pictograms"
MANIFEST = PICTOGRAMS_DIR / "pictograms.json"
MAX_LENGTH = 40  # the Theme column and the template field


@dataclass(frozen=True)
class Pictogram:
    name: str
    file: Path
    emoji: str
    nl: str
    en: str

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.nl


@dataclass(frozen=True)
class Picture:
    """What to draw for a stored pictogram: the set's SVG when it has one, else the emoji as text."""

    value: str
    pictogram: Pictogram | None  # from the set (by name, or the emoji it stands for)

    @property
    def svg(self) -> Path | None:
        return self.pictogram.file if self.pictogram else None

    @property
    def emoji(self) -> str:
        return self.pictogram.emoji if self.pictogram else self.value


# --- the catalogue -------------------------------------------------------------------------


@cache
def catalogue() -> tuple[Pictogram, ...]:
    """Every pictogram of the set, in the manifest's order (grouped by subject)."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return tuple(Pictogram(entry["name"], PICTOGRAMS_DIR / entry["file"], entry["emoji"], entry["nl"], entry["en"])
                 for entry in manifest["pictograms"])


@cache
def _by_name() -> dict[str, Pictogram]:
    return {pictogram.name: pictogram for pictogram in catalogue()}


@cache
def _by_emoji() -> dict[str, Pictogram]:
    return {_bare(pictogram.emoji): pictogram for pictogram in catalogue()}


def names() -> list[str]:
    return [pictogram.name for pictogram in catalogue()]


def by_name(name: str) -> Pictogram | None:
    return _by_name().get(name)


def for_emoji(emoji: str) -> Pictogram | None:
    """The set's pictogram for an emoji, with or without its variation selector (🏞 and 🏞️)."""
    return _by_emoji().get(_bare(emoji))


def _bare(emoji: str) -> str:
    """Without variation selectors and skin tones: the set has one colour of each person."""
    return "".join(c for c in emoji if c not in _SELECTORS and ord(c) not in _SKIN_TONES)


# --- validation ----------------------------------------------------------------------------

_ZWJ, _KEYCAP = "\u200d", "\u20e3"
_SELECTORS = {"\ufe0e", "\ufe0f"}
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_TAGS = range(0xE0020, 0xE0080)
_REGIONAL = range(0x1F1E6, 0x1F200)
# Where emoji live in Unicode (the symbols before 0x1F000 are the ones emoji use, not all of them).
_EMOJI_BLOCKS = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2300, 0x23FF), (0x2B00, 0x2BFF), (0x2190, 0x21FF),
                 (0x25A0, 0x25FF), (0x2900, 0x297F), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3299),
                 (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
                 (0x2139, 0x2139))


def _emoji_base(char: str, selector: str) -> bool:
    """An emoji's first character; an arrow or ‼ only with the selector that makes it one (↔️)."""
    code = ord(char)
    category = unicodedata.category(char)
    return (any(low <= code <= high for low, high in _EMOJI_BLOCKS) and code not in _SKIN_TONES
            and (category == "So" or (category in ("Sm", "Po") and selector == "\ufe0f")))


def is_single_emoji(text: str) -> bool:
    """One emoji as a person sees it (one grapheme): a symbol with its variation selector, skin
    tone and tags, several joined by zero-width joiners (🧑‍🤝‍🧑), a flag (two regional letters) or
    a keycap (1️⃣). Words, letters, digits and two emojis side by side are not."""
    if not text:
        return False
    if len(text) == 2 and all(ord(c) in _REGIONAL for c in text):
        return True  # a flag
    if text[0] in "0123456789#*" and text.endswith(_KEYCAP) and set(text[1:-1]) <= _SELECTORS and len(text) <= 3:
        return True  # a keycap
    for element in text.split(_ZWJ):
        if not element or not _emoji_base(element[0], element[1:2]) or ord(element[0]) in _REGIONAL:
            return False
        rest = element[1:]
        if rest[:1] in _SELECTORS:
            rest = rest[1:]
        if rest[:1] and ord(rest[0]) in _SKIN_TONES:
            rest = rest[1:]
        if rest and not all(ord(c) in _TAGS for c in rest):
            return False
    return True


def clean_pictogram(value: str | None) -> str | None:
    """What may be stored: None for "no picture" (empty), a name of the set, or one emoji. Anything
    else is refused (InvalidInput "pictogram.unknown"), so nothing is stored."""
    value = unicodedata.normalize("NFC", (value or "").strip())
    if not value:
        return None
    if value in _by_name():
        return value
    if value.lower() in _by_name():
        return value.lower()
    if len(value) <= MAX_LENGTH and is_single_emoji(value):
        return value
    raise InvalidInput("pictogram.unknown", value=value[:MAX_LENGTH])


# --- what to draw --------------------------------------------------------------------------


def picture(value: str | None) -> Picture | None:
    """A stored pictogram (name or emoji) as what to draw; None for no picture or a value that is
    no longer valid (a template from elsewhere): the words show alone."""
    if not value:
        return None
    pictogram = by_name(value)
    if pictogram is not None:
        return Picture(value, pictogram)
    if is_single_emoji(value):
        return Picture(value, for_emoji(value))
    return None


def svg_bytes(value: str | None) -> bytes | None:
    """The SVG for a PDF (renderers read no files): the set's pictogram for a name or an emoji it
    has, else None (a PDF has no emoji font; the name stays)."""
    shown = picture(value)
    return _svg_file(shown.svg) if shown and shown.svg else None


@cache
def _svg_file(path: Path) -> bytes:
    return path.read_bytes()


@cache
def svg_data_uri(name: str, size: int) -> str:
    """A set pictogram as a data URI of `size` CSS px, for an image beside a text on screen."""
    svg = by_name(name).file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    svg = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
    return "data:image/svg+xml;base64," + b64encode(svg.encode("utf-8")).decode("ascii")


def label(value: str | None, language: str) -> str:
    """The picture's words for a picker ("🌳 Boom, groen"), or the emoji itself."""
    shown = picture(value)
    if shown is None:
        return ""
    return f"{shown.emoji} {shown.pictogram.label(language)}" if shown.pictogram else shown.value


# --- read models ---------------------------------------------------------------------------


def of_options(session: Session, options: Iterable[PollOption],
               theme_of_plan: dict[int | None, int | None]) -> dict[int, str]:
    """Each poll option's picture: its theme's, or for a plan the picture of the plan's theme
    (`theme_of_plan`: the options' plans, which the caller has read already)."""
    options = list(options)
    theme_ids = {o.theme_id or theme_of_plan.get(o.plan_id) for o in options} - {None}
    pictures = dict(session.exec(select(Theme.id, Theme.pictogram).where(
        col(Theme.id).in_(theme_ids or {-1}), col(Theme.pictogram).is_not(None))).all())
    result: dict[int, str] = {}
    for option in options:
        picture_of_theme = pictures.get(option.theme_id or theme_of_plan.get(option.plan_id))
        if option.id is not None and picture_of_theme:
            result[option.id] = picture_of_theme
    return result
