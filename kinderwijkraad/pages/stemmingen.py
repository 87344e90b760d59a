"""Stemmingen: set up a secret vote, run it in the classes (cards, booth, paper), close it and
show the results — for facilitators (wijk-wide polls) and teachers (their class's vote).

While a poll is open this page shows turnout only, never counts.
"""

from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from kinderwijkraad.charts import result_bars, turnout_bars
from kinderwijkraad.exports.tables import results_csv
from kinderwijkraad.exports.voting import ballot_papers_pdf, results_pdf, voting_cards_pdf
from kinderwijkraad.i18n import t
from kinderwijkraad.models import BallotKind, OptionSubject, Role
from kinderwijkraad.services import ballots, polls
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, state
from kinderwijkraad.ui.counting import method_comparison
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import AMSTERDAM, label, local_time, plain
from kinderwijkraad.ui.lesson import join_url

actor = auth.require(Role.ADMIN, Role.FACILITATOR, Role.TEACHER)


def _app_base() -> str:
    """This server's address, for the QR codes on the cards (join_url knows how to find it)."""
    return join_url("").rsplit("/meedoen", 1)[0]


# --- a new poll ------------------------------------------------------------------------------


def _new_poll_form() -> None:
    scopes = polls.poll_scopes(engine(), actor=actor)
    if not scopes:
        st.info(t("polls.no_scope"))
        return
    scope = st.selectbox(t("polls.scope"), scopes, format_func=lambda s: s.label, key="polls.new.scope")
    title = st.text_input(t("field.title"), max_chars=120, key="polls.new.title",
                          placeholder=t("polls.title_placeholder"))
    question = st.text_input(t("field.question"), max_chars=300, key="polls.new.question",
                             placeholder=t("polls.question_placeholder"))
    left, right = st.columns(2)
    subject = left.radio(t("polls.subject"), list(OptionSubject), format_func=lambda s: label("subject", s),
                         key="polls.new.subject", horizontal=True)
    kind = right.selectbox(t("polls.ballot_kind"), list(BallotKind), format_func=lambda k: label("ballot_kind", k),
                           key="polls.new.kind")
    methods = polls.valid_methods(kind)
    method = left.selectbox(t("polls.method"), methods, format_func=lambda m: t(f"method.{m.value}", k="k"),
                            key=f"polls.new.method.{kind.value}")
    settings: dict = {}
    if kind in (BallotKind.APPROVAL, BallotKind.RANKING):
        settings["max_choices"] = right.number_input(t("polls.max_choices"), 1, 12, 3, key="polls.new.k")
    if kind == BallotKind.DOTS:
        settings["dots_total"] = right.number_input(t("polls.dots_total"), 1, 20, 5, key="polls.new.n")
        settings["dots_per_option"] = right.number_input(t("polls.dots_per_option"), 1, 20, 3, key="polls.new.m")
    allow_blank = st.checkbox(t("polls.allow_blank"), key="polls.new.blank")
    block_own = st.checkbox(t("polls.block_own_plan"), key="polls.new.own", disabled=subject != OptionSubject.PLANS,
                            help=t("polls.block_own_plan_help"))
    if st.button(t("polls.create"), type="primary", key="polls.new.create"):
        with shows_errors():
            poll_id = polls.create_poll(
                engine(), actor=actor, cycle_id=scope.cycle_id, classroom_id=scope.classroom_id, title=title,
                question=question, subject=subject, ballot_kind=kind, method=method, allow_blank=allow_blank,
                block_own_plan=block_own and subject == OptionSubject.PLANS, **settings)
            st.session_state[state.POLL_SELECTED] = poll_id
            state.flash(t("polls.created"))
            st.rerun()


# --- a draft: options and opening -------------------------------------------------------------


def _draft(poll: polls.PollView) -> None:
    candidates = dict(polls.option_candidates(engine(), actor=actor, poll_id=poll.id))
    current = [key for key, text in candidates.items() if text in {o.label for o in poll.options}]
    chosen = st.multiselect(t("polls.options"), list(candidates), default=current, format_func=candidates.get,
                            key=f"polls.options.{poll.id}", max_selections=polls.MAX_OPTIONS)
    if st.button(t("polls.save_options"), key=f"polls.save_options.{poll.id}"):
        with shows_errors():
            settings = {name: getattr(poll, name) for name in (
                "title", "question", "subject", "ballot_kind", "method", "max_choices", "dots_total",
                "dots_per_option", "allow_blank", "block_own_plan")}
            polls.update_poll(engine(), actor=actor, poll_id=poll.id, option_keys=chosen, **settings)
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
            st.session_state[state.POLL_SELECTED] = None
            st.rerun()


# --- an open poll: turnout, cards, booth, paper ---------------------------------------------------


