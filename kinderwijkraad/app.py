"""Entrypoint and router: page config, theme, login gate, the role's pages, run the page.

Streamlit runs `streamlit_app.py` at the project root, which calls `main()` on every run. It cannot
run this file directly: a folder named `pages/` beside the main script switches Streamlit to its
old folder-based multipage mode, which runs page files without this router (measured: under
AppTest every rerun after the first skipped the login gate).
"""

from __future__ import annotations

import streamlit as st

from kinderwijkraad.config import get_settings
from kinderwijkraad.i18n import LANGUAGES, set_language, t
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.errors import boundary, guarded
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.style import HEAD_BOX_KEY, apply_touch_style

PAGE_ICON = "🗳️"


def _page(spec: navigation.PageSpec, *, default: bool = False) -> st.Page:
    return st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path, default=default)


def _stand_ins(shown: list[navigation.PageSpec], first: navigation.PageSpec) -> list[st.Page]:
    """The app's other addresses, hidden from the menu, each running the session's first page: a
    bookmarked page opened after the login expired shows the login form at its own address (and,
    logged in, the page itself), never Streamlit's English "Page not found" box."""
    return [st.Page(first.path, title=t(spec.title_key), url_path=spec.url_path, visibility="hidden")
            for spec in (*navigation.PAGES, navigation.LOGIN) if spec not in shown]


def main() -> None:
    # An emoji: the browser draws it (no request to a font server, as a Material icon would make).
    # An image file here is added to Streamlit's media store on every run of every session, under
    # one lock that also sweeps the store: measured, it capped the server at ~20 taps a second
    # with 300 tablets while the CPU idled (docs/performance.md).
    st.set_page_config(page_title="Kinderwijkraad", page_icon=PAGE_ICON, layout="wide")
    settings = get_settings()
    state.init_state(settings.language)
    set_language(st.session_state[state.LANGUAGE])
    # A box the page never shows, holding the style and the login cookie components. Those come
    # and go; in a box of their own they cannot shift the page's elements.
    with st.container(key=HEAD_BOX_KEY):
        apply_touch_style()
        actor = auth.sync_login()

    if actor is None:
        shown, first = list(navigation.PUBLIC_PAGES), navigation.LOGIN
    elif actor.must_change_password:
        # A one-time password is changed before anything else can be opened.
        shown, first = [navigation.ACCOUNT], navigation.ACCOUNT
    else:
        shown, first = navigation.pages_for(actor.role), navigation.HOME
    pages = [_page(spec, default=spec is first) for spec in shown] + _stand_ins(shown, first)
    # The whole menu, always: folded, Streamlit adds its own English "View 6 more" button (the
    # admin has the most pages).
    page = st.navigation(pages, expanded=True)
    if page.url_path == navigation.JOIN.url_path:
        # A child's tablet opens Meedoen from the QR code: the menu (staff login, language) starts
        # folded away instead of covering almost half a portrait screen.
        st.set_page_config(initial_sidebar_state="collapsed")
    if page.url_path not in navigation.KIOSK_URL_PATHS:
        with st.sidebar:
            st.selectbox(t("nav.language"), options=list(LANGUAGES), format_func=LANGUAGES.__getitem__,
                         key=state.LANGUAGE)
            if actor is not None:
                st.caption(t("nav.logged_in_as", name=plain(actor.display_name),
                             role=t(f"role.{actor.role.value}")))
                st.button(t("nav.logout"), key="nav.logout_button", on_click=guarded(auth.log_out),
                          use_container_width=True)
    with boundary():  # a bug shows an incident code, never a traceback (ui/errors.py)
        page.run()
