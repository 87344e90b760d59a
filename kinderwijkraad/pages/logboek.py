"""Logboek: the audit log on screen. Admins read every entry and check the hash chain;
facilitators read their wijken's entries. Filter by wijk, who, kind and dates; export as CSV."""

from datetime import timedelta
from functools import partial

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import audit, dashboards
from kinderwijkraad.services.proposals import today
from kinderwijkraad.ui import audit as audit_ui
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors

actor = auth.require(*navigation.AUDIT.roles)
PERIODS = [7, 30, 365, 0]  # the last n days, today included; 0: everything

st.title(t("page.audit"))
st.caption(t(f"audit.intro.{actor.role.value}"))
state.show_flash()

wijken = dict(dashboards.filter_choices(engine(), actor=actor).neighbourhoods)
kinds = audit.log_kinds(engine(), actor=actor)
with st.container(border=True):
    first, second = st.columns(2)
    wijk_id = first.selectbox(t("audit.filter.wijk"), [0, *wijken], key="audit.wijk",
                              format_func=lambda i: wijken.get(i, t("audit.every_wijk")))
    kind = second.selectbox(t("audit.filter.kind"), ["", *kinds], key="audit.kind",
                            format_func=lambda k: k or t("audit.every_kind"))
    third, fourth = st.columns(2)
    who = third.text_input(t("audit.filter.who"), key="audit.who", placeholder=t("audit.who_placeholder"))
    # A period rather than a calendar: Streamlit's date picker speaks English (month names, labels).
    days = fourth.selectbox(t("audit.filter.dates"), PERIODS, index=1, key="audit.period",
                            format_func=lambda n: t("audit.period.days", count=n) if n else t("audit.period.all"))
since, until = (today() - timedelta(days=days - 1) if days else None), None

with shows_errors():
    lines = audit.log_lines(engine(), actor=actor, where=audit.LogFilter(
        neighbourhood_id=wijk_id or None, who=who, kind=kind, since=since, until=until))
    st.caption(t("audit.count", count=len(lines), limit=audit.LOG_LIMIT))
    header, rows = audit.log_table(lines)
    if rows:
        st.dataframe([dict(zip(header, row, strict=True)) for row in rows], hide_index=True, width="stretch")
        export = audit_ui.logged_export(actor, "audit_csv", partial(audit.log_csv, lines))
        st.download_button(t("audit.download"), export, file_name="logboek.csv", mime="text/csv",
                           key="audit.download", on_click="ignore", icon=":material/table:")
    else:
        st.info(t("audit.none"))

if actor.role == Role.ADMIN:
    st.subheader(t("audit.chain.heading"))
    st.caption(t("audit.chain.caption"))
    if st.button(t("audit.chain.verify"), key="audit.verify", icon=":material/verified_user:"):
        with shows_errors():
            check = audit.verify_as(engine(), actor=actor)
            if check.intact:
                st.success(t("audit.chain.intact", count=check.entries), icon=":material/check_circle:")
            else:
                st.error(t(f"audit.chain.{check.problem}", id=check.broken_at, count=check.entries),
                         icon=":material/gpp_bad:")
