"""Voorstellen: the facilitator writes proposals from the top-3 themes with the council, sends each
recipient its dossier, follows the answers (from officials, reply links or letters), turns them into
children's words, and shares the feedback with every class."""

from functools import partial

import pandas as pd
import streamlit as st

from kinderwijkraad.config import get_settings
from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import CostBand, MailStatus, ProposalInput, RecipientStatus
from kinderwijkraad.services import answers, audit, feedback, mail, proposals
from kinderwijkraad.services.proposals import ProposalView, RecipientRow
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.answer import answer_form, current_answer
from kinderwijkraad.ui.cycles import pick_cycle
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time, plain
from kinderwijkraad.ui.proposals import ask_first, dossier_download, reply_url, short_status, status_text
from kinderwijkraad.ui.tabs import place_tabs

actor = auth.require(*navigation.PROPOSALS.roles)
# The proposal's text fields in the dossier's order; the long ones get a box of several lines. No
# max_chars: a too-long text stays in its box as typed, and the service says by how much.
LONG_FIELDS = frozenset({"problem", "idea", "children_contribution", "ask"})
TEXT_FIELDS = [name for name in ProposalInput.model_fields if name != "cost_band"]
COST_BANDS = list(CostBand)
# The proposal to show on the next run: the one "Voorstel maken" just made, or the one just saved
# (set again so the chooser shows its new title; otherwise the browser keeps the old one once). Not
# the selectbox's own key: that widget is drawn earlier in the run, and Streamlit refuses a change
# to a drawn widget's state.
SHOW_PROPOSAL = "proposals.show"
SELECTED = "proposals.selected"
TAB = "proposal.tab"
OPEN_TAB = "proposals.open_tab"  # the tab to open on the next run (set after the tabs are drawn)
# The recipient whose "E-mail" section was last used (sent, retried, paused): drawn open, so the
# facilitator sees what happened where they clicked. A message that did not go yet, to show there.
MAIL_OPEN, MAIL_NOT_YET = "proposals.mail_open", "proposals.mail_not_yet"
MAIL_SENDABLE = (RecipientStatus.CONCEPT, *proposals.WAITING)

st.title(t("page.proposals"))
state.show_flash()

cycle_id = pick_cycle(actor, key="proposals.cycle")


def _text_fields(values: dict[str, str], key: str) -> dict[str, str]:
    """The proposal's text, one input per field, in the order of the dossier."""
    result: dict[str, str] = {}
    for name in TEXT_FIELDS:
        widget = st.text_area if name in LONG_FIELDS else st.text_input
        result[name] = widget(t(f"field.{name}"), value=values.get(name, ""),
                              help=t(f"proposal.help.{name}") or None, key=f"{key}.{name}")
    band = CostBand(values.get("cost_band", CostBand.UNKNOWN.value))
    result["cost_band"] = st.selectbox(t("field.cost_band"), COST_BANDS, index=COST_BANDS.index(band),
                                       format_func=lambda b: t(f"cost_band.{b.value}"), key=f"{key}.cost_band",
                                       placeholder=t("proposal.pick")).value
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
        if not link.usable:
            continue
        with right:
            revoke = ask_first(t("link.revoke"), t("link.revoke_confirm"), t("link.revoke_yes"),
                               key=f"proposals.revoke.{link.id}", icon=":material/link_off:")
        if revoke:
            with shows_errors():
                answers.revoke_reply_link(engine(), actor=actor, link_id=link.id)
                st.session_state.pop(shown_key, None)
                state.flash(t("link.revoked"))
                st.rerun()


