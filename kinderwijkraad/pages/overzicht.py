"""Overzicht: where every wijk's school year stands, in numbers — for a facilitator their wijken,
for the national team all wijken (counts only). Every chart has its numbers in a table under it,
every table a CSV download. One wijk's school year opens in detail, with its participation
self-check and its year report for the partners."""

from functools import partial

import streamlit as st

from kinderwijkraad.charts import (
    LATE_COLOUR,
    OTHER_COLOUR,
    SERIES_COLOURS,
    TOP_COLOUR,
    bar_chart,
    column_chart,
    grouped_columns,
    result_bars,
    turnout_bars,
)
from kinderwijkraad.i18n import format_date, format_percent, t
from kinderwijkraad.models import Phase, Role
from kinderwijkraad.services import dashboards, self_check, year_report
from kinderwijkraad.services.dashboards import CycleDashboard, Overview
from kinderwijkraad.services.self_check import QUESTIONS, SELF_CHECK
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.dashboard import chart, percent, percent_columns, table
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time, plain

actor = auth.require(*navigation.DASHBOARD.roles)
PHASES = list(Phase)
PER_WIJK_BARS = 25  # more cycles than this: turnout as a distribution instead of a bar per wijk


def pct_text(value: float | None) -> str:
    return "—" if value is None else format_percent(value / 100)


st.title(t("page.dashboard"))
state.show_flash()

choices = dashboards.filter_choices(engine(), actor=actor)
if not choices.school_years:
    st.info(t("dashboard.no_cycles"))
    st.stop()
year_column, wijk_column = st.columns(2)
# "" and 0 stand for every school year and every wijk (a None option would show a clear button).
year = year_column.selectbox(t("dashboard.filter.year"), ["", *choices.school_years], index=1,
                             format_func=lambda y: y or t("dashboard.all_years"), key="dashboard.year",
                             placeholder=t("dashboard.pick")) or None
wijk_names = dict(choices.neighbourhoods)
wijk_id = wijk_column.selectbox(t("dashboard.filter.wijk"), [0, *wijk_names],
                                format_func=lambda i: wijk_names.get(i, t("dashboard.all_wijken")),
                                key="dashboard.wijk", placeholder=t("dashboard.pick")) or None
history = dashboards.overview(engine(), actor=actor, neighbourhood_id=wijk_id)  # every year: the trend needs them
shown = history.of_year(year)
national = actor.role == Role.ADMIN and wijk_id is None
st.caption(t("dashboard.intro.national" if national else "dashboard.intro.mine"))
file_part = (year or "alle-jaren") + ("" if wijk_id is None else f"-wijk-{wijk_id}")


# --- across wijken ---------------------------------------------------------------------------------


def _metrics(overview: Overview) -> None:
    counts = overview.totals
    first = st.columns(4)
    first[0].metric(t("dashboard.metric.wijken"), len({row.neighbourhood_id for row in overview.rows}))
    first[1].metric(t("dashboard.metric.classes"), counts.classes)
    first[2].metric(t("dashboard.metric.plans"), counts.plans)
    first[3].metric(t("dashboard.metric.turnout"), pct_text(counts.turnout_pct),
                    help=t("dashboard.metric.turnout_help"))
    second = st.columns(4)
    second[0].metric(t("dashboard.metric.plans_answered"), pct_text(counts.plans_answered_pct),
                     help=t("dashboard.metric.plans_answered_help"))
    second[1].metric(t("dashboard.metric.plans_realised"), pct_text(counts.plans_realised_pct),
                     help=t("dashboard.metric.plans_realised_help"))
    second[2].metric(t("dashboard.metric.classes_fed_back"), pct_text(counts.classes_fed_back_pct),
                     help=t("dashboard.metric.classes_fed_back_help"))
    second[3].metric(t("dashboard.metric.waiting"), counts.waiting,
                     help=t("dashboard.metric.waiting_help", overdue=counts.overdue))


