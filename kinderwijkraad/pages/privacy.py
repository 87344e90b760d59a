"""Privacy: which data about children the app holds, why and for how long (for the school board,
the controller); the retention period, the preview of what is due for removal and the run itself
(admins); and the answer to an access request for one child, as JSON and PDF (admins, and
facilitators for the classes of their wijken)."""

from functools import partial

import streamlit as st

from kinderwijkraad.exports.access import AccessExport, file_stem, statements
from kinderwijkraad.i18n import current_language, format_date, set_language, t
from kinderwijkraad.models import Role
from kinderwijkraad.services import access_requests, classification, retention
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import local_time, plain
from kinderwijkraad.ui.tabs import place_tabs

actor = auth.require(*navigation.PRIVACY.roles)


def _counts_text(counts: dict[str, int]) -> str:
    """ "3 aanmeldingen (voornaam, toestemming), 2 raadsleden…", the kinds with something only."""
    parts = [f"{n} × {t(f'privacy.kind.{kind}')}" for kind, n in counts.items() if n]
    return ", ".join(parts) or t("privacy.nothing")


# --- retention (admins) ----------------------------------------------------------------------------


def _retention_tab() -> None:
    settings = retention.retention_settings(engine())
    st.markdown(t("privacy.retention_explained"))
    with st.form("privacy.retention_form"):
        days = st.number_input(t("field.retention_days"), min_value=0, max_value=retention.MAX_RETENTION_DAYS,
                               value=settings.retention_days, step=1, key=f"privacy.days.{settings.retention_days}",
                               help=t("privacy.retention_help"))
        if st.form_submit_button(t("privacy.save"), type="primary", icon=":material/save:"):
            with shows_errors():
                saved = retention.set_retention_days(engine(), actor=actor, days=int(days))
                state.flash(t("privacy.retention_saved", count=saved.retention_days))
                st.rerun()
    if settings.updated_at is None:
        st.caption(t("privacy.retention_default", count=settings.retention_days))
    else:
        st.caption(t("privacy.retention_changed", when=local_time(settings.updated_at),
                     by=plain(settings.updated_by or "—")))

    st.subheader(t("privacy.last_run.heading"))
    run = retention.last_run(engine(), actor=actor)
    if run is None:
        st.info(t("privacy.last_run.none"))
    else:
        cycles = ", ".join(run.cycle_labels) or t("privacy.last_run.no_cycles")
        st.markdown(t("privacy.last_run.summary", when=local_time(run.at), by=plain(run.by), cycles=plain(cycles)))
        st.caption(_counts_text(run.counts))

    preview = retention.retention_preview(engine(), actor=actor)
    st.subheader(t("privacy.preview.heading"))
    if not preview.due:
        st.success(t("privacy.preview.nothing", count=preview.retention_days), icon=":material/check_circle:")
    else:
        # Kept past its term: a duty the school and Kies&Co have, so it stands out.
        st.warning(t("privacy.preview.explained", count=preview.retention_days), icon=":material/schedule:")
        rows = []
        for kind in retention.KINDS:
            row = {t("privacy.preview.kind"): t(f"privacy.kind.{kind}")}
            row.update({cycle.label: cycle.counts[kind] for cycle in preview.due})
            rows.append(row)
        for cycle in preview.due:
            st.caption(t("privacy.preview.cycle", label=plain(cycle.label), closed=local_time(cycle.closed_at),
                         due=local_time(cycle.due_at)))
        st.dataframe(rows, hide_index=True, width="stretch")
        with st.popover(t("privacy.apply"), icon=":material/delete_forever:"):
            st.warning(t("privacy.apply_warning", count=len(preview.due)))
            sure = st.checkbox(t("privacy.apply_confirm"), key="privacy.apply_sure")
            if st.button(t("privacy.apply_now"), key="privacy.apply_now", type="primary", disabled=not sure):
                with shows_errors():
                    result = retention.apply_retention(engine(), actor=actor)
                    state.flash(t("privacy.applied", count=len(result.cycles), counts=_counts_text(result.totals)))
                    st.rerun()
    if preview.waiting:
        st.markdown(f"#### {t('privacy.waiting.heading')}")
        st.table([{t("privacy.waiting.cycle"): w.label, t("privacy.waiting.closed"): local_time(w.closed_at),
                   t("privacy.waiting.due"): local_time(w.due_at)} for w in preview.waiting], hide_index=True)


# --- the processing summary ------------------------------------------------------------------------


def _processing_tab() -> None:
    days = retention.retention_settings(engine()).retention_days
    st.markdown(t("privacy.processing.explained"))
    st.table([{
        t("privacy.processing.col.data"): t(f"privacy.processing.{name}.data"),
        t("privacy.processing.col.purpose"): t(f"privacy.processing.{name}.purpose"),
        t("privacy.processing.col.retention"): t(f"privacy.processing.{name}.retention", count=days),
        t("privacy.processing.col.after"): t(f"privacy.handling.{handling.value}"),
    } for name, handling in classification.PROCESSING], border="horizontal", hide_index=True)
    st.caption(t("privacy.processing.limits"))


