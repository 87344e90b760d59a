"""An answer that is too long says by how much, and nothing of it is cut off silently."""

from __future__ import annotations

import pytest

from kinderwijkraad.errors import InvalidInput
from kinderwijkraad.models import Decision
from kinderwijkraad.services import answers
from tests import proposal_factories as pf


@pytest.fixture
def world(engine):
    return pf.cycle_with_proposal(engine)


def test_a_too_long_name_under_an_entered_answer_is_refused_by_how_much_not_cut(engine, world):
    rid = pf.send(engine, world, "gemeente")
    with pytest.raises(InvalidInput) as long:
        answers.enter_answer(engine, actor=world.facilitator, recipient_id=rid, seen_revision=0,
                             answer=pf.an_answer(), answered_by="W" * 125)
    assert (long.value.key, long.value.params) == ("validation.too_long_by",
                                                   {"field": "answered_by", "max": 120, "count": 5})
    assert pf.recipient(engine, world, "gemeente").decision is None


def test_a_too_long_name_through_a_reply_link_is_refused_by_how_much_not_cut(engine, world):
    pf.send(engine, world, "gemeente")
    token = pf.reply_link(engine, world, "gemeente")
    with pytest.raises(InvalidInput) as long:
        answers.answer_by_link(engine, token=token, seen_revision=0, answer=pf.an_answer(), answered_by="W" * 121)
    assert long.value.params == {"field": "answered_by", "max": 120, "count": 1}
    assert pf.recipient(engine, world, "gemeente").decision is None


def test_too_long_childrens_words_name_the_field_that_is_too_long(engine, world):
    pf.answer(engine, world, "gemeente", Decision.ACCEPTED)
    rid = world.recipients["gemeente"]
    with pytest.raises(InvalidInput) as long:
        answers.set_child_answer(engine, actor=world.facilitator, recipient_id=rid, child_answer="Ja!",
                                 child_next="x" * 503)
    assert (long.value.key, long.value.params) == ("validation.too_long_by",
                                                   {"field": "child_next", "max": 500, "count": 3})
