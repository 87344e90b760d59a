"""Proposals (voorstellen) to partner organisations, each recipient's answer, reply links, the
feedback shared with classes, and the audit log (capabilities 6 and 7).

A proposal is written once and addressed to one or more recipients (organisations of the cycle's
partners). Every recipient has its own status, dates and answer, so the gemeente can say yes
while the woningcorporatie says no. The answer has a revision: whoever changes it must have seen
the current one (one conditional UPDATE), so nobody overwrites an answer they never saw.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlmodel import JSON, CheckConstraint, Column, Date, Field, SQLModel, UniqueConstraint

from kinderwijkraad.models.common import EMAIL_PATTERN, enum_type, utc_datetime_type, utcnow


class CostBand(StrEnum):
    UNKNOWN = "unknown"
    LOW = "low"  # bijna niets: under €500
    MEDIUM = "medium"  # een beetje: €500 to €5,000
    HIGH = "high"  # veel: over €5,000


class ProposalBase(SQLModel):
    """What the council asks, in the children's own words, with the facts an official needs."""

    title: str = Field(min_length=2, max_length=120)
    problem: str = Field(default="", max_length=4000)
    place: str = Field(default="", max_length=300)
    place_owner: str = Field(default="", max_length=200)
    idea: str = Field(default="", max_length=4000)
    beneficiaries: str = Field(default="", max_length=1000)
    children_contribution: str = Field(default="", max_length=2000)
    ask: str = Field(default="", max_length=2000)
    cost_band: CostBand = Field(default=CostBand.UNKNOWN, sa_type=enum_type(CostBand))
    # The adult contact for the recipient: the facilitator, never a child.
    contact_name: str = Field(default="", max_length=120)
    contact_role: str = Field(default="", max_length=120)
    contact_email: str = Field(default="", max_length=200, schema_extra={"pattern": EMAIL_PATTERN})
    contact_phone: str = Field(default="", max_length=40)


class ProposalInput(ProposalBase):
    """Input for writing or editing a proposal."""


class Proposal(ProposalBase, table=True):
    """A proposal of one cycle's council, usually from one theme of its top-3."""

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    poll_id: int | None = Field(default=None, foreign_key="poll.id")  # the vote that gives support
    revision: int = Field(default=0, ge=0)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class ProposalPlan(SQLModel, table=True):
    """The children's plans a proposal carries (their classes get the feedback, their photos go
    in the dossier)."""

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", primary_key=True, index=True)


class RecipientStatus(StrEnum):
    CONCEPT = "concept"
    SENT = "sent"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    DONE = "done"  # uitgevoerd


class Decision(StrEnum):
    ACCEPTED = "accepted"  # toegezegd
    PARTLY = "partly"
    REJECTED = "rejected"


class AnswerSource(StrEnum):
    ACCOUNT = "account"  # an official answered in the app
    LINK = "link"  # through a reply link
    ENTERED = "entered"  # the facilitator typed in an answer received by e-mail or letter


class Recipient(SQLModel, table=True):
    """One organisation a proposal is addressed to, its status with the date of each step, and
    its answer."""

    __table_args__ = (
        UniqueConstraint("proposal_id", "organisation_id"),
        CheckConstraint(
            "(decision IS NULL) = (status IN ('concept', 'sent', 'in_progress'))",
            name="answer_with_decision",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    status: RecipientStatus = Field(default=RecipientStatus.CONCEPT, sa_type=enum_type(RecipientStatus))
    reply_by: date | None = Field(default=None, sa_type=Date)
    sent_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    in_progress_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    answered_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    done_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    decision: Decision | None = Field(default=None, sa_type=enum_type(Decision))
    reasons: str = Field(default="", max_length=4000)
    next_step: str = Field(default="", max_length=2000)
    answer_contact: str = Field(default="", max_length=300)
    answered_by: str = Field(default="", max_length=120)
    answer_source: AnswerSource | None = Field(default=None, sa_type=enum_type(AnswerSource))
    answer_revision: int = Field(default=0, ge=0)
    # The facilitator's version of the answer in words children of 8 understand, and the answer
    # revision it was written for: a changed answer makes it out of date (services.feedback).
    child_answer: str = Field(default="", max_length=1000)
    child_next: str = Field(default="", max_length=500)
    child_answer_revision: int | None = Field(default=None)
    # The facilitator paused the e-mail reminders to this recipient (services/mail.py).
    reminders_paused: bool = Field(default=False)


class ReplyLink(SQLModel, table=True):
    """A link that lets one recipient answer one proposal without an account. Only the hash of
    its random token is stored; it expires and can be revoked."""

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="recipient.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=utc_datetime_type())
    revoked_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    last_used_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class FeedbackShare(SQLModel, table=True):
    """The moment a class was shown its feedback sheet ("Wat is er met jullie plannen gebeurd?")."""

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    classroom_id: int = Field(foreign_key="classroom.id", index=True)
    shared_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    shared_by: int = Field(foreign_key="user.id")


class AuditEntry(SQLModel, table=True):
    """Who did what, when: changes to polls, proposals and the council, logins and failed logins,
    refusals, views and exports of child-level data. Appended, never changed: each entry holds the
    hash of the previous one and its own (`services/audit.py` writes and verifies the chain), so an
    edited or deleted entry is found. `detail` holds ids, field names and statuses, never the data."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type(), index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(max_length=200)  # the user's name, or "antwoordlink" with the organisation
    action: str = Field(max_length=60)
    subject: str = Field(max_length=40)  # e.g. "proposal", "recipient", "reply_link", "user"
    subject_id: int | None = None
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id", index=True)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Unique: two entries can never follow the same one, so concurrent writers cannot fork the chain.
    prev_hash: str = Field(default="", max_length=64, unique=True)
    entry_hash: str = Field(default="", max_length=64, unique=True)


def audit_digest(prev_hash: str, at: datetime, user_id: int | None, actor: str, action: str, subject: str,
                 subject_id: int | None, cycle_id: int | None, detail: dict) -> str:
    """The hash of one audit entry, chained to the one before it: SHA-256 over a canonical JSON of
    every field (the time in UTC to the microsecond, as both databases store it)."""
    moment = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    canonical = json.dumps([prev_hash, moment, user_id, actor, action, subject, subject_id, cycle_id, detail],
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
