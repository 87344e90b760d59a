"""Gebruikers: staff accounts, their roles and scope; one-time passwords; deactivation (admins)."""

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import accounts, neighbourhoods
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time

actor = auth.require(*navigation.USERS.roles)
db = engine()

# Values for the next run's widgets, set before they are drawn: a form that made an account is
# emptied, one that was refused keeps what was typed.
NEXT = "users.next_values"

st.title(t("page.users"))
state.show_flash()
for widget_key, value in st.session_state.pop(NEXT, {}).items():
    st.session_state[widget_key] = value

users = accounts.list_users(db, actor=actor)
wijken = {w.id: w.name for w in neighbourhoods.list_neighbourhoods(db, actor=actor)}
organisations = {o.id: o.name for o in neighbourhoods.list_organisations(db, actor=actor)}

st.dataframe(
    [{t("field.username"): u.username, t("field.display_name"): u.display_name,
      t("field.role"): label("role", u.role), t("users.scope"): ", ".join(u.scope),
      t("users.active"): t("users.yes") if u.active else t("users.no"),
      t("users.must_change"): t("users.yes") if u.must_change_password else "",
      t("users.last_login"): local_time(u.last_login_at)} for u in users],
    hide_index=True, use_container_width=True,
)
st.caption(t("users.teacher_scope_hint"))


with st.expander(t("users.new_user"), icon=":material/add:", expanded=len(users) <= 1):
    role = st.selectbox(t("field.role"), options=list(Role), format_func=lambda r: label("role", r),
                        key="users.new_role", placeholder=t("users.pick"))
    with st.form("users.new_user_form"):
        username = st.text_input(t("field.username"), key="users.new_username")
        st.caption(t("users.username_help"))
        display_name = st.text_input(t("field.display_name"), key="users.new_display_name")
        email = st.text_input(t("field.email"), key="users.new_email")
        neighbourhood_ids: list[int] = []
        organisation_id = None
        if role == Role.FACILITATOR:
            neighbourhood_ids = st.multiselect(t("field.neighbourhoods"), options=list(wijken),
                                               format_func=lambda i: wijken.get(i, str(i)), key="users.new_wijken",
                                               placeholder=t("users.pick_wijken"))
        if role == Role.OFFICIAL:
            organisation_id = st.selectbox(t("field.organisation"), options=list(organisations),
                                           format_func=lambda i: organisations.get(i, str(i)), index=None,
                                           key="users.new_org", placeholder=t("users.pick"))
        if st.form_submit_button(t("action.create"), type="primary"):
            password = accounts.new_one_time_password()
            with shows_errors():
                created = accounts.create_user(
                    db, actor=actor, username=username, display_name=display_name, email=email, role=role,
                    one_time_password=password, neighbourhood_ids=neighbourhood_ids,
                    organisation_id=organisation_id,
                )
                state.flash(t("users.created", username=created.username, password=password))
                st.session_state[NEXT] = {"users.new_username": "", "users.new_display_name": "",
                                          "users.new_email": "", "users.new_wijken": [], "users.new_org": None}
                st.rerun()

if users:
    with st.expander(t("users.edit_user"), icon=":material/edit:"):
        labels = {u.id: f"{u.display_name} ({u.username})" for u in users}
        user_id = st.selectbox(t("field.username"), options=list(labels), format_func=lambda i: labels.get(i, str(i)),
                               key="users.edit_choice", placeholder=t("users.pick"))
        user = next(u for u in users if u.id == user_id)
        # Keys carry the stored values: a save shows the saved values on the next run.
        version = f"{user_id}.{user.display_name}.{user.email}.{sorted(user.neighbourhood_ids)}.{user.organisation_id}"
        with st.form(f"users.edit_form.{user_id}"):
            new_display_name = st.text_input(t("field.display_name"), value=user.display_name,
                                             key=f"users.display_name.{version}")
            new_email = st.text_input(t("field.email"), value=user.email, key=f"users.email.{version}")
            new_wijken: list[int] = []
            new_org = None
            if user.role == Role.FACILITATOR:
                new_wijken = st.multiselect(t("field.neighbourhoods"), options=list(wijken),
                                            format_func=lambda i: wijken.get(i, str(i)),
                                            default=[i for i in user.neighbourhood_ids if i in wijken],
                                            key=f"users.wijken.{version}", placeholder=t("users.pick_wijken"))
            if user.role == Role.OFFICIAL:
                org_ids = list(organisations)
                new_org = st.selectbox(t("field.organisation"), options=org_ids,
                                       format_func=lambda i: organisations.get(i, str(i)),
                                       index=org_ids.index(user.organisation_id)
                                       if user.organisation_id in organisations else None,
                                       key=f"users.org.{version}", placeholder=t("users.pick"))
            if st.form_submit_button(t("action.save"), type="primary"):
                with shows_errors():
                    accounts.update_user(db, actor=actor, user_id=user_id, display_name=new_display_name,
                                         email=new_email, neighbourhood_ids=new_wijken, organisation_id=new_org)
                    state.flash(t("action.saved"))
                    st.rerun()
        reset, toggle = st.columns(2)
        if reset.button(t("users.reset_password"), key="users.reset_password", use_container_width=True):
            password = accounts.new_one_time_password()
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
