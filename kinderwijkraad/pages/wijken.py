"""Wijken: a wijk's school years, schools, classes and partners (facilitators and admins)."""

from collections.abc import Callable

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import OrganisationKind, Phase, Role
from kinderwijkraad.services import neighbourhoods
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, plain
from kinderwijkraad.ui.tabs import place_tabs

actor = auth.require(*navigation.NEIGHBOURHOODS.roles)
db = engine()

# Values for widgets of the next run, set there before the widgets are drawn (a widget's value
# cannot change once it is drawn in a run): what was just made is selected, and a form that made
# something is emptied. A form that was refused keeps what was typed.
NEXT = "wijken.next_values"

st.title(t("page.neighbourhoods"))
state.show_flash()
for widget_key, value in st.session_state.pop(NEXT, {}).items():
    st.session_state[widget_key] = value


def done(message_key: str, *, then: dict[str, object] | None = None, **params: object) -> None:
    """A change was saved: say so after the rerun and give the widgets in `then` these values."""
    state.flash(t(message_key, **params))
    st.session_state[NEXT] = then or {}
    st.rerun()


def choice(names: dict) -> Callable[[object], str]:
    """A format function that gives text for any value (a value a list no longer holds too)."""
    return lambda value: names.get(value, str(value))


def _wijk_from_link() -> int | None:
    try:
        return int(st.query_params.get("wijk", ""))
    except ValueError:
        return None


def _remember_wijk() -> None:
    """The chosen wijk goes into the address at once, so the run that follows reads it there."""
    st.query_params["wijk"] = str(st.session_state[state.SELECTED_NEIGHBOURHOOD])


# --- choose or create a wijk -----------------------------------------------------------------
with st.expander(t("wijken.new_neighbourhood"), icon=":material/add:"):
    with st.form("wijken.new_neighbourhood_form"):
        name = st.text_input(t("field.name"), key="wijken.new_name")
        municipality = st.text_input(t("field.municipality"), key="wijken.new_municipality")
        if st.form_submit_button(t("action.create"), type="primary"):
            with shows_errors():
                created = neighbourhoods.create_neighbourhood(db, actor=actor, name=name, municipality=municipality)
                st.query_params["wijk"] = str(created.id)  # the new wijk is the one shown next
                done("wijken.created", name=created.name,
                     then={"wijken.new_name": "", "wijken.new_municipality": ""})

wijken = neighbourhoods.list_neighbourhoods(db, actor=actor)
if not wijken:
    st.info(t("wijken.none_yet"))
    st.stop()

# The address names the wijk (a link, a reload, a wijk just made); the choice writes it there.
ids = [w.id for w in wijken]
requested = _wijk_from_link()
current = st.session_state.get(state.SELECTED_NEIGHBOURHOOD)
selected_id = requested if requested is not None else current if current in ids else ids[0]
names = {w.id: f"{w.name} ({w.municipality})" for w in wijken}
if selected_id in names:
    st.session_state[state.SELECTED_NEIGHBOURHOOD] = selected_id  # before the selectbox is drawn
    st.selectbox(t("wijken.choose"), options=ids, format_func=choice(names), key=state.SELECTED_NEIGHBOURHOOD,
                 on_change=_remember_wijk, placeholder=t("wijken.pick"))
    st.query_params["wijk"] = str(selected_id)

overview = None
with shows_errors():
    # A wijk outside the user's scope (a changed link) is refused by the service itself.
    overview = neighbourhoods.neighbourhood_overview(db, actor=actor, neighbourhood_id=selected_id)
if overview is None:
    st.page_link(navigation.NEIGHBOURHOODS.path.as_posix(), label=t("wijken.back_to_mine"))
    st.stop()

wijk = overview.neighbourhood
st.header(plain(wijk.name))
tab_year, tab_classes, tab_partners, tab_wijk = place_tabs(
    "wijken.tab",
    [t("wijken.tab.cycle"), t("wijken.tab.classes"), t("wijken.tab.partners"), t("wijken.tab.neighbourhood")],
)

# The school year the tabs work in: chosen on the first tab, kept for the others.
cycle_key = f"wijken.cycle.{wijk.id}"
cycle_years = {c.id: c.school_year for c in overview.cycles}
# Written every run: Streamlit forgets a widget's value after a run that did not draw it (another tab).
kept = st.session_state.get(cycle_key)
st.session_state[cycle_key] = kept if kept in cycle_years else next(iter(cycle_years), None)  # else the newest
cycle = next((c for c in overview.cycles if c.id == st.session_state[cycle_key]), None)

