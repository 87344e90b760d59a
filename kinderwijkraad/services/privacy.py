"""Privacy by design (capability 9, issue 6): how long child-level data stays, its removal, and the
access request for one child.

The school board is the controller, the app (Kies&Co) the processor. Children have no accounts: a
child's first name is written down in one place only, the sign-up for the council (`Candidate`),
and everything else a child leaves is team work (a team's plan, its tablet) or anonymous (a
ballot). What is child-level data, and what happens to it, is listed once in `CHILD_DATA`; a test
holds every column of the schema against it, so a new column cannot slip in unclassified.

**Retention.** A cycle that has been closed for `retention_days` (admin setting, default
`DEFAULT_RETENTION_DAYS`) loses its child-level data, one transaction per cycle:

- removed: the sign-ups (first names, consent status) and with them the council members and their
  attendance; the tablets' tokens (`Device`); the brainstorm notes; the voting cards; the receipts;
- neutralised: the booths' tablet tokens are cleared; teams are renamed "Groepje 1", "Groepje 2"…
  (a plan belongs to a team by a unique key, so the team row stays and the plan stays readable);
  the first names of the cycle's signed-up children are replaced by "[naam]" in the free texts of
  the cycle (meetings, installation programme, work list, proposals, answers in children's words,
  plan texts) — whole words, any capitals, so a word that equals a name ("Roos") goes too;
- kept: anonymous ballots, paper tallies, polls and their options, themes, plans (texts and the
  photos or drawings of places — never of children), proposals, answers, feedback records and the
  audit log: the council's work and its aggregates.

What cannot be removed this way: a name of a child who never signed up, typed into a plan or a
minute (the app cannot know it is a name), and a photo that shows a person despite the rule (a
facilitator checks photos before anything is published).

Every run is recorded (`RetentionRun`: by whom, which cycles, how many of each kind) and audited;
a cycle that was cleaned carries `child_data_removed_at` and is never touched again.

**Access request.** `access_export` gathers what the app holds about one child of one class for
the school board; `exports/access.py` renders it as JSON and PDF. Votes are secret and so not in
it — the export says so. Admins and the wijk's facilitators only; every export is audited (the
class id, never the name).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, delete, or_, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import NotAllowed, NotFound
from kinderwijkraad.exports.access import AccessExport
from kinderwijkraad.i18n import DEFAULT_LANGUAGE, long_date, t
from kinderwijkraad.models import (
    DEFAULT_RETENTION_DAYS,
    Attendance,
    Booth,
    BrainstormNote,
    Candidate,
    Classroom,
    Consent,
    CouncilMember,
    CouncilRole,
    Cycle,
    Device,
    Installation,
    LessonRun,
    Meeting,
    Neighbourhood,
    Phase,
    Plan,
    Poll,
    PollOption,
    PrivacySettings,
    Proposal,
    Receipt,
    Recipient,
    RetentionRun,
    Role,
    School,
    Team,
    User,
    VotingCard,
    WorkItem,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, managed_cycle, refused_as, require_role, validated

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_RETENTION_DAYS = 3650  # the PrivacySettings check constraint

# --- what is child data, and what retention does with it -------------------------------------


class Handling(StrEnum):
    REMOVED = "removed"  # the row is deleted
    NEUTRALISED = "neutralised"  # the value is replaced by a neutral one ("Groepje 1", NULL)
    NAMES_REPLACED = "names_replaced"  # signed-up children's first names become "[naam]"
    KEPT = "kept"  # stays: the council's work, anonymous or aggregate


# Every column that holds (or can hold) data of or about children, and what retention does with
# it. tests/test_child_data_columns.py classifies every column of the schema and checks that its
# child columns are exactly these.
CHILD_DATA: dict[str, Handling] = {
    # the sign-up: the only place a child's name is written down
    "candidate.id": Handling.REMOVED,
    "candidate.classroom_id": Handling.REMOVED,
    "candidate.run_id": Handling.REMOVED,
    "candidate.first_name": Handling.REMOVED,
    "candidate.created_at": Handling.REMOVED,
    "candidate.consent": Handling.REMOVED,
    "candidate.consent_recorded_at": Handling.REMOVED,
    # the council: a member is a candidate with consent
    "councilmember.id": Handling.REMOVED,
    "councilmember.cycle_id": Handling.REMOVED,
    "councilmember.candidate_id": Handling.REMOVED,
    "councilmember.role": Handling.REMOVED,
    "councilmember.active": Handling.REMOVED,
    "councilmember.created_at": Handling.REMOVED,
    "attendance.meeting_id": Handling.REMOVED,
    "attendance.member_id": Handling.REMOVED,
    # tablets, cards, receipts: tokens that belong to a child or a team for a while
    "device.token_hash": Handling.REMOVED,
    "device.run_id": Handling.REMOVED,
    "device.team_id": Handling.REMOVED,
    "device.joined_at": Handling.REMOVED,
    "votingcard.code_hash": Handling.REMOVED,
    "votingcard.poll_id": Handling.REMOVED,
    "votingcard.classroom_id": Handling.REMOVED,
    "votingcard.used": Handling.REMOVED,
    "votingcard.void": Handling.REMOVED,
    "receipt.poll_id": Handling.REMOVED,
    "receipt.code": Handling.REMOVED,
    "booth.token_hash": Handling.NEUTRALISED,
    # children's own words during a lesson
    "brainstormnote.id": Handling.REMOVED,
    "brainstormnote.run_id": Handling.REMOVED,
    "brainstormnote.team_id": Handling.REMOVED,
    "brainstormnote.mood": Handling.REMOVED,
    "brainstormnote.text": Handling.REMOVED,
    "brainstormnote.created_at": Handling.REMOVED,
    "team.name": Handling.NEUTRALISED,
    # free texts that can hold a child's name
    "meeting.agenda": Handling.NAMES_REPLACED,
    "meeting.minutes": Handling.NAMES_REPLACED,
    "meeting.decisions": Handling.NAMES_REPLACED,
    "installation.programme": Handling.NAMES_REPLACED,
    "workitem.next_action": Handling.NAMES_REPLACED,
    "plan.answers": Handling.NAMES_REPLACED,
    "proposal.title": Handling.NAMES_REPLACED,
    "proposal.problem": Handling.NAMES_REPLACED,
    "proposal.place": Handling.NAMES_REPLACED,
    "proposal.idea": Handling.NAMES_REPLACED,
    "proposal.beneficiaries": Handling.NAMES_REPLACED,
    "proposal.children_contribution": Handling.NAMES_REPLACED,
    "proposal.ask": Handling.NAMES_REPLACED,
    "recipient.reasons": Handling.NAMES_REPLACED,
    "recipient.next_step": Handling.NAMES_REPLACED,
    "recipient.child_answer": Handling.NAMES_REPLACED,
    "recipient.child_next": Handling.NAMES_REPLACED,
    "polloption.label": Handling.NAMES_REPLACED,  # a plan's title as the children voted on it
    # kept: a photo or drawing of a place in the wijk — never of a child (the upload screen says
    # so, metadata is stripped on upload, and a facilitator looks before anything is published)
    "plan.photo_name": Handling.KEPT,
}
# Not child data: ballots (secret — a poll, a class and choices, nothing that points at a child),
# paper tallies and booth counts are aggregates; see tests/test_child_data_columns.py.

# The kinds of rows and values a retention run removes or changes, in the order they are shown.
KINDS = ("candidates", "council_members", "attendance", "devices", "brainstorm_notes", "voting_cards",
         "receipts", "booth_tokens", "team_names", "texts_with_names")

# The processing summary for the school board: one row per kind of data (texts under
# privacy.processing.<row>.{data,purpose,retention}), and how retention treats it.
PROCESSING: tuple[tuple[str, Handling], ...] = (
    ("sign_ups", Handling.REMOVED),
    ("council", Handling.REMOVED),
    ("tablets", Handling.REMOVED),
    ("cards", Handling.REMOVED),
    ("brainstorm", Handling.REMOVED),
    ("teams", Handling.NEUTRALISED),
    ("texts", Handling.NAMES_REPLACED),
    ("plans", Handling.KEPT),
    ("votes", Handling.KEPT),
    ("proposals", Handling.KEPT),
    ("staff", Handling.KEPT),
)


def neutral_team_name(number: int) -> str:
    """What a team is called once the children's own name for it is gone: "Groepje 3". Stored
    data, so in the app's default language whoever runs the retention."""
    return t("privacy.neutral_team", language=DEFAULT_LANGUAGE, n=number)


