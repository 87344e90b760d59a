"""The participation self-check (Lundy model): per dimension — space, voice, audience, influence —
three yes/no questions the facilitator answers for a cycle; the cycle's dashboard and its year
report show the score and what is still missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import InvalidInput
from kinderwijkraad.models import (
    SelfCheck,
    User,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, managed_cycle

# The participation self-check (Lundy model): per dimension three yes/no questions the facilitator
# answers for a cycle. Keys "dimension.question"; the texts are i18n keys "selfcheck.q.<key>".
SELF_CHECK: dict[str, tuple[str, ...]] = {
    "space": ("safe", "inclusive", "asked"),
    "voice": ("informed", "ways", "support"),
    "audience": ("who", "heard", "channel"),
    "influence": ("discussed", "told", "changed"),
}
QUESTIONS: tuple[str, ...] = tuple(f"{dimension}.{name}" for dimension, names in SELF_CHECK.items()
                                   for name in names)


@dataclass(frozen=True)
class DimensionScore:
    dimension: str  # "space", "voice", "audience", "influence"
    yes: int
    questions: int
    missing: tuple[str, ...]  # question keys answered "no" or not at all


@dataclass(frozen=True)
class SelfCheckView:
    cycle_id: int
    answers: dict[str, bool]
    dimensions: tuple[DimensionScore, ...]
    updated_at: datetime | None  # None: never filled in
    updated_by: str

    @property
    def yes(self) -> int:
        return sum(d.yes for d in self.dimensions)

    @property
    def questions(self) -> int:
        return sum(d.questions for d in self.dimensions)



def score_self_check(answers: Mapping[str, object]) -> tuple[DimensionScore, ...]:
    """Per Lundy dimension: the questions answered yes, and the ones still missing (pure)."""
    result = []
    for dimension, names in SELF_CHECK.items():
        keys = [f"{dimension}.{name}" for name in names]
        missing = tuple(key for key in keys if answers.get(key) is not True)
        result.append(DimensionScore(dimension, len(keys) - len(missing), len(keys), missing))
    return tuple(result)


def self_check_view(session: Session, cycle_id: int) -> SelfCheckView:
    """The cycle's answers and scores inside the caller's session."""
    row = session.get(SelfCheck, cycle_id)
    answers = {key: (row.answers.get(key) is True) if row else False for key in QUESTIONS}
    by = ""
    if row is not None and row.updated_by is not None:
        user = session.get(User, row.updated_by)
        by = user.display_name if user else ""
    return SelfCheckView(cycle_id, answers, score_self_check(answers), as_utc(row.updated_at) if row else None, by)


def self_check(engine: Engine, *, actor: Actor, cycle_id: int) -> SelfCheckView:
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        return self_check_view(session, cycle_id)


def save_self_check(engine: Engine, *, actor: Actor, cycle_id: int, answers: Mapping[str, bool]) -> SelfCheckView:
    """Store the facilitator's yes/no answers (a question left out is "no"); audited with the
    number of yes answers."""
    unknown = sorted(set(answers) - set(QUESTIONS))
    if unknown:
        raise InvalidInput("selfcheck.unknown_question", question=unknown[0])
    stored = {key: bool(answers.get(key, False)) for key in QUESTIONS}
    with write_session(engine) as session:
        managed_cycle(session, actor, cycle_id, lock=True)  # two first saves follow each other
        row = session.get(SelfCheck, cycle_id)
        if row is None:
            row = SelfCheck(cycle_id=cycle_id)
        row.answers = stored
        row.updated_at = utcnow()
        row.updated_by = actor.user_id
        session.add(row)
        session.flush()
        yes = sum(stored.values())
        audit.record(session, actor=actor, action="selfcheck.saved", subject="cycle", subject_id=cycle_id,
                     cycle_id=cycle_id, detail={"yes": yes, "questions": len(QUESTIONS)})
        return self_check_view(session, cycle_id)
