"""Hoe tel je stemmen? — the same ranking ballots counted four ways, side by side, for the
smartboard: who wins by most first choices, by approval, by Borda points, and by instant runoff,
whose rounds the class steps through. Where the winners differ, the screen says so.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from kinderwijkraad.charts import result_bars
from kinderwijkraad.i18n import t
from kinderwijkraad.models import BallotKind
from kinderwijkraad.services import polls, results
from kinderwijkraad.services.common import Actor
from kinderwijkraad.ui.database import engine
from kinderwijkraad.ui.errors import shows_errors
from kinderwijkraad.ui.format import plain
from kinderwijkraad.voting import COMPARED, Method, Result, compare, winners_differ
from kinderwijkraad.voting.examples import EXAMPLE_BALLOTS, EXAMPLE_K, EXAMPLE_OPTIONS


def method_comparison(poll: polls.PollView, actor: Actor) -> None:
    """The poll's own ranking ballots; for other ballot kinds, the lesson's example."""
    if poll.ballot_kind == BallotKind.RANKING:
        with shows_errors():
            view, compared = results.method_comparison(engine(), actor=actor, poll_id=poll.id)
            comparison(compared, view.label_of, key=f"poll.{poll.id}")
        return
    st.info(t("compare.example_intro"), icon=":material/school:")
    example(key=f"example.{poll.id}")


def example(*, key: str) -> None:
    results = compare(EXAMPLE_BALLOTS, options=EXAMPLE_OPTIONS, k=EXAMPLE_K)
    with st.expander(t("compare.example_ballots", n=len(EXAMPLE_BALLOTS))):
        groups: dict[tuple[str, ...], int] = {}
        for ballot in EXAMPLE_BALLOTS:
            groups[ballot] = groups.get(ballot, 0) + 1
        st.dataframe(pd.DataFrame({t("compare.children"): list(groups.values()),
                                   t("compare.ranking"): [" > ".join(b) for b in groups]}), hide_index=True)
    comparison(results, str, key=key)


def _winner_text(result: Result, label: Callable[[str], str]) -> str:
    if not result.winners:
        return "—"
    return " & ".join(label(o) for o in result.winners)


def comparison(results: dict[Method, Result], label: Callable[[str], str], *, key: str) -> None:
    if winners_differ(results):
        st.warning(t("compare.winners_differ"), icon=":material/lightbulb:")
    else:
        st.success(t("compare.winners_agree"))
    plurality_winners = set(results[Method.plurality].winners)
    columns = st.columns(2) + st.columns(2)  # two by two: option names stay readable on a tablet
    for column, method in zip(columns, COMPARED, strict=True):
        result = results[method]
        differs = set(result.winners) != plurality_winners
        with column.container(border=True):
            st.markdown(f"#### {t(f'compare.{method.value}.title')}")
            st.caption(t(f"compare.{method.value}.how"))
            winner = plain(_winner_text(result, label))
            st.markdown(f"**{t('compare.winner')}:** " + (f":orange-background[{winner}]" if differs else winner))
            # Instant runoff: the votes each option held in the last round it took part in.
            scores = {o: n for counts in result.rounds for o, n in counts.items()} if result.rounds else result.scores
            st.markdown("\n".join(f"1. {plain(label(o))} — {scores.get(o, 0)}" for o in result.ranking))
    _runoff_rounds(results[Method.irv], results[Method.plurality], label, key=key)


def _runoff_rounds(irv: Result, plurality: Result, label: Callable[[str], str], *, key: str) -> None:
    """Step through the runoff: who is eliminated in each round and where their votes go."""
    if not irv.rounds:
        return
    st.markdown(f"### {t('compare.rounds_title')}")
    rounds = irv.rounds
    number = st.slider(t("compare.round"), 1, len(rounds), 1, key=f"compare.round.{key}") if len(rounds) > 1 else 1
    counts = rounds[number - 1]
    remaining = sorted(counts, key=lambda o: -counts[o])
    later = rounds[number] if number < len(rounds) else None
    out = [o for o in counts if later is not None and o not in later]
    st.plotly_chart(result_bars([label(o) for o in remaining], [counts[o] for o in remaining],
                                [o not in out for o in remaining]),
                    config={"displayModeBar": False}, key=f"compare.round_chart.{key}.{number}")
    active = sum(counts.values())
    if out:
        st.markdown(t("compare.eliminated", options=", ".join(plain(label(o)) for o in out)))
    else:
        st.markdown(t("compare.final_round", winner=plain(_winner_text(irv, label)), votes=max(counts.values()),
                      active=active))
    if irv.exhausted and irv.exhausted[number - 1]:
        st.caption(t("compare.exhausted", count=irv.exhausted[number - 1]))
    leader = remaining[0] if remaining else None
    if later is None and leader is not None and set(irv.winners) != set(plurality.winners):
        st.warning(t("compare.runoff_differs", runoff=plain(_winner_text(irv, label)),
                     plurality=plain(_winner_text(plurality, label))), icon=":material/lightbulb:")
