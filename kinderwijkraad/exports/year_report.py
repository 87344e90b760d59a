"""The year report of one cycle for the partners (gemeente, woningcorporatie, school boards): the
same figures as the facilitator's dashboard — lessons, plans, turnout, proposals and answers,
feedback, the participation self-check — with charts drawn in the PDF itself.

Pure renderer: services/year_report.py assembles the frozen `YearReport` (translated labels,
formatted dates, percentages as numbers 0-100); nothing here queries or names a child.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kinderwijkraad.exports.pdf import (
    ELLIPSIS,
    INK,
    MUTED,
    SANS,
    STRONG,
    WEAK,
    Bar,
    Column,
    Flow,
    KwrPDF,
    TableRow,
    draw_bar_chart,
    draw_table,
    format_number,
    wrap,
)
from kinderwijkraad.i18n import format_percent, t


@dataclass(frozen=True)
class ClassFigures:
    label: str  # "Groep 7"
    school: str
    pupils: int
    lessons_given: int  # lessons (of the series) given in this class
    plans: int  # plans written by its teams
    ballots: int  # in the cycle's deciding vote (cards, booth and paper)

    @property
    def turnout_pct(self) -> float:
        return 100.0 * self.ballots / self.pupils if self.pupils else 0.0


@dataclass(frozen=True)
class SchoolFigures:
    name: str
    classes: int
    pupils: int
    ballots: int

    @property
    def turnout_pct(self) -> float:
        return 100.0 * self.ballots / self.pupils if self.pupils else 0.0


@dataclass(frozen=True)
class RecipientFigures:
    proposal: str
    organisation: str
    status_label: str  # "beantwoord: deels toegezegd"
    days_waiting: int | None  # since sent, while no answer; None otherwise


@dataclass(frozen=True)
class SelfCheckFigures:
    dimension_label: str  # "Ruimte", "Stem", "Publiek", "Invloed" (Lundy)
    yes: int
    questions: int
    missing: list[str]  # the questions answered "no" or not at all


@dataclass(frozen=True)
class YearReport:
    council_name: str  # "Kinderwijkraad De Vogelbuurt"
    neighbourhood: str
    municipality: str
    school_year: str
    phase_label: str
    date_text: str  # the report's date, formatted
    classes: list[ClassFigures]
    schools: list[SchoolFigures]
    plans_written: int
    themes: int
    poll_title: str  # the deciding vote; "" when there was none
    theme_bars: list[Bar]  # the vote's result per theme, top-3 strong
    proposals: list[RecipientFigures]
    share_answered_pct: float  # of the proposals' recipients that were sent, answered
    share_realised_pct: float  # carried out
    share_fed_back_pct: float  # of the classes with plans, feedback shared after the answers
    self_check: list[SelfCheckFigures] = field(default_factory=list)

    @property
    def voted(self) -> bool:
        """Whether the cycle had a deciding vote."""
        return bool(self.poll_title.strip())

    @property
    def pupils(self) -> int:
        return sum(c.pupils for c in self.classes) if self.classes else sum(s.pupils for s in self.schools)

    @property
    def ballots(self) -> int:
        return sum(c.ballots for c in self.classes) if self.classes else sum(s.ballots for s in self.schools)

    @property
    def turnout_pct(self) -> float:
        return 100.0 * self.ballots / self.pupils if self.pupils else 0.0

    @property
    def proposal_count(self) -> int:
        """Distinct proposals: one proposal sent to two organisations is two rows, one proposal."""
        return len({" ".join(p.proposal.split()) for p in self.proposals})


def percent(value: float) -> str:
    """A share in percent (87.5) as the report prints it everywhere: "88%" (whole percents, like
    the notice board)."""
    return format_percent(value / 100)


# -- layout ----------------------------------------------------------------------------------------

MARGIN = 18.0
TOP = 18.0  # below the running header
BOTTOM = 297.0 - 17.0  # above the page number
WIDTH = 210.0 - 2 * MARGIN
BODY = 10.0
LINE_H = 5.0
HEADING_SIZE = 13.0
HEADING_H = 8.5
SECTION_GAP = 6.0
SUB_SIZE = 9.5
SUB_H = 6.0
NOTE_SIZE = 8.5
NOTE_H = 4.2
TABLE_ROW = 6.2
TABLE_FONT = 9.0
PROPOSAL_FONT = 8.5  # titles, organisations and statuses are long: a little smaller, so fewer are cut
CHART_FONT = 9.0
METER_ROW = 6.0
TILE_H = 18.0
TILE_GAP = 3.0
TILES_PER_ROW = 5
RGB = tuple[int, int, int]
TRACK: RGB = (228, 231, 234)  # the 100 % a share bar is measured against
TINT: RGB = (236, 244, 246)  # the tiles' background, as in the dossier
MIN_BAR_ROW = 4.4  # theme bars shrink to this before the rest is summed up in a line
CAP_MISSING = 3  # lines per missing point of the self-check
NONE = "–"


@dataclass(frozen=True)
class _Meter:
    """One bar against a fixed whole (0-100 %, or yes out of the questions), its value as text."""

    label: str
    fraction: float
    value: str


def render_year_report_pdf(report: YearReport) -> bytes:
    """The year report as an A4 PDF/A-2B for the partners: a header with the council, wijk,
    municipality, school year, phase and date; the key figures as tiles; lessons and plans per
    class; the vote (its result per theme, turnout per class and per school); the proposals with
    their status and the shares answered, carried out and fed back; the Lundy self-check.

    Every chart prints its numbers as text beside the bars (or repeats a table), so the report
    reads the same to a screen reader. A part without data prints one line instead of an empty
    chart; tables and bar lists flow over pages, tables under a repeated header."""
    pdf = KwrPDF(
        title=_short(t("pdf.year.doc_title", council=report.council_name, school_year=report.school_year)),
        page_numbers=True,
        compliance="PDFA_2B",
    )
    pdf.set_margins(MARGIN, TOP - 6, MARGIN)  # draw_table continues a table at t_margin + 6 = TOP
    pdf.add_page()  # page 1 has the big header instead of the running one
    pdf.running_header = (report.council_name, t("pdf.year.header", school_year=report.school_year))
    flow = Flow(pdf, x=MARGIN, width=WIDTH, top=TOP, bottom=BOTTOM)
    flow.y = 12.0
    _header(flow, report)
    _figures(flow, report)
    _lessons(flow, report)
    _vote(flow, report)
    _proposals(flow, report)
    _participation(flow, report)
    return pdf.render()


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _style(pdf: KwrPDF, size: float, style: str = "", colour: RGB = INK) -> None:
    pdf.set_font(SANS, style, size)
    pdf.set_text_color(*colour)


def _heading(flow: Flow, text: str, keep: float) -> None:
    """A section heading, kept on one page with the first `keep` mm of what follows."""
    flow.heading(text, size=HEADING_SIZE, gap=SECTION_GAP, keep=HEADING_H + keep, text_h=HEADING_H - 1.5,
                 rule_at=HEADING_H - 1.2, advance=HEADING_H + 1)
    _style(flow.pdf, BODY)


def _subheading(flow: Flow, text: str, keep: float, *, legend: bool = False) -> None:
    """A chart's or table's caption (muted, bold), kept with its first `keep` mm; with `legend` the
    top-3 / other swatches on the right."""
    flow.gap(3)
    flow.ensure(SUB_H + keep)
    pdf = flow.pdf
    right = flow.x + flow.width
    if legend:
        _style(pdf, NOTE_SIZE, "", MUTED)
        for label, colour in ((t("pdf.results.legend_other"), WEAK), (t("pdf.results.legend_top"), STRONG)):
            label = pdf.fit(label, flow.width / 5)
            label_w = pdf.get_string_width(label)
            pdf.set_xy(right - label_w, flow.y)
            pdf.cell(label_w, SUB_H - 1, label)
            pdf.set_fill_color(*colour)
            pdf.rect(right - label_w - 4.2, flow.y + (SUB_H - 1) / 2 - 1.4, 2.8, 2.8, style="F")
            right -= label_w + 8
    _style(pdf, SUB_SIZE, "B", MUTED)
    pdf.text_line(flow.x, flow.y, right - flow.x - 2, text, h=SUB_H - 1)
    flow.y += SUB_H
    _style(pdf, BODY)


def _say(flow: Flow, text: str, *, size: float = BODY, line_h: float = LINE_H, colour: RGB = INK, style: str = "",
         cap: int = 4, indent: float = 0.0) -> None:
    """A short paragraph, wrapped and flowing."""
    _style(flow.pdf, size, style, colour)
    lines, _ = wrap(flow.pdf, text, flow.width - indent, cap)
    flow.print_lines(lines, line_h=line_h, indent=indent)
    _style(flow.pdf, BODY)


def _empty(flow: Flow, heading: str, text: str) -> None:
    """A part without data: its heading and one muted line, never an empty chart."""
    _heading(flow, heading, LINE_H)
    _say(flow, text, colour=MUTED, cap=2)


# -- header and key figures ------------------------------------------------------------------------


def _header(flow: Flow, report: YearReport) -> None:
    pdf = flow.pdf
    _style(pdf, 9.5, "B", STRONG)
    pdf.text_line(MARGIN, flow.y, WIDTH, t("pdf.year.label"), h=5)
    flow.y += 5.5
    pdf.set_text_color(*INK)
    pdf.shrink_to_fit(report.council_name, WIDTH, family=SANS, style="B", size=21, smallest=13)
    flow.print_lines(pdf.lines(report.council_name, WIDTH, 2), line_h=9.5)
    _style(pdf, 10.5, "B")
    meta = t("pdf.year.meta", neighbourhood=report.neighbourhood, municipality=report.municipality,
             school_year=report.school_year)
    flow.print_lines(pdf.lines(meta, WIDTH, 2), line_h=5.4)
    _style(pdf, 10, "", MUTED)
    when = t("pdf.year.phase_date", phase=report.phase_label, date=report.date_text)
    flow.print_lines(pdf.lines(when, WIDTH, 2), line_h=5.0)
    pdf.set_fill_color(*STRONG)
    pdf.rect(MARGIN, flow.y + 2, WIDTH, 0.9, style="F")
    flow.y += 6
    _say(flow, t("pdf.year.intro"), size=9.5, line_h=4.7, colour=MUTED, cap=3)


def _figures(flow: Flow, report: YearReport) -> None:
    voted, sent = report.voted, bool(report.proposals)
    tiles = [
        (format_number(len(report.classes)), t("pdf.year.tile.classes")),
        (format_number(report.pupils), t("pdf.year.tile.pupils")),
        (format_number(report.plans_written), t("pdf.year.tile.plans")),
        (format_number(report.themes), t("pdf.year.tile.themes")),
        (format_number(report.ballots) if voted else NONE, t("pdf.year.tile.ballots")),
        (percent(report.turnout_pct) if voted and report.pupils else NONE, t("pdf.year.tile.turnout")),
        (format_number(report.proposal_count), t("pdf.year.tile.proposals")),
        (percent(report.share_answered_pct) if sent else NONE, t("pdf.year.tile.answered")),
        (percent(report.share_realised_pct) if sent else NONE, t("pdf.year.tile.realised")),
        (percent(report.share_fed_back_pct) if sent else NONE, t("pdf.year.tile.fed_back")),
    ]
    rows = [tiles[i : i + TILES_PER_ROW] for i in range(0, len(tiles), TILES_PER_ROW)]
    _heading(flow, t("pdf.year.heading.figures"), len(rows) * (TILE_H + TILE_GAP))
    pdf = flow.pdf
    tile_w = (flow.width - TILE_GAP * (TILES_PER_ROW - 1)) / TILES_PER_ROW
    for row in rows:
        flow.ensure(TILE_H)
        for i, (value, label) in enumerate(row):
            x = flow.x + i * (tile_w + TILE_GAP)
            pdf.set_fill_color(*TINT)
            pdf.rect(x, flow.y, tile_w, TILE_H, style="F")
            pdf.set_text_color(*STRONG)
            pdf.shrink_to_fit(value, tile_w - 4, family=SANS, style="B", size=17, smallest=9)
            pdf.text_line(x + 2, flow.y + 1.5, tile_w - 4, value, h=8, align="C")
            _style(pdf, 8, "", MUTED)
            pdf.text_lines(x + 2, flow.y + 10, tile_w - 4, label, max_lines=2, line_h=3.5, align="C")
        flow.y += TILE_H + TILE_GAP
    flow.y -= TILE_GAP
    _style(pdf, BODY)


# -- tables ----------------------------------------------------------------------------------------


def _number(pdf: KwrPDF, title: str, minimum: float, *, values: Sequence[str] = (),
            size: float = TABLE_FONT) -> Column:
    """A right-aligned column just wide enough for its (translated) title and its values."""
    pdf.set_font(SANS, "B", size)
    widths = [pdf.get_string_width(title), *(pdf.get_string_width(value) for value in values)]
    return Column(title, min(max(minimum, max(widths) + 3), WIDTH / 4), "R")


def _text_columns(pdf: KwrPDF, titles: Sequence[str], values: Sequence[Sequence[str]], width: float,
                  *, size: float = TABLE_FONT) -> list[Column]:
    """Text columns sharing `width`: each as wide as its longest value (or title) when they all fit;
    otherwise the widest are cut to one common width, so a long name never squeezes a short one.
    What is left over goes to the last one, next to the numbers."""

    def measure(text: str, style: str) -> float:
        pdf.set_font(SANS, style, size)
        return pdf.get_string_width(" ".join(pdf.normalize_text(_short(text, 120)).split()))

    natural = [max([measure(title, "B"), *(measure(v, "") for v in column)]) + 2.5
               for title, column in zip(titles, values, strict=True)]
    if sum(natural) > width:
        lo, hi = 0.0, width
        for _ in range(40):  # the common cap c with sum(min(n, c)) == width
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if sum(min(n, mid) for n in natural) <= width else (lo, mid)
        natural = [min(n, lo) for n in natural]
    natural[-1] += width - sum(natural)
    return [Column(title, w) for title, w in zip(titles, natural, strict=True)]


def _table(flow: Flow, columns: Sequence[Column], rows: Sequence[TableRow], *, size: float = TABLE_FONT) -> None:
    flow.ensure(TABLE_ROW * min(len(rows) + 1, 3))
    flow.y = draw_table(flow.pdf, columns, rows, x=flow.x, y=flow.y, row_h=TABLE_ROW, font_size=size,
                        bottom=flow.bottom)
    _style(flow.pdf, BODY)


def _lessons(flow: Flow, report: YearReport) -> None:
    heading = t("pdf.year.heading.lessons")
    if not report.classes:
        _empty(flow, heading, t("pdf.year.no_classes"))
        return
    pdf = flow.pdf
    numbers = [_number(pdf, t("pdf.year.col.pupils"), 20), _number(pdf, t("pdf.year.col.lessons"), 24),
               _number(pdf, t("pdf.year.col.plans"), 18)]
    texts = _text_columns(pdf, [t("pdf.year.col.school"), t("pdf.year.col.class")],
                          [[c.school for c in report.classes], [c.label for c in report.classes]],
                          flow.width - sum(c.width for c in numbers))
    columns = [*texts, *numbers]
    rows = [TableRow([c.school, c.label, format_number(c.pupils), format_number(c.lessons_given),
                      format_number(c.plans)]) for c in report.classes]
    if len(report.classes) > 1:
        rows.append(TableRow([t("pdf.year.total"), "", format_number(sum(c.pupils for c in report.classes)),
                              format_number(sum(c.lessons_given for c in report.classes)),
                              format_number(sum(c.plans for c in report.classes))], bold=True))
    _heading(flow, heading, TABLE_ROW * 3)
    _table(flow, columns, rows)


# -- the vote --------------------------------------------------------------------------------------


def _vote(flow: Flow, report: YearReport) -> None:
    heading = t("pdf.year.heading.vote")
    if not report.voted:
        _empty(flow, heading, t("pdf.year.no_vote"))
        return
    pdf = flow.pdf
    _style(pdf, 11, "B")
    title = pdf.lines(report.poll_title, flow.width, 2)
    _heading(flow, heading, NOTE_H + len(title) * 5.6 + LINE_H)
    _style(pdf, NOTE_SIZE, "B", MUTED)
    flow.print_lines([pdf.fit(t("pdf.year.poll"), flow.width)], line_h=NOTE_H)
    _style(pdf, 11, "B")
    flow.print_lines(title, line_h=5.6)
    if report.pupils:
        _say(flow, t("pdf.year.turnout_line", ballots=t("count.ballots", count=report.ballots),
                     pupils=t("count.pupils", count=report.pupils), turnout=percent(report.turnout_pct)), cap=2)
    _theme_chart(flow, report.theme_bars)
    if report.classes:
        several = len({" ".join(c.school.split()) for c in report.classes}) > 1
        meters = [
            _Meter(f"{c.label} · {c.school}" if several else c.label, c.turnout_pct / 100, _turnout_text(c))
            for c in report.classes
        ]
        _subheading(flow, t("pdf.year.chart.turnout"), _together(flow, len(meters) * METER_ROW))
        _meters(flow, meters, label_w=flow.width * 0.4)
    if report.schools:
        pdf = flow.pdf
        numbers = [_number(pdf, t("pdf.year.col.classes"), 18), _number(pdf, t("pdf.year.col.pupils"), 20),
                   _number(pdf, t("pdf.year.col.ballots"), 18), _number(pdf, t("pdf.year.col.turnout"), 18)]
        columns = [Column(t("pdf.year.col.school"), flow.width - sum(c.width for c in numbers)), *numbers]
        rows = [TableRow([s.name, format_number(s.classes), format_number(s.pupils), format_number(s.ballots),
                          percent(s.turnout_pct) if s.pupils else NONE]) for s in report.schools]
        if len(report.schools) > 1:
            pupils, ballots = sum(s.pupils for s in report.schools), sum(s.ballots for s in report.schools)
            rows.append(TableRow([t("pdf.year.total"), format_number(sum(s.classes for s in report.schools)),
                                  format_number(pupils), format_number(ballots),
                                  percent(100 * ballots / pupils) if pupils else NONE], bold=True))
        _subheading(flow, t("pdf.year.table.schools"), TABLE_ROW * 3)
        _table(flow, columns, rows)


def _turnout_text(c: ClassFigures) -> str:
    if not c.pupils:
        return NONE
    share = t("pdf.year.of", part=format_number(c.ballots), whole=format_number(c.pupils))
    return f"{percent(c.turnout_pct)} ({share})"


def _theme_chart(flow: Flow, bars: Sequence[Bar]) -> None:
    """The vote's result per theme with draw_bar_chart (its numbers printed beside the bars). Rows
    shrink so a long list fits one page; past that the weakest themes are counted in a line."""
    if not bars:
        _subheading(flow, t("pdf.year.chart.themes"), LINE_H)
        _say(flow, t("pdf.year.no_results"), colour=MUTED, cap=2)
        return
    page_h = flow.bottom - flow.top - SUB_H - NOTE_H - 3
    row_h = 6.0 if len(bars) <= 16 else max(MIN_BAR_ROW, min(6.0, page_h / len(bars)))
    room = int(page_h / row_h)
    shown, hidden = list(bars), 0
    if len(bars) > room:
        keep = set(sorted(range(len(bars)), key=lambda i: (not bars[i].strong, -bars[i].value))[:room])
        shown = [bar for i, bar in enumerate(bars) if i in keep]
        hidden = len(bars) - len(shown)
    chart_h = row_h * len(shown) + (NOTE_H if hidden else 0)
    _subheading(flow, t("pdf.year.chart.themes"), chart_h, legend=True)
    flow.y = draw_bar_chart(flow.pdf, shown, x=flow.x, y=flow.y, width=flow.width, row_h=row_h,
                            label_w=flow.width * 0.4, font_size=CHART_FONT)
    if hidden:
        _say(flow, t("pdf.year.more_themes", count=hidden), size=NOTE_SIZE, line_h=NOTE_H, colour=MUTED, cap=1)
    _style(flow.pdf, BODY)


def _together(flow: Flow, height: float) -> float:
    """How much of a `height` mm block to keep with its caption: all of it when it fits on one page
    (a short chart is not split), else its first rows."""
    return height if height <= flow.bottom - flow.top - SUB_H - 3 else 3 * METER_ROW


def _meters(flow: Flow, meters: Sequence[_Meter], *, label_w: float, row_h: float = METER_ROW) -> None:
    """Horizontal bars against a fixed whole: a light track is the 100 %, the strong part the share;
    label left, value right, both as text. Flows row by row over pages (the scale is fixed, so a
    chart split over two pages still compares)."""
    pdf = flow.pdf
    pdf.set_font(SANS, "B", CHART_FONT)
    value_w = min(max(pdf.get_string_width(pdf.normalize_text(m.value)) for m in meters) + 3, flow.width * 0.3)
    bar_x = flow.x + label_w + 2
    span = max(flow.width - label_w - 2 - value_w - 1.5, 10)
    thickness = row_h * 0.62
    for meter in meters:
        if flow.y + row_h > flow.bottom + 0.01:
            flow.new_page()
        top = flow.y
        _style(pdf, CHART_FONT)
        pdf.text_line(flow.x, top, label_w, meter.label, h=row_h, align="R")
        bar_y = top + (row_h - thickness) / 2
        pdf.set_fill_color(*TRACK)
        pdf.rect(bar_x, bar_y, span, thickness, style="F")
        length = span * min(max(meter.fraction, 0.0), 1.0)
        if length > 0:
            pdf.set_fill_color(*STRONG)
            pdf.rect(bar_x, bar_y, length, thickness, style="F")
        pdf.set_font(SANS, "B", CHART_FONT)
        pdf.text_line(bar_x + span + 1.5, top, value_w, meter.value, h=row_h)
        flow.y += row_h
    _style(pdf, BODY)


# -- proposals and answers -------------------------------------------------------------------------


def _days(days: int | None) -> str:
    if days is None:
        return NONE
    return t("pdf.year.days", count=days)


def _proposals(flow: Flow, report: YearReport) -> None:
    heading = t("pdf.year.heading.proposals")
    if not report.proposals:
        _empty(flow, heading, t("pdf.year.no_proposals"))
        return
    pdf = flow.pdf
    waits = [_days(p.days_waiting) for p in report.proposals]
    days = _number(pdf, t("pdf.year.col.days"), 16, values=waits, size=PROPOSAL_FONT)
    texts = _text_columns(
        pdf, [t("pdf.year.col.proposal"), t("pdf.year.col.organisation"), t("pdf.year.col.status")],
        [[p.proposal for p in report.proposals], [p.organisation for p in report.proposals],
         [p.status_label for p in report.proposals]],
        flow.width - days.width, size=PROPOSAL_FONT,
    )
    rows = [TableRow([p.proposal, p.organisation, p.status_label, wait])
            for p, wait in zip(report.proposals, waits, strict=True)]
    _heading(flow, heading, TABLE_ROW * 3)
    _table(flow, [*texts, days], rows, size=PROPOSAL_FONT)
    meters = [
        _Meter(t("pdf.year.share.answered"), report.share_answered_pct / 100, percent(report.share_answered_pct)),
        _Meter(t("pdf.year.share.realised"), report.share_realised_pct / 100, percent(report.share_realised_pct)),
        _Meter(t("pdf.year.share.fed_back"), report.share_fed_back_pct / 100, percent(report.share_fed_back_pct)),
    ]
    _subheading(flow, t("pdf.year.chart.shares"), len(meters) * METER_ROW + 2 * NOTE_H)
    _meters(flow, meters, label_w=flow.width * 0.4)
    flow.y += 1.5
    _say(flow, t("pdf.year.shares_note"), size=NOTE_SIZE, line_h=NOTE_H, colour=MUTED, cap=3)


# -- participation (Lundy) -------------------------------------------------------------------------


def _participation(flow: Flow, report: YearReport) -> None:
    heading = t("pdf.year.heading.participation")
    if not report.self_check:
        _empty(flow, heading, t("pdf.year.no_self_check"))
        return
    pdf = flow.pdf
    meters = [
        _Meter(d.dimension_label, d.yes / d.questions if d.questions else 0.0,
               t("pdf.year.of", part=format_number(d.yes), whole=format_number(d.questions)))
        for d in report.self_check
    ]
    _heading(flow, heading, 2 * 4.7 + _together(flow, len(meters) * METER_ROW))
    _say(flow, t("pdf.year.lundy_intro"), size=9.5, line_h=4.7, colour=MUTED, cap=3)
    flow.y += 1.5
    _meters(flow, meters, label_w=flow.width * 0.3)
    missing = [d for d in report.self_check if any(m.strip() for m in d.missing)]
    if not missing:
        flow.gap(2)
        _say(flow, t("pdf.year.all_done"), cap=2)
        return
    _subheading(flow, t("pdf.year.missing"), 2 * LINE_H)
    for d in missing:
        _style(pdf, 9.5, "B")
        name = pdf.lines(d.dimension_label, flow.width, 1)
        flow.ensure(len(name) * LINE_H + LINE_H)
        flow.print_lines(name, line_h=LINE_H)
        for point in d.missing:
            if not point.strip():
                continue
            _style(pdf, 9.5)
            lines, _ = wrap(pdf, point, flow.width - 9, CAP_MISSING)
            flow.ensure(LINE_H * len(lines))  # a point (at most CAP_MISSING lines) is never split
            pdf.set_xy(flow.x + 3, flow.y)
            pdf.cell(4, LINE_H, "•")
            flow.print_lines(lines, line_h=LINE_H, indent=9)
        flow.y += 1.5
    _style(pdf, BODY)
