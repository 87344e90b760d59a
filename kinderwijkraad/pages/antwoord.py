"""Antwoord: an official without an account answers one proposal through a reply link
(`/antwoord?link=...`). The link shows that one proposal and its answer, nothing else."""

from functools import partial

import streamlit as st

from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import format_date, keep_language, t
from kinderwijkraad.services import answers
from kinderwijkraad.ui import state
from kinderwijkraad.ui.answer import answer_form, current_answer
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import error_text
from kinderwijkraad.ui.format import label, plain
from kinderwijkraad.ui.lesson import photos_dir

LINK_PARAM = "link"

st.title(t("reply.title"))
state.show_flash()
token = st.query_params.get(LINK_PARAM, "")
if not token:
    st.info(t("reply.no_link"))
    st.stop()
try:
    page = answers.open_reply_link(engine(), token=token)
except KwrError as error:
    st.error(error_text(error), icon=":material/link_off:")
    st.stop()

proposal, row = page.proposal, page.recipient
st.markdown(t("reply.intro", organisation=plain(page.organisation)))
st.subheader(plain(proposal.title))
if row.reply_by:
    st.caption(t("reply.reply_by", date=format_date(row.reply_by, "short")))
for name in ("problem", "idea", "ask"):
    if proposal.fields[name]:
        st.markdown(f"**{t(f'field.{name}')}**")
        st.text(proposal.fields[name])
st.download_button(t("reply.dossier"), keep_language(partial(answers.link_dossier_pdf, engine(), token=token,
                                                             photos_dir=photos_dir())),
                   file_name=f"{t('dossier.file_prefix')}-{proposal.id}.pdf", mime="application/pdf",
                   icon=":material/picture_as_pdf:", on_click="ignore")

st.divider()
st.subheader(t("reply.your_answer"))
st.caption(t("reply.status", status=label("recipient_status", row.status)))
current_answer(row)


def _submit(answer: answers.AnswerInput, name: str) -> None:
    answers.answer_by_link(engine(), token=token, seen_revision=row.answer_revision, answer=answer, answered_by=name)


answer_form("reply.form", row, ask_name=True, default_name=row.answered_by or row.contact, submit=_submit)
st.caption(t("reply.privacy"))
