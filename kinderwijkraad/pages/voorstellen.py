"""Voorstellen: the facilitator writes proposals from the top-3 themes with the council, sends each
recipient its dossier, follows the answers (from officials, reply links or letters), turns them into
children's words, and shares the feedback with every class."""

from functools import partial

import pandas as pd
import streamlit as st

from kinderwijkraad.exports.feedback import render_feedback_sheet
from kinderwijkraad.i18n import t
from kinderwijkraad.models import CostBand, Decision, ProposalInput, RecipientStatus
from kinderwijkraad.services import answers, audit, feedback, proposals
from kinderwijkraad.services.proposals import ProposalView, RecipientRow
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.answer import answer_form, current_answer
from kinderwijkraad.ui.cycles import pick_cycle
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time, plain
from kinderwijkraad.ui.proposals import dossier_download, reply_url, status_text

actor = auth.require(*navigation.PROPOSALS.roles)
# The proposal's text fields in the dossier's order; these get a box of several lines. The limits
# come from the model, so the form and the database never disagree.
LONG_FIELDS = frozenset({"problem", "idea", "children_contribution", "ask"})
TEXT_FIELDS = {name: next(m.max_length for m in field.metadata if hasattr(m, "max_length"))
               for name, field in ProposalInput.model_fields.items() if name != "cost_band"}
NEXT_MOVE = {RecipientStatus.CONCEPT: RecipientStatus.SENT, RecipientStatus.SENT: RecipientStatus.IN_PROGRESS,
             RecipientStatus.ANSWERED: RecipientStatus.DONE}
COST_BANDS = list(CostBand)
# The proposal "Voorstel maken" just made. Not the selectbox's own key: that widget is drawn
# earlier in the same run, and Streamlit refuses a change to a drawn widget's state.
MADE_PROPOSAL = "proposals.made"

st.title(t("page.proposals"))
state.show_flash()

cycle_id = pick_cycle(actor, key="proposals.cycle")


def _text_fields(values: dict[str, str], key: str) -> dict[str, str]:
    """The proposal's text, one input per field, in the order of the dossier."""
    result: dict[str, str] = {}
    for name, limit in TEXT_FIELDS.items():
        widget = st.text_area if name in LONG_FIELDS else st.text_input
        result[name] = widget(t(f"field.{name}"), value=values.get(name, ""), max_chars=limit,
                              help=t(f"proposal.help.{name}"), key=f"{key}.{name}")
    band = CostBand(values.get("cost_band", CostBand.UNKNOWN.value))
    result["cost_band"] = st.selectbox(t("field.cost_band"), COST_BANDS, index=COST_BANDS.index(band),
                                       format_func=lambda b: t(f"cost_band.{b.value}"), key=f"{key}.cost_band").value
    return result


# --- one proposal and its recipients -------------------------------------------------------


def _link_key(row: RecipientRow) -> str:
    return f"proposals.new_link.{row.id}"


def _links(row: RecipientRow) -> None:
    shown_key = _link_key(row)
    if st.session_state.get(shown_key):
        st.success(t("link.made"), icon=":material/link:")
        st.code(reply_url(st.session_state[shown_key]), language=None)
        st.caption(t("link.made_hint"))
    if st.button(t("link.make"), key=f"proposals.link.{row.id}", icon=":material/add_link:"):
        with shows_errors():
            st.session_state[shown_key] = answers.create_reply_link(engine(), actor=actor, recipient_id=row.id)
            st.rerun()
    for link in answers.reply_links(engine(), actor=actor, recipient_id=row.id):
        left, right = st.columns([4, 1], vertical_alignment="center")
        state_key = "usable" if link.usable else ("revoked" if link.revoked_at else "expired")
        left.caption(t(f"link.row.{state_key}", made=local_time(link.created_at), until=local_time(link.expires_at),
                       used=local_time(link.last_used_at)))
        if link.usable and right.button(t("link.revoke"), key=f"proposals.revoke.{link.id}"):
            with shows_errors():
                answers.revoke_reply_link(engine(), actor=actor, link_id=link.id)
                st.session_state.pop(shown_key, None)
                state.flash(t("link.revoked"))
                st.rerun()


def _child_words(row: RecipientRow) -> None:
    with st.form(f"proposals.child.{row.id}"):
        st.caption(t("feedback.child_words_hint"))
        text = st.text_area(t("field.child_answer"), value=row.child_answer or row.reasons, max_chars=1000)
        next_text = st.text_area(t("field.child_next"), value=row.child_next or row.next_step, max_chars=500)
        if st.form_submit_button(t("feedback.save_child_words"), type="primary"):
            with shows_errors():
                answers.set_child_answer(engine(), actor=actor, recipient_id=row.id, child_answer=text,
                                         child_next=next_text)
                state.flash(t("feedback.child_words_saved"))
                st.rerun()


