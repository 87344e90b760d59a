"""Start: per role, where each of my cycles stands and what to do next."""

import streamlit as st

from kinderwijkraad.i18n import format_date, t
from kinderwijkraad.models import Phase, Role
from kinderwijkraad.services import home, neighbourhoods, proposals
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import label, plain

actor = auth.require(*navigation.HOME.roles)
overview = home.home_overview(engine(), actor=actor)

st.title(t("home.title", name=plain(actor.display_name)))
st.caption(t(f"home.role_intro.{actor.role.value}"))
state.show_flash()

for todo in overview.todos:
    st.info(t(todo.key, **todo.params), icon=":material/arrow_forward:")

# Proposals past their reply-by date without an answer: the facilitator follows them up.
late = proposals.overdue(engine(), actor=actor)
if late:
    with st.container(border=True):
        st.subheader(t("home.overdue", count=len(late)))
        for row in late:
            st.error(t("proposal.overdue", organisation=plain(row.organisation), proposal=plain(row.proposal_title),
                       date=format_date(row.reply_by, "short")), icon=":material/alarm:")
        st.page_link(navigation.PROPOSALS.path.as_posix(), label=t("home.go_proposals"), icon=":material/mail:")

if overview.counts:
    columns = st.columns(len(overview.counts))
    for column, (name, value) in zip(columns, overview.counts.items(), strict=True):
        column.metric(t(f"home.count.{name}"), value)

phases = list(Phase)
for status in overview.cycles:
    with st.container(border=True):
        st.subheader(t("home.cycle_heading", wijk=plain(status.neighbourhood_name), year=status.school_year))
        step = phases.index(status.phase) + 1
        st.progress(step / len(phases), text=t("home.phase", phase=label("phase", status.phase),
                                                 step=step, steps=len(phases)))
        if status.work_reached is not None:
            # Proposed, never done silently: the facilitator moves the year on with one click.
            reached = label("phase", status.work_reached)
            st.warning(t("home.work_reached", phase=reached), icon=":material/fast_forward:")
            if st.button(t("home.move_to_phase", phase=reached), type="primary",
                         key=f"home.move.{status.cycle_id}.{status.phase.value}.{status.work_reached.value}"):
                with shows_errors():
                    neighbourhoods.advance_cycle_phase(engine(), actor=actor, cycle_id=status.cycle_id,
                                                       from_phase=status.phase, to_phase=status.work_reached)
                    state.flash(t("home.phase_moved", wijk=plain(status.neighbourhood_name), phase=reached))
                    st.rerun()
        for todo in status.todos:
            st.markdown(f"**{t('home.next')}** {t(todo.key, **todo.params)}")
        if actor.role in (Role.ADMIN, Role.FACILITATOR):
            st.caption(t("home.cycle_facts", classrooms=t("count.classes", count=status.classrooms),
                         partners=t("count.partners", count=status.partners)))
        if status.details:
            st.caption(t(f"home.details.{actor.role.value}"))
            for line in status.details:
                st.text(line)

if actor.role in (Role.ADMIN, Role.FACILITATOR):
    st.page_link(navigation.NEIGHBOURHOODS.path.as_posix(), label=t("home.go_neighbourhoods"),
                 icon=":material/location_city:")
