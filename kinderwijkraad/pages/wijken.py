"""Wijken: a wijk's school years, schools, classes and partners (facilitators and admins)."""

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import OrganisationKind, Phase, Role
from kinderwijkraad.services import councils
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, plain

actor = auth.require(*navigation.NEIGHBOURHOODS.roles)
db = engine()

st.title(t("page.neighbourhoods"))
state.show_flash()


def done(message_key: str, **params: object) -> None:
    state.flash(t(message_key, **params))
    st.rerun()


# --- choose or create a wijk -----------------------------------------------------------------
with st.expander(t("wijken.new_neighbourhood"), icon=":material/add:"):
    with st.form("wijken.new_neighbourhood_form", clear_on_submit=True):
        name = st.text_input(t("field.name"), max_chars=80, key="wijken.new_name")
        municipality = st.text_input(t("field.municipality"), max_chars=80, key="wijken.new_municipality")
        if st.form_submit_button(t("action.create"), type="primary"):
            with shows_errors():
                created = councils.create_neighbourhood(db, actor=actor, name=name, municipality=municipality)
                st.query_params["wijk"] = str(created.id)
                done("wijken.created", name=created.name)

wijken = councils.list_neighbourhoods(db, actor=actor)
if not wijken:
    st.info(t("wijken.none_yet"))
    st.stop()

requested = st.query_params.get("wijk")
ids = [w.id for w in wijken]
try:
    selected_id = int(requested) if requested else ids[0]
except ValueError:
    selected_id = ids[0]
names = {w.id: f"{w.name} ({w.municipality})" for w in wijken}
if selected_id in names:
    selected_id = st.selectbox(t("wijken.choose"), options=ids, index=ids.index(selected_id),
                               format_func=names.get, key="wijken.choose")
    st.query_params["wijk"] = str(selected_id)

overview = None
with shows_errors():
    # A wijk outside the user's scope (a changed link) is refused by the service itself.
    overview = councils.neighbourhood_overview(db, actor=actor, neighbourhood_id=selected_id)
if overview is None:
    st.page_link(navigation.NEIGHBOURHOODS.path.as_posix(), label=t("wijken.back_to_mine"))
    st.stop()

wijk = overview.neighbourhood
st.header(plain(wijk.name))
tab_year, tab_classes, tab_partners, tab_wijk = st.tabs(
    [t("wijken.tab.cycle"), t("wijken.tab.classes"), t("wijken.tab.partners"), t("wijken.tab.neighbourhood")]
)

# --- school year ---------------------------------------------------------------------------
with tab_year:
    cycle = None
    if overview.cycles:
        cycle_ids = [c.id for c in overview.cycles]
        chosen = st.selectbox(t("wijken.choose_cycle"), options=cycle_ids,
                              format_func=lambda i: next(c.school_year for c in overview.cycles if c.id == i),
                              key="wijken.cycle")
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
            with st.popover(t("wijken.advance_phase", phase=label("phase", following)), icon=":material/skip_next:"):
                st.write(t("wijken.advance_confirm", phase=label("phase", following)))
                if st.button(t("wijken.advance_yes"), key="wijken.advance", type="primary"):
                    with shows_errors():
                        councils.advance_cycle_phase(db, actor=actor, cycle_id=cycle.id, from_phase=current)
                        done("wijken.phase_advanced", phase=label("phase", following))

        with st.form("wijken.promises_form"):
            st.subheader(t("wijken.promises"))
            listener = st.text_input(t("field.listener"), value=cycle.listener, max_chars=200,
                                     key="wijken.cycle_listener")
            reply_by_days = st.number_input(t("field.reply_by_days"), min_value=1, max_value=365,
                                            value=cycle.reply_by_days, step=1, key="wijken.cycle_reply")
            budget = st.number_input(t("field.budget_eur"), min_value=0, value=cycle.budget_eur, step=100,
                                     placeholder=t("wijken.no_budget"), key="wijken.cycle_budget")
            if st.form_submit_button(t("action.save"), type="primary"):
                with shows_errors():
                    councils.update_cycle(db, actor=actor, cycle_id=cycle.id, listener=listener,
                                          reply_by_days=int(reply_by_days),
                                          budget_eur=None if budget is None else int(budget))
                    done("action.saved")
    else:
        st.info(t("wijken.no_cycle"))

    with st.expander(t("wijken.new_cycle"), icon=":material/add:", expanded=not overview.cycles):
        with st.form("wijken.new_cycle_form", clear_on_submit=True):
            school_year = st.text_input(t("field.school_year"), placeholder="2026-2027", max_chars=9,
                                        key="wijken.new_cycle_year")
            if st.form_submit_button(t("action.create"), type="primary"):
                with shows_errors():
                    councils.create_cycle(db, actor=actor, neighbourhood_id=wijk.id, school_year=school_year)
                    done("wijken.cycle_created", year=school_year.strip())

    if cycle is not None:
        with st.expander(t("wijken.archive_cycle"), icon=":material/archive:"):
            st.write(t("wijken.archive_cycle_explain"))
            if st.button(t("action.archive"), key="wijken.archive_cycle_button"):
                with shows_errors():
                    councils.archive_cycle(db, actor=actor, cycle_id=cycle.id)
                    done("action.archived")

