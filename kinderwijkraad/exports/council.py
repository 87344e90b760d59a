"""The council's printed things: a certificate of participation per member, and the programme of
the installation. Pure renderers over frozen dataclasses assembled by services/council.py."""

from __future__ import annotations

import math
from dataclasses import dataclass

from kinderwijkraad.exports.pdf import INK, MUTED, SANS, STRONG, WEAK, Flow, KwrPDF
from kinderwijkraad.i18n import t


@dataclass(frozen=True)
class Certificate:
    first_name: str
    class_label: str  # e.g. "groep 7/8"
    school: str
    role_label: str  # "voorzitter", "notulist", "lid"
    council_name: str  # "Kinderwijkraad Vogelbuurt"
    school_year: str
    date_text: str  # the installation date, formatted; may be empty
    alderman_name: str  # signs the certificate; may be empty (a line to sign on is printed)
    alderman_title: str  # e.g. "wethouder Jeugd"


@dataclass(frozen=True)
class ProgrammeItem:
    time: str  # e.g. "14:00", may be empty
    text: str


@dataclass(frozen=True)
class InstallationProgramme:
    council_name: str
    school_year: str
    date_text: str
    venue: str
    alderman_name: str
    alderman_title: str
    items: list[ProgrammeItem]
    members: list[str]  # "Sanne (voorzitter), groep 8, De Vlinder"


RGB = tuple[int, int, int]
# Festive, but each a different grey when printed in black and white.
ACCENT: RGB = (232, 140, 40)  # orange: light grey
GREEN: RGB = (96, 160, 70)  # mid grey
PINK: RGB = (200, 70, 110)  # darker grey
FLAGS: tuple[RGB, ...] = (STRONG, ACCENT, GREEN, PINK)


# -- decoration ------------------------------------------------------------------------------------


def draw_bunting(pdf: KwrPDF, x1: float, x2: float, y: float, *, flag_w: float = 9.0, sag: float = 5.0) -> None:
    """A string of triangular flags from x1 to x2 hanging from y (lowest `sag` mm further down)."""
    span = x2 - x1

    def rope(x: float) -> float:  # a parabola through (x1, y) and (x2, y)
        u = (x - x1) / span
        return y + 4 * sag * u * (1 - u)

    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.35)
    pdf.polyline([(x1 + span * i / 40, rope(x1 + span * i / 40)) for i in range(41)], style="D")
    count = max(int(span // (flag_w * 1.35)), 1)
    step = span / count
    for i in range(count):
        left = x1 + i * step + (step - flag_w) / 2
        right = left + flag_w
        middle = (left + right) / 2
        pdf.set_fill_color(*FLAGS[i % len(FLAGS)])
        pdf.polygon([(left, rope(left)), (right, rope(right)), (middle, rope(middle) + flag_w * 1.15)], style="F")
    pdf.set_draw_color(*INK)


def draw_rosette(pdf: KwrPDF, cx: float, cy: float, r: float) -> None:
    """A prize rosette: two ribbons, a scalloped disc and a star."""
    pdf.set_fill_color(*PINK)
    for side in (-1, 1):
        foot = cy + r * 1.9
        pdf.polygon(
            [(cx + side * r * 0.15, cy), (cx + side * r * 0.85, foot), (cx + side * r * 0.5, foot - r * 0.3),
             (cx + side * r * 0.25, foot + r * 0.05)],
            style="F",
        )
    pdf.set_fill_color(*ACCENT)
    pdf.star(cx, cy, r * 0.86, r, 18, style="F")
    pdf.set_fill_color(*STRONG)
    pdf.circle(cx, cy, r * 0.72, style="F")
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.5)
    pdf.circle(cx, cy, r * 0.6, style="D")
    pdf.set_fill_color(255, 255, 255)
    pdf.star(cx, cy, r * 0.2, r * 0.45, 5, rotate_degrees=180, style="F")
    pdf.set_draw_color(*INK)


def _confetti(pdf: KwrPDF, x: float, y: float, w: float, h: float, count: int) -> None:
    """Small dots and stars scattered over a strip, the same on every page (no randomness)."""
    for i in range(count):
        px = x + (i * 0.618034 % 1) * w
        py = y + (i * 0.381966 * 2.7 % 1) * h
        pdf.set_fill_color(*FLAGS[i % len(FLAGS)])
        if i % 3 == 0:
            pdf.star(px, py, 0.7, 1.7, 5, rotate_degrees=i * 23, style="F")
        else:
            pdf.circle(px, py, 0.7 + (i % 2) * 0.4, style="F")


def _border(pdf: KwrPDF) -> None:
    w, h = pdf.w, pdf.h
    pdf.set_draw_color(*STRONG)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, w - 16, h - 16, style="D")
    pdf.set_line_width(0.4)
    pdf.rect(12, 12, w - 24, h - 24, style="D")
    for cx, cy in ((10, 10), (w - 10, 10), (10, h - 10), (w - 10, h - 10)):
        pdf.set_fill_color(255, 255, 255)
        pdf.circle(cx, cy, 4.2, style="F")
        pdf.set_fill_color(*ACCENT)
        pdf.star(cx, cy, 1.6, 4.0, 5, rotate_degrees=180, style="F")
    pdf.set_draw_color(*INK)


