"""Tabs that behave like a place, not a decoration.

Streamlit 1.67's tabs are widgets: with a key they keep the open tab after a save or a message
(without one every rerun opens the first tab again), `bind="query-params"` names the open tab in
the address (a link can open it, a reload keeps it), and `on_change="rerun"` makes each tab's
`.open` tell whether it is the one shown, so a page runs only that tab's code.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def place_tabs(key: str, labels: Sequence[str]) -> Sequence[DeltaGenerator]:
    """`st.tabs` under a stable `key` (namespaced per page: "wijken.tab"), bound to the address.
    Guard each tab's content with `if tab.open:` so only the open tab runs."""
    return st.tabs(list(labels), key=key, bind="query-params", on_change="rerun")
