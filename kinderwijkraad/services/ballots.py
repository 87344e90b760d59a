"""Casting votes: with a voting card on any class tablet, in the booth one child at a time, or as
a class's paper tally.

The database decides every race. Using a card (or the booth's unlock) is one conditional UPDATE
that also checks the poll is open by this server's clock; the ballot and its receipt are
inserted in the same transaction. Two tablets submitting one card at the same moment therefore
give exactly one ballot. The hot path uses SQLAlchemy Core statements: the ORM's per-object
bookkeeping was most of the cost of a vote (see bench/votes.py).

A ballot row gets a random id and nothing that names its card, tablet or time; the receipt a
child sees is random too and stored apart from the ballot.
"""

from __future__ import annotations

import hashlib
import secrets
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, case, exists, func, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound, TooManyAttempts
from kinderwijkraad.exports.voting import (
    BallotPaper,
    CardPrint,
    CardSheet,
    render_ballot_papers_pdf,
    render_voting_cards_pdf,
)
from kinderwijkraad.i18n import t
from kinderwijkraad.models import (
    Ballot,
    BallotKind,
    Booth,
    Classroom,
    PaperTally,
    Plan,
    Poll,
    PollOption,
    PollStatus,
    Receipt,
    VotingCard,
)
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.models.voting import marks_per_ballot
from kinderwijkraad.services import polls
from kinderwijkraad.services.accounts import record_throttle_failure, throttle_wait_seconds
from kinderwijkraad.services.common import Actor, refused_as
from kinderwijkraad.services.lessons import device_context, normalise_code

CARD_LENGTH = 8  # 31^8 ≈ 850 billion codes, and guessing is throttled
RECEIPT_LENGTH = 8
FREE_CARD_FAILURES = 60  # per client address; a school shares one, and children mistype
MAX_PUPILS_PER_CARD_SHEET = 40


def normalise_card(code: str) -> str:
    """What a child types or a QR code carries: spaces, dashes and lower case are fine."""
    return normalise_code(code).replace("-", "")


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# --- what a valid ballot is ------------------------------------------------------------------


@dataclass(frozen=True)
class BallotRules:
    """A poll's ballot rules; fixed once the poll is open, so they may be cached."""

    poll_id: int
    kind: BallotKind
    max_choices: int
    dots_total: int
    dots_per_option: int
    allow_blank: bool
    block_own_plan: bool
    option_ids: frozenset[int]
    option_team: dict[int, int]  # option id -> team whose own plan it is


# Per engine (tests and the benchmark use several databases in one process, each numbering its
# polls from 1), per poll.
_rules_cache: weakref.WeakKeyDictionary[Engine, dict[int, BallotRules]] = weakref.WeakKeyDictionary()


def forget_rules(engine: Engine) -> None:
    """For a database emptied under a running engine (the tests do that): poll ids start again."""
    _rules_cache.pop(engine, None)


def _rules(engine: Engine, poll_id: int) -> BallotRules:
    cache = _rules_cache.setdefault(engine, {})
    rules = cache.get(poll_id)
    if rules is not None:
        return rules
    with read_session(engine) as session:
        poll = session.get(Poll, poll_id)
        if poll is None:
            raise NotFound("error.not_found.poll")
        options = session.exec(select(PollOption.id, PollOption.plan_id).where(PollOption.poll_id == poll_id)).all()
        teams = dict(session.exec(select(Plan.id, Plan.team_id).where(
            col(Plan.id).in_({plan for _, plan in options if plan} or {-1}))).all())
        rules = BallotRules(poll.id, poll.ballot_kind, poll.max_choices, poll.dots_total, poll.dots_per_option,
                            poll.allow_blank, poll.block_own_plan, frozenset(o for o, _ in options),
                            {o: teams[plan] for o, plan in options if plan in teams})
        if poll.opened_at is not None:  # before opening, options may still change
            cache[poll_id] = rules
        return rules


