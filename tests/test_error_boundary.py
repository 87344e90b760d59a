"""The one boundary for the unexpected (ui/errors.py): whatever raises in a page run, a fragment or a
widget callback, the person sees a calm message with an incident code in their language, never a
traceback, and the server log holds the traceback under that code."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kinderwijkraad.ui import state

CODE = re.compile(r"\(code ([A-Z2-9]{4})\)")


def _page_that_raises() -> None:
    import streamlit as st

    from kinderwijkraad.ui.errors import boundary

    with boundary():
        st.write("voor de fout")
        raise RuntimeError("/srv/secret/path.py line 12")


def _fragment_that_raises() -> None:
    import streamlit as st

    from kinderwijkraad.ui import errors

    @errors.fragment
    def board() -> None:
        if st.button("Kapot", key="test.break"):
            raise ValueError("fragment bug")

    board()


def _callback_that_raises() -> None:
    import streamlit as st

    from kinderwijkraad.ui.errors import guarded

    def explode() -> None:
        raise KeyError("callback bug")

    st.button("Kapot", key="test.break", on_click=guarded(explode))


def _incident(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    messages = [e.value for e in at.error]
    assert len(messages) == 1, messages
    return messages[0]


def test_a_page_that_raises_shows_an_incident_code_and_logs_the_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("kinderwijkraad.incident")
    logger.addHandler(caplog.handler)  # the incident logger does not propagate to the root
    try:
        at = AppTest.from_function(_page_that_raises).run()
    finally:
        logger.removeHandler(caplog.handler)
    message = _incident(at)
    code = CODE.search(message).group(1)
    assert message.startswith("Er ging iets mis") and "secret" not in message and "Traceback" not in message
    assert [m.value for m in at.markdown] == ["voor de fout"]  # what was drawn before stays
    record = next(r for r in caplog.records if r.name == "kinderwijkraad.incident")
    assert code in record.getMessage() and record.exc_info[0] is RuntimeError


def test_a_fragment_that_raises_stays_inside_the_boundary() -> None:
    at = AppTest.from_function(_fragment_that_raises).run()
    at.button(key="test.break").click().run()
    assert CODE.search(_incident(at))


@pytest.mark.parametrize(("language", "start"), [("nl", "Er ging iets mis"), ("en", "Something went wrong")])
def test_a_callback_that_raises_shows_the_incident_in_the_persons_language(language: str, start: str) -> None:
    at = AppTest.from_function(_callback_that_raises)
    at.session_state[state.LANGUAGE] = language
    at.run()
    at.button(key="test.break").click().run()
    message = _incident(at)
    assert message.startswith(start) and CODE.search(message)


def test_streamlit_is_told_to_show_no_error_details() -> None:
    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
