"""The feedback sheet for one class: "Wat is er met jullie plannen gebeurd?", in words a child of
8 understands, big enough for the smartboard and fine on paper. Pure renderer over the frozen
`FeedbackSheet` a service assembles from the answers (the facilitator's child-language versions)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

from kinderwijkraad.exports.council import draw_bunting
from kinderwijkraad.exports.pdf import HIGHLIGHT, INK, MUTED, SANS, STRONG, WEAK, Flow, KwrPDF, wrap
from kinderwijkraad.i18n import t


@dataclass(frozen=True)
class FeedbackAnswer:
    organisation: str  # "Gemeente Utrecht"
    decision: str  # "accepted", "partly", "rejected" or "waiting" (no answer yet)
    decision_label: str  # translated, e.g. "Ja, het gaat gebeuren!"
    answer: str  # the answer in children's words
    next_step: str  # what happens next, in children's words


@dataclass(frozen=True)
class FeedbackPlan:
    title: str
    theme: str  # may be empty
    outcome: str  # e.g. "In de top-3 (plek 2)" or "Niet in de top-3"
    asked: str  # what the council asked; empty when the plan did not become a proposal
    answers: list[FeedbackAnswer] = field(default_factory=list)
    theme_picture: bytes | None = None  # the theme's pictogram (SVG) drawn before its name


@dataclass(frozen=True)
class FeedbackSheet:
    class_label: str
    school: str
    council_name: str
    school_year: str
    date_text: str
    plans: list[FeedbackPlan]
    closing: str  # a last word from the council, may be empty
    # Answers still without words for the children ("Gemeente: plan"): the sheet is not to be shared.
    waiting_for_words: tuple[str, ...] = ()


RGB = tuple[int, int, int]
# Dark enough for white text on screen; on grey paper the drawn symbol and the words tell them apart.
DECISION_COLOURS: dict[str, RGB] = {
    "accepted": (30, 120, 60),
    "partly": (176, 92, 0),
    "rejected": (168, 34, 46),
    "waiting": (84, 96, 112),
}

MARGIN = 15.0
TOP = 18.0  # below the running header
BOTTOM = 210.0 - 14.0
WIDTH = 297.0 - 2 * MARGIN
BODY = 16.0  # the smallest text a class reads from the smartboard
LINE_H = 7.4
PICTURE = 11.0  # mm, a theme's pictogram beside its chip
TITLE_SIZE = 24.0
TITLE_H = 10.5
ORG_SIZE = 18.0
ORG_H = 8.5
BADGE_W = 62.0
CARD_GAP = 6.0
CARD_PAD = 3.5
PLAN_GAP = 8.0
SHORT = 0.6 * (BOTTOM - TOP)  # two plans this short share a page when they fit
CAP_ASKED = 3
CAP_ANSWER = 5
CAP_NEXT = 3
WHITE: RGB = (255, 255, 255)


def render_feedback_sheet_pdf(sheet: FeedbackSheet) -> bytes:
    """A4 landscape in large type: a header with the class, school, council and date; then each
    plan on a page of its own (two on a page when both are short): title, theme and outcome,
    what was asked, and per answer the organisation, a coloured badge with a drawn symbol (check,
    half, cross or clock) and the decision, the answer and the next step. ValueError without
    plans: the service shows a message instead of an empty sheet."""
    if not sheet.plans:
        raise ValueError("a feedback sheet needs at least one plan")
    who = " · ".join(part for part in (sheet.class_label.strip(), sheet.school.strip()) if part)
    pdf = KwrPDF(title=t("pdf.feedback.doc_title", who=who), orientation="landscape", page_numbers=True)
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.running_header = ("", "")  # page 1 has the big header
    pdf.add_page()
    pdf.running_header = (who, t("pdf.feedback.title"))
    flow = Flow(pdf, x=MARGIN, width=WIDTH, top=TOP, bottom=BOTTOM)
    _header(flow, sheet, who)

    on_page, last_h = 0, 0.0
    for plan in sheet.plans:
        layout = _measure(pdf, plan)
        if on_page:
            pair = on_page == 1 and last_h <= SHORT and layout.height <= SHORT
            if pair and flow.room() >= PLAN_GAP + layout.height:
                flow.y += PLAN_GAP / 2
                pdf.set_draw_color(*WEAK)
                pdf.set_line_width(0.4)
                pdf.set_dash_pattern(dash=2, gap=2)
                pdf.line(MARGIN, flow.y, MARGIN + WIDTH, flow.y)
                pdf.set_dash_pattern()
                flow.y += PLAN_GAP / 2
            else:
                flow.new_page()
                on_page = 0
        elif flow.room() < layout.height and (layout.height <= flow.bottom - flow.top or flow.room() < layout.lead_h):
            flow.new_page()  # below the header on page 1: only what fits there, or a long plan's start
        _draw_plan(flow, plan, layout)
        on_page, last_h = on_page + 1, layout.height
    if sheet.closing.strip():
        _closing(flow, sheet.closing)
    if any(plan.theme_picture for plan in sheet.plans):
        _picture_credit(pdf)
    return pdf.render()


def _picture_credit(pdf: KwrPDF) -> None:
    """The pictograms' licence (CC BY-SA) asks for a credit: small, at the foot of the last page."""
    pdf.set_font(SANS, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.text_line(MARGIN, pdf.h - 10, WIDTH / 3, t("pictogram.credit"), h=5)
    pdf.set_text_color(*INK)


def _header(flow: Flow, sheet: FeedbackSheet, who: str) -> None:
    pdf = flow.pdf
    draw_bunting(pdf, MARGIN - 5, pdf.w - MARGIN + 5, 6, flag_w=9, sag=5)
    flow.y = 24
    pdf.set_text_color(*STRONG)
    pdf.set_font(SANS, "B", 30)
    flow.print_lines(pdf.lines(t("pdf.feedback.title"), WIDTH, 2), line_h=13)
    pdf.set_text_color(*INK)
    pdf.set_font(SANS, "B", 20)
    flow.print_lines(pdf.lines(who, WIDTH, 2), line_h=9)
    pdf.set_font(SANS, "", BODY)
    pdf.set_text_color(*MUTED)
    meta = " · ".join(
        part
        for part in (
            sheet.council_name.strip(),
            t("pdf.feedback.school_year", school_year=sheet.school_year) if sheet.school_year.strip() else "",
            sheet.date_text.strip(),
        )
        if part
    )
    flow.print_lines(pdf.lines(meta, WIDTH, 2), line_h=LINE_H)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*STRONG)
    pdf.rect(MARGIN, flow.y + 2, WIDTH, 0.9, style="F")
    flow.y += 8


