"""Counting rules over plain ballots: plurality, approval, dots, truncated Borda and instant runoff.

Pure functions of plain data (no database, no Streamlit) so every rule is tested on its own and a
recount gives the same answer as the live count. Ties are always reported, never broken: a
children's council decides a tie itself (a revote, a discussion), not the software.

Identical ballots are aggregated first and counted with a weight; the inner loops run in C through
`Counter`, so 100,000 ballots count in well under a second.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from operator import itemgetter

Ballot = tuple[str, ...]
"""Option keys; the order is the preference for rankings; for dots an option once per dot; () is blank."""


class Method(StrEnum):
    plurality = "plurality"  # the first choice counts 1
    approval = "approval"  # every distinct option on the ballot counts 1
    borda = "borda"  # truncated Borda: place i of k earns k - i + 1
    irv = "irv"  # instant runoff: eliminate the fewest first preferences until a majority
    dots = "dots"  # every dot counts 1, several dots on one option allowed


ADDITIVE = frozenset({Method.plurality, Method.approval, Method.dots})
"""Methods whose score is a plain sum per option, so paper counts can be added afterwards."""

RANKING = frozenset({Method.borda, Method.irv})
"""Methods that read a ballot as a ranking, in which an option may appear only once."""


@dataclass(frozen=True)
class Result:
    """One count: scores per option and the standing, with ties kept together in one place group."""

    method: Method
    ballots: int  # ballots counted, blank ones included
    scores: dict[str, int]  # option -> score in display order (irv: first-round counts); 0 if none
    rounds: list[dict[str, int]]  # irv only: remaining option -> count per round; [] otherwise
    places: list[list[str]]  # best first; options with equal standing share a group
    winners: list[str]  # the first place group (several = a tie); [] if nobody voted
    exhausted: list[int]  # irv only: ballots without a remaining option, per round; [] otherwise

    @property
    def ranking(self) -> list[str]:
        """The options best first, ties in display order."""
        return [option for group in self.places for option in group]

    def top(self, n: int = 3) -> list[list[str]]:
        """The place groups starting within the first n positions: a tie at place n keeps all its options."""
        groups: list[list[str]] = []
        position = 0
        for group in self.places:
            if position >= n:
                break
            groups.append(list(group))
            position += len(group)
        return groups


class _Profile:
    """Validated ballots, identical ones aggregated into a weight and grouped by (weight, length)."""

    def __init__(self, ballots: Iterable[Ballot], options: Sequence[str] | None, ranking: bool) -> None:
        weights = _aggregate(ballots)
        if options is None:
            seen = set(chain.from_iterable(weights))
            _check_keys(seen)
            self.options: tuple[str, ...] = tuple(sorted(seen))
        else:
            self.options = tuple(options)
            _check_keys(self.options)
            if len(set(self.options)) != len(self.options):
                raise ValueError("the options of a poll must be distinct")
        allowed = frozenset(self.options)
        groups: defaultdict[tuple[int, int], list[Ballot]] = defaultdict(list)
        for ballot, weight in weights.items():
            if not allowed.issuperset(ballot):
                unknown = sorted(set(ballot) - allowed)
                raise ValueError(f"ballot {ballot!r} names options that are not in the poll: {unknown}")
            if ranking and len(set(ballot)) != len(ballot):
                raise ValueError(f"ballot {ballot!r} ranks an option more than once")
            groups[weight, len(ballot)].append(ballot)
        self.weights = weights
        self.groups = dict(groups)
        self.total = sum(weights.values())

    def longest(self) -> int:
        return max((length for _, length in self.groups), default=0)

    def tally(self, ballot_items: Callable[[list[Ballot]], Iterable[str]]) -> dict[str, int]:
        """Sum `ballot_items(group)` over all groups, each item counting the group's weight."""
        scores = dict.fromkeys(self.options, 0)
        for (weight, _), group in self.groups.items():
            for option, n in Counter(ballot_items(group)).items():
                scores[option] += n * weight
        return scores


