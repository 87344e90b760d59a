"""Which results of a closed poll may be published, decided once per poll for every output.

Children are promised that nobody can work out what they chose. Hiding the result of a class with
fewer than MIN_GROUP ballots is worth nothing if other published numbers give it back: the school's
total minus the classes shown beside it, or a "cards" column whose only card-voting class is the
hidden one. So the decision looks at all published numbers together.

The model. A poll's ballots fall into cells: one class × one way of voting (card or booth,
"electronic"; or paper). A published result is the sum, per option, of the ballots of a set of
cells. A reader who adds and subtracts published results learns the sum over a group of cells
exactly when the group's indicator vector lies in the span of the published sets' indicators
(rational elimination). Cells without ballots are known to be empty (turnout may be published), so
they count as known. The rule: no group of 1 to MIN_GROUP - 1 ballots may be so determined.
The model is on the safe side for every counting method: a published result (Borda points, the
rounds of an instant runoff) is a function of its scope's ballots, so it cannot tell a reader more
than the sum of those ballots would; a group the sums do not determine stays hidden under any method.

The decision is greedy, in order of worth: the poll's total (always: its winners go on), each
school, each class (the biggest first), then the split of each of those into electronic and paper;
each is published only if, with all that was published before it, no small group becomes
determined. Small classes are thereby folded into what their school or the total shows, and a
split goes where a part would give a class away. `determined_groups` is the check, and
tests/test_disclosure.py attacks the outcome independently.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import combinations
from types import MappingProxyType

MIN_GROUP = 5  # the smallest group of ballots whose choices may be known

ELECTRONIC, PAPER = "electronic", "paper"


@dataclass(frozen=True)
class ClassBallots:
    """How many ballots one class cast, by way of voting (no choices: the decision needs none)."""

    class_id: Hashable
    school_id: Hashable
    electronic: int
    paper: int

    @property
    def ballots(self) -> int:
        return self.electronic + self.paper


@dataclass(frozen=True)
class Shown:
    """What is published of one scope: its result, and its split into electronic and paper."""

    result: bool
    split: bool


@dataclass(frozen=True)
class Disclosure:
    total: Shown
    # Read-only: a decision is remembered and shared by every caller (see decide).
    schools: Mapping[Hashable, Shown] = field(default_factory=lambda: MappingProxyType({}))
    classes: Mapping[Hashable, Shown] = field(default_factory=lambda: MappingProxyType({}))

    def school(self, school_id: Hashable) -> Shown:
        return self.schools.get(school_id, HIDDEN)

    def classroom(self, class_id: Hashable) -> Shown:
        return self.classes.get(class_id, HIDDEN)


HIDDEN = Shown(False, False)

Cell = tuple[Hashable, str]  # (class id, ELECTRONIC or PAPER)


def decide(classes: Sequence[ClassBallots], *, min_group: int = MIN_GROUP) -> Disclosure:
    """The published scopes of a poll whose ballots are `classes` (in the order screens list them).

    Remembered per input: a closed poll's counts do not change, and exact elimination over a wijk
    of 20 classes takes a good part of a second, which every rerun of a results page would pay."""
    return _decide(tuple(classes), min_group)


@lru_cache(maxsize=512)
def _decide(classes: tuple[ClassBallots, ...], min_group: int) -> Disclosure:
    counts = {(c.class_id, way): n for c in classes for way, n in ((ELECTRONIC, c.electronic), (PAPER, c.paper))}
    schools = list(dict.fromkeys(c.school_id for c in classes))
    members = {s: [c.class_id for c in classes if c.school_id == s] for s in schools}

    def cells(class_ids: Iterable[Hashable], ways: tuple[str, ...] = (ELECTRONIC, PAPER)) -> frozenset[Cell]:
        return frozenset((class_id, way) for class_id in class_ids for way in ways)

    everyone = [c.class_id for c in classes]
    # (scope, part or None for the whole, its cells), in order of worth.
    candidates: list[tuple[tuple[str, Hashable], str | None, frozenset[Cell]]] = [
        (("total", None), None, cells(everyone))]
    candidates += [(("school", s), None, cells(members[s])) for s in schools]
    biggest_first = sorted(classes, key=lambda c: -c.ballots)  # stable: equal counts keep their order
    candidates += [(("class", c.class_id), None, cells([c.class_id])) for c in biggest_first]
    for scope, ids in [(("total", None), everyone), *((("school", s), members[s]) for s in schools),
                       *((("class", c.class_id), [c.class_id]) for c in biggest_first)]:
        candidates += [(scope, way, cells(ids, (way,))) for way in (ELECTRONIC, PAPER)]

    published: list[frozenset[Cell]] = []
    shown: set[tuple[tuple[str, Hashable], str | None]] = set()
    for scope, part, members_cells in candidates:
        if part is not None and (scope, None) not in shown:
            continue  # a split only of a result that is shown
        if (scope, part) == (("total", None), None):
            # The poll's own outcome is always published, even of fewer than min_group ballots (a
            # class poll of four): its winners go on to the council. Nothing else is then shown.
            published.append(members_cells)
            shown.add((scope, part))
            continue
        if not any(counts[cell] for cell in members_cells):
            # Nothing to hide: a part without ballots is a zero column; a class or school without
            # ballots has nothing worth a chart (the poll's own zero is still its result).
            if part is not None or scope[0] == "total":
                shown.add((scope, part))
            continue
        if not determined_groups(counts, [*published, members_cells], min_group=min_group):
            published.append(members_cells)
            shown.add((scope, part))

    def shown_of(scope: tuple[str, Hashable]) -> Shown:
        whole = (scope, None) in shown
        return Shown(whole, whole and (scope, ELECTRONIC) in shown and (scope, PAPER) in shown)

    return Disclosure(
        total=shown_of(("total", None)),
        schools=MappingProxyType({s: shown_of(("school", s)) for s in schools}),
        classes=MappingProxyType({c.class_id: shown_of(("class", c.class_id)) for c in classes}),
    )


def determined_groups(counts: dict[Cell, int], published: Sequence[frozenset[Cell]], *,
                      min_group: int = MIN_GROUP) -> list[frozenset[Cell]]:
    """The groups of cells holding 1 to min_group - 1 ballots whose sum the published sets give away.

    A group's sum is known exactly when its indicator is orthogonal to every vector the published
    sets cannot see (the null space of their matrix, with the empty cells known). Only groups of
    non-empty cells of fewer than min_group ballots can break the rule, and adding empty cells
    changes nothing, so those few are all that is tried."""
    cells = sorted(counts, key=repr)
    busy = [cell for cell in cells if counts[cell]]
    rows = [[Fraction(int(cell in group)) for cell in busy] for group in published]
    blind = _null_space(rows, len(busy))
    signature = {cell: tuple(vector[i] for vector in blind) for i, cell in enumerate(busy)}
    small = [cell for cell in busy if counts[cell] < min_group]
    found = []
    for size in range(1, min_group):
        for group in combinations(small, size):
            ballots = sum(counts[cell] for cell in group)
            if ballots >= min_group:
                continue
            if all(sum(parts) == 0 for parts in zip(*(signature[cell] for cell in group), strict=True)):
                found.append(frozenset(group))
    return found


def _null_space(rows: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """A basis of {v : row · v = 0 for every row}, by exact Gauss-Jordan elimination."""
    matrix = [row[:] for row in rows]
    pivots: list[int] = []
    rank = 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][column]
        matrix[rank] = [value / lead for value in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        pivots.append(column)
        rank += 1
    basis = []
    for free in (c for c in range(width) if c not in pivots):
        vector = [Fraction(0)] * width
        vector[free] = Fraction(1)
        for r, column in enumerate(pivots):
            vector[column] = -matrix[r][free]
        basis.append(vector)
    return basis
