"""Retention: how long child-level data stays (`CHILD_DATA` in `services/classification.py`) and
its removal.

A cycle that has been closed for `retention_days` (admin setting, default
`DEFAULT_RETENTION_DAYS`) loses its child-level data, one transaction per cycle:

- removed: the sign-ups (first names, consent status) and with them the council members and their
  attendance; the tablets' tokens (`Device`); the brainstorm notes; the voting cards; the receipts;
  the display mode (`DisplayPreference`) of every tablet whose token is gone — in a run with no
  cycle due too (a booth paired anew leaves its old one behind);
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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, delete, or_, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.i18n import DEFAULT_LANGUAGE, t
from kinderwijkraad.models import (
    DEFAULT_RETENTION_DAYS,
    Attendance,
    Booth,
    BrainstormNote,
    Candidate,
    Classroom,
    CouncilMember,
    Cycle,
    Device,
    Installation,
    LessonRun,
    MailMessage,
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
    Team,
    User,
    VotingCard,
    WorkItem,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit, display
from kinderwijkraad.services.common import Actor, refused_as, require_role, validated

MAX_RETENTION_DAYS = 3650  # the PrivacySettings check constraint

# The kinds of rows and values a retention run removes or changes, in the order they are shown.
KINDS = ("candidates", "council_members", "attendance", "devices", "brainstorm_notes", "voting_cards",
         "receipts", "booth_tokens", "team_names", "texts_with_names")


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


def retention_days(session: Session) -> int:
    """The retention period in days: the admin's setting, or the default."""
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
class CycleScope:
    """The child-level rows of one cycle, as subqueries."""

    classrooms: object
    runs: object
    polls: object
    candidates: object
    members: object
    names: list[str] = field(default_factory=list)


def cycle_scope(session: Session, cycle_id: int) -> CycleScope:
    """The cycle's child-level rows and the first names signed up in it."""
    classrooms = select(Classroom.id).where(Classroom.cycle_id == cycle_id)
    runs = select(LessonRun.id).where(col(LessonRun.classroom_id).in_(classrooms))
    polls = select(Poll.id).where(or_(Poll.cycle_id == cycle_id, col(Poll.classroom_id).in_(classrooms)))
    candidates = select(Candidate.id).where(col(Candidate.classroom_id).in_(classrooms))
    members = select(CouncilMember.id).where(or_(CouncilMember.cycle_id == cycle_id,
                                                 col(CouncilMember.candidate_id).in_(candidates)))
    names = list(session.exec(select(Candidate.first_name).where(col(Candidate.classroom_id).in_(classrooms))))
    return CycleScope(classrooms, runs, polls, candidates, members, names)


def _count(session: Session, query) -> int:  # a select of one column
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


def text_rows(session: Session, cycle_id: int, scope: CycleScope) -> list[tuple[object, tuple[str, ...]]]:
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


def _texts_with_names(session: Session, cycle_id: int, scope: CycleScope) -> list[tuple[object, dict[str, object]]]:
    """The rows whose texts hold a signed-up child's first name, with their new values."""
    pattern = name_pattern(scope.names)
    if pattern is None:
        return []
    placeholder = name_placeholder()
    changes = []
    for row, fields in text_rows(session, cycle_id, scope):
        new = {name: _fit(row, name, _replace_names(getattr(row, name), pattern, placeholder)) for name in fields}
        new = {name: value for name, value in new.items() if value != getattr(row, name)}
        if new:
            changes.append((row, new))
    return changes


def _counts(session: Session, cycle_id: int, scope: CycleScope) -> dict[str, int]:
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
        # Not a child's data, but personal all the same: to whom the year's e-mails went.
        "mail_addresses": _count(session, select(MailMessage.id).where(
            MailMessage.cycle_id == cycle_id, MailMessage.to_address != "")),
    }


def retention_preview(engine: Engine, *, actor: Actor | None = None, now: datetime | None = None) -> RetentionPreview:
    """What a retention run would remove now, per due cycle, and which closed cycles are waiting.
    Only counts: no child data. With `actor`, admins only (the command line has none)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    now = now or utcnow()
    with read_session(engine) as session:
        days = retention_days(session)
        due, waiting = [], []
        for cycle in _closed_cycles(session):
            closed_at = as_utc(cycle.phase_changed_at)
            due_at = closed_at + timedelta(days=days)
            label = _cycle_label(session, cycle)
            if _is_due(cycle, days, now):
                due.append(CycleRetention(cycle.id, label, closed_at, due_at,
                                          _counts(session, cycle.id, cycle_scope(session, cycle.id))))
            else:
                waiting.append(CycleWaiting(cycle.id, label, closed_at, due_at))
    return RetentionPreview(days, now, tuple(due), tuple(sorted(waiting, key=lambda w: (w.due_at, w.cycle_id))))


def _remove(session: Session, cycle_id: int, scope: CycleScope) -> dict[str, int]:
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
    display.remove_orphaned_preferences(session)  # the tablets' display modes go with their tokens
    _rename_teams(session, scope)
    session.exec(update(MailMessage).where(col(MailMessage.cycle_id) == cycle_id).values(to_address="", to_name=""))
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


def _rename_teams(session: Session, scope: CycleScope) -> None:
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
        days = retention_days(session)
        candidates = [cycle.id for cycle in _closed_cycles(session) if _is_due(cycle, days, now)]
    run_id: int | None = None
    cleaned: list[CycleRetention] = []
    for cycle_id in candidates:
        with write_session(engine) as session:
            cycle = session.exec(select(Cycle).where(Cycle.id == cycle_id).with_for_update()).first()
            if cycle is None or not _is_due(cycle, retention_days(session), now):
                continue  # cleaned by another run, or the period was changed meanwhile
            counts = _remove(session, cycle.id, cycle_scope(session, cycle.id))
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
            display.remove_orphaned_preferences(session)  # modes of booths paired anew meanwhile
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
