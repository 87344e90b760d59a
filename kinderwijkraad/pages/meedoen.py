"""Meedoen: a children's tablet joins the lesson with the class code and follows the teacher.

No login: the tablet keeps a random token in its address (`?tablet=...`), so a reload or a tablet
waking from sleep comes back to its team. The plan form saves every field as soon as a child
leaves it; nothing but the team's name is ever asked, except the first names of children who sign
up for the council in a sign_up step.
"""

import streamlit as st

from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.models import FieldType, Mood, StepKind
from kinderwijkraad.services import candidates, lessons, plans
from kinderwijkraad.services.images import MAX_UPLOAD_BYTES
from kinderwijkraad.ui import auth, errors, pictures, speech, state
from kinderwijkraad.ui import lesson as shared
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.display import display_switch
from kinderwijkraad.ui.errors import error_text, shows_errors
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.navigation import VOTE
from kinderwijkraad.ui.style import apply_tablet_style

TOKEN_PARAM = "tablet"
CODE_PARAM = "code"
SIGN_UP_NAME = "signup.first_name"  # the sign-up form's name field
PHOTO_ROUND = "meedoen.photo_round"  # part of the uploader's key: a new round shows an empty uploader
PHOTO_REFUSED = "meedoen.photo_refused"  # why the last photo was refused, shown once
PHOTO_TYPES = ["jpg", "jpeg", "png", "heic", "heif"]  # iPads take HEIC photos


def _join_form() -> None:
    st.title(t("join.title"))
    run_id = st.session_state.get(state.JOIN_FOUND_RUN)
    if run_id is None:
        with st.form("join.code_form"):
            # No max_chars: spaces typed around a code would count and cut it; the service trims and
            # normalises what was typed before it looks the code up.
            code = st.text_input(t("join.code"), value=st.query_params.get(CODE_PARAM, ""),
                                 key="join.code_input", placeholder="ABC123")
            if st.form_submit_button(t("join.next"), type="primary", width="stretch"):
                with shows_errors():
                    st.session_state[state.JOIN_FOUND_RUN] = lessons.find_run_by_code(
                        engine(), code=code, client=auth.client_address())
                    st.rerun()
        return
    teams = lessons.teams(engine(), run_id)
    # The first team of a class has nothing to pick yet: ask for its name, not for a choice.
    st.subheader(t("join.pick_team" if teams else "join.first_team"))
    for team in teams:
        if st.button(plain(team.name), key=f"join.team.{team.id}", width="stretch"):
            _join(run_id, team.name)
    with st.form("join.new_team_form"):
        new_name = st.text_input(t("join.new_team"), key="join.new_team_input")
        if st.form_submit_button(t("join.join"), width="stretch"):
            _join(run_id, new_name)
    if st.button(t("join.other_code"), key="join.other_code"):
        st.session_state[state.JOIN_FOUND_RUN] = None
        st.rerun()


def _join(run_id: int, team_name: str) -> None:
    with shows_errors():
        token, _team_id = lessons.join_team(engine(), run_id=run_id, team_name=team_name)
        st.session_state[state.JOIN_FOUND_RUN] = None
        st.query_params.clear()
        st.query_params[TOKEN_PARAM] = token
        st.rerun()


def _position(device: lessons.DeviceContext) -> tuple:
    """What this tablet redraws for: the class's step, and its team's plan when someone else
    (another tablet of the team, or the teacher) changed, approved or reopened it."""
    return shared.position(shared.run_state(device.run_id)), shared.plan_marker(device.team_id)


@errors.fragment(run_every=shared.FOLLOW_SECONDS)
def _follow(device: lessons.DeviceContext) -> None:
    if _position(device) != st.session_state.get(state.TABLET_DRAWN):
        st.rerun(scope="app")