def check_choices(rules: BallotRules, choices: list[int], *, team_id: int | None = None) -> tuple[int, ...]:
    """The ballot as it will be stored, or InvalidInput saying what to fix, in the child's words.
    Approval and dots ballots are stored sorted: the order of tapping means nothing there."""
    try:
        choices = [int(c) for c in choices]
    except (TypeError, ValueError):
        raise InvalidInput("vote.unknown_option") from None
    if not choices:
        if rules.allow_blank:
            return ()
        raise InvalidInput("vote.choose_something")
    if any(c not in rules.option_ids for c in choices):
        raise InvalidInput("vote.unknown_option")
    if rules.block_own_plan and team_id is not None and any(rules.option_team.get(c) == team_id for c in choices):
        raise InvalidInput("vote.own_plan")
    if rules.kind == BallotKind.DOTS:
        if len(choices) > rules.dots_total:
            raise InvalidInput("vote.too_many_dots", count=rules.dots_total)
        if max(Counter(choices).values()) > rules.dots_per_option:
            raise InvalidInput("vote.too_many_dots_on_one", count=rules.dots_per_option)
        return tuple(sorted(choices))
    if len(set(choices)) != len(choices):
        raise InvalidInput("vote.twice")
    limit = marks_per_ballot(rules.kind, rules.max_choices, rules.dots_total)
    if len(choices) > limit:
        raise InvalidInput("vote.too_many", k=limit)
    return tuple(choices) if rules.kind == BallotKind.RANKING else tuple(sorted(choices))


def _poll_is_open(now: datetime):  # a SQL expression
    table = Poll.__table__
    return and_(table.c.opened_at.is_not(None), table.c.opened_at <= now, table.c.sealed.is_(False),
                or_(table.c.closed_at.is_(None), table.c.closed_at > now))


def _store(connection, poll_id: int, classroom_id: int, chosen: tuple[int, ...]) -> str:
    """Insert the ballot and its receipt; the caller's transaction decides whether both stay."""
    connection.execute(insert(Ballot.__table__).values(
        id=secrets.token_hex(16), poll_id=poll_id, classroom_id=classroom_id, choices=list(chosen)))
    receipt = polls.new_code(RECEIPT_LENGTH)
    connection.execute(insert(Receipt.__table__).values(poll_id=poll_id, code=receipt))
    return polls.show_code(receipt)


def _refusal(poll: Poll | None, now: datetime) -> NotAllowed:
    status = polls.poll_status(poll, now) if poll else PollStatus.CLOSED
    return NotAllowed("vote.poll_closed" if status == PollStatus.CLOSED else "vote.poll_not_open")


# --- voting cards ----------------------------------------------------------------------------


def _poll_and_class(session: Session, actor: Actor, poll_id: int, classroom_id: int) -> tuple[Poll, Classroom]:
    poll = polls.poll_in_scope(session, actor, poll_id)
    return poll, polls.classroom_of_poll(session, actor, poll, classroom_id)


def issue_cards(engine: Engine, *, actor: Actor, poll_id: int, classroom_id: int, count: int | None,
                base_url: str) -> CardSheet:
    """A fresh sheet of cards for a class. Codes are kept only as hashes, so a lost sheet cannot
    be printed again: a new sheet voids the class's unused cards instead."""
    with write_session(engine) as session:
        poll, classroom = _poll_and_class(session, actor, poll_id, classroom_id)
        if polls.poll_status(poll) == PollStatus.CLOSED:
            raise NotAllowed("vote.poll_closed")
        count = classroom.pupil_count if count is None else count
        if not 1 <= count <= MAX_PUPILS_PER_CARD_SHEET:
            raise InvalidInput("cards.count_range", high=MAX_PUPILS_PER_CARD_SHEET)
        session.execute(update(VotingCard).where(
            col(VotingCard.poll_id) == poll_id, col(VotingCard.classroom_id) == classroom_id,
            col(VotingCard.used).is_(False)).values(void=True))
        codes = [polls.new_code(CARD_LENGTH) for _ in range(count)]
        session.add_all(VotingCard(code_hash=_hash(code), poll_id=poll_id, classroom_id=classroom_id) for code in codes)
        label = polls.class_labels(session, [classroom])[classroom.id]
        title = poll.title
        polls.audit_poll(session, actor, poll, "poll.cards_issued", {"classroom_id": classroom_id, "cards": count})
    base = base_url.rstrip("/")
    return CardSheet(poll_title=title, class_label=label, instructions=t("cards.instructions"),
                     cards=[CardPrint(polls.show_code(code), f"{base}/stemmen?kaart={code}") for code in codes])


def issue_cards_pdf(engine: Engine, *, actor: Actor, poll_id: int, classroom_id: int, count: int | None,
                    base_url: str) -> bytes:
    """A fresh sheet of cards (see `issue_cards`) as a PDF to print and cut."""
    return render_voting_cards_pdf(issue_cards(engine, actor=actor, poll_id=poll_id, classroom_id=classroom_id,
                                               count=count, base_url=base_url))


