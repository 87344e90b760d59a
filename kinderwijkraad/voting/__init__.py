"""Pure counting rules: ballots in, results out; no database and no Streamlit (DESIGN.md §4)."""

from __future__ import annotations

from kinderwijkraad.voting.methods import (
    ADDITIVE,
    COMPARED,
    RANKING,
    Ballot,
    Method,
    Result,
    add_paper_counts,
    compare,
    count,
    winners_differ,
)
from kinderwijkraad.voting.tally import read_ballots_csv, result_json

__all__ = [
    "ADDITIVE",
    "COMPARED",
    "RANKING",
    "Ballot",
    "Method",
    "Result",
    "add_paper_counts",
    "compare",
    "count",
    "read_ballots_csv",
    "result_json",
    "winners_differ",
]