def _child_words(row: RecipientRow) -> None:
    """The official's letter beside a box for the children's words: the class hears only those."""
    if row.words_needed == "outdated":
        st.warning(t("feedback.words_outdated"), icon=":material/update:")
    with st.container(border=True):
        st.caption(t("feedback.letter_heading", organisation=plain(row.organisation)))
        st.markdown(plain(row.reasons) or "—")
        if row.next_step:
            st.caption(t("field.next_step"))
            st.markdown(plain(row.next_step))
    with st.form(f"proposals.child.{row.id}.{row.answer_revision}"):
        st.caption(t("feedback.child_words_hint"))
        text = st.text_area(t("field.child_answer"), value=row.child_answer,
                            key=f"proposals.child.{row.id}.{row.answer_revision}.answer")
        next_text = st.text_area(t("field.child_next"), value=row.child_next,
                                 key=f"proposals.child.{row.id}.{row.answer_revision}.next")
        if st.form_submit_button(t("feedback.save_child_words"), type="primary"):
            with shows_errors():
                answers.set_child_answer(engine(), actor=actor, recipient_id=row.id, child_answer=text,
                                         child_next=next_text, seen_revision=row.answer_revision)
                state.flash(t("feedback.child_words_saved"))
                st.rerun()


def _message_line(message: mail.MessageRow) -> str:
    """One message in "Wat er verstuurd is": what, to whom, its status, when, and what went wrong."""
    parts = [t("mail.row", kind=t(f"mail_kind.{message.kind.value}"), to=plain(message.to),
               status=label("mail_status", message.status))]
    if message.reminder_number is not None:
        parts.append(t("mail.reminder_number", number=message.reminder_number))
    if message.status == MailStatus.SENT:
        parts.append(t("mail.row_outbox" if message.to_outbox else "mail.row_sent", at=local_time(message.sent_at)))
    elif message.status != MailStatus.CANCELLED:
        parts.append(t("mail.row_queued", at=local_time(message.created_at)))
    if message.status == MailStatus.CANCELLED and message.last_error:
        parts.append(t(f"mail.cancel_reason.{message.last_error}"))
    elif message.last_error:
        parts.append(t("mail.row_error", error=plain(message.last_error)))
    return " · ".join(parts)


def _deliver_now(row: RecipientRow, message_id: int) -> None:
    """Hand the message over at once (not at the next mail run), and say how that went."""
    settings = get_settings().mail
    mail.deliver_one(engine(), message_id, settings)
    sent = next(m for m in mail.messages_of(engine(), actor=actor, recipient_id=row.id) if m.id == message_id)
    st.session_state[MAIL_OPEN] = row.id
    if sent.status == MailStatus.SENT:
        state.flash(t("mail.sent_to_outbox" if sent.to_outbox else "mail.sent_to_server", to=plain(sent.to)))
    else:
        reason = (t(f"mail.cancel_reason.{sent.last_error}") if sent.status == MailStatus.CANCELLED
                  else plain(sent.last_error or "—"))
        st.session_state[MAIL_NOT_YET] = (row.id, t("mail.not_yet", reason=reason))


