"""A tablet's display mode (services.display): kept per tablet token, one upsert the database
decides, nothing stored for a token that is not a tablet's, gone with the token at retention — on
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from kinderwijkraad import db
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.models import Cycle, Device, DisplayPreference, Phase
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import ballots, display, lessons, neighbourhoods, plans, polls, retention, templates
from kinderwijkraad.services.display import Display
from tests import factories

LESSON_2 = 1


@pytest.fixture
def world(engine) -> dict:
    return factories.world(engine)


def _tablet(engine, world, team: str = "De Vossen", classroom: str = "class_a") -> str:
    """A team tablet that joined Les 2 in the class (started by the admin, who may everywhere): its token."""
    run_id = lessons.start_run(engine, actor=world["admin"], classroom_id=world[classroom].id,
                               template_id=templates.latest_template(engine).id, lesson_index=LESSON_2)
    token, _team_id = lessons.join_team(engine, run_id=run_id, team_name=team)
    return token


def _booth(engine, world) -> str:
    """A paired booth tablet of class A: its token."""
    facilitator = world["facilitator"]
    for name in ("Speeltuin", "Verkeer"):
        plans.create_theme(engine, actor=facilitator, cycle_id=world["cycle_a"].id, name=name)
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=world["cycle_a"].id, title="Wijkstemming")
    booth = ballots.booth_for(engine, actor=facilitator, poll_id=poll_id, classroom_id=world["class_a"].id)
    return ballots.pair_booth(engine, code=booth.pair_code, client="booth")


def _rows(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(DisplayPreference)).one()


def test_a_tablet_starts_normal_and_keeps_each_switch_by_its_token(engine, world):
    token = _tablet(engine, world)
    other = _tablet(engine, world, "De Egels", classroom="class_b")
    assert display.display_preference(engine, token) is None  # nothing chosen yet: the page's default

    assert display.set_display_preference(engine, token=token, large_text=True) == Display(True, False)
    assert display.set_display_preference(engine, token=token, high_contrast=True) == Display(True, True)
    assert display.set_display_preference(engine, token=token, large_text=False) == Display(False, True)
    assert display.display_preference(engine, token) == Display(False, True)
    assert display.display_preference(engine, other) is None  # another tablet is not touched
    with read_session(engine) as session:
        row = session.exec(select(DisplayPreference)).one()
        assert row.token_hash == session.exec(select(Device.token_hash).where(
            Device.token_hash == row.token_hash)).one()  # the device's own hash: no token in the clear
        assert token not in row.token_hash


def test_a_booth_tablet_keeps_its_mode_by_its_booth_token(engine, world):
    token = _booth(engine, world)
    assert display.set_display_preference(engine, token=token, large_text=True, high_contrast=True) \
        == Display(True, True)
    assert display.display_preference(engine, token) == Display(True, True)


@pytest.mark.parametrize("token", [None, "", "not-a-tablet", "x" * 5000, "\0\ud800", "😀" * 10])
def test_a_token_that_is_not_a_tablets_stores_nothing_and_raises_nothing(engine, world, token):
    assert display.set_display_preference(engine, token=token, large_text=True) is None
    assert display.display_preference(engine, token) is None
    assert _rows(engine) == 0


def test_two_taps_at_once_on_two_engines_both_land_and_the_database_decides(engine, world):
    """Ten tablets' taps at once (say two tabs of one tablet), through two engines (two server
    processes): each upsert lands; the last one written wins per column, never an error or a
    second row."""
    token = _tablet(engine, world)
    second = db.make_engine(engine.url.render_as_string(hide_password=False))
    barrier = threading.Barrier(10)
    outcomes: list[object] = [None] * 10

    def tap(i: int) -> None:
        barrier.wait()
        try:
            chosen = (engine, second)[i % 2]
            field = "large_text" if i % 2 else "high_contrast"
            outcomes[i] = display.set_display_preference(chosen, token=token, **{field: True})
        except Exception as error:  # noqa: BLE001 - collected and checked below
            outcomes[i] = error

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    second.dispose()
    assert all(isinstance(outcome, Display) for outcome in outcomes), outcomes
    assert display.display_preference(engine, token) == Display(True, True)
    assert _rows(engine) == 1


def test_the_mode_goes_with_the_tablets_token_at_retention(engine, world):
    """A cleaned cycle's tablets lose their mode with their tokens; a booth paired anew leaves its
    old mode behind, removed by the next retention run even when no cycle is due; a tablet of an
    open cycle keeps its mode."""
    old = _tablet(engine, world, classroom="class_a")
    kept = _tablet(engine, world, classroom="class_b")
    booth_token = _booth(engine, world)
    for token in (old, kept, booth_token):
        display.set_display_preference(engine, token=token, large_text=True)

    facilitator = world["facilitator"]
    booth = ballots.booth_screen(engine, booth_token)
    ballots.repair_booth(engine, actor=facilitator, booth_id=booth.booth_id)  # the old token is gone
    assert retention.apply_retention(engine, by_label="cron").cycles == ()  # nothing due: orphans go all the same
    assert display.display_preference(engine, booth_token) is None
    assert display.display_preference(engine, old) == Display(True, False)

    cycle_id = world["cycle_a"].id
    with read_session(engine) as session:
        phase = Phase(session.get(Cycle, cycle_id).phase)
    while phase != Phase.CLOSED:
        phase = neighbourhoods.advance_cycle_phase(engine, actor=world["admin"], cycle_id=cycle_id, from_phase=phase)
    with write_session(engine) as session:
        session.execute(update(Cycle).where(Cycle.id == cycle_id)
                        .values(phase_changed_at=utcnow() - timedelta(days=400)))
    assert [c.cycle_id for c in retention.apply_retention(engine, by_label="cron").cycles] == [cycle_id]
    assert display.display_preference(engine, old) is None
    assert display.display_preference(engine, kept) == Display(True, False)
    assert _rows(engine) == 1
