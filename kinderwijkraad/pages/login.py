"""Inloggen: the login form, and the demo accounts when the app runs in demo mode."""

import streamlit as st

from kinderwijkraad.config import get_settings
from kinderwijkraad.i18n import t
from kinderwijkraad.services.demo import DEMO_ACCOUNTS
from kinderwijkraad.ui import auth

st.title(t("login.title"))
st.write(t("login.intro"))

with st.form("login.form", clear_on_submit=False):
    username = st.text_input(t("login.username"), key="login.username", autocomplete="username")
    password = st.text_input(t("login.password"), type="password", key="login.password",
                             autocomplete="current-password")
    submitted = st.form_submit_button(t("login.submit"), type="primary", use_container_width=True)

if submitted:
    if not username.strip() or not password:
        st.error(t("login.missing"), icon=":material/error:")
    else:
        with st.spinner(t("login.checking")):
            error = auth.login(username, password)
        if error is None:
            st.rerun()
        st.error(auth.login_error_text(error), icon=":material/error:")

if get_settings().demo_mode:
    with st.container(border=True):
        st.subheader(t("login.demo_title"))
        st.write(t("login.demo_intro"))
        st.table([
            {t("login.username"): account.username, t("field.role"): t(f"role.{account.role.value}"),
             t("login.password"): account.password}
            for account in DEMO_ACCOUNTS
        ])