def _recipient(view: ProposalView, row: RecipientRow) -> None:
    with st.container(border=True):
        st.markdown(f"#### {plain(row.organisation)}")
        if row.contact:
            st.caption(plain(row.contact))
        (st.error if row.overdue else st.info)(status_text(row), icon=":material/schedule:" if row.overdue else None)
        dates = [(name, getattr(row, f"{name}_at")) for name in ("sent", "in_progress", "answered", "done")]
        st.caption(" · ".join(t(f"proposal.date.{name}", at=local_time(at)) for name, at in dates if at))
        # One above the other: side by side, "Dossier voor Woonstichting Rivierthuis (PDF)" is cut off.
        dossier_download(actor, view, row, key=f"proposals.pdf.{row.id}")
        move = None if row.decision == Decision.REJECTED else NEXT_MOVE.get(row.status)
        if move and st.button(t(f"proposal.move.{move.value}"), key=f"proposals.move.{row.id}", type="primary"):
            with shows_errors():
                proposals.move_recipient(engine(), actor=actor, recipient_id=row.id, to=move)
                state.flash(t("proposal.moved", organisation=plain(row.organisation),
                              status=label("recipient_status", move)))
                st.rerun()
        if row.status == RecipientStatus.CONCEPT:
            if st.button(t("proposal.remove_recipient"), key=f"proposals.remove.{row.id}"):
                with shows_errors():
                    proposals.remove_recipient(engine(), actor=actor, recipient_id=row.id)
                    st.rerun()
            return
        current_answer(row)
        # Open after "Antwoordlink maken": the new link is shown only once, it must not be folded away.
        link_shown = bool(st.session_state.get(_link_key(row)))
        with st.expander(t("link.heading"), icon=":material/link:", expanded=link_shown):
            _links(row)
        if row.status != RecipientStatus.DONE:
            with st.expander(t("answer.enter_heading"), icon=":material/mail:"):
                answer_form("proposals.enter", row, ask_name=True, default_name=row.answered_by or row.contact,
                            submit=partial(_enter, row))
        if row.decision is not None:
            with st.expander(t("feedback.child_words_heading"), icon=":material/child_care:",
                             expanded=not row.child_answer):
                _child_words(row)


def _enter(row: RecipientRow, answer: answers.AnswerInput, name: str) -> None:
    answers.enter_answer(engine(), actor=actor, recipient_id=row.id, seen_revision=row.answer_revision,
                         answer=answer, answered_by=name)


def _edit(view: ProposalView) -> None:
    with st.expander(t("proposal.edit"), icon=":material/edit:"):
        with st.form(f"proposals.edit.{view.id}.{view.revision}"):
            values = _text_fields(view.fields, f"proposals.edit.{view.id}.{view.revision}")
            if st.form_submit_button(t("proposal.save"), type="primary"):
                with shows_errors():
                    proposals.update_proposal(engine(), actor=actor, proposal_id=view.id,
                                              seen_revision=view.revision, fields=values)
                    state.flash(t("proposal.saved"))
                    st.rerun()


def _add_recipient(view: ProposalView, partners: list[proposals.PartnerChoice]) -> None:
    missing = [p for p in partners if p.organisation_id not in {r.organisation_id for r in view.recipients}]
    if not missing:
        return
    with st.expander(t("proposal.add_recipient"), icon=":material/person_add:"):
        names = {p.organisation_id: p for p in missing}
        chosen = st.selectbox(t("field.organisation"), list(names), format_func=lambda i: names[i].name,
                              key=f"proposals.add_org.{view.id}")
        contacts = dict(names[chosen].contacts)
        contact = st.selectbox(t("field.contact_person"), [None, *contacts],
                               format_func=lambda i: contacts.get(i, t("proposal.no_contact")),
                               key=f"proposals.add_contact.{view.id}.{chosen}")
        if st.button(t("proposal.add_recipient"), key=f"proposals.add.{view.id}"):
            with shows_errors():
                proposals.add_recipient(engine(), actor=actor, proposal_id=view.id, organisation_id=chosen,
                                        contact_id=contact)
                st.rerun()


def _readable(detail: dict) -> dict[str, str]:
    """An audit entry's detail in words: statuses, decisions and field names translated."""
    kinds = {"from": "recipient_status", "to": "recipient_status", "decision": "decision", "source": "answer_source"}
    words = {key: label(kinds[key], value) for key, value in detail.items() if key in kinds}
    if "fields" in detail:
        words["fields"] = ", ".join(t(f"field.{name}") for name in detail["fields"])
    return words


