"""Pieces of the dashboard page: a chart with the same numbers in a table under it and a CSV
download of that table, percentages and numbers as the tables show them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kinderwijkraad.exports.tables import csv_bytes
from kinderwijkraad.i18n import t


def percent(value: float | None) -> float | None:
    """A share for a table cell: one decimal, None (an empty cell, "—") when there is no share."""
    return None if value is None else round(value, 1)


def percent_columns(*names: str) -> dict[str, Any]:
    return {name: st.column_config.NumberColumn(name, format="%.1f%%") for name in names}


def table(header: Sequence[str], rows: Sequence[Sequence[object]], *, key: str, file_name: str,
          column_config: dict[str, Any] | None = None, height: int | Literal["auto"] = "auto") -> None:
    """The numbers as a table (screen readers read it, people copy it) and as a CSV whose text
    cells cannot run as spreadsheet formulas."""
    frame = pd.DataFrame([list(row) for row in rows], columns=list(header))
    st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config, height=height)
    st.download_button(t("dashboard.csv"), partial(csv_bytes, list(header), [list(row) for row in rows]),
                       file_name=file_name, mime="text/csv", key=f"{key}.csv", on_click="ignore",
                       icon=":material/table:")


def chart(figure: go.Figure, *, key: str, title: str) -> None:
    """A chart with a text alternative: its title, and where its numbers are."""
    st.plotly_chart(figure, config={"displayModeBar": False}, key=f"{key}.chart",
                    alt=t("dashboard.chart_alt", title=title))
