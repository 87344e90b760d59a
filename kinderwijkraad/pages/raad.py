"""Kinderwijkraad: the facilitator forms the council of a cycle from the children who signed up
(parental consent from the paper slip), gives members their role, prepares the installation
(certificates and programme as PDF), keeps the meetings and the work list of the top-3 themes.

Widgets that show a stored value carry that value (or its last change) in their key, so a change
made elsewhere shows on the next run instead of being overwritten by a stale widget.
"""

from datetime import date

import streamlit as st

from kinderwijkraad.exports.council import render_certificates, render_installation_programme
from kinderwijkraad.i18n import long_date, t
from kinderwijkraad.models import Consent, CouncilRole, WorkStatus
from kinderwijkraad.services import council
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.cycles import pick_cycle
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time, plain

actor = auth.require(*navigation.COUNCIL.roles)

CONSENT_ICONS = {Consent.PENDING: ":material/hourglass_empty:", Consent.GIVEN: ":material/check_circle:",
                 Consent.REFUSED: ":material/cancel:"}
ALL = "all"


def _forget_pdfs(cycle_id: int) -> None:
    """A change on this page makes PDFs made earlier out of date."""
    pdfs = st.session_state.setdefault(state.COUNCIL_PDFS, {})
    for kind in ("certificates", "programme"):
        pdfs.pop((kind, cycle_id), None)


def _changed(message: str, cycle_id: int) -> None:
    _forget_pdfs(cycle_id)
    state.flash(message)
    st.rerun()


# --- tab 1: sign-ups and consent -------------------------------------------------------------------


def _consent_tab(view: council.CouncilView) -> None:
    st.markdown(t("council.consent_explained"))
    if not view.candidates:
        st.info(t("council.no_candidates"))
        return
    counts = {status: sum(c.consent == status for c in view.candidates) for status in Consent}
    shown = st.segmented_control(
        t("council.show"), [ALL, *Consent], default=ALL, key="raad.consent_filter",
        format_func=lambda s: t("council.show_all", n=len(view.candidates)) if s == ALL
        else f"{label('consent', s)} ({counts[s]})")
    for row in view.candidates:
        if shown not in (None, ALL) and row.consent != shown:
            continue
        with st.container(border=True):
            name, status, *buttons = st.columns([3, 3, 2, 2, 2], vertical_alignment="center")
            name.markdown(f"**{plain(row.first_name)}**")
            name.caption(f"{plain(row.class_label)} · {plain(row.school)}")
            status.markdown(f"{CONSENT_ICONS[row.consent]} {label('consent', row.consent)}")
            if row.member_id is not None:
                status.caption(t("council.is_member", role=council.role_label(row.role)) if row.active
                               else t("council.was_member"))
            # The same three buttons in the same places on every row, the current status greyed out:
            # a pile of slips is worked through without reading every button.
            for column, target in zip(buttons, (Consent.GIVEN, Consent.REFUSED, Consent.PENDING), strict=True):
                if column.button(t(f"council.set_consent.{target.value}"), key=f"raad.consent.{row.candidate_id}."
                                 f"{target.value}", icon=CONSENT_ICONS[target], width="stretch",
                                 disabled=target == row.consent,
                                 type="primary" if target == Consent.GIVEN else "secondary"):
                    with shows_errors():
                        council.record_consent(engine(), actor=actor, candidate_id=row.candidate_id, consent=target)
                        _changed(t("council.consent_saved", name=plain(row.first_name),
                                   consent=label("consent", target)), view.cycle_id)


# --- tab 2: members ------------------------------------------------------------------------------


def _members_tab(view: council.CouncilView) -> None:
    if not view.members:
        st.info(t("council.no_members"))
        return
    st.caption(t("council.members_explained"))
    for member in view.members:
        version = f"{member.id}.{member.role.value}.{member.active}"
        with st.form(f"raad.member.{version}", border=True):
            name, role, active, save = st.columns([3, 2, 2, 1], vertical_alignment="bottom")
            name.markdown(f"**{plain(member.first_name)}**" + ("" if member.active else f" — {t('council.inactive')}"))
            name.caption(f"{plain(member.class_label)} · {plain(member.school)}")
            chosen_role = role.selectbox(t("field.council_role"), list(CouncilRole),
                                         index=list(CouncilRole).index(member.role), format_func=council.role_label,
                                         key=f"raad.member_role.{version}")
            chosen_active = active.toggle(t("council.active"), value=member.active,
                                          key=f"raad.member_active.{version}")
            if save.form_submit_button(t("council.save"), width="stretch"):
                with shows_errors():
                    council.set_member_role(engine(), actor=actor, member_id=member.id, role=chosen_role)
                    council.set_member_active(engine(), actor=actor, member_id=member.id, active=chosen_active)
                    _changed(t("council.member_saved", name=plain(member.first_name)), view.cycle_id)


# --- tab 3: installation ---------------------------------------------------------------------------


