"""Pieces of the proposal pages: reply-link addresses, status labels, the dossier download and the
question asked before anything is thrown away."""

from __future__ import annotations

from functools import partial

import streamlit as st

from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.services import proposals
from kinderwijkraad.services.common import Actor
from kinderwijkraad.services.proposals import ProposalView, RecipientRow
from kinderwijkraad.ui.audit import logged_export
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.format import label
from kinderwijkraad.ui.lesson import photos_dir
from kinderwijkraad.ui.links import public_url
from kinderwijkraad.ui.navigation import REPLY


def reply_url(token: str) -> str:
    """The address an official opens: this app's answer page with the link token (ui/links.py)."""
    return public_url(REPLY.url_path, link=token)


def status_text(row: RecipientRow) -> str:
    """"beantwoord: deels" or "verstuurd — reactie vóór 12-01-2027 (te laat)"."""
    text = label("recipient_status", row.status)
    if row.decision is not None:
        text += f": {label('decision', row.decision)}"
    if row.reply_by is not None and row.decision is None and row.status != row.status.CONCEPT:
        text += " — " + t("proposal.reply_by_short", date=format_date(row.reply_by, "short"))
        if row.overdue:
            text += " " + t("proposal.overdue_mark")
    return text


def short_status(row: RecipientRow) -> str:
    """"verstuurd (te laat)" or "beantwoord: deels": the status for a table column, without the date."""
    text = label("recipient_status", row.status)
    if row.decision is not None:
        text += f": {label('decision', row.decision)}"
    elif row.overdue:
        text += " " + t("proposal.overdue_mark")
    return text


def _close(key: str) -> None:
    st.session_state[key] = False


def ask_first(label_text: str, question: str, confirm: str, *, key: str, icon: str = ":material/delete:") -> bool:
    """A button that throws something away asks first, in a popover: the question, "Annuleren"
    (closes it, nothing changes) and `confirm`. True on the run where `confirm` was pressed."""
    popover = st.popover(label_text, icon=icon, key=key, on_change="rerun")
    if not popover.open:
        return False
    with popover:
        st.markdown(question)
        cancel, yes = st.columns(2)
        cancel.button(t("proposal.cancel"), key=f"{key}.cancel", on_click=_close, args=(key,), width="stretch")
        return yes.button(confirm, key=f"{key}.yes", type="primary", width="stretch")


def dossier_download(actor: Actor, view: ProposalView, row: RecipientRow, *, key: str) -> None:
    """The dossier for this recipient, rendered only when clicked."""
    st.download_button(
        t("proposal.download_pdf", organisation=row.organisation),
        logged_export(actor, "dossier", partial(proposals.dossier_pdf, engine(), actor=actor, recipient_id=row.id,
                                                photos_dir=photos_dir()), subject_id=row.id),
        file_name=proposals.dossier_file_name(view, row), mime="application/pdf",
        icon=":material/picture_as_pdf:", key=key, on_click="ignore",
    )