# -- measuring, then drawing -----------------------------------------------------------------------


@dataclass
class _CardLayout:
    answer: FeedbackAnswer
    organisation: list[str]
    badge: list[str]
    text: list[str]
    text_cut: bool
    next_step: list[str]
    next_cut: bool
    height: float


@dataclass
class _PlanLayout:
    title: list[str]
    asked: list[str]
    asked_cut: bool
    cards: list[_CardLayout]
    head_h: float  # title, meta row and what was asked
    height: float

    @property
    def lead_h(self) -> float:
        """The head with the first answer: never split over two pages."""
        return self.head_h + (self.cards[0].height if self.cards else 0)


def _measure(pdf: KwrPDF, plan: FeedbackPlan) -> _PlanLayout:
    pdf.set_font(SANS, "B", TITLE_SIZE)
    title = pdf.lines(plan.title, WIDTH, 2) or ["–"]
    pdf.set_font(SANS, "", BODY)
    asked, asked_cut = wrap(pdf, plan.asked, WIDTH, CAP_ASKED)
    head_h = len(title) * TITLE_H + 1 + 10 + 2
    if asked:
        head_h += LINE_H + len(asked) * LINE_H + (LINE_H if asked_cut else 0) + 2
    cards = [_measure_card(pdf, answer) for answer in plan.answers]
    if not cards and asked:
        head_h += LINE_H + 2  # "no answer yet"
    height = head_h + sum(card.height + CARD_GAP for card in cards)
    return _PlanLayout(title, asked, asked_cut, cards, head_h, height)


def _measure_card(pdf: KwrPDF, answer: FeedbackAnswer) -> _CardLayout:
    content_w = WIDTH - BADGE_W - 3 * CARD_PAD
    pdf.set_font(SANS, "B", ORG_SIZE)
    organisation = pdf.lines(answer.organisation, content_w, 1) or ["–"]
    pdf.set_font(SANS, "B", BODY)
    badge = pdf.lines(answer.decision_label or _default_label(_kind(answer)), BADGE_W - 6, 3)
    pdf.set_font(SANS, "", BODY)
    text, text_cut = wrap(pdf, answer.answer or t("pdf.feedback.no_answer"), content_w, CAP_ANSWER)
    next_step, next_cut = wrap(pdf, answer.next_step, content_w - 0, CAP_NEXT)
    content_h = len(organisation) * ORG_H + 1
    content_h += (len(text) + text_cut) * LINE_H
    if next_step:
        content_h += 2 + LINE_H + (len(next_step) + next_cut) * LINE_H
    badge_h = 4 + 15 + 3 + len(badge) * LINE_H + 3
    height = max(content_h, badge_h) + 2 * CARD_PAD
    return _CardLayout(answer, organisation, badge, text, text_cut, next_step, next_cut, height)


