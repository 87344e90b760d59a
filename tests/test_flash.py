"""A remembered message ("flash") must not change what stands above a page's tabs.

Streamlit remounts tabs when the number of elements before them changes. A remounted tab bar shows
the tab the app opened but keeps sending the tab last clicked, so on Voorstellen the press after
"Voorstel maken" jumped back to "Nieuw voorstel" (found in a browser under load).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import streamlit as st

    from kinderwijkraad.ui import state

    state.show_flash()
    st.tabs(["Voorstellen", "Nieuw voorstel"], key="tab", on_change="rerun")


def _blocks_before_tabs(app: AppTest) -> int:
    children = list(app.main.children.values())
    return next(i for i, child in enumerate(children) if child.type == "tab_container")


def test_a_flash_takes_the_same_place_as_no_flash() -> None:
    from kinderwijkraad.ui import state

    app = AppTest.from_function(_page).run()
    without = _blocks_before_tabs(app)
    app.session_state[state.FLASH] = "Het voorstel staat klaar."
    app.run()
    assert [success.value for success in app.success] == ["Het voorstel staat klaar."]
    assert _blocks_before_tabs(app) == without
    app.run()  # shown once
    assert not app.success
    assert _blocks_before_tabs(app) == without