def _history(view: ProposalView) -> None:
    recipient_ids = {r.id for r in view.recipients}
    rows = [row for row in audit.audit_log(engine(), actor=actor, cycle_id=view.cycle_id)
            if (row.subject == "proposal" and row.subject_id == view.id)
            or (row.subject == "recipient" and row.subject_id in recipient_ids)]
    with st.expander(t("audit.heading", count=len(rows)), icon=":material/history:"):
        organisations = {r.id: r.organisation for r in view.recipients}
        st.dataframe(pd.DataFrame([{
            t("audit.col.at"): local_time(row.at),
            t("audit.col.what"): t(f"audit.action.{row.action}", **_readable(row.detail)),
            t("audit.col.recipient"): organisations.get(row.subject_id, "") if row.subject == "recipient" else "",
            t("audit.col.who"): row.actor,
        } for row in rows]), hide_index=True, width="stretch")


def _proposal(view: ProposalView, partners: list[proposals.PartnerChoice]) -> None:
    st.subheader(plain(view.title))
    if view.theme:
        st.caption(t("proposal.from_theme", theme=plain(view.theme)))
    if view.plans:
        st.caption(t("proposal.plans", plans=", ".join(plain(f"{p.title} ({p.class_label})") for p in view.plans)))
    _edit(view)
    for row in view.recipients:
        _recipient(view, row)
    _add_recipient(view, partners)
    _history(view)
    deletable = all(r.status == RecipientStatus.CONCEPT for r in view.recipients)
    if deletable and st.button(t("proposal.delete"), key=f"proposals.delete.{view.id}", icon=":material/delete:"):
        with shows_errors():
            proposals.delete_proposal(engine(), actor=actor, proposal_id=view.id)
            state.flash(t("proposal.deleted"))
            st.rerun()


def _overview(cycle_id: int) -> None:
    views = proposals.list_proposals(engine(), actor=actor, cycle_id=cycle_id)
    if not views:
        st.info(t("proposal.none_yet"))
        return
    st.dataframe(pd.DataFrame([{
        t("proposal.col.proposal"): view.title, t("proposal.col.recipient"): row.organisation,
        t("proposal.col.status"): status_text(row),
        t("proposal.col.days_waiting"): str(row.days_waiting) if row.days_waiting is not None else "",
    } for view in views for row in view.recipients]), hide_index=True, width="stretch")
    for row in (r for view in views for r in view.recipients if r.overdue):
        st.error(t("proposal.overdue", organisation=plain(row.organisation), proposal=plain(row.proposal_title),
                   date=row.reply_by.strftime("%d-%m-%Y")), icon=":material/alarm:")
    by_id = {view.id: view for view in views}
    # A proposal just made (tab "Nieuw voorstel", drawn after this selectbox) is shown first.
    if (made := st.session_state.pop(MADE_PROPOSAL, None)) in by_id:
        st.session_state["proposals.selected"] = made
    chosen = st.selectbox(t("proposal.choose"), list(by_id), format_func=lambda i: by_id[i].title,
                          key="proposals.selected")
    _proposal(by_id[chosen], proposals.partner_choices(engine(), actor=actor, cycle_id=cycle_id))


# --- a new proposal from a theme -----------------------------------------------------------


def _new(cycle_id: int) -> None:
    sources = proposals.theme_sources(engine(), actor=actor, cycle_id=cycle_id)
    partners = proposals.partner_choices(engine(), actor=actor, cycle_id=cycle_id)
    if not sources:
        st.info(t("proposal.no_themes"))
        return
    if not partners:
        st.warning(t("proposal.no_partners"))
        return
    by_id = {s.theme_id: s for s in sources}

    def theme_label(theme_id: int) -> str:
        source = by_id[theme_id]
        if source.place is None:
            return source.name
        return t("proposal.theme_option", theme=source.name, place=source.place, score=source.score)

    theme_id = st.selectbox(t("proposal.theme"), list(by_id), format_func=theme_label, key="proposals.new_theme")
    source = by_id[theme_id]
    if source.place is not None and not source.in_top:
        st.warning(t("proposal.not_in_top"))
    draft = proposals.draft_from_theme(engine(), actor=actor, theme_id=theme_id)
    key = f"proposals.new.{cycle_id}.{theme_id}"
    with st.form(key):
        plan_names = {p.id: f"{p.title} ({p.class_label})" for p in source.plans}
        plan_ids = st.multiselect(t("proposal.plans_label"), list(plan_names), default=list(plan_names),
                                  format_func=plan_names.get, key=f"{key}.plans")
        st.caption(t("proposal.draft_hint"))
        values = _text_fields(draft, key)
        st.markdown(f"**{t('proposal.recipients')}**")
        recipients: list[tuple[int, int | None]] = []
        for partner in partners:
            columns = st.columns([2, 3], vertical_alignment="center")
            wanted = columns[0].checkbox(plain(partner.name), key=f"{key}.to.{partner.organisation_id}",
                                         value=partner.kind in ("municipality", "housing"))
            contacts = dict(partner.contacts)
            contact = columns[1].selectbox(t("field.contact_person"), [None, *contacts],
                                           index=1 if contacts else 0,
                                           format_func=lambda i, c=contacts: c.get(i, t("proposal.no_contact")),
                                           key=f"{key}.contact.{partner.organisation_id}")
            if wanted:
                recipients.append((partner.organisation_id, contact))
        if st.form_submit_button(t("proposal.create"), type="primary", icon=":material/note_add:"):
            with shows_errors():
                new_id = proposals.create_proposal(engine(), actor=actor, cycle_id=cycle_id, theme_id=theme_id,
                                                   plan_ids=plan_ids, fields=values, recipients=recipients)
                st.session_state[MADE_PROPOSAL] = new_id
                state.flash(t("proposal.created", title=plain(values["title"])))
                st.rerun()


