"""Stemmingen: set up a secret vote, run it in the classes (cards, booth, paper), close it and
show the results — for facilitators (wijk-wide polls) and teachers (their class's vote).

While a poll is open this page shows turnout only, never counts.
"""

from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from kinderwijkraad.charts import result_bars, turnout_bars
from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.i18n import t
from kinderwijkraad.models import BallotKind, OptionSubject, PollStatus, Role
from kinderwijkraad.services import ballots, polls, results
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, errors, pictures, state
from kinderwijkraad.ui.counting import method_comparison
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time, plain
from kinderwijkraad.ui.links import app_root
from kinderwijkraad.ui.tabs import place_tabs

actor = auth.require(Role.ADMIN, Role.FACILITATOR, Role.TEACHER)
CHOOSE = t("streamlit.choose_option")  # a selectbox's placeholder, instead of Streamlit's English
POLL_PARAM = "stemming"  # the poll shown, in the address beside its tab: a reload or a link opens both
NEW_POLL_OPEN = "polls.new.open"  # the "Nieuwe stemming" popover: closed by the app once the poll is made


def _select_next(poll_id: int | None) -> None:
    """Show this poll after the rerun: the picker's value is set before the picker is drawn."""
    st.session_state[state.POLL_SELECT_NEXT] = poll_id


# --- a new poll ------------------------------------------------------------------------------


def _new_poll_form() -> None:
    scopes = polls.poll_scopes(engine(), actor=actor)
    if not scopes:
        st.info(t("polls.no_scope"))
        return
    scope = st.selectbox(t("polls.scope"), scopes, format_func=lambda s: s.label, key="polls.new.scope",
                         placeholder=CHOOSE)
    title = st.text_input(t("field.title"), key="polls.new.title", placeholder=t("polls.title_placeholder"))
    question = st.text_input(t("field.question"), key="polls.new.question",
                             placeholder=t("polls.question_placeholder"))
    left, right = st.columns(2)
    subject = left.radio(t("polls.subject"), list(OptionSubject), format_func=lambda s: label("subject", s),
                         key="polls.new.subject", horizontal=True)
    kind = right.selectbox(t("polls.ballot_kind"), list(BallotKind), format_func=lambda k: label("ballot_kind", k),
                           key="polls.new.kind", placeholder=CHOOSE)
    methods = polls.valid_methods(kind)
    method = left.selectbox(t("polls.method"), methods, format_func=lambda m: t(f"method.{m.value}", k="k"),
                            key=f"polls.new.method.{kind.value}", placeholder=CHOOSE)
    settings: dict = {}
    if kind in (BallotKind.APPROVAL, BallotKind.RANKING):
        settings["max_choices"] = right.number_input(t("polls.max_choices"), 1, 12, 3, key="polls.new.k")
    if kind == BallotKind.DOTS:
        settings["dots_total"] = right.number_input(t("polls.dots_total"), 1, 20, 5, key="polls.new.n")
        settings["dots_per_option"] = right.number_input(t("polls.dots_per_option"), 1, 20, 3, key="polls.new.m")
    allow_blank = st.checkbox(t("polls.allow_blank"), key="polls.new.blank")
    block_own = st.checkbox(t("polls.block_own_plan"), key="polls.new.own", disabled=subject != OptionSubject.PLANS)
    st.caption(t("polls.block_own_plan_help"))
    if st.button(t("polls.create"), type="primary", key="polls.new.create"):
        with shows_errors():
            poll_id = polls.create_poll(
                engine(), actor=actor, cycle_id=scope.cycle_id, classroom_id=scope.classroom_id, title=title,
                question=question, subject=subject, ballot_kind=kind, method=method, allow_blank=allow_blank,
                block_own_plan=block_own and subject == OptionSubject.PLANS, **settings)
            _select_next(poll_id)
            state.flash(t("polls.created"))
            st.rerun()


# --- a draft: options and opening -------------------------------------------------------------


