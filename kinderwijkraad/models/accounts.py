"""Staff accounts, their roles and scopes, and login throttling. Children have no accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from kinderwijkraad.models.common import EMAIL_PATTERN, enum_type, utc_datetime_type, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    TEACHER = "teacher"
    OFFICIAL = "official"


USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,39}$"


class UserBase(SQLModel):
    display_name: str = Field(min_length=2, max_length=80)
    email: str = Field(default="", max_length=200, schema_extra={"pattern": EMAIL_PATTERN})


class UserCreate(UserBase):
    """Input for a new staff account (the admin sets a one-time password)."""

    username: str = Field(max_length=40, schema_extra={"pattern": USERNAME_PATTERN})
    role: Role


class UserUpdate(UserBase):
    """Input for editing the name and e-mail of an account."""


class User(UserBase, table=True):
    """A staff member who logs in: admin, facilitator, teacher or official."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    role: Role = Field(sa_type=enum_type(Role))
    active: bool = Field(default=True)
    password_hash: str = Field(max_length=200)
    must_change_password: bool = Field(default=True)
    # An official answers for one organisation.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    last_login_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    # Login cookies issued before this moment no longer log in: set by logging out, by a password
    # change and by a reset, so a cookie left on a shared classroom tablet dies with them.
    cookies_valid_after: datetime | None = Field(default=None, sa_type=utc_datetime_type())


class FacilitatorNeighbourhood(SQLModel, table=True):
    """Which wijken a facilitator works in."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", primary_key=True, index=True)


class ClassroomTeacher(SQLModel, table=True):
    """Which classes a teacher (or guest teacher) teaches."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    classroom_id: int = Field(foreign_key="classroom.id", primary_key=True, index=True)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per username and per client; the delay grows with failures and the count
    forgets itself after a quiet period, so no attacker can lock anyone out for good."""

    key: str = Field(primary_key=True, max_length=120)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(sa_type=utc_datetime_type())
