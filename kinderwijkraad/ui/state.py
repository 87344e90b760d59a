"""Every session-state key the app owns, declared once, with its initial value.

Session state holds ids and UI state only, never ORM objects or database sessions. The login
keys (`authentication_status`, `username`, `name`, `roles`, `logout`) and the cookie components'
keys (`init`, `set`, `delete`, ui/auth.py) are listed so no widget of ours reuses them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from kinderwijkraad.i18n import DEFAULT_LANGUAGE, set_language

LANGUAGE = "ui.language"
ACTOR = "auth.actor"  # services.common.Actor of this run: ids and role, recomputed every run
SET_COOKIE_PENDING = "auth.set_cookie_pending"  # write the login cookie until the browser confirms
DELETE_COOKIE_PENDING = "auth.delete_cookie_pending"  # delete it until the browser confirms
FLASH = "ui.flash"  # one success message to show after a rerun
SELECTED_NEIGHBOURHOOD = "wijken.neighbourhood_id"
# Lesson mode, tablets, themes and templates (set where they are used; no initial value needed)
LESSON_CLASSROOM = "les.classroom_id"  # the class picked on Les geven
JOIN_FOUND_RUN = "meedoen.run_id"  # the run whose code a tablet typed, while its team is chosen
TABLET_DRAWN = "meedoen.position"  # the lesson position (and team plan) a tablet's page was drawn for
TABLET_SAVE_ERROR = "meedoen.save_error"  # the last refused autosave, shown under the plan form
TABLET_NOTE_ERROR = "meedoen.note_error"  # a refused brainstorm note, shown once
TABLET_PLAN_REVISION = "meedoen.plan_revision"  # the plan revision the tablet's fields were filled from
TABLET_SIGNED_UP = "meedoen.signed_up"  # {run id: candidate ids} signed up on this tablet, to list and take back
TABLET_SIGNUP_ERROR = "meedoen.signup_error"  # a refused sign-up, shown once
# Votes: the staff page, the card-voting tablet and the booth tablet
POLL_SELECTED = "polls.poll_id"  # the poll open on Stemmingen
POLL_SELECT_NEXT = "polls.select_next"  # a poll just made: selected before the picker is drawn (or None)
POLL_CARDS_PDF = "polls.cards_pdf"  # prefix: the card sheet just made for a class, to download once
BALLOT_CHOICES = "ballot.choices"  # prefix: a ballot's choices so far, per poll id
BALLOT_NOTICE = "ballot.notice"  # "you already chose 3", shown once above the ballot
VOTE_CARD = "stemmen.card"  # the normalised card code being voted with
VOTE_POLL = "stemmen.poll"  # that card's PollView
VOTE_RECEIPT = "stemmen.receipt"  # the receipt code to show after the vote
VOTE_ERROR = "stemmen.error"  # a refused card or ballot, shown once
BOOTH_RECEIPT = "stemhokje.receipt"  # (receipt code, shown since) on the booth tablet
DISPLAY_MODE = "display.mode"  # services.display.Display chosen in this session (kept when no tablet token stores it)
TEMPLATES_SHOW_NEXT = "templates.show_next"  # a template copy to open on the next run
THEMES_SELECTED = "themes.selected_ids"  # plan ids selected in the themes table
COUNCIL_PDFS = "raad.pdfs"  # {(kind, cycle id): bytes}: certificates / programme made on click, to download
PRIVACY_ACCESS = "privacy.access"  # ((class id, first name), AccessExport) last looked up on Privacy

AUDIT_SEEN = "audit.seen"  # (what, cycle, subject) views of child-level data already logged this session

LIBRARY_KEYS = ("authentication_status", "username", "name", "roles", "email", "logout", "init", "set", "delete")

INITIAL: dict[str, Any] = {
    ACTOR: None,
    SET_COOKIE_PENDING: False,
    DELETE_COOKIE_PENDING: False,
    FLASH: None,
    SELECTED_NEIGHBOURHOOD: None,
}


def init_state(default_language: str) -> None:
    for key, value in INITIAL.items():
        st.session_state.setdefault(key, value)
    # Written back every run: the language picker is a widget, and Streamlit forgets a widget's
    # value after a run that did not draw it (the voting pages do not draw the sidebar).
    st.session_state[LANGUAGE] = st.session_state.get(LANGUAGE, default_language)


def use_session_language() -> None:
    """Set this run's language from the session. app.py does so on every full run; a fragment's
    own rerun (and the callbacks of its widgets) skips app.py and would otherwise speak Dutch."""
    set_language(st.session_state.get(LANGUAGE, DEFAULT_LANGUAGE))


def flash(message: str) -> None:
    """Remember a success message for the next run (a form that reruns would otherwise hide it)."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    """The remembered message, in a slot that is drawn on every run, message or not. An element
    that comes and goes above a page's tabs makes Streamlit remount them, and a remounted tab bar
    shows the tab the app opened while still sending the tab last clicked: the next button press
    then jumped back to that tab (Voorstellen, after "Voorstel maken")."""
    slot = st.empty()
    message = st.session_state.get(FLASH)
    if message:
        slot.success(message)
        st.session_state[FLASH] = None