def _draft(poll: polls.PollView) -> None:
    candidates = dict(polls.option_candidates(engine(), actor=actor, poll_id=poll.id))
    current = [o.key for o in poll.options if o.key in candidates]
    chosen = st.multiselect(t("polls.options"), list(candidates), default=current, format_func=candidates.get,
                            key=f"polls.options.{poll.id}", max_selections=polls.MAX_OPTIONS,
                            placeholder=t("streamlit.choose_options"))
    if st.button(t("polls.save_options"), key=f"polls.save_options.{poll.id}"):
        with shows_errors():
            polls.set_options(engine(), actor=actor, poll_id=poll.id, option_keys=chosen)
            state.flash(t("polls.options_saved"))
            st.rerun()
    st.divider()
    st.markdown(t("polls.open_explained"))
    plan_close = st.checkbox(t("polls.plan_close"), key=f"polls.plan_close.{poll.id}")
    closes_at = None
    if plan_close:
        day = st.date_input(t("polls.close_day"), key=f"polls.close_day.{poll.id}", format="DD-MM-YYYY")
        hour = st.time_input(t("polls.close_time"), key=f"polls.close_time.{poll.id}")
        closes_at = datetime.combine(day, hour, tzinfo=AMSTERDAM)
    left, right = st.columns(2)
    if left.button(t("polls.open"), type="primary", key=f"polls.open.{poll.id}", icon=":material/lock_open:"):
        with shows_errors():
            polls.open_poll(engine(), actor=actor, poll_id=poll.id, closes_at=closes_at)
            state.flash(t("polls.opened"))
            st.rerun()
    if right.button(t("polls.delete"), key=f"polls.delete.{poll.id}", icon=":material/delete:"):
        with shows_errors():
            polls.delete_draft(engine(), actor=actor, poll_id=poll.id)
            _select_next(None)
            st.rerun()


# --- an open poll: turnout, cards, booth, paper ---------------------------------------------------


@errors.fragment(run_every=3)
def _turnout(poll_id: int) -> None:
    rows = polls.turnout(engine(), actor=actor, poll_id=poll_id)
    st.caption(t("polls.turnout_only"))
    table = pd.DataFrame({t("results.class"): [r.label for r in rows], t("turnout.voted"): [r.ballots for r in rows],
                          t("turnout.pupils"): [r.pupils for r in rows]})
    # Chart above table, as with the results: beside each other the class names did not fit.
    st.plotly_chart(turnout_bars([r.label for r in rows], [r.ballots for r in rows], [r.pupils for r in rows]),
                    config={"displayModeBar": False}, key=f"polls.turnout_chart.{poll_id}")
    st.dataframe(table, hide_index=True)
    st.metric(t("turnout.total"), f"{sum(r.ballots for r in rows)} / {sum(r.pupils for r in rows)}")


def _classroom_picker(poll: polls.PollView, key: str) -> polls.Turnout | None:
    rows = polls.turnout(engine(), actor=actor, poll_id=poll.id)
    if not rows:
        return None
    return st.selectbox(t("results.class"), rows, format_func=lambda r: r.label, key=key, placeholder=CHOOSE)


def _cards(poll: polls.PollView) -> None:
    st.markdown(t("cards.explained"))
    classroom = _classroom_picker(poll, f"polls.cards_class.{poll.id}")
    if classroom is None:
        return
    counts = ballots.card_counts(engine(), actor=actor, poll_id=poll.id).get(classroom.classroom_id)
    if counts:
        st.caption(t("cards.counts", issued=counts.issued, used=counts.used))
    number = st.number_input(t("cards.how_many"), 1, ballots.MAX_PUPILS_PER_CARD_SHEET, classroom.pupils,
                             key=f"polls.cards_count.{poll.id}.{classroom.classroom_id}")
    download_key = f"{state.POLL_CARDS_PDF}.{poll.id}.{classroom.classroom_id}"
    if counts:
        st.caption(t("cards.make_again_help"))
    if st.button(t("cards.make") if not counts else t("cards.make_again"), key=f"polls.cards_make.{poll.id}"):
        with shows_errors():
            st.session_state[download_key] = ballots.issue_cards_pdf(
                engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id, count=int(number),
                base_url=app_root())
            audit_ui.note_export(actor, "voting_cards", subject_id=poll.id)
            st.rerun()  # the counts and the button above now speak of the new sheet
    if st.session_state.get(download_key):
        st.warning(t("cards.download_now"), icon=":material/print:")
        st.download_button(t("cards.download"), st.session_state[download_key], file_name="stemkaarten.pdf",
                           mime="application/pdf", type="primary", key=f"polls.cards_download.{poll.id}",
                           icon=":material/download:")