def _mail(row: RecipientRow) -> None:
    """Versturen per e-mail: to whom, how it reads, and what was sent already (newest first)."""
    messages = mail.messages_of(engine(), actor=actor, recipient_id=row.id)
    sent_before = mail.dossier_count(messages)
    notice = st.session_state.get(MAIL_NOT_YET)
    if notice and notice[0] == row.id:
        st.warning(st.session_state.pop(MAIL_NOT_YET)[1], icon=":material/schedule_send:")
    sendable = row.status in MAIL_SENDABLE
    if sendable:
        typed = st.text_input(t("mail.other_address"), key=f"proposals.mail_to.{row.id}").strip()
        preview = mail.preview(engine(), actor=actor, recipient_id=row.id, mail=get_settings().mail,
                               to_address=typed or None)
        if preview.to:
            st.caption(t("mail.to", to=plain(preview.to)))
        else:
            st.warning(t("mail.no_address"), icon=":material/alternate_email:")
        if preview.reply_to:
            st.caption(t("mail.reply_to", reply_to=plain(preview.reply_to)))
        else:
            st.warning(t("mail.no_reply_to"), icon=":material/reply:")
        st.markdown(f"**{t('mail.preview')}**")
        with st.container(border=True):
            st.markdown(f"**{plain(preview.subject)}**")
            st.text(preview.text)
            if preview.attachment_name:
                st.caption(t("mail.attachment", name=plain(preview.attachment_name)))
        # Once it went, sending again is the exception (a corrected address), no longer the next step.
        if st.button(t("mail.send_again" if sent_before else "mail.send"), key=f"proposals.mail_send.{row.id}",
                     type="secondary" if sent_before else "primary", icon=":material/send:"):
            with shows_errors():
                message_id = mail.send_proposal(engine(), actor=actor, recipient_id=row.id, mail=get_settings().mail,
                                                to_address=typed or None, seen_sent=sent_before)
                _deliver_now(row, message_id)
                st.rerun()
    st.markdown(f"**{t('mail.sent_list')}**")
    if not messages:
        st.caption(t("mail.nothing_sent"))
    for message in messages:
        if message.status != MailStatus.FAILED:
            st.caption(_message_line(message))
            continue
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(_message_line(message))
        if right.button(t("mail.retry"), key=f"proposals.mail_retry.{message.id}", icon=":material/refresh:"):
            with shows_errors():
                mail.retry(engine(), actor=actor, message_id=message.id)
                _deliver_now(row, message.id)
                st.rerun()
    if sendable:
        plan = mail.reminder_plan(engine(), actor=actor, recipient_id=row.id)
        when = format_date(plan.reply_by)
        st.caption(t("mail.reminders_plan", days=plan.days_before, date=when, after=plan.after) if plan.days_before
                   else t("mail.reminders_after_only", date=when, after=plan.after))
        if sent_before and row.status in proposals.WAITING:
            # The stored value is in the key: after a change (here or elsewhere) the switch starts from it.
            paused = st.toggle(t("mail.pause"), value=plan.paused, help=t("mail.pause_help"),
                               key=f"proposals.mail_pause.{row.id}.{plan.paused}")
            if paused != plan.paused:
                with shows_errors():
                    mail.set_reminders_paused(engine(), actor=actor, recipient_id=row.id, paused=paused)
                    st.session_state[MAIL_OPEN] = row.id
                    state.flash(t("mail.paused" if paused else "mail.resumed", organisation=plain(row.organisation)))
                    st.rerun()


def _mail_section(row: RecipientRow) -> None:
    # Sending by hand (marking it sent, the dossier download) still works beside this.
    with st.expander(t("mail.heading"), icon=":material/outgoing_mail:", key=f"proposals.mail.{row.id}",
                     expanded=st.session_state.get(MAIL_OPEN) == row.id):
        _mail(row)


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
        move = row.next_move
        if move and st.button(t(f"proposal.move.{move.value}"), key=f"proposals.move.{row.id}", type="primary"):
            with shows_errors():
                proposals.move_recipient(engine(), actor=actor, recipient_id=row.id, to=move)
                state.flash(t("proposal.moved", organisation=plain(row.organisation),
                              status=label("recipient_status", move)))
                st.rerun()
        if row.removable:
            _mail_section(row)
            if ask_first(t("proposal.remove_recipient"),
                         t("proposal.remove_recipient_confirm", organisation=plain(row.organisation)),
                         t("proposal.remove_recipient_yes"), key=f"proposals.remove.{row.id}",
                         icon=":material/person_remove:"):
                with shows_errors():
                    proposals.remove_recipient(engine(), actor=actor, recipient_id=row.id)
                    st.rerun()
            return
        current_answer(row)
        _mail_section(row)
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
                             expanded=row.words_needed is not None, key=f"proposals.child_words.{row.id}"):
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
                    st.session_state[SHOW_PROPOSAL] = view.id
                    state.flash(t("proposal.saved"))
                    st.rerun()