def _cycle_table(overview: Overview) -> None:
    header = [t("dashboard.col.wijk"), t("dashboard.col.municipality"), t("dashboard.col.year"),
              t("dashboard.col.phase"), t("dashboard.col.step"), t("dashboard.col.classes"),
              t("dashboard.col.lessons_given"), t("dashboard.col.lessons_planned"), t("dashboard.col.plans"),
              t("dashboard.col.themes"), t("dashboard.col.turnout"), t("dashboard.col.proposals"),
              t("dashboard.col.sent"), t("dashboard.col.answered"), t("dashboard.col.realised"),
              t("dashboard.col.waiting"), t("dashboard.col.overdue"), t("dashboard.col.longest_wait"),
              t("dashboard.col.plans_answered"), t("dashboard.col.plans_realised"),
              t("dashboard.col.classes_fed_back"), t("dashboard.col.self_check")]
    rows = []
    for row in overview.rows:
        c = row.counts
        rows.append([row.neighbourhood, row.municipality, row.school_year, label("phase", row.phase), row.phase_step,
                     c.classes, c.lessons_given, c.lessons_planned, c.plans, c.themes, percent(c.turnout_pct),
                     c.proposals, c.sent, c.answered, c.realised, c.waiting, c.overdue, c.longest_wait_days,
                     percent(c.plans_answered_pct), percent(c.plans_realised_pct), percent(c.classes_fed_back_pct),
                     percent(c.self_check_pct)])
    config = percent_columns(header[10], *header[18:])
    config[header[4]] = st.column_config.ProgressColumn(header[4], min_value=0, max_value=len(PHASES), format="%d/7")
    table(header, rows, key="dashboard.cycles", file_name=f"overzicht-{file_part}.csv", column_config=config,
          height=min(420, 38 + 35 * max(len(rows), 1)))


def _phases(overview: Overview) -> None:
    st.subheader(t("dashboard.phases.heading"))
    counted = overview.phases()
    names = [label("phase", phase) for phase in counted]
    chart(column_chart(names, list(counted.values())), key="dashboard.phases", title=t("dashboard.phases.heading"))
    table([t("dashboard.col.phase"), t("dashboard.col.cycles")], list(zip(names, counted.values(), strict=True)),
          key="dashboard.phases", file_name=f"fasen-{file_part}.csv")


TURNOUT_BUCKETS = [(low, low + 10) for low in range(0, 100, 10)]


