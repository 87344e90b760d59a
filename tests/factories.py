"""Tiny factories: each makes one object through the real services, with sensible defaults."""

from __future__ import annotations

import itertools

from sqlalchemy import Engine

from kinderwijkraad.models import OrganisationKind, Role
from kinderwijkraad.services import accounts, neighbourhoods
from kinderwijkraad.services.common import Actor
from kinderwijkraad.services.demo import bootstrap_admin

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}"


def admin(engine: Engine) -> Actor:
    return bootstrap_admin(engine, username=unique("admin"), display_name="Admin", password=PASSWORD,
                           must_change_password=False)


def user(engine: Engine, by: Actor, role: Role, **scope) -> Actor:
    created = accounts.create_user(engine, actor=by, username=unique(role.value), display_name=f"{role.value} user",
                                   email="", role=role, one_time_password=PASSWORD, must_change_password=False,
                                   **scope)
    return accounts.session_actor(engine, username=created.username)


def wijk(engine: Engine, by: Actor, name: str | None = None):
    return neighbourhoods.create_neighbourhood(engine, actor=by, name=name or unique("Wijk"), municipality="Rivierstad")


def cycle(engine: Engine, by: Actor, neighbourhood_id: int, school_year: str = "2026-2027"):
    return neighbourhoods.create_cycle(engine, actor=by, neighbourhood_id=neighbourhood_id, school_year=school_year)


def school(engine: Engine, by: Actor, neighbourhood_id: int, name: str | None = None):
    return neighbourhoods.create_school(engine, actor=by, neighbourhood_id=neighbourhood_id,
                                        name=name or unique("School"))


def classroom(engine: Engine, by: Actor, cycle_id: int, school_id: int, name: str | None = None, **extra):
    values = {"grade": 7, "pupil_count": 23, **extra}
    return neighbourhoods.create_classroom(engine, actor=by, cycle_id=cycle_id, school_id=school_id,
                                           name=name or unique("Groep"), **values)


def organisation(engine: Engine, by: Actor, kind: OrganisationKind = OrganisationKind.MUNICIPALITY):
    return neighbourhoods.create_organisation(engine, actor=by, name=unique("Gemeente"), kind=kind)


def world(engine: Engine) -> dict:
    """Two wijken, each with a cycle, a school and a class; a facilitator and a teacher in wijk A."""
    boss = admin(engine)
    wijk_a, wijk_b = wijk(engine, boss, "Wijk A"), wijk(engine, boss, "Wijk B")
    cycle_a, cycle_b = cycle(engine, boss, wijk_a.id), cycle(engine, boss, wijk_b.id)
    school_a, school_b = school(engine, boss, wijk_a.id), school(engine, boss, wijk_b.id)
    teacher = user(engine, boss, Role.TEACHER)
    class_a = classroom(engine, boss, cycle_a.id, school_a.id, teacher_ids=[teacher.user_id])
    class_b = classroom(engine, boss, cycle_b.id, school_b.id)
    facilitator = user(engine, boss, Role.FACILITATOR, neighbourhood_ids=[wijk_a.id])
    return {
        "admin": boss, "facilitator": facilitator, "teacher": accounts.session_actor(engine, username=teacher.username),
        "wijk_a": wijk_a, "wijk_b": wijk_b, "cycle_a": cycle_a, "cycle_b": cycle_b, "school_a": school_a,
        "school_b": school_b, "class_a": class_a, "class_b": class_b,
    }
