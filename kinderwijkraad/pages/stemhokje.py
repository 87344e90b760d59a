"""Stemhokje: one shared tablet in the voting booth, one child at a time.

The tablet is paired once with the code the teacher's screen shows and keeps its token in the
address (`?hokje=...`), so a reload stays paired. It waits, locked, until the teacher unlocks it
for the next voter from their own device; the child votes; the tablet thanks them, shows the
receipt, clears and locks again. Nothing of one child's ballot stays on screen for the next.
"""

import time

import streamlit as st

from kinderwijkraad.errors import InvalidInput, KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.models import PollStatus
from kinderwijkraad.services import ballots
from kinderwijkraad.ui import auth, errors, speech, state
from kinderwijkraad.ui.ballot import ballot, forget, receipt_panel
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.display import display_switch
from kinderwijkraad.ui.errors import error_text, shows_errors
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.style import apply_tablet_style

BOOTH_PARAM = "hokje"
RECEIPT_SECONDS = 30


def _pair_form() -> None:
    st.title(t("booth.title"))
    st.markdown(t("booth.pair_intro"))
    with st.form("booth.pair_form"):
        code = st.text_input(t("booth.pair_code"), key="booth.pair_input", placeholder="ABC123")
        if st.form_submit_button(t("booth.pair"), type="primary", width="stretch"):
            with shows_errors():
                st.query_params[BOOTH_PARAM] = ballots.pair_booth(engine(), code=code, client=auth.client_address())
                st.rerun()


def _vote(token: str, poll_id: int, choices: list[int]) -> None:
    try:
        receipt = ballots.cast_in_booth(engine(), token=token, choices=choices)
        st.session_state[state.BOOTH_RECEIPT] = (receipt, time.monotonic())
    except InvalidInput as error:
        st.session_state[state.VOTE_ERROR] = error_text(error)
        return
    except KwrError as error:  # locked meanwhile, or the poll closed
        st.session_state[state.VOTE_ERROR] = error_text(error)
    forget(poll_id)


def _done() -> None:
    st.session_state[state.BOOTH_RECEIPT] = None


@errors.fragment(run_every=2)
def _thanks(token: str) -> None:
    """The receipt, until the child taps "Klaar", RECEIPT_SECONDS pass, or the teacher already
    unlocks the next voter — the next child never sees it."""
    receipt, shown_at = st.session_state[state.BOOTH_RECEIPT]
    screen = ballots.booth_screen(engine(), token)
    if screen is None or screen.unlocked or time.monotonic() - shown_at > RECEIPT_SECONDS:
        _done()
        st.rerun()
    receipt_panel(receipt)
    if st.button(t("vote.done"), key="booth.done", type="primary", width="stretch"):
        _done()
        st.rerun()


@errors.fragment(run_every=1)
def _wait_for_unlock(token: str) -> None:
    """Locked: check once a second whether the teacher unlocked the booth."""
    screen = ballots.booth_screen(engine(), token)
    if screen is None or screen.unlocked:
        st.rerun()
    st.markdown(f"# :material/lock: {t('booth.locked')}")
    speech.said(f"### {t('booth.wait')}", t("booth.wait"))
    st.caption(plain(f"{screen.poll.title} · {screen.class_label}"))


apply_tablet_style()
st.session_state.setdefault(state.BOOTH_RECEIPT, None)
st.session_state.setdefault(state.VOTE_ERROR, None)
token = st.query_params.get(BOOTH_PARAM)
screen = ballots.booth_screen(engine(), token)
display_switch(token if screen else None)  # the booth tablet's mode: the teacher can switch it back

if screen is None:
    _pair_form()
elif st.session_state[state.BOOTH_RECEIPT]:
    _thanks(token)
else:
    message = st.session_state[state.VOTE_ERROR]
    if message:
        speech.message("error", message, icon=":material/error:")
        st.session_state[state.VOTE_ERROR] = None
    if screen.unlocked and screen.poll.status == PollStatus.OPEN:
        ballot(screen.poll, on_vote=lambda choices: _vote(token, screen.poll.id, choices))
    else:
        _wait_for_unlock(token)