# --- schools and classes -------------------------------------------------------------------
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
                with st.form("wijken.new_class_form", clear_on_submit=True):
                    school_id = st.selectbox(t("field.school"), options=list(school_names),
                                             format_func=school_names.get, key="wijken.new_class_school")
                    class_name = st.text_input(t("field.class_name"), max_chars=40, placeholder="Groep 7a",
                                               key="wijken.new_class_name")
                    grade = st.selectbox(t("field.grade"), options=[5, 6, 7, 8], index=2, key="wijken.new_class_grade")
                    pupils = st.number_input(t("field.pupil_count"), min_value=1, max_value=40, value=23,
                                             key="wijken.new_class_pupils")
                    teachers = st.multiselect(t("field.teachers"), options=list(teacher_names),
                                              format_func=teacher_names.get, key="wijken.new_class_teachers")
                    if st.form_submit_button(t("action.create"), type="primary"):
                        with shows_errors():
                            councils.create_classroom(db, actor=actor, cycle_id=cycle.id, school_id=school_id,
                                                      name=class_name, grade=grade, pupil_count=int(pupils),
                                                      teacher_ids=teachers)
                            done("wijken.class_created", name=class_name.strip())

        if rows:
            with st.expander(t("wijken.edit_class"), icon=":material/edit:"):
                class_labels = {r.id: f"{r.school_name} — {r.name}" for r in rows}
                edit_id = st.selectbox(t("field.class_name"), options=list(class_labels),
                                       format_func=class_labels.get, key="wijken.edit_class_choice")
                row = next(r for r in rows if r.id == edit_id)
                with st.form(f"wijken.edit_class_form.{edit_id}"):
                    new_name = st.text_input(t("field.class_name"), value=row.name, max_chars=40)
                    new_grade = st.selectbox(t("field.grade"), options=[5, 6, 7, 8], index=row.grade - 5)
                    new_pupils = st.number_input(t("field.pupil_count"), min_value=1, max_value=40,
                                                 value=row.pupil_count)
                    new_teachers = st.multiselect(t("field.teachers"), options=list(teacher_names),
                                                  default=[i for i in row.teacher_ids if i in teacher_names],
                                                  format_func=teacher_names.get)
                    save, archive = st.columns(2)
                    if save.form_submit_button(t("action.save"), type="primary"):
                        with shows_errors():
                            councils.update_classroom(db, actor=actor, classroom_id=edit_id, name=new_name,
                                                      grade=new_grade, pupil_count=int(new_pupils),
                                                      teacher_ids=new_teachers)
                            done("action.saved")
                    if archive.form_submit_button(t("action.archive")):
                        with shows_errors():
                            councils.archive_classroom(db, actor=actor, classroom_id=edit_id)
                            done("action.archived")

    st.subheader(t("wijken.schools"))
    for school in overview.schools:
        st.text(f"• {school.name}")
    if school_names:
        with st.expander(t("wijken.edit_school"), icon=":material/edit:"):
            edit_school = st.selectbox(t("field.school"), options=list(school_names), format_func=school_names.get,
                                       key="wijken.edit_school_choice")
            with st.form(f"wijken.edit_school_form.{edit_school}"):
                renamed = st.text_input(t("field.name"), value=school_names[edit_school], max_chars=120)
                save, archive = st.columns(2)
                if save.form_submit_button(t("action.save"), type="primary"):
                    with shows_errors():
                        councils.rename_school(db, actor=actor, school_id=edit_school, name=renamed)
                        done("action.saved")
                if archive.form_submit_button(t("action.archive")):
                    with shows_errors():
                        councils.archive_school(db, actor=actor, school_id=edit_school)
                        done("action.archived")
    with st.expander(t("wijken.new_school"), icon=":material/add:", expanded=not overview.schools):
        with st.form("wijken.new_school_form", clear_on_submit=True):
            school_name = st.text_input(t("field.name"), max_chars=120, key="wijken.new_school_name")
            if st.form_submit_button(t("action.create"), type="primary"):
                with shows_errors():
                    councils.create_school(db, actor=actor, neighbourhood_id=wijk.id, name=school_name)
                    done("wijken.school_created", name=school_name.strip())

