"""The answer to a proposal, shown and written the same way by an official in the app, by anyone
with a reply link, and by the facilitator typing in a letter."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import Decision
from kinderwijkraad.services.answers import AnswerInput
from kinderwijkraad.services.proposals import RecipientRow
from kinderwijkraad.ui import state
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time, plain

DECISIONS = list(Decision)
DECISION_ICONS = {Decision.ACCEPTED: ":material/check_circle:", Decision.PARTLY: ":material/contrast:",
                  Decision.REJECTED: ":material/cancel:"}


def current_answer(row: RecipientRow) -> None:
    """The answer on record, in full: whoever answers next sees it first."""
    if row.decision is None:
        st.info(t("answer.none_yet"), icon=":material/hourglass_empty:")
        return
    with st.container(border=True):
        st.markdown(f"**{t('answer.current')}** — {label('decision', row.decision)}")
        st.caption(t("answer.by", name=plain(row.answered_by), at=local_time(row.answered_at),
                     source=label("answer_source", row.answer_source)))
        for name, value in (("reasons", row.reasons), ("next_step", row.next_step), ("contact", row.answer_contact)):
            if value:
                st.markdown(f"**{t(f'field.{name}')}**")
                st.text(value)


def answer_form(key: str, row: RecipientRow, *, ask_name: bool, default_name: str,
                submit: Callable[[AnswerInput, str], None]) -> None:
    """Decision, reasons, next step and contact, filled with the answer on record. The form is keyed
    by the revision it shows, so after someone else's answer it opens afresh with theirs."""
    form = f"{key}.{row.id}.{row.answer_revision}"
    with st.form(form):
        decision = st.radio(t("field.decision"), DECISIONS, format_func=lambda d: label("decision", d),
                            index=DECISIONS.index(row.decision) if row.decision else None, horizontal=True,
                            key=f"{form}.decision")
        # No max_chars: a too-long text stays as typed and the service says by how much. The hints
        # are captions, not tooltips: an official without an account reads them once, at a glance.
        reasons = st.text_area(t("field.reasons"), value=row.reasons, key=f"{form}.reasons")
        st.caption(t("answer.reasons_help"))
        next_step = st.text_area(t("field.next_step"), value=row.next_step, key=f"{form}.next_step")
        contact = st.text_input(t("field.contact"), value=row.answer_contact, key=f"{form}.contact")
        st.caption(t("answer.contact_help"))
        name = (st.text_input(t("field.answered_by"), value=default_name, key=f"{form}.name") if ask_name
                else default_name)
        button = t("answer.replace") if row.decision else t("answer.save")
        if st.form_submit_button(button, type="primary", icon=":material/send:"):
            if decision is None:
                st.error(t("answer.choose_decision"), icon=":material/error:")
                return
            with shows_errors():
                submit(AnswerInput(decision, reasons, next_step, contact), name)
                state.flash(t("answer.saved"))
                st.rerun()
