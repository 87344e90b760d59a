"""The shared base of every PDF the app prints: embedded fonts, metadata, safe text, a bar chart,
a simple table, and the layout engine for long texts (`wrap`, and `Flow`: a cursor that continues
on the next page), all drawn with fpdf2 primitives.

Why a base class: each PDF must embed the same fonts (so Dutch ĳ, ë and é print on any
printer), must never let a hostile title crash a lesson or make fpdf2 read a file, and must
say what it is (title, author, language) to screen readers and archive tools.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fpdf import FPDF, ResourceAccessPolicy
from fpdf.enums import MethodReturnValue

from kinderwijkraad.config import PROJECT_ROOT
from kinderwijkraad.i18n import current_language, format_number, t

logger = logging.getLogger(__name__)

FONT_DIR = PROJECT_ROOT / "assets" / "fonts"
SANS = "DejaVuSans"
MONO = "DejaVuSansMono"
# (family, style) -> file. Only these are ever loaded, and only when first used: most PDFs do not
# need the monospaced face, and parsing a TTF costs ~30 ms.
FONT_FILES: dict[tuple[str, str], str] = {
    (SANS, ""): "DejaVuSans.ttf",
    (SANS, "B"): "DejaVuSans-Bold.ttf",
    (MONO, "B"): "DejaVuSansMono-Bold.ttf",
}
MISSING_GLYPH = "□"  # printed where the font has no glyph: visible, unlike fpdf2's silent drop
ELLIPSIS = "…"

RGB = tuple[int, int, int]
BLACK: RGB = (0, 0, 0)
INK: RGB = (33, 37, 41)
MUTED: RGB = (100, 104, 110)
STRONG: RGB = (0, 98, 122)  # top-3 bars: dark enough to stay distinct when printed in grey
WEAK: RGB = (190, 193, 197)
HIGHLIGHT: RGB = (214, 236, 241)  # background of top-3 table rows
RULE: RGB = (150, 150, 150)
# Control characters become spaces or vanish; format characters (bidi marks, zero-width joiners)
# and variation selectors vanish, so an emoji sequence prints as one box, not three.
_DROP_CATEGORIES = {"Cf"}
_VARIATION_SELECTORS = range(0xFE00, 0xFE10)
# Format characters DejaVu does have glyphs for (zero-width space and joiners, bidi marks, the
# byte-order mark, the soft hyphen): dropped before the glyph check, so the joiners of an emoji
# family do not print as boxes of their own between the emoji's boxes.
_INVISIBLE = dict.fromkeys([0x00AD, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
                            *range(0x2066, 0x206A), 0xFEFF])


class KwrPDF(FPDF):
    """An A4 document with the app's embedded fonts, metadata and text safety.

    - Text goes through `normalize_text`, which fpdf2 calls for every cell, multi_cell, text and
      width measurement; there we replace characters the current font lacks with a visible box
      (fpdf2 would otherwise drop them silently) and remove control characters.
    - `resource_access_policy` is NONE: no local file or URL is ever loaded implicitly; images are
      handed over as bytes. Fonts are added by us from `assets/fonts` only.
    - `running_header` (left, right) is printed at the top of every page; the left part is cut to
      make room for the right one. `page_numbers` adds "blad 1/3" at the bottom.
    - `compliance` is handed to fpdf2's `enforce_compliance` (e.g. "PDFA_2B").
    """

    def __init__(
        self,
        *,
        title: str,
        orientation: Literal["portrait", "landscape"] = "portrait",
        running_header: tuple[str, str] = ("", ""),
        page_numbers: bool = False,
        compliance: str | None = None,
    ) -> None:
        # `compliance`, e.g. "PDFA_2B" for documents that are archived (a proposal sent to the
        # gemeente): fpdf2 then writes the XMP metadata and the sRGB output intent itself.
        super().__init__(orientation=orientation, unit="mm", format="A4", enforce_compliance=compliance)
        self.resource_access_policy = ResourceAccessPolicy.NONE
        self.running_header = running_header
        self.page_numbers = page_numbers
        self._glyph_sets: dict[str, frozenset[int]] = {}
        self._reported_missing: set[str] = set()
        self._layout_cache: dict[tuple[Any, ...], list[str]] = {}
        clean_title = _strip_controls(title)
        self.set_title(clean_title)
        self.set_author(t("pdf.author"))
        self.set_creator(t("pdf.author"))
        self.set_lang(current_language())
        self.set_text_color(*INK)
        self.set_draw_color(*INK)
        self.alias_nb_pages()
        self.set_margins(10, 10, 10)
        self.c_margin = 0  # cells are padded by the callers, so `fit` widths are exact
        self.set_auto_page_break(False)
        self.set_font(SANS, "", 10)

    # -- fonts and text safety -------------------------------------------------------------------

    def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
        """Load our embedded font on first use, then select it as fpdf2 would."""
        if family is not None:
            key = (family, str(style).upper())
            fontkey = family.lower() + key[1]
            if key in FONT_FILES and fontkey not in self.fonts:
                self.add_font(family, key[1], str(FONT_DIR / FONT_FILES[key]))
        super().set_font(family, style, size)

    def normalize_text(self, text: str) -> str:
        """Make `text` printable in the current font: see the class docstring for why."""
        font = self.current_font
        if font is None or not hasattr(font, "cmap"):
            return super().normalize_text(text)
        text = text.translate(_INVISIBLE)
        glyphs = self._glyph_sets.get(font.fontkey)
        if glyphs is None:
            # DejaVu maps U+0000 to a glyph: control characters never count as printable.
            glyphs = self._glyph_sets[font.fontkey] = frozenset(
                code for code in font.cmap if code >= 0x20 and not 0x7F <= code < 0xA0
            )
        if all(ord(ch) in glyphs for ch in text):
            return text
        box = MISSING_GLYPH if ord(MISSING_GLYPH) in glyphs else "?"
        out: list[str] = []
        missing: set[str] = set()
        for ch in text:
            code = ord(ch)
            if code in glyphs:
                out.append(ch)
                continue
            category = unicodedata.category(ch)
            if category == "Cc":
                if ch in "\t\n\r\x0b\x0c":
                    out.append(" ")
            elif category in _DROP_CATEGORIES or code in _VARIATION_SELECTORS:
                continue
            elif code == 0xA0 or category == "Zs":
                out.append(" ")
            else:
                out.append(box)
                missing.add(ch)
        new = missing - self._reported_missing
        if new:
            self._reported_missing |= new
            logger.warning(
                "PDF font %s lacks %s; printed as %r",
                font.fontkey,
                ", ".join(f"U+{ord(ch):04X}" for ch in sorted(new)),
                box,
            )
        return "".join(out)

    def _cached(self, kind: str, text: str, width: float, max_lines: int) -> tuple[tuple[Any, ...], list[str] | None]:
        """Cards and ballots repeat the same title and instruction on every copy: measure once."""
        key = (kind, self.font_family, self.font_style, self.font_size_pt, text, width, max_lines)
        return key, self._layout_cache.get(key)

    def _clip(self, text: str, width: float, max_lines: int) -> str:
        """Drop what could never fit before measuring, so a 10,000-character word stays cheap. Generous:
        no glyph is narrower than a fifth of the font size, and some characters vanish."""
        most = int(max_lines * width / max(self.font_size / 5, 0.1)) + 16
        return text if len(text) <= 2 * most else text[: 2 * most] + ELLIPSIS

    def fit(self, text: str, width: float) -> str:
        """`text` on one line of `width` mm, cut with an ellipsis when it is too long.

        Every user-supplied string goes through here or `lines`, so a 10,000-character word never
        runs off the page or pushes a one-page notice onto a second page."""
        key, hit = self._cached("fit", text, width, 1)
        if hit is None:
            hit = self._layout_cache[key] = [self._fit(text, width)]
        return hit[0]

    def _fit(self, text: str, width: float) -> str:
        text = " ".join(self.normalize_text(self._clip(text, width, 1)).split())
        if self.get_string_width(text) <= width:
            return text
        lo, hi = 0, min(len(text), int(width / max(self.get_string_width("i"), 0.1)) + 1)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.get_string_width(text[:mid].rstrip() + ELLIPSIS) <= width:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + ELLIPSIS

    def lines(self, text: str, width: float, max_lines: int) -> list[str]:
        """`text` word-wrapped to `width` mm, at most `max_lines` lines, the last cut with an ellipsis."""
        key, hit = self._cached("lines", text, width, max_lines)
        if hit is None:
            hit = self._layout_cache[key] = self._lines(text, width, max_lines)
        return list(hit)

    def _lines(self, text: str, width: float, max_lines: int) -> list[str]:
        text = " ".join(self.normalize_text(self._clip(text, width, max_lines)).split())
        if not text:
            return []
        # More characters than could ever fit are never measured: keeps a 10,000-char word cheap.
        limit = int(max_lines * width / max(self.get_string_width("i"), 0.1)) + 2
        wrapped = self.multi_cell(width, text=text[:limit], dry_run=True, output=MethodReturnValue.LINES, padding=0)
        assert isinstance(wrapped, list)  # output=LINES returns the lines alone
        truncated = len(text) > limit
        if len(wrapped) <= max_lines and not truncated:
            return wrapped
        keep = min(len(wrapped), max_lines)
        rest = " ".join(wrapped[keep - 1 :])
        return [*wrapped[: keep - 1], self.fit(rest + ELLIPSIS if truncated else rest, width)]

    def text_lines(
        self, x: float, y: float, width: float, text: str, *, max_lines: int, line_h: float, align: str = "L"
    ) -> float:
        """Print `text` wrapped into at most `max_lines` lines from (x, y); return the y below it."""
        for line in self.lines(text, width, max_lines):
            self.set_xy(x, y)
            self.cell(width, line_h, line, align=align)
            y += line_h
        return y

    def text_line(self, x: float, y: float, width: float, text: str, *, h: float, align: str = "L") -> None:
        """Print `text` on one line, cut to fit `width`."""
        self.set_xy(x, y)
        self.cell(width, h, self.fit(text, width), align=align)

    def shrink_to_fit(self, text: str, width: float, *, family: str, style: str, size: float, smallest: float) -> None:
        """Select the largest font size from `size` down to `smallest` at which `text` fits `width`
        (a long title prints a little smaller rather than cut, as long as it stays readable)."""
        self.set_font(family, style, size)
        while size > smallest and self.get_string_width(" ".join(self.normalize_text(text).split())) > width:
            size = max(smallest, size - 0.5)
            self.set_font(family, style, size)

    # -- page furniture --------------------------------------------------------------------------

    def header(self) -> None:
        left, right = self.running_header
        if left or right:
            self.set_font(SANS, "B", 10)
            self.set_text_color(*MUTED)
            right = self.fit(right, self.epw / 2)
            right_w = self.get_string_width(right)
            self.text_line(self.l_margin + self.epw - right_w, 7, right_w, right, h=6)
            self.text_line(self.l_margin, 7, self.epw - right_w - 4, left, h=6)
            self.set_text_color(*INK)

    def footer(self) -> None:
        if self.page_numbers:
            self.set_font(SANS, "", 8)
            self.set_text_color(*MUTED)
            self.set_xy(self.l_margin, self.h - 10)
            self.cell(self.epw, 5, t("pdf.page", page=self.page_no(), pages="{nb}"), align="C")
            self.set_text_color(*INK)

    def dashed_line(self, x1: float, y1: float, x2: float, y2: float,
                    dash_length: float = 2.0, space_length: float = 1.5) -> None:
        """A cut line: thin, grey, dashed."""
        self.set_draw_color(*RULE)
        self.set_line_width(0.25)
        self.set_dash_pattern(dash=dash_length, gap=space_length)
        self.line(x1, y1, x2, y2)
        self.set_dash_pattern()
        self.set_draw_color(*INK)

    def render(self) -> bytes:
        return bytes(self.output())


def _strip_controls(text: str) -> str:
    """Metadata strings: no control characters, one line."""
    return " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).split())


# -- bar chart -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    strong: bool = False


def draw_bar_chart(
    pdf: KwrPDF,
    bars: Sequence[Bar],
    *,
    x: float,
    y: float,
    width: float,
    row_h: float,
    label_w: float,
    font_size: float,
) -> float:
    """Horizontal bars drawn with rectangles, labels and numbers as real (searchable, screen-readable)
    text; strong bars in `STRONG`, the others grey. Returns the y below the chart.

    Why primitives: ~0.5 ms per chart and crisp in print, against seconds for a rendered image."""
    peak = max((bar.value for bar in bars), default=0)
    pdf.set_font(SANS, "B", font_size)  # numbers of strong bars are bold: measure the wider face
    number_w = pdf.get_string_width(format_number(peak)) + 3
    bar_x = x + label_w + 2
    span = max(width - label_w - 2 - number_w, 1)
    thickness = row_h * 0.68
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.line(bar_x, y, bar_x, y + row_h * len(bars))
    for i, bar in enumerate(bars):
        top = y + i * row_h
        pdf.set_font(SANS, "B" if bar.strong else "", font_size)
        pdf.text_line(x, top, label_w, bar.label, h=row_h, align="R")
        length = span * max(bar.value, 0) / peak if peak > 0 else 0
        if length > 0:
            pdf.set_fill_color(*(STRONG if bar.strong else WEAK))
            pdf.rect(bar_x, top + (row_h - thickness) / 2, length, thickness, style="F")
        pdf.set_xy(bar_x + length + 1.2, top)
        pdf.cell(number_w, row_h, format_number(bar.value))
    pdf.set_draw_color(*INK)
    return y + row_h * len(bars)


# -- table -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    align: Literal["L", "R", "C"] = "L"


@dataclass(frozen=True)
class TableRow:
    cells: Sequence[str]
    bold: bool = False
    highlight: bool = False


def draw_table(
    pdf: KwrPDF,
    columns: Sequence[Column],
    rows: Sequence[TableRow],
    *,
    x: float,
    y: float,
    row_h: float,
    font_size: float,
    bottom: float,
) -> float:
    """A ruled table, one line per cell (cut with an ellipsis). When a row would cross `bottom`, it
    continues on a new page under a repeated header. Returns the y below the table."""

    def header_row(top: float) -> float:
        pdf.set_font(SANS, "B", font_size)
        pdf.set_text_color(*MUTED)
        left = x
        for column in columns:
            pdf.text_line(left + 1, top, column.width - 2, column.title, h=row_h, align=column.align)
            left += column.width
        pdf.set_text_color(*INK)
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.3)
        pdf.line(x, top + row_h, left, top + row_h)
        return top + row_h

    total_w = sum(column.width for column in columns)
    y = header_row(y)
    pdf.set_line_width(0.1)
    for row in rows:
        if y + row_h > bottom + 0.01:
            pdf.add_page()
            y = header_row(pdf.t_margin + 6)
        if row.highlight:
            pdf.set_fill_color(*HIGHLIGHT)
            pdf.rect(x, y, total_w, row_h, style="F")
        pdf.set_font(SANS, "B" if row.bold else "", font_size)
        left = x
        for column, value in zip(columns, row.cells, strict=True):
            pdf.text_line(left + 1, y, column.width - 2, value, h=row_h, align=column.align)
            left += column.width
        y += row_h
        pdf.set_draw_color(*WEAK)
        pdf.set_line_width(0.1)
        pdf.line(x, y, x + total_w, y)
    pdf.set_draw_color(*INK)
    return y


# -- a cursor that flows down the page and on to the next ------------------------------------------


def wrap(pdf: KwrPDF, text: str, width: float, cap: int) -> tuple[list[str], bool]:
    """`text` wrapped to `width` in the current font, at most `cap` lines; True when it was cut
    (the last line then ends in an ellipsis)."""
    lines = pdf.lines(text, width, cap + 1)
    if len(lines) > cap:
        return [*lines[: cap - 1], pdf.fit(lines[cap - 1].rstrip(ELLIPSIS) + ELLIPSIS, width)], True
    cut = bool(lines) and lines[-1].endswith(ELLIPSIS) and not " ".join(text.split()).endswith(ELLIPSIS)
    return lines, cut


Decoration = Callable[[float, float], None]  # (top, height) of one printed line


class Flow:
    """A vertical cursor between `top` and `bottom` that continues on a new page when the next
    line does not fit. Used by every renderer whose texts can be long: the dossier, the programme,
    the feedback sheet, the year report and the access export."""

    def __init__(self, pdf: KwrPDF, *, x: float, width: float, top: float, bottom: float) -> None:
        self.pdf = pdf
        self.x = x
        self.width = width
        self.top = top
        self.bottom = bottom
        self.y = top

    @property
    def at_top(self) -> bool:
        return self.y <= self.top + 0.01

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = self.top

    def room(self) -> float:
        return self.bottom - self.y

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` fits below the cursor (or the page is still empty)."""
        if self.y + height > self.bottom + 0.01 and not self.at_top:
            self.new_page()

    def gap(self, height: float) -> None:
        """White space, dropped at the top of a page."""
        if not self.at_top:
            self.y = min(self.y + height, self.bottom)

    def heading(self, text: str, *, size: float, gap: float, keep: float, text_h: float, rule_at: float,
                advance: float) -> None:
        """A bold section heading with a thin rule under it, kept on one page with the first `keep`
        mm of what follows. The measures are each document's own."""
        self.gap(gap)
        self.ensure(keep)
        pdf = self.pdf
        pdf.set_font(SANS, "B", size)
        pdf.set_text_color(*STRONG)
        pdf.text_line(self.x, self.y, self.width, text, h=text_h)
        pdf.set_draw_color(*WEAK)
        pdf.set_line_width(0.3)
        pdf.line(self.x, self.y + rule_at, self.x + self.width, self.y + rule_at)
        pdf.set_draw_color(*INK)
        pdf.set_text_color(*INK)
        self.y += advance

    def print_lines(
        self,
        lines: Sequence[str],
        *,
        line_h: float,
        indent: float = 0.0,
        right: float = 0.0,
        align: str = "L",
        decorate: Decoration | None = None,
    ) -> None:
        """Lines in the current font and colour, one by one, a new page where the next does not fit.
        `decorate` draws behind each line (a quote bar, a tinted box), so it splits with the text."""
        pdf = self.pdf
        for line in lines:
            if self.y + line_h > self.bottom + 0.01:
                self.new_page()  # fpdf2 keeps the font and colours across the page break
            if decorate is not None:
                decorate(self.y, line_h)
            pdf.set_xy(self.x + indent, self.y)
            pdf.cell(self.width - indent - right, line_h, line, align=align)
            self.y += line_h
