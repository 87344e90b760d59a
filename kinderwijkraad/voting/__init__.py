"""Pure counting rules: ballots in, results out; no database and no Streamlit (an import
contract in pyproject.toml holds it; docs/architecture.md)."""

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
