"""Thema's: the facilitator sees every plan of a cycle (all schools and classes), filters them and
sorts them into themes, helped by suggestions of plans that look alike."""

import hashlib

import streamlit as st

from kinderwijkraad.errors import KwrError
from kinderwijkraad.i18n import t
from kinderwijkraad.services import pictograms, plans
from kinderwijkraad.ui import auth, errors, navigation, pictures, state
from kinderwijkraad.ui import lesson as shared
from kinderwijkraad.ui.cycles import pick_cycle
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import error_text, shows_errors
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
        name = st.text_input(t("themes.new_theme_name"), value=proposed,
                             key=f"themes.suggestion_name.{number}")
        target = st.selectbox(t("themes.or_existing"), [None, *theme_names],
                              format_func=lambda i: theme_names.get(i, t("themes.make_new")),
                              key=f"themes.suggestion_target.{number}", placeholder=t("themes.pick_theme"))
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
                                  key="themes.filter_school", placeholder=t("themes.pick_school"))
theme_filter = filter_cols[1].selectbox(
    t("themes.theme"), [ALL, UNSORTED, *theme_names],
    format_func=lambda i: {ALL: t("themes.all"), UNSORTED: t("themes.unsorted")}.get(i) or theme_names[i],
    key="themes.filter_theme", placeholder=t("themes.pick_theme"))
search = filter_cols[2].text_input(t("themes.search"), key="themes.filter_search").strip().lower()

shown = [
    plan for plan in all_plans
    if (not school or plan.school_name == school)
    and (theme_filter == ALL or (theme_filter == UNSORTED and plan.theme_id is None) or plan.theme_id == theme_filter)
    and (not search or search in plan.text().lower())
]
# What is ticked is what moves: the selection is kept as plan ids (state.THEMES_SELECTED), so it stays
# with its plans through searches, filters and reruns. The table's own edits are positional, so its
# key names the rows it shows (and a round that changes when the page itself changes the ticks):
# an edit made in one set of rows can never land on another.
TABLE_ROUND = "themes.table_round"
PICK = "pick"


@errors.guarded  # a widget callback runs outside the page run
def _remember_ticks(key: str, shown_ids: list[int]) -> None:
    """The table's edits are row positions of the rows it was drawn with: turn them into plan ids."""
    chosen = list(st.session_state.get(state.THEMES_SELECTED, []))
    for position, change in st.session_state[key]["edited_rows"].items():
        position = int(position)
        if PICK not in change or not 0 <= position < len(shown_ids):
            continue
        plan_id = shown_ids[position]
        if change[PICK] and plan_id not in chosen:
            chosen.append(plan_id)
        elif not change[PICK] and plan_id in chosen:
            chosen.remove(plan_id)
    st.session_state[state.THEMES_SELECTED] = chosen


shown_ids = [plan.id for plan in shown]
ticked = set(st.session_state.get(state.THEMES_SELECTED, []))
rows_digest = hashlib.sha1(",".join(map(str, shown_ids)).encode()).hexdigest()[:12]
table_key = f"themes.table.{st.session_state.get(TABLE_ROUND, 0)}.{rows_digest}"
columns = {PICK: t("themes.pick"), "title": t("plan.title_column"), "theme": t("themes.theme"),
           "school": t("field.school"), "class": t("field.class_name"), "team": t("lesson.team"),
           "status": t("plan.status"), "text": t("themes.text")}
st.data_editor(
    [{PICK: plan.id in ticked, "title": plan.title, "theme": theme_names.get(plan.theme_id, "—"),
      "school": plan.school_name, "class": plan.class_name, "team": plan.team_name,
      "status": t(f"plan_status.{plan.status.value}"), "text": plan.text()} for plan in shown],
    column_config={PICK: st.column_config.CheckboxColumn(columns[PICK], width="small")}
    | {name: st.column_config.TextColumn(label) for name, label in columns.items() if name != PICK},
    disabled=[name for name in columns if name != PICK], hide_index=True, width="stretch", num_rows="fixed",
    key=table_key, on_change=_remember_ticks, args=(table_key, shown_ids),
)
selected = [plan_id for plan_id in shown_ids if plan_id in ticked]
st.caption(t("themes.selected", selected=len(selected), count=len(shown)))


def _after_move(moved_ids: list[int]) -> None:
    """The moved plans are done: their ticks go, and the table is drawn afresh from the ids."""
    st.session_state[state.THEMES_SELECTED] = [
        plan_id for plan_id in st.session_state.get(state.THEMES_SELECTED, []) if plan_id not in moved_ids]
    st.session_state[TABLE_ROUND] = st.session_state.get(TABLE_ROUND, 0) + 1