def _add_recipient(view: ProposalView, partners: list[proposals.PartnerChoice]) -> None:
    missing = [p for p in partners if p.organisation_id not in {r.organisation_id for r in view.recipients}]
    if not missing:
        return
    with st.expander(t("proposal.add_recipient"), icon=":material/person_add:"):
        names = {p.organisation_id: p for p in missing}
        chosen = st.selectbox(t("field.organisation"), list(names), format_func=lambda i: names[i].name,
                              key=f"proposals.add_org.{view.id}", placeholder=t("proposal.pick"))
        contacts = dict(names[chosen].contacts)
        contact = st.selectbox(t("field.contact_person"), [None, *contacts],
                               format_func=lambda i: contacts.get(i, t("proposal.no_contact")),
                               key=f"proposals.add_contact.{view.id}.{chosen}", placeholder=t("proposal.pick"))
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
    rows = audit.subject_history(engine(), actor=actor, cycle_id=view.cycle_id,
                                 subjects={"proposal": [view.id], "recipient": [r.id for r in view.recipients]})
    with st.expander(t("audit.heading", count=len(rows)), icon=":material/history:"):
        organisations = {r.id: r.organisation for r in view.recipients}

        def what(row: audit.AuditRow) -> str:
            done = t(f"audit.action.{row.action}", **_readable(row.detail))
            return f"{done} — {organisations.get(row.subject_id, '')}" if row.subject == "recipient" else done

        # Three columns that fit a 1024 px screen: when, who, and what (the recipient last: on a
        # narrow screen that is what runs out of room, and the cell's tooltip has it all).
        at, who, did = t("audit.col.at"), t("audit.col.who"), t("audit.col.what")
        st.dataframe(pd.DataFrame([{at: local_time(row.at), who: row.actor, did: what(row)} for row in rows],
                                  columns=[at, who, did]),
                     hide_index=True, width="stretch",
                     column_config={at: st.column_config.TextColumn(width=125),
                                    who: st.column_config.TextColumn(width=150),
                                    did: st.column_config.TextColumn(width=310)})


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
    if view.deletable and ask_first(t("proposal.delete"), t("proposal.delete_confirm", title=plain(view.title)),
                                    t("proposal.delete_yes"), key=f"proposals.delete.{view.id}"):
        with shows_errors():
            proposals.delete_proposal(engine(), actor=actor, proposal_id=view.id)
            state.flash(t("proposal.deleted"))
            st.rerun()


