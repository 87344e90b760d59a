"""Shared column helpers: UTC timestamps and enums stored as short strings."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum as PyEnum
from typing import overload

from sqlmodel import DateTime, Enum

EMAIL_PATTERN = r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"  # empty, or something@domain.tld


def utcnow() -> datetime:
    """Timestamps are stored in UTC; the UI converts to Europe/Amsterdam."""
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: datetime | None) -> datetime | None: ...


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite gives stored timestamps back without their zone; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def utc_datetime_type() -> DateTime:
    return DateTime(timezone=True)


def enum_type(enum_cls: type[PyEnum]) -> Enum:
    """Store an enum by value in a VARCHAR with a CHECK constraint: portable, and no PostgreSQL
    enum type that migrations would have to create and drop."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda members: [member.value for member in members],
        name=enum_cls.__name__.lower(),
    )
