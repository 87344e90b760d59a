"""The bigger-text and high-contrast switch at the top of every children's page.

Two switches ("Grote letters", "Hoog contrast"): each a Streamlit toggle, which a screen reader
announces as a switch that is on or off, with its whole label as a 48 px target. What they choose
is applied to the page at once (ui/style.py `apply_display_mode`) and kept for the tablet under
its token (services/display.py), so a reload, the next step and the vote on Stemmen keep it. A page
without a tablet token (the join form, a card vote on a tablet that did not join, the booth before
pairing) keeps the choice for the session; the first page with a token then stores it for that
tablet. In the booth the mode is the booth tablet's: the next child finds it as the last one left
it, and the teacher switches it back with the same switch. The switch shows nothing about a vote.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.services import display
from kinderwijkraad.services.display import NORMAL, Display
from kinderwijkraad.ui import state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import guarded
from kinderwijkraad.ui.style import DISPLAY_SWITCH_KEY, apply_display_mode

SWITCHES = ("large_text", "high_contrast")


def _widget_key(switch: str) -> str:
    return f"display.{switch}"


def current_mode(token: str | None) -> Display:
    """The mode of this tablet: stored for its token, else this session's choice, else normal. A
    session choice made before the tablet had a token (the join form) is stored for it now."""
    stored = display.display_preference(engine(), token)
    chosen: Display | None = st.session_state.get(state.DISPLAY_MODE)
    if stored is None and chosen is not None and chosen != NORMAL and token:
        stored = display.set_display_preference(engine(), token=token, large_text=chosen.large_text,
                                                high_contrast=chosen.high_contrast)
    mode = stored or chosen or NORMAL
    st.session_state[state.DISPLAY_MODE] = mode
    return mode


@guarded  # a widget callback runs outside the page run
def _switch(token: str | None, switch: str) -> None:
    state.use_session_language()
    value = bool(st.session_state.get(_widget_key(switch)))
    mode = st.session_state.get(state.DISPLAY_MODE) or NORMAL
    stored = display.set_display_preference(engine(), token=token, **{switch: value})
    st.session_state[state.DISPLAY_MODE] = stored or replace(mode, **{switch: value})


def display_switch(token: str | None) -> Display:
    """Draw the two switches and apply the tablet's mode to the page; the mode."""
    mode = current_mode(token)
    with st.container(key=DISPLAY_SWITCH_KEY):  # side by side, the mode's style inside (ui/style.py)
        for switch in SWITCHES:
            st.session_state[_widget_key(switch)] = getattr(mode, switch)  # before the widget: never stale
            st.toggle(t(f"display.{switch}"), key=_widget_key(switch), on_change=_switch, args=(token, switch))
        apply_display_mode(large_text=mode.large_text, high_contrast=mode.high_contrast)
    return mode