@st.fragment(run_every=3)
def _turnout(poll_id: int) -> None:
    rows = polls.turnout(engine(), actor=actor, poll_id=poll_id)
    st.caption(t("polls.turnout_only"))
    table = pd.DataFrame({t("results.class"): [r.label for r in rows], t("turnout.voted"): [r.ballots for r in rows],
                          t("turnout.pupils"): [r.pupils for r in rows]})
    chart, numbers = st.columns([3, 2])
    chart.plotly_chart(turnout_bars([r.label for r in rows], [r.ballots for r in rows], [r.pupils for r in rows]),
                       config={"displayModeBar": False}, key=f"polls.turnout_chart.{poll_id}")
    numbers.dataframe(table, hide_index=True)
    st.metric(t("turnout.total"), f"{sum(r.ballots for r in rows)} / {sum(r.pupils for r in rows)}")


def _classroom_picker(poll: polls.PollView, key: str) -> polls.Turnout | None:
    rows = polls.turnout(engine(), actor=actor, poll_id=poll.id)
    if not rows:
        return None
    return st.selectbox(t("results.class"), rows, format_func=lambda r: r.label, key=key)


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
    if st.button(t("cards.make") if not counts else t("cards.make_again"), key=f"polls.cards_make.{poll.id}",
                 help=t("cards.make_again_help") if counts else None):
        with shows_errors():
            sheet = ballots.issue_cards(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id,
                                        count=int(number), base_url=_app_base())
            st.session_state[download_key] = voting_cards_pdf(sheet)
            audit_ui.note_export(actor, "voting_cards", subject_id=poll.id)
    if st.session_state.get(download_key):
        st.warning(t("cards.download_now"), icon=":material/print:")
        st.download_button(t("cards.download"), st.session_state[download_key], file_name="stemkaarten.pdf",
                           mime="application/pdf", type="primary", key=f"polls.cards_download.{poll.id}",
                           icon=":material/download:")


def _booth(poll: polls.PollView) -> None:
    st.markdown(t("booth.explained"))
    classroom = _classroom_picker(poll, f"polls.booth_class.{poll.id}")
    if classroom is None:
        return
    with shows_errors():
        booth = ballots.booth_for(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id)
        _booth_panel(booth.id)


@st.fragment(run_every=2)
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
    if st.button(t("booth.repair"), key=f"polls.booth_repair.{booth_id}", help=t("booth.repair_help")):
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
        paper = ballots.ballot_paper(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id)
        st.download_button(t("paper.download"), ballot_papers_pdf(paper), file_name="stembiljetten.pdf",
                           mime="application/pdf", key=f"polls.paper_download.{poll.id}", icon=":material/download:")
    stored = ballots.paper_entry(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id)
    papers0, counts0 = stored or (0, {})
    with st.form(f"polls.paper_form.{poll.id}.{classroom.classroom_id}"):
        papers = st.number_input(t("paper.papers"), 0, classroom.pupils, papers0)
        counts = {o.id: st.number_input(plain(o.label), 0, 400, counts0.get(o.id, 0), key=f"paper.{poll.id}.{o.id}")
                  for o in poll.options}
        if st.form_submit_button(t("paper.save"), type="primary"):
            with shows_errors():
                ballots.enter_paper(engine(), actor=actor, poll_id=poll.id, classroom_id=classroom.classroom_id,
                                    papers=int(papers), counts={k: int(v) for k, v in counts.items()})
                state.flash(t("paper.saved", papers=int(papers)))
                st.rerun()
    if stored:
        st.caption(t("paper.stored", papers=papers0))


# --- a closed poll: results -------------------------------------------------------------------


def _score_table(scope: polls.ScopeResult) -> pd.DataFrame:
    return pd.DataFrame({
        t("results.place"): [r.place for r in scope.rows],
        t("results.option"): [r.label for r in scope.rows],
        t("results.electronic"): [r.electronic for r in scope.rows],
        t("results.paper"): [r.paper for r in scope.rows],
        t("results.total"): [r.total for r in scope.rows],
        t("results.top3"): ["★" if r.top else "" for r in scope.rows],
    })


def _scope(outcome: polls.PollResults, scope: polls.ScopeResult, key: str) -> None:
    if not scope.shown:
        st.info(t("results.too_few", n=scope.ballots, min=polls.MIN_BALLOTS_SHOWN))
        return
    chart, table = st.columns([1, 1])
    chart.plotly_chart(result_bars([r.label for r in scope.rows], [r.total for r in scope.rows],
                                   [r.top for r in scope.rows], paper=[r.paper for r in scope.rows]),
                       config={"displayModeBar": False}, key=f"polls.result_chart.{key}")
    table.dataframe(_score_table(scope), hide_index=True)
    report = polls.results_report(outcome, scope, closed_at_text=local_time(outcome.poll.closed_at))
    left, right = st.columns(2)
    pdf = audit_ui.logged_export(actor, "results_pdf", partial(results_pdf, report), subject_id=outcome.poll.id)
    csv = audit_ui.logged_export(actor, "results_csv", partial(results_csv, report), subject_id=outcome.poll.id)
    left.download_button(t("results.download_pdf"), pdf, file_name="uitslag.pdf", on_click="ignore",
                         mime="application/pdf", key=f"polls.result_pdf.{key}", icon=":material/picture_as_pdf:")
    right.download_button(t("results.download_csv"), csv, on_click="ignore", file_name="uitslag.csv", mime="text/csv",
                          key=f"polls.result_csv.{key}", icon=":material/table:")