# -- certificates ----------------------------------------------------------------------------------


def render_certificates_pdf(certificates: list[Certificate]) -> bytes:
    """A4 landscape, one page per member: "Certificaat van deelname", the first name big, the
    role, class and school, council and school year, and at the bottom the date and a line for
    the alderman's signature with name and title underneath. A border, bunting and a rosette
    drawn with fpdf2 primitives make it festive; every colour is a distinct grey on paper.
    ValueError without certificates."""
    if not certificates:
        raise ValueError("print at least one certificate")
    first = certificates[0]
    pdf = KwrPDF(title=t("pdf.certificate.doc_title", council=first.council_name), orientation="landscape")
    pdf.set_margins(20, 20, 20)
    for certificate in certificates:
        pdf.add_page()
        _certificate_page(pdf, certificate)
    return pdf.render()


def _certificate_page(pdf: KwrPDF, c: Certificate) -> None:
    w = pdf.w
    inner_x, inner_w = 30.0, w - 60.0
    _border(pdf)
    draw_bunting(pdf, 16, w - 16, 14, flag_w=10, sag=7)
    _confetti(pdf, 16, 40, 14, 120, 14)
    _confetti(pdf, w - 30, 40, 14, 120, 14)

    pdf.set_text_color(*STRONG)
    pdf.shrink_to_fit(t("pdf.certificate.title"), inner_w, family=SANS, style="B", size=32, smallest=18)
    pdf.text_line(inner_x, 38, inner_w, t("pdf.certificate.title"), h=14, align="C")
    pdf.set_font(SANS, "", 14)
    pdf.set_text_color(*MUTED)
    pdf.text_line(inner_x, 56, inner_w, t("pdf.certificate.for"), h=7, align="C")

    pdf.set_text_color(*INK)
    pdf.shrink_to_fit(c.first_name, inner_w, family=SANS, style="B", size=54, smallest=26)
    pdf.text_line(inner_x, 64, inner_w, c.first_name, h=22, align="C")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.line(w / 2 - 45, 89, w / 2 + 45, 89)
    pdf.set_draw_color(*INK)

    pdf.set_font(SANS, "", 16)
    role = t("pdf.certificate.role", role=c.role_label, council=c.council_name)
    y = pdf.text_lines(inner_x, 94, inner_w, role, max_lines=2, line_h=8, align="C")
    pdf.set_font(SANS, "", 13)
    pdf.set_text_color(*MUTED)
    school = " · ".join(part for part in (c.class_label.strip(), c.school.strip()) if part)
    pdf.text_line(inner_x, y + 1, inner_w, school, h=6.5, align="C")
    pdf.text_line(inner_x, y + 7.5, inner_w, t("pdf.certificate.school_year", school_year=c.school_year), h=6.5,
                  align="C")
    pdf.set_font(SANS, "B", 14)
    pdf.set_text_color(*STRONG)
    pdf.text_line(inner_x, y + 18, inner_w, t("pdf.certificate.thanks"), h=7, align="C")
    pdf.set_text_color(*INK)

    draw_rosette(pdf, w / 2, 160, 13)
    _signature_block(pdf, 40, 92, t("pdf.certificate.date"), c.date_text, "")
    _signature_block(pdf, w - 40 - 92, 92, t("pdf.certificate.signature"), c.alderman_name, c.alderman_title,
                     name_below=True)


