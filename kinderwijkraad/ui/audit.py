"""What the pages write to the audit log themselves: a staff member looking at children's data
(once per session and subject, not on every rerun), an export when its file is made, and a
refusal. The entries hold what and which, never the data."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from kinderwijkraad.i18n import keep_language
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor
from kinderwijkraad.ui import state
from kinderwijkraad.ui.database import engine


def note_view(actor: Actor, what: str, *, cycle_id: int | None = None, subject_id: int | None = None) -> None:
    """`actor` saw child-level data (`what`: "council", "sign_ups"): logged once per session."""
    seen: set = st.session_state.setdefault(state.AUDIT_SEEN, set())
    key = (what, cycle_id, subject_id)
    if key in seen:
        return
    audit.record_now(engine(), actor=actor, action=f"view.{what}", subject=what, subject_id=subject_id,
                     cycle_id=cycle_id)
    seen.add(key)


def logged_export(actor: Actor, what: str, render: Callable[[], bytes], *, cycle_id: int | None = None,
                  subject_id: int | None = None) -> Callable[[], bytes]:
    """A download's `data`: logs the export when the file is made (on the click), then makes it."""
    database = engine()

    def make() -> bytes:
        audit.record_now(database, actor=actor, action=f"export.{what}", subject=what, subject_id=subject_id,
                         cycle_id=cycle_id)
        return render()

    return keep_language(make)


def note_export(actor: Actor, what: str, *, cycle_id: int | None = None, subject_id: int | None = None) -> None:
    """A file was made for download on a click (certificates, voting cards)."""
    audit.record_now(engine(), actor=actor, action=f"export.{what}", subject=what, subject_id=subject_id,
                     cycle_id=cycle_id)


def note_refusal(actor: Actor | None, key: str) -> None:
    """A logged-in staff member was refused something (a page, or an object outside their scope)."""
    if actor is not None:
        audit.record_now(engine(), actor=actor, action="refused", subject="permission", detail={"reason": key})
