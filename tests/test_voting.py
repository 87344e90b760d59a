"""The counting rules of kinderwijkraad.voting: hand-counted examples for every method, and properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kinderwijkraad.voting import (
    Method,
    Result,
    add_paper_counts,
    compare,
    count,
    read_ballots_csv,
    result_json,
    winners_differ,
)

OPTIONS = ("a", "b", "c", "d", "e")


def ballots_of(*groups: tuple[int, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Ballots as a teacher writes them on the board: (how many, ballot)."""
    return [ballot for n, ballot in groups for _ in range(n)]


# --- plurality, approval, dots --------------------------------------------------------------------


def test_plurality_counts_only_the_first_choice_and_blank_ballots_are_counted_as_ballots():
    result = count("plurality", [("a", "b"), ("b",), ("a",), ()], options=["a", "b", "c"])
    assert result.method is Method.plurality
    assert result.ballots == 4
    assert result.scores == {"a": 2, "b": 1, "c": 0}
    assert result.places == [["a"], ["b"], ["c"]]
    assert result.winners == ["a"]
    assert result.rounds == [] and result.exhausted == []


def test_a_plurality_tie_is_reported_in_the_order_of_the_options_and_not_broken():
    result = count(Method.plurality, [("b",), ("a",), ("c",)], options=["c", "b", "a"])
    assert result.winners == ["c", "b", "a"]
    assert result.places == [["c", "b", "a"]]


def test_approval_counts_each_option_once_per_ballot_even_if_written_twice():
    result = count("approval", [("a", "b", "a"), ("b", "c"), ("b",)], options=["a", "b", "c", "d"])
    assert result.scores == {"a": 1, "b": 3, "c": 1, "d": 0}
    assert result.places == [["b"], ["a", "c"], ["d"]]
    assert result.winners == ["b"]


def test_dots_counts_every_dot_so_a_child_may_put_several_on_one_option():
    result = count("dots", [("a", "a", "a"), ("b", "c", "b"), ()], options=["a", "b", "c"])
    assert result.scores == {"a": 3, "b": 2, "c": 1}
    assert result.ranking == ["a", "b", "c"]
    assert result.ballots == 3


def test_without_options_the_options_seen_are_used_sorted():
    result = count("approval", [("zwembad", "bank"), ("Bank",)])
    assert list(result.scores) == ["Bank", "bank", "zwembad"]


def test_options_nobody_chose_still_appear_with_zero():
    result = count("plurality", [("b",)], options=["a", "b", "c"])
    assert result.scores == {"a": 0, "b": 1, "c": 0}
    assert result.places == [["b"], ["a", "c"]]


@pytest.mark.parametrize("method", list(Method))
def test_no_votes_at_all_means_no_winner_and_everyone_level(method):
    for ballots in ([], [(), ()]):
        result = count(method, ballots, options=["a", "b"])
        assert result.winners == []
        assert result.places == [["a", "b"]]
        assert result.scores == {"a": 0, "b": 0}
        assert result.ballots == len(ballots)


@pytest.mark.parametrize("method", list(Method))
def test_an_option_outside_the_poll_is_refused(method):
    with pytest.raises(ValueError, match="not in the poll"):
        count(method, [("a",), ("x", "a")], options=["a", "b"])


@pytest.mark.parametrize("method", ["borda", "irv"])
def test_a_ranking_may_not_name_an_option_twice(method):
    with pytest.raises(ValueError, match="more than once"):
        count(method, [("a", "b", "a")])


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        count("majority", [("a",)])
    with pytest.raises(ValueError, match="distinct"):
        count("plurality", [("a",)], options=["a", "a"])
    with pytest.raises(ValueError, match="k >= 1"):
        count("borda", [("a",)], k=0)
    with pytest.raises(TypeError):
        count("plurality", ["ab"])  # a string is not a ballot: it would count as ("a", "b")


def test_ballots_may_be_lists_or_a_generator():
    as_lists = count("borda", [["a", "b"], ["b"], ["a", "b"]])
    as_generator = count("borda", (tuple(b) for b in [["a", "b"], ["b"], ["a", "b"]]))
    assert as_lists == as_generator
    assert as_lists.scores == {"a": 4, "b": 4}


# --- Borda -----------------------------------------------------------------------------------------