def card_poll(engine: Engine, *, code: str, client: str) -> polls.PollView:
    """The poll a card votes in, for the ballot screen, without using the card. Unknown codes
    count against the client, so cards cannot be found by trying."""
    now = utcnow()
    keys = {f"card:{client}": FREE_CARD_FAILURES}
    with read_session(engine) as session:
        wait = throttle_wait_seconds(session, keys, now)
        if wait > 0:
            raise TooManyAttempts("vote.throttled", count=wait)
        card = session.get(VotingCard, _hash(normalise_card(code)))
        if card is not None and not card.void:
            if card.used:
                raise Conflict("vote.card_used")
            poll = session.get(Poll, card.poll_id)
            if polls.poll_status(poll, now) != PollStatus.OPEN:
                raise _refusal(poll, now)
            return polls.view_of(session, poll, now)
    with write_session(engine) as session:
        record_throttle_failure(session, keys, now)
    raise NotFound("vote.unknown_card")


def cast_with_card(engine: Engine, *, code: str, choices: list[int], device_token: str | None = None) -> str:
    """Use the card and store the ballot, in one transaction; returns the child's receipt code."""
    code_hash = _hash(normalise_card(code))
    with read_session(engine) as session:
        card = session.get(VotingCard, code_hash)
    if card is None or card.void:
        raise NotFound("vote.unknown_card")
    rules = _rules(engine, card.poll_id)
    device = device_context(engine, device_token) if rules.block_own_plan else None
    chosen = check_choices(rules, choices, team_id=device.team_id if device else None)
    now = utcnow()
    cards = VotingCard.__table__
    with engine.execution_options(kwr_write=True).begin() as connection:
        used = connection.execute(update(cards).where(
            cards.c.code_hash == code_hash, cards.c.used.is_(False), cards.c.void.is_(False),
            exists().where(Poll.__table__.c.id == cards.c.poll_id, _poll_is_open(now)),
        ).values(used=True)).rowcount
        if used == 1:
            return _store(connection, card.poll_id, card.classroom_id, chosen)
    with read_session(engine) as session:
        card = session.get(VotingCard, code_hash)
        if card.used:
            raise Conflict("vote.card_used")
        if card.void:  # a new sheet was printed for the class a moment ago
            raise NotFound("vote.unknown_card")
        raise _refusal(session.get(Poll, card.poll_id), now)


@dataclass(frozen=True)
class CardCount:
    classroom_id: int
    issued: int
    used: int


def card_counts(engine: Engine, *, actor: Actor, poll_id: int) -> dict[int, CardCount]:
    """Per class: valid cards printed and cards used (a used card is a ballot)."""
    with read_session(engine) as session:
        poll = polls.poll_in_scope(session, actor, poll_id)
        used = func.sum(case((col(VotingCard.used), 1), else_=0))
        rows = session.exec(select(VotingCard.classroom_id, func.count(), used)
            .where(VotingCard.poll_id == poll.id, col(VotingCard.void).is_(False))
            .group_by(VotingCard.classroom_id)).all()
        return {c: CardCount(c, issued, int(used or 0)) for c, issued, used in rows}


# --- the booth ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoothView:
    id: int
    classroom_id: int
    pair_code: str
    paired: bool
    unlocked: bool
    voters: int
    present: int


def _booth_view(booth: Booth) -> BoothView:
    return BoothView(booth.id, booth.classroom_id, booth.pair_code, booth.token_hash is not None, booth.unlocked,
                     booth.voters, booth.present)


def booth_for(engine: Engine, *, actor: Actor, poll_id: int, classroom_id: int) -> BoothView:
    """The class's booth for this poll, made on first use with a code to pair the booth tablet."""
    for _attempt in range(5):
        try:
            with write_session(engine) as session:
                poll, classroom = _poll_and_class(session, actor, poll_id, classroom_id)
                booth = session.exec(select(Booth).where(Booth.poll_id == poll_id,
                                                         Booth.classroom_id == classroom_id)).first()
                if booth is None:
                    booth = Booth(poll_id=poll_id, classroom_id=classroom_id, pair_code=polls.new_code(6),
                                  present=classroom.pupil_count)
                    session.add(booth)
                    session.flush()
                return _booth_view(booth)
        except IntegrityError:  # the same booth made by a second click, or a code taken: read again
            continue
    raise Conflict("booth.busy")


def _booth_in_scope(session: Session, actor: Actor, booth_id: int) -> Booth:
    booth = session.get(Booth, booth_id)
    if booth is None:
        raise NotFound("error.not_found.booth")
    _poll_and_class(session, actor, booth.poll_id, booth.classroom_id)
    return booth