# --- school year ---------------------------------------------------------------------------
if tab_year.open:
    with tab_year:
        if overview.cycles:
            chosen = st.selectbox(t("wijken.choose_cycle"), options=list(cycle_years), format_func=choice(cycle_years),
                                  key=cycle_key, placeholder=t("wijken.pick"))
            cycle = next(c for c in overview.cycles if c.id == chosen)
            phases = list(Phase)
            current = Phase(cycle.phase)
            st.progress((phases.index(current) + 1) / len(phases),
                        text=t("home.phase", phase=label("phase", current), step=phases.index(current) + 1,
                               steps=len(phases)))
            st.caption(" → ".join(label("phase", p) for p in phases))
            following = current.next()
            if following is not None:
                # A phase only moves forward, so one stray tap must not move it: confirm in a popover.
                with st.popover(t("wijken.advance_phase", phase=label("phase", following)),
                                icon=":material/skip_next:"):
                    st.write(t("wijken.advance_confirm", phase=label("phase", following)))
                    if st.button(t("wijken.advance_yes"), key="wijken.advance", type="primary"):
                        with shows_errors():
                            neighbourhoods.advance_cycle_phase(db, actor=actor, cycle_id=cycle.id, from_phase=current)
                            done("wijken.phase_advanced", phase=label("phase", following))

            with st.form(f"wijken.promises_form.{cycle.id}"):
                st.subheader(t("wijken.promises"))
                listener = st.text_input(t("field.listener"), value=cycle.listener,
                                         key=f"wijken.cycle_listener.{cycle.id}")
                reply_by_days = st.number_input(t("field.reply_by_days"), min_value=1, max_value=365,
                                                value=cycle.reply_by_days, step=1, key=f"wijken.cycle_reply.{cycle.id}")
                budget = st.number_input(t("field.budget_eur"), min_value=0, value=cycle.budget_eur, step=100,
                                         placeholder=t("wijken.no_budget"), key=f"wijken.cycle_budget.{cycle.id}")
                if st.form_submit_button(t("action.save"), type="primary"):
                    with shows_errors():
                        neighbourhoods.update_cycle(db, actor=actor, cycle_id=cycle.id, listener=listener,
                                                    reply_by_days=int(reply_by_days),
                                                    budget_eur=None if budget is None else int(budget))
                        done("action.saved")
        else:
            st.info(t("wijken.no_cycle"))

        with st.expander(t("wijken.new_cycle"), icon=":material/add:", expanded=not overview.cycles):
            with st.form("wijken.new_cycle_form"):
                school_year = st.text_input(t("field.school_year"), placeholder="2026-2027",
                                            key="wijken.new_cycle_year")
                if st.form_submit_button(t("action.create"), type="primary"):
                    with shows_errors():
                        made = neighbourhoods.create_cycle(db, actor=actor, neighbourhood_id=wijk.id,
                                                           school_year=school_year)
                        done("wijken.cycle_created", year=made.school_year,
                             then={cycle_key: made.id, "wijken.new_cycle_year": ""})

        if cycle is not None:
            with st.expander(t("wijken.archive_cycle"), icon=":material/archive:"):
                st.write(t("wijken.archive_cycle_explain"))
                if st.button(t("action.archive"), key="wijken.archive_cycle_button"):
                    with shows_errors():
                        neighbourhoods.archive_cycle(db, actor=actor, cycle_id=cycle.id)
                        done("action.archived")