BORDA_BALLOTS = ballots_of((2, ("a", "b", "c")), (1, ("c", "b", "a")), (1, ("b",)))


def test_borda_gives_k_minus_place_plus_one_points_with_k_the_longest_ballot():
    result = count("borda", BORDA_BALLOTS)
    # a: 2*3 + 1 = 7; b: 2*2 + 2 + 3 = 9; c: 2*1 + 3 = 5
    assert result.scores == {"a": 7, "b": 9, "c": 5}
    assert result.ranking == ["b", "a", "c"]


def test_borda_with_k_smaller_than_a_ballot_gives_nothing_beyond_place_k():
    result = count("borda", BORDA_BALLOTS, k=2)
    # a: 2*2 = 4; b: 2*1 + 1 + 2 = 5; c: 0 + 2 = 2
    assert result.scores == {"a": 4, "b": 5, "c": 2}
    assert result.places == [["b"], ["a"], ["c"]]
    assert result.winners == ["b"]


def test_borda_with_k_larger_than_every_ballot_still_scores_the_places_given():
    result = count("borda", [("a", "b")], options=["a", "b", "c"], k=5)
    assert result.scores == {"a": 5, "b": 4, "c": 0}


# --- instant runoff ---------------------------------------------------------------------------------


def test_instant_runoff_eliminates_a_tie_together_and_exhausted_ballots_leave_the_majority():
    ballots = ballots_of((4, ("a", "b")), (3, ("b", "c")), (2, ("c",)), (1, ("d", "a")), (1, ("e", "b")))
    result = count("irv", ballots, options=OPTIONS)
    assert result.rounds == [
        {"a": 4, "b": 3, "c": 2, "d": 1, "e": 1},  # no majority of 11; d and e share the fewest
        {"a": 5, "b": 4, "c": 2},  # d went to a, e to b; still no majority of 11
        {"a": 5, "b": 4},  # c's two ballots are exhausted: 5 of 9 is a majority
    ]
    assert result.exhausted == [0, 0, 2]
    assert result.winners == ["a"]
    assert result.places == [["a"], ["b"], ["c"], ["d", "e"]]
    assert result.scores == result.rounds[0]
    assert result.ballots == 11


def test_instant_runoff_ends_in_a_tie_when_all_remaining_options_have_the_same_count():
    ballots = ballots_of((2, ("a",)), (2, ("b",)), (1, ("c", "a")), (1, ("d", "b")))
    result = count("irv", ballots, options=["a", "b", "c", "d"])
    assert result.rounds == [{"a": 2, "b": 2, "c": 1, "d": 1}, {"a": 3, "b": 3}]
    assert result.winners == ["a", "b"]
    assert result.places == [["a", "b"], ["c", "d"]]


def test_instant_runoff_where_everyone_ties_in_the_first_round_has_all_options_as_winners():
    result = count("irv", [("a", "b"), ("b", "a"), ("c",)], options=["c", "b", "a"])
    assert result.rounds == [{"c": 1, "b": 1, "a": 1}]
    assert result.winners == ["c", "b", "a"]
    assert result.exhausted == [0]


def test_instant_runoff_drops_options_without_votes_first_and_keeps_them_in_round_one():
    result = count("irv", [("a",), ("b",), ("b",), ("a",), ()], options=["a", "b", "c"])
    assert result.rounds == [{"a": 2, "b": 2, "c": 0}, {"a": 2, "b": 2}]
    assert result.winners == ["a", "b"]
    assert result.places == [["a", "b"], ["c"]]


def test_instant_runoff_with_a_first_round_majority_ranks_the_others_by_their_count():
    result = count("irv", ballots_of((3, ("a",)), (1, ("c",))), options=["a", "b", "c"])
    assert result.rounds == [{"a": 3, "b": 0, "c": 1}]
    assert result.places == [["a"], ["c"], ["b"]]


def test_instant_runoff_can_disagree_with_plurality():
    # The classic: a is the largest minority, but b wins once c's supporters move on.
    ballots = ballots_of((4, ("a", "c")), (3, ("b", "c")), (2, ("c", "b")))
    results = compare(ballots)
    assert results[Method.plurality].winners == ["a"]
    assert results[Method.irv].winners == ["b"]
    assert results[Method.irv].rounds == [{"a": 4, "b": 3, "c": 2}, {"a": 4, "b": 5}]
    assert winners_differ(results)


