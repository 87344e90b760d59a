"""Mijn account: who I am, and changing my password (forced after a one-time password)."""

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.services import accounts
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label

actor = auth.require(*navigation.ACCOUNT.roles)

st.title(t("page.account"))
state.show_flash()
if actor.must_change_password:
    st.warning(t("account.must_change"), icon=":material/key:")

st.text(t("account.who", name=actor.display_name, username=actor.username, role=label("role", actor.role)))

with st.form("account.password_form", clear_on_submit=True):
    st.subheader(t("account.change_password"))
    st.caption(t("account.password_rules", min=accounts.MIN_PASSWORD_LENGTH))
    current = st.text_input(t("account.current_password"), type="password", key="account.current",
                            autocomplete="current-password")
    new = st.text_input(t("account.new_password"), type="password", key="account.new", autocomplete="new-password")
    repeat = st.text_input(t("account.repeat_password"), type="password", key="account.repeat",
                           autocomplete="new-password")
    if st.form_submit_button(t("account.change_password"), type="primary"):
        if new != repeat:
            st.error(t("account.passwords_differ"), icon=":material/error:")
        else:
            with shows_errors():
                accounts.change_password(engine(), actor=actor, current_password=current, new_password=new)
                auth.renew_cookie()  # the change revoked every older cookie, this tablet's too
                state.flash(t("account.password_changed"))
                st.rerun()