def _turnout(overview: Overview) -> None:
    st.subheader(t("dashboard.turnout.heading"))
    voted = [row for row in overview.rows if row.counts.votes]
    if not voted:
        st.info(t("dashboard.turnout.none"))
        return
    if len(voted) <= PER_WIJK_BARS:
        names = [f"{row.neighbourhood} {row.school_year}" if year is None else row.neighbourhood for row in voted]
        shares = [row.counts.turnout_pct for row in voted]
        chart(bar_chart(names, shares, percent=True), key="dashboard.turnout", title=t("dashboard.turnout.heading"))
        table([t("dashboard.col.wijk"), t("dashboard.col.year"), t("dashboard.col.ballots"), t("dashboard.col.pupils"),
               t("dashboard.col.turnout")],
              [[row.neighbourhood, row.school_year, row.counts.ballots, row.counts.pupils_voting,
                percent(row.counts.turnout_pct)] for row in voted],
              key="dashboard.turnout", file_name=f"opkomst-{file_part}.csv",
              column_config=percent_columns(t("dashboard.col.turnout")))
        return
    st.caption(t("dashboard.turnout.distribution"))
    buckets = [0] * len(TURNOUT_BUCKETS)
    for row in voted:
        buckets[min(int((row.counts.turnout_pct or 0) // 10), len(TURNOUT_BUCKETS) - 1)] += 1
    names = [f"{low}–{high}%" for low, high in TURNOUT_BUCKETS]
    chart(column_chart(names, buckets), key="dashboard.turnout", title=t("dashboard.turnout.heading"))
    table([t("dashboard.col.turnout_band"), t("dashboard.col.cycles")], list(zip(names, buckets, strict=True)),
          key="dashboard.turnout", file_name=f"opkomst-{file_part}.csv")


def _trend(overview: Overview) -> None:
    st.subheader(t("dashboard.trend.heading"))
    st.caption(t("dashboard.trend.caption"))
    years = overview.by_year()
    labels = [y.school_year for y in years]
    series = [(t("dashboard.col.plans_answered"), [y.counts.plans_answered_pct for y in years]),
              (t("dashboard.col.plans_realised"), [y.counts.plans_realised_pct for y in years]),
              (t("dashboard.col.classes_fed_back"), [y.counts.classes_fed_back_pct for y in years])]
    chart(grouped_columns(labels, series), key="dashboard.trend", title=t("dashboard.trend.heading"))
    header = [t("dashboard.col.year"), t("dashboard.col.cycles"), t("dashboard.col.plans"),
              t("dashboard.col.turnout"), *(name for name, _ in series)]
    table(header, [[y.school_year, y.counts.cycles, y.counts.plans, percent(y.counts.turnout_pct),
                    percent(y.counts.plans_answered_pct), percent(y.counts.plans_realised_pct),
                    percent(y.counts.classes_fed_back_pct)] for y in years],
          key="dashboard.trend", file_name=f"verloop-{'alle-wijken' if wijk_id is None else wijk_id}.csv",
          column_config=percent_columns(*header[3:]))


def _recipients(overview: Overview) -> None:
    st.subheader(t("dashboard.recipients.heading"))
    c = overview.totals
    if not c.sent:
        st.info(t("dashboard.recipients.none"))
        return
    names = [t("dashboard.status.waiting"), t("dashboard.status.overdue"), t("dashboard.status.answered"),
             t("dashboard.status.realised")]
    values = [c.waiting - c.overdue, c.overdue, c.answered - c.realised, c.realised]
    chart(bar_chart(names, values, colours=[SERIES_COLOURS[2], LATE_COLOUR, SERIES_COLOURS[1], TOP_COLOUR]),
          key="dashboard.recipients", title=t("dashboard.recipients.heading"))
    table([t("dashboard.col.status"), t("dashboard.col.recipients")], list(zip(names, values, strict=True)),
          key="dashboard.recipients", file_name=f"voorstellen-{file_part}.csv")
    if c.longest_wait_days is not None:
        st.caption(t("dashboard.recipients.longest", count=c.longest_wait_days))


# --- one wijk's school year --------------------------------------------------------------------------


def _cycle_metrics(board: CycleDashboard) -> None:
    figures, c = board.figures, board.figures.counts
    step = figures.phase_step
    st.progress(step / len(PHASES), text=t("home.phase", phase=label("phase", figures.phase), step=step,
                                          steps=len(PHASES)))
    columns = st.columns(4)
    columns[0].metric(t("dashboard.metric.lessons"), f"{c.lessons_given} / {c.lessons_planned}")
    columns[1].metric(t("dashboard.metric.plans_themes"), f"{c.plans} / {c.themes}")
    columns[2].metric(t("dashboard.metric.turnout"), pct_text(c.turnout_pct), help=t("dashboard.metric.turnout_help"))
    columns[3].metric(t("dashboard.metric.fed_back"), f"{c.classes_fed_back} / {c.classes_with_plans}",
                      help=t("dashboard.metric.classes_fed_back_help"))


def _classes(board: CycleDashboard, key: str) -> None:
    st.subheader(t("dashboard.classes.heading"))
    if not board.classes:
        st.info(t("dashboard.classes.none"))
        return
    names = [f"{row.school} · {row.label}" for row in board.classes]
    chart(bar_chart(names, [row.lessons_given for row in board.classes], maximum=board.lessons_in_series),
          key=f"{key}.lessons", title=t("dashboard.classes.heading"))
    header = [t("dashboard.col.school"), t("dashboard.col.class"), t("dashboard.col.pupils"),
              t("dashboard.col.lessons_given"), t("dashboard.col.plans"), t("dashboard.col.plans_answered_n"),
              t("dashboard.col.plans_realised_n"), t("dashboard.col.last_shared"), t("dashboard.col.fed_back")]
    table(header, [[row.school, row.label, row.pupils, row.lessons_given, row.plans, row.plans_answered,
                    row.plans_realised, local_time(row.last_shared_at) if row.last_shared_at else "",
                    row.fed_back] for row in board.classes],
          key=f"{key}.classes", file_name=f"klassen-{key.rsplit('.', 1)[-1]}.csv")

    st.subheader(t("dashboard.class_turnout.heading"))
    if not board.figures.counts.votes:
        st.info(t("dashboard.turnout.no_vote"))
        return
    # turnout_bars draws the first class at the bottom; reversed, the chart reads like the table.
    chart(turnout_bars(names[::-1], [row.ballots for row in board.classes][::-1],
                       [row.pupils for row in board.classes][::-1]),
          key=f"{key}.turnout", title=t("dashboard.class_turnout.heading"))
    turnout_header = [t("dashboard.col.school"), t("dashboard.col.class"), t("dashboard.col.ballots"),
                      t("dashboard.col.pupils"), t("dashboard.col.turnout")]
    table(turnout_header, [[row.school, row.label, row.ballots, row.pupils, percent(row.turnout_pct)]
                           for row in board.classes],
          key=f"{key}.class_turnout", file_name=f"opkomst-klassen-{key.rsplit('.', 1)[-1]}.csv",
          column_config=percent_columns(turnout_header[-1]))
    school_header = [t("dashboard.col.school"), t("dashboard.col.classes"), t("dashboard.col.pupils"),
                     t("dashboard.col.plans"), t("dashboard.col.ballots"), t("dashboard.col.turnout")]
    table(school_header, [[row.name, row.classes, row.pupils, row.plans, row.ballots, percent(row.turnout_pct)]
                          for row in board.schools],
          key=f"{key}.schools", file_name=f"opkomst-scholen-{key.rsplit('.', 1)[-1]}.csv",
          column_config=percent_columns(school_header[-1]))


def _themes(board: CycleDashboard, key: str) -> None:
    st.subheader(t("dashboard.themes.heading"))
    if not board.themes:
        st.info(t("dashboard.themes.none"))
        return
    voted = [row for row in board.themes if row.score is not None]
    if voted:
        st.caption(t("dashboard.themes.vote", poll=plain(board.poll_title)))
        chart(result_bars([row.name for row in voted], [row.score for row in voted], [row.in_top for row in voted]),
              key=f"{key}.themes", title=t("dashboard.themes.heading"))
    table([t("dashboard.col.theme"), t("dashboard.col.plans"), t("dashboard.col.score"), t("dashboard.col.place")],
          [[row.name, row.plans, row.score, row.place] for row in board.themes],
          key=f"{key}.themes", file_name=f"themas-{key.rsplit('.', 1)[-1]}.csv")


def _proposals(board: CycleDashboard, key: str) -> None:
    st.subheader(t("dashboard.proposals.heading"))
    if not board.recipients:
        st.info(t("dashboard.proposals.none"))
        return
    waiting = [line for line in board.recipients if line.days_waiting is not None]
    if waiting:
        st.caption(t("dashboard.proposals.waiting_caption"))
        chart(bar_chart([f"{line.proposal} → {line.organisation}" for line in waiting],
                        [line.days_waiting for line in waiting],
                        colours=[LATE_COLOUR if line.overdue else SERIES_COLOURS[2] for line in waiting]),
              key=f"{key}.waiting", title=t("dashboard.proposals.heading"))
    header = [t("dashboard.col.proposal"), t("dashboard.col.organisation"), t("dashboard.col.status"),
              t("dashboard.col.reply_by"), t("dashboard.col.days_waiting"), t("dashboard.col.overdue_flag")]
    rows = []
    for line in board.recipients:
        status = label("recipient_status", line.status)
        if line.decision:
            status += f": {label('decision', line.decision)}"
        rows.append([line.proposal, line.organisation, status,
                     format_date(line.reply_by, "short") if line.reply_by else "", line.days_waiting, line.overdue])
    table(header, rows, key=f"{key}.recipients", file_name=f"voorstellen-{key.rsplit('.', 1)[-1]}.csv")


def _self_check(board: CycleDashboard, key: str) -> None:
    st.subheader(t("dashboard.selfcheck.heading"))
    check = board.self_check
    st.caption(t("dashboard.selfcheck.intro"))
    names = [t(f"selfcheck.dimension.{d.dimension}") for d in check.dimensions]
    if check.updated_at is None:
        st.info(t("dashboard.selfcheck.not_yet"))
    else:
        st.markdown(t("dashboard.selfcheck.score", yes=check.yes, questions=check.questions))
        chart(bar_chart(names, [d.yes for d in check.dimensions], maximum=len(next(iter(SELF_CHECK.values()))),
                        colours=[TOP_COLOUR if d.yes == d.questions else OTHER_COLOUR for d in check.dimensions]),
              key=f"{key}.selfcheck", title=t("dashboard.selfcheck.heading"))
        table([t("dashboard.col.dimension"), t("dashboard.col.yes"), t("dashboard.col.questions"),
               t("dashboard.col.missing")],
              [[name, d.yes, d.questions, "; ".join(t(f"selfcheck.q.{q}") for q in d.missing)]
               for name, d in zip(names, check.dimensions, strict=True)],
              key=f"{key}.selfcheck", file_name=f"zelfcheck-{key.rsplit('.', 1)[-1]}.csv")
        missing = [(name, d) for name, d in zip(names, check.dimensions, strict=True) if d.missing]
        if missing:
            st.markdown(f"**{t('dashboard.selfcheck.missing')}**")
            st.markdown("\n".join(f"- **{name}:** {t(f'selfcheck.q.{q}')}" for name, d in missing for q in d.missing))
        st.caption(t("dashboard.selfcheck.updated", at=local_time(check.updated_at), by=plain(check.updated_by)))
    with st.expander(t("dashboard.selfcheck.fill_in"), icon=":material/checklist:",
                     expanded=check.updated_at is None):
        with st.form(f"{key}.selfcheck_form"):
            answers = {}
            for dimension, name in zip(SELF_CHECK, names, strict=True):
                st.markdown(f"**{name}** — {t(f'selfcheck.dimension_help.{dimension}')}")
                for question in (q for q in QUESTIONS if q.startswith(f"{dimension}.")):
                    answers[question] = st.checkbox(t(f"selfcheck.q.{question}"), value=check.answers[question],
                                                    key=f"{key}.q.{question}")
            if st.form_submit_button(t("dashboard.selfcheck.save"), type="primary"):
                with shows_errors():
                    self_check.save_self_check(engine(), actor=actor, cycle_id=board.figures.cycle_id,
                                               answers=answers)
                    state.flash(t("dashboard.selfcheck.saved"))
                    st.rerun()


def _year_report(board: CycleDashboard, key: str) -> None:
    st.subheader(t("dashboard.report.heading"))
    st.caption(t("dashboard.report.caption"))
    st.download_button(t("dashboard.report.download"),
                       audit_ui.logged_export(actor, "year_report", partial(
                           year_report.year_report_pdf, engine(), actor=actor, cycle_id=board.figures.cycle_id),
                           cycle_id=board.figures.cycle_id),
                       file_name=year_report.year_report_file_name(board.figures), mime="application/pdf",
                       key=f"{key}.report", on_click="ignore", icon=":material/picture_as_pdf:")


def _one_cycle(overview: Overview) -> None:
    st.header(t("dashboard.cycle.heading"))
    if not overview.rows:
        st.info(t("dashboard.none_for_filter"))
        return
    by_id = {row.cycle_id: row for row in overview.rows}
    cycle_id = st.selectbox(t("dashboard.cycle.choose"), list(by_id),
                            format_func=lambda i: f"{by_id[i].neighbourhood} · {by_id[i].school_year}",
                            key="dashboard.cycle", placeholder=t("dashboard.pick"))
    with shows_errors():
        board = dashboards.cycle_dashboard(engine(), actor=actor, cycle_id=cycle_id)
        key = f"dashboard.cycle.{cycle_id}"
        _cycle_metrics(board)
        _classes(board, key)
        _themes(board, key)
        _proposals(board, key)
        _self_check(board, key)
        _year_report(board, key)


if not shown.rows:
    st.info(t("dashboard.none_for_filter"))
else:
    _metrics(shown)
    st.header(t("dashboard.cycles.heading"))
    _cycle_table(shown)
    _phases(shown)
    _turnout(shown)
    _recipients(shown)
_trend(history)
if national:
    # The national view promises counts only: one wijk's classes, themes and proposals (titles,
    # per-class rows) open once the admin picks that wijk above.
    st.info(t("dashboard.pick_wijk_for_details"), icon=":material/location_city:")
else:
    _one_cycle(shown)
