"""A fictional wijk to try the app with, built through the same services a real user calls.

Demo mode is on by default for the embedded SQLite database and never in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict
from kinderwijkraad.models import OrganisationKind, Phase, Role, User, UserCreate
from kinderwijkraad.services import accounts, councils
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


def seed_demo(engine: Engine) -> bool:
    """Fill an empty database with the demo wijk and one account per role; False (and nothing
    written) when the database already has accounts."""
    if has_users(engine):
        return False
    admin = bootstrap_admin(engine, username="demo-admin", display_name="Demo Beheerder",
                            password=DEMO_PASSWORD, must_change_password=False)
    gemeente = councils.create_organisation(engine, actor=admin, name="Gemeente Rivierstad",
                                            kind=OrganisationKind.MUNICIPALITY)
    corporatie = councils.create_organisation(engine, actor=admin, name="Woonstichting Rivierthuis",
                                              kind=OrganisationKind.HOUSING)
    councils.add_contact(engine, actor=admin, organisation_id=gemeente.id, name="Sanne de Wit",
                         job_title="Beleidsmedewerker jeugd", email="s.dewit@example.org")
    councils.add_contact(engine, actor=admin, organisation_id=corporatie.id, name="Karim El Amrani",
                         job_title="Wijkconsulent", email="k.elamrani@example.org")
    wijk = councils.create_neighbourhood(engine, actor=admin, name="De Vogelbuurt", municipality="Rivierstad")
    cycle = councils.create_cycle(engine, actor=admin, neighbourhood_id=wijk.id, school_year="2026-2027",
                                  listener="Wethouder Jeugd en Wijken", reply_by_days=42, budget_eur=5000)
    councils.advance_cycle_phase(engine, actor=admin, cycle_id=cycle.id, from_phase=Phase.PREPARATION)
    councils.add_partner(engine, actor=admin, cycle_id=cycle.id, organisation_id=gemeente.id,
                         listener="Wethouder Jeugd en Wijken", reply_by_days=42, budget_eur=5000)
    councils.add_partner(engine, actor=admin, cycle_id=cycle.id, organisation_id=corporatie.id,
                         listener="Wijkconsulent Vogelbuurt", reply_by_days=56)
    teacher = accounts.create_user(engine, actor=admin, username="demo-leerkracht", display_name="Juf Demi",
                                   email="", role=Role.TEACHER, one_time_password=DEMO_PASSWORD,
                                   must_change_password=False)
    accounts.create_user(engine, actor=admin, username="demo-begeleider", display_name="Begeleider Bo",
                         email="", role=Role.FACILITATOR, one_time_password=DEMO_PASSWORD,
                         neighbourhood_ids=[wijk.id], must_change_password=False)
    accounts.create_user(engine, actor=admin, username="demo-ambtenaar", display_name="Ambtenaar Ali",
                         email="", role=Role.OFFICIAL, one_time_password=DEMO_PASSWORD,
                         organisation_id=gemeente.id, must_change_password=False)
    regenboog = councils.create_school(engine, actor=admin, neighbourhood_id=wijk.id, name="OBS De Regenboog")
    vlinder = councils.create_school(engine, actor=admin, neighbourhood_id=wijk.id, name="Kindcentrum De Vlinder")
    for school, name, grade, pupils, teachers in (
        (regenboog, "Groep 6", 6, 24, [teacher.id]),
        (regenboog, "Groep 7/8", 7, 22, [teacher.id]),
        (vlinder, "Groep 5/6", 5, 25, []),
        (vlinder, "Groep 8", 8, 21, []),
    ):
        councils.create_classroom(engine, actor=admin, cycle_id=cycle.id, school_id=school.id, name=name,
                                  grade=grade, pupil_count=pupils, teacher_ids=teachers)
    return True