def _installation_tab(view: council.CouncilView) -> None:
    setup = council.installation(engine(), actor=actor, cycle_id=view.cycle_id)
    st.markdown(t("council.installation_explained"))
    with st.form(f"raad.installation.{view.cycle_id}"):
        left, right = st.columns(2)
        alderman_name = left.text_input(t("field.alderman_name"), value=setup.alderman_name, max_chars=120,
                                        placeholder=t("council.alderman_name_placeholder"))
        alderman_title = right.text_input(t("field.alderman_title"), value=setup.alderman_title, max_chars=120,
                                          placeholder=t("council.alderman_title_placeholder"))
        installed_on = left.date_input(t("field.installed_on"), value=setup.installed_on, format="DD-MM-YYYY")
        venue = right.text_input(t("field.venue"), value=setup.venue, max_chars=200,
                                 placeholder=t("council.venue_placeholder"))
        programme = st.text_area(t("field.programme"), value=setup.programme, max_chars=4000, height=220,
                                 placeholder=t("council.programme_placeholder"), help=t("council.programme_help"))
        if st.form_submit_button(t("council.save_installation"), type="primary", icon=":material/save:"):
            with shows_errors():
                council.save_installation(engine(), actor=actor, cycle_id=view.cycle_id, alderman_name=alderman_name,
                                          alderman_title=alderman_title, installed_on=installed_on, venue=venue,
                                          programme=programme)
                _changed(t("council.installation_saved"), view.cycle_id)
    items = council.parse_programme(setup.programme)
    if items:
        st.markdown(f"#### {t('council.programme_preview')}")
        st.dataframe([{t("council.time"): item.time, t("council.item"): item.text} for item in items],
                     hide_index=True, width="stretch")
    st.markdown(f"#### {t('council.printing')}")
    st.caption(t("council.printing_explained", n=len(view.active_members)))
    pdfs = st.session_state.setdefault(state.COUNCIL_PDFS, {})
    left, right = st.columns(2)
    if left.button(t("council.make_certificates"), key="raad.make_certificates", icon=":material/workspace_premium:",
                   width="stretch"):
        with shows_errors():
            pdfs[("certificates", view.cycle_id)] = render_certificates(
                council.certificates(engine(), actor=actor, cycle_id=view.cycle_id))
            audit_ui.note_export(actor, "certificates", cycle_id=view.cycle_id)
    if right.button(t("council.make_programme"), key="raad.make_programme", icon=":material/event_note:",
                    width="stretch"):
        with shows_errors():
            pdfs[("programme", view.cycle_id)] = render_installation_programme(
                council.installation_programme(engine(), actor=actor, cycle_id=view.cycle_id))
            audit_ui.note_export(actor, "programme", cycle_id=view.cycle_id)
    if pdfs.get(("certificates", view.cycle_id)):
        left.download_button(t("council.download_certificates"), pdfs[("certificates", view.cycle_id)],
                             file_name="certificaten.pdf", mime="application/pdf", type="primary",
                             icon=":material/download:", key="raad.download_certificates", width="stretch")
    if pdfs.get(("programme", view.cycle_id)):
        right.download_button(t("council.download_programme"), pdfs[("programme", view.cycle_id)],
                              file_name="programma-installatie.pdf", mime="application/pdf", type="primary",
                              icon=":material/download:", key="raad.download_programme", width="stretch")


# --- tab 4: meetings -------------------------------------------------------------------------------


def _meeting_fields(key: str, view: council.CouncilView, meeting: council.MeetingRow | None) -> dict:
    """The fields of a meeting form; attendance offers the active members and anyone already on
    the list (a member who stopped later stays on the meetings they were at)."""
    present = meeting.present_member_ids if meeting else frozenset()
    choices = {m.id: m.label for m in view.members if m.active or m.id in present}
    held_on = st.date_input(t("field.held_on"), value=meeting.held_on if meeting else date.today(),
                            format="DD-MM-YYYY", key=f"raad.{key}.held_on")
    agenda = st.text_area(t("field.agenda"), value=meeting.agenda if meeting else "", max_chars=4000,
                          key=f"raad.{key}.agenda")
    minutes = st.text_area(t("field.minutes"), value=meeting.minutes if meeting else "", max_chars=10000,
                           height=200, key=f"raad.{key}.minutes")
    decisions = st.text_area(t("field.decisions"), value=meeting.decisions if meeting else "", max_chars=4000,
                             key=f"raad.{key}.decisions")
    member_ids = st.multiselect(t("field.member_ids"), list(choices), default=sorted(present & set(choices)),
                                format_func=choices.get, key=f"raad.{key}.present",
                                placeholder=t("council.present_placeholder"))
    return {"held_on": held_on, "agenda": agenda, "minutes": minutes, "decisions": decisions,
            "member_ids": member_ids}