def _overview(cycle_id: int) -> None:
    views = proposals.list_proposals(engine(), actor=actor, cycle_id=cycle_id)
    if not views:
        st.info(t("proposal.none_yet"))
        return
    # A plain table: it wraps long titles instead of scrolling sideways, so every column, the days
    # waiting too, shows on a 1024 px screen. The status goes without its date (the date is in the
    # warnings under the table and on the recipient's card).
    st.table([{t("proposal.col.proposal"): view.title, t("proposal.col.recipient"): row.organisation,
               t("proposal.col.status"): short_status(row),
               t("proposal.col.days_waiting"): "" if row.days_waiting is None else str(row.days_waiting)}
              for view in views for row in view.recipients], hide_index=True)
    for row in (r for view in views for r in view.recipients if r.overdue):
        st.error(t("proposal.overdue", organisation=plain(row.organisation), proposal=plain(row.proposal_title),
                   date=format_date(row.reply_by, "short")), icon=":material/alarm:")
    by_id = {view.id: view for view in views}
    # A proposal just made (tab "Nieuw voorstel") or saved is shown; a choice that is gone (deleted,
    # here or by someone else) makes way for the newest. Both set explicitly: the browser keeps
    # showing the old title otherwise.
    if (made := st.session_state.pop(SHOW_PROPOSAL, None)) in by_id:
        st.session_state[SELECTED] = made
    if st.session_state.get(SELECTED, next(iter(by_id))) not in by_id:
        st.session_state[SELECTED] = next(iter(by_id))
    chosen = st.selectbox(t("proposal.choose"), list(by_id), format_func=lambda i: by_id[i].title,
                          key=SELECTED, persist_state="page", placeholder=t("proposal.pick"))
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

    theme_id = st.selectbox(t("proposal.theme"), list(by_id), format_func=theme_label, key="proposals.new_theme",
                            placeholder=t("proposal.pick"))
    source = by_id[theme_id]
    if source.place is not None and not source.in_top:
        st.warning(t("proposal.not_in_top"))
    draft = proposals.draft_from_theme(engine(), actor=actor, theme_id=theme_id)
    key = f"proposals.new.{cycle_id}.{theme_id}"
    with st.form(key):
        plan_names = {p.id: f"{p.title} ({p.class_label})" for p in source.plans}
        plan_ids = st.multiselect(t("proposal.plans_label"), list(plan_names), default=list(plan_names),
                                  format_func=plan_names.get, key=f"{key}.plans",
                                  placeholder=t("proposal.pick_plans"))
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
                                           key=f"{key}.contact.{partner.organisation_id}",
                                           placeholder=t("proposal.pick"))
            if wanted:
                recipients.append((partner.organisation_id, contact))
        if st.form_submit_button(t("proposal.create"), type="primary", icon=":material/note_add:"):
            with shows_errors():
                new_id = proposals.create_proposal(engine(), actor=actor, cycle_id=cycle_id, theme_id=theme_id,
                                                   plan_ids=plan_ids, fields=values, recipients=recipients)
                st.session_state[SHOW_PROPOSAL] = new_id
                st.session_state[OPEN_TAB] = t("proposal.tab.overview")  # after "make X", show X
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
            t("feedback.col.shared"): (t("feedback.shared_outdated", when=local_time(c.last_shared_at))
                                       if c.outdated else local_time(c.last_shared_at) if c.last_shared_at
                                       else t("feedback.not_shared")),
        } for c in with_plans]), hide_index=True, width="stretch")
        labels = {c.classroom_id: c.label for c in with_plans}
        if st.session_state.get("proposals.feedback_class", next(iter(labels))) not in labels:
            st.session_state["proposals.feedback_class"] = next(iter(labels))
        classroom_id = st.selectbox(t("feedback.choose_class"), list(labels), format_func=labels.get,
                                    key="proposals.feedback_class", persist_state="page",
                                    placeholder=t("proposal.pick"))
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
        waiting = bool(sheet.waiting_for_words)
        if waiting:
            # Not to be shared: the class would hear nothing, or words written for an older answer.
            st.warning(t("feedback.words_needed", answers="; ".join(plain(a) for a in sheet.waiting_for_words)),
                       icon=":material/edit_note:")
        # One above the other: side by side, the download's label is cut off on a tablet.
        sheet_pdf = audit_ui.logged_export(actor, "feedback_sheet", partial(feedback.feedback_sheet_pdf, sheet),
                                           subject_id=classroom_id)
        st.download_button(t("feedback.download"), sheet_pdf,
                           file_name=f"terugkoppeling-{classroom_id}.pdf", mime="application/pdf",
                           icon=":material/picture_as_pdf:", key=f"proposals.sheet.{classroom_id}",
                           on_click="ignore", disabled=waiting)
        if st.button(t("feedback.mark_shared"), key=f"proposals.shared.{classroom_id}", type="primary",
                     icon=":material/co_present:", disabled=waiting):
            with shows_errors():
                feedback.record_shared(engine(), actor=actor, classroom_id=classroom_id)
                state.flash(t("feedback.shared"))
                st.rerun()


if (opening := st.session_state.pop(OPEN_TAB, None)) is not None:
    st.session_state[TAB] = opening
overview_tab, new_tab, feedback_tab = place_tabs(TAB, [t("proposal.tab.overview"), t("proposal.tab.new"),
                                                      t("proposal.tab.feedback")])
if overview_tab.open:
    with overview_tab:
        _overview(cycle_id)
if new_tab.open:
    with new_tab:
        _new(cycle_id)
if feedback_tab.open:
    with feedback_tab:
        _feedback(cycle_id)
