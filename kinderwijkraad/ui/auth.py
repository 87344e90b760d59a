"""The login gate: cookie re-login, the login form, logout, and the per-page role check.

streamlit-authenticator provides the signed login cookie (a JWT it reads server-side from
`st.context.cookies` and writes with its cookie component) and the bcrypt hash format. The form is
ours: the library's own form cannot tell us which username failed, and per-username throttling
needs exactly that. Roles and scope always come from our User table, re-read on every run, so a
deactivated user's cookie stops working at once.
"""

from __future__ import annotations

import streamlit as st
import streamlit_authenticator as stauth

from kinderwijkraad.config import get_settings
from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import accounts
from kinderwijkraad.services.common import Actor
from kinderwijkraad.ui import state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import error_text


def authenticator() -> stauth.Authenticate:
    """Built every run: it renders the cookie component that reads and writes the login cookie."""
    settings = get_settings()
    return stauth.Authenticate(
        credentials={"usernames": {}},
        cookie_name=settings.cookie_name,
        cookie_key=settings.cookie_key,
        cookie_expiry_days=settings.cookie_hours / 24,
        auto_hash=False,
        login_sleep_time=0,
    )


def restore_login(auth: stauth.Authenticate) -> Actor | None:
    """The acting user of this run, from this session or from the login cookie; None when logged
    out or when the account was deactivated since the cookie was written."""
    session = st.session_state
    if session.get(state.SET_COOKIE_PENDING) and session.get("authentication_status"):
        auth.cookie_controller.set_cookie()
        session[state.SET_COOKIE_PENDING] = False
    if not session.get("authentication_status"):
        token = auth.cookie_controller.get_cookie()
        if token:
            session["username"] = token["username"]
            session["authentication_status"] = True
    actor = None
    if session.get("authentication_status"):
        actor = accounts.session_actor(engine(), username=session.get("username"))
        if actor is None:
            logout(auth)
    session[state.ACTOR] = actor
    if actor is not None:
        session["name"] = actor.display_name
        session["roles"] = [actor.role.value]
    return actor


def client_address() -> str:
    """The client's address for throttling. Behind a proxy this is the proxy's unless the proxy
    is configured to pass it on; a whole school often shares one address either way."""
    return getattr(st.context, "ip_address", None) or "unknown"


def login(username: str, password: str) -> KwrError | None:
    """Check the form's credentials; on success mark the session logged in and ask for the cookie
    to be written on the next run (written now, it would be lost in the rerun)."""
    try:
        actor = accounts.authenticate(engine(), username=username, password=password, client=client_address())
    except KwrError as error:
        return error
    session = st.session_state
    session["authentication_status"] = True
    session["username"] = actor.username
    session["logout"] = None
    session[state.SET_COOKIE_PENDING] = True
    return None


def logout(auth: stauth.Authenticate) -> None:
    auth.logout(location="unrendered")
    st.session_state[state.ACTOR] = None


def require(*roles: Role) -> Actor:
    """Every page starts here: the page stops with a clear message unless the logged-in user has
    one of `roles`. The menu is not access control."""
    actor: Actor | None = st.session_state.get(state.ACTOR)
    if actor is None:
        st.warning(t("auth.login_required"))
        st.stop()
    if actor.role not in roles:
        st.error(t("error.not_allowed"), icon=":material/block:")
        st.stop()
    return actor


def login_error_text(error: KwrError) -> str:
    return error_text(error)
