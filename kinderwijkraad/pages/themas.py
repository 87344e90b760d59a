"""Thema's: the facilitator sees every plan of a cycle (all schools and classes), filters them and
sorts them into themes, helped by suggestions of plans that look alike."""

from functools import partial

import streamlit as st

from kinderwijkraad.i18n import t
from kinderwijkraad.services import plans
from kinderwijkraad.ui import auth, navigation, state
from kinderwijkraad.ui import lesson as shared
from kinderwijkraad.ui.cycles import pick_cycle
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import plain

actor = auth.require(*navigation.THEMES.roles)
UNSORTED = -1  # the filter value for plans not in a theme yet
ALL = 0

st.title(t("page.themes"))
state.show_flash()

cycle_id = pick_cycle(actor, key="themes.cycle")

all_plans = plans.cycle_plans(engine(), actor=actor, cycle_id=cycle_id)
theme_rows = plans.themes(engine(), actor=actor, cycle_id=cycle_id)
theme_names = {row.id: row.name for row in theme_rows}

sorted_count = sum(plan.theme_id is not None for plan in all_plans)
left, middle, right = st.columns(3)
left.metric(t("themes.count_plans"), len(all_plans))
middle.metric(t("themes.count_sorted"), sorted_count)
right.metric(t("themes.count_themes"), len(theme_rows))
if not all_plans:
    st.info(t("themes.no_plans"))
    st.stop()

# --- suggestions -------------------------------------------------------------------------


def _suggestion(suggestion: plans.Suggestion, titles: dict[int, str]) -> None:
    """A group of unsorted plans that look alike: put them in a new or an existing theme."""
    st.markdown(t("themes.suggestion_words", words=plain(", ".join(suggestion.shared_words) or "—")))
    for plan_id in suggestion.plan_ids:
        st.text(f"• {titles[plan_id]}")
    # Keyed by its plans, not its place in the list: the list changes as plans are sorted.
    number = "-".join(map(str, suggestion.plan_ids))
    with st.form(f"themes.suggestion.{number}"):
        proposed = suggestion.shared_words[0].capitalize() if suggestion.shared_words else ""
        name = st.text_input(t("themes.new_theme_name"), value=proposed, max_chars=80,
                             key=f"themes.suggestion_name.{number}")
        target = st.selectbox(t("themes.or_existing"), [None, *theme_names],
                              format_func=lambda i: theme_names.get(i, t("themes.make_new")),
                              key=f"themes.suggestion_target.{number}")
        if st.form_submit_button(t("themes.put_together"), type="primary"):
            with shows_errors():
                theme_id = target or plans.create_theme(engine(), actor=actor, cycle_id=cycle_id, name=name)
                moved = plans.move_plans(engine(), actor=actor, cycle_id=cycle_id, plan_ids=suggestion.plan_ids,
                                         theme_id=theme_id)
                state.flash(t("themes.moved", count=moved, theme=plain(theme_names.get(theme_id, name))))
                st.rerun()


suggestions = plans.suggested_groups(all_plans)
if suggestions:
    with st.expander(t("themes.suggestions", count=len(suggestions)), icon=":material/lightbulb:", expanded=True):
        plan_titles = {plan.id: plan.title or t("plan.untitled") for plan in all_plans}
        for suggestion in suggestions[:8]:
            with st.container(border=True):
                _suggestion(suggestion, plan_titles)

# --- the plans -----------------------------------------------------------------------------
st.subheader(t("themes.plans"))
schools = sorted({plan.school_name for plan in all_plans})
filter_cols = st.columns(3)
school = filter_cols[0].selectbox(t("field.school"), ["", *schools], format_func=lambda s: s or t("themes.all"),
                                  key="themes.filter_school")
theme_filter = filter_cols[1].selectbox(
    t("themes.theme"), [ALL, UNSORTED, *theme_names],
    format_func=lambda i: {ALL: t("themes.all"), UNSORTED: t("themes.unsorted")}.get(i) or theme_names[i],
    key="themes.filter_theme")
search = filter_cols[2].text_input(t("themes.search"), key="themes.filter_search").strip().lower()

