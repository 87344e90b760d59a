"""Kinderwijkraad: the facilitator forms the council of a cycle from the children who signed up
(parental consent from the paper slip), gives members their role, prepares the installation
(certificates and programme as PDF), keeps the meetings and the work list of the top-3 themes.

Widgets that show a stored value carry that value (or its last change) in their key, so a change
made elsewhere shows on the next run instead of being overwritten by a stale widget.
"""

import hashlib
from datetime import date

import streamlit as st

from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import Consent, CouncilRole, WorkStatus
from kinderwijkraad.services import council
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.cycles import pick_cycle
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, local_time, plain
from kinderwijkraad.ui.tabs import place_tabs

actor = auth.require(*navigation.COUNCIL.roles)

CONSENT_ICONS = {Consent.PENDING: ":material/hourglass_empty:", Consent.GIVEN: ":material/check_circle:",
                 Consent.REFUSED: ":material/cancel:"}
CONSENT_ORDER = (Consent.GIVEN, Consent.REFUSED, Consent.PENDING)
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
            name, status = st.columns(2, vertical_alignment="center")
            name.markdown(f"**{plain(row.first_name)}**")
            name.caption(f"{plain(row.class_label)} · {plain(row.school)}")
            if row.member_id is not None:
                status.caption(t("council.is_member", role=council.role_label(row.role)) if row.active
                               else t("council.was_member"))
            # The three statuses in the same order on every row, the current one lit, each one tap
            # away, with its full label: a pile of slips is worked through without reading every row.
            # The key names the stored status, so a change made elsewhere shows on the next run.
            key = f"raad.consent.{row.candidate_id}.{row.consent.value}"
            if st.session_state.get(key) is None:  # new, or the lit status tapped off again
                st.session_state[key] = row.consent
            target = st.segmented_control(
                t("council.consent_of", name=plain(row.first_name)), CONSENT_ORDER, key=key,
                format_func=lambda s: f"{CONSENT_ICONS[s]} {t(f'council.set_consent.{s.value}')}",
                label_visibility="collapsed", width="stretch")
            if target is not None and target != row.consent:
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
            st.markdown(f"**{plain(member.first_name)}**" + ("" if member.active else f" — {t('council.inactive')}"))
            st.caption(f"{plain(member.class_label)} · {plain(member.school)}")
            role, active, save = st.columns([2, 1, 1], vertical_alignment="bottom")
            chosen_role = role.selectbox(t("field.council_role"), list(CouncilRole),
                                         index=list(CouncilRole).index(member.role), format_func=council.role_label,
                                         key=f"raad.member_role.{version}", placeholder=t("council.pick"))
            chosen_active = active.toggle(t("council.active"), value=member.active,
                                          key=f"raad.member_active.{version}")
            if save.form_submit_button(t("council.save"), icon=":material/save:", width="stretch"):
                with shows_errors():
                    council.update_member(engine(), actor=actor, member_id=member.id, role=chosen_role,
                                          active=chosen_active)
                    _changed(t("council.member_saved", name=plain(member.first_name)), view.cycle_id)


# --- tab 3: installation ---------------------------------------------------------------------------


