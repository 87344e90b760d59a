"""Pictures beside words on screen: a theme's, step's or plan question's pictogram next to its text.

A pictogram of the set is drawn as an SVG image in markdown (a data URI, so nothing is fetched and
no raw HTML is needed) with an empty alt text: it is decorative, the words beside it carry the
meaning and are what a screen reader reads. An emoji the set has not shows as itself. See
services/pictograms.py for what may be stored.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from kinderwijkraad.i18n import current_language, t
from kinderwijkraad.models import LessonSeries
from kinderwijkraad.services import pictograms

CHILD_SIZE = 48  # CSS px beside a text a child reads (a ballot option, a step's question)
STAFF_SIZE = 28  # beside a name in a staff list or table


def markdown(value: str | None, *, size: int = CHILD_SIZE) -> str:
    """The picture as markdown ("" for none): an image with alt "" or the emoji itself."""
    shown = pictograms.picture(value)
    if shown is None:
        return ""
    if shown.pictogram is not None:
        return f"![]({pictograms.svg_data_uri(shown.pictogram.name, size)})"
    return shown.value


def beside(value: str | None, text: str, *, size: int = CHILD_SIZE) -> str:
    """`text` (markdown, already escaped) with the picture before it; `text` alone for none."""
    picture = markdown(value, size=size)
    return f"{picture} {text}" if picture else text


def show(value: str | None, text: str, *, size: int = CHILD_SIZE, prefix: str = "") -> None:
    """One line: the picture and `text` (markdown, already escaped); `prefix` e.g. "## "."""
    st.markdown(prefix + beside(value, text, size=size))


def picker_label(value: str | None) -> str:
    """How a picker lists a pictogram: "🌳 Boom, groen"; "Geen plaatje" for None."""
    return pictograms.label(value, current_language()) if value else t("pictogram.none")


def words(value: str | None) -> str:
    """The picture's words alone ("Boom, groen"), for a line the picture itself stands beside."""
    shown = pictograms.picture(value)
    if shown is None or shown.pictogram is None:
        return value or ""
    return shown.pictogram.label(current_language())


def template_column(series: LessonSeries) -> Any:
    """The template editor's picture column (steps and plan questions): a pick from the set, or
    none; an emoji the template already has stays in the list (a YAML upload can bring any emoji)."""
    in_use = [step.pictogram for lesson in series.lessons for step in lesson.steps]
    in_use += [plan_field.pictogram for plan_field in series.plan_form.fields]
    options = list(dict.fromkeys(["", *pictograms.names(), *filter(None, in_use)]))
    return st.column_config.SelectboxColumn(t("pictogram.picture"), options=options, help=t("pictogram.column_help"),
                                            format_func=lambda value: picker_label(str(value or "") or None))