# --- top, compare, paper counts ----------------------------------------------------------------------


def test_top_keeps_every_option_tied_at_the_last_place_shown():
    result = count("approval", [("a", "b", "c", "d"), ("a", "b"), ("a",)], options=["a", "b", "c", "d", "e"])
    assert result.places == [["a"], ["b"], ["c", "d"], ["e"]]
    assert result.top(3) == [["a"], ["b"], ["c", "d"]]
    assert result.top(2) == [["a"], ["b"]]
    assert result.top(1) == [["a"]]
    assert result.top(0) == []
    tie = count("plurality", [("a",), ("b",)], options=["a", "b", "c"])
    assert tie.top(1) == [["a", "b"]]


def test_compare_counts_the_same_ballots_by_four_methods():
    results = compare(BORDA_BALLOTS, k=2)
    assert list(results) == [Method.plurality, Method.approval, Method.borda, Method.irv]
    for method, result in results.items():
        assert result == count(method, BORDA_BALLOTS, k=2)
    assert not winners_differ({Method.plurality: results[Method.plurality]})
    assert not winners_differ({})


def test_a_tie_against_a_single_winner_counts_as_a_difference():
    single = count("plurality", [("a",), ("a",), ("b",)])
    tie = count("approval", [("a", "b"), ("a", "b")])
    assert winners_differ({Method.plurality: single, Method.approval: tie})


def test_paper_counts_are_added_to_an_additive_count():
    online = count("plurality", [("a",), ("b",), ("b",)], options=["a", "b", "c"])
    combined = add_paper_counts(online, {"a": 3, "c": 1}, papers=5)
    assert combined.scores == {"a": 4, "b": 2, "c": 1}
    assert combined.ballots == 8
    assert combined.winners == ["a"]
    assert combined.places == [["a"], ["b"], ["c"]]


@pytest.mark.parametrize("method", ["borda", "irv"])
def test_paper_totals_cannot_be_added_to_a_ranking_count(method):
    with pytest.raises(ValueError, match="cannot be added"):
        add_paper_counts(count(method, [("a", "b")]), {"a": 1}, papers=1)


def test_paper_counts_a_paper_ballot_cannot_produce_are_refused():
    online = count("plurality", [("a",)], options=["a", "b"])
    with pytest.raises(ValueError, match="first choices"):
        add_paper_counts(online, {"a": 2, "b": 1}, papers=2)
    with pytest.raises(ValueError, match="not in the poll"):
        add_paper_counts(online, {"x": 1}, papers=2)
    with pytest.raises(ValueError, match="negative"):
        add_paper_counts(online, {"a": -1}, papers=2)
    with pytest.raises(ValueError, match="approved"):
        add_paper_counts(count("approval", [("a",)]), {"a": 3}, papers=2)
    assert add_paper_counts(count("dots", [("a",)]), {"a": 9}, papers=2).scores == {"a": 10}


def test_result_json_has_rounds_only_for_instant_runoff():
    irv = result_json(count("irv", [("a", "b"), ("b",), ("b",)]))
    assert irv == {
        "method": "irv",
        "ballots": 3,
        "scores": {"a": 1, "b": 2},
        "rounds": [{"a": 1, "b": 2}],
        "ranking": ["b", "a"],
        "places": [["b"], ["a"]],
        "winners": ["b"],
    }
    assert "rounds" not in result_json(count("borda", [("a", "b")]))


def test_ballots_csv_strips_cells_ignores_trailing_empties_and_reads_an_empty_row_as_blank():
    text = "\ufeffa, b ,c,,\n\nspeeltuin,café\n , \n"
    assert read_ballots_csv(text) == [("a", "b", "c"), (), ("speeltuin", "café"), ()]
    assert read_ballots_csv("") == []
    assert read_ballots_csv('"a, quoted",b') == [("a, quoted", "b")]


def test_ballots_csv_refuses_a_gap_in_a_ranking():
    with pytest.raises(ValueError, match="line 2"):
        read_ballots_csv("a,b\na,,b\n")


# --- properties --------------------------------------------------------------------------------------