# --- feedback to the classes ---------------------------------------------------------------

STAGE_MARK = {True: "✓", False: "✗", None: "·"}


def _feedback(cycle_id: int) -> None:
    classes = feedback.class_overview(engine(), actor=actor, cycle_id=cycle_id)
    with_plans = [c for c in classes if c.plans]
    if not with_plans:
        st.info(t("feedback.no_classes"))
    else:
        st.dataframe(pd.DataFrame([{
            t("feedback.col.class"): c.label, t("feedback.col.plans"): c.plans, t("feedback.col.answered"): c.answered,
            t("feedback.col.shared"): local_time(c.last_shared_at) if c.last_shared_at else t("feedback.not_shared"),
        } for c in with_plans]), hide_index=True, width="stretch")
        labels = {c.classroom_id: c.label for c in with_plans}
        classroom_id = st.selectbox(t("feedback.choose_class"), list(labels), format_func=labels.get,
                                    key="proposals.feedback_class")
        _sheet(classroom_id)
    st.subheader(t("lifecycle.heading"))
    st.caption(t("lifecycle.legend"))
    rows = feedback.lifecycles(engine(), actor=actor, cycle_id=cycle_id)
    if rows:
        stage_columns = {t(f"lifecycle.stage.{stage}"): st.column_config.TextColumn(width="small")
                         for stage in feedback.STAGES}
        st.dataframe(pd.DataFrame([{
            t("lifecycle.col.plan"): row.title,
            **{t(f"lifecycle.stage.{stage}"): STAGE_MARK[value] for stage, value in row.stages.items()},
            t("lifecycle.col.class"): row.class_label, t("lifecycle.col.theme"): row.theme,
        } for row in rows]), hide_index=True, width="stretch", column_config=stage_columns)


def _sheet(classroom_id: int) -> None:
    with shows_errors():
        sheet = feedback.feedback_sheet(engine(), actor=actor, classroom_id=classroom_id)
        with st.container(border=True):
            st.markdown(f"### {t('pdf.feedback.title')}")
            for plan in sheet.plans:
                st.markdown(f"**{plain(plan.title)}** — {plain(plan.outcome)}")
                for answer in plan.answers:
                    said = f" — {plain(answer.answer)}" if answer.answer else ""
                    st.markdown(f"- {plain(answer.organisation)}: **{plain(answer.decision_label)}**{said}")
        # One above the other: side by side, the download's label is cut off on a tablet.
        st.download_button(t("feedback.download"), audit_ui.logged_export(
                               actor, "feedback_sheet", partial(render_feedback_sheet, sheet), subject_id=classroom_id),
                           file_name=f"terugkoppeling-{classroom_id}.pdf", mime="application/pdf",
                           icon=":material/picture_as_pdf:", key=f"proposals.sheet.{classroom_id}",
                           on_click="ignore")
        if st.button(t("feedback.mark_shared"), key=f"proposals.shared.{classroom_id}", type="primary",
                        icon=":material/co_present:"):
            with shows_errors():
                feedback.record_shared(engine(), actor=actor, classroom_id=classroom_id)
                state.flash(t("feedback.shared"))
                st.rerun()


overview_tab, new_tab, feedback_tab = st.tabs([t("proposal.tab.overview"), t("proposal.tab.new"),
                                               t("proposal.tab.feedback")])
with overview_tab:
    _overview(cycle_id)
with new_tab:
    _new(cycle_id)
with feedback_tab:
    _feedback(cycle_id)
