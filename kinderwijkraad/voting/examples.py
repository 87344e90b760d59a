"""A class's worth of ranking ballots where the counting method decides the winner, for the
lesson "Hoe tel je stemmen?" when no real ranking vote has been held yet.

Plurality picks the playground (most first choices), approval and Borda the benches (everyone's
second choice), instant runoff the football field (it collects the votes of eliminated options).
"""

from __future__ import annotations

EXAMPLE_OPTIONS: tuple[str, ...] = ("Speeltuin", "Voetbalveld", "Bankjes", "Bloemen")

_GROUPS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (8, ("Speeltuin", "Bankjes", "Bloemen")),
    (7, ("Voetbalveld", "Bankjes", "Bloemen")),
    (4, ("Bankjes", "Voetbalveld", "Speeltuin")),
    (2, ("Bloemen", "Bankjes", "Voetbalveld")),
)

EXAMPLE_BALLOTS: tuple[tuple[str, ...], ...] = tuple(ballot for times, ballot in _GROUPS for _ in range(times))
EXAMPLE_K = 3
