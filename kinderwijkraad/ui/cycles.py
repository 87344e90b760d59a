"""The "Wijk en schooljaar" choice at the top of the facilitator's pages."""

from __future__ import annotations

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.services import plans
from kinderwijkraad.services.common import Actor
from kinderwijkraad.ui.database import engine


def pick_cycle(actor: Actor, *, key: str, label_key: str = "themes.cycle", empty_key: str = "themes.no_cycles") -> int:
    """The cycle chosen among those the actor manages (newest school year first); the page stops
    with `empty_key` when there is none."""
    cycles = plans.managed_cycles(engine(), actor=actor)
    if not cycles:
        st.info(t(empty_key))
        st.stop()
    labels = {choice.id: choice.label for choice in cycles}
    return st.selectbox(t(label_key), list(labels), format_func=lambda i: labels.get(i, str(i)), key=key,
                        placeholder=t("themes.cycle_pick"))
