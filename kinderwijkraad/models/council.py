"""The children's council of a cycle: members (signed-up candidates with parental consent), its
installation, its meetings and the work list of its top-3 themes.

A member is a `Candidate` whose consent slip came back signed: the first name, class and school
live on the candidate, so a child is written down once and removed once (services/retention.py).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Date, Field, SQLModel, UniqueConstraint

from kinderwijkraad.models.common import enum_type, utc_datetime_type, utcnow


class Consent(StrEnum):
    """The parents' answer on the paper consent slip; no scans, just the status."""

    PENDING = "pending"
    GIVEN = "given"
    REFUSED = "refused"


class CouncilRole(StrEnum):
    CHAIR = "chair"  # voorzitter
    SECRETARY = "secretary"  # notulist
    MEMBER = "member"  # lid


class CouncilMember(SQLModel, table=True):
    """A candidate who joined the council once consent was recorded."""

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    candidate_id: int = Field(foreign_key="candidate.id", unique=True)
    role: CouncilRole = Field(default=CouncilRole.MEMBER, sa_type=enum_type(CouncilRole))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class Installation(SQLModel, table=True):
    """How the council of a cycle is installed: who signs the certificates, when, where, and the
    programme of the ceremony (one item per line)."""

    cycle_id: int = Field(foreign_key="cycle.id", primary_key=True)
    alderman_name: str = Field(default="", max_length=120)
    alderman_title: str = Field(default="", max_length=120)
    installed_on: date | None = Field(default=None, sa_type=Date)
    venue: str = Field(default="", max_length=200)
    programme: str = Field(default="", max_length=4000)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class Meeting(SQLModel, table=True):
    """A council meeting: what was planned, what was said and what was decided."""

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    held_on: date = Field(sa_type=Date)
    agenda: str = Field(default="", max_length=4000)
    minutes: str = Field(default="", max_length=10000)
    decisions: str = Field(default="", max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class Attendance(SQLModel, table=True):
    """Which members were at a meeting (a row per member present)."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    member_id: int = Field(foreign_key="councilmember.id", primary_key=True, index=True)


class WorkStatus(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"


class WorkItem(SQLModel, table=True):
    """The council's work list: per top-3 theme the partner, the next action and its status."""

    __table_args__ = (UniqueConstraint("cycle_id", "theme_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    theme_id: int = Field(foreign_key="theme.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    next_action: str = Field(default="", max_length=300)
    status: WorkStatus = Field(default=WorkStatus.TODO, sa_type=enum_type(WorkStatus))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
