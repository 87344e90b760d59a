"""The proposal dossier (voorstel) a council sends to the gemeente or the woningcorporatie: a
letter an alderman can act on, with the children's own words, their support in the vote, photos
of the place, and an answer section to fill in.

Pure renderer: a service assembles the frozen `Dossier` (already translated labels, formatted
dates, cleaned JPEG bytes); `render_proposal_pdf` returns bytes and never queries or reads a file
other than the embedded fonts.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image

from kinderwijkraad.exports.pdf import (
    ELLIPSIS,
    HIGHLIGHT,
    INK,
    MUTED,
    RULE,
    SANS,
    STRONG,
    WEAK,
    Bar,
    Flow,
    KwrPDF,
    draw_bar_chart,
    format_number,
    wrap,
)
from kinderwijkraad.i18n import t

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanQuote:
    """One children's plan the proposal carries, in their own words."""

    title: str
    class_label: str  # e.g. "groep 7/8, De Regenboog"
    problem: str
    idea: str


@dataclass(frozen=True)
class DossierPhoto:
    data: bytes  # a JPEG cleaned by services/images (no metadata)
    caption: str
    alt_text: str


@dataclass(frozen=True)
class Support:
    """How the children voted for this proposal's theme."""

    poll_title: str
    method_label: str  # e.g. "meerdere keuzes (goedkeuring)"
    score: float  # votes (or points) for this theme
    ballots: int  # children who voted
    classes: int
    schools: int
    rank: int | None  # 1-3 when in the top-3
    bars: list[Bar]  # every option of the poll, this theme strong


@dataclass(frozen=True)
class Dossier:
    reference: str  # e.g. "KWR-12-3": proposal and recipient, printed on every page
    letter_date: str  # formatted, e.g. "27 november 2026"
    council_name: str  # e.g. "Kinderwijkraad Vogelbuurt"
    neighbourhood: str
    municipality: str
    school_year: str
    recipient_organisation: str
    recipient_contact: str  # may be empty
    recipient_job_title: str  # may be empty
    title: str
    theme: str  # may be empty
    problem: str
    place: str
    place_owner: str  # may be empty: "unknown" is printed
    idea: str
    beneficiaries: str
    children_contribution: str
    ask: str
    cost_band: str  # translated label, e.g. "een beetje (€ 500 tot € 5.000)"
    contact_name: str  # the adult contact, never a child
    contact_role: str
    contact_email: str
    contact_phone: str
    reply_by: str  # formatted date, may be empty
    quotes: list[PlanQuote] = field(default_factory=list)
    support: Support | None = None
    photos: list[DossierPhoto] = field(default_factory=list)


# -- the dossier -----------------------------------------------------------------------------------

MARGIN = 20.0
TOP = 18.0  # below the running header
BOTTOM = 297.0 - 17.0  # above the page number
WIDTH = 210.0 - 2 * MARGIN
BODY = 10.5
LINE_H = 5.2
HEADING_SIZE = 12.5
HEADING_H = 7.5
SECTION_GAP = 5.0
NOTE_SIZE = 8.5
NOTE_H = 4.2
QUOTE_INDENT = 5.0
BOX_PAD = 3.0
TINT: tuple[int, int, int] = (236, 244, 246)  # the quotes' background, very light
# How many lines each text may take before it is cut with "(tekst ingekort)": the children's own
# texts flow over pages, but a pasted essay must not turn a letter into a book.
CAP_MAIN = 45
CAP_SIDE = 20
CAP_QUOTE = 8
CAP_FIELD = 3
CAP_TITLE = 3
MAX_BARS = 20
PHOTO_GAP = 6.0
PHOTO_MAX_H = 62.0
CAPTION_SIZE = 8.5
CAPTION_H = 4.0
ANSWER_LINE_H = 9.0