def _booth(poll: polls.PollView) -> None:
    st.markdown(t("booth.explained"))
    st.info(t("booth.headphones"), icon=":material/headphones:")
    classroom = _classroom_picker(poll, f"polls.booth_class.{poll.id}")
    if classroom is None:
        return
    with shows_errors():
        booth = ballots.booth_for(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id)
        _booth_panel(booth.id)


@errors.fragment(run_every=2)
def _booth_panel(booth_id: int) -> None:
    booth = ballots.booth_status(engine(), actor=actor, booth_id=booth_id)
    if not booth.paired:
        st.markdown(t("booth.pair_steps"))
        st.markdown(f"# `{booth.pair_code}`")
        return
    left, right = st.columns(2)
    left.metric(t("booth.voters"), f"{booth.voters} / {booth.present}")
    present = right.number_input(t("booth.present"), 0, 40, booth.present, key=f"polls.booth_present.{booth_id}")
    if present != booth.present:
        with shows_errors():
            ballots.set_booth(engine(), actor=actor, booth_id=booth_id, present=int(present))
    if booth.unlocked:
        st.success(t("booth.is_unlocked"), icon=":material/lock_open:")
        if st.button(t("booth.lock"), key=f"polls.booth_lock.{booth_id}"):
            with shows_errors():
                ballots.set_booth(engine(), actor=actor, booth_id=booth_id, unlocked=False)
                st.rerun(scope="fragment")
    else:
        st.info(t("booth.is_locked"), icon=":material/lock:")
        if st.button(t("booth.unlock"), type="primary", key=f"polls.booth_unlock.{booth_id}",
                     icon=":material/how_to_vote:"):
            with shows_errors():
                ballots.set_booth(engine(), actor=actor, booth_id=booth_id, unlocked=True)
                st.rerun(scope="fragment")
    st.caption(t("booth.repair_help"))
    if st.button(t("booth.repair"), key=f"polls.booth_repair.{booth_id}"):
        with shows_errors():
            ballots.repair_booth(engine(), actor=actor, booth_id=booth_id)
            st.rerun(scope="fragment")


def _paper(poll: polls.PollView) -> None:
    if poll.ballot_kind == BallotKind.RANKING:
        st.info(t("paper.not_for_ranking"))
        return
    st.markdown(t("paper.explained"))
    classroom = _classroom_picker(poll, f"polls.paper_class.{poll.id}")
    if classroom is None:
        return
    with shows_errors():
        papers = ballots.ballot_paper_pdf(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id)
        st.download_button(t("paper.download"), papers, file_name="stembiljetten.pdf",
                           mime="application/pdf", key=f"polls.paper_download.{poll.id}", icon=":material/download:")
    stored = ballots.paper_entry(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id)
    papers0, counts0 = stored or (0, {})
    where = f"{poll.id}.{classroom.classroom_id}"  # each class's count in widgets of its own
    with st.form(f"polls.paper_form.{where}"):
        papers = st.number_input(t("paper.papers"), 0, classroom.pupils, papers0, key=f"polls.paper_papers.{where}")
        counts = {o.id: st.number_input(plain(o.label), 0, 400, counts0.get(o.id, 0),
                                        key=f"polls.paper_count.{where}.{o.id}")
                  for o in poll.options}
        if st.form_submit_button(t("paper.save"), type="primary"):
            with shows_errors():
                ballots.enter_paper(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id,
                                    papers=int(papers), counts={k: int(v) for k, v in counts.items()})
                state.flash(t("paper.saved", count=int(papers)))
                st.rerun()
    if stored:
        st.caption(t("paper.stored", count=papers0))


# --- a closed poll: results -------------------------------------------------------------------


