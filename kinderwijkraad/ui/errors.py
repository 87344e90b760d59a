"""The one place that turns a domain error into a message in the user's language, and the one
boundary that turns an unexpected exception into an incident code."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec

import streamlit as st

from kinderwijkraad.errors import KwrError, NotAllowed
from kinderwijkraad.i18n import t
from kinderwijkraad.ui.format import plain

P = ParamSpec("P")


def error_text(error: KwrError) -> str:
    # Parameters can be user text (a theme name, an uploaded file's name, a template's title):
    # shown as typed, never as markdown.
    # "field" and "problem_key" name catalogue keys, not user text: escaped, "alderman_name" would
    # become "alderman\_name" and miss its label.
    params: dict[str, Any] = {
        key: plain(value) if isinstance(value, str) and key not in ("field", "problem_key") else value
        for key, value in error.params.items()}
    if "field" in params:
        params["field"] = t(f"field.{params['field']}")
    if "problem_key" in params:  # a message inside the message (template errors)
        params["problem"] = t(str(params.pop("problem_key")), **params)
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


# The one boundary for the unexpected (a real bug): the person sees a calm message in their
# language with a short code, the server log holds the traceback under that code. Nothing else
# catches broad exceptions. Streamlit's own st.stop()/st.rerun() are BaseExceptions and pass.
_INCIDENT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone
_log = logging.getLogger("kinderwijkraad.incident")
if not _log.handlers:  # the server's log (stderr) under the code; Streamlit configures only its own loggers
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _log.addHandler(_handler)
    _log.propagate = False


def incident_code() -> str:
    return "".join(secrets.choice(_INCIDENT_ALPHABET) for _ in range(4))


def show_incident(error: Exception) -> str:
    """Log `error` with a new incident code and show the calm message; returns the code."""
    code = incident_code()
    _log.error("incident %s", code, exc_info=error)
    st.error(t("error.incident", code=code), icon=":material/sentiment_dissatisfied:")
    return code


@contextmanager
def boundary() -> Iterator[None]:
    """Around a page run or a fragment run: an unexpected exception becomes an incident."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the boundary: everything else lets real bugs through to here
        show_incident(error)


def guarded(function: Callable[P, None]) -> Callable[P, None]:
    """The same boundary for a fragment or a widget callback (Streamlit runs those outside the
    page run that app.py guards)."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        from kinderwijkraad.ui import state  # imported late: ui.state is the app's, this module is everyone's

        state.use_session_language()  # a callback runs before app.py has set this run's language
        with boundary():
            function(*args, **kwargs)

    return run


def fragment(function: Callable[P, None] | None = None, *, run_every: float | None = None):
    """`st.fragment` inside the boundary: a fragment's own rerun does not pass through app.py."""
    if function is None:
        return lambda inner: st.fragment(guarded(inner), run_every=run_every)
    return st.fragment(guarded(function), run_every=run_every)