@errors.guarded  # a widget callback runs outside the page run
def _send_note(token: str, mood: Mood) -> None:
    """The form's callback: the box is emptied only when the note reached the board, so a refused
    note (too long, the step just ended) stays for the child to fix."""
    key = f"brainstorm.text.{mood.value}"
    try:
        lessons.add_note(engine(), token=token, mood=mood, text=st.session_state.get(key) or "")
    except KwrError as error:
        st.session_state[state.TABLET_NOTE_ERROR] = error_text(error)
        return
    st.session_state[key] = ""
    st.toast(t("brainstorm.sent"), icon=":material/check:")


def _brainstorm(token: str) -> None:
    happy, unhappy = st.columns(2)
    for column, mood in ((happy, Mood.HAPPY), (unhappy, Mood.UNHAPPY)):
        with column, st.form(f"brainstorm.{mood.value}"):
            speech.said(f"### {t(f'brainstorm.{mood.value}')}",
                        f"{t(f'brainstorm.{mood.value}')}. {t(f'brainstorm.prompt.{mood.value}')}")
            # No max_chars: the browser would throw away a paste that is too long; the service says
            # by how much, and the text stays for the child to shorten.
            st.text_area(t(f"brainstorm.prompt.{mood.value}"), key=f"brainstorm.text.{mood.value}", height=100)
            st.form_submit_button(t("brainstorm.send"), type="primary", width="stretch",
                                  on_click=_send_note, args=(token, mood))
    refused = st.session_state.pop(state.TABLET_NOTE_ERROR, None)  # shown once, after the send that failed
    if refused:
        speech.message("error", refused, icon=":material/error:")


def _field_key(name: str) -> str:
    return f"plan.field.{name}"


@errors.guarded  # a widget callback runs outside the page run
def _autosave(token: str, device: lessons.DeviceContext, name: str) -> None:
    """on_change of a field: save that field; a refusal is shown and the text stays on screen."""
    try:
        saved = plans.save_field(engine(), token=token, name=name, value=st.session_state.get(_field_key(name)) or "")
    except KwrError as error:
        st.session_state[state.TABLET_SAVE_ERROR] = error_text(error)
        return
    st.session_state[state.TABLET_SAVE_ERROR] = None
    st.session_state[state.TABLET_PLAN_REVISION] = saved.revision
    shared.plan_marker.clear()
    st.session_state[state.TABLET_DRAWN] = _position(device)  # our own save is no reason to redraw


def _plan_form(token: str, device: lessons.DeviceContext) -> None:
    form = plans.plan_form(engine(), device.run_id)
    plan = plans.team_plan(engine(), token=token)
    if plan.approved:
        speech.message("success", t("plan.approved_for_children"), icon=":material/verified:")
        shared.plan_card(plan, form)
        return
    if st.session_state.get(state.TABLET_PLAN_REVISION) != plan.revision:
        # First time here, or someone else changed the plan: show what is stored now.
        for field in form.fields:
            st.session_state[_field_key(field.name)] = plan.answers.get(field.name, "")
        st.session_state[state.TABLET_PLAN_REVISION] = plan.revision
    if any(field.required for field in form.fields):
        st.caption(t("plan.required_star"))
    for field in form.fields:
        # The widget's label stays words only: Streamlit copies it into the field's aria-label, where a
        # picture would be read out as its data address. The picture stands beside it in the row.
        label = plain(shared.text_of(field.label)) + (" *" if field.required else "")
        help_text = shared.text_of(field.help) or None
        key = _field_key(field.name)
        # The speaker reads the question, its hint and its choices, at the start of the question's row.
        spoken = ". ".join(filter(None, [shared.text_of(field.label), help_text,
                                         ", ".join(shared.text_of(o) for o in field.options)]))
        if field.type == FieldType.PHOTO:  # a block of its own: label, advice, photo, uploader
            _photo(token, plan, label, pictures.beside(field.pictogram, label), spoken)
            continue
        with st.container(horizontal=True, vertical_alignment="bottom", gap="small", key=f"plan_row_{field.name}"):
            speech.speaker(spoken)
            if field.pictogram:
                st.markdown(pictures.markdown(field.pictogram), width="content")
            # The help goes in the empty box, where a child looks, not in a tooltip.
            if field.type == FieldType.TEXT:
                st.text_input(label, key=key, placeholder=help_text,
                              on_change=_autosave, args=(token, device, field.name))
            elif field.type == FieldType.LONG_TEXT:
                st.text_area(label, key=key, placeholder=help_text, height=120,
                             on_change=_autosave, args=(token, device, field.name))
            elif field.type == FieldType.CHOICE:
                options = [""] + [option.nl for option in field.options]
                labels = ({option.nl: plain(shared.text_of(option)) for option in field.options}
                          | {"": t("plan.no_choice")})
                if st.session_state.get(key) not in options:
                    st.session_state[key] = ""
                st.radio(label, options, key=key, format_func=labels.get, horizontal=True,
                         on_change=_autosave, args=(token, device, field.name))
    if st.session_state.get(state.TABLET_SAVE_ERROR):
        speech.message("error", st.session_state[state.TABLET_SAVE_ERROR], icon=":material/error:")
    elif plan.updated_at is not None:
        st.caption(t("plan.saved_automatically"))
    # Tapping it takes the focus out of the field being typed in, which saves that field; children
    # (and teachers) like a button that says so.
    st.button(t("plan.save_now"), key="plan.save_now", width="stretch")