# --- schools and classes -------------------------------------------------------------------
if tab_classes.open:
    with tab_classes:
        school_names = {s.id: s.name for s in overview.schools}
        if cycle is None:
            st.info(t("wijken.no_cycle"))
        else:
            rows = [c for c in overview.classrooms if c.cycle_id == cycle.id]
            st.subheader(t("wijken.classes_in", year=cycle.school_year))
            if rows:
                st.dataframe(
                    [{t("field.school"): r.school_name, t("field.class_name"): r.name, t("field.grade"): r.grade,
                      t("field.pupil_count"): r.pupil_count,
                      t("field.teachers"): ", ".join(r.teacher_names) or t("wijken.no_teacher")} for r in rows],
                    hide_index=True, use_container_width=True,
                )
            else:
                st.info(t("wijken.no_classes"))
            teacher_names = {u.id: f"{u.display_name} ({u.username})" for u in overview.teachers}

            if school_names:
                with st.expander(t("wijken.new_class"), icon=":material/add:", expanded=not rows):
                    with st.form("wijken.new_class_form"):
                        school_id = st.selectbox(t("field.school"), options=list(school_names),
                                                 format_func=choice(school_names), key="wijken.new_class_school",
                                                 placeholder=t("wijken.pick"))
                        class_name = st.text_input(t("field.class_name"), placeholder="Groep 7a",
                                                   key="wijken.new_class_name")
                        grade = st.selectbox(t("field.grade"), options=[5, 6, 7, 8], index=2,
                                             key="wijken.new_class_grade", placeholder=t("wijken.pick"))
                        pupils = st.number_input(t("field.pupil_count"), min_value=1, max_value=40, value=23,
                                                 key="wijken.new_class_pupils")
                        teachers = st.multiselect(t("field.teachers"), options=list(teacher_names),
                                                  format_func=choice(teacher_names), key="wijken.new_class_teachers",
                                                  placeholder=t("wijken.pick_teachers"))
                        if st.form_submit_button(t("action.create"), type="primary"):
                            with shows_errors():
                                made = neighbourhoods.create_classroom(db, actor=actor, cycle_id=cycle.id,
                                                                       school_id=school_id, name=class_name,
                                                                       grade=grade, pupil_count=int(pupils),
                                                                       teacher_ids=teachers)
                                done("wijken.class_created", name=made.name,
                                     then={"wijken.edit_class_choice": made.id, "wijken.new_class_name": "",
                                           "wijken.new_class_teachers": []})

            if rows:
                with st.expander(t("wijken.edit_class"), icon=":material/edit:"):
                    class_labels = {r.id: f"{r.school_name} — {r.name}" for r in rows}
                    edit_id = st.selectbox(t("field.class_name"), options=list(class_labels),
                                           format_func=choice(class_labels), key="wijken.edit_class_choice",
                                           placeholder=t("wijken.pick"))
                    row = next(r for r in rows if r.id == edit_id)
                    # Keys carry the stored values: a save elsewhere shows here on the next run.
                    version = f"{edit_id}.{row.name}.{row.grade}.{row.pupil_count}.{sorted(row.teacher_ids)}"
                    with st.form(f"wijken.edit_class_form.{edit_id}"):
                        new_name = st.text_input(t("field.class_name"), value=row.name,
                                                 key=f"wijken.class_name.{version}")
                        new_grade = st.selectbox(t("field.grade"), options=[5, 6, 7, 8], index=row.grade - 5,
                                                 key=f"wijken.class_grade.{version}", placeholder=t("wijken.pick"))
                        new_pupils = st.number_input(t("field.pupil_count"), min_value=1, max_value=40,
                                                     value=row.pupil_count, key=f"wijken.class_pupils.{version}")
                        new_teachers = st.multiselect(t("field.teachers"), options=list(teacher_names),
                                                      default=[i for i in row.teacher_ids if i in teacher_names],
                                                      format_func=choice(teacher_names),
                                                      key=f"wijken.class_teachers.{version}",
                                                      placeholder=t("wijken.pick_teachers"))
                        save, archive = st.columns(2)
                        if save.form_submit_button(t("action.save"), type="primary"):
                            with shows_errors():
                                neighbourhoods.update_classroom(db, actor=actor, classroom_id=edit_id, name=new_name,
                                                                grade=new_grade, pupil_count=int(new_pupils),
                                                                teacher_ids=new_teachers)
                                done("action.saved")
                        if archive.form_submit_button(t("action.archive")):
                            with shows_errors():
                                neighbourhoods.archive_classroom(db, actor=actor, classroom_id=edit_id)
                                done("action.archived")

        st.subheader(t("wijken.schools"))
        for school in overview.schools:
            st.text(f"• {school.name}")
        if school_names:
            with st.expander(t("wijken.edit_school"), icon=":material/edit:"):
                edit_school = st.selectbox(t("field.school"), options=list(school_names),
                                           format_func=choice(school_names), key="wijken.edit_school_choice",
                                           placeholder=t("wijken.pick"))
                with st.form(f"wijken.edit_school_form.{edit_school}"):
                    renamed = st.text_input(t("field.name"), value=school_names[edit_school],
                                            key=f"wijken.school_name.{edit_school}.{school_names[edit_school]}")
                    save, archive = st.columns(2)
                    if save.form_submit_button(t("action.save"), type="primary"):
                        with shows_errors():
                            neighbourhoods.rename_school(db, actor=actor, school_id=edit_school, name=renamed)
                            done("action.saved")
                    if archive.form_submit_button(t("action.archive")):
                        with shows_errors():
                            neighbourhoods.archive_school(db, actor=actor, school_id=edit_school)
                            done("action.archived")
        with st.expander(t("wijken.new_school"), icon=":material/add:", expanded=not overview.schools):
            with st.form("wijken.new_school_form"):
                school_name = st.text_input(t("field.name"), key="wijken.new_school_name")
                if st.form_submit_button(t("action.create"), type="primary"):
                    with shows_errors():
                        made = neighbourhoods.create_school(db, actor=actor, neighbourhood_id=wijk.id, name=school_name)
                        # The new school is the one a class is added to next, and the one to edit.
                        done("wijken.school_created", name=made.name,
                             then={"wijken.new_class_school": made.id, "wijken.edit_school_choice": made.id,
                                   "wijken.new_school_name": ""})

