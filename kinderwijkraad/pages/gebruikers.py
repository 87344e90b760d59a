"""Gebruikers: staff accounts, their roles and scope; one-time passwords; deactivation (admins)."""

import secrets

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import accounts, councils
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time

actor = auth.require(*navigation.USERS.roles)
db = engine()

st.title(t("page.users"))
state.show_flash()

users = accounts.list_users(db, actor=actor)
wijken = {w.id: w.name for w in councils.list_neighbourhoods(db, actor=actor)}
organisations = {o.id: o.name for o in councils.list_organisations(db, actor=actor)}

st.dataframe(
    [{t("field.username"): u.username, t("field.display_name"): u.display_name,
      t("field.role"): label("role", u.role), t("users.scope"): ", ".join(u.scope),
      t("users.active"): t("users.yes") if u.active else t("users.no"),
      t("users.must_change"): t("users.yes") if u.must_change_password else "",
      t("users.last_login"): local_time(u.last_login_at)} for u in users],
    hide_index=True, use_container_width=True,
)
st.caption(t("users.teacher_scope_hint"))


def one_time_password() -> str:
    # Four groups of six characters are easy to read aloud and type on a tablet, and 96 random
    # bits are plenty for a password that must be changed at first login.
    return "-".join(secrets.token_hex(3) for _ in range(4))


with st.expander(t("users.new_user"), icon=":material/add:", expanded=len(users) <= 1):
    role = st.selectbox(t("field.role"), options=list(Role), format_func=lambda r: label("role", r),
                        key="users.new_role")
    with st.form("users.new_user_form", clear_on_submit=True):
        username = st.text_input(t("field.username"), max_chars=40, key="users.new_username",
                                 help=t("users.username_help"))
        display_name = st.text_input(t("field.display_name"), max_chars=80, key="users.new_display_name")
        email = st.text_input(t("field.email"), max_chars=200, key="users.new_email")
        neighbourhood_ids: list[int] = []
        organisation_id = None
        if role == Role.FACILITATOR:
            neighbourhood_ids = st.multiselect(t("field.neighbourhoods"), options=list(wijken),
                                               format_func=wijken.get, key="users.new_wijken")
        if role == Role.OFFICIAL:
            organisation_id = st.selectbox(t("field.organisation"), options=list(organisations),
                                           format_func=organisations.get, index=None, key="users.new_org")
        if st.form_submit_button(t("action.create"), type="primary"):
            password = one_time_password()
            with shows_errors():
                created = accounts.create_user(
                    db, actor=actor, username=username, display_name=display_name, email=email, role=role,
                    one_time_password=password, neighbourhood_ids=neighbourhood_ids,
                    organisation_id=organisation_id,
                )
                state.flash(t("users.created", username=created.username, password=password))
                st.rerun()

if users:
    with st.expander(t("users.edit_user"), icon=":material/edit:"):
        labels = {u.id: f"{u.display_name} ({u.username})" for u in users}
        user_id = st.selectbox(t("field.username"), options=list(labels), format_func=labels.get,
                               key="users.edit_choice")
        user = next(u for u in users if u.id == user_id)
        with st.form(f"users.edit_form.{user_id}"):
            new_display_name = st.text_input(t("field.display_name"), value=user.display_name, max_chars=80)
            new_email = st.text_input(t("field.email"), value=user.email, max_chars=200)
            new_wijken: list[int] = []
            new_org = None
            if user.role == Role.FACILITATOR:
                new_wijken = st.multiselect(t("field.neighbourhoods"), options=list(wijken), format_func=wijken.get,
                                            default=[i for i in user.neighbourhood_ids if i in wijken])
            if user.role == Role.OFFICIAL:
                org_ids = list(organisations)
                new_org = st.selectbox(t("field.organisation"), options=org_ids, format_func=organisations.get,
                                       index=org_ids.index(user.organisation_id)
                                       if user.organisation_id in organisations else None)
            if st.form_submit_button(t("action.save"), type="primary"):
                with shows_errors():
                    accounts.update_user(db, actor=actor, user_id=user_id, display_name=new_display_name,
                                         email=new_email, neighbourhood_ids=new_wijken, organisation_id=new_org)
                    state.flash(t("action.saved"))
                    st.rerun()
        reset, toggle = st.columns(2)
        if reset.button(t("users.reset_password"), key="users.reset_password", use_container_width=True):
            password = one_time_password()
            with shows_errors():
                accounts.reset_password(db, actor=actor, user_id=user_id, one_time_password=password)
                state.flash(t("users.password_reset", username=user.username, password=password))
                st.rerun()
        toggle_key = "users.reactivate" if not user.active else "users.deactivate"
        if toggle.button(t(toggle_key), key="users.toggle_active", use_container_width=True):
            with shows_errors():
                accounts.set_user_active(db, actor=actor, user_id=user_id, active=not user.active)
                state.flash(t(f"{toggle_key}d", username=user.username))
                st.rerun()
