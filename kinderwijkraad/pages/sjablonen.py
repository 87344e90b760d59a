"""Sjablonen: facilitators and admins copy and edit lesson series without touching files.

Every save is a new version (a lesson under way keeps the version it started with). The steps of
a lesson and the fields of the plan form are edited as tables; the preview shows the result as
the board will, and a mistake is named by lesson, step and field before anything is stored.
"""

import streamlit as st

from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.models import FieldType, StepKind
from kinderwijkraad.services import templates
from kinderwijkraad.ui import auth, navigation, pictures, state
from kinderwijkraad.ui import readability as reading_level
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import error_text, shows_errors
from kinderwijkraad.ui.format import label, local_time, plain
from kinderwijkraad.ui.tabs import place_tabs

actor = auth.require(*navigation.TEMPLATES.roles)

st.title(t("page.templates"))
st.caption(t("templates.intro"))
state.show_flash()

summaries = {summary.slug: summary for summary in templates.list_templates(engine())}
# A copy just made is opened: set before the widget exists.
if st.session_state.get(state.TEMPLATES_SHOW_NEXT) in summaries:
    st.session_state["templates.slug"] = st.session_state.pop(state.TEMPLATES_SHOW_NEXT)
slug = st.selectbox(t("templates.template"), list(summaries), key="templates.slug", placeholder=t("templates.pick"),
                    format_func=lambda s: f"{summaries[s].name} ({s}, v{summaries[s].version})" if s in summaries
                    else str(s))
newest = summaries[slug]
# The version being edited stays the one opened, even when someone saves a newer one meanwhile:
# then saving is refused (Conflict) instead of silently building on their version.
opened_key = f"templates.opened.{slug}"
versions = {summary.id: summary for summary in templates.template_versions(engine(), slug)}
if st.session_state.get(opened_key) not in versions:
    st.session_state[opened_key] = newest.id
current = versions[st.session_state[opened_key]]
series = templates.template_series(engine(), current.id)
editable = templates.may_edit(actor, slug)
if current.id != newest.id:
    st.warning(t("templates.newer_exists", opened=current.version, newest=newest.version), icon=":material/update:")
    if st.button(t("templates.open_newest"), key="templates.open_newest"):
        st.session_state[opened_key] = newest.id
        st.rerun()
if not editable:
    st.info(t("templates.copy_first_hint"), icon=":material/content_copy:")
reading_group = reading_level.group_picker(series, key=f"templates.reading_group.{current.id}", disabled=not editable)


def _save(data: dict) -> None:
    try:
        saved = templates.save_template_version(engine(), actor=actor, slug=slug, series=data,
                                                based_on_version=current.version)
    except KwrError as error:
        st.error(error_text(error), icon=":material/error:")
        return
    st.session_state[opened_key] = saved.id
    state.flash(t("templates.saved", version=saved.version))
    st.rerun()


# Only the open tab runs; it stays open after a save (its name is in the address).
tab_steps, tab_form, tab_file, tab_versions = place_tabs(
    "templates.tab",
    [t("templates.tab_steps"), t("templates.tab_form"), t("templates.tab_file"), t("templates.tab_versions")])