def _photo_key() -> str:
    return f"plan.photo_upload.{st.session_state.get(PHOTO_ROUND, 0)}"


@errors.guarded  # a widget callback runs outside the page run
def _save_photo(token: str, key: str) -> None:
    """on_change of the uploader: the photo is checked and stored, or refused with what to do instead.
    Either way the uploader starts a new round (a new key), so it is empty again: a refused file
    must not stay in the box looking attached, and a stored one shows as the photo above it."""
    upload = st.session_state.get(key)
    st.session_state[PHOTO_ROUND] = st.session_state.get(PHOTO_ROUND, 0) + 1
    if upload is None:
        return
    try:
        plans.save_photo(engine(), token=token, data=upload.getvalue(), directory=shared.photos_dir())
    except KwrError as error:
        st.session_state[PHOTO_REFUSED] = error_text(error)
        return
    st.session_state[PHOTO_REFUSED] = None
    shared.plan_marker.clear()


def _photo(token: str, plan: plans.PlanView, label: str, shown: str, spoken: str) -> None:
    """The photo question: `label` its words, `shown` with its picture, `spoken` what its speaker reads."""
    speech.said(f"**{shown}**", spoken)
    speech.message("warning", t("plan.no_faces"), icon=":material/face_retouching_off:")
    if plan.photo_name:
        shared.photo(plan.photo_name, width=280)
    key = _photo_key()
    st.file_uploader(label, type=PHOTO_TYPES, key=key, label_visibility="collapsed",
                     max_upload_size=MAX_UPLOAD_BYTES // (1024 * 1024), on_change=_save_photo, args=(token, key))
    refused = st.session_state.pop(PHOTO_REFUSED, None)  # shown once, under the empty uploader
    if refused:
        speech.message("error", refused, icon=":material/error:")


@errors.guarded  # a widget callback runs outside the page run
def _send_sign_up(token: str, run_id: int) -> None:
    """The form's callback: the box is emptied only when the name is in, so the next child can
    type theirs; a refused name stays for the child to fix."""
    try:
        candidate = candidates.sign_up(engine(), token=token, first_name=st.session_state.get(SIGN_UP_NAME) or "")
    except KwrError as error:
        st.session_state[state.TABLET_SIGNUP_ERROR] = error_text(error)
        return
    st.session_state[SIGN_UP_NAME] = ""
    st.session_state.setdefault(state.TABLET_SIGNED_UP, {}).setdefault(run_id, []).append(candidate.id)
    st.toast(t("signup.welcome", name=plain(candidate.first_name)), icon=":material/celebration:")


@errors.guarded  # a widget callback runs outside the page run
def _withdraw(token: str, run_id: int, candidate: candidates.CandidateView) -> None:
    """The "Haal weg" callback: the name goes from the class's list and from this tablet's."""
    try:
        candidates.withdraw(engine(), token=token, candidate_id=candidate.id)
    except KwrError as error:
        st.session_state[state.TABLET_SIGNUP_ERROR] = error_text(error)
        return
    remembered = st.session_state.get(state.TABLET_SIGNED_UP, {}).get(run_id, [])
    if candidate.id in remembered:
        remembered.remove(candidate.id)
    st.toast(t("signup.withdrawn", name=plain(candidate.first_name)), icon=":material/check:")


def _sign_up(token: str, device: lessons.DeviceContext, current: lessons.RunState) -> None:
    # The school and class come from the lesson: shown, so a child on a borrowed tablet notices.
    speech.message("info", t("signup.for_class", classroom=plain(current.class_label)), icon=":material/school:",
                   spoken=t("signup.for_class", classroom=current.class_label))
    with st.form("signup.form"):
        st.text_input(t("signup.prompt"), key=SIGN_UP_NAME, placeholder=t("signup.placeholder"))
        st.caption(t("signup.hint"))
        st.form_submit_button(t("signup.send"), type="primary", width="stretch", icon=":material/how_to_reg:",
                              on_click=_send_sign_up, args=(token, device.run_id))
    refused = st.session_state.pop(state.TABLET_SIGNUP_ERROR, None)  # shown once, after the try that failed
    if refused:
        speech.message("error", refused, icon=":material/error:")
    remembered = st.session_state.get(state.TABLET_SIGNED_UP, {}).get(device.run_id, [])
    signed_up = candidates.tablet_sign_ups(engine(), token=token, candidate_ids=remembered)
    if not signed_up:
        return
    st.subheader(t("signup.signed_up_here"))
    for candidate in signed_up:
        with st.container(border=True):
            name, button = st.columns([3, 2], vertical_alignment="center")
            name.markdown(f"### {plain(candidate.first_name)}")
            button.button(t("signup.withdraw"), key=f"signup.withdraw.{candidate.id}", icon=":material/undo:",
                          width="stretch", on_click=_withdraw, args=(token, device.run_id, candidate))


def _tablet(token: str, device: lessons.DeviceContext) -> None:
    apply_tablet_style()
    current = shared.run_state(device.run_id)
    st.session_state[state.TABLET_DRAWN] = _position(device)
    st.caption(t("join.you_are", team=plain(device.team_name), classroom=plain(current.class_label)))
    if current.ended:
        st.title(t("join.lesson_over"))
        st.write(t("join.thanks"))
        if st.button(t("join.join_again"), key="join.again", type="primary"):
            st.query_params.clear()
            st.rerun()
        return
    shared.step_heading(current)
    question = shared.text_of(current.step.children_text)
    speech.said("### " + pictures.beside(current.step.pictogram, plain(question)), question)
    shared.step_image(current)
    kind = current.step.kind
    if kind == StepKind.BRAINSTORM:
        _brainstorm(token)
    elif kind == StepKind.WRITE_PLANS:
        _plan_form(token, device)
    elif kind == StepKind.PRESENT:
        speech.message("info", t("join.look_at_board"), icon=":material/co_present:")
    elif kind == StepKind.SIGN_UP:
        _sign_up(token, device, current)
    elif kind == StepKind.VOTE:
        # Voting happens on Stemmen with each child's own card; the tablet's token goes along so
        # a team cannot vote for its own plan where the poll says so.
        st.page_link(VOTE.path, label=t("join.go_vote"), icon=":material/how_to_vote:",
                     query_params={TOKEN_PARAM: token})
    _follow(device)


token = st.query_params.get(TOKEN_PARAM)
device = lessons.device_context(engine(), token)
display_switch(token if device else None)  # bigger text, high contrast: kept for the tablet
if device is None:
    if token:
        speech.message("warning", t("join.not_joined"))
    _join_form()
else:
    _tablet(token, device)
