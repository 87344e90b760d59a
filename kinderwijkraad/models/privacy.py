"""Privacy kept by the software: how long child-level data stays after a cycle is
closed, the record of each retention run, and the facilitator's participation self-check.

The school board is the controller and the app the processor: the settings are the admin's, and
every removal is written down (what kind, how many, of which cycles), never the removed data.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import JSON, CheckConstraint, Column, Field, SQLModel

from kinderwijkraad.models.common import utc_datetime_type, utcnow

DEFAULT_RETENTION_DAYS = 30


class PrivacySettings(SQLModel, table=True):
    """One row (id 1): the retention period after a cycle is closed."""

    __table_args__ = (CheckConstraint("retention_days BETWEEN 0 AND 3650", name="retention_days_range"),)

    id: int = Field(default=1, primary_key=True)
    retention_days: int = Field(default=DEFAULT_RETENTION_DAYS, ge=0, le=3650)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class RetentionRun(SQLModel, table=True):
    """One run of the retention: when, by whom (or the command line), which cycles, and how many
    rows of each kind were removed (a preview is not stored)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type(), index=True)
    by: str = Field(max_length=120)
    cycle_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SelfCheck(SQLModel, table=True):
    """The facilitator's participation self-check of a cycle (Lundy: space, voice, audience,
    influence): question key -> yes/no."""

    cycle_id: int = Field(foreign_key="cycle.id", primary_key=True)
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    updated_by: int | None = Field(default=None, foreign_key="user.id")
