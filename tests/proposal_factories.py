"""Builders for proposal, answer and feedback tests: a cycle whose children voted on themes, with
partners and a proposal to two of them — everything made through the real services.

`make_cycle_with_proposal(engine)` is the one to start from; the small helpers below it move a
recipient along (send, answer, reply link) the way a facilitator or an official would.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

from PIL import Image
from sqlalchemy import Engine, func, select, text, update
from sqlmodel import SQLModel

from kinderwijkraad.config import AMSTERDAM
from kinderwijkraad.db import write_session
from kinderwijkraad.models import Decision, OrganisationKind, Recipient, RecipientStatus, Role
from kinderwijkraad.services import (
    accounts,
    answers,
    ballots,
    lessons,
    neighbourhoods,
    plans,
    polls,
    proposals,
    templates,
)
from kinderwijkraad.services.common import Actor
from tests import factories

CYCLE_REPLY_DAYS = 14  # the cycle's own promise, used when a partner promised nothing
GEMEENTE_REPLY_DAYS = 30
CORPORATIE_REPLY_DAYS = 21
FACILITATOR_NAME = "Fatima Begeleider"
FACILITATOR_EMAIL = "fatima@kinderwijkraad.example"
THEMES = ("Afval", "Groen", "Speeltuin", "Verkeer")
TOP_THEME = "Speeltuin"
# The votes (approval, up to 3 choices): Speeltuin 9, Verkeer 6, Afval 3, Groen 1.
CARD_BALLOTS = (["Speeltuin", "Verkeer"], ["Speeltuin"], ["Speeltuin", "Afval"], ["Verkeer", "Groen"],
                ["Speeltuin", "Verkeer", "Afval"])  # class A, with voting cards
PAPER_BALLOTS = 6  # class B, on paper
PAPER_COUNTS = {"Speeltuin": 5, "Verkeer": 3, "Afval": 1}
SCORES = {"Speeltuin": 9, "Verkeer": 6, "Afval": 3, "Groen": 1}
PLACES = {"Speeltuin": 1, "Verkeer": 2, "Afval": 3, "Groen": 4}

# The children's plans: (class, team, theme, answers). Three plans are in the top theme, from both
# classes; their cost answers say "veel" twice and "een beetje" once.
PLANS = {
    "swings": ("a", "De Vossen", "Speeltuin", {
        "title": "Nieuwe schommels", "problem": "De schommels in het Merelpark zijn kapot.",
        "place": "Merelpark", "idea": "Nieuwe schommels en een klimrek.", "for_whom": "Alle kinderen",
        "ourselves": "Wij houden de speeltuin schoon.", "cost": "Veel (zoals een speeltuin)"}),
    "crossing": ("a", "De Uilen", "Verkeer", {
        "title": "Een zebrapad", "problem": "Auto's rijden te hard bij school.", "idea": "Een zebrapad.",
        "cost": "Een beetje (zoals een bankje)"}),
    "playground": ("b", "De Dassen", "Speeltuin", {
        "title": "Speeltuin voor iedereen", "problem": "Er is geen speeltuin voor kleine kinderen.",
        "place": "Pleintje achter de Lindelaan", "idea": "Een speeltuin met een zandbak.",
        "for_whom": "Kleine kinderen", "ourselves": "Wij helpen met het ontwerp.",
        "cost": "Veel (zoals een speeltuin)"}),
    "bench": ("b", "De Egels", "Speeltuin", {
        "title": "Bankjes bij de speeltuin", "problem": "Ouders kunnen nergens zitten.",
        "idea": "Twee bankjes.", "for_whom": "Alle kinderen", "cost": "Een beetje (zoals een bankje)"}),
    "litter": ("b", "De Mollen", "Afval", {
        "title": "Meer prullenbakken", "problem": "Overal ligt afval.", "idea": "Prullenbakken in het park.",
        "cost": "Bijna niets"}),
}
TOP_PLANS = ("swings", "playground", "bench")  # the plans of the top theme, in creation order


def jpeg(colour: tuple[int, int, int] = (40, 160, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(out, format="JPEG")
    return out.getvalue()


def staff(engine: Engine, by: Actor, role: Role, *, display_name: str, email: str = "", **scope) -> Actor:
    created = accounts.create_user(engine, actor=by, username=factories.unique(role.value), display_name=display_name,
                                   email=email, role=role, one_time_password=factories.PASSWORD,
                                   must_change_password=False, **scope)
    return accounts.session_actor(engine, username=created.username)


def _plans(engine: Engine, boss: Actor, classes: dict[str, object], photos_dir: Path | None) -> tuple[dict, dict]:
    """Each class writes its plans in Les 2 (one team a plan); returns plan ids and device tokens."""
    template = templates.latest_template(engine)
    runs = {key: lessons.start_run(engine, actor=boss, classroom_id=classroom.id, template_id=template.id,
                                   lesson_index=1) for key, classroom in classes.items()}
    ids, tokens = {}, {}
    for key, (class_key, team, _theme, texts) in PLANS.items():
        token, _team_id = lessons.join_team(engine, run_id=runs[class_key], team_name=team)
        ids[key] = plans.save_answers(engine, token=token, answers=texts).id
        tokens[key] = token
        if photos_dir is not None and key in ("swings", "playground"):
            plans.save_photo(engine, token=token, data=jpeg(), directory=photos_dir)
    return ids, tokens


def _closed_theme_poll(engine: Engine, facilitator: Actor, cycle_id: int, classes: dict[str, object]) -> int:
    """A wijk-wide vote over every theme: cards in class A, paper in class B, then closed."""
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=cycle_id, title="Wijkstemming")
    option = {o.label: o.id for o in polls.poll_view(engine, actor=facilitator, poll_id=poll_id).options}
    polls.open_poll(engine, actor=facilitator, poll_id=poll_id)
    sheet = ballots.issue_cards(engine, actor=facilitator, poll_id=poll_id, classroom_id=classes["a"].id,
                                count=len(CARD_BALLOTS), base_url="http://test")
    for card, choices in zip(sheet.cards, CARD_BALLOTS, strict=True):
        ballots.cast_with_card(engine, code=card.code, choices=[option[name] for name in choices])
    ballots.enter_paper(engine, actor=facilitator, poll_id=poll_id, classroom_id=classes["b"].id,
                        papers=PAPER_BALLOTS, counts={option[name]: n for name, n in PAPER_COUNTS.items()})
    polls.close_poll(engine, actor=facilitator, poll_id=poll_id)
    return poll_id


def make_cycle_with_proposal(engine: Engine, *, photos_dir: Path | None = None) -> SimpleNamespace:
    """Wijk A's cycle (reply-by promise 14 days) with two schools, one class each, whose plans
    are sorted into four themes; a closed wijk-wide vote gives the themes their places (Speeltuin
    first); the gemeente (30 days) and a woningcorporatie (21 days) are partners with a contact
    each; and a proposal from Speeltuin, drafted from its three plans, is addressed to both (in
    concept). With `photos_dir`, the plans "swings" and "playground" have a photo stored there.

    Also made: an official of the gemeente, a facilitator of wijk B, a teacher of class A, and an
    organisation that is not a partner (`outsider`)."""
    boss = factories.admin(engine)
    wijk, other_wijk = factories.wijk(engine, boss, "Vogelbuurt"), factories.wijk(engine, boss, "Bloemenwijk")
    cycle = neighbourhoods.create_cycle(engine, actor=boss, neighbourhood_id=wijk.id, school_year="2026-2027",
                                        reply_by_days=CYCLE_REPLY_DAYS)
    other_cycle = factories.cycle(engine, boss, other_wijk.id)
    schools = {"a": factories.school(engine, boss, wijk.id, "OBS De Regenboog"),
               "b": factories.school(engine, boss, wijk.id, "CBS Het Anker")}
    teacher = factories.user(engine, boss, Role.TEACHER)
    classes = {"a": factories.classroom(engine, boss, cycle.id, schools["a"].id, "Groep 7",
                                        teacher_ids=[teacher.user_id]),
               "b": factories.classroom(engine, boss, cycle.id, schools["b"].id, "Groep 8")}
    facilitator = staff(engine, boss, Role.FACILITATOR, display_name=FACILITATOR_NAME, email=FACILITATOR_EMAIL,
                        neighbourhood_ids=[wijk.id])
    other_facilitator = staff(engine, boss, Role.FACILITATOR, display_name="Bram Anderewijk",
                              neighbourhood_ids=[other_wijk.id])

    plan_ids, plan_tokens = _plans(engine, boss, classes, photos_dir)
    themes = {name: plans.create_theme(engine, actor=facilitator, cycle_id=cycle.id, name=name) for name in THEMES}
    for key, (_class, _team, theme, _texts) in PLANS.items():
        plans.move_plans(engine, actor=facilitator, cycle_id=cycle.id, plan_ids=[plan_ids[key]],
                         theme_id=themes[theme])
    poll_id = _closed_theme_poll(engine, facilitator, cycle.id, classes)

    gemeente = neighbourhoods.create_organisation(engine, actor=boss, name="Gemeente Rivierstad",
                                                  kind=OrganisationKind.MUNICIPALITY)
    corporatie = neighbourhoods.create_organisation(engine, actor=boss, name="Woonstichting Thuis",
                                                    kind=OrganisationKind.HOUSING)
    outsider = neighbourhoods.create_organisation(engine, actor=boss, name="Sportclub Vooruit",
                                                  kind=OrganisationKind.OTHER)
    partnerships = {
        "gemeente": neighbourhoods.add_partner(engine, actor=facilitator, cycle_id=cycle.id,
                                               organisation_id=gemeente.id,
                                               listener="Wethouder", reply_by_days=GEMEENTE_REPLY_DAYS),
        "corporatie": neighbourhoods.add_partner(engine, actor=facilitator, cycle_id=cycle.id,
                                                 organisation_id=corporatie.id, reply_by_days=CORPORATIE_REPLY_DAYS),
    }
    contacts = {
        "gemeente": neighbourhoods.add_contact(engine, actor=boss, organisation_id=gemeente.id,
                                               neighbourhood_id=cycle.neighbourhood_id, name="Sanne de Wit",
                                               job_title="Beleidsmedewerker jeugd", email="s.dewit@rivierstad.example"),
        "corporatie": neighbourhoods.add_contact(engine, actor=boss, organisation_id=corporatie.id,
                                                 neighbourhood_id=cycle.neighbourhood_id, name="Ahmed Yilmaz",
                                                 job_title="Wijkbeheerder"),
    }
    official = staff(engine, boss, Role.OFFICIAL, display_name="Sanne de Wit", organisation_id=gemeente.id)

    draft = proposals.draft_from_theme(engine, actor=facilitator, theme_id=themes[TOP_THEME])
    fields = {**draft, "place_owner": "Gemeente Rivierstad", "ask": "Wilt u de speeltuin in het Merelpark vernieuwen?"}
    organisations = {"gemeente": gemeente, "corporatie": corporatie}
    proposal_id = proposals.create_proposal(
        engine, actor=facilitator, cycle_id=cycle.id, theme_id=themes[TOP_THEME],
        plan_ids=[plan_ids[key] for key in TOP_PLANS], fields=fields,
        recipients=[(organisations[key].id, contacts[key].id) for key in ("gemeente", "corporatie")])
    view = proposals.get_proposal(engine, actor=facilitator, proposal_id=proposal_id)
    recipients = {key: next(r.id for r in view.recipients if r.organisation_id == organisation.id)
                  for key, organisation in organisations.items()}
    return SimpleNamespace(
        admin=boss, facilitator=facilitator, other_facilitator=other_facilitator, official=official, teacher=teacher,
        wijk=wijk, other_wijk=other_wijk, cycle=cycle, other_cycle=other_cycle, schools=schools, classes=classes,
        plans=plan_ids, plan_tokens=plan_tokens, themes=themes, top_theme_id=themes[TOP_THEME], poll_id=poll_id,
        gemeente=gemeente, corporatie=corporatie, outsider=outsider, organisations=organisations,
        partnerships=partnerships, contacts=contacts, draft=draft, fields=fields, proposal_id=proposal_id,
        recipients=recipients, photos_dir=photos_dir,
    )


# --- the same world, fast ---------------------------------------------------------------------

_SNAPSHOTS: dict[str, tuple[SimpleNamespace, dict[str, list[dict]]]] = {}


def cycle_with_proposal(engine: Engine) -> SimpleNamespace:
    """`make_cycle_with_proposal` (without photos) for an empty database, fast: the world is built
    through the services once per database kind and test run, and its rows are copied into each
    later fresh database as they are (same ids, so the returned namespace fits every copy)."""
    kind = engine.dialect.name
    if kind not in _SNAPSHOTS:
        world = make_cycle_with_proposal(engine)
        _SNAPSHOTS[kind] = (world, _rows(engine))
        return world
    world, rows = _SNAPSHOTS[kind]
    _restore(engine, rows)
    return world


def _rows(engine: Engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in SQLModel.metadata.sorted_tables}


def _restore(engine: Engine, rows: dict[str, list[dict]]) -> None:
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if connection.execute(select(func.count()).select_from(table)).scalar():
                raise AssertionError(f"cycle_with_proposal needs an empty database; {table.name} has rows")
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
        if engine.dialect.name == "postgresql":  # explicit ids do not move the id sequences on
            for table in SQLModel.metadata.sorted_tables:
                if table.autoincrement_column is not None and rows[table.name]:
                    column = table.autoincrement_column.name
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column}'), "
                        f"(SELECT max(\"{column}\") FROM \"{table.name}\"))"))


# --- moving a recipient along ---------------------------------------------------------------


def send(engine: Engine, world: SimpleNamespace, key: str) -> int:
    """Mark the recipient ("gemeente" or "corporatie") as sent; returns its id."""
    recipient_id = world.recipients[key]
    proposals.move_recipient(engine, actor=world.facilitator, recipient_id=recipient_id, to=RecipientStatus.SENT)
    return recipient_id


def reply_link(engine: Engine, world: SimpleNamespace, key: str, **kwargs) -> str:
    """A reply link (the token) for a sent recipient."""
    return answers.create_reply_link(engine, actor=world.facilitator, recipient_id=world.recipients[key], **kwargs)


def an_answer(decision: Decision | str = Decision.ACCEPTED, reasons: str = "", next_step: str = "",
              contact: str = "") -> answers.AnswerInput:
    return answers.AnswerInput(Decision(decision), reasons, next_step, contact)


def answer(engine: Engine, world: SimpleNamespace, key: str, decision: Decision | str = Decision.ACCEPTED,
           reasons: str = "Er is geen budget dit jaar.", answered_by: str = "Wethouder Jansen") -> int:
    """Send the recipient if needed and enter an answer received by letter; returns its id."""
    recipient_id = world.recipients[key]
    row = recipient(engine, world, key)
    if row.status == RecipientStatus.CONCEPT:
        send(engine, world, key)
    answers.enter_answer(engine, actor=world.facilitator, recipient_id=recipient_id,
                         seen_revision=row.answer_revision, answer=an_answer(decision, reasons),
                         answered_by=answered_by)
    return recipient_id


def recipient(engine: Engine, world: SimpleNamespace, key: str) -> proposals.RecipientRow:
    """The recipient as the facilitator sees it now."""
    view = proposals.get_proposal(engine, actor=world.facilitator, proposal_id=world.proposal_id)
    return next(r for r in view.recipients if r.id == world.recipients[key])


def set_reply_by(engine: Engine, recipient_id: int, day: date) -> None:
    """Move a recipient's reply-by date (e.g. into the past) directly in the database."""
    with write_session(engine) as session:
        session.execute(update(Recipient).where(Recipient.id == recipient_id).values(reply_by=day))


def days_ago(days: int) -> datetime:
    """Noon on the Amsterdam calendar `days` days ago, in UTC: a stored moment whose day count does
    not depend on the hour the test runs. (utcnow() minus 60 days, late in the evening, falls on
    the next Amsterdam day when summer time lies between: 59 days.)"""
    return datetime.combine(proposals.today() - timedelta(days=days), time(12), tzinfo=AMSTERDAM).astimezone(UTC)