def _score_table(scope: results.ScopeResult) -> None:
    """The chart's numbers, narrow enough for a 1024 px screen beside the menu: the top 3 starred
    in the place column, and the split into tablet and paper only where some class voted on paper
    and publishing it gives no small class away (results.ScopeResult.split)."""
    place, option, total = t("results.place"), t("results.option"), t("results.total")
    data = {place: [f"{r.place} ★" if r.top else str(r.place) for r in scope.rows],
            option: [r.label for r in scope.rows]}
    numbers = [total]
    if scope.split and any(r.paper for r in scope.rows):
        data[t("results.tablet")] = [r.electronic for r in scope.rows]
        data[t("results.paper")] = [r.paper for r in scope.rows]
        numbers = [t("results.tablet"), t("results.paper"), total]
    data[total] = [r.total for r in scope.rows]
    config = {place: st.column_config.TextColumn(width=56),
              option: st.column_config.TextColumn(width=300),
              **{name: st.column_config.NumberColumn(width=64) for name in numbers}}
    st.dataframe(pd.DataFrame(data), hide_index=True, column_config=config)
    st.caption(t("results.star_top3"))


def _scope(outcome: results.PollResults, scope: results.ScopeResult, key: str) -> None:
    if not scope.shown:
        why = "results.hidden_by_difference" if scope.hidden_by_difference else "results.too_few"
        st.info(t(why, count=scope.ballots, min=results.MIN_BALLOTS_SHOWN), icon=":material/lock:")
        return
    # The chart above its table, not beside it: side by side, half a 1024 px screen is too narrow
    # for the table's columns.
    st.plotly_chart(result_bars([r.label for r in scope.rows], [r.total for r in scope.rows],
                                [r.top for r in scope.rows],
                                paper=[r.paper for r in scope.rows] if scope.split else None),
                    config={"displayModeBar": False}, key=f"polls.result_chart.{key}")
    _score_table(scope)
    if not scope.split:
        st.caption(t("results.split_hidden"))
    report = results.results_report(outcome, scope, closed_at_text=local_time(outcome.poll.closed_at))
    left, right = st.columns(2)
    pdf = audit_ui.logged_export(actor, "results_pdf", partial(results.results_pdf, report), subject_id=outcome.poll.id)
    csv = audit_ui.logged_export(actor, "results_csv", partial(results.results_csv, report), subject_id=outcome.poll.id)
    left.download_button(t("results.download_pdf"), pdf, file_name="uitslag.pdf", on_click="ignore",
                         mime="application/pdf", key=f"polls.result_pdf.{key}", icon=":material/picture_as_pdf:")
    right.download_button(t("results.download_csv"), csv, on_click="ignore", file_name="uitslag.csv", mime="text/csv",
                          key=f"polls.result_csv.{key}", icon=":material/table:")


def _results(poll: polls.PollView) -> None:
    outcome = results.results(engine(), actor=actor, poll_id=poll.id)
    total = outcome.total
    st.markdown(f"### {t('results.top3_heading')}")
    columns = st.columns(3)
    pictogram = {option.id: option.pictogram for option in poll.options}
    for column, row in zip(columns, [r for r in total.rows if r.top][:3], strict=False):
        with column.container(border=True):
            st.caption(t("results.place_n", n=row.place))
            pictures.show(pictogram.get(row.option_id), plain(row.label), prefix="#### ")
            st.markdown(t("results.points", count=row.total))
    if outcome.tied_for_top:
        st.warning(t("results.tie_note", options=", ".join(plain(o) for o in outcome.tied_for_top)))
        if poll.manageable and st.button(t("results.start_runoff"), key=f"polls.runoff.{poll.id}"):
            with shows_errors():
                _select_next(results.start_runoff(engine(), actor=actor, poll_id=poll.id))
                st.rerun()
    st.caption(t("results.ballots_counted", count=total.ballots, method=t(f"method.{poll.method.value}",
                                                                      k=poll.max_choices)))
    _scope(outcome, total, f"{poll.id}.total")
    for school in outcome.schools:
        with st.expander(t("results.school", name=plain(school.label))):
            _scope(outcome, school, f"{poll.id}.school.{school.label}")
    for classroom in outcome.classes:
        with st.expander(t("results.classroom", name=plain(classroom.label))):
            _scope(outcome, classroom, f"{poll.id}.class.{classroom.label}")
    st.markdown(f"#### {t('turnout.title')}")
    st.dataframe(pd.DataFrame({t("results.class"): [r.label for r in outcome.turnout],
                               t("turnout.voted"): [r.ballots for r in outcome.turnout],
                               t("turnout.pupils"): [r.pupils for r in outcome.turnout]}), hide_index=True)


