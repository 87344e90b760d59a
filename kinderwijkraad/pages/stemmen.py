"""Stemmen: a child votes with their voting card on any class tablet.

The card's QR code opens this page with the code in the address (`?kaart=...`); typing the code
works as well. The card is used only when the child taps "Stem!": until then nothing is stored.
Afterwards the tablet shows a receipt code and then clears itself for the next child.
"""

import streamlit as st

from kinderwijkraad.errors import InvalidInput, KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.services import ballots, polls
from kinderwijkraad.ui import auth, errors, speech, state
from kinderwijkraad.ui.ballot import ballot, forget, receipt_panel
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.display import display_switch
from kinderwijkraad.ui.errors import error_text
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.style import apply_tablet_style

CARD_PARAM = "kaart"
TABLET_PARAM = "tablet"  # a team tablet keeps its token in the address (see meedoen.py)
RECEIPT_OPEN = "vote.receipt_open"  # the "Bonnetje controleren" expander: open or folded


def _find_card(code: str) -> None:
    try:
        poll = ballots.card_poll(engine(), code=code, client=auth.client_address())
    except KwrError as error:
        st.session_state[state.VOTE_ERROR] = error_text(error)
        return
    st.session_state[state.VOTE_CARD] = ballots.normalise_card(code)
    st.session_state[state.VOTE_POLL] = poll


def _vote(choices: list[int]) -> None:
    state.use_session_language()
    poll = st.session_state[state.VOTE_POLL]
    try:
        receipt = ballots.cast_with_card(engine(), code=st.session_state[state.VOTE_CARD], choices=choices,
                                         device_token=st.query_params.get(TABLET_PARAM))
    except InvalidInput as error:  # the choices: the child fixes them on the same ballot
        st.session_state[state.VOTE_ERROR] = error_text(error)
        return
    except KwrError as error:  # the card or the poll: back to the start, with the reason
        _next_child()
        st.session_state[state.VOTE_ERROR] = error_text(error)
        forget(poll.id)
        return
    forget(poll.id)
    st.session_state[state.VOTE_CARD] = None
    st.session_state[state.VOTE_RECEIPT] = receipt


@errors.guarded  # a widget callback runs outside the page run
def _next_child() -> None:
    for key in (state.VOTE_CARD, state.VOTE_POLL, state.VOTE_RECEIPT, state.VOTE_ERROR):
        st.session_state[key] = None
    st.session_state[RECEIPT_OPEN] = False  # the next child starts with it folded
    st.query_params.pop(CARD_PARAM, None)


def _show_error() -> None:
    message = st.session_state.get(state.VOTE_ERROR)
    if message:
        speech.message("error", message, icon=":material/error:")
        st.session_state[state.VOTE_ERROR] = None


def _card_form() -> None:
    st.title(t("vote.title"))
    speech.said(t("vote.card_intro"), t("vote.card_intro"))
    _show_error()
    with st.form("vote.card_form"):
        code = st.text_input(t("vote.card_code"), key="vote.card_input", placeholder="ABCD-EF23")
        if st.form_submit_button(t("vote.next"), type="primary", width="stretch"):
            _find_card(code)
            st.rerun(scope="fragment")
    # Keyed and stateful: a message appearing or going above it (a wrong card code) must not fold
    # it, and with it the answer to the check.
    check = st.expander(t("vote.check_receipt"), key=RECEIPT_OPEN, on_change="rerun")
    if check.open:
        with check, st.form("vote.receipt_form"):
            receipt = st.text_input(t("vote.receipt_code"), key="vote.receipt_input", placeholder="ABCD-EF23")
            if st.form_submit_button(t("vote.check")):
                title = polls.check_receipt(engine(), code=receipt)
                if title:
                    speech.message("success", t("vote.receipt_counted", poll=plain(title)),
                                   spoken=t("vote.receipt_counted", poll=title))
                else:
                    speech.message("info", t("vote.receipt_not_found"))


def _receipt() -> None:
    receipt_panel(st.session_state[state.VOTE_RECEIPT])
    st.button(t("vote.done"), key="vote.done", type="primary", on_click=_next_child, width="stretch")


apply_tablet_style()
display_switch(st.query_params.get(TABLET_PARAM))  # bigger text, high contrast: the team tablet's
for key in (state.VOTE_CARD, state.VOTE_POLL, state.VOTE_RECEIPT, state.VOTE_ERROR):
    st.session_state.setdefault(key, None)

scanned = st.query_params.get(CARD_PARAM)
if scanned and not st.session_state[state.VOTE_CARD] and not st.session_state[state.VOTE_RECEIPT]:
    st.query_params.pop(CARD_PARAM, None)  # used once: the next child must not inherit it
    _find_card(scanned)

@errors.fragment
def _screen() -> None:
    """Card, ballot and receipt: a tap here reruns only this, not the app around it (the router,
    the login check, the menu) — a third less server time per tap (docs/performance.md)."""
    state.use_session_language()
    if st.session_state[state.VOTE_RECEIPT]:
        _receipt()
    elif st.session_state[state.VOTE_CARD]:
        current = st.session_state[state.VOTE_POLL]
        _show_error()
        device = st.query_params.get(TABLET_PARAM)
        team_id = ballots.team_of_device(engine(), device) if current.block_own_plan else None
        own = frozenset(o.id for o in current.options if team_id is not None and o.plan_team_id == team_id)
        st.caption(plain(f"{current.title} · {current.scope_label}"))
        ballot(current, on_vote=_vote, blocked=own)
        st.button(t("vote.cancel"), key="vote.cancel", on_click=_next_child)
    else:
        _card_form()


_screen()