def repair_booth(engine: Engine, *, actor: Actor, booth_id: int) -> BoothView:
    """Forget the paired tablet (lost, or the wrong one) and give a new pairing code."""
    with write_session(engine) as session, refused_as("booth.busy"):
        booth = _booth_in_scope(session, actor, booth_id)
        booth.pair_code, booth.token_hash, booth.unlocked = polls.new_code(6), None, False
        session.add(booth)
        session.flush()
        return _booth_view(booth)


def booth_status(engine: Engine, *, actor: Actor, booth_id: int) -> BoothView:
    with read_session(engine) as session:
        return _booth_view(_booth_in_scope(session, actor, booth_id))


def set_booth(engine: Engine, *, actor: Actor, booth_id: int, unlocked: bool | None = None,
              present: int | None = None) -> None:
    """The teacher unlocks the booth for the next voter (or locks it again), or says how many
    pupils are present. Unlocking twice lets one child vote, not two."""
    with write_session(engine) as session:
        booth = _booth_in_scope(session, actor, booth_id)
        values: dict[str, object] = {}
        if unlocked is not None:
            if unlocked and polls.poll_status(session.get(Poll, booth.poll_id)) != PollStatus.OPEN:
                raise NotAllowed("vote.poll_not_open")
            if unlocked and booth.token_hash is None:
                raise InvalidInput("booth.not_paired")
            values["unlocked"] = unlocked
        if present is not None:
            if not 0 <= present <= 40:
                raise InvalidInput("validation.out_of_range", field="present", low=0, high=40)
            values["present"] = present
        if values:
            session.execute(update(Booth).where(col(Booth.id) == booth_id).values(**values))


def pair_booth(engine: Engine, *, code: str, client: str) -> str:
    """Make this tablet the booth whose code the teacher shows; returns the tablet's token."""
    now = utcnow()
    keys = {f"booth:{client}": FREE_CARD_FAILURES}
    token = secrets.token_urlsafe(24)
    with write_session(engine) as session:
        wait = throttle_wait_seconds(session, keys, now)
        if wait > 0:
            raise TooManyAttempts("vote.throttled", count=wait)
        paired = session.execute(update(Booth).where(
            col(Booth.pair_code) == normalise_code(code), col(Booth.token_hash).is_(None),
        ).values(token_hash=_hash(token))).rowcount
    if paired == 1:
        return token
    with write_session(engine) as session:
        record_throttle_failure(session, keys, now)
    raise NotFound("booth.unknown_code")


@dataclass(frozen=True)
class BoothScreen:
    booth_id: int
    class_label: str
    unlocked: bool
    poll: polls.PollView


def booth_screen(engine: Engine, token: str | None) -> BoothScreen | None:
    """What the booth tablet shows; None when it is not (or no longer) paired."""
    if not token:
        return None
    with read_session(engine) as session:
        booth = session.exec(select(Booth).where(Booth.token_hash == _hash(token))).first()
        if booth is None:
            return None
        classroom = session.get(Classroom, booth.classroom_id)
        return BoothScreen(booth.id, polls.class_labels(session, [classroom])[classroom.id], booth.unlocked,
                           polls.view_of(session, session.get(Poll, booth.poll_id)))


def cast_in_booth(engine: Engine, *, token: str, choices: list[int]) -> str:
    """The unlocked booth's vote: the unlock is used and the ballot stored in one transaction."""
    token_hash = _hash(token)
    with read_session(engine) as session:
        booth = session.exec(select(Booth).where(Booth.token_hash == token_hash)).first()
    if booth is None:
        raise NotAllowed("booth.not_paired")
    chosen = check_choices(_rules(engine, booth.poll_id), choices)
    now = utcnow()
    booths = Booth.__table__
    with engine.execution_options(kwr_write=True).begin() as connection:
        used = connection.execute(update(booths).where(
            booths.c.token_hash == token_hash, booths.c.unlocked.is_(True),
            exists().where(Poll.__table__.c.id == booths.c.poll_id, _poll_is_open(now)),
        ).values(unlocked=False, voters=booths.c.voters + 1)).rowcount
        if used == 1:
            return _store(connection, booth.poll_id, booth.classroom_id, chosen)
    with read_session(engine) as session:
        poll = session.get(Poll, booth.poll_id)
        if polls.poll_status(poll, now) != PollStatus.OPEN:
            raise _refusal(poll, now)
    raise NotAllowed("booth.locked")


# --- paper ---------------------------------------------------------------------------------------


def _paper_instruction(poll: Poll) -> str:
    if poll.ballot_kind == BallotKind.SINGLE:
        return t("paper.instruction.single")
    if poll.ballot_kind == BallotKind.APPROVAL:
        return t("paper.instruction.approval", count=poll.max_choices)
    if poll.ballot_kind == BallotKind.DOTS:
        return t("paper.instruction.dots", count=poll.dots_total, m=poll.dots_per_option)
    return t("paper.instruction.ranking", k=poll.max_choices)


