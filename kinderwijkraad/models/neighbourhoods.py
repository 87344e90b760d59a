"""The setup around a children's council: wijken, their yearly cycles, schools, classes and
partner organisations (the council itself is in `models/council.py`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import CheckConstraint, Field, SQLModel, UniqueConstraint

from kinderwijkraad.models.common import EMAIL_PATTERN, enum_type, utc_datetime_type, utcnow


class Phase(StrEnum):
    """The phases of a council's school year, in order."""

    PREPARATION = "preparation"
    LESSONS = "lessons"
    VOTING = "voting"
    COUNCIL = "council"
    IMPLEMENTATION = "implementation"
    FEEDBACK = "feedback"
    CLOSED = "closed"

    def next(self) -> Phase | None:
        order = list(Phase)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None

    def is_after(self, other: Phase) -> bool:
        order = list(Phase)
        return order.index(self) > order.index(other)


class OrganisationKind(StrEnum):
    MUNICIPALITY = "municipality"
    HOUSING = "housing"
    WELFARE = "welfare"
    OTHER = "other"


# --- Neighbourhood -------------------------------------------------------------------------

class NeighbourhoodBase(SQLModel):
    """Fields a facilitator fills in for a wijk."""

    name: str = Field(min_length=2, max_length=80)
    municipality: str = Field(min_length=2, max_length=80)


class NeighbourhoodCreate(NeighbourhoodBase):
    """Input for creating or editing a wijk."""


class Neighbourhood(NeighbourhoodBase, table=True):
    """A wijk: the area one children's council serves."""

    __table_args__ = (UniqueConstraint("municipality", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    archived_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    # Reminders to a partner that has not answered (services/mail.py): this many days before the
    # reply-by date (0: none before), one on the day, then weekly up to `reminders_after`.
    reminder_days_before: int = Field(default=7, ge=0, le=60)
    reminders_after: int = Field(default=2, ge=0, le=10)


# --- Cycle ---------------------------------------------------------------------------------

SCHOOL_YEAR_PATTERN = r"^20\d\d-20\d\d$"


class CycleBase(SQLModel):
    """One school year of one wijk's council and what the partners promised for it."""

    school_year: str = Field(max_length=9, schema_extra={"pattern": SCHOOL_YEAR_PATTERN})
    listener: str = Field(default="", max_length=200)
    reply_by_days: int = Field(default=42, ge=1, le=365)
    budget_eur: int | None = Field(default=None, ge=0, le=10_000_000)


class CycleCreate(CycleBase):
    """Input for creating or editing a cycle."""


class Cycle(CycleBase, table=True):
    """A council's school year; its phase moves forward only."""

    __table_args__ = (
        UniqueConstraint("neighbourhood_id", "school_year"),
        CheckConstraint("reply_by_days BETWEEN 1 AND 365", name="reply_by_days_range"),
        CheckConstraint("budget_eur IS NULL OR budget_eur >= 0", name="budget_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", index=True)
    phase: Phase = Field(default=Phase.PREPARATION, sa_type=enum_type(Phase))
    phase_changed_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    archived_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    # Set by the retention run that removed the cycle's child-level data (names, teams, devices,
    # cards, receipts); aggregates, plan texts and proposals stay.
    child_data_removed_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())


# --- School and Classroom ------------------------------------------------------------------

class SchoolBase(SQLModel):
    name: str = Field(min_length=2, max_length=120)


class SchoolCreate(SchoolBase):
    """Input for creating or renaming a school."""


class School(SchoolBase, table=True):
    """A primary school in a wijk."""

    __table_args__ = (UniqueConstraint("neighbourhood_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    archived_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())


class ClassroomBase(SQLModel):
    name: str = Field(min_length=1, max_length=40)
    grade: int = Field(ge=5, le=8)
    pupil_count: int = Field(ge=1, le=40)


class ClassroomCreate(ClassroomBase):
    """Input for creating or editing a class."""


class Classroom(ClassroomBase, table=True):
    """An upper class (groep 5-8) of a school taking part in one cycle."""

    __table_args__ = (
        UniqueConstraint("cycle_id", "school_id", "name"),
        CheckConstraint("grade BETWEEN 5 AND 8", name="grade_range"),
        CheckConstraint("pupil_count BETWEEN 1 AND 40", name="pupil_count_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    archived_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())


# --- Organisations, contacts, partnerships ---------------------------------------------------

class OrganisationBase(SQLModel):
    name: str = Field(min_length=2, max_length=120)
    kind: OrganisationKind = Field(sa_type=enum_type(OrganisationKind))


class OrganisationCreate(OrganisationBase):
    """Input for creating or editing an organisation."""


class Organisation(OrganisationBase, table=True):
    """A partner organisation: gemeente, woningcorporatie, welzijn or other."""

    __table_args__ = (UniqueConstraint("name"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    archived_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())


class ContactBase(SQLModel):
    name: str = Field(min_length=2, max_length=120)
    job_title: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=200, schema_extra={"pattern": EMAIL_PATTERN})
    phone: str = Field(default="", max_length=40)


class ContactCreate(ContactBase):
    """Input for adding a contact person to an organisation."""


class Contact(ContactBase, table=True):
    """An adult contact person at a partner organisation, in the wijk they work for: organisations
    are shared by the wijken of a municipality, a person's details are seen only in their wijk
    (None: not placed yet, seen by admins only)."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    neighbourhood_id: int | None = Field(default=None, foreign_key="neighbourhood.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    archived_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())


class PartnershipBase(SQLModel):
    listener: str = Field(default="", max_length=200)
    reply_by_days: int = Field(default=42, ge=1, le=365)
    budget_eur: int | None = Field(default=None, ge=0, le=10_000_000)


class PartnershipCreate(PartnershipBase):
    """Input for what one partner promises in one cycle."""


class Partnership(PartnershipBase, table=True):
    """An organisation taking part in a cycle, with its promises: who listens, how fast it
    replies, and an optional budget."""

    __table_args__ = (
        UniqueConstraint("cycle_id", "organisation_id"),
        CheckConstraint("reply_by_days BETWEEN 1 AND 365", name="reply_by_days_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
