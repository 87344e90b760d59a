"""Casting votes (services.ballots): voting cards under concurrency, the booth, the server's clock,
the ballot rules, paper tallies, and what a database dump shows — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from kinderwijkraad.db import read_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import Ballot, BallotKind, Receipt, Role, VotingCard
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import accounts, ballots, lessons, plans, polls, results, templates
from tests import factories

THEMES = ("Afval", "Groen", "Speeltuin", "Verkeer")
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture
def world(engine) -> dict:
    return factories.world(engine)


def _poll(engine, world, themes=THEMES, **settings) -> polls.PollView:
    """A wijk-wide draft poll of wijk A over the given themes (options in name order)."""
    facilitator, cycle_id = world["facilitator"], world["cycle_a"].id
    for name in themes:
        plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name=name)
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=cycle_id, title="Wijkstemming", **settings)
    return polls.poll_view(engine, actor=facilitator, poll_id=poll_id)


def _cards(engine, world, poll_id: int, count: int, classroom=None) -> list[str]:
    classroom = classroom or world["class_a"]
    sheet = ballots.issue_cards(engine, actor=world["facilitator"], poll_id=poll_id, classroom_id=classroom.id,
                                count=count, base_url="http://test")
    return [card.code for card in sheet.cards]


def _open(engine, world, poll_id: int, **kwargs) -> None:
    polls.open_poll(engine, actor=world["facilitator"], poll_id=poll_id, **kwargs)


def _stored(engine, poll_id: int) -> tuple[int, int]:
    """(ballots, receipts) in the database for the poll."""
    with read_session(engine) as session:
        n_ballots = session.exec(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll_id)).one()
        n_receipts = session.exec(select(func.count()).select_from(Receipt).where(Receipt.poll_id == poll_id)).one()
    return n_ballots, n_receipts


def _used_cards(engine, world, poll_id: int, classroom=None) -> int:
    counts = ballots.card_counts(engine, actor=world["facilitator"], poll_id=poll_id)
    row = counts.get((classroom or world["class_a"]).id)
    return row.used if row else 0


def _together(n: int, action: Callable[[int], object]) -> list[object]:
    """Run action(0..n-1) in n threads released at the same moment; each outcome is the return
    value or the exception raised."""
    barrier = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - collected and checked by the test
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a voter never finished"
    return outcomes


# --- concurrency -------------------------------------------------------------------------------------


def test_fifty_tablets_submitting_one_card_at_once_give_exactly_one_ballot(engine, world):
    poll = _poll(engine, world)
    (code,) = _cards(engine, world, poll.id, 1)
    _open(engine, world, poll.id)
    first = poll.option_ids[0]

    outcomes = _together(50, lambda _i: ballots.cast_with_card(engine, code=code, choices=[first]))

    receipts = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if not isinstance(o, str)]
    assert len(receipts) == 1 and CODE.fullmatch(receipts[0])
    assert len(refusals) == 49
    assert {(type(o), o.key) for o in refusals} == {(Conflict, "vote.card_used")}
    assert _stored(engine, poll.id) == (1, 1)
    assert _used_cards(engine, world, poll.id) == 1


def test_thirty_tablets_voting_thirty_cards_at_once_lose_no_ballot(engine, world):
    poll = _poll(engine, world)
    codes = _cards(engine, world, poll.id, 30)
    _open(engine, world, poll.id)
    ids = poll.option_ids

    outcomes = _together(30, lambda i: ballots.cast_with_card(engine, code=codes[i], choices=[ids[i % 4]]))

    assert all(isinstance(o, str) and CODE.fullmatch(o) for o in outcomes), outcomes
    assert len(set(outcomes)) == 30
    assert _stored(engine, poll.id) == (30, 30)
    assert _used_cards(engine, world, poll.id) == 30
    turnout = polls.turnout(engine, actor=world["facilitator"], poll_id=poll.id)
    assert [(t.classroom_id, t.electronic) for t in turnout] == [(world["class_a"].id, 30)]


def test_one_unlock_of_the_booth_lets_one_of_ten_simultaneous_casts_through(engine, world):
    poll = _poll(engine, world)
    teacher, class_a = world["teacher"], world["class_a"]
    booth = ballots.booth_for(engine, actor=teacher, poll_id=poll.id, classroom_id=class_a.id)
    token = ballots.pair_booth(engine, code=booth.pair_code.lower(), client="booth")
    with pytest.raises(NotAllowed) as too_early:
        ballots.set_booth(engine, actor=teacher, booth_id=booth.id, unlocked=True)
    assert too_early.value.key == "vote.poll_not_open"
    _open(engine, world, poll.id)
    ballots.set_booth(engine, actor=teacher, booth_id=booth.id, unlocked=True)
    ballots.set_booth(engine, actor=teacher, booth_id=booth.id, unlocked=True)  # a double tap is one unlock
    first = poll.option_ids[0]

    outcomes = _together(10, lambda _i: ballots.cast_in_booth(engine, token=token, choices=[first]))

    receipts = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if not isinstance(o, str)]
    assert len(receipts) == 1
    assert {(type(o), o.key) for o in refusals} == {(NotAllowed, "booth.locked")} and len(refusals) == 9
    assert _stored(engine, poll.id) == (1, 1)
    status = ballots.booth_status(engine, actor=teacher, booth_id=booth.id)
    assert status.voters == 1 and not status.unlocked
    assert not ballots.booth_screen(engine, token).unlocked  # the screen locks again for the next child


# --- the server's clock ------------------------------------------------------------------------------


def test_a_card_is_refused_before_the_open_and_stays_unused(engine, world):
    poll = _poll(engine, world)
    code, spare = _cards(engine, world, poll.id, 2)
    first = poll.option_ids[0]
    with pytest.raises(NotAllowed) as draft:
        ballots.cast_with_card(engine, code=code, choices=[first])
    assert draft.value.key == "vote.poll_not_open"
    with pytest.raises(NotAllowed) as screen:
        ballots.card_poll(engine, code=code, client="tablet")
    assert screen.value.key == "vote.poll_not_open"
    assert _used_cards(engine, world, poll.id) == 0 and _stored(engine, poll.id) == (0, 0)

    _open(engine, world, poll.id)
    assert ballots.card_poll(engine, code=code, client="tablet").id == poll.id
    assert CODE.fullmatch(ballots.cast_with_card(engine, code=code, choices=[first]))


def test_the_servers_clock_decides_before_the_open_of_an_opened_poll(engine, world, monkeypatch):
    poll = _poll(engine, world)
    (code,) = _cards(engine, world, poll.id, 1)
    _open(engine, world, poll.id)
    a_minute_ago = utcnow() - timedelta(minutes=1)
    monkeypatch.setattr(ballots, "utcnow", lambda: a_minute_ago)
    with pytest.raises(NotAllowed) as early:
        ballots.cast_with_card(engine, code=code, choices=[poll.option_ids[0]])
    assert early.value.key == "vote.poll_not_open"
    assert _used_cards(engine, world, poll.id) == 0 and _stored(engine, poll.id) == (0, 0)


def test_a_card_is_refused_after_a_planned_close_by_the_servers_clock(engine, world, monkeypatch):
    poll = _poll(engine, world)
    early, late = _cards(engine, world, poll.id, 2)
    closes_at = utcnow() + timedelta(seconds=2)
    _open(engine, world, poll.id, closes_at=closes_at)
    first = poll.option_ids[0]
    ballots.cast_with_card(engine, code=early, choices=[first])

    after = closes_at + timedelta(seconds=1)
    monkeypatch.setattr(ballots, "utcnow", lambda: after)
    monkeypatch.setattr(polls, "utcnow", lambda: after)
    with pytest.raises(NotAllowed) as closed:
        ballots.cast_with_card(engine, code=late, choices=[first])
    assert closed.value.key == "vote.poll_closed"
    with pytest.raises(NotAllowed) as screen:
        ballots.card_poll(engine, code=late, client="tablet")
    assert screen.value.key == "vote.poll_closed"
    assert _used_cards(engine, world, poll.id) == 1 and _stored(engine, poll.id) == (1, 1)
    assert polls.poll_view(engine, actor=world["facilitator"], poll_id=poll.id).status == "closed"
    assert results.results(engine, actor=world["facilitator"], poll_id=poll.id).total.ballots == 1
    with pytest.raises(NotAllowed):
        ballots.issue_cards(engine, actor=world["facilitator"], poll_id=poll.id, classroom_id=world["class_a"].id,
                            count=1, base_url="http://test")


def test_a_card_is_refused_after_close_poll_and_stays_unused(engine, world):
    poll = _poll(engine, world)
    (code,) = _cards(engine, world, poll.id, 1)
    _open(engine, world, poll.id)
    polls.close_poll(engine, actor=world["facilitator"], poll_id=poll.id)
    with pytest.raises(NotAllowed) as closed:
        ballots.cast_with_card(engine, code=code, choices=[poll.option_ids[0]])
    assert closed.value.key == "vote.poll_closed"
    assert _used_cards(engine, world, poll.id) == 0 and _stored(engine, poll.id) == (0, 0)


# --- cards -------------------------------------------------------------------------------------------


def test_a_card_votes_once_typed_in_any_way_and_an_invalid_ballot_does_not_use_it(engine, world):
    poll = _poll(engine, world)
    (code,) = _cards(engine, world, poll.id, 1)
    _open(engine, world, poll.id)
    ids = poll.option_ids
    with pytest.raises(InvalidInput) as too_many:
        ballots.cast_with_card(engine, code=code, choices=ids)
    assert too_many.value.key == "vote.too_many" and too_many.value.params == {"k": 3}
    assert _used_cards(engine, world, poll.id) == 0
    typed = " " + code.lower().replace("-", " ") + " "
    receipt = ballots.cast_with_card(engine, code=typed, choices=[ids[2], ids[0]])
    assert CODE.fullmatch(receipt)
    with pytest.raises(Conflict) as again:
        ballots.cast_with_card(engine, code=code, choices=[ids[1]])
    assert again.value.key == "vote.card_used"
    with pytest.raises(Conflict):
        ballots.card_poll(engine, code=code, client="tablet")
    with pytest.raises(NotFound) as unknown:
        ballots.cast_with_card(engine, code="ZZZZ-ZZZZ", choices=[ids[1]])
    assert unknown.value.key == "vote.unknown_card"
    with read_session(engine) as session:
        assert session.exec(select(Ballot.choices)).all() == [sorted([ids[2], ids[0]])]  # approval: stored sorted


def test_reissuing_cards_voids_the_unused_ones_and_keeps_used_ones_used(engine, world):
    poll = _poll(engine, world)
    old = _cards(engine, world, poll.id, 3)
    _open(engine, world, poll.id)
    first = poll.option_ids[0]
    ballots.cast_with_card(engine, code=old[0], choices=[first])
    new = _cards(engine, world, poll.id, 3)

    for unused in old[1:]:
        with pytest.raises(NotFound) as void:
            ballots.cast_with_card(engine, code=unused, choices=[first])
        assert void.value.key == "vote.unknown_card"
        with pytest.raises(NotFound):
            ballots.card_poll(engine, code=unused, client="tablet")
    with pytest.raises(Conflict) as used:
        ballots.cast_with_card(engine, code=old[0], choices=[first])
    assert used.value.key == "vote.card_used"
    ballots.cast_with_card(engine, code=new[0], choices=[first])
    counts = ballots.card_counts(engine, actor=world["facilitator"], poll_id=poll.id)[world["class_a"].id]
    assert (counts.issued, counts.used) == (4, 2)  # the used old card and the three new ones
    assert _stored(engine, poll.id) == (2, 2)


def test_a_sheet_has_one_card_per_pupil_by_default_and_a_bounded_count(engine, world):
    poll = _poll(engine, world)
    sheet = ballots.issue_cards(engine, actor=world["teacher"], poll_id=poll.id, classroom_id=world["class_a"].id,
                                count=None, base_url="http://school.test/")
    assert len(sheet.cards) == world["class_a"].pupil_count
    assert len({c.code for c in sheet.cards}) == len(sheet.cards)
    card = sheet.cards[0]
    assert CODE.fullmatch(card.code) and card.url == f"http://school.test/stemmen?kaart={card.code.replace('-', '')}"
    for count in (0, ballots.MAX_PUPILS_PER_CARD_SHEET + 1):
        with pytest.raises(InvalidInput) as bad:
            _cards(engine, world, poll.id, count)
        assert bad.value.key == "cards.count_range"
    with read_session(engine) as session:  # only hashes are kept
        hashes = set(session.exec(select(VotingCard.code_hash)).all())
    assert not {c.code.replace("-", "") for c in sheet.cards} & hashes
    assert ballots._hash(ballots.normalise_card(card.code)) in hashes


# --- ballot rules (pure) -----------------------------------------------------------------------------


def _rules(kind: BallotKind, **overrides) -> ballots.BallotRules:
    values = {"poll_id": 1, "kind": kind, "max_choices": 3, "dots_total": 5, "dots_per_option": 3,
              "allow_blank": False, "block_own_plan": False, "option_ids": frozenset({1, 2, 3, 4, 5}),
              "option_team": {}}
    return ballots.BallotRules(**(values | overrides))


def _refused(rules: ballots.BallotRules, choices: list[int], **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        ballots.check_choices(rules, choices, **kwargs)
    return refused.value


def test_an_approval_ballot_has_up_to_k_distinct_known_options_stored_sorted():
    rules = _rules(BallotKind.APPROVAL)
    assert ballots.check_choices(rules, [3]) == (3,)
    assert ballots.check_choices(rules, ["4", 2, 1]) == (1, 2, 4)
    refused = _refused(rules, [1, 2, 3, 4])
    assert (refused.key, refused.params) == ("vote.too_many", {"k": 3})
    assert _refused(rules, [1, 1]).key == "vote.twice"
    assert _refused(rules, [1, 9]).key == "vote.unknown_option"
    assert _refused(rules, []).key == "vote.choose_something"


def test_a_single_choice_ballot_has_exactly_one_option():
    rules = _rules(BallotKind.SINGLE, max_choices=3)
    assert ballots.check_choices(rules, [5]) == (5,)
    refused = _refused(rules, [1, 2])
    assert (refused.key, refused.params) == ("vote.too_many", {"k": 1})
    assert _refused(rules, []).key == "vote.choose_something"


def test_a_ranking_ballot_keeps_its_order_and_has_up_to_k_distinct_options():
    rules = _rules(BallotKind.RANKING)
    assert ballots.check_choices(rules, [4, 1, 3]) == (4, 1, 3)
    assert ballots.check_choices(rules, [5]) == (5,)
    assert _refused(rules, [4, 1, 4]).key == "vote.twice"
    assert _refused(rules, [4, 1, 3, 2]).key == "vote.too_many"


def test_a_dots_ballot_spreads_at_most_n_dots_and_at_most_m_on_one_option():
    rules = _rules(BallotKind.DOTS, dots_total=5, dots_per_option=3)
    assert ballots.check_choices(rules, [2, 1, 2, 2, 4]) == (1, 2, 2, 2, 4)
    assert ballots.check_choices(rules, [3]) == (3,)
    refused = _refused(rules, [1, 1, 2, 2, 3, 3])
    assert (refused.key, refused.params) == ("vote.too_many_dots", {"count": 5})
    refused = _refused(rules, [1, 1, 1, 1])
    assert (refused.key, refused.params) == ("vote.too_many_dots_on_one", {"count": 3})
    assert _refused(rules, [1, 7]).key == "vote.unknown_option"


@pytest.mark.parametrize("kind", list(BallotKind))
def test_a_blank_ballot_is_allowed_only_when_the_poll_says_so(kind):
    assert _refused(_rules(kind), []).key == "vote.choose_something"
    assert ballots.check_choices(_rules(kind, allow_blank=True), []) == ()


def test_a_teams_tablet_cannot_vote_for_its_own_plan_when_the_poll_says_so():
    rules = _rules(BallotKind.APPROVAL, block_own_plan=True, option_team={1: 10, 2: 20})
    assert _refused(rules, [3, 1], team_id=10).key == "vote.own_plan"
    assert ballots.check_choices(rules, [2, 3], team_id=10) == (2, 3)
    assert ballots.check_choices(rules, [1], team_id=None) == (1,)  # a card on a tablet of no team
    relaxed = _rules(BallotKind.APPROVAL, block_own_plan=False, option_team={1: 10})
    assert ballots.check_choices(relaxed, [1], team_id=10) == (1,)


def test_the_own_plan_rule_follows_the_tablets_team_in_a_plan_poll(engine, world):
    teacher = world["teacher"]
    run_id = lessons.start_run(engine, actor=teacher, classroom_id=world["class_a"].id,
                               template_id=templates.latest_template(engine).id, lesson_index=1)
    code = lessons.run_state(engine, run_id).join_code
    tokens = {}
    for team, title in (("De Vossen", "Zebrapad"), ("De Uilen", "Speeltuin")):
        token, _team_id = lessons.join_team(engine, run_id=lessons.find_run_by_code(engine, code=code, client="t"),
                                            team_name=team)
        plans.save_answers(engine, token=token, answers={"title": title, "problem": "gevaarlijk", "idea": "maken"})
        seen = plans.team_plan(engine, token=token)
        plans.approve_plan(engine, actor=teacher, plan_id=seen.id, seen_revision=seen.revision)
        tokens[title] = token
    poll_id = polls.create_poll(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, title="Plannen",
                                subject="plans", block_own_plan=True, max_choices=1)
    view = polls.poll_view(engine, actor=world["facilitator"], poll_id=poll_id)
    option = {o.label: o.id for o in view.options}
    assert set(option) == {"Zebrapad", "Speeltuin"} and all(o.plan_team_id for o in view.options)
    cards = _cards(engine, world, poll_id, 2)
    _open(engine, world, poll_id)

    with pytest.raises(InvalidInput) as own:
        ballots.cast_with_card(engine, code=cards[0], choices=[option["Zebrapad"]], device_token=tokens["Zebrapad"])
    assert own.value.key == "vote.own_plan"
    assert _used_cards(engine, world, poll_id) == 0
    ballots.cast_with_card(engine, code=cards[0], choices=[option["Speeltuin"]], device_token=tokens["Zebrapad"])
    ballots.cast_with_card(engine, code=cards[1], choices=[option["Zebrapad"]])  # a tablet of no team
    assert _stored(engine, poll_id) == (2, 2)
    plan_team = {o.label: o.plan_team_id for o in view.options}
    assert ballots.team_of_device(engine, tokens["Zebrapad"]) == plan_team["Zebrapad"] != plan_team["Speeltuin"]


# --- paper -------------------------------------------------------------------------------------------


def test_paper_counts_are_checked_against_the_papers_and_the_class_size(engine, world):
    poll = _poll(engine, world)  # approval, k = 3
    a, b, c, d = poll.option_ids
    class_id = world["class_a"].id

    def enter(papers: int, counts: dict[int, int]) -> None:
        ballots.enter_paper(engine, actor=world["teacher"], poll_id=poll.id, classroom_id=class_id,
                            papers=papers, counts=counts)

    with pytest.raises(NotAllowed) as draft:
        enter(5, {a: 5})
    assert draft.value.key == "paper.poll_not_open"
    _open(engine, world, poll.id)
    refusals = {
        "paper.option_above_papers": (5, {a: 6}),
        "paper.total_too_high": (5, {a: 5, b: 5, c: 5, d: 1}),
        "vote.unknown_option": (5, {a: 1, 999_999: 1}),
        "paper.papers_range": (world["class_a"].pupil_count + 1, {a: 1}),
        "paper.negative": (5, {a: -1}),
    }
    for key, (papers, counts) in refusals.items():
        with pytest.raises(InvalidInput) as refused:
            enter(papers, counts)
        assert refused.value.key == key
    assert ballots.paper_entry(engine, actor=world["teacher"], poll_id=poll.id, classroom_id=class_id) is None

    enter(5, {a: 5, b: 5, c: 5})  # k × papers exactly
    enter(6, {b: 6, d: 2, c: 0})  # a correction replaces the whole entry
    assert ballots.paper_entry(engine, actor=world["teacher"], poll_id=poll.id, classroom_id=class_id) == \
        (6, {b: 6, d: 2})
    turnout = polls.turnout(engine, actor=world["teacher"], poll_id=poll.id)
    assert [(t.electronic, t.papers, t.ballots) for t in turnout] == [(0, 6, 6)]


def test_paper_limits_follow_the_ballot_kind(engine, world):
    poll = _poll(engine, world, ballot_kind="dots", method="dots", dots_total=5, dots_per_option=3)
    a, b = poll.option_ids[:2]
    _open(engine, world, poll.id)
    enter = {"actor": world["facilitator"], "poll_id": poll.id, "classroom_id": world["class_a"].id}
    with pytest.raises(InvalidInput) as dots:
        ballots.enter_paper(engine, papers=2, counts={a: 7}, **enter)  # at most m = 3 dots per paper
    assert dots.value.key == "paper.option_above_papers" and dots.value.params == {"count": 6}
    with pytest.raises(InvalidInput) as total:
        ballots.enter_paper(engine, papers=2, counts={a: 6, b: 5}, **enter)  # at most n = 5 dots per paper
    assert total.value.key == "paper.total_too_high"
    ballots.enter_paper(engine, papers=2, counts={a: 6, b: 4}, **enter)


def test_paper_is_refused_for_a_ranking_poll(engine, world):
    poll = _poll(engine, world, ballot_kind="ranking", method="borda")
    _open(engine, world, poll.id)
    with pytest.raises(InvalidInput) as ranking:
        ballots.enter_paper(engine, actor=world["facilitator"], poll_id=poll.id, classroom_id=world["class_a"].id,
                            papers=3, counts={poll.option_ids[0]: 3})
    assert ranking.value.key == "paper.not_for_ranking"


# --- secrecy: what a dump of the database shows ------------------------------------------------------


def _dump(engine) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table as a dump gives it: (columns, rows in the dump's order).

    SQLite: the `sqlite3` iterdump of the file, replayed into plain tables that keep the order of
    the INSERTs. PostgreSQL: SELECT * of each table without ORDER BY (what pg_dump's COPY reads).
    """
    tables: dict[str, tuple[list[str], list[tuple]]] = {}
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            statements = list(raw.driver_connection.iterdump())
        finally:
            raw.close()
        schema = sqlite3.connect(":memory:")
        mirror = sqlite3.connect(":memory:")
        for statement in statements:
            create = re.match(r'CREATE TABLE "?(\w+)"?', statement)
            if create:
                name = create.group(1)
                schema.execute(statement)
                columns = [row[1] for row in schema.execute(f'PRAGMA table_info("{name}")')]
                quoted = ", ".join(f'"{column}"' for column in columns)
                mirror.execute(f'CREATE TABLE "{name}" ({quoted})')
                tables[name] = (columns, [])
            elif statement.startswith("INSERT INTO"):
                mirror.execute(statement)
        for name, (_columns, rows) in tables.items():
            rows.extend(mirror.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall())
        schema.close()
        mirror.close()
        return tables
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            result = connection.exec_driver_sql(f'SELECT * FROM "{table.name}"')
            tables[table.name] = (list(result.keys()), [tuple(row) for row in result.all()])
    return tables


