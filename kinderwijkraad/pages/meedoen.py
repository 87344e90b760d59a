"""Meedoen: a children's tablet joins the lesson with the class code and follows the teacher.

No login: the tablet keeps a random token in its address (`?tablet=...`), so a reload or a tablet
waking from sleep comes back to its team. The plan form saves every field as soon as a child
leaves it; nothing but the team's name is ever asked.
"""

import streamlit as st

from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.models import FieldType, Mood, StepKind
from kinderwijkraad.services import lessons, plans
from kinderwijkraad.ui import auth
from kinderwijkraad.ui import lesson as shared
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import error_text, shows_errors
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.style import apply_tablet_style

TOKEN_PARAM = "tablet"
CODE_PARAM = "code"
FOUND_RUN = "meedoen.run_id"  # the run whose code was typed, while the team is being chosen
DRAWN = "meedoen.position"  # the run position this page was drawn for
SAVE_ERROR = "meedoen.save_error"


def _join_form() -> None:
    st.title(t("join.title"))
    run_id = st.session_state.get(FOUND_RUN)
    if run_id is None:
        with st.form("join.code_form"):
            code = st.text_input(t("join.code"), value=st.query_params.get(CODE_PARAM, ""), max_chars=8,
                                 key="join.code_input", placeholder="ABC123")
            if st.form_submit_button(t("join.next"), type="primary", width="stretch"):
                with shows_errors():
                    st.session_state[FOUND_RUN] = lessons.find_run_by_code(
                        engine(), code=code, client=auth.client_address())
                    st.rerun()
        return
    st.subheader(t("join.pick_team"))
    existing = [team.name for team in lessons.teams(engine(), run_id)]
    for index, name in enumerate(existing):
        if st.button(plain(name), key=f"join.team.{index}", width="stretch"):
            _join(run_id, name)
    with st.form("join.new_team_form"):
        new_name = st.text_input(t("join.new_team"), max_chars=40, key="join.new_team_input")
        if st.form_submit_button(t("join.join"), width="stretch"):
            _join(run_id, new_name)
    if st.button(t("join.other_code"), key="join.other_code"):
        st.session_state[FOUND_RUN] = None
        st.rerun()


def _join(run_id: int, team_name: str) -> None:
    with shows_errors():
        token, _team_id = lessons.join_team(engine(), run_id=run_id, team_name=team_name)
        st.session_state[FOUND_RUN] = None
        st.query_params.clear()
        st.query_params[TOKEN_PARAM] = token
        st.rerun()


@st.fragment(run_every=shared.FOLLOW_SECONDS)
def _follow(run_id: int) -> None:
    """Redraw the whole page when the teacher moves the class on."""
    if shared.position(shared.run_state(run_id)) != st.session_state.get(DRAWN):
        st.rerun(scope="app")


def _brainstorm(token: str) -> None:
    happy, unhappy = st.columns(2)
    for column, mood in ((happy, Mood.HAPPY), (unhappy, Mood.UNHAPPY)):
        with column, st.form(f"brainstorm.{mood.value}", clear_on_submit=True):
            st.subheader(t(f"brainstorm.{mood.value}"))
            text = st.text_area(t(f"brainstorm.prompt.{mood.value}"), max_chars=lessons.MAX_NOTE_LENGTH,
                                key=f"brainstorm.text.{mood.value}", height=100)
            if st.form_submit_button(t("brainstorm.send"), type="primary", width="stretch"):
                with shows_errors():
                    lessons.add_note(engine(), token=token, mood=mood, text=text)
                    st.toast(t("brainstorm.sent"), icon=":material/check:")


def _field_key(name: str) -> str:
    return f"plan.field.{name}"


def _autosave(token: str, form) -> None:
    """on_change of every field: save the whole form; a refusal is shown, the text stays."""
    answers = {field.name: st.session_state.get(_field_key(field.name)) or "" for field in form.fields
               if field.type != FieldType.PHOTO}
    try:
        plans.save_answers(engine(), token=token, answers=answers)
        st.session_state[SAVE_ERROR] = None
    except KwrError as error:
        st.session_state[SAVE_ERROR] = error_text(error)


