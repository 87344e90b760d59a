"""Polls (services.polls, services.results): setting up, opening and closing, who may do what, results only after the
close and small groups hidden, paper in the totals, receipts, recount and runoff — on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kinderwijkraad import voting
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.i18n import CATALOGUES
from kinderwijkraad.models import BallotKind, CountMethod, PollStatus, Role
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import accounts, ballots, lessons, plans, polls, results, templates
from tests import factories

THEMES = ("Afval", "Groen", "Speeltuin", "Verkeer")


@pytest.fixture
def world(engine) -> dict:
    return factories.world(engine)


def _themes(engine, world, names=THEMES) -> dict[str, int]:
    return {name: plans.create_theme(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, name=name)
            for name in names}


def _poll(engine, world, themes=THEMES, **settings) -> polls.PollView:
    """A wijk-wide draft poll of wijk A over the given themes (options in name order)."""
    _themes(engine, world, themes)
    poll_id = polls.create_poll(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id,
                                title="Wijkstemming", **settings)
    return polls.poll_view(engine, actor=world["facilitator"], poll_id=poll_id)


def _second_class(engine, world, **extra):
    """Another class of wijk A's cycle, at another school, without the world's teacher."""
    school = factories.school(engine, world["admin"], world["wijk_a"].id)
    return factories.classroom(engine, world["admin"], world["cycle_a"].id, school.id, **extra)


def _vote(engine, world, poll_id: int, classroom, ballot_list: list[list[int]]) -> list[str]:
    """Cast the ballots with fresh cards of the class (the poll must be open); the receipts."""
    sheet = ballots.issue_cards(engine, actor=world["facilitator"], poll_id=poll_id, classroom_id=classroom.id,
                                count=len(ballot_list), base_url="http://test")
    return [ballots.cast_with_card(engine, code=card.code, choices=choices)
            for card, choices in zip(sheet.cards, ballot_list, strict=True)]


def _open(engine, world, poll_id: int, **kwargs) -> None:
    polls.open_poll(engine, actor=world["facilitator"], poll_id=poll_id, **kwargs)


def _close(engine, world, poll_id: int) -> None:
    polls.close_poll(engine, actor=world["facilitator"], poll_id=poll_id)


def _scores(scope: results.ScopeResult) -> dict[str, int]:
    return {row.label: row.total for row in scope.rows}


# --- setting a poll up -------------------------------------------------------------------------------


def test_a_new_poll_is_a_draft_over_every_theme_of_the_cycle(engine, world):
    poll = _poll(engine, world)
    assert poll.status is PollStatus.DRAFT and poll.is_wijk_wide
    assert [o.label for o in poll.options] == list(THEMES)
    assert (poll.ballot_kind, poll.method, poll.max_choices) == (BallotKind.APPROVAL, CountMethod.APPROVAL, 3)
    single = polls.create_poll(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, title="Eén keuze",
                               ballot_kind="single", method="plurality", max_choices=3)
    assert polls.poll_view(engine, actor=world["facilitator"], poll_id=single).max_choices == 1
    polls.delete_draft(engine, actor=world["facilitator"], poll_id=single)  # a draft is not part of the record
    with pytest.raises(NotFound):
        polls.poll_view(engine, actor=world["facilitator"], poll_id=single)


def test_the_counting_method_must_fit_the_ballot_kind(engine, world):
    themes = _themes(engine, world)
    keys = [f"theme:{i}" for i in themes.values()]
    poll_id = polls.create_poll(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, title="Stemming")
    for kind, method in (("single", "borda"), ("approval", "irv"), ("dots", "approval"), ("approval", "dots"),
                         ("single", "approval")):
        with pytest.raises(InvalidInput) as create:
            polls.create_poll(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, title="Stemming",
                              ballot_kind=kind, method=method)
        assert create.value.key == "poll.method_not_for_kind"
        with pytest.raises(InvalidInput) as update:
            polls.update_poll(engine, actor=world["facilitator"], poll_id=poll_id, title="Stemming",
                              option_keys=keys, ballot_kind=kind, method=method)
        assert update.value.key == "poll.method_not_for_kind"
    assert polls.poll_view(engine, actor=world["facilitator"], poll_id=poll_id).method == CountMethod.APPROVAL
    for method in ("borda", "irv", "plurality", "approval"):  # a ranking can be counted every way
        polls.update_poll(engine, actor=world["facilitator"], poll_id=poll_id, title="Stemming", option_keys=keys,
                          ballot_kind="ranking", method=method)


def test_options_change_while_draft_and_never_once_the_poll_is_open(engine, world):
    themes = _themes(engine, world)
    facilitator = world["facilitator"]
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=world["cycle_a"].id, title="Stemming")
    polls.update_poll(engine, actor=facilitator, poll_id=poll_id, title="Stemming",
                      option_keys=[f"theme:{themes['Groen']}", f"theme:{themes['Afval']}"], ballot_kind="ranking",
                      method="irv", max_choices=2)
    view = polls.poll_view(engine, actor=facilitator, poll_id=poll_id)
    assert [o.label for o in view.options] == ["Groen", "Afval"] and view.method == CountMethod.IRV
    with pytest.raises(InvalidInput) as one:
        polls.update_poll(engine, actor=facilitator, poll_id=poll_id, title="Stemming",
                          option_keys=[f"theme:{themes['Groen']}"])
    assert one.value.key == "poll.option_count"
    with pytest.raises(InvalidInput) as unknown:
        polls.update_poll(engine, actor=facilitator, poll_id=poll_id, title="Stemming",
                          option_keys=[f"theme:{themes['Groen']}", "theme:999999"])
    assert unknown.value.key == "poll.unknown_option"

    _open(engine, world, poll_id)
    with pytest.raises(Conflict) as opened:
        polls.update_poll(engine, actor=facilitator, poll_id=poll_id, title="Stemming",
                          option_keys=[f"theme:{i}" for i in themes.values()])
    assert opened.value.key == "poll.already_open"
    with pytest.raises(Conflict) as twice:
        _open(engine, world, poll_id)
    assert twice.value.key == "poll.already_open"
    with pytest.raises(Conflict):
        polls.delete_draft(engine, actor=facilitator, poll_id=poll_id)
    after = polls.poll_view(engine, actor=facilitator, poll_id=poll_id)
    assert after.options == view.options and after.status is PollStatus.OPEN


def test_set_options_changes_only_the_ballot_of_a_draft_by_candidate_key(engine, world):
    themes = _themes(engine, world)
    facilitator = world["facilitator"]
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=world["cycle_a"].id, title="Stemming",
                                question="Wat eerst?", ballot_kind="ranking", method="irv", max_choices=2)
    before = polls.poll_view(engine, actor=facilitator, poll_id=poll_id)
    assert [o.key for o in before.options] == [f"theme:{themes[name]}" for name in THEMES]
    keys = [f"theme:{themes['Verkeer']}", f"theme:{themes['Afval']}"]
    polls.set_options(engine, actor=facilitator, poll_id=poll_id, option_keys=keys)
    after = polls.poll_view(engine, actor=facilitator, poll_id=poll_id)
    assert [o.key for o in after.options] == keys and [o.label for o in after.options] == ["Verkeer", "Afval"]
    settings = ("title", "question", "ballot_kind", "method", "max_choices", "dots_total", "allow_blank")
    assert [getattr(after, name) for name in settings] == [getattr(before, name) for name in settings]
    with pytest.raises(InvalidInput) as one:
        polls.set_options(engine, actor=facilitator, poll_id=poll_id, option_keys=keys[:1])
    assert one.value.key == "poll.option_count"
    with pytest.raises(InvalidInput) as unknown:
        polls.set_options(engine, actor=facilitator, poll_id=poll_id, option_keys=[*keys, "theme:999999"])
    assert unknown.value.key == "poll.unknown_option"
    other = factories.user(engine, world["admin"], Role.FACILITATOR, neighbourhood_ids=[world["wijk_b"].id])
    for outsider in (other, world["teacher"]):  # a teacher votes in a wijk poll but does not set it up
        with pytest.raises(NotAllowed):
            polls.set_options(engine, actor=outsider, poll_id=poll_id, option_keys=keys)
    _open(engine, world, poll_id)
    with pytest.raises(Conflict) as opened:
        polls.set_options(engine, actor=facilitator, poll_id=poll_id, option_keys=keys[::-1])
    assert opened.value.key == "poll.already_open"
    assert polls.poll_view(engine, actor=facilitator, poll_id=poll_id).options == after.options


def test_plans_with_the_same_title_stay_apart_by_key(engine, world):
    teacher = world["teacher"]
    run_id = lessons.start_run(engine, actor=teacher, classroom_id=world["class_a"].id,
                               template_id=templates.latest_template(engine).id, lesson_index=1)
    code = lessons.run_state(engine, run_id).join_code
    for team in ("De Vossen", "De Uilen", "De Mollen"):
        token, _team_id = lessons.join_team(engine, run_id=lessons.find_run_by_code(engine, code=code, client="t"),
                                            team_name=team)
        plans.save_answers(engine, token=token, answers={"title": "Speeltuin", "problem": "saai", "idea": "bouwen"})
        seen = plans.team_plan(engine, token=token)
        plans.approve_plan(engine, actor=teacher, plan_id=seen.id, seen_revision=seen.revision)
    poll_id = polls.create_poll(engine, actor=world["facilitator"], cycle_id=world["cycle_a"].id, title="Plannen",
                                subject="plans")
    candidates = [key for key, _label in polls.option_candidates(engine, actor=world["facilitator"],
                                                                 poll_id=poll_id)]
    polls.set_options(engine, actor=world["facilitator"], poll_id=poll_id, option_keys=candidates[1:])
    view = polls.poll_view(engine, actor=world["facilitator"], poll_id=poll_id)
    assert [o.key for o in view.options] == candidates[1:]
    assert [o.label for o in view.options] == ["Speeltuin", "Speeltuin (2)"]  # the ballot tells them apart


def test_the_view_says_who_may_manage_the_poll(engine, world):
    _themes(engine, world)
    teacher, facilitator = world["teacher"], world["facilitator"]
    wijk_poll = polls.create_poll(engine, actor=facilitator, cycle_id=world["cycle_a"].id, title="Wijkstemming")
    class_poll = polls.create_poll(engine, actor=teacher, classroom_id=world["class_a"].id, title="Klassenstemming")
    for actor, poll_id, manageable in ((facilitator, wijk_poll, True), (teacher, wijk_poll, False),
                                       (teacher, class_poll, True), (facilitator, class_poll, True),
                                       (world["admin"], wijk_poll, True)):
        assert polls.poll_view(engine, actor=actor, poll_id=poll_id).manageable is manageable, (actor.role, poll_id)
        summary = {s.id: s for s in polls.list_polls(engine, actor=actor)}[poll_id]
        assert summary.manageable is manageable


def test_open_and_close_follow_the_servers_clock(engine, world, monkeypatch):
    poll = _poll(engine, world)
    facilitator = world["facilitator"]
    with pytest.raises(Conflict) as draft:
        _close(engine, world, poll.id)
    assert draft.value.key == "poll.not_open"
    with pytest.raises(InvalidInput) as past:
        _open(engine, world, poll.id, closes_at=utcnow() - timedelta(seconds=1))
    assert past.value.key == "poll.close_in_past"
    closes_at = utcnow() + timedelta(seconds=2)
    _open(engine, world, poll.id, closes_at=closes_at)
    assert polls.poll_view(engine, actor=facilitator, poll_id=poll.id).status is PollStatus.OPEN
    assert {s.id: s.status for s in polls.list_polls(engine, actor=facilitator)}[poll.id] is PollStatus.OPEN
    monkeypatch.setattr(polls, "utcnow", lambda: closes_at + timedelta(seconds=1))
    assert polls.poll_view(engine, actor=facilitator, poll_id=poll.id).status is PollStatus.CLOSED
    with pytest.raises(Conflict) as closed:
        _close(engine, world, poll.id)  # it closed by itself
    assert closed.value.key == "poll.not_open"
    assert results.results(engine, actor=facilitator, poll_id=poll.id).total.ballots == 0


def test_a_polls_status_keeps_the_words_the_screens_translate():
    # Computed, never stored: the values are the keys of the "poll_status.*" texts.
    assert [status.value for status in PollStatus] == ["draft", "open", "closed"]
    for language in CATALOGUES.values():
        assert all(f"poll_status.{status}" in language for status in PollStatus)


# --- who may do what ---------------------------------------------------------------------------------


def _teacher_of(engine, world, classroom_cycle: str, classroom_school: str):
    teacher = factories.user(engine, world["admin"], Role.TEACHER)
    classroom = factories.classroom(engine, world["admin"], world[classroom_cycle].id, world[classroom_school].id,
                                    teacher_ids=[teacher.user_id])
    return accounts.session_actor(engine, username=teacher.username), classroom


def test_a_teacher_of_another_wijk_sees_no_turnout_and_issues_no_cards(engine, world):
    poll = _poll(engine, world)
    other, _their_class = _teacher_of(engine, world, "cycle_b", "school_b")
    _open(engine, world, poll.id)
    for action in (polls.turnout, polls.poll_view, ballots.card_counts):
        with pytest.raises(NotAllowed):
            action(engine, actor=other, poll_id=poll.id)
    with pytest.raises(NotAllowed):
        ballots.issue_cards(engine, actor=other, poll_id=poll.id, classroom_id=world["class_a"].id, count=1,
                            base_url="http://test")
    assert poll.id not in {p.id for p in polls.list_polls(engine, actor=other)}


def test_the_facilitator_of_another_wijk_cannot_manage_or_see_a_poll(engine, world):
    poll = _poll(engine, world)
    other = factories.user(engine, world["admin"], Role.FACILITATOR, neighbourhood_ids=[world["wijk_b"].id])
    keys = [f"theme:{o.id}" for o in poll.options]
    with pytest.raises(NotAllowed):
        polls.create_poll(engine, actor=other, cycle_id=world["cycle_a"].id, title="Overname")
    with pytest.raises(NotAllowed):
        polls.update_poll(engine, actor=other, poll_id=poll.id, title="Overname", option_keys=keys)
    with pytest.raises(NotAllowed):
        polls.open_poll(engine, actor=other, poll_id=poll.id)
    _open(engine, world, poll.id)
    for action in (polls.close_poll, polls.turnout, polls.poll_view, results.start_runoff):
        with pytest.raises(NotAllowed):
            action(engine, actor=other, poll_id=poll.id)
    _close(engine, world, poll.id)
    for action in (results.results, polls.receipt_codes):
        with pytest.raises(NotAllowed):
            action(engine, actor=other, poll_id=poll.id)
    assert poll.id not in {p.id for p in polls.list_polls(engine, actor=other)}


def test_a_teacher_runs_the_vote_in_their_class_but_does_not_open_or_close_a_wijk_poll(engine, world):
    poll = _poll(engine, world)
    teacher, class_a = world["teacher"], world["class_a"]
    other_class = _second_class(engine, world)
    a = poll.option_ids[0]
    with pytest.raises(NotAllowed):
        polls.open_poll(engine, actor=teacher, poll_id=poll.id)
    with pytest.raises(NotAllowed):
        polls.update_poll(engine, actor=teacher, poll_id=poll.id, title="Anders",
                          option_keys=[f"theme:{o.id}" for o in poll.options])
    _open(engine, world, poll.id)
    sheet = ballots.issue_cards(engine, actor=teacher, poll_id=poll.id, classroom_id=class_a.id, count=2,
                                base_url="http://test")
    ballots.cast_with_card(engine, code=sheet.cards[0].code, choices=[a])
    ballots.enter_paper(engine, actor=teacher, poll_id=poll.id, classroom_id=class_a.id, papers=3, counts={a: 2})
    with pytest.raises(NotAllowed):
        ballots.issue_cards(engine, actor=teacher, poll_id=poll.id, classroom_id=other_class.id, count=1,
                            base_url="http://test")
    with pytest.raises(NotAllowed):
        ballots.enter_paper(engine, actor=teacher, poll_id=poll.id, classroom_id=other_class.id, papers=1,
                            counts={a: 1})
    # Turnout: only the teacher's own class; the facilitator sees both.
    assert [(t.classroom_id, t.electronic, t.papers) for t in polls.turnout(engine, actor=teacher, poll_id=poll.id)] \
        == [(class_a.id, 1, 3)]
    assert {t.classroom_id for t in polls.turnout(engine, actor=world["facilitator"], poll_id=poll.id)} == \
        {class_a.id, other_class.id}
    with pytest.raises(NotAllowed):
        polls.close_poll(engine, actor=teacher, poll_id=poll.id)
    _close(engine, world, poll.id)
    seen = results.results(engine, actor=teacher, poll_id=poll.id)
    assert [c.ballots for c in seen.classes] == [4] and seen.total.ballots == 4


def test_a_teacher_runs_a_class_poll_of_their_own_class(engine, world):
    _themes(engine, world)
    teacher = world["teacher"]
    poll_id = polls.create_poll(engine, actor=teacher, classroom_id=world["class_a"].id, title="Klassenstemming",
                                ballot_kind="single", method="plurality")
    with pytest.raises(NotAllowed):
        polls.create_poll(engine, actor=teacher, classroom_id=world["class_b"].id, title="Niet van mij")
    with pytest.raises(NotAllowed):
        polls.create_poll(engine, actor=teacher, cycle_id=world["cycle_a"].id, title="Wijkbreed")
    polls.open_poll(engine, actor=teacher, poll_id=poll_id)
    view = polls.poll_view(engine, actor=teacher, poll_id=poll_id)
    assert not view.is_wijk_wide and view.status is PollStatus.OPEN
    polls.close_poll(engine, actor=teacher, poll_id=poll_id)
    assert results.results(engine, actor=teacher, poll_id=poll_id).schools == ()


# --- results -----------------------------------------------------------------------------------------


def test_nothing_but_turnout_is_shown_while_a_poll_is_open(engine, world):
    poll = _poll(engine, world, ballot_kind="ranking", method="borda")
    a, b, c, _d = poll.option_ids
    _open(engine, world, poll.id)
    receipts = _vote(engine, world, poll.id, world["class_a"], [[a, b], [b, c, a]])
    facilitator = world["facilitator"]
    for action in (results.results, polls.receipt_codes, results.method_comparison):
        with pytest.raises(NotAllowed) as hidden:
            action(engine, actor=facilitator, poll_id=poll.id)
        assert hidden.value.key == "poll.results_after_close"
    with pytest.raises(NotAllowed) as recount:
        results.recount(engine, poll_id=poll.id)
    assert recount.value.key == "poll.results_after_close"
    with pytest.raises(NotAllowed) as runoff:
        results.start_runoff(engine, actor=facilitator, poll_id=poll.id)
    assert runoff.value.key == "poll.results_after_close"
    assert all(polls.check_receipt(engine, code=r) is None for r in receipts)
    assert [t.electronic for t in polls.turnout(engine, actor=facilitator, poll_id=poll.id)] == [2]

    _close(engine, world, poll.id)
    view, compared = results.method_comparison(engine, actor=facilitator, poll_id=poll.id)
    assert view.id == poll.id
    assert set(compared) >= {voting.Method.plurality, voting.Method.approval, voting.Method.borda, voting.Method.irv}
    assert all(result.ballots == 2 for result in compared.values())


def test_a_class_with_fewer_than_five_ballots_is_hidden_but_counted_in_the_total(engine, world):
    poll = _poll(engine, world)
    a, b, c, d = poll.option_ids
    small = _second_class(engine, world)
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a, b]] * 3 + [[a]] * 2 + [[c]])
    _vote(engine, world, poll.id, small, [[d]] * 4)
    _close(engine, world, poll.id)

    result = results.results(engine, actor=world["facilitator"], poll_id=poll.id)
    by_id = {t.classroom_id: t for t in result.turnout}
    classes = dict(zip(by_id, result.classes, strict=True))
    big, hidden = classes[world["class_a"].id], classes[small.id]
    assert (hidden.shown, hidden.ballots, hidden.rows, hidden.result) == (False, 4, (), None)
    assert not hidden.hidden_by_difference
    # The total minus the big class (or its school) would be the small class's four ballots.
    assert (big.shown, big.ballots, big.rows, big.hidden_by_difference) == (False, 6, (), True)
    assert [(s.shown, s.ballots) for s in result.schools] == [(False, 6), (False, 4)]
    assert result.total.shown and result.total.ballots == 10
    assert _scores(result.total) == {"Afval": 5, "Verkeer": 4, "Groen": 3, "Speeltuin": 1}
    assert [(row.label, row.place, row.top) for row in result.total.rows] == [
        ("Afval", 1, True), ("Verkeer", 2, True), ("Groen", 3, True), ("Speeltuin", 4, False)]
    assert result.tied_for_top == () and result.receipts == 10
    assert [(t.electronic, t.papers) for t in result.turnout] == [(6, 0), (4, 0)]


def test_a_small_class_is_folded_into_its_school_and_the_others_still_show(engine, world):
    poll = _poll(engine, world)
    a, b, c, d = poll.option_ids
    small = _second_class(engine, world)
    beside = factories.classroom(engine, world["admin"], world["cycle_a"].id, small.school_id)
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a, b]] * 3 + [[a]] * 2 + [[c]])
    _vote(engine, world, poll.id, small, [[d]] * 4)
    _vote(engine, world, poll.id, beside, [[b]] * 5)
    _close(engine, world, poll.id)

    result = results.results(engine, actor=world["facilitator"], poll_id=poll.id)
    classes = {t.classroom_id: scope for t, scope in zip(result.turnout, result.classes, strict=True)}
    assert classes[world["class_a"].id].shown and _scores(classes[world["class_a"].id])["Afval"] == 5
    # The small class's school shows (4 + 5 ballots); its other class would give the small one away.
    assert [(s.shown, s.ballots) for s in result.schools] == [(True, 6), (True, 9)]
    assert (classes[beside.id].shown, classes[beside.id].hidden_by_difference) == (False, True)
    assert (classes[small.id].shown, classes[small.id].hidden_by_difference) == (False, False)
    assert result.shown_classes == {world["class_a"].id}


def test_paper_tallies_add_to_the_total_of_an_approval_poll(engine, world):
    poll = _poll(engine, world)
    a, b, c, d = poll.option_ids
    paper_class = _second_class(engine, world)
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a, b], [a], [b, c], [a, d], [c]])
    ballots.enter_paper(engine, actor=world["facilitator"], poll_id=poll.id, classroom_id=paper_class.id,
                        papers=4, counts={b: 4, d: 4, c: 1})
    ballots.enter_paper(engine, actor=world["facilitator"], poll_id=poll.id, classroom_id=paper_class.id,
                        papers=8, counts={b: 8, d: 3})  # corrected: replaces the first entry
    _close(engine, world, poll.id)

    result = results.results(engine, actor=world["facilitator"], poll_id=poll.id)
    rows = {row.label: (row.electronic, row.paper, row.total) for row in result.total.rows}
    assert rows == {"Afval": (3, 0, 3), "Groen": (2, 8, 10), "Speeltuin": (2, 0, 2), "Verkeer": (1, 3, 4)}
    assert result.total.ballots == 13 and result.receipts == 5
    paper = next(c for c in result.classes if c.ballots == 8)
    assert paper.shown and _scores(paper) == {"Groen": 8, "Verkeer": 3, "Afval": 0, "Speeltuin": 0}
    assert [(t.electronic, t.papers) for t in result.turnout] == [(5, 0), (0, 8)]

    recount = results.recount(engine, poll_id=poll.id)
    assert recount["scores"] == {label: total for label, (_e, _p, total) in rows.items()}
    assert recount["ballots"] == 13


def test_paper_enters_a_single_choice_poll_as_first_choices(engine, world):
    poll = _poll(engine, world, ballot_kind="single", method="plurality")
    a, b = poll.option_ids[:2]
    _open(engine, world, poll.id)
    with pytest.raises(InvalidInput) as too_many:
        ballots.enter_paper(engine, actor=world["facilitator"], poll_id=poll.id, classroom_id=world["class_a"].id,
                            papers=5, counts={a: 3, b: 3})
    assert too_many.value.key == "paper.total_too_high"
    ballots.enter_paper(engine, actor=world["facilitator"], poll_id=poll.id, classroom_id=world["class_a"].id,
                        papers=5, counts={a: 3, b: 2})
    _close(engine, world, poll.id)
    assert _scores(results.results(engine, actor=world["facilitator"], poll_id=poll.id).total)["Afval"] == 3


RECOUNTED = (
    ("approval", "approval", [[0, 1], [0], [2, 3], [1, 0, 2], [3], []]),
    ("ranking", "borda", [[0, 1, 2], [1, 0], [2], [3, 0, 1], [0]]),
    ("ranking", "irv", [[0, 1], [1, 2], [2, 1], [3, 2], [2], [1, 0, 3]]),
    ("dots", "dots", [[0, 0, 1], [2, 2, 2, 3, 3], [1], [0, 3]]),
)


def test_the_recount_gives_what_the_results_show(engine, world):
    _themes(engine, world)
    facilitator = world["facilitator"]
    for kind, method, ballot_list in RECOUNTED:
        poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=world["cycle_a"].id, title=f"Telling {method}",
                                    ballot_kind=kind, method=method, allow_blank=True)
        poll = polls.poll_view(engine, actor=facilitator, poll_id=poll_id)
        ids = poll.option_ids
        _open(engine, world, poll_id)
        _vote(engine, world, poll_id, world["class_a"], [[ids[i] for i in b] for b in ballot_list])
        _close(engine, world, poll_id)

        shown = results.results(engine, actor=facilitator, poll_id=poll_id).total
        recount = results.recount(engine, poll_id=poll_id)
        assert recount["poll"] == f"Telling {method}" and recount["method"] == method
        assert recount["ballots"] == shown.ballots == len(ballot_list)
        assert recount["scores"] == {o.label: shown.result.scores[str(o.id)] for o in poll.options}
        if method == "irv":  # the screen shows each option's count in the last round it took part in
            assert _scores(shown) == {o: n for standing in recount["rounds"] for o, n in standing.items()}
        else:
            assert _scores(shown) == recount["scores"]
        assert recount["ranking"] == [row.label for row in shown.rows]
        assert recount["winners"] == [row.label for row in shown.rows if row.place == 1]
        assert ("rounds" in recount) == (method == "irv")
    with pytest.raises(NotFound):
        results.recount(engine, poll_id=999_999)


# --- receipts ----------------------------------------------------------------------------------------


def test_the_receipt_list_after_the_close_is_exactly_the_receipts_given_sorted(engine, world):
    poll = _poll(engine, world)
    a, b = poll.option_ids[:2]
    _open(engine, world, poll.id)
    given = _vote(engine, world, poll.id, world["class_a"], [[a], [b], [a, b], [b], [a], [a], [b]])
    booth = ballots.booth_for(engine, actor=world["teacher"], poll_id=poll.id, classroom_id=world["class_a"].id)
    token = ballots.pair_booth(engine, code=booth.pair_code, client="booth")
    ballots.set_booth(engine, actor=world["teacher"], booth_id=booth.id, unlocked=True)
    given.append(ballots.cast_in_booth(engine, token=token, choices=[a]))
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code) for code in given)
    assert polls.check_receipt(engine, code=given[0]) is None  # nothing while open
    _close(engine, world, poll.id)

    listed = polls.receipt_codes(engine, actor=world["teacher"], poll_id=poll.id)
    assert listed == sorted(given) and len(set(listed)) == 8
    assert polls.check_receipt(engine, code=given[3].lower().replace("-", " ")) == "Wijkstemming"
    assert polls.check_receipt(engine, code="2222-2222") is None


# --- runoff ------------------------------------------------------------------------------------------


def test_a_tie_for_first_place_can_go_to_a_runoff_between_exactly_the_tied_options(engine, world):
    poll = _poll(engine, world)
    a, b, c, _d = poll.option_ids
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a, b], [b, c], [a], [b, a], [a, c], [b]])  # a 4, b 4, c 2
    _close(engine, world, poll.id)
    result = results.results(engine, actor=world["facilitator"], poll_id=poll.id)
    assert result.tied_for_top == ("Afval", "Groen")
    assert [(row.label, row.place) for row in result.total.rows][:2] == [("Afval", 1), ("Groen", 1)]

    runoff_id = results.start_runoff(engine, actor=world["facilitator"], poll_id=poll.id)
    runoff = polls.poll_view(engine, actor=world["facilitator"], poll_id=runoff_id)
    assert runoff.status is PollStatus.DRAFT and runoff.runoff_of == poll.id and runoff.is_wijk_wide
    assert (runoff.ballot_kind, runoff.method, runoff.max_choices) == (BallotKind.SINGLE, CountMethod.PLURALITY, 1)
    assert [o.label for o in runoff.options] == ["Afval", "Groen"]
    assert not {o.id for o in runoff.options} & set(poll.option_ids)


def test_a_tie_across_the_top_three_boundary_also_goes_to_a_runoff(engine, world):
    poll = _poll(engine, world)
    a, b, c, d = poll.option_ids
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a, b, c], [a, b, d], [a]])  # a 3, b 2, c 1, d 1
    _close(engine, world, poll.id)
    runoff_id = results.start_runoff(engine, actor=world["facilitator"], poll_id=poll.id)
    assert [o.label for o in polls.poll_view(engine, actor=world["facilitator"], poll_id=runoff_id).options] == \
        ["Speeltuin", "Verkeer"]


def test_without_a_tie_there_is_no_runoff(engine, world):
    poll = _poll(engine, world)
    a, b, c, _d = poll.option_ids
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a, b, c], [a, b], [a]])  # a 3, b 2, c 1, d 0
    _close(engine, world, poll.id)
    assert results.results(engine, actor=world["facilitator"], poll_id=poll.id).tied_for_top == ()
    with pytest.raises(InvalidInput) as no_tie:
        results.start_runoff(engine, actor=world["facilitator"], poll_id=poll.id)
    assert no_tie.value.key == "poll.no_tie"
    with pytest.raises(NotAllowed):
        results.start_runoff(engine, actor=world["teacher"], poll_id=poll.id)


def test_nothing_the_service_publishes_gives_a_small_class_away(engine, world):
    """The issue's wijk: 7A voted by card (4 ballots), 7B on paper (20), one school. Every scope the
    service shows, read back from its CSV (whether it has the tablet and paper columns) and from the
    notice-board PDF's text, goes to the adversary of tests/test_disclosure.py: it finds nothing,
    where the old tables' card column was exactly 7A's result."""
    import csv
    import io

    from pypdf import PdfReader

    from kinderwijkraad.exports.tables import render_results_csv
    from kinderwijkraad.exports.voting import render_results_pdf
    from kinderwijkraad.voting.disclosure import ELECTRONIC, PAPER, ClassBallots
    from tests.test_disclosure import leaks

    poll = _poll(engine, world)
    a, b, c, d = poll.option_ids
    paper_class = factories.classroom(engine, world["admin"], world["cycle_a"].id, world["class_a"].school_id)
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a], [a, b], [c], [d]])
    ballots.enter_paper(engine, actor=world["facilitator"], poll_id=poll.id, classroom_id=paper_class.id,
                        papers=20, counts={a: 12, b: 9, c: 4, d: 2})
    _close(engine, world, poll.id)

    outcome = results.results(engine, actor=world["facilitator"], poll_id=poll.id)
    members = {outcome.total.label: [world["class_a"].id, paper_class.id]}
    members |= {school.label: [world["class_a"].id, paper_class.id] for school in outcome.schools}
    members |= {scope.label: [turnout.classroom_id]
                for scope, turnout in zip(outcome.classes, outcome.turnout, strict=True)}
    published = []
    for scope in (outcome.total, *outcome.schools, *outcome.classes):
        if not scope.shown:
            continue
        report = results.results_report(outcome, scope, closed_at_text="1 december")
        header = next(csv.reader(io.StringIO(render_results_csv(report).decode("utf-8-sig"))))
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_results_pdf(report))).pages)
        cells = {(class_id, way) for class_id in members[scope.label] for way in (ELECTRONIC, PAPER)}
        published.append(cells)
        split = "kaarten en stemhokje" in header
        assert split == ("Kaarten en stemhokje" in text) == scope.split
        if split:
            published += [{cell for cell in cells if cell[1] == way} for way in (ELECTRONIC, PAPER)]
    assert not outcome.total.split and [s.shown for s in outcome.classes] == [False, False]
    wijk = [ClassBallots(world["class_a"].id, 0, 4, 0), ClassBallots(paper_class.id, 0, 0, 20)]
    assert leaks(wijk, published) == []


def test_this_school_years_polls_come_first_even_when_last_years_was_made_later(engine, world):
    this_year = _poll(engine, world)
    last_cycle = factories.cycle(engine, world["admin"], world["wijk_a"].id, school_year="2025-2026")
    for name in ("Afval", "Groen"):
        plans.create_theme(engine, actor=world["facilitator"], cycle_id=last_cycle.id, name=name)
    last_year = polls.create_poll(engine, actor=world["facilitator"], cycle_id=last_cycle.id, title="Vorig jaar")
    listed = polls.list_polls(engine, actor=world["facilitator"])
    assert [p.id for p in listed][:2] == [this_year.id, last_year]
    assert [p.school_year for p in listed][:2] == [world["cycle_a"].school_year, "2025-2026"]


def test_a_class_archived_after_the_vote_is_still_kept_secret(engine, world):
    """Its ballots stay in the total; leaving it out of the decision would let the total minus the
    classes shown give it away."""
    from kinderwijkraad.services import neighbourhoods

    poll = _poll(engine, world)
    a, b, c, d = poll.option_ids
    small = _second_class(engine, world)
    beside = factories.classroom(engine, world["admin"], world["cycle_a"].id, small.school_id)
    _open(engine, world, poll.id)
    _vote(engine, world, poll.id, world["class_a"], [[a]] * 6)
    _vote(engine, world, poll.id, small, [[d]] * 3)
    _vote(engine, world, poll.id, beside, [[b]] * 6)
    _close(engine, world, poll.id)
    neighbourhoods.archive_classroom(engine, actor=world["admin"], classroom_id=small.id)

    result = results.results(engine, actor=world["facilitator"], poll_id=poll.id)
    assert result.total.ballots == 15
    assert [(s.ballots, s.shown) for s in result.schools] == [(6, True), (9, True)]  # the archived 3 included
    by_id = {t.classroom_id: scope for t, scope in zip(result.turnout, result.classes, strict=True)}
    # Its school minus the class beside it would be the archived class's 3 ballots.
    assert by_id[world["class_a"].id].shown and not by_id[beside.id].shown
    assert by_id[beside.id].hidden_by_difference