shown = [
    plan for plan in all_plans
    if (not school or plan.school_name == school)
    and (theme_filter == ALL or (theme_filter == UNSORTED and plan.theme_id is None) or plan.theme_id == theme_filter)
    and (not search or search in plan.text().lower())
]
def _remember_selection(shown_ids: list[int]) -> None:
    """Selection comes as row positions; turn them into plan ids at once, while they still mean
    the rows the facilitator clicked (the table can change under them on the next run)."""
    rows = st.session_state["themes.table"].selection.rows
    st.session_state[state.THEMES_SELECTED] = [shown_ids[i] for i in rows if i < len(shown_ids)]


st.dataframe(
    [{t("plan.title_column"): plan.title, t("themes.theme"): theme_names.get(plan.theme_id, "—"),
      t("field.school"): plan.school_name, t("field.class_name"): plan.class_name, t("lesson.team"): plan.team_name,
      t("plan.status"): t(f"plan_status.{plan.status.value}"), t("themes.text"): plan.text()}
     for plan in shown],
    hide_index=True, width="stretch", on_select=partial(_remember_selection, [plan.id for plan in shown]),
    selection_mode="multi-row", key="themes.table",
)
shown_ids = {plan.id for plan in shown}
selected = [plan_id for plan_id in st.session_state.get(state.THEMES_SELECTED, []) if plan_id in shown_ids]
st.caption(t("themes.selected", count=len(selected), shown=len(shown)))

move_cols = st.columns([2, 1])
target = move_cols[0].selectbox(t("themes.move_to"), [UNSORTED, *theme_names], key="themes.move_target",
                                format_func=lambda i: theme_names.get(i, t("themes.unsorted")))
if move_cols[1].button(t("themes.move"), disabled=not selected, width="stretch", key="themes.move_button"):
    with shows_errors():
        moved = plans.move_plans(engine(), actor=actor, cycle_id=cycle_id, plan_ids=selected,
                                 theme_id=None if target == UNSORTED else target)
        state.flash(t("themes.moved", count=moved, theme=plain(theme_names.get(target, t("themes.unsorted")))))
        st.rerun()

if len(selected) == 1:
    plan = next(p for p in all_plans if p.id == selected[0])
    with st.container(border=True):
        shared.plan_card(plans.plan_view(engine(), actor=actor, plan_id=plan.id),
                         plans.plan_form_for_plan(engine(), plan.id))
        fits = plans.suggested_themes(plan, all_plans, theme_rows)
        if fits:
            st.caption(t("themes.fits", themes=plain(", ".join(theme_names[i] for i, _score in fits[:3]))))

# --- the themes ----------------------------------------------------------------------------
st.subheader(t("themes.themes"))
with st.form("themes.create", clear_on_submit=True):
    name = st.text_input(t("themes.new_theme_name"), max_chars=80, key="themes.create_name")
    if st.form_submit_button(t("themes.create"), icon=":material/add:"):
        with shows_errors():
            plans.create_theme(engine(), actor=actor, cycle_id=cycle_id, name=name)
            state.flash(t("themes.created", name=plain(name.strip())))
            st.rerun()

for row in theme_rows:
    with st.expander(t("themes.theme_heading", name=plain(row.name), count=row.plan_count), icon=":material/category:"):
        for plan in all_plans:
            if plan.theme_id == row.id:
                st.text(f"• {plan.title or t('plan.untitled')} ({plan.school_name}, {plan.class_name})")
        with st.form(f"themes.rename.{row.id}"):
            new_name = st.text_input(t("themes.rename"), value=row.name, max_chars=80,
                                     key=f"themes.rename_name.{row.id}")
            if st.form_submit_button(t("themes.rename")):
                with shows_errors():
                    plans.rename_theme(engine(), actor=actor, theme_id=row.id, name=new_name)
                    st.rerun()
        others = [other for other in theme_names if other != row.id]
        if others:
            with st.form(f"themes.merge.{row.id}"):
                into = st.selectbox(t("themes.merge_into"), others, format_func=theme_names.get,
                                    key=f"themes.merge_target.{row.id}")
                if st.form_submit_button(t("themes.merge")):
                    with shows_errors():
                        plans.merge_themes(engine(), actor=actor, source_id=row.id, target_id=into)
                        state.flash(t("themes.merged", source=plain(row.name), target=plain(theme_names[into])))
                        st.rerun()
        if st.button(t("themes.delete"), key=f"themes.delete.{row.id}", icon=":material/delete:"):
            with shows_errors():
                plans.delete_theme(engine(), actor=actor, theme_id=row.id)
                state.flash(t("themes.deleted", name=plain(row.name)))
                st.rerun()