def _signature_block(pdf: KwrPDF, x: float, w: float, label: str, value: str, sub: str, *,
                     name_below: bool = False) -> None:
    """A line to write or sign on: the date sits on it; the alderman's name and title go under it."""
    line_y = 172.0
    if value.strip() and not name_below:
        pdf.set_font(SANS, "", 13)
        pdf.text_line(x, line_y - 8, w, value, h=7, align="C")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.4)
    pdf.line(x, line_y, x + w, line_y)
    y = line_y + 1.5
    if name_below and value.strip():
        pdf.set_font(SANS, "B", 12)
        pdf.text_line(x, y, w, value, h=6, align="C")
        y += 6
    pdf.set_font(SANS, "", 10.5)
    pdf.set_text_color(*MUTED)
    pdf.text_line(x, y, w, sub if sub.strip() else label, h=5, align="C")
    pdf.set_text_color(*INK)


# -- installation programme ------------------------------------------------------------------------

P_MARGIN = 22.0
P_TOP = 20.0
P_BOTTOM = 297.0 - 18.0
TIME_W = 24.0
BODY = 11.5
LINE_H = 5.8


def render_installation_programme_pdf(programme: InstallationProgramme) -> bytes:
    """A4 portrait: the council's name and "Installatie", date, venue and school year; the
    programme items with their times; the members; who installs the council. Flows over pages
    when the lists are long; a heading never stays alone at the bottom of a page."""
    pdf = KwrPDF(
        title=t("pdf.programme.doc_title", council=programme.council_name),
        running_header=(programme.council_name, t("pdf.programme.label")),
        page_numbers=True,
    )
    pdf.set_margins(P_MARGIN, P_TOP, P_MARGIN)
    pdf.running_header = ("", "")  # page 1 has the big header; the pages after it a small one
    pdf.add_page()
    pdf.running_header = (programme.council_name, t("pdf.programme.label"))
    width = pdf.w - 2 * P_MARGIN
    flow = Flow(pdf, x=P_MARGIN, width=width, top=P_TOP, bottom=P_BOTTOM)

    draw_bunting(pdf, P_MARGIN - 6, pdf.w - P_MARGIN + 6, 8, flag_w=8, sag=5)
    flow.y = 30
    pdf.set_font(SANS, "B", 11)
    pdf.set_text_color(*STRONG)
    pdf.text_line(P_MARGIN, flow.y, width, t("pdf.programme.label").upper(), h=6)
    flow.y += 7
    pdf.set_text_color(*INK)
    pdf.set_font(SANS, "B", 24)
    flow.print_lines(pdf.lines(t("pdf.programme.title", council=programme.council_name), width, 3), line_h=10.5)
    flow.y += 3
    rows = [
        (t("pdf.programme.date"), programme.date_text),
        (t("pdf.programme.venue"), programme.venue),
        (t("pdf.programme.school_year"), programme.school_year),
    ]
    for label, value in rows:
        if not value.strip():
            continue
        pdf.set_font(SANS, "", BODY)
        lines = pdf.lines(value, width - 30, 2)
        pdf.set_font(SANS, "", 10)
        pdf.set_text_color(*MUTED)
        pdf.text_line(P_MARGIN, flow.y, 28, label, h=LINE_H)
        pdf.set_font(SANS, "B", BODY)
        pdf.set_text_color(*INK)
        flow.print_lines(lines, line_h=LINE_H, indent=30)
    flow.y += 4

    _programme_items(flow, programme.items)
    _members(flow, programme.members)
    if programme.alderman_name.strip() or programme.alderman_title.strip():
        who = ", ".join(part for part in (programme.alderman_name.strip(), programme.alderman_title.strip()) if part)
        pdf.set_font(SANS, "", BODY)
        lines = pdf.lines(t("pdf.programme.installed_by", alderman=who), width - 8, 3)
        _p_heading(flow, t("pdf.programme.heading.alderman"), len(lines) * LINE_H)
        pdf.set_font(SANS, "", BODY)
        flow.print_lines(lines, line_h=LINE_H)
    return pdf.render()