def _kind(answer: FeedbackAnswer) -> str:
    return answer.decision if answer.decision in DECISION_COLOURS else "waiting"


def _default_label(kind: str) -> str:
    """The badge text when the service passed no label."""
    return {
        "accepted": t("pdf.feedback.decision.accepted"),
        "partly": t("pdf.feedback.decision.partly"),
        "rejected": t("pdf.feedback.decision.rejected"),
    }.get(kind) or t("pdf.feedback.decision.waiting")


def _draw_plan(flow: Flow, plan: FeedbackPlan, layout: _PlanLayout) -> None:
    pdf = flow.pdf
    pdf.set_font(SANS, "B", TITLE_SIZE)
    pdf.set_text_color(*INK)
    flow.print_lines(layout.title, line_h=TITLE_H)
    flow.y += 1
    _meta_row(flow, plan)
    flow.y += 2
    if layout.asked:
        pdf.set_font(SANS, "B", BODY)
        pdf.set_text_color(*STRONG)
        flow.print_lines([t("pdf.feedback.asked")], line_h=LINE_H)
        pdf.set_font(SANS, "", BODY)
        pdf.set_text_color(*INK)
        flow.print_lines(layout.asked, line_h=LINE_H)
        _cut_note(flow, layout.asked_cut)
        flow.y += 2
        if not layout.cards:
            pdf.set_font(SANS, "", BODY)
            pdf.set_text_color(*MUTED)
            flow.print_lines([t("pdf.feedback.no_answer")], line_h=LINE_H)
            pdf.set_text_color(*INK)
            flow.y += 2
    for card in layout.cards:
        if flow.y + card.height > flow.bottom + 0.01 and not flow.at_top:
            flow.new_page()
            pdf.set_font(SANS, "B", BODY)
            pdf.set_text_color(*MUTED)
            flow.print_lines([pdf.fit(t("pdf.feedback.continued", title=plan.title), WIDTH)], line_h=LINE_H)
            pdf.set_text_color(*INK)
            flow.y += 2
        _draw_card(flow, card)
        flow.y += CARD_GAP


def _cut_note(flow: Flow, cut: bool, indent: float = 0.0) -> None:
    if cut:
        flow.pdf.set_font(SANS, "", BODY)
        flow.pdf.set_text_color(*MUTED)
        flow.print_lines([t("pdf.feedback.cut")], line_h=LINE_H, indent=indent)
        flow.pdf.set_text_color(*INK)


def _meta_row(flow: Flow, plan: FeedbackPlan) -> None:
    """The theme as a chip, then the outcome in bold, on one line."""
    pdf = flow.pdf
    x = flow.x
    pdf.set_font(SANS, "", BODY)
    if plan.theme.strip() and plan.theme_picture:
        # Beside the name, never instead of it (services/pictograms.py).
        pdf.image(io.BytesIO(plan.theme_picture), x=x, y=flow.y - (PICTURE - 9) / 2, w=PICTURE, h=PICTURE)
        x += PICTURE + 2
    if plan.theme.strip():
        theme = pdf.fit(plan.theme, WIDTH * 0.45)
        chip_w = pdf.get_string_width(theme) + 8
        pdf.set_fill_color(*HIGHLIGHT)
        pdf.rect(x, flow.y, chip_w, 9, style="F", round_corners=True, corner_radius=3)
        pdf.set_text_color(*STRONG)
        pdf.set_xy(x + 4, flow.y)
        pdf.cell(chip_w - 8, 9, theme)
        x += chip_w + 5
    pdf.set_font(SANS, "B", BODY)
    pdf.set_text_color(*INK)
    pdf.text_line(x, flow.y, flow.x + flow.width - x, plan.outcome, h=9)
    flow.y += 10