def _scripted_vote(engine, world, n: int) -> tuple[polls.PollView, list[str], list[tuple[int, ...]], list[str]]:
    """n cards used one after the other, each ballot a different ranking, then the poll closed:
    (poll, codes in order of voting, ballots in order of voting, receipts in order of giving)."""
    poll = _poll(engine, world, themes=("Afval", "Groen", "Speeltuin", "Verkeer", "Water"),
                 ballot_kind="ranking", method="borda")
    ids = poll.option_ids
    patterns = [(x, y, z) for x in ids for y in ids for z in ids if len({x, y, z}) == 3][:n]
    assert len(patterns) == n
    codes = _cards(engine, world, poll.id, n)
    _open(engine, world, poll.id)
    receipts = [ballots.cast_with_card(engine, code=code, choices=list(pattern))
                for code, pattern in zip(codes, patterns, strict=True)]
    polls.close_poll(engine, actor=world["facilitator"], poll_id=poll.id)
    return poll, codes, patterns, receipts


def test_a_dump_holds_no_card_device_or_time_with_a_ballot(engine, world):
    poll, codes, patterns, receipts = _scripted_vote(engine, world, 12)
    dump = _dump(engine)

    ballot_columns, ballot_rows = dump["ballot"]
    assert sorted(ballot_columns) == ["choices", "classroom_id", "id", "poll_id"]
    assert sorted(dump["receipt"][0]) == ["code", "poll_id"]
    assert sorted(dump["votingcard"][0]) == ["classroom_id", "code_hash", "poll_id", "used", "void"]
    assert len(ballot_rows) == 12
    rows = [dict(zip(ballot_columns, row, strict=True)) for row in ballot_rows]
    assert all(re.fullmatch(r"[0-9a-f]{32}", row["id"]) for row in rows)
    assert len({row["id"] for row in rows}) == 12
    stored = sorted(tuple(json.loads(r["choices"]) if isinstance(r["choices"], str) else r["choices"]) for r in rows)
    assert stored == sorted(patterns)
    assert {(row["poll_id"], row["classroom_id"]) for row in rows} == {(poll.id, world["class_a"].id)}
    # The receipts are stored apart, as the codes the children saw, and the card codes not at all.
    shown = sorted(polls.show_code(code) for _poll_id, code in dump["receipt"][1])
    assert shown == sorted(receipts)
    everything = repr(dump)
    assert not any(code.replace("-", "") in everything or code in everything for code in codes)