def ballot_paper(engine: Engine, *, actor: Actor, poll_id: int, classroom_id: int) -> BallotPaper:
    """Ballot papers for a class that votes on paper, one per pupil."""
    with read_session(engine) as session:
        poll, classroom = _poll_and_class(session, actor, poll_id, classroom_id)
        view = polls.view_of(session, poll)
        return BallotPaper(poll_title=poll.title, class_label=polls.class_labels(session, [classroom])[classroom.id],
                           question=poll.question or t("paper.default_question"),
                           instruction=_paper_instruction(poll), options=[o.label for o in view.options],
                           copies=classroom.pupil_count)


def ballot_paper_pdf(engine: Engine, *, actor: Actor, poll_id: int, classroom_id: int) -> bytes:
    """The ballot papers (see `ballot_paper`) as a PDF, two to an A4 page."""
    return render_ballot_papers_pdf(ballot_paper(engine, actor=actor, poll_id=poll_id, classroom_id=classroom_id))


def check_paper_counts(rules: BallotRules, papers: int, counts: dict[int, int]) -> dict[str, int]:
    """A class's paper count is plausible: no option marked on more papers than there are, and no
    more marks in all than the papers allow (k each; n dots each)."""
    try:
        counts = {int(option): int(marks) for option, marks in counts.items()}
    except (TypeError, ValueError):
        raise InvalidInput("paper.not_a_number") from None
    if any(option not in rules.option_ids for option in counts):
        raise InvalidInput("vote.unknown_option")
    if any(int(marks) < 0 for marks in counts.values()):
        raise InvalidInput("paper.negative")
    per_option = papers * (rules.dots_per_option if rules.kind == BallotKind.DOTS else 1)
    per_paper = marks_per_ballot(rules.kind, rules.max_choices, rules.dots_total)
    if any(int(marks) > per_option for marks in counts.values()):
        raise InvalidInput("paper.option_above_papers", count=per_option)
    if sum(int(m) for m in counts.values()) > per_paper * papers:
        raise InvalidInput("paper.total_too_high", most=per_paper * papers, k=per_paper)
    return {str(int(option)): int(marks) for option, marks in counts.items() if int(marks) > 0}


def enter_paper(engine: Engine, *, actor: Actor, poll_id: int, classroom_id: int, papers: int,
                counts: dict[int, int]) -> None:
    """Store (or correct) a class's paper count while the poll is open."""
    rules = _rules(engine, poll_id)
    if rules.kind == BallotKind.RANKING:
        raise InvalidInput("paper.not_for_ranking")
    with write_session(engine) as session, refused_as("paper.entered_twice"):
        poll, classroom = _poll_and_class(session, actor, poll_id, classroom_id)
        if polls.poll_status(poll) != PollStatus.OPEN:
            raise NotAllowed("paper.poll_not_open")
        if not 0 <= papers <= classroom.pupil_count:
            raise InvalidInput("paper.papers_range", high=classroom.pupil_count)
        cleaned = check_paper_counts(rules, papers, counts)
        tally = session.exec(select(PaperTally).where(PaperTally.poll_id == poll_id,
                                                      PaperTally.classroom_id == classroom_id)).first()
        tally = tally or PaperTally(poll_id=poll_id, classroom_id=classroom_id, papers=0, entered_by=actor.user_id)
        tally.papers, tally.counts, tally.entered_by, tally.entered_at = papers, cleaned, actor.user_id, utcnow()
        session.add(tally)
        polls.audit_poll(session, actor, poll, "poll.paper_entered", {"classroom_id": classroom_id, "papers": papers})


def paper_entry(engine: Engine, *, actor: Actor, poll_id: int, classroom_id: int) -> tuple[int, dict[int, int]] | None:
    """A class's stored paper count (papers, marks per option), for correcting it."""
    with read_session(engine) as session:
        _poll_and_class(session, actor, poll_id, classroom_id)
        tally = session.exec(select(PaperTally).where(PaperTally.poll_id == poll_id,
                                                      PaperTally.classroom_id == classroom_id)).first()
        return (tally.papers, {int(k): v for k, v in tally.counts.items()}) if tally else None


def team_of_device(engine: Engine, token: str | None) -> int | None:
    """The team a joined tablet belongs to (for the own-plan rule), or None."""
    device = device_context(engine, token)
    return device.team_id if device else None
