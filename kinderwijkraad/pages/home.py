"""Start: per role, where each of my cycles stands and what to do next."""

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import Phase, Role
from kinderwijkraad.services import home, proposals
from kinderwijkraad.ui import auth, navigation
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.format import label, plain

actor = auth.require(*navigation.HOME.roles)
overview = home.home_overview(engine(), actor=actor)

st.title(t("home.title", name=plain(actor.display_name)))
st.caption(t(f"home.role_intro.{actor.role.value}"))

for todo in overview.todos:
    st.info(t(todo.key, **todo.params), icon=":material/arrow_forward:")

# Proposals past their reply-by date without an answer: the facilitator follows them up.
late = proposals.overdue(engine(), actor=actor)
if late:
    with st.container(border=True):
        st.subheader(t("home.overdue", count=len(late)))
        for row in late:
            st.error(t("proposal.overdue", organisation=plain(row.organisation), proposal=plain(row.proposal_title),
                       date=row.reply_by.strftime("%d-%m-%Y")), icon=":material/alarm:")
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
        for todo in status.todos:
            st.markdown(f"**{t('home.next')}** {t(todo.key, **todo.params)}")
        if actor.role in (Role.ADMIN, Role.FACILITATOR):
            st.caption(t("home.cycle_facts", classrooms=status.classrooms, partners=status.partners))
        if status.details:
            st.caption(t(f"home.details.{actor.role.value}"))
            for line in status.details:
                st.text(line)

if actor.role in (Role.ADMIN, Role.FACILITATOR):
    st.page_link(navigation.NEIGHBOURHOODS.path.as_posix(), label=t("home.go_neighbourhoods"),
                 icon=":material/location_city:")
