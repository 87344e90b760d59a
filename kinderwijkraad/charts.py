"""Plotly figures from service read-models: data in, figure out (no database, no Streamlit).

Every chart is shown with a table of the same numbers beside it, for screen readers and for
copying, so the figures themselves stay simple.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from kinderwijkraad.i18n import t

TOP_COLOUR = "#1b7f5c"  # the app's green: the top 3
OTHER_COLOUR = "#9aa5b1"


def result_bars(labels: Sequence[str], totals: Sequence[int], top: Sequence[bool], *, title: str = "",
                paper: Sequence[int] | None = None) -> go.Figure:
    """Horizontal bars, best at the top; the top 3 in colour. With paper counts, each bar is split
    into cards-and-booth and paper so both kinds of vote are visible."""
    labels, totals = list(labels)[::-1], list(totals)[::-1]
    colours = [TOP_COLOUR if t else OTHER_COLOUR for t in list(top)[::-1]]
    figure = go.Figure()
    if paper and any(paper):
        paper = list(paper)[::-1]
        electronic = [total - p for total, p in zip(totals, paper, strict=True)]
        figure.add_bar(y=labels, x=electronic, orientation="h", marker_color=colours, name=t("results.electronic"),
                       hovertemplate="%{y}: %{x}<extra></extra>")
        figure.add_bar(y=labels, x=paper, orientation="h", marker_color=colours, marker_pattern_shape="/",
                       name=t("results.paper"), hovertemplate="%{y}: %{x}<extra></extra>")
        figure.update_layout(barmode="stack", showlegend=True, legend={"orientation": "h", "y": -0.15})
    else:
        figure.add_bar(y=labels, x=totals, orientation="h", marker_color=colours, text=totals,
                       textposition="outside", hovertemplate="%{y}: %{x}<extra></extra>")
        figure.update_layout(showlegend=False)
    figure.update_layout(title=title or None, height=max(220, 48 * len(labels) + 80),
                         margin={"l": 10, "r": 30, "t": 40 if title else 10, "b": 10},
                         xaxis={"rangemode": "tozero", "fixedrange": True}, yaxis={"fixedrange": True},
                         font={"size": 16})
    return figure


def turnout_bars(labels: Sequence[str], ballots: Sequence[int], pupils: Sequence[int]) -> go.Figure:
    """Ballots cast against pupils per class: the one figure shown while a poll is open."""
    figure = go.Figure()
    figure.add_bar(y=list(labels), x=list(pupils), orientation="h", marker_color="#e4e7eb", name=t("turnout.pupils"),
                   hovertemplate="%{y}: %{x}<extra></extra>")
    figure.add_bar(y=list(labels), x=list(ballots), orientation="h", marker_color=TOP_COLOUR, name=t("turnout.voted"),
                   hovertemplate="%{y}: %{x}<extra></extra>")
    figure.update_layout(barmode="overlay", height=max(200, 44 * len(labels) + 80), showlegend=True,
                         legend={"orientation": "h", "y": -0.2}, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         xaxis={"rangemode": "tozero", "fixedrange": True}, yaxis={"fixedrange": True},
                         font={"size": 16})
    return figure