def _aggregate(ballots: Iterable[Ballot]) -> Counter[Ballot]:
    """Identical ballots counted once with a weight; lists are accepted as ballots, strings are not."""
    items = ballots if isinstance(ballots, list | tuple) else list(ballots)
    try:
        weights = Counter(items)
    except TypeError:  # a list among the ballots is unhashable
        weights = Counter(tuple(b) if isinstance(b, list) else b for b in items)
    for ballot in weights:
        if not isinstance(ballot, tuple):
            raise TypeError(f"a ballot is a tuple of option keys, not {ballot!r}")
    return weights


def _check_keys(keys: Iterable[object]) -> None:
    for key in keys:
        if not isinstance(key, str):
            raise TypeError(f"an option key is a string, not {key!r}")


def _places(scores: Mapping[str, int]) -> list[list[str]]:
    """Group by equal score, highest first; within a group the display order of `scores`."""
    by_score: defaultdict[int, list[str]] = defaultdict(list)
    for option, score in scores.items():
        by_score[score].append(option)
    return [by_score[score] for score in sorted(by_score, reverse=True)]


def _score_result(method: Method, ballots: int, scores: dict[str, int]) -> Result:
    places = _places(scores)
    nobody_voted = not any(scores.values())
    winners = [] if nobody_voted else list(places[0])
    return Result(method, ballots, scores, [], places, winners, [])


def _plurality(profile: _Profile, _k: int | None) -> Result:
    first = itemgetter(0)
    scores = profile.tally(lambda group: map(first, filter(None, group)))
    return _score_result(Method.plurality, profile.total, scores)


def _approval(profile: _Profile, _k: int | None) -> Result:
    scores = profile.tally(lambda group: chain.from_iterable(map(set, group)))
    return _score_result(Method.approval, profile.total, scores)


def _dots(profile: _Profile, _k: int | None) -> Result:
    scores = profile.tally(chain.from_iterable)
    return _score_result(Method.dots, profile.total, scores)


def _borda(profile: _Profile, k: int | None) -> Result:
    """Place i of at most k earns k - i + 1; a ballot longer than k earns nothing beyond place k."""
    if k is None:
        k = profile.longest()
    elif k < 1:
        raise ValueError(f"Borda needs k >= 1 places, not {k}")
    scores = dict.fromkeys(profile.options, 0)
    for (weight, length), group in profile.groups.items():
        for place in range(min(length, k)):
            points = (k - place) * weight
            for option, n in Counter(map(itemgetter(place), group)).items():
                scores[option] += n * points
    return _score_result(Method.borda, profile.total, scores)


def _irv(profile: _Profile, _k: int | None) -> Result:
    """Instant runoff; ballots sit in the pile of their highest remaining option and move only when it goes.

    Moving only the eliminated piles keeps the whole count linear in the total ballot length. Places:
    the winners, then the options left behind a majority winner by their last count, then the
    eliminated options, the last eliminated first.
    """
    options = profile.options
    piles: dict[str, list[tuple[Ballot, int, int]]] = {option: [] for option in options}
    counts = dict.fromkeys(options, 0)
    for ballot, weight in profile.weights.items():
        if ballot:
            piles[ballot[0]].append((ballot, weight, 0))
            counts[ballot[0]] += weight
    remaining = list(options)
    rounds: list[dict[str, int]] = []
    exhausted: list[int] = []
    eliminated: list[list[str]] = []
    gone = 0
    while True:
        standing = {option: counts[option] for option in remaining}
        rounds.append(standing)
        exhausted.append(gone)
        active = sum(standing.values())
        if active == 0:  # only blank ballots (or none): no winner, everyone level
            return Result(Method.irv, profile.total, dict(rounds[0]), rounds, [list(options)], [], exhausted)
        most, fewest = max(standing.values()), min(standing.values())
        if 2 * most > active:
            winners = [option for option in remaining if standing[option] == most]
            break
        if most == fewest:  # eliminating would leave nothing: the remaining options all win
            winners = list(remaining)
            break
        losers = [option for option in remaining if standing[option] == fewest]
        eliminated.append(losers)
        remaining = [option for option in remaining if standing[option] != fewest]
        alive = set(remaining)
        for loser in losers:
            for ballot, weight, position in piles.pop(loser):
                position += 1
                while position < len(ballot) and ballot[position] not in alive:
                    position += 1
                if position == len(ballot):
                    gone += weight
                else:
                    option = ballot[position]
                    piles[option].append((ballot, weight, position))
                    counts[option] += weight
    # Options still in the race behind a majority winner rank by their last count, above every eliminated one.
    runners_up = _places({option: n for option, n in rounds[-1].items() if option not in winners})
    places = [winners, *runners_up, *reversed(eliminated)]
    return Result(Method.irv, profile.total, dict(rounds[0]), rounds, places, winners, exhausted)


