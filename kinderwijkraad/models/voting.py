"""Secret votes: polls, their options, voting cards, booths, ballots, receipts, paper tallies, and
the children who sign up for the council.

Secrecy is a property of the tables, not of the screens: a `Ballot` holds its poll, its class
and its choices under a random id — no card, no device, no time. Receipts live in their own table
with their own random ids, so a receipt proves a ballot was counted without pointing at it. On
SQLite both tables are stored WITHOUT ROWID, so their physical order is the random id's order,
not the order of arrival.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import JSON, CheckConstraint, Column, Field, SQLModel, UniqueConstraint

from kinderwijkraad.models.common import enum_type, utc_datetime_type, utcnow
from kinderwijkraad.models.council import Consent


class BallotKind(StrEnum):
    SINGLE = "single"  # one option
    APPROVAL = "approval"  # up to k options ("kies er 3")
    RANKING = "ranking"  # an ordered list of up to k options
    DOTS = "dots"  # n dots to spread, at most m on one option


class CountMethod(StrEnum):
    """The counting rule a poll's results are shown with; the names match `voting.Method`."""

    PLURALITY = "plurality"
    APPROVAL = "approval"
    BORDA = "borda"
    IRV = "irv"
    DOTS = "dots"


class OptionSubject(StrEnum):
    THEMES = "themes"
    PLANS = "plans"


class PollStatus(StrEnum):
    """Where a poll stands. Not stored: `services.polls.poll_status` reads it from `opened_at` and
    `closed_at` by the server's clock, so a planned close needs no job to run."""

    DRAFT = "draft"  # options and settings may still change
    OPEN = "open"  # classes vote; only turnout is shown
    CLOSED = "closed"  # results are shown


METHODS_FOR_KIND: dict[BallotKind, tuple[CountMethod, ...]] = {
    BallotKind.SINGLE: (CountMethod.PLURALITY,),
    BallotKind.APPROVAL: (CountMethod.APPROVAL,),
    # A ranking says the most, so it can be counted every way (plurality takes the first choice,
    # approval the set); that is what "Hoe tel je stemmen?" shows.
    BallotKind.RANKING: (CountMethod.BORDA, CountMethod.IRV, CountMethod.PLURALITY, CountMethod.APPROVAL),
    BallotKind.DOTS: (CountMethod.DOTS,),
}


def marks_per_ballot(kind: BallotKind, max_choices: int, dots_total: int) -> int:
    """The most one ballot can mark: one choice, k choices, or n dots."""
    return {BallotKind.SINGLE: 1, BallotKind.DOTS: dots_total}.get(kind, max_choices)


class PollSettings(SQLModel):
    """What the facilitator chooses for a poll; checked before anything is stored."""

    title: str = Field(min_length=2, max_length=120)
    question: str = Field(default="", max_length=300)
    subject: OptionSubject = OptionSubject.THEMES
    ballot_kind: BallotKind = BallotKind.APPROVAL
    method: CountMethod = CountMethod.APPROVAL
    max_choices: int = Field(default=3, ge=1, le=12)
    dots_total: int = Field(default=5, ge=1, le=20)
    dots_per_option: int = Field(default=3, ge=1, le=20)
    allow_blank: bool = False
    block_own_plan: bool = False