# --- the access request ------------------------------------------------------------------------------


def _download(kind: str, classroom_id: int, first_name: str, language: str) -> bytes:
    """Made when the button is clicked (and audited then), in the language of the page."""
    set_language(language)
    make = access_requests.access_export_json if kind == "json" else access_requests.access_export_pdf
    return make(engine(), actor=actor, classroom_id=classroom_id, first_name=first_name)


def _show(export: AccessExport) -> None:
    """What the export holds, on screen, before it is downloaded."""
    said = statements(export)
    with st.container(border=True):
        st.markdown(f"#### {t('access.title', name=plain(export.first_name))}")
        st.caption(f"{plain(export.school)} · {plain(export.class_name)} · {plain(export.wijk)} · {export.school_year}")
        st.markdown(f"**{t('access.heading.sign_up')}**  \n"
                    f"{t('access.signed_up_at')}: {local_time(export.signed_up_at)} · {t(f'consent.{export.consent}')}"
                    f" ({local_time(export.consent_recorded_at)})")
        if export.council_role is None:
            council = t("access.not_a_member")
        else:
            council = (t(f"council_role.{export.council_role}") + " · "
                       + t("access.meetings_value", attended=len(export.meetings_attended), count=export.meetings_held))
            if export.meetings_attended:
                council += ": " + ", ".join(format_date(day) for day in export.meetings_attended)
        st.markdown(f"**{t('access.heading.council')}**  \n{council}")
        st.markdown(f"**{t('access.heading.mentions')}**  \n"
                    + (plain("; ".join(export.mentions)) if export.mentions else t("access.no_mentions")))
        st.markdown(f"**{t('access.heading.plans')}**  \n{said['plans']}  \n"
                    + (plain("; ".join(export.class_plans)) if export.class_plans else t("access.no_plans")))
        st.info(t("access.statement.votes", name=plain(export.first_name)), icon=":material/how_to_vote:")
        st.caption(said["retention"])


def _access_tab() -> None:
    st.markdown(t("privacy.access.explained"))
    classes = access_requests.access_classrooms(engine(), actor=actor)
    if not classes:
        st.info(t("privacy.access.no_classes"))
        return
    labels = {choice.id: choice.label for choice in classes}
    with st.form("privacy.access_form"):
        classroom_id = st.selectbox(t("privacy.access.class"), list(labels),
                                    format_func=lambda i: labels.get(i, str(i)), key="privacy.access_class",
                                    placeholder=t("privacy.pick"))
        first_name = st.text_input(t("privacy.access.first_name"), key="privacy.access_name")
        if st.form_submit_button(t("privacy.access.make"), type="primary", icon=":material/manage_search:"):
            st.session_state.pop(state.PRIVACY_ACCESS, None)
            with shows_errors():
                export = access_requests.access_export(engine(), actor=actor, classroom_id=classroom_id,
                                                       first_name=first_name, purpose="screen")
                st.session_state[state.PRIVACY_ACCESS] = ((classroom_id, first_name), export)
    shown = st.session_state.get(state.PRIVACY_ACCESS)
    if not shown:
        return
    (shown_class, shown_name), export = shown
    _show(export)
    st.caption(t("privacy.access.logged"))
    left, right = st.columns(2)
    language = current_language()
    left.download_button(t("privacy.access.download_json"), partial(_download, "json", shown_class, shown_name,
                                                                     language),
                         file_name=f"{file_stem(export)}.json", mime="application/json", icon=":material/data_object:",
                         key="privacy.download_json", on_click="ignore", width="stretch")
    right.download_button(t("privacy.access.download_pdf"), partial(_download, "pdf", shown_class, shown_name,
                                                                     language),
                          file_name=f"{file_stem(export)}.pdf", mime="application/pdf",
                          icon=":material/picture_as_pdf:", key="privacy.download_pdf", on_click="ignore",
                          type="primary", width="stretch")


# --- the page --------------------------------------------------------------------------------------

st.title(t("page.privacy"))
state.show_flash()
st.caption(t("privacy.intro"))

# Only the open tab runs; it stays open after a save (its name is in the address).
if actor.role == Role.ADMIN:
    retention_tab, processing_tab, access_tab = place_tabs(
        "privacy.tab", [t("privacy.tab.retention"), t("privacy.tab.processing"), t("privacy.tab.access")])
    if retention_tab.open:
        with retention_tab:
            _retention_tab()
else:
    processing_tab, access_tab = place_tabs("privacy.tab", [t("privacy.tab.processing"), t("privacy.tab.access")])
if processing_tab.open:
    with processing_tab:
        _processing_tab()
if access_tab.open:
    with access_tab:
        _access_tab()