def _p_heading(flow: Flow, text: str, keep: float) -> None:
    flow.heading(text, size=14, gap=6, keep=9 + keep, text_h=7, rule_at=7.8, advance=10)


def _programme_items(flow: Flow, items: list[ProgrammeItem]) -> None:
    pdf = flow.pdf
    text_w = flow.width - TIME_W
    prepared = []
    for item in items:
        pdf.set_font(SANS, "", BODY)
        prepared.append((item.time, pdf.lines(item.text, text_w, 4) or ["–"]))
    first_h = len(prepared[0][1]) * LINE_H if prepared else LINE_H
    _p_heading(flow, t("pdf.programme.heading.items"), first_h)
    if not prepared:
        pdf.set_font(SANS, "", BODY)
        pdf.set_text_color(*MUTED)
        flow.print_lines([t("pdf.programme.no_items")], line_h=LINE_H)
        pdf.set_text_color(*INK)
        return
    for index, (time, lines) in enumerate(prepared):
        height = len(lines) * LINE_H + 2.5
        flow.ensure(height)
        top = flow.y
        pdf.set_font(SANS, "B", BODY)
        pdf.set_text_color(*STRONG)
        pdf.text_line(flow.x, top, TIME_W - 3, time, h=LINE_H)
        pdf.set_font(SANS, "", BODY)
        pdf.set_text_color(*INK)
        flow.print_lines(lines, line_h=LINE_H, indent=TIME_W)
        flow.y += 2.5
        if index < len(prepared) - 1:
            pdf.set_draw_color(*WEAK)
            pdf.set_line_width(0.15)
            pdf.line(flow.x + TIME_W, flow.y - 1.25, flow.x + flow.width, flow.y - 1.25)
            pdf.set_draw_color(*INK)


def _members(flow: Flow, members: list[str]) -> None:
    """The members in two columns (one when there are few), at most two lines each."""
    pdf = flow.pdf
    columns = 2 if len(members) > 6 else 1
    gap = 8.0
    column_w = (flow.width - (columns - 1) * gap) / columns
    pdf.set_font(SANS, "", BODY)
    entries = [pdf.lines(member, column_w - 6, 2) or ["–"] for member in members]
    _p_heading(flow, t("pdf.programme.heading.members", count=len(members)),
               len(entries[0]) * LINE_H if entries else LINE_H)
    if not entries:
        pdf.set_text_color(*MUTED)
        flow.print_lines([t("pdf.programme.no_members")], line_h=LINE_H)
        pdf.set_text_color(*INK)
        return
    rows = math.ceil(len(entries) / columns)
    pdf.set_font(SANS, "", BODY)
    for row in range(rows):
        cells = [entries[column * rows + row] for column in range(columns) if column * rows + row < len(entries)]
        height = max(len(cell) for cell in cells) * LINE_H + 1
        flow.ensure(height)
        for column, cell in enumerate(cells):
            x = flow.x + column * (column_w + gap)
            pdf.set_fill_color(*FLAGS[(column * rows + row) % len(FLAGS)])
            pdf.star(x + 2, flow.y + LINE_H / 2, 0.9, 2.0, 5, rotate_degrees=180, style="F")
            for i, line in enumerate(cell):
                pdf.set_xy(x + 6, flow.y + i * LINE_H)
                pdf.cell(column_w - 6, LINE_H, line)
        flow.y += height