class Poll(SQLModel, table=True):
    """A vote: wijk-wide (a cycle; each class casts during its own lesson) or of one class.

    It is open while `opened_at <= now < closed_at` by the server's clock (no `closed_at`: open
    until someone closes it). Options are fixed once it has opened.
    """

    __table_args__ = (
        CheckConstraint("(cycle_id IS NULL) <> (classroom_id IS NULL)", name="one_scope"),
        CheckConstraint("max_choices BETWEEN 1 AND 12", name="max_choices_range"),
        CheckConstraint("dots_total BETWEEN 1 AND 20 AND dots_per_option BETWEEN 1 AND dots_total",
                        name="dots_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id", index=True)
    classroom_id: int | None = Field(default=None, foreign_key="classroom.id", index=True)
    title: str = Field(min_length=2, max_length=120)
    question: str = Field(default="", max_length=300)
    subject: OptionSubject = Field(default=OptionSubject.THEMES, sa_type=enum_type(OptionSubject))
    ballot_kind: BallotKind = Field(default=BallotKind.APPROVAL, sa_type=enum_type(BallotKind))
    method: CountMethod = Field(default=CountMethod.APPROVAL, sa_type=enum_type(CountMethod))
    max_choices: int = Field(default=3)  # k of approval and ranking
    dots_total: int = Field(default=5)  # n
    dots_per_option: int = Field(default=3)  # m
    allow_blank: bool = Field(default=False)
    block_own_plan: bool = Field(default=False)  # a team's tablet cannot vote for its own plan
    runoff_of: int | None = Field(default=None, foreign_key="poll.id")
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    opened_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    closed_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    # After the close, ballots, receipts and cards are written afresh once (services.polls.seal),
    # so neither their storage order nor PostgreSQL's transaction ids still tell who voted when.
    sealed: bool = Field(default=False)


class PollOption(SQLModel, table=True):
    """One thing to vote for: a theme or a plan of the poll's cycle, under the label children see."""

    __table_args__ = (UniqueConstraint("poll_id", "position"), UniqueConstraint("poll_id", "label"))

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int = Field(ge=0)
    label: str = Field(min_length=1, max_length=120)
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    plan_id: int | None = Field(default=None, foreign_key="plan.id")


class VotingCard(SQLModel, table=True):
    """A single-use voting card (stemkaart) for one pupil of one class; only the code's hash is kept.

    `used` is a flag, not a time, so the cards cannot be put in the order they were used.
    Reprinting a class's cards voids its unused ones.
    """

    __table_args__ = ({"sqlite_with_rowid": False},)

    code_hash: str = Field(primary_key=True, max_length=64)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    classroom_id: int = Field(foreign_key="classroom.id", index=True)
    used: bool = Field(default=False)
    void: bool = Field(default=False)


class Booth(SQLModel, table=True):
    """A shared tablet in the voting booth (stemhokje) of one class; the teacher unlocks it for
    one voter at a time from their own device."""

    __table_args__ = (UniqueConstraint("poll_id", "classroom_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    classroom_id: int = Field(foreign_key="classroom.id")
    pair_code: str = Field(max_length=6, unique=True)  # typed on the booth tablet once
    token_hash: str | None = Field(default=None, max_length=64, unique=True)  # the paired tablet
    unlocked: bool = Field(default=False)
    voters: int = Field(default=0, ge=0)  # ballots cast in this booth
    present: int = Field(default=0, ge=0)  # pupils present today, as the teacher says


class Ballot(SQLModel, table=True):
    """One cast ballot: its poll, its class (for per-class results and turnout), its choices in
    order (option ids; for dots an id once per dot; empty = blank). Nothing else, on purpose."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    id: str = Field(primary_key=True, max_length=32)  # random hex
    poll_id: int = Field(foreign_key="poll.id", index=True)
    classroom_id: int = Field(foreign_key="classroom.id")
    choices: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Receipt(SQLModel, table=True):
    """A receipt code shown to a child after voting, stored apart from the ballot it came with."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    code: str = Field(primary_key=True, max_length=16)


class PaperTally(SQLModel, table=True):
    """The counts of a class that voted on paper: papers handed in and marks per option."""

    __table_args__ = (
        UniqueConstraint("poll_id", "classroom_id"),
        CheckConstraint("papers BETWEEN 0 AND 40", name="papers_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    classroom_id: int = Field(foreign_key="classroom.id")
    papers: int = Field(ge=0)
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # option id -> marks
    entered_by: int = Field(foreign_key="user.id")
    entered_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class Candidate(SQLModel, table=True):
    """A child who wants to join the council, signed up from a tablet in a `sign_up` step."""

    __table_args__ = (UniqueConstraint("classroom_id", "first_name"),)

    id: int | None = Field(default=None, primary_key=True)
    classroom_id: int = Field(foreign_key="classroom.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="lessonrun.id")
    first_name: str = Field(min_length=1, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    # From the paper slip the child takes home; only "given" makes the child a council member.
    consent: Consent = Field(default=Consent.PENDING, sa_type=enum_type(Consent))
    consent_recorded_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
