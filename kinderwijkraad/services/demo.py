"""A fictional wijk to try the app with, built through the same services a real user calls.

Demo mode is on by default for the embedded SQLite database and never in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import select

from kinderwijkraad.config import MailSettings
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict
from kinderwijkraad.models import BallotKind, CountMethod, OrganisationKind, Phase, Role, User, UserCreate
from kinderwijkraad.services import accounts, ballots, demo_year, lessons, neighbourhoods, plans, polls, templates
from kinderwijkraad.services.common import Actor, refused_as, validated


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str


DEMO_PASSWORD = "kinderwijkraad demo"
DEMO_ACCOUNTS = (
    DemoAccount("demo-admin", Role.ADMIN, DEMO_PASSWORD),
    DemoAccount("demo-begeleider", Role.FACILITATOR, DEMO_PASSWORD),
    DemoAccount("demo-leerkracht", Role.TEACHER, DEMO_PASSWORD),
    DemoAccount("demo-ambtenaar", Role.OFFICIAL, DEMO_PASSWORD),
)


def bootstrap_admin(engine: Engine, *, username: str, display_name: str, password: str,
                    must_change_password: bool = True) -> Actor:
    """The first admin of an empty installation; Conflict once any account exists."""
    data = validated(UserCreate, username=username.lower(), display_name=display_name, email="", role=Role.ADMIN)
    accounts._check_new_password(password)
    password_hash = accounts.hash_password(password)
    with write_session(engine) as session:
        if session.exec(select(func.count()).select_from(User)).one():
            raise Conflict("error.already_initialised")
        user = User.model_validate(data, update={
            "password_hash": password_hash, "must_change_password": must_change_password,
        })
        session.add(user)
        with refused_as("error.duplicate.username", username=data.username):
            session.flush()
        return Actor(user_id=user.id, username=user.username, display_name=user.display_name, role=Role.ADMIN)


def has_users(engine: Engine) -> bool:
    with read_session(engine) as session:
        return bool(session.exec(select(func.count()).select_from(User)).one())


def seed_demo(engine: Engine, photos_dir: Path | None = None, mail_settings: MailSettings | None = None) -> bool:
    """Fill an empty database with the demo wijk and one account per role; False (and nothing
    written) when the database already has accounts. With `photos_dir`, the previous year's plans
    get the children's drawings of their places (stored like an upload); with `mail_settings`, the
    late proposal went by e-mail and its messages are in the outbox folder."""
    if has_users(engine):
        return False
    admin = bootstrap_admin(engine, username="demo-admin", display_name="Demo Beheerder",
                            password=DEMO_PASSWORD, must_change_password=False)
    gemeente = neighbourhoods.create_organisation(engine, actor=admin, name="Gemeente Rivierstad",
                                                  kind=OrganisationKind.MUNICIPALITY)
    corporatie = neighbourhoods.create_organisation(engine, actor=admin, name="Woonstichting Rivierthuis",
                                                    kind=OrganisationKind.HOUSING)
    wijk = neighbourhoods.create_neighbourhood(engine, actor=admin, name="De Vogelbuurt", municipality="Rivierstad")
    gemeente_contact = neighbourhoods.add_contact(engine, actor=admin, organisation_id=gemeente.id,
                                                  neighbourhood_id=wijk.id, name="Sanne de Wit",
                                                  job_title="Beleidsmedewerker jeugd", email="s.dewit@example.org")
    corporatie_contact = neighbourhoods.add_contact(engine, actor=admin, organisation_id=corporatie.id,
                                                    neighbourhood_id=wijk.id, name="Karim El Amrani",
                                                    job_title="Wijkconsulent", email="k.elamrani@example.org")
    cycle = neighbourhoods.create_cycle(engine, actor=admin, neighbourhood_id=wijk.id, school_year="2026-2027",
                                        listener="Wethouder Jeugd en Wijken", reply_by_days=42, budget_eur=5000)
    neighbourhoods.advance_cycle_phase(engine, actor=admin, cycle_id=cycle.id, from_phase=Phase.PREPARATION)
    neighbourhoods.add_partner(engine, actor=admin, cycle_id=cycle.id, organisation_id=gemeente.id,
                               listener="Wethouder Jeugd en Wijken", reply_by_days=42, budget_eur=5000)
    neighbourhoods.add_partner(engine, actor=admin, cycle_id=cycle.id, organisation_id=corporatie.id,
                               listener="Wijkconsulent Vogelbuurt", reply_by_days=56)
    teacher = accounts.create_user(engine, actor=admin, username="demo-leerkracht", display_name="Juf Demi",
                                   email="", role=Role.TEACHER, one_time_password=DEMO_PASSWORD,
                                   must_change_password=False)
    facilitator = accounts.create_user(engine, actor=admin, username="demo-begeleider", display_name="Begeleider Bo",
                                       email="bo@kiesenco.example.org", role=Role.FACILITATOR,
                                       one_time_password=DEMO_PASSWORD, neighbourhood_ids=[wijk.id],
                                       must_change_password=False)
    official = accounts.create_user(engine, actor=admin, username="demo-ambtenaar", display_name="Ambtenaar Ali",
                                    email="", role=Role.OFFICIAL, one_time_password=DEMO_PASSWORD,
                                    organisation_id=gemeente.id, must_change_password=False)
    regenboog = neighbourhoods.create_school(engine, actor=admin, neighbourhood_id=wijk.id, name="OBS De Regenboog")
    vlinder = neighbourhoods.create_school(engine, actor=admin, neighbourhood_id=wijk.id, name="Kindcentrum De Vlinder")
    classrooms = [
        neighbourhoods.create_classroom(engine, actor=admin, cycle_id=cycle.id, school_id=school.id, name=name,
                                        grade=grade, pupil_count=pupils, teacher_ids=teachers)
        for school, name, grade, pupils, teachers in (
            (regenboog, "Groep 6", 6, 24, [teacher.id]),
            (regenboog, "Groep 7/8", 7, 22, [teacher.id]),
            (vlinder, "Groep 5/6", 5, 25, []),
            (vlinder, "Groep 8", 8, 21, []),
        )
    ]
    for classroom, written in zip(classrooms[2:], (DEMO_PLANS[:5], DEMO_PLANS[5:]), strict=True):
        _seed_lesson_with_plans(engine, admin, classroom.id, written)
    _seed_votes(engine, admin, cycle.id, classrooms)
    bo = Actor(user_id=facilitator.id, username=facilitator.username, display_name=facilitator.display_name,
               role=Role.FACILITATOR, neighbourhood_ids=frozenset({wijk.id}))
    ali = Actor(user_id=official.id, username=official.username, display_name=official.display_name,
                role=Role.OFFICIAL, organisation_id=gemeente.id)
    demo_year.seed_previous_year(
        engine, admin=admin, facilitator=bo, official=ali, neighbourhood_id=wijk.id,
        schools=(regenboog.id, vlinder.id), partners=((gemeente.id, gemeente_contact.id),
                                                      (corporatie.id, corporatie_contact.id)),
        photos_dir=photos_dir, mail_settings=mail_settings,
    )
    demo_year.seed_late_proposal(engine, facilitator=bo, cycle_id=cycle.id,
                                 partner=(corporatie.id, corporatie_contact.id), mail_settings=mail_settings)
    return True


# The plans De Vlinder's classes wrote in Les 2, so the facilitator has something to sort into
# themes on first start. Team names and texts only: children are never named.
DEMO_PLANS = (
    ("De Vossen", "Een nieuwe speeltuin", "De speeltuin bij het Merelplein is kapot, de schommel is stuk.",
     "Merelplein", "Nieuwe schommels en een klimrek in de speeltuin."),
    ("De Uilen", "Zebrapad bij school", "Auto's rijden heel hard bij school en we kunnen niet veilig oversteken.",
     "Spechtstraat", "Een zebrapad en een drempel bij de school."),
    ("De Mussen", "Minder afval op straat", "Er ligt overal afval en zwerfvuil op straat en in het park.",
     "Park De Reiger", "Meer prullenbakken en een opruimdag met de klas."),
    ("De Haviken", "Schone stoep", "Overal hondenpoep op de stoep en in het gras waar we spelen.",
     "Grasveld Zwaluwlaan", "Een hondenuitlaatplek en bordjes."),
    ("De Kraaien", "Speeltuin voor iedereen", "In onze speeltuin is niks voor kleine kinderen en de glijbaan is kapot.",
     "Merelplein", "Een glijbaan en een zandbak in de speeltuin."),
    ("De Reigers", "Veilig oversteken", "Oversteken bij de grote weg is gevaarlijk, auto's stoppen niet.",
     "Vogelweg", "Een zebrapad met een verkeerslicht."),
    ("De Spechten", "Afval opruimen", "Het park is vies door afval en zwerfvuil, er zijn te weinig prullenbakken.",
     "Park De Reiger", "Prullenbakken en een afvalpakker-club."),
    ("De Zwaluwen", "Geen hondenpoep", "Er ligt hondenpoep op het grasveld waar we voetballen.",
     "Grasveld Zwaluwlaan", "Een hek om het veld en een poepzakjes-paal."),
    ("De Meeuwen", "Voetbalveld", "We hebben geen goed voetbalveld, de doelen zijn kapot.",
     "Zwaluwlaan", "Nieuwe doelen en een net om het veld."),
    ("De Kieviten", "Meer bankjes", "Opa's en oma's kunnen nergens zitten in de wijk.",
     "Winkelplein", "Bankjes bij de winkels en in het park."),
)


# The themes of the wijk vote (two plans already in them; the rest are left for the facilitator to
# sort, which the themes page suggests), and the votes of Les 3:
# a wijk vote by approval (De Vlinder's groep 5/6 with cards, groep 8 on paper) and a class vote by
# ranking in De Regenboog's groep 7/8, so "Hoe tel je stemmen?" has real ballots to compare.
DEMO_THEMES = {
    "Speeltuinen": ("Een nieuwe speeltuin",),
    "Veilig oversteken": ("Zebrapad bij school",),
    "Afval en zwerfvuil": (),
    "Hondenpoep": (),
    "Sporten en spelen": (),
}
# Their pictures beside the name (services/pictograms.py): names of the set, and one emoji the set has.
DEMO_THEME_PICTURES = {"Speeltuinen": "playground", "Veilig oversteken": "crossing", "Afval en zwerfvuil": "litter",
                       "Hondenpoep": "dog_poo", "Sporten en spelen": "⚽"}
# (times, choices by theme) — a wijk where the playground is first and the rest is close.
DEMO_CARD_BALLOTS = (
    (6, ("Speeltuinen", "Veilig oversteken", "Afval en zwerfvuil")),
    (5, ("Veilig oversteken", "Hondenpoep")),
    (4, ("Speeltuinen", "Sporten en spelen", "Hondenpoep")),
    (4, ("Afval en zwerfvuil", "Hondenpoep", "Speeltuinen")),
    (2, ("Sporten en spelen",)),
    (2, ("Speeltuinen", "Veilig oversteken")),
)
DEMO_PAPER = (20, {"Speeltuinen": 12, "Veilig oversteken": 11, "Afval en zwerfvuil": 9, "Hondenpoep": 8,
                   "Sporten en spelen": 14})
DEMO_RANKINGS = (
    (8, ("Speeltuinen", "Afval en zwerfvuil", "Hondenpoep")),
    (7, ("Sporten en spelen", "Afval en zwerfvuil", "Hondenpoep")),
    (4, ("Afval en zwerfvuil", "Sporten en spelen", "Speeltuinen")),
    (2, ("Hondenpoep", "Afval en zwerfvuil", "Sporten en spelen")),
)


def _seed_votes(engine: Engine, admin: Actor, cycle_id: int, classrooms: list) -> None:
    plan_ids = {plan.title: plan.id for plan in plans.cycle_plans(engine, actor=admin, cycle_id=cycle_id)}
    for name, titles in DEMO_THEMES.items():
        theme_id = plans.create_theme(engine, actor=admin, cycle_id=cycle_id, name=name)
        plans.set_pictogram(engine, actor=admin, theme_id=theme_id, pictogram=DEMO_THEME_PICTURES.get(name))
        plans.move_plans(engine, actor=admin, cycle_id=cycle_id, plan_ids=[plan_ids[t] for t in titles],
                         theme_id=theme_id)
    wijk_poll = polls.create_poll(engine, actor=admin, cycle_id=cycle_id, title="Wijkstemming Vogelbuurt",
                                  question="Welke thema's vind jij het belangrijkst?")
    polls.open_poll(engine, actor=admin, poll_id=wijk_poll)
    demo_year.vote_with_cards(engine, admin, wijk_poll, classrooms[2].id, DEMO_CARD_BALLOTS)
    option = {o.label: o.id for o in polls.poll_view(engine, actor=admin, poll_id=wijk_poll).options}
    papers, marks = DEMO_PAPER
    ballots.enter_paper(engine, actor=admin, poll_id=wijk_poll, classroom_id=classrooms[3].id, papers=papers,
                        counts={option[name]: count for name, count in marks.items()})
    polls.close_poll(engine, actor=admin, poll_id=wijk_poll)
    class_poll = polls.create_poll(engine, actor=admin, classroom_id=classrooms[1].id, title="Klassenstemming",
                                   question="Zet de thema's op volgorde", ballot_kind=BallotKind.RANKING,
                                   method=CountMethod.IRV, max_choices=3)
    polls.open_poll(engine, actor=admin, poll_id=class_poll)
    demo_year.vote_with_cards(engine, admin, class_poll, classrooms[1].id, DEMO_RANKINGS)
    polls.close_poll(engine, actor=admin, poll_id=class_poll)


def _seed_lesson_with_plans(engine: Engine, admin: Actor, classroom_id: int, written: tuple) -> None:
    """Les 2 given in a class, through the same services a teacher and the tablets use."""
    template = templates.latest_template(engine)
    run_id = lessons.start_run(engine, actor=admin, classroom_id=classroom_id, template_id=template.id,
                               lesson_index=1)
    for team, title, problem, place, idea in written:
        token, _team_id = lessons.join_team(engine, run_id=run_id, team_name=team)
        plan = plans.save_answers(engine, token=token, answers={
            "title": title, "problem": problem, "place": place, "idea": idea, "helpers": "De gemeente",
        })
        plans.approve_plan(engine, actor=admin, plan_id=plan.id, seen_revision=plan.revision)
    lessons.end_run(engine, actor=admin, run_id=run_id)