RANKINGS = st.lists(st.sampled_from(OPTIONS), unique=True, max_size=len(OPTIONS)).map(tuple)
DOT_BALLOTS = st.lists(st.sampled_from(OPTIONS), max_size=6).map(tuple)
PROFILES = st.lists(RANKINGS, max_size=25)
MODEST = settings(max_examples=120, deadline=None)


def majority_profiles() -> st.SearchStrategy[list[tuple[str, ...]]]:
    """Profiles in which one option is the first choice of more than half of all ballots."""

    @st.composite
    def build(draw):
        favourite = draw(st.sampled_from(OPTIONS))
        others = draw(st.lists(RANKINGS, max_size=12))
        rest = st.lists(st.sampled_from([o for o in OPTIONS if o != favourite]), unique=True, max_size=3)
        backers = draw(st.lists(rest, min_size=len(others) + 1, max_size=len(others) + 4))
        return draw(st.permutations(others + [(favourite, *later) for later in backers]))

    return build()


def check_consistent(result: Result, options: tuple[str, ...]) -> None:
    assert list(result.scores) == list(options)
    assert sorted(result.ranking) == sorted(options)
    assert all(result.places)
    if result.winners:
        assert result.winners == result.places[0]


@MODEST
@given(PROFILES, st.sampled_from(list(Method)))
def test_every_result_places_every_option_exactly_once(ballots, method):
    result = count(method, ballots, options=OPTIONS)
    check_consistent(result, OPTIONS)
    assert result.ballots == len(ballots)
    assert (result.winners == []) == all(not b for b in ballots)


@MODEST
@given(st.lists(DOT_BALLOTS, max_size=25), DOT_BALLOTS)
def test_adding_a_ballot_never_lowers_an_approval_score(ballots, extra):
    before = count("approval", ballots, options=OPTIONS).scores
    after = count("approval", [*ballots, extra], options=OPTIONS).scores
    assert all(after[option] >= before[option] for option in OPTIONS)
    assert sum(after.values()) - sum(before.values()) == len(set(extra))


@MODEST
@given(majority_profiles())
def test_a_majority_first_choice_wins_plurality_and_instant_runoff(ballots):
    favourite = count("plurality", ballots, options=OPTIONS)
    assert len(favourite.winners) == 1
    irv = count("irv", ballots, options=OPTIONS)
    assert irv.winners == favourite.winners
    assert len(irv.rounds) == 1


@MODEST
@given(st.one_of(PROFILES, majority_profiles()))
def test_a_plurality_majority_winner_is_also_the_instant_runoff_winner(ballots):
    plurality = count("plurality", ballots, options=OPTIONS)
    nonblank = sum(1 for b in ballots if b)
    assume(plurality.winners and 2 * plurality.scores[plurality.winners[0]] > nonblank)
    assert count("irv", ballots, options=OPTIONS).winners == plurality.winners


@MODEST
@given(st.data(), st.lists(DOT_BALLOTS, max_size=20), st.sampled_from(list(Method)))
def test_the_order_of_the_ballots_never_changes_a_result(data, ballots, method):
    if method in (Method.borda, Method.irv):
        ballots = [tuple(dict.fromkeys(b)) for b in ballots]  # a ranking names each option once
    shuffled = data.draw(st.permutations(ballots))
    assert count(method, shuffled, options=OPTIONS) == count(method, ballots, options=OPTIONS)


@MODEST
@given(PROFILES)
def test_plurality_scores_add_up_to_the_non_blank_ballots(ballots):
    result = count("plurality", ballots, options=OPTIONS)
    assert sum(result.scores.values()) == sum(1 for b in ballots if b)


@MODEST
@given(PROFILES, st.one_of(st.none(), st.integers(min_value=1, max_value=7)))
def test_borda_hands_out_k_minus_place_plus_one_points_per_ranked_place(ballots, k):
    result = count("borda", ballots, options=OPTIONS, k=k)
    places = k if k is not None else max(map(len, ballots), default=0)
    expected = sum(places - i + 1 for b in ballots for i in range(1, min(len(b), places) + 1))
    assert sum(result.scores.values()) == expected


