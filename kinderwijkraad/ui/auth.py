"""The login gate: cookie re-login, the login form, logout, and the per-page role check.

The login cookie is a JWT signed with the cookie key, holding the username and its expiry
(`exp_date`) — the format of streamlit-authenticator, whose bcrypt hashes we also keep, so cookies
and passwords from either side stay valid. It is written and deleted in the browser by
extra-streamlit-components' `CookieManager` (a component: JavaScript sets it, so it is not
HttpOnly) and read back server-side from `st.context.cookies`. The form is ours: a library's form
cannot tell us which username failed, and per-username throttling needs exactly that. Roles and
scope always come from our User table, re-read on every run, so a deactivated user's cookie stops
working at once, and so does every cookie issued before the user last logged out or changed
password (`User.cookies_valid_after`).
"""

from __future__ import annotations

import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import extra_streamlit_components as stx
import jwt
import streamlit as st

from kinderwijkraad.config import get_settings
from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import accounts
from kinderwijkraad.services.common import Actor
from kinderwijkraad.ui import state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import error_text

# Widget keys of the cookie components: reading all cookies (rendered whenever a manager is made),
# setting and deleting. The component reports True to the set/delete key once the browser is done.
COOKIES_COMPONENT_KEY = "init"
SET_COMPONENT_KEY = "set"
DELETE_COMPONENT_KEY = "delete"
TOKEN_ALGORITHM = "HS256"


def _cookie_manager() -> stx.CookieManager:
    """Made only on a run that writes or deletes the login cookie: making it renders its component,
    an iframe whose first answer costs every new browser session one more rerun
    (docs/performance.md). Reading the cookie needs no component."""
    return stx.CookieManager(key=COOKIES_COMPONENT_KEY)


def login_token(username: str, expires_at: datetime) -> str:
    """The signed cookie value for `username`, valid until `expires_at`."""
    claims = {"username": username, "exp_date": expires_at.timestamp()}
    return jwt.encode(claims, get_settings().cookie_key, algorithm=TOKEN_ALGORITHM)


def cookie_claims() -> dict | None:
    """The login cookie the browser sent when it opened this session, checked (its JWT, signed
    with the cookie key, with a username and an expiry in the future);
    None after a logout in this session, when absent, forged or expired."""
    if st.session_state.get("logout"):
        return None
    settings = get_settings()
    raw = st.context.cookies.get(settings.cookie_name)
    if not raw:
        return None
    try:
        claims = jwt.decode(raw, settings.cookie_key, algorithms=[TOKEN_ALGORITHM])
    except jwt.PyJWTError:
        return None
    if "username" not in claims or not claims.get("exp_date", 0) > time.time():
        return None
    return claims


def sync_login() -> Actor | None:
    """The acting user of this run, from this session or from the login cookie; None when logged
    out, deactivated, or when the cookie was revoked. Also renders the pending cookie write.

    Called inside one container at the top of the app: the cookie components come and go, and in
    a container of their own they do not shift the page's elements (which made Streamlit show the
    previous run's elements beside the new ones for a moment)."""
    session = st.session_state
    cookie_issued_at = None
    if not session.get("authentication_status"):
        token = cookie_claims()
        if token:
            session["username"] = token["username"]
            session["authentication_status"] = True
            cookie_issued_at = _issued_at(token)
    actor = None
    if session.get("authentication_status"):
        actor = accounts.session_actor(engine(), username=session.get("username"), cookie_issued_at=cookie_issued_at)
        if actor is None:
            _forget_login()
    session[state.ACTOR] = actor
    if actor is not None:
        session["name"] = actor.display_name
        session["roles"] = [actor.role.value]
    _render_pending_cookie_write()
    return actor


def _issued_at(token: dict) -> datetime:
    """The token holds only its expiry; it was issued `cookie_hours` before that."""
    return datetime.fromtimestamp(token["exp_date"], UTC) - timedelta(hours=get_settings().cookie_hours)


def _render_pending_cookie_write() -> None:
    """Render the set or delete component on every run until the browser reports it done (its
    value turns True). Rendered once, a rerun that comes first unmounts it before it ran."""
    session = st.session_state
    if session.get(state.SET_COOKIE_PENDING):
        if session.get(SET_COMPONENT_KEY) is True:
            session[state.SET_COOKIE_PENDING] = False
        else:
            expires_at = datetime.now(UTC) + timedelta(hours=get_settings().cookie_hours)
            _cookie_manager().set(get_settings().cookie_name, login_token(session["username"], expires_at),
                                  key=SET_COMPONENT_KEY, expires_at=expires_at, same_site="strict")
    elif session.get(state.DELETE_COOKIE_PENDING):
        if session.get(DELETE_COMPONENT_KEY) is True:
            session[state.DELETE_COOKIE_PENDING] = False
        else:
            # The manager's delete also drops the cookie from its copy of the browser's cookies,
            # which raises KeyError when that copy has not arrived yet; the browser deletes anyway.
            with suppress(KeyError):
                _cookie_manager().delete(get_settings().cookie_name, key=DELETE_COMPONENT_KEY)


def client_address() -> str:
    """The client's address for throttling. Behind a proxy this is the proxy's unless the proxy
    is configured to pass it on; a whole school often shares one address either way."""
    return getattr(st.context, "ip_address", None) or "unknown"


def login(username: str, password: str) -> KwrError | None:
    """Check the form's credentials; on success mark the session logged in and ask for the cookie
    to be written from the next run on (written now, it would be lost in the rerun)."""
    try:
        actor = accounts.authenticate(engine(), username=username, password=password, client=client_address())
    except KwrError as error:
        return error
    session = st.session_state
    session["authentication_status"] = True
    session["username"] = actor.username
    session["logout"] = None
    renew_cookie()
    return None


def renew_cookie() -> None:
    """Write a fresh login cookie from the next run on (after logging in or changing password)."""
    st.session_state[state.SET_COOKIE_PENDING] = True
    st.session_state[state.DELETE_COOKIE_PENDING] = False


def log_out() -> None:
    """The logout button's callback (it runs before the script). Revokes the user's cookies in the
    database first, so even a cookie the browser fails to delete no longer logs in."""
    actor: Actor | None = st.session_state.get(state.ACTOR)
    if actor is not None:
        accounts.revoke_cookies(engine(), user_id=actor.user_id)
    _forget_login()


def _forget_login() -> None:
    """Clear the login from this session and delete the cookie."""
    session = st.session_state
    for key in ("name", "username", "authentication_status", "email", "roles"):
        session[key] = None
    session["logout"] = True  # cookie_claims then ignores the cookie for the rest of this session
    session[state.ACTOR] = None
    session[state.SET_COOKIE_PENDING] = False
    session[state.DELETE_COOKIE_PENDING] = True


def require(*roles: Role) -> Actor:
    """Every page starts here: the page stops with a clear message unless the logged-in user has
    one of `roles`. The menu is not access control."""
    actor: Actor | None = st.session_state.get(state.ACTOR)
    if actor is None:
        st.warning(t("auth.login_required"))
        st.stop()
    if actor.role not in roles:
        from kinderwijkraad.ui.audit import note_refusal  # ui.audit needs ui.database, as this module does

        note_refusal(actor, "page")
        st.error(t("error.not_allowed"), icon=":material/block:")
        st.stop()
    return actor


def login_error_text(error: KwrError) -> str:
    return error_text(error)