def _draw_card(flow: Flow, card: _CardLayout) -> None:
    pdf = flow.pdf
    kind = _kind(card.answer)
    colour = DECISION_COLOURS[kind]
    top = flow.y
    pdf.set_draw_color(*WEAK)
    pdf.set_line_width(0.4)
    pdf.rect(flow.x, top, WIDTH, card.height, style="D", round_corners=True, corner_radius=3)

    bx, by = flow.x + CARD_PAD, top + CARD_PAD
    badge_h = card.height - 2 * CARD_PAD
    pdf.set_fill_color(*colour)
    pdf.rect(bx, by, BADGE_W, badge_h, style="F", round_corners=True, corner_radius=3)
    cx, cy = bx + BADGE_W / 2, by + 4 + 7.5
    pdf.set_fill_color(*WHITE)
    pdf.circle(cx, cy, 7.5, style="F")
    draw_symbol(pdf, kind, cx, cy, colour)
    pdf.set_font(SANS, "B", BODY)
    pdf.set_text_color(*WHITE)
    y = by + 4 + 15 + 3
    for line in card.badge:
        pdf.set_xy(bx + 3, y)
        pdf.cell(BADGE_W - 6, LINE_H, line, align="C")
        y += LINE_H

    x = bx + BADGE_W + CARD_PAD
    w = WIDTH - BADGE_W - 3 * CARD_PAD
    y = by
    pdf.set_text_color(*INK)
    pdf.set_font(SANS, "B", ORG_SIZE)
    for line in card.organisation:
        pdf.set_xy(x, y)
        pdf.cell(w, ORG_H, line)
        y += ORG_H
    y += 1
    pdf.set_font(SANS, "", BODY)
    for line in card.text:
        pdf.set_xy(x, y)
        pdf.cell(w, LINE_H, line)
        y += LINE_H
    y = _note(pdf, x, y, w, card.text_cut)
    if card.next_step:
        y += 2
        pdf.set_font(SANS, "B", BODY)
        pdf.set_text_color(*STRONG)
        pdf.set_xy(x, y)
        pdf.cell(w, LINE_H, t("pdf.feedback.next_step"))
        y += LINE_H
        pdf.set_font(SANS, "", BODY)
        pdf.set_text_color(*INK)
        for line in card.next_step:
            pdf.set_xy(x, y)
            pdf.cell(w, LINE_H, line)
            y += LINE_H
        _note(pdf, x, y, w, card.next_cut)
    pdf.set_draw_color(*INK)
    pdf.set_text_color(*INK)
    flow.y = top + card.height


def _note(pdf: KwrPDF, x: float, y: float, w: float, cut: bool) -> float:
    if not cut:
        return y
    pdf.set_font(SANS, "", BODY)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(x, y)
    pdf.cell(w, LINE_H, t("pdf.feedback.cut"))
    pdf.set_text_color(*INK)
    return y + LINE_H


def draw_symbol(pdf: KwrPDF, kind: str, cx: float, cy: float, colour: RGB) -> None:
    """A check, a half-filled circle, a cross or a clock, centred on (cx, cy), about 10 mm wide:
    thick strokes that read on a smartboard and in grey print alike."""
    pdf.set_draw_color(*colour)
    pdf.set_fill_color(*colour)
    pdf.set_line_width(1.6)
    if kind == "accepted":
        pdf.polyline([(cx - 3.8, cy + 0.2), (cx - 1.2, cy + 3.0), (cx + 4.0, cy - 3.2)], style="D")
    elif kind == "rejected":
        pdf.line(cx - 3.2, cy - 3.2, cx + 3.2, cy + 3.2)
        pdf.line(cx - 3.2, cy + 3.2, cx + 3.2, cy - 3.2)
    elif kind == "partly":
        pdf.set_line_width(1.2)
        pdf.circle(cx, cy, 4.2, style="D")
        half = [(cx + 4.2 * math.cos(a), cy + 4.2 * math.sin(a)) for a in
                (math.radians(-90 + 180 * i / 24) for i in range(25))]
        pdf.polygon(half, style="F")
    else:  # waiting: a clock
        pdf.set_line_width(1.2)
        pdf.circle(cx, cy, 4.6, style="D")
        pdf.set_line_width(1.1)
        pdf.line(cx, cy, cx, cy - 3.0)
        pdf.line(cx, cy, cx + 2.3, cy + 0.8)
    pdf.set_draw_color(*INK)


def _closing(flow: Flow, closing: str) -> None:
    """The council's last word, in a tinted box; on the last page, or a page of its own."""
    pdf = flow.pdf
    pdf.set_font(SANS, "", BODY)
    lines, cut = wrap(pdf, closing, WIDTH - 12, 8)
    height = (len(lines) + cut) * LINE_H + 8
    flow.gap(PLAN_GAP)
    flow.ensure(height)
    pdf.set_fill_color(*HIGHLIGHT)
    pdf.rect(flow.x, flow.y, WIDTH, height, style="F", round_corners=True, corner_radius=3)
    pdf.set_fill_color(*STRONG)
    pdf.star(flow.x + 6, flow.y + 4 + LINE_H / 2, 1.3, 3.0, 5, rotate_degrees=180, style="F")
    flow.y += 4
    pdf.set_font(SANS, "", BODY)
    flow.print_lines(lines, line_h=LINE_H, indent=12)
    _cut_note(flow, cut, indent=12)
    flow.y += 4
