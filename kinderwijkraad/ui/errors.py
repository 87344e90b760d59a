"""The one place that turns a domain error into a message in the user's language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from kinderwijkraad.errors import KwrError, NotAllowed
from kinderwijkraad.i18n import t
from kinderwijkraad.ui.format import plain


def error_text(error: KwrError) -> str:
    # Parameters can be user text (a theme name, an uploaded file's name, a template's title):
    # shown as typed, never as markdown.
    params = {key: plain(value) if isinstance(value, str) and key != "problem_key" else value
              for key, value in error.params.items()}
    if "field" in params:
        params["field"] = t(f"field.{params['field']}")
    if "problem_key" in params:  # a message inside the message (template errors)
        params["problem"] = t(params.pop("problem_key"), **params)
    return t(error.key, **params)


@contextmanager
def shows_errors() -> Iterator[None]:
    """Run a service call; a KwrError becomes st.error and stops nothing else on the page.
    Real bugs are not caught here."""
    try:
        yield
    except KwrError as error:
        if isinstance(error, NotAllowed):
            from kinderwijkraad.ui import audit, state  # imported late: ui.audit needs the database

            audit.note_refusal(st.session_state.get(state.ACTOR), error.key)
        st.error(error_text(error), icon=":material/error:")
