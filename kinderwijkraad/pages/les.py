"""Les: the teacher picks a class and a lesson and leads it step by step; the board shows the
children's text, the class code and what the step collects, and the tablets follow.

Everything that matters is stored: a refresh, or opening this page on another device, resumes
the lesson where the class is.
"""

import streamlit as st

from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.models import FieldType, StepKind
from kinderwijkraad.services import candidates, lessons, plans, templates
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, errors, navigation, state
from kinderwijkraad.ui import lesson as shared
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import error_text, shows_errors
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.style import apply_board_style

actor = auth.require(*navigation.LESSON.roles)
# Steps during which the board keeps showing how to join (a tablet that slept must get back in;
# in a sign_up step a child signs up on a tablet).
JOIN_STEPS = (StepKind.EXPLAIN, StepKind.BRAINSTORM, StepKind.WRITE_PLANS, StepKind.SIGN_UP)
REVIEW_SECONDS = 5.0  # how often the plan review looks for plans the teams wrote or changed


def _pick_class() -> lessons.ClassroomChoice | None:
    choices = lessons.teachable_classrooms(engine(), actor=actor)
    if not choices:
        st.info(t("lesson.no_classes"))
        return None
    by_id = {choice.id: choice for choice in choices}
    if st.session_state.get(state.LESSON_CLASSROOM) not in by_id:
        st.session_state[state.LESSON_CLASSROOM] = choices[0].id
    chosen = st.selectbox(t("lesson.class"), list(by_id), format_func=lambda i: by_id[i].label,
                          key=state.LESSON_CLASSROOM, placeholder=t("lesson.pick_class"))
    return by_id[chosen]


def _start_form(choice: lessons.ClassroomChoice, *, again: bool) -> None:
    try:
        summaries = templates.list_templates(engine())
    except KwrError as error:  # a broken shipped template: say which file, step and field
        st.error(error_text(error), icon=":material/error:")
        return
    by_id = {summary.id: summary for summary in summaries}
    # Outside the form: the lessons offered depend on the template chosen.
    template_id = st.selectbox(t("lesson.template"), list(by_id), key=f"lesson.template.{again}",
                               format_func=lambda i: f"{by_id[i].name} (v{by_id[i].version})",
                               placeholder=t("lesson.pick_template"))
    titles = by_id[template_id].lesson_titles
    with st.form(f"lesson.start_form.{again}"):
        lesson_index = st.radio(t("lesson.which_lesson"), range(len(titles)), format_func=lambda i: plain(titles[i]),
                                key=f"lesson.pick.{again}")
        if again:
            st.caption(t("lesson.start_again_note"))
        if st.form_submit_button(t("lesson.start"), type="primary", width="stretch"):
            with shows_errors():
                lessons.start_run(engine(), actor=actor, classroom_id=choice.id, template_id=template_id,
                                  lesson_index=lesson_index)
                st.rerun()


@errors.fragment(run_every=1.0)
def _timer(run_id: int) -> None:
    """The step's timer, big enough for the back of the room; red when over time."""
    current = shared.run_state(run_id)
    left = current.seconds_left()
    minutes, seconds = divmod(abs(left), 60)
    clock, button = st.columns([1, 1], vertical_alignment="center")
    clock.markdown(f"## :{'red' if left < 0 else 'green'}[{'-' if left < 0 else ''}{minutes:02d}:{seconds:02d}]")
    if current.timer_running:
        if button.button(t("lesson.pause"), key="lesson.pause", icon=":material/pause:", width="stretch"):
            with shows_errors():
                lessons.pause_timer(engine(), actor=actor, run_id=run_id)
                shared.run_state.clear()
                st.rerun(scope="fragment")
    elif button.button(t("lesson.start_timer"), key="lesson.start_timer", icon=":material/play_arrow:",
                       width="stretch"):
        with shows_errors():
            lessons.start_timer(engine(), actor=actor, run_id=run_id)
            shared.run_state.clear()
            st.rerun(scope="fragment")


def _go(run_id: int, step_index: int) -> None:
    with shows_errors():
        lessons.go_to_step(engine(), actor=actor, run_id=run_id, step_index=step_index)
        shared.run_state.clear()  # this screen shows the new step at once; tablets within seconds
        st.rerun()


def _controls(current: lessons.RunState) -> None:
    back, forward = st.columns(2)
    if back.button(t("lesson.previous"), key="lesson.previous", icon=":material/arrow_back:",
                   disabled=current.step_index == 0, width="stretch"):
        _go(current.run_id, current.step_index - 1)
    if forward.button(t("lesson.next"), key="lesson.next", icon=":material/arrow_forward:", type="primary",
                      disabled=current.step_index + 1 >= current.step_count, width="stretch"):
        _go(current.run_id, current.step_index + 1)


@errors.fragment(run_every=shared.BOARD_SECONDS)
def _live_board(run_id: int) -> None:
    shared.board(shared.run_state(run_id))


