"""Voorstellen aan ons: an official sees the proposals sent to their organisation, reads each
dossier, says it is being dealt with, answers, and marks it carried out."""

from functools import partial

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import RecipientStatus
from kinderwijkraad.services import answers, proposals
from kinderwijkraad.services.proposals import WAITING, RecipientRow
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.answer import answer_form, current_answer
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, plain
from kinderwijkraad.ui.proposals import dossier_download, status_text

actor = auth.require(*navigation.REPLIES.roles)

st.title(t("page.replies"))
state.show_flash()
if actor.organisation_id is None:
    st.warning(t("replies.no_organisation"))
    st.stop()
received = answers.proposals_for_official(engine(), actor=actor)
if not received:
    st.info(t("replies.none"))
    st.stop()


def _answer(row: RecipientRow, answer: answers.AnswerInput, _name: str) -> None:
    answers.answer_as_official(engine(), actor=actor, recipient_id=row.id, seen_revision=row.answer_revision,
                               answer=answer)


def _received(view: proposals.ProposalView, row: RecipientRow) -> None:
    with st.container(border=True):
        st.subheader(plain(view.title))
        st.caption(f"{plain(view.wijk)} · {view.school_year}")
        (st.error if row.overdue else st.info)(status_text(row))
        with st.expander(t("replies.proposal"), expanded=row.status in WAITING):
            for name in ("problem", "idea", "ask"):
                if view.fields[name]:
                    st.markdown(f"**{t(f'field.{name}')}**")
                    st.text(view.fields[name])
        left, right = st.columns(2)
        with left:
            dossier_download(actor, view, row, key=f"replies.pdf.{row.id}")
        move = proposals.possible_move(row.status, row.decision, official=True)
        if move and right.button(t(f"proposal.move.{move.value}"), key=f"replies.move.{row.id}"):
            with shows_errors():
                proposals.move_recipient(engine(), actor=actor, recipient_id=row.id, to=move)
                state.flash(t("proposal.moved", organisation=plain(row.organisation),
                              status=label("recipient_status", move)))
                st.rerun()
        current_answer(row)
        if row.status != RecipientStatus.DONE:
            with st.expander(t("replies.answer"), icon=":material/reply:", expanded=row.decision is None):
                answer_form("replies.form", row, ask_name=False, default_name=actor.display_name,
                            submit=partial(_answer, row))


# This school year's proposals; an earlier year's stay reachable (a late answer is still welcome)
# but folded away under their year.
years = list(dict.fromkeys(view.school_year for view, _ in received))
for view, row in received:
    if view.school_year == years[0]:
        _received(view, row)
earlier = [(view, row) for view, row in received if view.school_year != years[0]]
if earlier and st.toggle(t("replies.other_years", n=len(earlier)), key="replies.other_years"):
    for year in years[1:]:
        st.subheader(t("replies.school_year", year=year))
        for view, row in earlier:
            if view.school_year == year:
                _received(view, row)
