"""The three printed things of a vote: voting cards (stemkaarten) to cut out, paper ballots
(stembiljetten) for classes without tablets, and the one-page result for the notice board.

Pure renderers: services build the frozen dataclasses below (already translated labels, already
formatted dates) and get bytes back. Nothing here knows a database, a pupil or a ballot id, so a
PDF cannot leak who voted what.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import segno

from kinderwijkraad.exports.pdf import (
    INK,
    MONO,
    MUTED,
    SANS,
    STRONG,
    WEAK,
    Bar,
    Column,
    KwrPDF,
    TableRow,
    draw_bar_chart,
    draw_table,
    format_number,
)
from kinderwijkraad.i18n import format_percent, t

# -- voting cards ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardPrint:
    """One voting card (stemkaart)."""

    code: str  # e.g. "K7QM-4TXP", printed large so a child can type it over
    url: str  # the voting URL with the code, encoded in the QR code


@dataclass(frozen=True)
class CardSheet:
    poll_title: str
    class_label: str
    instructions: str
    cards: list[CardPrint]


CARD_COLUMNS = 2
CARD_ROWS = 5
CARDS_PER_PAGE = CARD_COLUMNS * CARD_ROWS
CARD_W = 95.0
CARD_H = 53.0
GRID_LEFT = 10.0
GRID_TOP = 18.0
QR_SIZE = 30.0
CARD_PAD = 5.0  # also the QR code's quiet zone on the left (≈ 4 modules)


def qr_png(url: str) -> io.BytesIO:
    """The QR code as a PNG without border (the card's white space is the quiet zone).

    Error level M at least (segno raises it when that costs no extra size), 4 px per module
    so viewers that smooth images still print sharp edges."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=4, border=0)
    buffer.seek(0)
    return buffer


def render_voting_cards_pdf(sheet: CardSheet) -> bytes:
    """A4 portrait, 2 × 5 cards a page between dashed cut lines, "blad 1/3" in the footer.

    Each card: poll title, class, a 30 mm QR code and the code in large monospaced bold (for a
    child who types it over instead of scanning), with the instruction next to it. Raises
    ValueError without cards: a sheet of nothing is a bug in the caller, not something to print."""
    if not sheet.cards:
        raise ValueError("a card sheet needs at least one card")
    pdf = KwrPDF(
        title=t("pdf.cards.title", poll=sheet.poll_title),
        running_header=(sheet.class_label, t("pdf.cards.count", count=len(sheet.cards))),
        page_numbers=True,
    )
    for start in range(0, len(sheet.cards), CARDS_PER_PAGE):
        pdf.add_page()
        page_cards = sheet.cards[start : start + CARDS_PER_PAGE]
        for index, card in enumerate(page_cards):
            row, column = divmod(index, CARD_COLUMNS)
            _draw_card(pdf, sheet, card, GRID_LEFT + column * CARD_W, GRID_TOP + row * CARD_H)
        _draw_card_cut_lines(pdf, len(page_cards))
    return pdf.render()


def _draw_card(pdf: KwrPDF, sheet: CardSheet, card: CardPrint, x0: float, y0: float) -> None:
    inner_w = CARD_W - 2 * CARD_PAD
    pdf.set_font(SANS, "B", 9.5)
    y = pdf.text_lines(x0 + CARD_PAD, y0 + 3, inner_w, sheet.poll_title, max_lines=2, line_h=4)
    pdf.shrink_to_fit(sheet.class_label, inner_w, family=SANS, style="", size=8, smallest=7)
    pdf.set_text_color(*MUTED)
    pdf.text_line(x0 + CARD_PAD, y + 0.2, inner_w, sheet.class_label, h=3.6)
    pdf.set_text_color(*INK)

    # Fixed position, whatever the title: ≥ 3.5 mm of white (the quiet zone) on every side.
    qr_top = y0 + 18.5
    # The QR code is a link too: a card sheet opened on a screen can be tapped, and a test can
    # read the address the QR code carries.
    pdf.image(qr_png(card.url), x=x0 + CARD_PAD, y=qr_top, w=QR_SIZE, h=QR_SIZE, alt_text=card.code, link=card.url)

    right_x = x0 + CARD_PAD + QR_SIZE + 5
    right_w = x0 + CARD_W - CARD_PAD - right_x
    pdf.shrink_to_fit(card.code, right_w, family=MONO, style="B", size=22, smallest=10)
    pdf.text_line(right_x, qr_top, right_w, card.code, h=9)
    pdf.set_font(SANS, "", 8.5)
    pdf.text_lines(right_x, qr_top + 12, right_w, sheet.instructions, max_lines=4, line_h=4.2)


def _draw_card_cut_lines(pdf: KwrPDF, count: int) -> None:
    """Dashed lines around the cards on this page, each drawn once and in one direction, so
    shared edges stay evenly dashed."""
    rows = math.ceil(count / CARD_COLUMNS)
    cards_in_row = [min(CARD_COLUMNS, count - r * CARD_COLUMNS) for r in range(rows)]
    for line in range(rows + 1):
        above = cards_in_row[line - 1] if line > 0 else 0
        below = cards_in_row[line] if line < rows else 0
        y = GRID_TOP + line * CARD_H
        pdf.dashed_line(GRID_LEFT, y, GRID_LEFT + max(above, below) * CARD_W, y)
    for row, in_row in enumerate(cards_in_row):
        top = GRID_TOP + row * CARD_H
        for column in range(in_row + 1):
            x = GRID_LEFT + column * CARD_W
            pdf.dashed_line(x, top, x, top + CARD_H)


# -- paper ballots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotPaper:
    poll_title: str
    class_label: str
    question: str
    instruction: str  # e.g. "Zet een kruisje bij 3 thema's." or "Zet 1, 2, 3 bij je favorieten."
    options: list[str]
    copies: int  # one per pupil


PAPER_W = 148.5  # A5 portrait: two side by side on A4 landscape
PAPER_H = 210.0
PAPER_PAD = 12.0
BOX_MIN = 8.0  # big enough for a child's cross or a "1"
OPTION_ROW_MIN = BOX_MIN + 2.5
OPTION_ROW_MAX = 16.0
OPTION_GUTTER = 6.0


def render_ballot_papers_pdf(paper: BallotPaper) -> bytes:
    """Two A5 ballot papers on each A4 (landscape) page with a dashed cut line between them.

    Each paper: title, class, question, instruction, every option next to an empty box of at
    least 8 mm, and the reminder that the paper is secret. Options take two columns when one
    column would shrink the boxes below 8 mm; more than two columns hold is a ValueError,
    because a ballot that spills onto a second sheet gets lost."""
    if paper.copies < 1:
        raise ValueError("print at least one ballot paper")
    if not paper.options:
        raise ValueError("a ballot paper needs at least one option")
    pdf = KwrPDF(title=t("pdf.ballots.title", poll=paper.poll_title), orientation="landscape")
    for start in range(0, paper.copies, 2):
        pdf.add_page()
        for slot in range(min(2, paper.copies - start)):
            _draw_ballot(pdf, paper, slot * PAPER_W)
        pdf.dashed_line(PAPER_W, 4, PAPER_W, PAPER_H - 4)
    return pdf.render()


def _draw_ballot(pdf: KwrPDF, paper: BallotPaper, x0: float) -> None:
    x = x0 + PAPER_PAD
    w = PAPER_W - 2 * PAPER_PAD
    y = PAPER_PAD
    pdf.set_font(SANS, "B", 9)
    pdf.set_text_color(*STRONG)
    pdf.text_line(x, y, w, t("pdf.ballots.label"), h=4)
    pdf.set_text_color(*INK)
    y += 5.5
    pdf.set_font(SANS, "B", 15)
    y = pdf.text_lines(x, y, w, paper.poll_title, max_lines=2, line_h=6.5)
    pdf.set_font(SANS, "", 11)
    pdf.set_text_color(*MUTED)
    pdf.text_line(x, y, w, paper.class_label, h=5.5)
    pdf.set_text_color(*INK)
    y += 5.5 + 3
    pdf.set_font(SANS, "B", 13)
    y = pdf.text_lines(x, y, w, paper.question, max_lines=3, line_h=6)
    pdf.set_font(SANS, "", 11)
    y = pdf.text_lines(x, y + 1, w, paper.instruction, max_lines=2, line_h=5.2) + 4

    secret_y = PAPER_H - PAPER_PAD - 5
    _draw_options(pdf, paper.options, x=x, y=y, w=w, h=secret_y - 3 - y)

    pdf.set_draw_color(*WEAK)
    pdf.set_line_width(0.2)
    pdf.line(x, secret_y - 1.5, x + w, secret_y - 1.5)
    pdf.set_font(SANS, "B", 9.5)
    pdf.text_line(x, secret_y, w, t("pdf.ballots.secret"), h=5, align="C")


def _draw_options(pdf: KwrPDF, options: list[str], *, x: float, y: float, w: float, h: float) -> None:
    per_column = max(int(h // OPTION_ROW_MIN), 1)
    columns = 1 if len(options) <= per_column else 2
    rows = math.ceil(len(options) / columns)
    if rows > per_column:
        raise ValueError(f"{len(options)} options do not fit on one ballot paper (at most {2 * per_column})")
    row_h = min(OPTION_ROW_MAX, h / rows)
    box = max(BOX_MIN, min(12.0, row_h - 2.5))
    column_w = (w - (columns - 1) * OPTION_GUTTER) / columns
    font_size = 12.0 if columns == 1 else 10.5
    line_h = font_size * 0.3528 * 1.25
    max_lines = max(1, min(2, int((row_h - 1) // line_h)))
    text_w = column_w - box - 4
    pdf.set_font(SANS, "", font_size)
    for index, option in enumerate(options):
        column, row = divmod(index, rows)
        ox = x + column * (column_w + OPTION_GUTTER)
        oy = y + row * row_h
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.5)
        pdf.rect(ox, oy + (row_h - box) / 2, box, box, style="D")
        text = pdf.lines(option, text_w, max_lines)
        ty = oy + (row_h - len(text) * line_h) / 2
        for line in text:
            pdf.set_xy(ox + box + 4, ty)
            pdf.cell(text_w, line_h, line)
            ty += line_h


# -- results for the notice board ------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    option: str
    electronic: int | None  # from cards and the booth; None where the split is not published
    paper: int | None  # from paper tallies
    total: int
    place: int  # 1-based; ties share a place
    top: bool  # in the top 3: highlighted
    picture: bytes | None = None  # the option's theme pictogram (SVG), drawn beside its bar


@dataclass(frozen=True)
class TurnoutRow:
    label: str  # class label
    ballots: int  # cards + booth + paper
    pupils: int
    shown: bool  # False when the class's own result is hidden (fewer than 5 ballots)


@dataclass(frozen=True)
class ResultsReport:
    title: str
    scope_label: str
    method_label: str
    closed_at: str  # already formatted
    ballots: int
    rows: list[ResultRow]
    turnout: list[TurnoutRow]
    winners_note: str
    footnote: str
    split: bool = True  # the table has the tablet and paper columns (ResultRow's numbers are set)


PAGE_MARGIN = 12.0
ROW_MAX = 7.0
ROW_MIN = 4.0  # ≈ 7 pt text; below this the chart goes (the table says the same), the tables stay
CHART_ROW_FACTORS = (1.3, 1.0)  # chart rows a little taller than table rows, when there is room
CHART_ROW_MAX = 9.0
HEADING_H = 8.0
SECTION_GAP = 3.0


def render_results_pdf(report: ResultsReport) -> bytes:
    """One A4 page for the notice board: title, scope, method and date; a bar chart of the totals
    (top 3 in a strong colour); the table per option (cards & booth / paper / total); turnout per
    class; the notes.

    Row heights and fonts shrink together so 15 options and 12 classes still fit on one page.
    With far more rows the chart is left out (the table says the same); only beyond that do the
    tables continue on a second page rather than become unreadable."""
    pdf = KwrPDF(title=t("pdf.results.doc_title", poll=report.title))
    pdf.set_margins(PAGE_MARGIN, 10, PAGE_MARGIN)
    pdf.add_page()
    x, w = PAGE_MARGIN, pdf.epw
    bottom = pdf.h - 10
    y = _draw_results_header(pdf, report, x, 10, w) + SECTION_GAP

    notes = _note_lines(pdf, report, w)
    notes_h = sum(line_h for _, _, line_h in notes)
    # 0.5 mm slack: rounding must never push the last note onto a second page.
    available = bottom - y - notes_h - (SECTION_GAP if notes else 0) - 0.5
    n, m = len(report.rows), len(report.turnout)
    turnout_rows = m + 1 if m else 0
    sections = 2 + (1 if m else 0)
    table_rows = n + 1 + turnout_rows
    with_chart, factor = False, 1.0
    for factor in CHART_ROW_FACTORS if n else ():
        row_h = (available - sections * HEADING_H - (sections - 1) * SECTION_GAP) / (factor * n + table_rows)
        if row_h >= ROW_MIN:
            with_chart = True
            break
    if not with_chart:
        sections -= 1
        row_h = (available - sections * HEADING_H - (sections - 1) * SECTION_GAP) / max(table_rows, 1)
    row_h = max(ROW_MIN, min(ROW_MAX, row_h))
    font_size = max(7.0, min(10.5, row_h * 1.75))

    if with_chart:
        chart_row = min(CHART_ROW_MAX, row_h * factor)
        y = _heading(pdf, x, y, w, t("pdf.results.chart"), legend=True)
        bars = [Bar(row.option, row.total, row.top) for row in report.rows]
        # The themes' pictures in a column of their own before the names (never instead of them).
        picture_w = chart_row if any(row.picture for row in report.rows) else 0.0
        for i, row in enumerate(report.rows):
            if row.picture:
                size = chart_row * 0.9
                pdf.image(io.BytesIO(row.picture), x=x, y=y + i * chart_row + (chart_row - size) / 2, w=size, h=size)
        y = draw_bar_chart(
            pdf, bars, x=x + picture_w, y=y, width=w - picture_w, row_h=chart_row, label_w=w * 0.34 - picture_w,
            font_size=min(11.0, chart_row * 1.6)
        )
        y += SECTION_GAP

    y = _heading(pdf, x, y, w, t("pdf.results.table"))
    pdf.set_font(SANS, "B", font_size)
    split = [_number_column(pdf, t("pdf.results.col.electronic"), 22),
             _number_column(pdf, t("pdf.results.col.paper"), 18)] if report.split else []
    numbers = [_number_column(pdf, t("pdf.results.col.place"), 14), *split,
               _number_column(pdf, t("pdf.results.col.total"), 18)]
    option_column = Column(t("pdf.results.col.option"), w - sum(c.width for c in numbers))
    columns = [numbers[0], option_column, *numbers[1:]]
    rows = [
        TableRow(
            [str(r.place), r.option,
             *((format_number(r.electronic or 0), format_number(r.paper or 0)) if report.split else ()),
             format_number(r.total)],
            bold=r.top,
            highlight=r.top,
        )
        for r in report.rows
    ]
    y = draw_table(pdf, columns, rows, x=x, y=y, row_h=row_h, font_size=font_size, bottom=bottom)

    if report.turnout:
        y += SECTION_GAP
        if y + HEADING_H + 2 * row_h > bottom:
            pdf.add_page()
            y = 10.0
        y = _heading(pdf, x, y, w, t("pdf.results.turnout"))
        pdf.set_font(SANS, "B", font_size)
        numbers = [
            _number_column(pdf, t("pdf.results.col.ballots"), 18),
            _number_column(pdf, t("pdf.results.col.pupils"), 18),
            _number_column(pdf, t("pdf.results.col.turnout"), 18),
        ]
        shown_column = _text_column(
            pdf, t("pdf.results.col.shown"), [t("pdf.results.shown_yes"), t("pdf.results.shown_no")]
        )
        label_column = Column(t("pdf.results.col.class"), w - sum(c.width for c in numbers) - shown_column.width)
        turnout = [
            TableRow(
                [
                    r.label,
                    format_number(r.ballots),
                    format_number(r.pupils),
                    format_percent(r.ballots / r.pupils) if r.pupils > 0 else "–",
                    t("pdf.results.shown_yes") if r.shown else t("pdf.results.shown_no"),
                ]
            )
            for r in report.turnout
        ]
        y = draw_table(
            pdf, [label_column, *numbers, shown_column], turnout, x=x, y=y, row_h=row_h, font_size=font_size,
            bottom=bottom,
        )

    if notes:
        y += SECTION_GAP
        if y + notes_h > bottom + 0.01:
            pdf.add_page()
            y = 10.0
        for line, bold, line_h in notes:
            pdf.set_font(SANS, "B" if bold else "", 10 if bold else 8.5)
            pdf.set_text_color(*(INK if bold else MUTED))
            pdf.text_line(x, y, w, line, h=line_h)
            y += line_h
        pdf.set_text_color(*INK)
    return pdf.render()


def _draw_results_header(pdf: KwrPDF, report: ResultsReport, x: float, y: float, w: float) -> float:
    pdf.set_font(SANS, "B", 10)
    pdf.set_text_color(*STRONG)
    pdf.text_line(x, y, w, t("pdf.results.label"), h=5)
    pdf.set_text_color(*INK)
    pdf.set_font(SANS, "B", 22)
    y = pdf.text_lines(x, y + 5.5, w, report.title, max_lines=2, line_h=9.5)
    pdf.set_font(SANS, "B", 13)
    pdf.text_line(x, y + 0.5, w, report.scope_label, h=6.5)
    y += 7.5
    pdf.set_font(SANS, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.text_line(x, y, w, t("pdf.results.meta", method=report.method_label, closed_at=report.closed_at), h=5)
    pdf.text_line(x, y + 5, w, t("pdf.results.ballots", count=report.ballots), h=5)
    pdf.set_text_color(*INK)
    return y + 10


def _note_lines(pdf: KwrPDF, report: ResultsReport, w: float) -> list[tuple[str, bool, float]]:
    """The notes under the tables, measured before drawing so the rows can make room for them."""
    notes: list[tuple[str, bool, float]] = []
    pdf.set_font(SANS, "B", 10)
    notes += [(line, True, 5.0) for line in pdf.lines(report.winners_note, w, 2)]
    pdf.set_font(SANS, "", 8.5)
    notes += [(line, False, 4.0) for line in pdf.lines(report.footnote, w, 3)]
    if any(row.picture for row in report.rows):  # the pictograms' licence (CC BY-SA) asks for a credit
        notes.append((pdf.fit(t("pictogram.credit"), w), False, 4.0))
    return notes


def _heading(pdf: KwrPDF, x: float, y: float, w: float, text: str, *, legend: bool = False) -> float:
    pdf.set_font(SANS, "B", 12)
    pdf.text_line(x, y + 1, w * 0.6, text, h=6)
    if legend:
        pdf.set_font(SANS, "", 8.5)
        right = x + w
        for label, colour in ((t("pdf.results.legend_other"), WEAK), (t("pdf.results.legend_top"), STRONG)):
            label_w = pdf.get_string_width(label)
            pdf.set_xy(right - label_w, y + 1)
            pdf.cell(label_w, 6, label)
            pdf.set_fill_color(*colour)
            pdf.rect(right - label_w - 4.5, y + 2.5, 3, 3, style="F")
            right -= label_w + 9
    return y + HEADING_H


def _number_column(pdf: KwrPDF, title: str, minimum: float) -> Column:
    """A right-aligned column just wide enough for its (translated) title."""
    return Column(title, max(minimum, pdf.get_string_width(title) + 3), "R")


def _text_column(pdf: KwrPDF, title: str, values: list[str]) -> Column:
    return Column(title, max(pdf.get_string_width(text) for text in [title, *values]) + 3)
