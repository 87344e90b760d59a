"""CSV exports that open cleanly in Excel and LibreOffice, and cannot run as formulas there.

Why neutralise: option labels and class names are typed by teachers and children. A cell that
starts with "=", "+", "-" or "@" is a formula to a spreadsheet ("CSV injection"); a leading
apostrophe makes it text again. Real numbers are written as numbers and are never prefixed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from kinderwijkraad.i18n import t

if TYPE_CHECKING:
    from kinderwijkraad.exports.voting import ResultsReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> str:
    """`value` as CSV cell text that a spreadsheet shows, never evaluates.

    Numbers (int, float, Decimal) stay numbers, so "-5" as an int is -5 in the sheet; any text that
    starts with a formula character, also after leading spaces, gets a leading apostrophe. None is
    an empty cell; booleans are the translated yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("csv.yes") if value else t("csv.no")
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte order mark (so Excel shows ë and é), comma-separated, minimal quoting,
    every cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def render_results_csv(report: ResultsReport) -> bytes:
    """One line per option: place, option, cards & booth, paper (where that split is published),
    total, in the top 3."""
    split = [t("csv.results.electronic"), t("csv.results.paper")] if report.split else []
    header = [t("csv.results.place"), t("csv.results.option"), *split, t("csv.results.total"), t("csv.results.top3")]
    rows = [(r.place, r.option, *((r.electronic, r.paper) if report.split else ()), r.total, r.top)
            for r in report.rows]
    return csv_bytes(header, rows)