@MODEST
@given(PROFILES)
def test_instant_runoff_rounds_account_for_every_non_blank_ballot(ballots):
    result = count("irv", ballots, options=OPTIONS)
    nonblank = sum(1 for b in ballots if b)
    assert len(result.rounds) == len(result.exhausted)
    assert result.rounds[0] == result.scores and list(result.rounds[0]) == list(OPTIONS)
    for before, after in zip(result.rounds, result.rounds[1:], strict=False):
        assert set(after) < set(before)
        assert all(after[option] >= before[option] for option in after)  # ballots only move, never go back
    for standing, gone in zip(result.rounds, result.exhausted, strict=True):
        assert sum(standing.values()) + gone == nonblank
    assert result.exhausted == sorted(result.exhausted)
    if result.winners:
        last = result.rounds[-1]
        top = max(last.values())
        assert all(last[w] == top for w in result.winners)  # a tie is reported, never broken
        assert len(result.winners) == 1 or len(set(last.values())) == 1


@MODEST
@given(PROFILES, st.sampled_from([Method.plurality, Method.approval, Method.borda]))
def test_score_methods_never_break_a_tie(ballots, method):
    result = count(method, ballots, options=OPTIONS)
    for group in result.places:
        assert len({result.scores[option] for option in group}) == 1
    ordered = [result.scores[group[0]] for group in result.places]
    assert ordered == sorted(set(ordered), reverse=True)


@MODEST
@given(PROFILES, st.integers(min_value=0, max_value=8))
def test_top_n_shows_at_least_n_options_and_stops_at_the_first_group_beyond(ballots, n):
    result = count("approval", ballots, options=OPTIONS)
    shown = [option for group in result.top(n) for option in group]
    assert len(shown) >= min(n, len(OPTIONS))
    assert shown == result.ranking[: len(shown)]
    if result.top(n):
        assert len(shown) - len(result.top(n)[-1]) < n


@MODEST
@given(
    st.lists(DOT_BALLOTS, max_size=15),
    st.lists(DOT_BALLOTS, max_size=15),
    st.sampled_from([Method.plurality, Method.approval, Method.dots]),
)
def test_adding_paper_counts_equals_counting_the_paper_ballots(ballots, papers, method):
    online = count(method, ballots, options=OPTIONS)
    paper_counts = count(method, papers, options=OPTIONS).scores
    combined = add_paper_counts(online, paper_counts, papers=len(papers))
    assert combined == count(method, [*ballots, *papers], options=OPTIONS)


@MODEST
@given(PROFILES, st.one_of(st.none(), st.integers(min_value=1, max_value=5)))
def test_compare_agrees_with_counting_each_method_alone(ballots, k):
    results = compare(ballots, options=OPTIONS, k=k)
    assert results == {method: count(method, ballots, options=OPTIONS, k=k) for method in results}
    assert winners_differ(results) == (len({tuple(sorted(r.winners)) for r in results.values()}) > 1)


def naive_instant_runoff(ballots: list[tuple[str, ...]], options: tuple[str, ...]) -> tuple[list[dict], list[str]]:
    """The rule read literally, recounting every ballot each round: slow, but obviously right."""
    remaining, rounds = list(options), []
    while True:
        firsts = [next((o for o in b if o in remaining), None) for b in ballots if b]
        standing = {o: firsts.count(o) for o in remaining}
        rounds.append(standing)
        active = sum(standing.values())
        if active == 0:
            return rounds, []
        if any(2 * n > active for n in standing.values()) or len(set(standing.values())) == 1:
            return rounds, [o for o in remaining if standing[o] == max(standing.values())]
        remaining = [o for o in remaining if standing[o] != min(standing.values())]


@MODEST
@given(PROFILES)
def test_instant_runoff_agrees_with_the_rule_read_literally(ballots):
    result = count("irv", ballots, options=OPTIONS)
    assert (result.rounds, result.winners) == naive_instant_runoff(ballots, OPTIONS)


def test_the_lesson_example_has_a_different_winner_per_method():
    from kinderwijkraad.voting.examples import EXAMPLE_BALLOTS, EXAMPLE_K, EXAMPLE_OPTIONS

    results = compare(EXAMPLE_BALLOTS, options=EXAMPLE_OPTIONS, k=EXAMPLE_K)
    assert results[Method.plurality].winners == ["Speeltuin"]
    assert results[Method.approval].winners == ["Bankjes"]
    assert results[Method.borda].winners == ["Bankjes"]
    assert results[Method.irv].winners == ["Voetbalveld"]
    assert winners_differ(results)