move_cols = st.columns([2, 1])
target = move_cols[0].selectbox(t("themes.move_to"), [UNSORTED, *theme_names], key="themes.move_target",
                                format_func=lambda i: theme_names.get(i, t("themes.unsorted")),
                                placeholder=t("themes.pick_theme"))
if move_cols[1].button(t("themes.move"), disabled=not selected, width="stretch", key="themes.move_button"):
    with shows_errors():
        moved = plans.move_plans(engine(), actor=actor, cycle_id=cycle_id, plan_ids=selected,
                                 theme_id=None if target == UNSORTED else target)
        _after_move(selected)
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
CREATE_NAME, CREATE_ERROR = "themes.create_name", "themes.create_error"


@errors.guarded  # a widget callback runs outside the page run
def _create_theme() -> None:
    """The box is emptied only when the theme is made: a refused name (too long, taken) stays to fix."""
    name = st.session_state.get(CREATE_NAME) or ""
    try:
        plans.create_theme(engine(), actor=actor, cycle_id=cycle_id, name=name)
    except KwrError as error:
        st.session_state[CREATE_ERROR] = error_text(error)
        return
    st.session_state[CREATE_NAME] = ""
    state.flash(t("themes.created", name=plain(name.strip())))


with st.form("themes.create"):
    st.text_input(t("themes.new_theme_name"), key=CREATE_NAME)
    st.form_submit_button(t("themes.create"), icon=":material/add:", on_click=_create_theme)
refused = st.session_state.pop(CREATE_ERROR, None)  # shown once, after the try that failed
if refused:
    st.error(refused, icon=":material/error:")

PICTURE_OPEN = "themes.picture_open"  # the theme whose picture was just saved or refused


def _picture_form(row: plans.ThemeRow) -> None:
    """The theme's picture beside its name: one of the set, an emoji typed in, or none."""
    with st.form(f"themes.picture.{row.id}", clear_on_submit=True):  # next time: the stored picture
        if row.pictogram:
            pictures.show(row.pictogram, t("pictogram.current", picture=plain(pictures.words(row.pictogram))))
        st.caption(t("pictogram.hint"))
        # An emoji typed in earlier is listed too, so leaving the picker as it is keeps it.
        choices = list(dict.fromkeys([None, *pictograms.names(), row.pictogram]))
        # Keyed by what is stored, so after a save the picker starts from the new picture.
        picked_from = hashlib.sha1((row.pictogram or "").encode()).hexdigest()[:8]
        chosen = st.selectbox(t("pictogram.pick"), choices, format_func=pictures.picker_label,
                              index=choices.index(row.pictogram), key=f"themes.picture_pick.{row.id}.{picked_from}",
                              placeholder=t("pictogram.pick"))
        typed = st.text_input(t("pictogram.or_emoji"), max_chars=pictograms.MAX_LENGTH,
                              help=t("pictogram.or_emoji_help"), key=f"themes.picture_emoji.{row.id}")
        if st.form_submit_button(t("pictogram.save"), icon=":material/image:"):
            st.session_state[PICTURE_OPEN] = row.id  # its label changes or a refusal shows in it: keep it open
            with shows_errors():
                stored = plans.set_pictogram(engine(), actor=actor, theme_id=row.id, pictogram=typed.strip() or chosen)
                state.flash(t("pictogram.saved" if stored else "pictogram.removed", name=plain(row.name)))
                st.rerun()


for row in theme_rows:
    heading = pictures.beside(row.pictogram, t("themes.theme_heading", name=plain(row.name), count=row.plan_count),
                              size=pictures.STAFF_SIZE)
    with st.expander(heading, icon=":material/category:", expanded=st.session_state.get(PICTURE_OPEN) == row.id):
        for plan in all_plans:
            if plan.theme_id == row.id:
                st.text(f"• {plan.title or t('plan.untitled')} ({plan.school_name}, {plan.class_name})")
        with st.form(f"themes.rename.{row.id}"):
            new_name = st.text_input(t("themes.rename"), value=row.name,
                                     key=f"themes.rename_name.{row.id}")
            if st.form_submit_button(t("themes.rename")):
                with shows_errors():
                    plans.rename_theme(engine(), actor=actor, theme_id=row.id, name=new_name)
                    st.rerun()
        _picture_form(row)
        others = [other for other in theme_names if other != row.id]
        if others:
            with st.form(f"themes.merge.{row.id}"):
                into = st.selectbox(t("themes.merge_into"), others, format_func=theme_names.get,
                                    key=f"themes.merge_target.{row.id}", placeholder=t("themes.pick_theme"))
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
