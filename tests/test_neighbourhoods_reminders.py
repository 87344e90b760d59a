"""A wijk's reminders to partners that have not answered (neighbourhoods.set_reminders), on SQLite
and PostgreSQL: who may set them, the bounds with their Dutch reason, the audit entry, and the
reminder plan the Voorstellen page reads from them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kinderwijkraad.db import read_session
from kinderwijkraad.errors import InvalidInput, NotAllowed, NotFound
from kinderwijkraad.i18n import t
from kinderwijkraad.models import AuditEntry, Neighbourhood, Role
from kinderwijkraad.services import mail, neighbourhoods
from kinderwijkraad.ui.errors import error_text
from tests import factories
from tests import proposal_factories as pf


def _stored(engine, neighbourhood_id: int) -> tuple[int, int]:
    with read_session(engine) as session:
        wijk = session.get(Neighbourhood, neighbourhood_id)
        return wijk.reminder_days_before, wijk.reminders_after


def test_a_facilitator_sets_the_reminders_of_their_wijk_and_it_is_logged(engine):
    world = factories.world(engine)
    wijk_id = world["wijk_a"].id
    assert _stored(engine, wijk_id) == (7, 2)  # the defaults of migration 0009
    neighbourhoods.set_reminders(engine, actor=world["facilitator"], neighbourhood_id=wijk_id, days_before=14,
                                 after=0)
    assert _stored(engine, wijk_id) == (14, 0)
    with read_session(engine) as session:
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "neighbourhood.reminders")).all()
    assert (entry.subject, entry.subject_id, entry.user_id) == ("neighbourhood", wijk_id, world["facilitator"].user_id)
    assert entry.detail == {"reminder_days_before": 14, "reminders_after": 0, "previous": [7, 2]}


def test_the_bounds_are_kept_and_the_refusal_says_so_in_dutch(engine):
    world = factories.world(engine)
    wijk_id = world["wijk_a"].id
    neighbourhoods.set_reminders(engine, actor=world["admin"], neighbourhood_id=wijk_id, days_before=60, after=10)
    for days_before, after, field, high in ((61, 2, "reminder_days_before", 60), (7, 11, "reminders_after", 10),
                                            (-1, 2, "reminder_days_before", 60)):
        with pytest.raises(InvalidInput) as refused:
            neighbourhoods.set_reminders(engine, actor=world["admin"], neighbourhood_id=wijk_id,
                                         days_before=days_before, after=after)
        assert refused.value.key == "validation.out_of_range"
        assert error_text(refused.value) == t("validation.out_of_range", field=t(f"field.{field}"), low=0, high=high)
    assert _stored(engine, wijk_id) == (60, 10)
    with read_session(engine) as session:
        logged = session.exec(select(AuditEntry).where(AuditEntry.action == "neighbourhood.reminders")).all()
    assert len(logged) == 1  # a refusal changes nothing and logs nothing


@pytest.mark.parametrize("who", ["other_facilitator", "teacher"])
def test_only_the_wijks_own_staff_set_its_reminders(engine, who):
    world = factories.world(engine)
    actor = (factories.user(engine, world["admin"], Role.FACILITATOR, neighbourhood_ids=[world["wijk_b"].id])
             if who == "other_facilitator" else world["teacher"])
    with pytest.raises(NotAllowed):
        neighbourhoods.set_reminders(engine, actor=actor, neighbourhood_id=world["wijk_a"].id, days_before=3, after=1)
    assert _stored(engine, world["wijk_a"].id) == (7, 2)


def test_an_archived_or_missing_wijk_is_not_found(engine):
    world = factories.world(engine)
    neighbourhoods.archive_neighbourhood(engine, actor=world["admin"], neighbourhood_id=world["wijk_b"].id)
    for wijk_id in (world["wijk_b"].id, 9999):
        with pytest.raises(NotFound):
            neighbourhoods.set_reminders(engine, actor=world["admin"], neighbourhood_id=wijk_id, days_before=3, after=1)


def test_the_reminder_plan_of_a_recipient_follows_its_wijk_and_its_pause(engine):
    world = pf.cycle_with_proposal(engine)
    rid = world.recipients["gemeente"]
    plan = mail.reminder_plan(engine, actor=world.facilitator, recipient_id=rid)
    assert (plan.days_before, plan.after, plan.paused) == (7, 2, False)
    assert plan.reply_by is not None  # a concept: the date sending it today would give
    neighbourhoods.set_reminders(engine, actor=world.facilitator, neighbourhood_id=world.wijk.id, days_before=0,
                                 after=4)
    mail.set_reminders_paused(engine, actor=world.facilitator, recipient_id=rid, paused=True)
    plan = mail.reminder_plan(engine, actor=world.facilitator, recipient_id=rid)
    assert (plan.days_before, plan.after, plan.paused) == (0, 4, True)