def render_proposal_pdf(dossier: Dossier) -> bytes:
    """The dossier as an A4 PDF/A-2B letter: letterhead, addressee, date and reference; the title;
    the problem in the children's own words with their plans quoted; the place, the idea, who it
    is for, what the children do themselves and the ask (in a tinted box); the cost band; the
    support in the vote with a bar chart; the photos; the adult contact and the reply date; and
    an answer sheet the recipient can fill in by hand and send back.

    Long texts flow over pages and are cut with a visible note past a generous limit; a section
    heading never stays alone at the bottom of a page; a photo that cannot be decoded prints as a
    captioned placeholder (and is logged) instead of breaking the dossier."""
    pdf = KwrPDF(
        title=t("pdf.dossier.doc_title", title=_short(dossier.title)),
        running_header=(dossier.council_name, t("pdf.dossier.header_reference", reference=dossier.reference)),
        page_numbers=True,
        compliance="PDFA_2B",
    )
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.add_page()
    flow = Flow(pdf, x=MARGIN, width=WIDTH, top=TOP, bottom=BOTTOM)
    _letterhead(flow, dossier)
    _address(flow, dossier)
    _subject(flow, dossier)
    _problem(flow, dossier)
    _place(flow, dossier)
    _text_section(flow, t("pdf.dossier.heading.idea"), dossier.idea, CAP_MAIN)
    _text_section(flow, t("pdf.dossier.heading.beneficiaries"), dossier.beneficiaries, CAP_SIDE)
    _text_section(flow, t("pdf.dossier.heading.contribution"), dossier.children_contribution, CAP_SIDE)
    _ask(flow, dossier)
    if dossier.support is not None:
        _support(flow, dossier.support)
    if dossier.photos:
        _photos(flow, dossier.photos)
    _contact(flow, dossier)
    _answer_sheet(flow, dossier)
    return pdf.render()


def _short(text: str, limit: int = 160) -> str:
    """Metadata (title, alt texts): one line, no control characters, not a novel."""
    text = " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _muted(pdf: KwrPDF, size: float, style: str = "") -> None:
    pdf.set_font(SANS, style, size)
    pdf.set_text_color(*MUTED)


def _ink(pdf: KwrPDF, size: float = BODY, style: str = "") -> None:
    pdf.set_font(SANS, style, size)
    pdf.set_text_color(*INK)


def _heading(flow: Flow, text: str, keep: float) -> None:
    """A section heading, kept on one page with the first `keep` mm of what follows."""
    flow.heading(text, size=HEADING_SIZE, gap=SECTION_GAP, keep=HEADING_H + keep, text_h=HEADING_H - 1.5,
                 rule_at=HEADING_H - 1.2, advance=HEADING_H)


def _cut_note(flow: Flow, cut: bool, indent: float = 0.0) -> None:
    if cut:
        _muted(flow.pdf, NOTE_SIZE)
        flow.print_lines([t("pdf.dossier.cut")], line_h=NOTE_H, indent=indent)
        _ink(flow.pdf)


def _body_lines(flow: Flow, text: str, cap: int, *, indent: float = 0.0, right: float = 0.0) -> tuple[list[str], bool]:
    """Body text wrapped for the flow's width, or "(niet ingevuld)" when empty."""
    pdf = flow.pdf
    _ink(pdf)
    lines, cut = wrap(pdf, text, flow.width - indent - right, cap)
    return (lines, cut) if lines else ([t("pdf.dossier.empty")], False)


def _text_section(flow: Flow, heading: str, text: str, cap: int) -> None:
    lines, cut = _body_lines(flow, text, cap)
    _heading(flow, heading, min(len(lines), 2) * LINE_H)
    _ink(flow.pdf)
    flow.print_lines(lines, line_h=LINE_H)
    _cut_note(flow, cut)


# -- page 1: letterhead, addressee, subject --------------------------------------------------------


def _letterhead(flow: Flow, dossier: Dossier) -> None:
    pdf = flow.pdf
    pdf.set_text_color(*STRONG)
    pdf.shrink_to_fit(dossier.council_name, WIDTH, family=SANS, style="B", size=20, smallest=13)
    pdf.text_line(MARGIN, flow.y, WIDTH, dossier.council_name, h=9)
    flow.y += 9.5
    _muted(pdf, 10)
    meta = t(
        "pdf.dossier.letterhead_meta",
        neighbourhood=dossier.neighbourhood,
        municipality=dossier.municipality,
        school_year=dossier.school_year,
    )
    flow.y = pdf.text_lines(MARGIN, flow.y, WIDTH, meta, max_lines=2, line_h=4.8)
    pdf.set_fill_color(*STRONG)
    pdf.rect(MARGIN, flow.y + 2, WIDTH, 0.9, style="F")
    flow.y += 10
    _ink(pdf)