def _receipts(poll: polls.PollView) -> None:
    codes = polls.receipt_codes(engine(), actor=actor, poll_id=poll.id)
    st.markdown(t("receipts.explained", count=len(codes)))
    if codes:
        st.markdown("  ".join(f"`{code}`" for code in codes))


# --- the page -------------------------------------------------------------------------------------

st.title(t("page.polls"))
state.show_flash()
summaries = polls.list_polls(engine(), actor=actor)
if state.POLL_SELECTED not in st.session_state:
    asked = st.query_params.get(POLL_PARAM, "")
    newest = summaries[0].id if summaries else None
    st.session_state[state.POLL_SELECTED] = int(asked) if asked.isascii() and asked.isdigit() else newest
if state.POLL_SELECT_NEXT in st.session_state:  # a poll just made, started or thrown away
    st.session_state[state.POLL_SELECTED] = st.session_state.pop(state.POLL_SELECT_NEXT)
    for key in ("polls.new.title", "polls.new.question"):  # the next new poll starts empty
        st.session_state.pop(key, None)
    st.session_state[NEW_POLL_OPEN] = False  # a popover stays open over the page until it is closed
ids = [s.id for s in summaries]
if st.session_state[state.POLL_SELECTED] not in ids:
    st.session_state[state.POLL_SELECTED] = ids[0] if ids else None
# This school year's polls come first; another year's say which year (a wijk poll's scope names it).
current_year = summaries[0].school_year if summaries else ""
names = {s.id: " · ".join([s.title, s.scope_label, *([] if s.school_year in (current_year, "")
                                                      or s.school_year in s.scope_label else [s.school_year]),
                           t(f"poll_status.{s.status}")]) for s in summaries}

picker, new = st.columns([2, 1], vertical_alignment="bottom")
if summaries:
    picker.selectbox(t("polls.pick"), ids, format_func=names.get, key=state.POLL_SELECTED, placeholder=CHOOSE)
    if st.query_params.get(POLL_PARAM) != str(st.session_state[state.POLL_SELECTED]):
        st.query_params[POLL_PARAM] = str(st.session_state[state.POLL_SELECTED])
with new.popover(t("polls.new"), icon=":material/add:", use_container_width=True, key=NEW_POLL_OPEN,
                 on_change="rerun"):
    _new_poll_form()

if not summaries:
    st.info(t("polls.none_yet"))
    st.stop()

with shows_errors():
    poll = polls.poll_view(engine(), actor=actor, poll_id=st.session_state[state.POLL_SELECTED])
    st.markdown(f"## {plain(poll.title)}")
    method_text = t(f"method.{poll.method.value}", k=poll.max_choices)
    st.caption(" · ".join([plain(poll.scope_label), t(f"poll_status.{poll.status}"),
                           label("ballot_kind", poll.ballot_kind), method_text]))
    if poll.status == PollStatus.DRAFT:
        if poll.manageable:
            _draft(poll)
        else:
            st.info(t("polls.not_open_yet"))
    elif poll.status == PollStatus.OPEN:
        if poll.closed_at:
            st.caption(t("polls.closes_at", when=local_time(poll.closed_at)))
        turnout_tab, cards_tab, booth_tab, paper_tab = place_tabs(
            "polls.tab", [t("polls.tab.turnout"), t("polls.tab.cards"), t("polls.tab.booth"), t("polls.tab.paper")])
        if turnout_tab.open:
            with turnout_tab:
                _turnout(poll.id)
                if poll.manageable and st.button(t("polls.close"), type="primary", key=f"polls.close.{poll.id}",
                                                 icon=":material/lock:"):
                    with shows_errors():
                        polls.close_poll(engine(), actor=actor, poll_id=poll.id)
                        state.flash(t("polls.closed"))
                        st.rerun()
        if cards_tab.open:
            with cards_tab:
                _cards(poll)
        if booth_tab.open:
            with booth_tab:
                _booth(poll)
        if paper_tab.open:
            with paper_tab:
                _paper(poll)
    else:
        results_tab, receipts_tab, compare_tab = place_tabs(
            "polls.results_tab", [t("polls.tab.results"), t("polls.tab.receipts"), t("polls.tab.compare")])
        if results_tab.open:
            with results_tab:
                _results(poll)
        if receipts_tab.open:
            with receipts_tab:
                _receipts(poll)
        if compare_tab.open:
            with compare_tab:
                method_comparison(poll, actor)

