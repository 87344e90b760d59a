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
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.style import HEAD_BOX_KEY, apply_touch_style

PAGE_ICON = "🗳️"


def _page(spec: navigation.PageSpec, *, default: bool = False) -> st.Page:
    return st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path, default=default)


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
        pages = [_page(spec, default=spec is navigation.LOGIN) for spec in navigation.PUBLIC_PAGES]
    elif actor.must_change_password:
        # A one-time password is changed before anything else can be opened.
        pages = [_page(navigation.ACCOUNT, default=True)]
    else:
        pages = [_page(spec, default=spec is navigation.HOME) for spec in navigation.pages_for(actor.role)]
    page = st.navigation(pages)
    if page.url_path not in navigation.KIOSK_URL_PATHS:
        with st.sidebar:
            st.selectbox(t("nav.language"), options=list(LANGUAGES), format_func=LANGUAGES.get, key=state.LANGUAGE)
            if actor is not None:
                st.caption(t("nav.logged_in_as", name=plain(actor.display_name),
                             role=t(f"role.{actor.role.value}")))
                st.button(t("nav.logout"), key="nav.logout_button", on_click=auth.log_out, use_container_width=True)
    page.run()