def _address(flow: Flow, dossier: Dossier) -> None:
    pdf = flow.pdf
    left_w, right_x = 104.0, MARGIN + 118.0
    right_w = MARGIN + WIDTH - right_x
    top = flow.y

    _muted(pdf, 8.5)
    pdf.text_line(MARGIN, top, left_w, t("pdf.dossier.to"), h=4.5)
    y = top + 5
    _ink(pdf, 11.5, "B")
    y = pdf.text_lines(MARGIN, y, left_w, dossier.recipient_organisation, max_lines=2, line_h=5.6)
    _ink(pdf, BODY)
    if dossier.recipient_contact.strip():
        y = pdf.text_lines(
            MARGIN, y, left_w, t("pdf.dossier.attention", contact=dossier.recipient_contact), max_lines=2, line_h=LINE_H
        )
    if dossier.recipient_job_title.strip():
        y = pdf.text_lines(MARGIN, y, left_w, dossier.recipient_job_title, max_lines=2, line_h=LINE_H)

    ry = top
    for label, value in ((t("pdf.dossier.date"), dossier.letter_date), (t("pdf.dossier.reference"), dossier.reference)):
        _muted(pdf, 8.5)
        pdf.text_line(right_x, ry, right_w, label, h=4.5)
        _ink(pdf, BODY, "B")
        ry = pdf.text_lines(right_x, ry + 4.5, right_w, value, max_lines=2, line_h=LINE_H) + 2
    flow.y = max(y, ry) + 8


def _subject(flow: Flow, dossier: Dossier) -> None:
    pdf = flow.pdf
    _muted(pdf, 8.5)
    pdf.text_line(MARGIN, flow.y, WIDTH, t("pdf.dossier.subject"), h=4.5)
    flow.y += 5
    pdf.set_text_color(*INK)
    pdf.set_font(SANS, "B", 17)
    title = pdf.lines(dossier.title, WIDTH, CAP_TITLE) or [t("pdf.dossier.empty")]
    flow.print_lines(title, line_h=7.6)
    if dossier.theme.strip():
        _muted(pdf, BODY)
        flow.print_lines(pdf.lines(t("pdf.dossier.theme", theme=dossier.theme), WIDTH, 2), line_h=LINE_H)
    flow.y += 5

    _ink(pdf)
    contact = dossier.recipient_contact.strip()
    salutation = t("pdf.dossier.salutation", contact=contact) if contact else t("pdf.dossier.salutation_any")
    flow.print_lines(pdf.lines(salutation, WIDTH, 2), line_h=LINE_H)
    flow.y += 2
    intro = t("pdf.dossier.intro", council=dossier.council_name, neighbourhood=dossier.neighbourhood)
    flow.print_lines(pdf.lines(intro, WIDTH, 8), line_h=LINE_H)


# -- the children's words --------------------------------------------------------------------------


def _problem(flow: Flow, dossier: Dossier) -> None:
    lines, cut = _body_lines(flow, dossier.problem, CAP_MAIN)
    _heading(flow, t("pdf.dossier.heading.problem"), min(len(lines), 2) * LINE_H)
    _ink(flow.pdf)
    flow.print_lines(lines, line_h=LINE_H)
    _cut_note(flow, cut)
    if dossier.quotes:
        flow.gap(2.5)
        _muted(flow.pdf, 9)
        flow.ensure(LINE_H * 4)
        flow.print_lines(flow.pdf.lines(t("pdf.dossier.quotes_intro", count=len(dossier.quotes)), WIDTH, 2),
                         line_h=4.6)
        for quote in dossier.quotes:
            _quote(flow, quote)