_COUNTERS: dict[Method, Callable[[_Profile, int | None], Result]] = {
    Method.plurality: _plurality,
    Method.approval: _approval,
    Method.borda: _borda,
    Method.irv: _irv,
    Method.dots: _dots,
}

COMPARED = (Method.plurality, Method.approval, Method.borda, Method.irv)
"""The methods that can all read the same ranking ballots, in the order a comparison shows them."""


def count(
    method: Method | str,
    ballots: Iterable[Ballot],
    options: Sequence[str] | None = None,
    k: int | None = None,
) -> Result:
    """Count `ballots` by `method`; `options` in display order (default: those seen, sorted).

    `k` is the number of Borda places (default: the longest ballot) and is ignored by other methods.
    Raises ValueError for an unknown method, a ballot option not in `options`, an option listed twice
    in `options`, an option ranked twice on one ballot (borda, irv) or k < 1.
    """
    method = Method(method)
    return _COUNTERS[method](_Profile(ballots, options, ranking=method in RANKING), k)


def compare(
    ballots: Iterable[Ballot], options: Sequence[str] | None = None, k: int | None = None
) -> dict[Method, Result]:
    """The same ranking ballots counted by plurality, approval, Borda and instant runoff, to show methods matter."""
    profile = _Profile(ballots, options, ranking=True)
    return {method: _COUNTERS[method](profile, k) for method in COMPARED}


def winners_differ(results: Mapping[Method, Result]) -> bool:
    """True when the methods do not all name the same winners (a tie against a single winner differs too)."""
    return len({frozenset(result.winners) for result in results.values()}) > 1


def add_paper_counts(result: Result, counts: Mapping[str, int], papers: int) -> Result:
    """Add the counts of `papers` paper ballots to an additive count (plurality, approval, dots).

    Borda and instant runoff need every ballot's ranking, so totals cannot be added: ValueError.
    Counts a paper ballot cannot produce (more plurality votes than papers, more approvals of one
    option than papers, a negative number, an unknown option) are refused with ValueError too.
    """
    method = Method(result.method)
    if method not in ADDITIVE:
        raise ValueError(f"paper totals cannot be added to a {method} count; count the ballots themselves")
    if papers < 0 or any(n < 0 for n in counts.values()):
        raise ValueError("paper counts cannot be negative")
    unknown = sorted(set(counts) - set(result.scores))
    if unknown:
        raise ValueError(f"paper counts name options that are not in the poll: {unknown}")
    if method is Method.plurality and sum(counts.values()) > papers:
        raise ValueError(f"{sum(counts.values())} first choices cannot come from {papers} paper ballots")
    if method is Method.approval and any(n > papers for n in counts.values()):
        raise ValueError(f"an option cannot be approved on more than the {papers} paper ballots")
    scores = {option: score + counts.get(option, 0) for option, score in result.scores.items()}
    return _score_result(method, result.ballots + papers, scores)
