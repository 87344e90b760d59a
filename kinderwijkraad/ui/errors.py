"""The one place that turns a domain error into a message in the user's language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t


def error_text(error: KwrError) -> str:
    params = dict(error.params)
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
        st.error(error_text(error), icon=":material/error:")