def _quote(flow: Flow, quote: PlanQuote) -> None:
    """One plan, set off as a quote: a bar on the left and a tinted background, split with the
    text when it continues on the next page."""
    pdf = flow.pdf
    inner = QUOTE_INDENT + BOX_PAD
    text_w = flow.width - inner - BOX_PAD

    def tint(top: float, height: float) -> None:
        pdf.set_fill_color(*TINT)
        pdf.rect(flow.x, top, flow.width, height, style="F")
        pdf.set_fill_color(*STRONG)
        pdf.rect(flow.x, top, 1.2, height, style="F")

    pdf.set_font(SANS, "B", BODY)
    title = pdf.lines(quote.title, text_w, 2) or [t("pdf.dossier.empty")]
    _muted(pdf, 9)
    source = pdf.lines(quote.class_label, text_w, 1)
    parts: list[tuple[str, list[str], bool]] = []
    _ink(pdf)
    for label, text in ((t("pdf.dossier.quote.problem"), quote.problem), (t("pdf.dossier.quote.idea"), quote.idea)):
        if text.strip():
            lines, cut = wrap(pdf, t("pdf.dossier.quoted", text=" ".join(text.split())), text_w, CAP_QUOTE)
            parts.append((label, lines, cut))

    flow.gap(3)
    total = (len(title) * LINE_H + len(source) * 4.6 + 1.4 * BOX_PAD
             + sum(5.6 + len(lines) * LINE_H + (NOTE_H if cut else 0) for _, lines, cut in parts))
    first = len(title) * LINE_H + len(source) * 4.6 + (5.6 + LINE_H * 2 if parts else 0) + BOX_PAD
    flow.ensure(total if total <= 60 else first)  # a short quote stays in one piece
    flow.print_lines([""], line_h=BOX_PAD * 0.7, decorate=tint)
    pdf.set_font(SANS, "B", BODY)
    flow.print_lines(title, line_h=LINE_H, indent=inner, decorate=tint)
    _muted(pdf, 9)
    flow.print_lines(source, line_h=4.6, indent=inner, decorate=tint)
    for label, lines, cut in parts:
        pdf.set_font(SANS, "B", 8.5)
        pdf.set_text_color(*STRONG)
        flow.print_lines([""], line_h=1.2, decorate=tint)
        flow.print_lines([label], line_h=4.4, indent=inner, decorate=tint)
        _ink(pdf)
        flow.print_lines(lines, line_h=LINE_H, indent=inner, decorate=tint)
        if cut:
            _muted(pdf, NOTE_SIZE)
            flow.print_lines([t("pdf.dossier.cut")], line_h=NOTE_H, indent=inner, decorate=tint)
    flow.print_lines([""], line_h=BOX_PAD * 0.7, decorate=tint)
    _ink(pdf)


# -- place, ask, cost ------------------------------------------------------------------------------

LABEL_W = 38.0


def _field_rows(flow: Flow, rows: Sequence[tuple[str, str]], *, cap: int = CAP_FIELD) -> None:
    """Label: value rows, the value wrapped next to its muted label."""
    pdf = flow.pdf
    for label, value in rows:
        _ink(pdf)
        lines = pdf.lines(value, flow.width - LABEL_W, cap) or [t("pdf.dossier.empty")]
        flow.ensure(len(lines) * LINE_H)
        _muted(pdf, 9.5)
        pdf.text_line(flow.x, flow.y, LABEL_W - 2, label, h=LINE_H)
        _ink(pdf)
        flow.print_lines(lines, line_h=LINE_H, indent=LABEL_W)
        flow.y += 1


def _place(flow: Flow, dossier: Dossier) -> None:
    _heading(flow, t("pdf.dossier.heading.place"), LINE_H * 2)
    owner = dossier.place_owner if dossier.place_owner.strip() else t("pdf.dossier.owner_unknown")
    _field_rows(flow, [(t("pdf.dossier.place"), dossier.place), (t("pdf.dossier.owner"), owner)], cap=4)


def _ask(flow: Flow, dossier: Dossier) -> None:
    """The ask, the one thing the reader must not miss: larger, bold, in a tinted box with a bar."""
    pdf = flow.pdf
    size, line_h = 12.0, 6.0
    pdf.set_font(SANS, "B", size)
    lines, cut = wrap(pdf, dossier.ask, flow.width - 2 * BOX_PAD - 3, CAP_SIDE)
    if not lines:
        lines = [t("pdf.dossier.empty")]

    def box(top: float, height: float) -> None:
        pdf.set_fill_color(*HIGHLIGHT)
        pdf.rect(flow.x, top, flow.width, height, style="F")
        pdf.set_fill_color(*STRONG)
        pdf.rect(flow.x, top, 2.0, height, style="F")

    _heading(flow, t("pdf.dossier.heading.ask"), BOX_PAD + min(len(lines), 2) * line_h)
    flow.print_lines([""], line_h=BOX_PAD, decorate=box)
    pdf.set_font(SANS, "B", size)
    pdf.set_text_color(*INK)
    flow.print_lines(lines, line_h=line_h, indent=BOX_PAD + 3, right=BOX_PAD, decorate=box)
    if cut:
        _muted(pdf, NOTE_SIZE)
        flow.print_lines([t("pdf.dossier.cut")], line_h=NOTE_H, indent=BOX_PAD + 3, decorate=box)
    flow.print_lines([""], line_h=BOX_PAD, decorate=box)
    flow.y += 3
    _field_rows(flow, [(t("pdf.dossier.cost"), dossier.cost_band)])
    _ink(pdf)


