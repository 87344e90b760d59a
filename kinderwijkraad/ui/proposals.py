"""Pieces of the proposal pages: reply-link addresses, status labels and the dossier download."""

from __future__ import annotations

from functools import partial

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.services import proposals
from kinderwijkraad.services.common import Actor
from kinderwijkraad.services.proposals import ProposalView, RecipientRow
from kinderwijkraad.ui.audit import logged_export
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.format import label
from kinderwijkraad.ui.lesson import photos_dir


def reply_url(token: str) -> str:
    """The address an official opens: this server's answer page with the link token."""
    base = (getattr(st.context, "url", None) or "").split("?")[0].rstrip("/")
    base = base.rsplit("/", 1)[0] if base.endswith(("/voorstellen", "/reacties")) else base
    return f"{base}/antwoord?link={token}"


def status_text(row: RecipientRow) -> str:
    """"beantwoord: deels" or "verstuurd — reactie vóór 12-01-2027 (te laat)"."""
    text = label("recipient_status", row.status)
    if row.decision is not None:
        text += f": {label('decision', row.decision)}"
    if row.reply_by is not None and row.decision is None and row.status != row.status.CONCEPT:
        text += " — " + t("proposal.reply_by_short", date=row.reply_by.strftime("%d-%m-%Y"))
        if row.overdue:
            text += " " + t("proposal.overdue_mark")
    return text


def dossier_download(actor: Actor, view: ProposalView, row: RecipientRow, *, key: str) -> None:
    """The dossier for this recipient, rendered only when clicked."""
    st.download_button(
        t("proposal.download_pdf", organisation=row.organisation),
        logged_export(actor, "dossier", partial(proposals.dossier_pdf, engine(), actor=actor, recipient_id=row.id,
                                                photos_dir=photos_dir()), subject_id=row.id),
        file_name=proposals.dossier_file_name(view, row), mime="application/pdf",
        icon=":material/picture_as_pdf:", key=key, on_click="ignore",
    )