@errors.fragment(run_every=5.0)
def _progress(run_id: int) -> None:
    """Each team's plan: how far, and approved or not."""
    form = plans.plan_form(engine(), run_id)
    rows = plans.class_plans(engine(), actor=actor, run_id=run_id)
    if not rows:
        st.caption(t("lesson.no_teams_yet"))
        return
    st.dataframe(
        [{t("lesson.team"): row.team_name, t("plan.title_column"): row.title,
          t("plan.filled"): "{} / {}".format(*plans.filled_fields(form, row.answers, row.photo_name)),
          t("plan.status"): t(f"plan_status.{row.status.value}")} for row in rows],
        hide_index=True, width="stretch",
    )


def _correction_form(row: plans.PlanView, form) -> None:
    """The teacher corrects the texts (spelling, a missing word) of the revision on screen; the
    keys carry the revision, so a newer revision shows fresh fields."""
    with st.form(f"plan.correct.{row.id}.{row.revision}"):
        corrected = {}
        for field in form.fields:
            if field.type in (FieldType.TEXT, FieldType.LONG_TEXT):
                widget = st.text_area if field.type == FieldType.LONG_TEXT else st.text_input
                # No max_chars: a correction that is too long is refused by the service, saying by
                # how much, and the typed text stays.
                corrected[field.name] = widget(
                    plain(shared.text_of(field.label)), value=row.answers.get(field.name, ""),
                    key=f"plan.correct.{row.id}.{row.revision}.{field.name}")
        if st.form_submit_button(t("plan.save_correction")):
            with shows_errors():
                plans.correct_plan(engine(), actor=actor, plan_id=row.id, seen_revision=row.revision,
                                   answers=corrected)
                state.flash(t("plan.corrected", team=plain(row.team_name)))
                st.rerun()


@errors.fragment(run_every=REVIEW_SECONDS)
def _review(current: lessons.RunState) -> None:
    """Read, correct and approve the teams' plans, as they are now: polled like the progress table
    above, so a plan a team just wrote is here without a button press. Redrawing does not disturb a
    correction being typed: the expanders and forms keep their keys (a plan's id; its revision for
    the form, so a plan the team changed meanwhile shows its new text instead of being overwritten)."""
    st.button(t("plan.load_new"), key="plan.load_new", icon=":material/refresh:")
    form = current.series.plan_form
    for row in plans.class_plans(engine(), actor=actor, run_id=current.run_id):
        if row.id is None:
            continue
        icon = ":material/verified:" if row.approved else ":material/edit_note:"
        with st.expander(plain(f"{row.team_name}: {row.title or t('plan.untitled')}"), icon=icon,
                         key=f"plan.review.{row.id}"):
            shared.plan_card(row, form)
            _correction_form(row, form)
            if row.photo_name and st.button(t("plan.remove_photo"), key=f"plan.remove_photo.{row.id}",
                                            icon=":material/hide_image:"):
                with shows_errors():
                    plans.remove_photo(engine(), actor=actor, plan_id=row.id, directory=shared.photos_dir())
                    state.flash(t("plan.photo_removed", team=plain(row.team_name)))
                    st.rerun()
            if row.approved:
                if st.button(t("plan.reopen"), key=f"plan.reopen.{row.id}"):
                    with shows_errors():
                        plans.reopen_plan(engine(), actor=actor, plan_id=row.id)
                        st.rerun()
            elif st.button(t("plan.approve"), key=f"plan.approve.{row.id}.{row.revision}", type="primary",
                           icon=":material/verified:"):
                with shows_errors():
                    plans.approve_plan(engine(), actor=actor, plan_id=row.id, seen_revision=row.revision)
                    state.flash(t("plan.approved", team=plain(row.team_name)))
                    st.rerun()


@errors.guarded  # a widget callback runs outside the page run
def _present(run_id: int, key: str) -> None:
    """on_change of the picker: only a choice made here changes the board (a rerun of this page
    must not put back what another screen of the teacher replaced)."""
    with shows_errors():
        lessons.present_plan(engine(), actor=actor, run_id=run_id, plan_id=st.session_state[key])
        shared.run_state.clear()


def _present_picker(current: lessons.RunState) -> None:
    rows = plans.presentable_plans(engine(), current.run_id)  # the run is in scope: _run checked it
    if not rows:
        st.caption(t("lesson.no_plans_yet"))
        return
    options = [None] + [row.id for row in rows]
    names = {row.id: f"{row.team_name}: {row.title or t('plan.untitled')}" for row in rows} | {None: "—"}
    key = f"lesson.present.{current.run_id}"
    st.session_state[key] = current.presented_plan_id if current.presented_plan_id in options else None
    st.selectbox(t("lesson.show_plan"), options, format_func=names.get, key=key,
                 on_change=_present, args=(current.run_id, key), placeholder=t("lesson.pick_plan"))