def name_placeholder() -> str:
    return t("privacy.name_removed", language=DEFAULT_LANGUAGE)


# --- settings ------------------------------------------------------------------------------


class RetentionInput(BaseModel):
    retention_days: int = Field(ge=0, le=MAX_RETENTION_DAYS)


@dataclass(frozen=True)
class RetentionSettings:
    retention_days: int
    updated_at: datetime | None  # None: never set, the default applies
    updated_by: str


def _retention_days(session: Session) -> int:
    row = session.get(PrivacySettings, 1)
    return row.retention_days if row is not None else DEFAULT_RETENTION_DAYS


def retention_settings(engine: Engine) -> RetentionSettings:
    """The retention period (no child data in it: everyone who shows the processing summary may
    read it)."""
    with read_session(engine) as session:
        row = session.get(PrivacySettings, 1)
        if row is None:
            return RetentionSettings(DEFAULT_RETENTION_DAYS, None, "")
        user = session.get(User, row.updated_by) if row.updated_by else None
        return RetentionSettings(row.retention_days, as_utc(row.updated_at), user.display_name if user else "")


def set_retention_days(engine: Engine, *, actor: Actor, days: int) -> RetentionSettings:
    """Change how many days after a cycle is closed its child-level data is removed (0–3650).
    Admins only; audited. Saving the same value changes nothing."""
    require_role(actor, Role.ADMIN)
    data = validated(RetentionInput, retention_days=days)
    with write_session(engine) as session:
        row = session.exec(select(PrivacySettings).where(PrivacySettings.id == 1).with_for_update()).first()
        previous = row.retention_days if row is not None else DEFAULT_RETENTION_DAYS
        if row is not None and previous == data.retention_days:
            return retention_settings(engine)
        if row is None:
            row = PrivacySettings(id=1)
            session.add(row)
        row.retention_days = data.retention_days
        row.updated_at = utcnow()
        row.updated_by = actor.user_id
        with refused_as("privacy.settings_conflict"):
            session.flush()
        audit.record(session, actor=actor, action="retention_days_set", subject="privacy_settings", subject_id=1,
                     cycle_id=None, detail={"retention_days": data.retention_days, "previous": previous})
    return retention_settings(engine)


