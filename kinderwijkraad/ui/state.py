"""Every session-state key the app owns, declared once, with its initial value.

Session state holds ids and UI state only, never ORM objects or database sessions. Keys that
streamlit-authenticator owns (`authentication_status`, `username`, `name`, `roles`, `logout`, and
its cookie components `init`, `set`, `delete`) are listed so no widget of ours reuses them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

LANGUAGE = "ui.language"
ACTOR = "auth.actor"  # services.common.Actor of this run: ids and role, recomputed every run
SET_COOKIE_PENDING = "auth.set_cookie_pending"  # write the login cookie until the browser confirms
DELETE_COOKIE_PENDING = "auth.delete_cookie_pending"  # delete it until the browser confirms
FLASH = "ui.flash"  # one success message to show after a rerun
SELECTED_NEIGHBOURHOOD = "wijken.neighbourhood_id"
SELECTED_CYCLE = "wijken.cycle_id"
# Lesson mode, tablets, themes and templates (set where they are used; no initial value needed)
LESSON_CLASSROOM = "les.classroom_id"  # the class picked on Les geven
JOIN_FOUND_RUN = "meedoen.run_id"  # the run whose code a tablet typed, while its team is chosen
TABLET_DRAWN = "meedoen.position"  # the lesson position (and team plan) a tablet's page was drawn for
TABLET_SAVE_ERROR = "meedoen.save_error"  # the last refused autosave, shown under the plan form
TABLET_NOTE_ERROR = "meedoen.note_error"  # a refused brainstorm note, shown once
TABLET_PLAN_REVISION = "meedoen.plan_revision"  # the plan revision the tablet's fields were filled from
TABLET_PHOTO_DONE = "meedoen.photo_done"  # the last photo upload handled
TEMPLATES_SHOW_NEXT = "templates.show_next"  # a template copy to open on the next run
THEMES_SELECTED = "themes.selected_ids"  # plan ids selected in the themes table

LIBRARY_KEYS = ("authentication_status", "username", "name", "roles", "email", "logout", "init", "set", "delete")

INITIAL: dict[str, Any] = {
    ACTOR: None,
    SET_COOKIE_PENDING: False,
    DELETE_COOKIE_PENDING: False,
    FLASH: None,
    SELECTED_NEIGHBOURHOOD: None,
    SELECTED_CYCLE: None,
}


def init_state(default_language: str) -> None:
    for key, value in INITIAL.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault(LANGUAGE, default_language)


def flash(message: str) -> None:
    """Remember a success message for the next run (a form that reruns would otherwise hide it)."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    message = st.session_state.get(FLASH)
    if message:
        st.success(message)
        st.session_state[FLASH] = None