# --- partners ------------------------------------------------------------------------------
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
                with st.form("wijken.new_partner_form", clear_on_submit=True):
                    organisation_id = st.selectbox(t("field.organisation"), options=list(available),
                                                   format_func=available.get, key="wijken.partner_org")
                    listener = st.text_input(t("field.listener"), max_chars=200, key="wijken.partner_listener")
                    reply = st.number_input(t("field.reply_by_days"), min_value=1, max_value=365, value=42,
                                            key="wijken.partner_reply")
                    budget = st.number_input(t("field.budget_eur"), min_value=0, value=None, step=100,
                                             placeholder=t("wijken.no_budget"), key="wijken.partner_budget")
                    if st.form_submit_button(t("action.add"), type="primary"):
                        with shows_errors():
                            councils.add_partner(db, actor=actor, cycle_id=cycle.id, organisation_id=organisation_id,
                                                 listener=listener, reply_by_days=int(reply),
                                                 budget_eur=None if budget is None else int(budget))
                            done("wijken.partner_added")
        if partners:
            with st.expander(t("wijken.remove_partner"), icon=":material/remove:"):
                partner_labels = {p.id: p.organisation_name for p in partners}
                remove_id = st.selectbox(t("field.organisation"), options=list(partner_labels),
                                         format_func=partner_labels.get, key="wijken.remove_partner_choice")
                if st.button(t("action.remove"), key="wijken.remove_partner_button"):
                    with shows_errors():
                        councils.remove_partner(db, actor=actor, partnership_id=remove_id)
                        done("wijken.partner_removed")

    st.subheader(t("wijken.organisations"))
    if organisation_names:
        contact_org = st.selectbox(t("field.organisation"), options=list(organisation_names),
                                   format_func=organisation_names.get, key="wijken.contact_org")
        contacts = councils.list_contacts(db, actor=actor, organisation_id=contact_org)
        if contacts:
            st.dataframe(
                [{t("field.name"): c.name, t("field.job_title"): c.job_title, t("field.email"): c.email,
                  t("field.phone"): c.phone} for c in contacts],
                hide_index=True, use_container_width=True,
            )
        with st.form("wijken.new_contact_form", clear_on_submit=True):
            st.caption(t("wijken.new_contact"))
            contact_name = st.text_input(t("field.name"), max_chars=120, key="wijken.contact_name")
            job_title = st.text_input(t("field.job_title"), max_chars=120, key="wijken.contact_job")
            email = st.text_input(t("field.email"), max_chars=200, key="wijken.contact_email")
            phone = st.text_input(t("field.phone"), max_chars=40, key="wijken.contact_phone")
            if st.form_submit_button(t("action.add")):
                with shows_errors():
                    councils.add_contact(db, actor=actor, organisation_id=contact_org, name=contact_name,
                                         job_title=job_title, email=email, phone=phone)
                    done("wijken.contact_added")
        with st.expander(t("wijken.edit_organisation"), icon=":material/edit:"):
            current_org = next(o for o in overview.organisations if o.id == contact_org)
            kinds = list(OrganisationKind)
            with st.form(f"wijken.edit_organisation_form.{contact_org}"):
                org_name = st.text_input(t("field.name"), value=current_org.name, max_chars=120)
                org_kind = st.selectbox(t("field.kind"), options=kinds, index=kinds.index(current_org.kind),
                                        format_func=lambda k: label("organisation_kind", k))
                save, archive = st.columns(2)
                if save.form_submit_button(t("action.save"), type="primary"):
                    with shows_errors():
                        councils.update_organisation(db, actor=actor, organisation_id=contact_org, name=org_name,
                                                     kind=org_kind)
                        done("action.saved")
                if actor.role == Role.ADMIN and archive.form_submit_button(t("action.archive")):
                    with shows_errors():
                        councils.archive_organisation(db, actor=actor, organisation_id=contact_org)
                        done("action.archived")
    with st.expander(t("wijken.new_organisation"), icon=":material/add:"):
        with st.form("wijken.new_organisation_form", clear_on_submit=True):
            org_name = st.text_input(t("field.name"), max_chars=120, key="wijken.org_name")
            kind = st.selectbox(t("field.kind"), options=list(OrganisationKind),
                                format_func=lambda k: label("organisation_kind", k), key="wijken.org_kind")
            if st.form_submit_button(t("action.create"), type="primary"):
                with shows_errors():
                    councils.create_organisation(db, actor=actor, name=org_name, kind=kind)
                    done("wijken.organisation_created", name=org_name.strip())

# --- the wijk itself -----------------------------------------------------------------------
with tab_wijk:
    with st.form("wijken.edit_neighbourhood_form"):
        new_name = st.text_input(t("field.name"), value=wijk.name, max_chars=80)
        new_municipality = st.text_input(t("field.municipality"), value=wijk.municipality, max_chars=80)
        if st.form_submit_button(t("action.save"), type="primary"):
            with shows_errors():
                councils.update_neighbourhood(db, actor=actor, neighbourhood_id=wijk.id, name=new_name,
                                              municipality=new_municipality)
                done("action.saved")
    if actor.role == Role.ADMIN:
        with st.expander(t("wijken.archive_neighbourhood"), icon=":material/archive:"):
            st.write(t("wijken.archive_neighbourhood_explain"))
            if st.button(t("action.archive"), key="wijken.archive_neighbourhood_button"):
                with shows_errors():
                    councils.archive_neighbourhood(db, actor=actor, neighbourhood_id=wijk.id)
                    del st.query_params["wijk"]
                    done("action.archived")