# --- retention -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleRetention:
    """A closed cycle whose child-level data is due for removal, and how much of each kind."""

    cycle_id: int
    label: str  # "De Vogelbuurt — 2025-2026"
    closed_at: datetime
    due_at: datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CycleWaiting:
    """A closed cycle whose retention period has not passed yet."""

    cycle_id: int
    label: str
    closed_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class RetentionPreview:
    retention_days: int
    now: datetime
    due: tuple[CycleRetention, ...]  # what a run would remove now, oldest closed first
    waiting: tuple[CycleWaiting, ...]  # closed, not due yet, soonest first

    @property
    def totals(self) -> dict[str, int]:
        return _sum_counts(row.counts for row in self.due)


@dataclass(frozen=True)
class RetentionResult:
    run_id: int
    cycles: tuple[CycleRetention, ...]  # the cycles cleaned by this run, with what was removed

    @property
    def totals(self) -> dict[str, int]:
        return _sum_counts(row.counts for row in self.cycles)


@dataclass(frozen=True)
class RunView:
    id: int
    at: datetime
    by: str
    cycle_ids: tuple[int, ...]
    cycle_labels: tuple[str, ...]
    counts: dict[str, int]


def _sum_counts(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    totals = dict.fromkeys(KINDS, 0)
    for counts in rows:
        for kind, n in counts.items():
            totals[kind] = totals.get(kind, 0) + n
    return totals


def _cycle_label(session: Session, cycle: Cycle) -> str:
    return f"{session.get(Neighbourhood, cycle.neighbourhood_id).name} — {cycle.school_year}"


def _closed_cycles(session: Session) -> list[Cycle]:
    """Closed cycles whose child data is still there, oldest closed first."""
    rows = session.exec(select(Cycle).where(Cycle.phase == Phase.CLOSED,
                                            col(Cycle.child_data_removed_at).is_(None))).all()
    return sorted(rows, key=lambda c: (as_utc(c.phase_changed_at), c.id))


def _is_due(cycle: Cycle, days: int, now: datetime) -> bool:
    return (cycle.phase == Phase.CLOSED and cycle.child_data_removed_at is None
            and as_utc(cycle.phase_changed_at) + timedelta(days=days) <= now)


@dataclass
class _Scope:
    """The child-level rows of one cycle, as subqueries."""

    classrooms: object
    runs: object
    polls: object
    candidates: object
    members: object
    names: list[str] = field(default_factory=list)


def _scope(session: Session, cycle_id: int) -> _Scope:
    classrooms = select(Classroom.id).where(Classroom.cycle_id == cycle_id)
    runs = select(LessonRun.id).where(col(LessonRun.classroom_id).in_(classrooms))
    polls = select(Poll.id).where(or_(Poll.cycle_id == cycle_id, col(Poll.classroom_id).in_(classrooms)))
    candidates = select(Candidate.id).where(col(Candidate.classroom_id).in_(classrooms))
    members = select(CouncilMember.id).where(or_(CouncilMember.cycle_id == cycle_id,
                                                 col(CouncilMember.candidate_id).in_(candidates)))
    names = list(session.exec(select(Candidate.first_name).where(col(Candidate.classroom_id).in_(classrooms))))
    return _Scope(classrooms, runs, polls, candidates, members, names)


def _count(session: Session, query) -> int:  # noqa: ANN001 - a select of one column
    return session.exec(select(func.count()).select_from(query.subquery())).one()


# A name is found however it was typed: a tablet's curly apostrophe for "O'Neil", "Zoe" for "Zoë".
_APOSTROPHES = "'’ʼ‘`´"
_LETTER_VARIANTS = {base: base + accented for base, accented in (
    ("a", "áàâäãå"), ("c", "ç"), ("e", "éèêë"), ("i", "íìîï"), ("n", "ñ"), ("o", "óòôöõø"), ("u", "úùûü"),
    ("y", "ýÿ"),
)}


def _letter_class(char: str) -> str:
    if char in _APOSTROPHES:
        return "[" + re.escape(_APOSTROPHES) + "]"
    base = unicodedata.normalize("NFD", char.casefold())[0]
    variants = _LETTER_VARIANTS.get(base)
    return f"[{variants}]" if variants else re.escape(char)


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Whole-word matches of any of `names`, in any capitals, with any apostrophe and with or
    without accents; None without names."""
    unique = sorted({unicodedata.normalize("NFC", n).strip() for n in names if n.strip()}, key=len, reverse=True)
    if not unique:
        return None
    alternatives = "|".join("".join(_letter_class(char) for char in name) for name in unique)
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)


def _replace_names(value: object, pattern: re.Pattern[str], placeholder: str) -> object:
    """`value` (a text, or the JSON of a plan's answers) with every name replaced."""
    if isinstance(value, str):
        replaced, count = pattern.subn(placeholder, unicodedata.normalize("NFC", value))
        return replaced if count else value
    if isinstance(value, dict):
        return {key: _replace_names(item, pattern, placeholder) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_names(item, pattern, placeholder) for item in value]
    return value


_TEXT_FIELDS: tuple[tuple[type, tuple[str, ...]], ...] = (
    (Meeting, ("agenda", "minutes", "decisions")),
    (Installation, ("programme",)),
    (WorkItem, ("next_action",)),
    (Proposal, ("title", "problem", "place", "idea", "beneficiaries", "children_contribution", "ask")),
    (Recipient, ("reasons", "next_step", "child_answer", "child_next")),
    (Plan, ("answers",)),
    (PollOption, ("label",)),
)


def _text_rows(session: Session, cycle_id: int, scope: _Scope) -> list[tuple[object, tuple[str, ...]]]:
    """Every row of the cycle with free text, with the names of its text columns."""
    proposals = select(Proposal.id).where(Proposal.cycle_id == cycle_id)
    queries = {
        Meeting: select(Meeting).where(Meeting.cycle_id == cycle_id),
        Installation: select(Installation).where(Installation.cycle_id == cycle_id),
        WorkItem: select(WorkItem).where(WorkItem.cycle_id == cycle_id),
        Proposal: select(Proposal).where(Proposal.cycle_id == cycle_id),
        Recipient: select(Recipient).where(col(Recipient.proposal_id).in_(proposals)),
        Plan: select(Plan).where(col(Plan.run_id).in_(scope.runs)),
        PollOption: select(PollOption).where(col(PollOption.poll_id).in_(scope.polls)),
    }
    return [(row, fields) for model, fields in _TEXT_FIELDS for row in session.exec(queries[model])]


def _fit(row: object, name: str, value: object) -> object:
    """A text cut to its column's length: "[naam]" can be longer than the name it replaces."""
    limit = getattr(type(row).__table__.c[name].type, "length", None)
    if isinstance(value, str) and limit and len(value) > limit:
        return value[:limit - 1] + "…"
    return value


def _texts_with_names(session: Session, cycle_id: int, scope: _Scope) -> list[tuple[object, dict[str, object]]]:
    """The rows whose texts hold a signed-up child's first name, with their new values."""
    pattern = name_pattern(scope.names)
    if pattern is None:
        return []
    placeholder = name_placeholder()
    changes = []
    for row, fields in _text_rows(session, cycle_id, scope):
        new = {name: _fit(row, name, _replace_names(getattr(row, name), pattern, placeholder)) for name in fields}
        new = {name: value for name, value in new.items() if value != getattr(row, name)}
        if new:
            changes.append((row, new))
    return changes


def _counts(session: Session, cycle_id: int, scope: _Scope) -> dict[str, int]:
    return {
        "candidates": _count(session, scope.candidates),
        "council_members": _count(session, scope.members),
        "attendance": _count(session, select(Attendance.meeting_id).where(
            col(Attendance.member_id).in_(scope.members))),
        "devices": _count(session, select(Device.token_hash).where(col(Device.run_id).in_(scope.runs))),
        "brainstorm_notes": _count(session, select(BrainstormNote.id).where(
            col(BrainstormNote.run_id).in_(scope.runs))),
        "voting_cards": _count(session, select(VotingCard.code_hash).where(col(VotingCard.poll_id).in_(scope.polls))),
        "receipts": _count(session, select(Receipt.code).where(col(Receipt.poll_id).in_(scope.polls))),
        "booth_tokens": _count(session, select(Booth.id).where(col(Booth.poll_id).in_(scope.polls),
                                                               col(Booth.token_hash).is_not(None))),
        "team_names": _count(session, select(Team.id).where(col(Team.run_id).in_(scope.runs))),
        "texts_with_names": len(_texts_with_names(session, cycle_id, scope)),
    }


def retention_preview(engine: Engine, *, actor: Actor | None = None, now: datetime | None = None) -> RetentionPreview:
    """What a retention run would remove now, per due cycle, and which closed cycles are waiting.
    Only counts: no child data. With `actor`, admins only (the command line has none)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    now = now or utcnow()
    with read_session(engine) as session:
        days = _retention_days(session)
        due, waiting = [], []
        for cycle in _closed_cycles(session):
            closed_at = as_utc(cycle.phase_changed_at)
            due_at = closed_at + timedelta(days=days)
            label = _cycle_label(session, cycle)
            if _is_due(cycle, days, now):
                due.append(CycleRetention(cycle.id, label, closed_at, due_at,
                                          _counts(session, cycle.id, _scope(session, cycle.id))))
            else:
                waiting.append(CycleWaiting(cycle.id, label, closed_at, due_at))
    return RetentionPreview(days, now, tuple(due), tuple(sorted(waiting, key=lambda w: (w.due_at, w.cycle_id))))


def _remove(session: Session, cycle_id: int, scope: _Scope) -> dict[str, int]:
    """Remove and neutralise the cycle's child-level data; how much of each kind."""
    counts = _counts(session, cycle_id, scope)
    texts = _texts_with_names(session, cycle_id, scope)  # before the names go
    _keep_labels_unique(session, texts)
    for row, new in texts:
        for name, value in new.items():
            setattr(row, name, value)
        if isinstance(row, Proposal | Plan):
            row.revision += 1  # whoever has the old text open must reload before saving
    session.flush()
    # Attendance and members point at candidates: they go first.
    session.exec(delete(Attendance).where(col(Attendance.member_id).in_(scope.members)))
    member_ids = list(session.exec(scope.members))
    session.exec(delete(CouncilMember).where(col(CouncilMember.id).in_(member_ids or [-1])))
    session.exec(delete(Candidate).where(col(Candidate.id).in_(scope.candidates)))
    session.exec(delete(Device).where(col(Device.run_id).in_(scope.runs)))
    session.exec(delete(BrainstormNote).where(col(BrainstormNote.run_id).in_(scope.runs)))
    session.exec(delete(VotingCard).where(col(VotingCard.poll_id).in_(scope.polls)))
    session.exec(delete(Receipt).where(col(Receipt.poll_id).in_(scope.polls)))
    session.exec(update(Booth).where(col(Booth.poll_id).in_(scope.polls), col(Booth.token_hash).is_not(None))
                 .values(token_hash=None, unlocked=False))
    _rename_teams(session, scope)
    return counts


def _keep_labels_unique(session: Session, texts: list[tuple[object, dict[str, object]]]) -> None:
    """An option's label is unique in its poll: a label that becomes equal to another one gets a
    number ("[naam]s plan (2)")."""
    changed = [(row, new) for row, new in texts if isinstance(row, PollOption)]
    taken: dict[int, set[str]] = {}
    for row, _new in changed:
        if row.poll_id not in taken:
            changing = {other.id for other, _ in changed if other.poll_id == row.poll_id}
            taken[row.poll_id] = set(session.exec(select(PollOption.label).where(
                PollOption.poll_id == row.poll_id, col(PollOption.id).not_in(changing))))
    for row, new in changed:
        label, number = new["label"], 1
        while label in taken[row.poll_id]:
            number += 1
            suffix = f" ({number})"
            label = new["label"][:120 - len(suffix)] + suffix
        new["label"] = label[:120]
        taken[row.poll_id].add(new["label"])


def _rename_teams(session: Session, scope: _Scope) -> None:
    """Teams become "Groepje 1", "Groepje 2"… per lesson, in the order they were made. Names are
    unique per lesson: first every team gets a name no final one can have, then its final one."""
    teams = session.exec(select(Team).where(col(Team.run_id).in_(scope.runs)).order_by(Team.run_id, Team.id)).all()
    for team in teams:
        team.name = f"~{team.id}"
    session.flush()
    number: dict[int, int] = {}
    for team in teams:
        number[team.run_id] = number.get(team.run_id, 0) + 1
        team.name = neutral_team_name(number[team.run_id])
    session.flush()


def apply_retention(engine: Engine, *, actor: Actor | None = None, by_label: str = "",
                    now: datetime | None = None) -> RetentionResult:
    """Remove the child-level data of every due cycle, one transaction per cycle, each recorded
    in one `RetentionRun` and the audit log. A cycle another run cleaned meanwhile is skipped, so
    running twice removes nothing the second time. `actor` (an admin) or, from the command line,
    `by_label` says who ran it."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
        by = actor.display_name
    elif by_label.strip():
        by = by_label.strip()
    else:
        raise ValueError("apply_retention needs an actor or a by_label")
    now = now or utcnow()
    with read_session(engine) as session:
        days = _retention_days(session)
        candidates = [cycle.id for cycle in _closed_cycles(session) if _is_due(cycle, days, now)]
    run_id: int | None = None
    cleaned: list[CycleRetention] = []
    for cycle_id in candidates:
        with write_session(engine) as session:
            cycle = session.exec(select(Cycle).where(Cycle.id == cycle_id).with_for_update()).first()
            if cycle is None or not _is_due(cycle, _retention_days(session), now):
                continue  # cleaned by another run, or the period was changed meanwhile
            counts = _remove(session, cycle.id, _scope(session, cycle.id))
            cycle.child_data_removed_at = utcnow()
            run = _run_row(session, run_id, by)
            run.cycle_ids = [*run.cycle_ids, cycle.id]
            run.counts = _sum_counts([run.counts, counts])
            session.flush()
            run_id = run.id
            audit.record(session, actor=actor, actor_label=by, action="retention_applied", subject="cycle",
                         subject_id=cycle.id, cycle_id=cycle.id, detail={"run_id": run.id, "counts": counts})
            closed_at = as_utc(cycle.phase_changed_at)
            cleaned.append(CycleRetention(cycle.id, _cycle_label(session, cycle), closed_at,
                                          closed_at + timedelta(days=days), counts))
    if run_id is None:  # nothing was due: the run is still written down
        with write_session(engine) as session:
            run = _run_row(session, None, by)
            session.flush()
            run_id = run.id
            audit.record(session, actor=actor, actor_label=by, action="retention_applied", subject="retention_run",
                         subject_id=run.id, cycle_id=None, detail={"run_id": run.id, "cycles": 0})
    return RetentionResult(run_id, tuple(cleaned))


def _run_row(session: Session, run_id: int | None, by: str) -> RetentionRun:
    if run_id is not None:
        return session.get(RetentionRun, run_id)
    run = RetentionRun(by=by[:120], cycle_ids=[], counts=dict.fromkeys(KINDS, 0))
    session.add(run)
    return run


def last_run(engine: Engine, *, actor: Actor) -> RunView | None:
    """The most recent retention run, or None. Admins only."""
    require_role(actor, Role.ADMIN)
    with read_session(engine) as session:
        run = session.exec(select(RetentionRun).order_by(col(RetentionRun.at).desc(),
                                                         col(RetentionRun.id).desc()).limit(1)).first()
        if run is None:
            return None
        cycles = {c.id: c for c in session.exec(select(Cycle).where(col(Cycle.id).in_(run.cycle_ids or [-1])))}
        labels = tuple(_cycle_label(session, cycles[i]) if i in cycles else f"#{i}" for i in run.cycle_ids)
        return RunView(run.id, as_utc(run.at), run.by, tuple(run.cycle_ids), labels,
                       {kind: int(run.counts.get(kind, 0)) for kind in KINDS})


# --- the access request --------------------------------------------------------------------


@dataclass(frozen=True)
class ClassChoice:
    id: int
    label: str  # "OBS De Regenboog — Groep 8 (De Vogelbuurt, 2025-2026)"


def access_classrooms(engine: Engine, *, actor: Actor) -> list[ClassChoice]:
    """The classes whose children an access request can be made for: those of the actor's wijken
    (every class for an admin), newest school year first."""
    if actor.role not in (Role.ADMIN, Role.FACILITATOR):
        raise NotAllowed("error.not_allowed")
    with read_session(engine) as session:
        rows = session.exec(
            select(Classroom, School.name, Cycle, Neighbourhood.name)
            .join(School, col(School.id) == Classroom.school_id)
            .join(Cycle, col(Cycle.id) == Classroom.cycle_id)
            .join(Neighbourhood, col(Neighbourhood.id) == Cycle.neighbourhood_id)
        ).all()
    rows = [r for r in rows if actor.manages(r[2].neighbourhood_id)]
    rows.sort(key=lambda r: (r[3].casefold(), r[1].casefold(), r[0].name.casefold()))
    rows.sort(key=lambda r: r[2].school_year, reverse=True)  # stable: newest year first, then by name
    return [ClassChoice(c.id, f"{school} — {c.name} ({wijk}, {cycle.school_year})") for c, school, cycle, wijk in rows]


def _same_name(a: str, b: str) -> bool:
    """The same first name, however typed (capitals, spaces, apostrophes, accents)."""
    pattern = name_pattern([b])
    return pattern is not None and pattern.fullmatch(" ".join(unicodedata.normalize("NFC", a).split())) is not None


def access_export(engine: Engine, *, actor: Actor, classroom_id: int, first_name: str,
                  purpose: str = "json") -> AccessExport:
    """Everything the app holds about the child with this first name in this class: the sign-up
    with its consent status, council membership and role, meetings attended, and the class, school,
    wijk and school year; where else the name appears in the cycle's texts; the class's plans
    (written by teams: not linked to a child). Votes are secret and never linked to a child, so
    they are not in it. Admins and the class's wijk's facilitators only; every export (and every
    refused or fruitless one) is audited with the class id, never the name. `purpose` ("json" or
    "pdf") goes into the audit entry."""
    refusal: Exception | None = None
    export: AccessExport | None = None
    with read_session(engine) as session:
        classroom = session.get(Classroom, classroom_id)
        if classroom is None:
            raise NotFound("error.not_found.classroom")
        try:
            cycle = managed_cycle(session, actor, classroom.cycle_id)
        except NotAllowed as error:
            refusal, outcome = error, "refused"
        else:
            matches = [c for c in session.exec(select(Candidate).where(Candidate.classroom_id == classroom.id))
                       if _same_name(c.first_name, first_name)]
            if cycle.child_data_removed_at is not None:
                removed_on = as_utc(cycle.child_data_removed_at).astimezone(AMSTERDAM).date()
                refusal, outcome = NotFound("privacy.access.removed", date=long_date(removed_on)), "removed"
            elif not matches:
                refusal = NotFound("privacy.access.not_found", name=" ".join(first_name.split()))
                outcome = "not_found"
            else:
                candidate = min(matches, key=lambda c: (c.first_name != first_name.strip(), c.id))
                export, outcome = _gather(session, actor, cycle, classroom, candidate), "exported"
    # Refused and fruitless look-ups are written down too: they are attempts to read child data.
    audit.record_now(engine, actor=actor, action="access_export", subject="classroom", subject_id=classroom.id,
                     cycle_id=classroom.cycle_id,
                     detail={"classroom_id": classroom.id, "format": purpose, "outcome": outcome})
    if refusal is not None:
        raise refusal
    return export


def _gather(session: Session, actor: Actor, cycle: Cycle, classroom: Classroom, candidate: Candidate) -> AccessExport:
    school = session.get(School, classroom.school_id)
    wijk = session.get(Neighbourhood, cycle.neighbourhood_id)
    member = session.exec(select(CouncilMember).where(CouncilMember.candidate_id == candidate.id)).first()
    meetings = session.exec(select(Meeting).where(Meeting.cycle_id == cycle.id)
                            .order_by(Meeting.held_on, Meeting.id)).all()
    attended: tuple[date, ...] = ()
    if member is not None:
        present = set(session.exec(select(Attendance.meeting_id).where(Attendance.member_id == member.id)))
        attended = tuple(m.held_on for m in meetings if m.id in present)
    pattern = name_pattern([candidate.first_name])
    mentions = []
    for row, fields in _text_rows(session, cycle.id, _scope(session, cycle.id)):
        found = [name for name in fields
                 if pattern.search(unicodedata.normalize("NFC", _flat(getattr(row, name))))]
        if found and _in_class_or_cycle(session, row, classroom):
            mentions.append(_mention(session, row, found))
    plans = session.exec(select(Plan).join(LessonRun, col(LessonRun.id) == Plan.run_id)
                         .where(LessonRun.classroom_id == classroom.id).order_by(Plan.id)).all()
    titles = tuple(str(p.answers.get("title", "")).strip() for p in plans if str(p.answers.get("title", "")).strip())
    days = _retention_days(session)
    closed_at = as_utc(cycle.phase_changed_at) if cycle.phase == Phase.CLOSED else None
    return AccessExport(
        first_name=candidate.first_name, school=school.name, class_name=classroom.name, grade=classroom.grade,
        wijk=wijk.name, municipality=wijk.municipality, school_year=cycle.school_year,
        phase=Phase(cycle.phase).value, signed_up_at=as_utc(candidate.created_at),
        consent=Consent(candidate.consent).value, consent_recorded_at=as_utc(candidate.consent_recorded_at),
        council_role=CouncilRole(member.role).value if member else None, council_active=bool(member and member.active),
        member_since=as_utc(member.created_at) if member else None, meetings_attended=attended,
        meetings_held=len(meetings), mentions=tuple(mentions), class_plans=titles, retention_days=days,
        closed_at=closed_at, removal_due=closed_at + timedelta(days=days) if closed_at else None,
        generated_at=utcnow(), generated_by=actor.display_name,
    )


def _flat(value: object) -> str:
    if isinstance(value, dict):
        return "\n".join(_flat(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_flat(v) for v in value)
    return value if isinstance(value, str) else ""


def _in_class_or_cycle(session: Session, row: object, classroom: Classroom) -> bool:
    """Plans count only when they are of the child's own class; the cycle's other texts always."""
    if isinstance(row, Plan):
        return session.get(LessonRun, row.run_id).classroom_id == classroom.id
    return True


def _mention(session: Session, row: object, fields: list[str]) -> str:
    """Where a name appears, in words: "Bijeenkomst van 3 december 2025 (verslag)"."""
    names = ", ".join(t(f"field.{name}") for name in fields)
    if isinstance(row, Meeting):
        return t("privacy.mention.meeting", date=long_date(row.held_on), fields=names)
    if isinstance(row, Installation):
        return t("privacy.mention.installation", fields=names)
    if isinstance(row, WorkItem):
        return t("privacy.mention.work_item", fields=names)
    if isinstance(row, Proposal):
        return t("privacy.mention.proposal", title=row.title, fields=names)
    if isinstance(row, Recipient):
        proposal = session.get(Proposal, row.proposal_id)
        return t("privacy.mention.answer", title=proposal.title, fields=names)
    if isinstance(row, PollOption):
        return t("privacy.mention.poll_option", poll=session.get(Poll, row.poll_id).title)
    title = str(row.answers.get("title", "")).strip() or "—"
    return t("privacy.mention.plan", title=title)