def _results(poll: polls.PollView, manageable: bool) -> None:
    outcome = polls.results(engine(), actor=actor, poll_id=poll.id)
    total = outcome.total
    st.markdown(f"### {t('results.top3_heading')}")
    columns = st.columns(3)
    for column, row in zip(columns, [r for r in total.rows if r.top][:3], strict=False):
        with column.container(border=True):
            st.caption(t("results.place_n", n=row.place))
            st.markdown(f"#### {plain(row.label)}")
            st.markdown(t("results.points", n=row.total))
    if outcome.tied_for_top:
        st.warning(t("results.tie_note", options=", ".join(plain(o) for o in outcome.tied_for_top)))
        if manageable and st.button(t("results.start_runoff"), key=f"polls.runoff.{poll.id}"):
            with shows_errors():
                st.session_state[state.POLL_SELECTED] = polls.start_runoff(engine(), actor=actor, poll_id=poll.id)
                st.rerun()
    st.caption(t("results.ballots_counted", n=total.ballots, method=t(f"method.{poll.method.value}",
                                                                      k=poll.max_choices)))
    _scope(outcome, total, f"{poll.id}.total")
    for school in outcome.schools:
        with st.expander(t("results.school", name=plain(school.label))):
            _scope(outcome, school, f"{poll.id}.school.{school.label}")
    for index, classroom in enumerate(outcome.classes):
        with st.expander(t("results.classroom", name=plain(classroom.label))):
            _scope(outcome, classroom, f"{poll.id}.class.{index}")
    st.markdown(f"#### {t('turnout.title')}")
    st.dataframe(pd.DataFrame({t("results.class"): [r.label for r in outcome.turnout],
                               t("turnout.voted"): [r.ballots for r in outcome.turnout],
                               t("turnout.pupils"): [r.pupils for r in outcome.turnout]}), hide_index=True)


def _receipts(poll: polls.PollView) -> None:
    codes = polls.receipt_codes(engine(), actor=actor, poll_id=poll.id)
    st.markdown(t("receipts.explained", n=len(codes)))
    if codes:
        st.markdown("  ".join(f"`{code}`" for code in codes))


# --- the page -------------------------------------------------------------------------------------

st.title(t("page.polls"))
state.show_flash()
summaries = polls.list_polls(engine(), actor=actor)
st.session_state.setdefault(state.POLL_SELECTED, summaries[0].id if summaries else None)
ids = [s.id for s in summaries]
if st.session_state[state.POLL_SELECTED] not in ids:
    st.session_state[state.POLL_SELECTED] = ids[0] if ids else None
names = {s.id: f"{s.title} · {s.scope_label} · {t(f'poll_status.{s.status}')}" for s in summaries}

picker, new = st.columns([2, 1], vertical_alignment="bottom")
if summaries:
    picker.selectbox(t("polls.pick"), ids, format_func=names.get, key=state.POLL_SELECTED)
with new.popover(t("polls.new"), icon=":material/add:", use_container_width=True):
    _new_poll_form()

if not summaries:
    st.info(t("polls.none_yet"))
    st.stop()

with shows_errors():
    poll = polls.poll_view(engine(), actor=actor, poll_id=st.session_state[state.POLL_SELECTED])
    manageable = next(s.manageable for s in summaries if s.id == poll.id)
    st.markdown(f"## {plain(poll.title)}")
    method_text = t(f"method.{poll.method.value}", k=poll.max_choices)
    st.caption(" · ".join([plain(poll.scope_label), t(f"poll_status.{poll.status}"),
                           label("ballot_kind", poll.ballot_kind), method_text]))
    if poll.status == "draft":
        if manageable:
            _draft(poll)
        else:
            st.info(t("polls.not_open_yet"))
    elif poll.status == "open":
        if poll.closed_at:
            st.caption(t("polls.closes_at", when=local_time(poll.closed_at)))
        turnout_tab, cards_tab, booth_tab, paper_tab = st.tabs(
            [t("polls.tab.turnout"), t("polls.tab.cards"), t("polls.tab.booth"), t("polls.tab.paper")])
        with turnout_tab:
            _turnout(poll.id)
            if manageable and st.button(t("polls.close"), type="primary", key=f"polls.close.{poll.id}",
                                        icon=":material/lock:"):
                with shows_errors():
                    polls.close_poll(engine(), actor=actor, poll_id=poll.id)
                    state.flash(t("polls.closed"))
                    st.rerun()
        with cards_tab:
            _cards(poll)
        with booth_tab:
            _booth(poll)
        with paper_tab:
            _paper(poll)
    else:
        results_tab, receipts_tab, compare_tab = st.tabs(
            [t("polls.tab.results"), t("polls.tab.receipts"), t("polls.tab.compare")])
        with results_tab:
            _results(poll, manageable)
        with receipts_tab:
            _receipts(poll)
        with compare_tab:
            method_comparison(poll, actor)

