"""Plotly figures from service read-models: data in, figure out (no database, no Streamlit).

Every chart is shown with a table of the same numbers beside it, for screen readers and for
copying, so the figures themselves stay simple.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from kinderwijkraad.i18n import current_language, format_number, format_percent, t

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
        figure.add_bar(y=labels, x=electronic, orientation="h", marker_color=colours, name=t("results.tablet"),
                       hovertemplate="%{y}: %{x}<extra></extra>")
        # The total at the end of each stack, as the single bars have it.
        figure.add_bar(y=labels, x=paper, orientation="h", marker_color=colours, marker_pattern_shape="/",
                       name=t("results.paper"), text=totals, textposition="outside", cliponaxis=False,
                       hovertemplate="%{y}: %{x}<extra></extra>")
        figure.update_layout(barmode="stack", showlegend=True, legend={"orientation": "h", "y": -0.15})
    else:
        # The number sits past the bar's end: not clipped by the plot area, and the axis runs on a
        # little so the longest bar's number fits inside the figure (a 27 was cut to "2").
        figure.add_bar(y=labels, x=totals, orientation="h", marker_color=colours, text=totals,
                       textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x}<extra></extra>")
        figure.update_layout(showlegend=False)
    peak = max(totals, default=0)
    xaxis = {"rangemode": "tozero", "fixedrange": True, **({"range": [0, peak * 1.18]} if peak > 0 else {})}
    figure.update_layout(title=title or None, height=max(220, 48 * len(labels) + 80),
                         margin={"l": 10, "r": 30, "t": 40 if title else 10, "b": 10},
                         xaxis=xaxis, yaxis={"fixedrange": True, "automargin": True}, font={"size": 16})
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


# --- dashboards ------------------------------------------------------------------------------------

SERIES_COLOURS = ("#1b7f5c", "#2f6db5", "#c9822b", "#8e5bb5")  # green, blue, amber, purple: apart in grey too
MUTED_COLOUR = "#c4cad1"
LATE_COLOUR = "#b3261e"


# Plotly's own numbers (axis ticks, hover values): decimal mark, then thousands separator.
SEPARATORS = {"nl": ",.", "en": ".,"}


def _figure(bars: list[dict], *, height: int, title: str, legend: bool, xaxis: dict, yaxis: dict,
            **layout: object) -> go.Figure:
    """One figure built in one go (each update_* call would validate the figure again)."""
    return go.Figure(data=[{"type": "bar", "textposition": "outside", "cliponaxis": False, **bar} for bar in bars],
                     layout={"title": {"text": title} if title else None, "height": height, "showlegend": legend,
                             "legend": {"orientation": "h", "y": -0.25} if legend else {},
                             "margin": {"l": 10, "r": 30, "t": 40 if title else 10, "b": 10}, "font": {"size": 15},
                             "xaxis": {"fixedrange": True, **xaxis}, "yaxis": {"fixedrange": True, **yaxis},
                             "separators": SEPARATORS[current_language()], **layout})


def _whole_ticks(values: Sequence[float], maximum: float | None) -> dict:
    """Counts have whole-number ticks: no "0.2 wijken"."""
    peak = max([*values, maximum or 0, 1])
    raw = peak / 6
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return {"tick0": 0, "dtick": step}


def bar_chart(labels: Sequence[str], values: Sequence[float], *, colours: Sequence[str] | None = None,
              maximum: float | None = None, percent: bool = False, title: str = "") -> go.Figure:
    """Horizontal bars in the given order (first at the top), the number at each bar's end; with
    `maximum` the axis runs to it (lessons 0-3, a score 0-3), `percent` reads 0-100 %."""
    labels, values = list(labels)[::-1], [v or 0 for v in list(values)[::-1]]
    colours = list(colours)[::-1] if colours else [TOP_COLOUR] * len(values)
    text = [format_percent(v / 100) if percent else format_number(v) for v in values]
    upper = 100 if percent else maximum
    xaxis = {"rangemode": "tozero", **({"range": [0, upper * 1.08]} if upper else {}),
             **({"ticksuffix": "%"} if percent else _whole_ticks(values, maximum))}
    return _figure([{"y": labels, "x": values, "orientation": "h", "marker": {"color": colours}, "text": text,
                     "hovertemplate": "%{y}: %{text}<extra></extra>"}],
                   height=max(130, 40 * len(labels) + 80), title=title, legend=False, xaxis=xaxis,
                   yaxis={"automargin": True}, bargap=0.35)


def column_chart(labels: Sequence[str], values: Sequence[float], *, colours: Sequence[str] | None = None,
                 title: str = "") -> go.Figure:
    """Vertical bars in the given order (the phases of a year, left to right), numbers on top."""
    values = list(values)
    return _figure([{"x": list(labels), "y": values, "marker": {"color": list(colours) if colours else TOP_COLOUR},
                     "text": values, "hovertemplate": "%{x}: %{y}<extra></extra>"}],
                   height=300, title=title, legend=False, xaxis={},
                   yaxis={"rangemode": "tozero", **_whole_ticks(values, None)})


def grouped_columns(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
                    percent: bool = True, title: str = "") -> go.Figure:
    """Several series side by side per category (a share per school year); a missing value (no
    plans yet) leaves a gap rather than a zero."""
    bars = []
    for index, (name, values) in enumerate(series):
        shown = [None if v is None else round(v, 1) for v in values]
        bars.append({"x": list(categories), "y": shown, "name": name,
                     "marker": {"color": SERIES_COLOURS[index % len(SERIES_COLOURS)]},
                     "text": ["" if v is None else format_percent(v / 100) if percent else format_number(v)
                              for v in shown],
                     "hovertemplate": "%{x} — " + name + ": %{text}<extra></extra>"})
    yaxis = {"rangemode": "tozero", **({"range": [0, 110], "ticksuffix": "%"} if percent else {})}
    return _figure(bars, height=340, title=title, legend=True, xaxis={"type": "category"}, yaxis=yaxis,
                   barmode="group")