def _meetings_tab(view: council.CouncilView) -> None:
    rows = council.meetings(engine(), actor=actor, cycle_id=view.cycle_id)
    with st.expander(t("council.new_meeting"), icon=":material/add:", expanded=not rows):
        with st.form(f"raad.new_meeting.{view.cycle_id}", clear_on_submit=True):
            fields = _meeting_fields(f"new_meeting.{view.cycle_id}", view, None)
            if st.form_submit_button(t("council.create_meeting"), type="primary"):
                with shows_errors():
                    council.create_meeting(engine(), actor=actor, cycle_id=view.cycle_id, **fields)
                    _changed(t("council.meeting_created"), view.cycle_id)
    if not rows:
        st.info(t("council.no_meetings"))
        return
    names = {m.id: m.first_name for m in view.members}
    for row in rows:
        heading = t("council.meeting_heading", date=long_date(row.held_on), present=row.attendance,
                    members=len(view.active_members))
        with st.expander(heading, icon=":material/event:"):
            if row.present_member_ids:
                st.caption(t("council.present_list", names=plain(", ".join(
                    sorted((names.get(i, "?") for i in row.present_member_ids), key=str.casefold)))))
            version = f"{row.id}.{row.updated_at.timestamp():.0f}"
            with st.form(f"raad.meeting.{version}"):
                fields = _meeting_fields(f"meeting.{version}", view, row)
                if st.form_submit_button(t("council.save_meeting"), type="primary"):
                    with shows_errors():
                        council.update_meeting(engine(), actor=actor, meeting_id=row.id, **fields)
                        _changed(t("council.meeting_saved"), view.cycle_id)
            st.caption(t("council.last_changed", when=local_time(row.updated_at)))
            with st.popover(t("council.delete_meeting"), icon=":material/delete:"):
                st.markdown(t("council.delete_meeting_confirm"))
                if st.button(t("council.delete_meeting"), key=f"raad.delete_meeting.{row.id}", type="primary"):
                    with shows_errors():
                        council.delete_meeting(engine(), actor=actor, meeting_id=row.id)
                        _changed(t("council.meeting_deleted"), view.cycle_id)


# --- tab 5: the work list --------------------------------------------------------------------------


def _work_tab(cycle_id: int) -> None:
    work = council.work_list(engine(), actor=actor, cycle_id=cycle_id)
    if work.poll_title is None:
        st.info(t("council.no_vote_yet"))
        return
    st.caption(t("council.work_from", poll=plain(work.poll_title)))
    if not work.partners:
        st.warning(t("council.no_partners"), icon=":material/handshake:")
    partners = {p.organisation_id: p.name for p in work.partners}
    for row in work.rows:
        place = t("council.place", n=row.place) if row.place else "—"
        heading = f"{place} · {plain(row.theme)}" if row.in_top else t("council.left_top", theme=plain(row.theme))
        version = f"{row.theme_id}.{row.updated_at.timestamp():.0f}" if row.updated_at else f"{row.theme_id}.new"
        with st.form(f"raad.work.{cycle_id}.{version}", border=True):
            st.markdown(f"#### {heading}")
            if row.score is not None:
                st.caption(t("council.score", n=row.score))
            options = [None, *partners]
            if row.organisation_id is not None and row.organisation_id not in partners:
                partners[row.organisation_id] = row.organisation
                options.append(row.organisation_id)
            left, right = st.columns(2)
            organisation_id = left.selectbox(
                t("field.organisation_id"), options, index=options.index(row.organisation_id),
                format_func=lambda i: partners[i] if i is not None else t("council.no_partner_yet"),
                key=f"raad.work_partner.{version}")
            status = right.segmented_control(t("field.status"), list(WorkStatus), default=row.status,
                                             format_func=lambda s: label("work_status", s),
                                             key=f"raad.work_status.{version}")
            next_action = st.text_input(t("field.next_action"), value=row.next_action, max_chars=300,
                                        placeholder=t("council.next_action_placeholder"),
                                        key=f"raad.work_action.{version}")
            if st.form_submit_button(t("council.save")):
                with shows_errors():
                    council.update_work_item(engine(), actor=actor, cycle_id=cycle_id, theme_id=row.theme_id,
                                             organisation_id=organisation_id, next_action=next_action,
                                             status=status or row.status)
                    _changed(t("council.work_saved", theme=plain(row.theme)), cycle_id)


# --- the page --------------------------------------------------------------------------------------

st.title(t("page.council"))
state.show_flash()

cycle_id = pick_cycle(actor, key="raad.cycle", label_key="council.cycle", empty_key="council.no_cycles")

with shows_errors():
    view = council.council_of_cycle(engine(), actor=actor, cycle_id=cycle_id)
    audit_ui.note_view(actor, "council", cycle_id=cycle_id)
    st.caption(f"{plain(view.council_name)} · {view.school_year}")
    signed, given, active = st.columns(3)
    signed.metric(t("council.count_candidates"), len(view.candidates))
    given.metric(t("council.count_consent"), sum(c.consent == Consent.GIVEN for c in view.candidates))
    active.metric(t("council.count_members"), len(view.active_members))
    consent_tab, members_tab, installation_tab, meetings_tab, work_tab = st.tabs([
        t("council.tab.consent"), t("council.tab.members"), t("council.tab.installation"),
        t("council.tab.meetings"), t("council.tab.work")])
    with consent_tab:
        _consent_tab(view)
    with members_tab:
        _members_tab(view)
    with installation_tab:
        _installation_tab(view)
    with meetings_tab:
        _meetings_tab(view)
    with work_tab:
        _work_tab(cycle_id)
