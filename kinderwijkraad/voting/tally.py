"""Ballots from a CSV file and a count as JSON: the plain formats of `kinderwijkraad tally`.

A teacher can count a paper or spreadsheet vote without the app: one row per ballot, the options
in order of preference (or once per dot), an empty row for a blank ballot.
"""

from __future__ import annotations

import csv
import io

from kinderwijkraad.voting.methods import Ballot, Method, Result


def read_ballots_csv(text: str) -> list[Ballot]:
    """One ballot per row, no header; cells are stripped and empty trailing cells ignored.

    An empty row is a blank ballot. An empty cell between two options is refused (ValueError with
    the line number): the voter's order would otherwise be guessed.
    """
    ballots: list[Ballot] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            if "" in cells:
                raise ValueError(f"line {reader.line_num}: an empty cell between options: {row!r}")
            ballots.append(tuple(cells))
    except csv.Error as error:
        raise ValueError(f"line {reader.line_num}: not readable as CSV: {error}") from error
    return ballots


def result_json(result: Result) -> dict[str, object]:
    """The count as plain JSON data; `rounds` only for instant runoff, where it explains the outcome."""
    data: dict[str, object] = {
        "method": str(result.method),
        "ballots": result.ballots,
        "scores": dict(result.scores),
    }
    if result.method == Method.irv:
        data["rounds"] = [dict(standing) for standing in result.rounds]
    data["ranking"] = result.ranking
    data["places"] = [list(group) for group in result.places]
    data["winners"] = list(result.winners)
    return data