def _installation_tab(view: council.CouncilView) -> None:
    setup = council.installation(engine(), actor=actor, cycle_id=view.cycle_id)
    st.markdown(t("council.installation_explained"))
    with st.form(f"raad.installation.{view.cycle_id}"):
        left, right = st.columns(2)
        alderman_name = left.text_input(t("field.alderman_name"), value=setup.alderman_name,
                                        placeholder=t("council.alderman_name_placeholder"))
        alderman_title = right.text_input(t("field.alderman_title"), value=setup.alderman_title,
                                          placeholder=t("council.alderman_title_placeholder"))
        installed_on = left.date_input(t("field.installed_on"), value=setup.installed_on, format="DD-MM-YYYY")
        venue = right.text_input(t("field.venue"), value=setup.venue,
                                 placeholder=t("council.venue_placeholder"))
        programme = st.text_area(t("field.programme"), value=setup.programme, height=220,
                                 placeholder=t("council.programme_placeholder"))
        st.caption(t("council.programme_help"))
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
    st.caption(t("council.printing_explained", count=len(view.active_members)))
    pdfs = st.session_state.setdefault(state.COUNCIL_PDFS, {})
    left, right = st.columns(2)
    if left.button(t("council.make_certificates"), key="raad.make_certificates", icon=":material/workspace_premium:",
                   width="stretch"):
        with shows_errors():
            pdfs[("certificates", view.cycle_id)] = council.certificates_pdf(engine(), actor=actor,
                                                                             cycle_id=view.cycle_id)
            audit_ui.note_export(actor, "certificates", cycle_id=view.cycle_id)
    if right.button(t("council.make_programme"), key="raad.make_programme", icon=":material/event_note:",
                    width="stretch"):
        with shows_errors():
            pdfs[("programme", view.cycle_id)] = council.installation_programme_pdf(engine(), actor=actor,
                                                                                    cycle_id=view.cycle_id)
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
    # Streamlit keeps a multiselect's choice as the *labels* shown, under the widget's key. So the
    # labels leave out what changes often (the role), the key names the labels it was drawn with
    # (a renamed class gives a new widget instead of a stale label), and the format function gives
    # text for any value: a stale label turned into None broke the page (TypeError).
    choices = {m.id: m.attendee_label for m in view.members if m.active or m.id in present}
    labels = hashlib.sha1(repr(sorted(choices.items())).encode()).hexdigest()[:8]
    held_on = st.date_input(t("field.held_on"), value=meeting.held_on if meeting else date.today(),
                            format="DD-MM-YYYY", key=f"raad.{key}.held_on")
    agenda = st.text_area(t("field.agenda"), value=meeting.agenda if meeting else "", key=f"raad.{key}.agenda")
    minutes = st.text_area(t("field.minutes"), value=meeting.minutes if meeting else "", height=200,
                           key=f"raad.{key}.minutes")
    decisions = st.text_area(t("field.decisions"), value=meeting.decisions if meeting else "",
                             key=f"raad.{key}.decisions")
    member_ids = st.multiselect(t("field.member_ids"), list(choices), default=sorted(present & set(choices)),
                                format_func=lambda member_id: choices.get(member_id, str(member_id)),
                                key=f"raad.{key}.present.{labels}", placeholder=t("council.present_placeholder"))
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
        heading = t("council.meeting_heading", date=format_date(row.held_on), present=row.attendance,
                    count=len(view.active_members))
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
                st.caption(t("council.score", count=row.score))
            if row.proposals:
                st.caption(t("council.work.from_proposals"))
                st.markdown("\n".join(f"- {plain(line)}" for line in row.proposals))
            options = [None, *partners]
            if row.organisation_id is not None and row.organisation_id not in partners:
                partners[row.organisation_id] = row.organisation
                options.append(row.organisation_id)
            left, right = st.columns(2)
            organisation_id = left.selectbox(
                t("field.organisation_id"), options, index=options.index(row.organisation_id),
                format_func=lambda i: partners.get(i, str(i)) if i is not None else t("council.no_partner_yet"),
                key=f"raad.work_partner.{version}", placeholder=t("council.pick"))
            status = right.segmented_control(t("field.status"), list(WorkStatus), default=row.status,
                                             format_func=lambda s: label("work_status", s),
                                             key=f"raad.work_status.{version}")
            next_action = st.text_input(t("field.next_action"), value=row.next_action,
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
    consent_tab, members_tab, installation_tab, meetings_tab, work_tab = place_tabs("raad.tab", [
        t("council.tab.consent"), t("council.tab.members"), t("council.tab.installation"),
        t("council.tab.meetings"), t("council.tab.work")])
    # Only the open tab runs; it stays open after a save (its name is in the address).
    if consent_tab.open:
        with consent_tab:
            _consent_tab(view)
    if members_tab.open:
        with members_tab:
            _members_tab(view)
    if installation_tab.open:
        with installation_tab:
            _installation_tab(view)
    if meetings_tab.open:
        with meetings_tab:
            _meetings_tab(view)
    if work_tab.open:
        with work_tab:
            _work_tab(cycle_id)