def _plan_form(token: str, run_id: int) -> None:
    form = plans.plan_form(engine(), run_id)
    plan = plans.team_plan(engine(), token=token)
    if plan.approved:
        st.success(t("plan.approved_for_children"), icon=":material/verified:")
        shared.plan_card(plan, form)
        return
    for field in form.fields:  # fill the widgets from the database once per session
        st.session_state.setdefault(_field_key(field.name), plan.answers.get(field.name, ""))
    for field in form.fields:
        label = plain(shared.text_of(field.label)) + (" *" if field.required else "")
        help_text = shared.text_of(field.help) or None
        key = _field_key(field.name)
        # The help goes in the empty box, where a child looks, not in a tooltip.
        if field.type == FieldType.TEXT:
            st.text_input(label, key=key, max_chars=field.max_length, placeholder=help_text,
                          on_change=_autosave, args=(token, form))
        elif field.type == FieldType.LONG_TEXT:
            st.text_area(label, key=key, max_chars=field.max_length, placeholder=help_text, height=120,
                         on_change=_autosave, args=(token, form))
        elif field.type == FieldType.CHOICE:
            options = [""] + [option.nl for option in field.options]
            labels = {option.nl: plain(shared.text_of(option)) for option in field.options} | {"": t("plan.no_choice")}
            if st.session_state.get(key) not in options:
                st.session_state[key] = ""
            st.radio(label, options, key=key, format_func=labels.get, help=help_text, horizontal=True,
                     on_change=_autosave, args=(token, form))
        elif field.type == FieldType.PHOTO:
            _photo(token, plan, label, help_text)
    if st.session_state.get(SAVE_ERROR):
        st.error(st.session_state[SAVE_ERROR], icon=":material/error:")
    elif plan.updated_at is not None:
        st.caption(t("plan.saved_automatically"))
    if st.button(t("plan.save_now"), key="plan.save_now", width="stretch"):
        _autosave(token, form)
        st.rerun()


def _photo(token: str, plan: plans.PlanView, label: str, help_text: str | None) -> None:
    st.markdown(f"**{label}**")
    st.warning(t("plan.no_faces"), icon=":material/face_retouching_off:")
    if plan.photo_name:
        shared.photo(plan.photo_name, width=280)
    upload = st.file_uploader(help_text or label, type=["jpg", "jpeg", "png"], key="plan.photo_upload",
                              label_visibility="collapsed")
    if upload is not None and st.session_state.get("plan.photo_done") != upload.file_id:
        with shows_errors():
            plans.save_photo(engine(), token=token, data=upload.getvalue(), directory=shared.photos_dir())
            st.session_state["plan.photo_done"] = upload.file_id
            st.rerun()


def _tablet(token: str, device: lessons.DeviceContext) -> None:
    apply_tablet_style()
    state = shared.run_state(device.run_id)
    st.session_state[DRAWN] = shared.position(state)
    st.caption(t("join.you_are", team=plain(device.team_name), classroom=plain(state.class_label)))
    if state.ended:
        st.title(t("join.lesson_over"))
        st.write(t("join.thanks"))
        if st.button(t("join.join_again"), key="join.again", type="primary"):
            st.query_params.clear()
            st.rerun()
        return
    shared.step_heading(state)
    st.markdown(f"### {plain(shared.text_of(state.step.children_text))}")
    shared.step_image(state)
    kind = state.step.kind
    if kind == StepKind.BRAINSTORM:
        _brainstorm(token)
    elif kind == StepKind.WRITE_PLANS:
        _plan_form(token, device.run_id)
    elif kind == StepKind.PRESENT:
        st.info(t("join.look_at_board"), icon=":material/co_present:")
    _follow(device.run_id)


token = st.query_params.get(TOKEN_PARAM)
device = lessons.device_context(engine(), token)
if device is None:
    if token:
        st.warning(t("join.not_joined"))
    _join_form()
else:
    _tablet(token, device)