def test_after_the_close_the_dump_order_of_ballots_and_receipts_is_not_the_order_of_voting(engine, world):
    n = 40
    _poll_view, codes, patterns, receipts = _scripted_vote(engine, world, n)
    dump = _dump(engine)

    columns, rows = dump["ballot"]
    choices = columns.index("choices")
    order_of = {pattern: i for i, pattern in enumerate(patterns)}
    ballot_order = [order_of[tuple(json.loads(r[choices]) if isinstance(r[choices], str) else r[choices])]
                    for r in rows]
    assert sorted(ballot_order) == list(range(n))

    columns, rows = dump["receipt"]
    given_at = {receipt.replace("-", ""): i for i, receipt in enumerate(receipts)}
    receipt_order = [given_at[r[columns.index("code")]] for r in rows]
    assert sorted(receipt_order) == list(range(n))

    columns, rows = dump["votingcard"]
    used_of = {ballots._hash(ballots.normalise_card(code)): i for i, code in enumerate(codes)}
    hash_at, used_at = columns.index("code_hash"), columns.index("used")
    card_order = [used_of[r[hash_at]] for r in rows if r[used_at]]
    assert sorted(card_order) == list(range(n))

    in_order, reversed_order = list(range(n)), list(range(n - 1, -1, -1))
    assert ballot_order not in (in_order, reversed_order)
    assert receipt_order not in (in_order, reversed_order)
    # The cards may keep the order they were used in (a teacher sees that anyway), but the i-th
    # used card must not sit beside the i-th ballot or receipt.
    assert ballot_order != card_order and receipt_order != card_order and ballot_order != receipt_order