# -- support in the vote ---------------------------------------------------------------------------


def _support(flow: Flow, support: Support) -> None:
    pdf = flow.pdf
    tiles = [
        (format_number(support.score), t("pdf.dossier.support.score")),
        (format_number(support.ballots), t("pdf.dossier.support.ballots")),
        (format_number(support.classes), t("pdf.dossier.support.classes")),
        (format_number(support.schools), t("pdf.dossier.support.schools")),
    ]
    if support.rank is not None:
        tiles.append((t("pdf.dossier.support.rank_value", rank=support.rank), t("pdf.dossier.support.rank")))
    tile_h = 17.0
    _heading(flow, t("pdf.dossier.heading.support"), tile_h)
    gap = 3.0
    tile_w = (flow.width - gap * (len(tiles) - 1)) / len(tiles)
    for i, (value, label) in enumerate(tiles):
        x = flow.x + i * (tile_w + gap)
        pdf.set_fill_color(*TINT)
        pdf.rect(x, flow.y, tile_w, tile_h, style="F")
        pdf.set_text_color(*STRONG)
        pdf.shrink_to_fit(value, tile_w - 4, family=SANS, style="B", size=17, smallest=9)
        pdf.text_line(x + 2, flow.y + 1.5, tile_w - 4, value, h=8, align="C")
        _muted(pdf, 8)
        pdf.text_lines(x + 2, flow.y + 9.5, tile_w - 4, label, max_lines=2, line_h=3.5, align="C")
    flow.y += tile_h + 3

    _field_rows(flow, [(t("pdf.dossier.support.poll"), support.poll_title),
                       (t("pdf.dossier.support.method"), support.method_label)], cap=2)
    bars, hidden = _chart_bars(support.bars)
    if not bars:
        return
    row_h = 6.0 if len(bars) <= 12 else 5.0
    chart_h = 7 + row_h * len(bars) + (NOTE_H if hidden else 0)
    flow.gap(3)
    flow.ensure(chart_h)
    _muted(pdf, 9, "B")
    pdf.text_line(flow.x, flow.y, flow.width, t("pdf.dossier.support.chart"), h=5)
    flow.y += 6
    pdf.set_text_color(*INK)
    flow.y = draw_bar_chart(
        pdf, bars, x=flow.x, y=flow.y, width=flow.width, row_h=row_h, label_w=flow.width * 0.42, font_size=9
    )
    if hidden:
        _muted(pdf, NOTE_SIZE)
        flow.print_lines([t("pdf.dossier.support.more", count=hidden)], line_h=NOTE_H)
    _ink(pdf)


def _chart_bars(bars: Sequence[Bar]) -> tuple[list[Bar], int]:
    """At most MAX_BARS bars (a chart that fits one page), always with the strong ones."""
    if len(bars) <= MAX_BARS:
        return list(bars), 0
    strong = sum(1 for bar in bars if bar.strong)
    room = max(MAX_BARS - strong, 0)
    kept_weak = {id(bar) for bar in sorted((b for b in bars if not b.strong), key=lambda b: -b.value)[:room]}
    kept = [bar for bar in bars if bar.strong or id(bar) in kept_weak]
    return kept, len(bars) - len(kept)


# -- photos ----------------------------------------------------------------------------------------


