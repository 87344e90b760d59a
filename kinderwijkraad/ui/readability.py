"""The template editor's reading level: the series' groep, and a warning for every children's text
above it (services/readability.py does the counting). Warnings never block a save."""

from __future__ import annotations

from typing import Any

import streamlit as st

from kinderwijkraad.i18n import format_number, t
from kinderwijkraad.models import LessonSeries
from kinderwijkraad.services import readability
from kinderwijkraad.ui.format import plain


def group_picker(series: LessonSeries, *, key: str, disabled: bool = False) -> int:
    """The groep the series is written for (the youngest that reads it), with its target."""
    groups = list(readability.GROUPS)
    current = readability.reading_group(series)
    group = st.selectbox(t("readability.group"), groups, index=groups.index(current), key=key, disabled=disabled,
                         format_func=lambda g: t("readability.group_option", group=g), help=t("readability.group_help"))
    goal = readability.target(group)
    st.caption(t("readability.target", group=goal.group, min=format_number(goal.min_score, decimals=0),
                 max=goal.max_sentence_words, short=readability.MIN_WORDS_FOR_SCORE))
    return int(group)


def place(where: readability.ChildText) -> str:
    return t(f"readability.place.{where.place.value}", lesson=where.lesson or "", step=where.step or "",
             title=where.step_title, field=where.field, option=where.option or "")


def _problem(check: readability.Assessment, problem: readability.Problem) -> str:
    measured, goal = check.readability, check.target
    if problem == readability.Problem.SCORE:
        return t("readability.problem.score", score=format_number(measured.score or 0.0, decimals=1),
                 level=t(f"readability.level.{measured.level}"), group=goal.group,
                 min=format_number(goal.min_score, decimals=0))
    return t("readability.problem.sentence", group=goal.group, max=goal.max_sentence_words)


def warning_lines(data: dict[str, Any]) -> list[str]:
    """One markdown line per text that is too hard: where, why, and its longest sentence. Template
    text is escaped (it is typed by a facilitator)."""
    lines = []
    for warning in readability.series_warnings(data):
        check = warning.assessment
        why = " ".join(_problem(check, problem) for problem in check.problems)
        longest = t("readability.longest", words=check.readability.longest_sentence_words,
                    sentence=check.readability.longest_sentence)
        lines.append(f"- **{plain(place(warning.where))}** — {plain(why)}  \n  {plain(longest)}")
    return lines


def warnings(data: dict[str, Any]) -> None:
    """The summary on top ("3 teksten zijn te moeilijk voor groep 5"), then where and why; below,
    every children's text with its score, folded away."""
    group = readability.reading_group(data)
    lines = warning_lines(data)
    if lines:
        summary = t("readability.summary", count=len(lines), group=group)
        st.warning(f"**{summary}** {t('readability.summary_hint')}\n\n" + "\n".join(lines),
                   icon=":material/menu_book:")
    else:
        st.success(t("readability.all_fine", group=group), icon=":material/menu_book:")
    with st.expander(t("readability.overview"), icon=":material/format_list_bulleted:"):
        rows = []
        for where in readability.children_texts(data):
            check = readability.assess(where.text, group)
            measured = check.readability
            rows.append({
                t("readability.col_where"): place(where),
                t("readability.col_text"): where.text,
                t("readability.col_words"): measured.words,
                t("readability.col_score"): measured.score,
                t("readability.col_level"): t(f"readability.level.{measured.level}") if measured.level else "",
                t("readability.col_lix"): measured.lix,
                t("readability.col_fits"): not check.above_target,
            })
        st.dataframe(rows, hide_index=True, width="stretch")


def checked(data: dict[str, Any], group: int) -> dict[str, Any]:
    """The edited template data with the picked groep, its warnings shown: what a save stores."""
    data = readability.with_reading_group(data, group)
    warnings(data)
    return data
