"""Factories for the council tests: sign-ups (as the tablet would leave them) and a cycle whose
wijk vote on themes is closed."""

from __future__ import annotations

from sqlalchemy import Engine

from kinderwijkraad.db import write_session
from kinderwijkraad.models import Candidate
from kinderwijkraad.services import ballots, plans, polls
from tests import factories


def candidate(engine: Engine, classroom_id: int, first_name: str) -> int:
    """A child signed up in a class (the tablet's sign-up step is tested in test_candidates)."""
    with write_session(engine) as session:
        row = Candidate(classroom_id=classroom_id, first_name=first_name)
        session.add(row)
        session.flush()
        return row.id


THEMES = ("Afval", "Bankjes", "Groen", "Speeltuin", "Verkeer")
# Approval ballots: Groen 4, Speeltuin 3, Verkeer 2, Afval 1, Bankjes 0 -> the top-3 is G, S, V.
BALLOTS = (("Groen", "Speeltuin", "Verkeer"), ("Groen", "Speeltuin", "Verkeer"), ("Groen", "Speeltuin"),
           ("Groen",), ("Afval",))


def closed_vote(engine: Engine, world: dict, cycle_key: str = "cycle_a", class_key: str = "class_a") -> dict[str, int]:
    """Themes, a wijk-wide approval poll over them, the ballots above cast with cards, closed.
    Theme ids by name."""
    admin, cycle_id = world["admin"], world[cycle_key].id
    themes = {name: plans.create_theme(engine, actor=admin, cycle_id=cycle_id, name=name) for name in THEMES}
    poll_id = polls.create_poll(engine, actor=admin, cycle_id=cycle_id, title="Wijkstemming")
    polls.open_poll(engine, actor=admin, poll_id=poll_id)
    option = {o.label: o.id for o in polls.poll_view(engine, actor=admin, poll_id=poll_id).options}
    sheet = ballots.issue_cards(engine, actor=admin, poll_id=poll_id, classroom_id=world[class_key].id,
                                count=len(BALLOTS), base_url="http://test")
    for card, choices in zip(sheet.cards, BALLOTS, strict=True):
        ballots.cast_with_card(engine, code=card.code, choices=[option[name] for name in choices])
    polls.close_poll(engine, actor=admin, poll_id=poll_id)
    return themes


def partner(engine: Engine, world: dict, cycle_key: str = "cycle_a") -> int:
    """An organisation that is a partner of the cycle; its id."""
    from kinderwijkraad.services import neighbourhoods

    organisation = factories.organisation(engine, world["admin"])
    neighbourhoods.add_partner(engine, actor=world["admin"], cycle_id=world[cycle_key].id,
                               organisation_id=organisation.id)
    return organisation.id