def photo_size(data: bytes) -> tuple[int, int] | None:
    """The photo's size in pixels when Pillow can decode it, else None.

    Decoded at an eighth of its size (JPEG draft mode: ~2 ms for a tablet photo), so a truncated
    or garbled file is caught here rather than printed as a broken image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"JPEG", "PNG"}:
                return None
            size = image.size
            image.draft("RGB", (max(1, size[0] // 8), max(1, size[1] // 8)))
            image.load()
            return size if size[0] > 0 and size[1] > 0 else None
    except Exception:  # noqa: BLE001 - whatever the reason, the photo cannot be printed
        return None


def _photos(flow: Flow, photos: Sequence[DossierPhoto]) -> None:
    pdf = flow.pdf
    cell_w = (flow.width - PHOTO_GAP) / 2
    rows = [photos[i : i + 2] for i in range(0, len(photos), 2)]
    for index, row in enumerate(rows):
        boxes = []
        for photo in row:
            size = photo_size(photo.data)
            if size is None:
                logger.warning("dossier photo (%d bytes) cannot be decoded: printed as a placeholder", len(photo.data))
                w, h = cell_w, cell_w * 0.6
            else:
                scale = min(cell_w / size[0], PHOTO_MAX_H / size[1])
                w, h = size[0] * scale, size[1] * scale
            pdf.set_font(SANS, "", CAPTION_SIZE)
            boxes.append((photo, size, w, h, pdf.lines(photo.caption, cell_w, 2)))
        image_h = max(box[3] for box in boxes)
        caption_h = max(len(box[4]) for box in boxes) * CAPTION_H
        row_h = image_h + 1.5 + caption_h
        if index == 0:
            _heading(flow, t("pdf.dossier.heading.photos"), row_h)
        else:
            flow.gap(4)
            flow.ensure(row_h)
        for column, (photo, size, w, h, caption) in enumerate(boxes):
            x = flow.x + column * (cell_w + PHOTO_GAP)
            top = flow.y + image_h - h  # bottom-aligned: the captions line up
            if size is None or not _place_image(pdf, photo, x + (cell_w - w) / 2, top, w, h):
                _placeholder(pdf, x, top, w, h)
            _muted(pdf, CAPTION_SIZE)
            for i, line in enumerate(caption):
                pdf.set_xy(x, flow.y + image_h + 1.5 + i * CAPTION_H)
                pdf.cell(cell_w, CAPTION_H, line)
        flow.y += row_h
    _ink(pdf)


def _place_image(pdf: KwrPDF, photo: DossierPhoto, x: float, y: float, w: float, h: float) -> bool:
    """The JPEG bytes as they are (fpdf2 embeds JPEG without re-encoding: DCTDecode)."""
    alt = _short(photo.alt_text or photo.caption, 300) or t("pdf.dossier.photo_alt")
    try:
        pdf.image(io.BytesIO(photo.data), x=x, y=y, w=w, h=h, alt_text=alt)
    except Exception:  # a photo never breaks the dossier
        logger.warning("dossier photo (%d bytes) could not be embedded: printed as a placeholder", len(photo.data),
                       exc_info=True)
        return False
    pdf.set_draw_color(*WEAK)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, w, h, style="D")
    pdf.set_draw_color(*INK)
    return True


def _placeholder(pdf: KwrPDF, x: float, y: float, w: float, h: float) -> None:
    pdf.set_fill_color(244, 245, 246)
    pdf.rect(x, y, w, h, style="F")
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.rect(x, y, w, h, style="D")
    pdf.set_dash_pattern()
    pdf.set_draw_color(*INK)
    _muted(pdf, 9.5)
    pdf.text_lines(x + 4, y + h / 2 - 2.5, w - 8, t("pdf.dossier.photo_missing"), max_lines=2, line_h=5, align="C")


# -- contact, reply date, answer sheet -------------------------------------------------------------


def _contact(flow: Flow, dossier: Dossier) -> None:
    """Who to call, the reply date and the closing, kept together on one page: the name in bold,
    the role, then e-mail and phone on one line, as under a letter."""
    pdf = flow.pdf
    reply = (
        t("pdf.dossier.reply_by", date=dossier.reply_by) if dossier.reply_by.strip() else t("pdf.dossier.reply_soon")
    )
    pdf.set_font(SANS, "B", 12)
    reply_lines = pdf.lines(reply, flow.width - 6, 2)
    pdf.set_font(SANS, "B", BODY)
    name = pdf.lines(dossier.contact_name, flow.width, 2)
    _ink(pdf)
    intro = pdf.lines(t("pdf.dossier.contact_intro"), flow.width, 3)
    role = pdf.lines(dossier.contact_role, flow.width, 2)
    reach = [
        f"{label}: {value}"
        for label, value in ((t("pdf.dossier.contact.email"), dossier.contact_email),
                             (t("pdf.dossier.contact.phone"), dossier.contact_phone))
        if value.strip()
    ]
    reach_lines = pdf.lines("  ·  ".join(reach), flow.width, 3)
    closing = pdf.lines(t("pdf.dossier.closing", council=dossier.council_name), flow.width, 3)
    person_h = (len(name) + len(role) + len(reach_lines)) * LINE_H
    end_h = 5 + len(reply_lines) * 6.5 + 4 + len(closing) * LINE_H
    _heading(flow, t("pdf.dossier.heading.contact"), len(intro) * LINE_H + 1.5 + person_h + end_h)
    _ink(pdf)
    flow.print_lines(intro, line_h=LINE_H)
    flow.y += 1.5
    pdf.set_font(SANS, "B", BODY)
    flow.print_lines(name, line_h=LINE_H)
    _ink(pdf)
    flow.print_lines(role, line_h=LINE_H)
    flow.print_lines(reach_lines, line_h=LINE_H)
    flow.gap(5)
    flow.ensure(end_h - 5)

    def mark(top: float, height: float) -> None:
        pdf.set_fill_color(*STRONG)
        pdf.rect(flow.x, top, 1.6, height, style="F")

    pdf.set_font(SANS, "B", 12)
    pdf.set_text_color(*INK)
    flow.print_lines(reply_lines, line_h=6.5, indent=5, decorate=mark)
    flow.y += 4
    _ink(pdf)
    flow.print_lines(closing, line_h=LINE_H)


def _answer_sheet(flow: Flow, dossier: Dossier) -> None:
    """A page of its own, to fill in with a pen and send back: decision boxes and ruled boxes."""
    pdf = flow.pdf
    flow.new_page()
    x, w = flow.x, flow.width
    pdf.set_text_color(*STRONG)
    pdf.set_font(SANS, "B", 16)
    pdf.text_line(x, flow.y, w, t("pdf.dossier.answer.title"), h=8)
    flow.y += 9
    _ink(pdf, BODY, "B")
    flow.print_lines(pdf.lines(dossier.title, w, 2), line_h=LINE_H)
    _muted(pdf, 9.5)
    meta = t("pdf.dossier.answer.meta", organisation=dossier.recipient_organisation, reference=dossier.reference)
    flow.print_lines(pdf.lines(meta, w, 2), line_h=4.8)
    contact = ", ".join(part for part in (dossier.contact_name.strip(), dossier.contact_email.strip()) if part)
    instructions = t("pdf.dossier.answer.instructions", contact=contact) if contact else t(
        "pdf.dossier.answer.instructions_any")
    _ink(pdf)
    flow.y += 1.5
    flow.print_lines(pdf.lines(instructions, w, 3), line_h=LINE_H)
    flow.y += 5

    _answer_label(flow, t("pdf.dossier.answer.decision"))
    options = [t("pdf.dossier.answer.yes"), t("pdf.dossier.answer.partly"), t("pdf.dossier.answer.no")]
    column_w = w / len(options)
    box = 7.0
    _ink(pdf, 11)
    for i, option in enumerate(options):
        bx = x + i * column_w
        pdf.set_line_width(0.5)
        pdf.rect(bx, flow.y, box, box, style="D")
        pdf.text_line(bx + box + 3, flow.y, column_w - box - 5, option, h=box)
    flow.y += box + 7

    for label, lines in (
        (t("pdf.dossier.answer.reasons"), 6),
        (t("pdf.dossier.answer.next_step"), 4),
        (t("pdf.dossier.answer.contact"), 2),
    ):
        _answer_label(flow, label)
        _ruled_box(pdf, x, flow.y, w, lines)
        flow.y += lines * ANSWER_LINE_H + 6

    half = (w - 8) / 2
    label_y = flow.y
    for i, label in enumerate((t("pdf.dossier.answer.date"), t("pdf.dossier.answer.signature"))):
        flow.y = label_y
        _answer_label(flow, label, x=x + i * (half + 8), width=half)
        _ruled_box(pdf, x + i * (half + 8), flow.y, half, 2 if i else 1)
    flow.y += 2 * ANSWER_LINE_H + 4


def _answer_label(flow: Flow, text: str, *, x: float | None = None, width: float | None = None) -> None:
    _ink(flow.pdf, 10, "B")
    flow.pdf.text_line(flow.x if x is None else x, flow.y, width or flow.width, text, h=5.5)
    flow.y += 6.5


def _ruled_box(pdf: KwrPDF, x: float, y: float, w: float, lines: int) -> None:
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.rect(x, y, w, lines * ANSWER_LINE_H, style="D")
    pdf.set_draw_color(*WEAK)
    pdf.set_line_width(0.2)
    for i in range(1, lines):
        pdf.line(x + 3, y + i * ANSWER_LINE_H, x + w - 3, y + i * ANSWER_LINE_H)
    pdf.set_draw_color(*INK)