# --- partners ------------------------------------------------------------------------------
if tab_partners.open:
    with tab_partners:
        organisation_names = {o.id: f"{o.name} ({label('organisation_kind', o.kind)})" for o in overview.organisations}
        if cycle is None:
            st.info(t("wijken.no_cycle"))
        else:
            partners = [p for p in overview.partners if p.cycle_id == cycle.id]
            st.subheader(t("wijken.partners_in", year=cycle.school_year))
            if partners:
                st.dataframe(
                    [{t("field.organisation"): p.organisation_name,
                      t("field.kind"): label("organisation_kind", p.organisation_kind),
                      t("field.listener"): p.listener, t("field.reply_by_days"): p.reply_by_days,
                      t("field.budget_eur"): p.budget_eur} for p in partners],
                    hide_index=True, use_container_width=True,
                )
            else:
                st.info(t("wijken.no_partners"))
            available = {i: n for i, n in organisation_names.items() if i not in {p.organisation_id for p in partners}}
            if available:
                with st.expander(t("wijken.new_partner"), icon=":material/add:", expanded=not partners):
                    with st.form("wijken.new_partner_form"):
                        organisation_id = st.selectbox(t("field.organisation"), options=list(available),
                                                       format_func=choice(available), key="wijken.partner_org",
                                                       placeholder=t("wijken.pick"))
                        listener = st.text_input(t("field.listener"), key="wijken.partner_listener")
                        reply = st.number_input(t("field.reply_by_days"), min_value=1, max_value=365, value=42,
                                                key="wijken.partner_reply")
                        budget = st.number_input(t("field.budget_eur"), min_value=0, value=None, step=100,
                                                 placeholder=t("wijken.no_budget"), key="wijken.partner_budget")
                        if st.form_submit_button(t("action.add"), type="primary"):
                            with shows_errors():
                                neighbourhoods.add_partner(db, actor=actor, cycle_id=cycle.id,
                                                           organisation_id=organisation_id, listener=listener,
                                                           reply_by_days=int(reply),
                                                           budget_eur=None if budget is None else int(budget))
                                # The partner is in the table above; its contacts are shown below.
                                done("wijken.partner_added",
                                     then={"wijken.contact_org": organisation_id, "wijken.partner_listener": "",
                                           "wijken.partner_budget": None})
            if partners:
                with st.expander(t("wijken.remove_partner"), icon=":material/remove:"):
                    partner_labels = {p.id: p.organisation_name for p in partners}
                    remove_id = st.selectbox(t("field.organisation"), options=list(partner_labels),
                                             format_func=choice(partner_labels), key="wijken.remove_partner_choice",
                                             placeholder=t("wijken.pick"))
                    if st.button(t("action.remove"), key="wijken.remove_partner_button"):
                        with shows_errors():
                            neighbourhoods.remove_partner(db, actor=actor, partnership_id=remove_id)
                            done("wijken.partner_removed")

        st.subheader(t("wijken.organisations"))
        if organisation_names:
            contact_org = st.selectbox(t("field.organisation"), options=list(organisation_names),
                                       format_func=choice(organisation_names), key="wijken.contact_org",
                                       placeholder=t("wijken.pick"))
            contacts = neighbourhoods.list_contacts(db, actor=actor, organisation_id=contact_org,
                                                    neighbourhood_id=wijk.id)
            if contacts:
                st.dataframe(
                    [{t("field.name"): c.name, t("field.job_title"): c.job_title, t("field.email"): c.email,
                      t("field.phone"): c.phone} for c in contacts],
                    hide_index=True, use_container_width=True,
                )
            with st.form("wijken.new_contact_form"):
                st.caption(t("wijken.new_contact"))
                contact_name = st.text_input(t("field.name"), key="wijken.contact_name")
                job_title = st.text_input(t("field.job_title"), key="wijken.contact_job")
                email = st.text_input(t("field.email"), key="wijken.contact_email")
                phone = st.text_input(t("field.phone"), key="wijken.contact_phone")
                if st.form_submit_button(t("action.add")):
                    with shows_errors():
                        neighbourhoods.add_contact(db, actor=actor, organisation_id=contact_org,
                                                   neighbourhood_id=wijk.id, name=contact_name, job_title=job_title,
                                                   email=email, phone=phone)
                        # The organisation stays chosen: the new contact is in its table above.
                        done("wijken.contact_added", then={"wijken.contact_name": "", "wijken.contact_job": "",
                                                           "wijken.contact_email": "", "wijken.contact_phone": ""})
            with st.expander(t("wijken.edit_organisation"), icon=":material/edit:"):
                current_org = next(o for o in overview.organisations if o.id == contact_org)
                kinds = list(OrganisationKind)
                version = f"{contact_org}.{current_org.name}.{current_org.kind}"
                with st.form(f"wijken.edit_organisation_form.{contact_org}"):
                    org_name = st.text_input(t("field.name"), value=current_org.name,
                                             key=f"wijken.organisation_name.{version}")
                    org_kind = st.selectbox(t("field.kind"), options=kinds, index=kinds.index(current_org.kind),
                                            format_func=lambda k: label("organisation_kind", k),
                                            key=f"wijken.organisation_kind.{version}", placeholder=t("wijken.pick"))
                    save, archive = st.columns(2)
                    if save.form_submit_button(t("action.save"), type="primary"):
                        with shows_errors():
                            neighbourhoods.update_organisation(db, actor=actor, organisation_id=contact_org,
                                                               name=org_name, kind=org_kind)
                            done("action.saved")
                    if actor.role == Role.ADMIN and archive.form_submit_button(t("action.archive")):
                        with shows_errors():
                            neighbourhoods.archive_organisation(db, actor=actor, organisation_id=contact_org)
                            done("action.archived")
        with st.expander(t("wijken.new_organisation"), icon=":material/add:"):
            with st.form("wijken.new_organisation_form"):
                org_name = st.text_input(t("field.name"), key="wijken.org_name")
                kind = st.selectbox(t("field.kind"), options=list(OrganisationKind),
                                    format_func=lambda k: label("organisation_kind", k), key="wijken.org_kind",
                                    placeholder=t("wijken.pick"))
                if st.form_submit_button(t("action.create"), type="primary"):
                    with shows_errors():
                        made = neighbourhoods.create_organisation(db, actor=actor, name=org_name, kind=kind)
                        # Chosen above, so its contacts can be added right away.
                        done("wijken.organisation_created", name=made.name,
                             then={"wijken.contact_org": made.id, "wijken.org_name": ""})