def test_postgresql_row_versions_do_not_tie_a_ballot_to_its_card_or_receipt_after_a_planned_close(
        engine, world, monkeypatch):
    """xmin (the writing transaction) is readable by anyone who may SELECT the tables; a card, its
    ballot and its receipt are written in one transaction. A planned close is sealed on the first
    read of the results."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL system columns only")
    poll = _poll(engine, world)
    codes = _cards(engine, world, poll.id, 5)
    closes_at = utcnow() + timedelta(seconds=2)
    _open(engine, world, poll.id, closes_at=closes_at)
    for i, code in enumerate(codes):
        ballots.cast_with_card(engine, code=code, choices=[poll.option_ids[i % 4]])

    def xmins(sql: str) -> set[str]:
        with engine.connect() as connection:
            return {row[0] for row in connection.exec_driver_sql(sql)}

    ballot_sql, receipt_sql = "SELECT xmin::text FROM ballot", "SELECT xmin::text FROM receipt"
    card_sql = "SELECT xmin::text FROM votingcard WHERE used"
    assert len(xmins(ballot_sql)) == 5 and xmins(ballot_sql) == xmins(receipt_sql) == xmins(card_sql)  # while open

    after = closes_at + timedelta(seconds=1)
    monkeypatch.setattr(polls, "utcnow", lambda: after)
    assert results.results(engine, actor=world["facilitator"], poll_id=poll.id).total.ballots == 5
    assert len(xmins(ballot_sql)) == 1 and len(xmins(receipt_sql)) == 1 and len(xmins(card_sql)) == 1
    assert _stored(engine, poll.id) == (5, 5) and _used_cards(engine, world, poll.id) == 5


def test_teachers_of_another_wijk_cannot_issue_cards_or_enter_paper(engine, world):
    poll = _poll(engine, world)
    other = factories.user(engine, world["admin"], Role.TEACHER)
    factories.classroom(engine, world["admin"], world["cycle_b"].id, world["school_b"].id, teacher_ids=[other.user_id])
    other = accounts.session_actor(engine, username=other.username)
    for classroom in (world["class_a"], world["class_b"]):
        with pytest.raises(NotAllowed):
            ballots.issue_cards(engine, actor=other, poll_id=poll.id, classroom_id=classroom.id, count=1,
                                base_url="http://test")
        with pytest.raises(NotAllowed):
            ballots.booth_for(engine, actor=other, poll_id=poll.id, classroom_id=classroom.id)
    _open(engine, world, poll.id)
    with pytest.raises(NotAllowed):
        ballots.enter_paper(engine, actor=other, poll_id=poll.id, classroom_id=world["class_a"].id, papers=1,
                            counts={poll.option_ids[0]: 1})
    with pytest.raises(NotAllowed):
        ballots.card_counts(engine, actor=other, poll_id=poll.id)
