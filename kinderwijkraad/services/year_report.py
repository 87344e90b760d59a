"""The year report for the partners: a cycle's figures as its dashboard shows them (the same
numbers), put together for `exports/year_report.py` and rendered as PDF.
"""

from __future__ import annotations

from sqlalchemy import Engine

from kinderwijkraad.exports.pdf import Bar
from kinderwijkraad.exports.year_report import (
    ClassFigures,
    RecipientFigures,
    SchoolFigures,
    SelfCheckFigures,
    YearReport,
    render_year_report_pdf,
)
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.services.common import Actor
from kinderwijkraad.services.dashboards import CycleFigures, RecipientLine, cycle_dashboard
from kinderwijkraad.services.proposals import today


def _status_label(line: RecipientLine) -> str:
    text = t(f"recipient_status.{line.status.value}")
    if line.decision:
        text += f": {t(f'decision.{line.decision}')}"
    return text


def year_report(engine: Engine, *, actor: Actor, cycle_id: int) -> YearReport:
    """The cycle's figures for the partners: the same numbers as its dashboard."""
    board = cycle_dashboard(engine, actor=actor, cycle_id=cycle_id)
    figures, counts = board.figures, board.figures.counts
    return YearReport(
        council_name=t("council.name", wijk=figures.neighbourhood), neighbourhood=figures.neighbourhood,
        municipality=figures.municipality, school_year=figures.school_year,
        phase_label=t(f"phase.{figures.phase.value}"), date_text=format_date(today()),
        classes=[ClassFigures(c.label, c.school, c.pupils, c.lessons_given, c.plans, c.ballots)
                 for c in board.classes],
        schools=[SchoolFigures(s.name, s.classes, s.pupils, s.ballots) for s in board.schools],
        plans_written=counts.plans, themes=counts.themes, poll_title=board.poll_title,
        theme_bars=[Bar(row.name, row.score, row.in_top) for row in board.themes if row.score is not None],
        proposals=[RecipientFigures(line.proposal, line.organisation, _status_label(line), line.days_waiting)
                   for line in board.recipients],
        share_answered_pct=counts.answered_pct or 0.0, share_realised_pct=counts.realised_pct or 0.0,
        share_fed_back_pct=counts.classes_fed_back_pct or 0.0,
        self_check=[SelfCheckFigures(t(f"selfcheck.dimension.{d.dimension}"), d.yes, d.questions,
                                     [t(f"selfcheck.q.{key}") for key in d.missing])
                    for d in board.self_check.dimensions] if board.self_check.updated_at else [],
    )


def year_report_pdf(engine: Engine, *, actor: Actor, cycle_id: int) -> bytes:
    return render_year_report_pdf(year_report(engine, actor=actor, cycle_id=cycle_id))


def year_report_file_name(figures: CycleFigures) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in figures.neighbourhood.casefold()).strip("-")
    return f"jaarverslag-{slug or 'wijk'}-{figures.school_year}.pdf"