if tab_steps.open:
    with tab_steps:
        lesson_index = st.radio(t("lesson.which_lesson"), range(len(series.lessons)), horizontal=True,
                                format_func=lambda i: plain(series.lessons[i].title.nl), key="templates.lesson")
        rows = st.data_editor(
            templates.step_rows(series, lesson_index), num_rows="dynamic", width="stretch",
            key=f"templates.steps.{current.id}.{lesson_index}",
            column_config={
                "source": None,  # hidden: which saved step a row was, to keep its English texts
                "kind": st.column_config.SelectboxColumn(t("templates.kind"), options=[k.value for k in StepKind],
                                                         required=True, format_func=lambda k: label("step_kind", k)),
                # No max_chars: the template check names the lesson, step and field that is too long.
                "title": st.column_config.TextColumn(t("templates.step_title"), required=True),
                "children_text": st.column_config.TextColumn(t("templates.children_text")),
                "teacher_text": st.column_config.TextColumn(t("templates.teacher_text")),
                "minutes": st.column_config.NumberColumn(t("templates.minutes"), min_value=1, max_value=90, step=1),
                "image": st.column_config.TextColumn(t("templates.image")),
                "pictogram": pictures.template_column(series),
            },
        )
        edited = reading_level.checked(templates.with_step_rows(series, lesson_index, rows), reading_group)
        with st.expander(t("templates.preview"), icon=":material/visibility:", expanded=True):
            for number, step in enumerate(edited["lessons"][lesson_index]["steps"], start=1):
                with st.container(border=True):
                    st.caption(t("templates.preview_step", number=number,
                                 kind=label("step_kind", step.get("kind") or "?"), minutes=step.get("minutes") or "?"))
                    st.markdown(f"#### {plain(step['title']['nl'] or '—')}")
                    pictures.show(step.get("pictogram"), plain(step["children_text"]["nl"]))
        if st.button(t("templates.save_version", version=current.version + 1), type="primary",
                     key="templates.save_steps", disabled=not editable):
            _save(edited)

if tab_form.open:
    with tab_form:
        st.caption(t("templates.form_hint"))
        field_rows = st.data_editor(
            templates.field_rows(series), num_rows="dynamic", width="stretch", key=f"templates.fields.{current.id}",
            column_config={
                "name": st.column_config.TextColumn(t("templates.field_name"), required=True),
                "label": st.column_config.TextColumn(t("templates.field_label"), required=True),
                "type": st.column_config.SelectboxColumn(t("templates.field_type"),
                                                         options=[f.value for f in FieldType], required=True,
                                                         format_func=lambda f: label("field_type", f)),
                "required": st.column_config.CheckboxColumn(t("templates.field_required")),
                "max_length": st.column_config.NumberColumn(t("templates.field_max"), min_value=1, max_value=2000),
                "help": st.column_config.TextColumn(t("templates.field_help")),
                "options": st.column_config.TextColumn(t("templates.field_options")),
                "pictogram": pictures.template_column(series),
            },
        )
        form_edited = reading_level.checked(templates.with_field_rows(series, field_rows), reading_group)
        if st.button(t("templates.save_version", version=current.version + 1), type="primary",
                     key="templates.save_form", disabled=not editable):
            _save(form_edited)

if tab_file.open:
    with tab_file:
        st.download_button(t("templates.download"), templates.template_yaml(series), file_name=f"{slug}.yaml",
                           mime="application/x-yaml", icon=":material/download:")
        upload = st.file_uploader(t("templates.upload"), type=["yaml", "yml"], key="templates.upload")
        if upload is not None and st.button(t("templates.save_upload"), key="templates.save_upload",
                                            disabled=not editable):
            with shows_errors():
                text = upload.getvalue().decode("utf-8", errors="replace")
                _save(templates.parse_template(text, source=upload.name).model_dump(mode="json"))
        with st.form("templates.copy_form"):
            st.subheader(t("templates.copy"))
            new_slug = st.text_input(t("templates.new_slug"), key="templates.new_slug")
            new_name = st.text_input(t("templates.new_name"), value=f"{series.name.nl} (kopie)",
                                     key=f"templates.new_name.{slug}")
            if st.form_submit_button(t("templates.copy"), icon=":material/content_copy:"):
                with shows_errors():
                    copy = templates.copy_template(engine(), actor=actor, from_template_id=current.id,
                                                   new_slug=new_slug, new_name=new_name)
                    st.session_state[state.TEMPLATES_SHOW_NEXT] = copy.slug
                    state.flash(t("templates.copied", slug=copy.slug))
                    st.rerun()

if tab_versions.open:
    with tab_versions:
        st.dataframe(
            [{t("templates.version"): v.version, t("templates.saved_at"): local_time(v.created_at),
              t("templates.lessons"): " · ".join(v.lesson_titles)}
             for v in templates.template_versions(engine(), slug)],
            hide_index=True, width="stretch",
        )