# --- the wijk itself -----------------------------------------------------------------------
if tab_wijk.open:
    with tab_wijk:
        version = f"{wijk.id}.{wijk.name}.{wijk.municipality}"
        with st.form(f"wijken.edit_neighbourhood_form.{wijk.id}"):
            new_name = st.text_input(t("field.name"), value=wijk.name, key=f"wijken.wijk_name.{version}")
            new_municipality = st.text_input(t("field.municipality"), value=wijk.municipality,
                                             key=f"wijken.wijk_municipality.{version}")
            if st.form_submit_button(t("action.save"), type="primary"):
                with shows_errors():
                    neighbourhoods.update_neighbourhood(db, actor=actor, neighbourhood_id=wijk.id, name=new_name,
                                                        municipality=new_municipality)
                    done("action.saved")
        # Keys carry the stored values: a save elsewhere shows here on the next run.
        reminders = f"{wijk.id}.{wijk.reminder_days_before}.{wijk.reminders_after}"
        with st.form(f"wijken.reminders_form.{wijk.id}"):
            st.subheader(t("wijk.reminders"))
            st.caption(t("wijk.reminders_hint"))
            days_before = st.number_input(t("field.reminder_days_before"), min_value=0, max_value=60, step=1,
                                          value=wijk.reminder_days_before, key=f"wijken.reminder_days.{reminders}")
            after = st.number_input(t("field.reminders_after"), min_value=0, max_value=10, step=1,
                                    value=wijk.reminders_after, key=f"wijken.reminders_after.{reminders}")
            if st.form_submit_button(t("action.save"), type="primary"):
                with shows_errors():
                    neighbourhoods.set_reminders(db, actor=actor, neighbourhood_id=wijk.id,
                                                 days_before=int(days_before), after=int(after))
                    done("wijk.reminders_saved")
        if actor.role == Role.ADMIN:
            with st.expander(t("wijken.archive_neighbourhood"), icon=":material/archive:"):
                st.write(t("wijken.archive_neighbourhood_explain"))
                if st.button(t("action.archive"), key="wijken.archive_neighbourhood_button"):
                    with shows_errors():
                        neighbourhoods.archive_neighbourhood(db, actor=actor, neighbourhood_id=wijk.id)
                        del st.query_params["wijk"]
                        done("action.archived")
