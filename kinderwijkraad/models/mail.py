"""The outbox: every e-mail the app sends, queued in the same transaction as the change that causes
it and delivered afterwards by `kinderwijkraad mail send` (services/mail.py).

A message is identified by its idempotency `key` (unique), e.g. "reminder/12/2027-01-15/2": two
senders, two replicas or a retry after a crash can only ever queue it once. Its subject and body
are made when it is delivered, from the data at that moment, so the row holds where it goes and
why, never the text (which may hold an answer or a reply link).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from kinderwijkraad.models.common import enum_type, utc_datetime_type, utcnow


class MailKind(StrEnum):
    DOSSIER = "dossier"  # the proposal's dossier and reply link, to the recipient's contact person
    REMINDER = "reminder"  # the same link again, before, on and after the reply-by date
    ANSWERED = "answered"  # to a facilitator: an answer came in
    FEEDBACK_DUE = "feedback_due"  # to a facilitator: a class still waits for its feedback


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for its (next) try
    SENDING = "sending"  # claimed by one sender until `claimed_until`
    SENT = "sent"  # the mail server (or the outbox folder) took it
    FAILED = "failed"  # the last try failed: the facilitator is shown why
    CANCELLED = "cancelled"  # no longer due: answered, revoked, paused or closed before it went


class MailMessage(SQLModel, table=True):
    """One e-mail in the outbox."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: MailKind = Field(sa_type=enum_type(MailKind))
    status: MailStatus = Field(default=MailStatus.QUEUED, sa_type=enum_type(MailStatus), index=True)
    recipient_id: int | None = Field(default=None, foreign_key="recipient.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")  # a facilitator it is for
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id", index=True)
    # The reply link the message carries; its token is derived from the server's key, never stored.
    reply_link_id: int | None = Field(default=None, foreign_key="replylink.id")
    to_address: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    created_by: int | None = Field(default=None, foreign_key="user.id")
    next_try_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type(), index=True)
    claimed_until: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    tries: int = Field(default=0, ge=0)
    sent_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    delivered_to: str = Field(default="", max_length=200)  # "smtp.example.nl:587" or "outbox"
    subject: str = Field(default="", max_length=300)  # as sent, for the facilitator's list
    last_error: str = Field(default="", max_length=500)