@errors.fragment(run_every=shared.BOARD_SECONDS)
def _moderate(run_id: int) -> None:
    """A remove button per note, refreshed like the board, so a note just sent can go at once."""
    for note in shared.notes(run_id):
        if st.button(t("brainstorm.remove", text=plain(note.text[:40])), key=f"note.remove.{note.id}"):
            with shows_errors():
                lessons.delete_note(engine(), actor=actor, note_id=note.id)
                shared.notes.clear()
                st.rerun()


@errors.fragment(run_every=shared.BOARD_SECONDS)
def _sign_ups(run_id: int) -> None:
    """How many signed up and who, big enough for the board: the children chose to be seen as
    candidates. Names are user text: escaped."""
    signed_up = candidates.candidates_of_run(engine(), actor=actor, run_id=run_id)
    audit_ui.note_view(actor, "sign_ups", subject_id=run_id)
    with st.container(border=True):
        st.subheader(t("signup.count", count=len(signed_up)))
        if signed_up:
            st.markdown("### " + " · ".join(plain(candidate.first_name) for candidate in signed_up))
        else:
            st.caption(t("signup.none_yet"))


@errors.fragment(run_every=shared.BOARD_SECONDS)
def _moderate_sign_ups(run_id: int) -> None:
    """A remove button per name (a joke name, or a child who changed their mind later)."""
    for candidate in candidates.candidates_of_run(engine(), actor=actor, run_id=run_id):
        if st.button(t("signup.remove", name=plain(candidate.first_name)), key=f"signup.remove.{candidate.id}"):
            with shows_errors():
                candidates.remove_candidate(engine(), actor=actor, run_id=run_id, candidate_id=candidate.id)
                st.rerun()


def _teams(current: lessons.RunState) -> None:
    with st.expander(t("lesson.teams"), icon=":material/groups:"):
        st.caption(t("lesson.teams_hint"))
        existing = lessons.teams(engine(), current.run_id)
        if existing:
            st.text(", ".join(f"{team.name} ({team.devices})" for team in existing))
        with st.form("lesson.teams_form", clear_on_submit=True):
            names = st.text_area(t("lesson.team_names"), placeholder="De Vossen\nDe Uilen", key="lesson.team_names")
            if st.form_submit_button(t("lesson.add_teams")):
                with shows_errors():
                    added = lessons.add_teams(engine(), actor=actor, run_id=current.run_id, names=names.splitlines())
                    state.flash(t("lesson.teams_added", count=added))
                    st.rerun()


def _run(current: lessons.RunState) -> None:
    board_only = st.toggle(t("lesson.board_mode"), key="lesson.board_mode", help=t("lesson.board_mode_help"))
    if board_only:
        apply_board_style()
    # The controls first: the teacher moves on without scrolling past the board at every step.
    with st.container(border=True):
        _timer(current.run_id)
        _controls(current)
    _live_board(current.run_id)
    if current.step.kind == StepKind.SIGN_UP:
        _sign_ups(current.run_id)
    if current.step.kind in JOIN_STEPS or current.step_index == 0:
        with st.container(border=True):
            shared.join_panel(current)
    if board_only:
        return
    with st.container(border=True):
        st.markdown(f"**{t('lesson.for_teacher')}**")
        st.write(plain(shared.text_of(current.step.teacher_text)))
    kind = current.step.kind
    if kind == StepKind.PRESENT:
        _present_picker(current)
    if kind in (StepKind.WRITE_PLANS, StepKind.PRESENT):
        st.subheader(t("lesson.progress"))
        _progress(current.run_id)
        st.subheader(t("lesson.review"))
        _review(current)
    if kind == StepKind.BRAINSTORM:
        with st.expander(t("brainstorm.moderate"), icon=":material/delete:"):
            _moderate(current.run_id)
    if kind == StepKind.SIGN_UP:
        with st.expander(t("signup.moderate"), icon=":material/person_remove:"):
            _moderate_sign_ups(current.run_id)
    _teams(current)
    with st.popover(t("lesson.end"), icon=":material/stop_circle:"):
        st.write(t("lesson.end_confirm"))
        if st.button(t("lesson.end_now"), key="lesson.end_now", type="primary"):
            with shows_errors():
                lessons.end_run(engine(), actor=actor, run_id=current.run_id)
                st.rerun()


state.show_flash()
choice = _pick_class()
if choice is not None:
    if choice.open_run_id is None:
        st.title(t("page.lesson"))
        _start_form(choice, again=False)
    else:
        with shows_errors():
            _run(lessons.teacher_run_state(engine(), actor=actor, run_id=choice.open_run_id))
        if not st.session_state.get("lesson.board_mode"):
            with st.expander(t("lesson.start_other"), icon=":material/restart_alt:"):
                _start_form(choice, again=True)
