"""What the teacher's screen, the smartboard and the children's tablets share while a lesson runs.

Tablets follow the teacher by polling: a fragment reruns every few seconds and compares the
run's state with what it drew. The state comes from a cache shared by every session of this
process with a one-second lifetime, so 25 tablets cost about one query per second, not 25.
"""

from __future__ import annotations

import io

import segno
import streamlit as st

from kinderwijkraad.config import ASSETS_DIR, get_settings
from kinderwijkraad.errors import NotFound
from kinderwijkraad.i18n import current_language, t
from kinderwijkraad.models import FieldType, PlanForm, StepKind
from kinderwijkraad.services import lessons, plans
from kinderwijkraad.services.images import photo_path
from kinderwijkraad.ui import pictures
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.format import plain
from kinderwijkraad.ui.links import public_url
from kinderwijkraad.ui.navigation import JOIN

FOLLOW_SECONDS = 2.0  # how often a tablet looks whether the teacher moved on
BOARD_SECONDS = 3.0  # how often the board refreshes notes and progress


@st.cache_data(ttl=1.0, show_spinner=False, max_entries=1000)
def run_state(run_id: int) -> lessons.RunState:
    return lessons.run_state(engine(), run_id)


@st.cache_data(ttl=1.0, show_spinner=False, max_entries=5000)
def plan_marker(team_id: int) -> tuple[int, str] | None:
    """(revision, status) of a team's plan; shared by the team's tablets."""
    return plans.plan_marker(engine(), team_id)


@st.cache_data(ttl=2.0, show_spinner=False, max_entries=1000)
def notes(run_id: int) -> list[lessons.NoteRow]:
    return lessons.notes(engine(), run_id)


def position(state: lessons.RunState) -> tuple:
    """What a tablet redraws for: another step, another plan on the board, or the end."""
    return (state.lesson_index, state.step_index, state.presented_plan_id, state.ended)


def photos_dir():
    return get_settings().photos_dir


def text_of(value) -> str:
    return value.get(current_language()) if value is not None else ""


def step_heading(state: lessons.RunState) -> None:
    st.caption(t("lesson.step_of", lesson=plain(text_of(state.lesson.title)), step=state.step_index + 1,
                 steps=state.step_count))
    st.title(plain(text_of(state.step.title)))


def step_image(state: lessons.RunState) -> None:
    if state.step.image:
        path = ASSETS_DIR / state.step.image
        if path.is_file():
            st.image(str(path), width="stretch")


def join_url(code: str) -> str:
    """The address a QR code on the board sends a tablet to: this app's join page (ui/links.py)."""
    return public_url(JOIN.url_path, code=code)


def join_panel(state: lessons.RunState) -> None:
    """The class code, big, and its QR code, for the board."""
    if not state.code_valid():
        st.warning(t("lesson.code_expired"))
        return
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.markdown(f"#### {t('lesson.join_with_code')}")
    left.markdown(f"# `{state.join_code}`")
    left.caption(t("lesson.join_hint"))
    qr = io.BytesIO()
    segno.make(join_url(state.join_code), error="m").save(qr, kind="png", scale=8, border=2)
    right.image(qr.getvalue(), width="stretch", caption=t("lesson.scan_me"), alt=t("lesson.scan_me"))


def brainstorm_columns(run_id: int) -> None:
    """The notes, in two columns: happy left, unhappy right. User text: shown as plain text."""
    happy, unhappy = st.columns(2)
    happy.subheader(t("brainstorm.happy"))
    unhappy.subheader(t("brainstorm.unhappy"))
    for note in notes(run_id):
        column = happy if note.mood.value == "happy" else unhappy
        with column.container(border=True):
            st.text(note.text)
            st.caption(plain(note.team_name))


def plan_card(plan: plans.PlanView, form: PlanForm, *, big: bool = False) -> None:
    """A plan as the class sees it: the title large, then every filled field with its label."""
    st.markdown(("## " if big else "#### ") + plain(plan.title or t("plan.untitled")))
    st.caption(t("plan.by_team", team=plain(plan.team_name)))
    for field in form.fields:
        if field.name == "title":
            continue
        if field.type == FieldType.PHOTO:
            if plan.photo_name:
                photo(plan.photo_name, width=480 if big else 280)
            continue
        value = plan.answers.get(field.name)
        if value:
            pictures.show(field.pictogram, f"**{plain(text_of(field.label))}**", size=pictures.STAFF_SIZE)
            st.text(value)


def photo(name: str, *, width: int) -> None:
    """A stored photo of a plan; a missing file is said, not a traceback."""
    try:
        st.image(str(photo_path(photos_dir(), name)), width=width)
    except NotFound:
        st.caption(t("plan.photo_missing"))


def board(state: lessons.RunState) -> None:
    """The smartboard: the children's text big, and what the step needs on the board."""
    step_heading(state)
    pictures.show(state.step.pictogram, plain(text_of(state.step.children_text)), prefix="### ")
    step_image(state)
    kind = state.step.kind
    if kind == StepKind.BRAINSTORM:
        brainstorm_columns(state.run_id)
    elif kind == StepKind.PRESENT and state.presented_plan_id is not None:
        shown = next((p for p in plans.presentable_plans(engine(), state.run_id)
                      if p.id == state.presented_plan_id), None)
        if shown is not None:
            with st.container(border=True):
                plan_card(shown, state.series.plan_form, big=True)
