"""Lesson series as data, lesson runs in a class, teams, brainstorm notes, plans and themes
(capabilities 2 and 3).

A lesson series is a template (YAML in `assets/templates/`, or edited in the app): its schema is
the non-table models below. Stored templates are versioned rows; a lesson run points at the exact
version it started with, so editing a template never changes a lesson that is under way.
Children have no accounts: a tablet joins a run with the class code and belongs to a team.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator, model_validator
from sqlmodel import JSON, Column, Field, Index, SQLModel, UniqueConstraint, text

from kinderwijkraad.models.common import enum_type, utc_datetime_type, utcnow

# --- the template schema -------------------------------------------------------------------


class StepKind(StrEnum):
    EXPLAIN = "explain"
    DISCUSS = "discuss"
    BRAINSTORM = "brainstorm"
    WRITE_PLANS = "write_plans"
    PRESENT = "present"
    VOTE = "vote"
    SIGN_UP = "sign_up"


class FieldType(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    PHOTO = "photo"


class Text(SQLModel):
    """A text in Dutch, and in English when the template has it (Dutch is shown otherwise)."""

    nl: str = Field(min_length=1, max_length=2000)
    en: str = Field(default="", max_length=2000)

    def get(self, language: str) -> str:
        return (self.en if language == "en" else "") or self.nl


IMAGE_PATTERN = r"^[a-z0-9_-]+(/[a-z0-9_-]+)*\.(png|jpg|jpeg|svg)$"  # a file under assets/, no ".."
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class Step(SQLModel):
    kind: StepKind
    title: Text
    teacher_text: Text
    children_text: Text
    image: str | None = Field(default=None, max_length=200, schema_extra={"pattern": IMAGE_PATTERN})
    minutes: int = Field(ge=1, le=90)
    # A picture beside the step's question: a pictogram name of assets/pictograms/ or one emoji
    # (services.templates checks which, with services.pictograms).
    pictogram: str | None = Field(default=None, max_length=40)


class Lesson(SQLModel):
    title: Text
    steps: list[Step] = Field(min_length=1, max_length=40)


class PlanField(SQLModel):
    name: str = Field(schema_extra={"pattern": NAME_PATTERN})
    label: Text
    type: FieldType
    required: bool = False
    max_length: int = Field(default=500, ge=1, le=2000)
    help: Text | None = None
    options: list[Text] = Field(default_factory=list, max_length=20)
    pictogram: str | None = Field(default=None, max_length=40)  # as Step.pictogram

    @model_validator(mode="after")
    def choices_have_options(self) -> PlanField:
        if self.type == FieldType.CHOICE and len(self.options) < 2:
            raise ValueError("a choice field needs at least two options")
        return self


class PlanForm(SQLModel):
    fields: list[PlanField] = Field(min_length=1, max_length=20)

    @field_validator("fields")
    @classmethod
    def names_are_unique_and_one_title(cls, fields: list[PlanField]) -> list[PlanField]:
        names = [f.name for f in fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"field names must be unique: {', '.join(duplicates)}")
        if "title" not in names:
            raise ValueError("the plan form needs a field named 'title'")
        if sum(f.type == FieldType.PHOTO for f in fields) > 1:
            raise ValueError("a plan has at most one photo field")
        return fields

    def field(self, name: str) -> PlanField | None:
        return next((f for f in self.fields if f.name == name), None)


class LessonSeries(SQLModel):
    """One template: a series of lessons and the form the children's plans are written on."""

    name: Text
    description: Text
    lessons: list[Lesson] = Field(min_length=1, max_length=10)
    plan_form: PlanForm
    # The youngest groep (5–8) that reads the children's texts; the template editor warns about a
    # text above its reading level (services/readability.py: Flesch–Douma and sentence length).
    reading_group: int = Field(default=6, ge=5, le=8)


# --- stored templates and runs -------------------------------------------------------------


class LessonTemplate(SQLModel, table=True):
    """One version of a lesson series. Versions are never changed, only added."""

    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, index=True)
    version: int = Field(ge=1)
    content: dict = Field(sa_column=Column(JSON, nullable=False))  # a validated LessonSeries
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())

    def series(self) -> LessonSeries:
        return LessonSeries.model_validate(self.content)


class LessonRun(SQLModel, table=True):
    """One lesson given in one class: where the class is, its timer, and its join code."""

    # At most one open lesson per class, decided by the database: two "start" clicks at once
    # cannot leave two runs open (the later start ends the earlier one and retries).
    __table_args__ = (
        Index("uq_lessonrun_open_classroom", "classroom_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    classroom_id: int = Field(foreign_key="classroom.id", index=True)
    template_id: int = Field(foreign_key="lessontemplate.id")
    lesson_index: int = Field(ge=0)
    step_index: int = Field(default=0, ge=0)
    # The step timer: running since a moment, plus what ran before a pause.
    timer_started_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
    timer_elapsed_seconds: int = Field(default=0, ge=0)
    presented_plan_id: int | None = Field(default=None)  # the plan on the smartboard in a present step
    join_code: str = Field(max_length=6, unique=True)
    code_expires_at: datetime = Field(sa_type=utc_datetime_type())
    started_by: int = Field(foreign_key="user.id")
    started_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    ended_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())


class Team(SQLModel, table=True):
    """A small group of children writing one plan; named, never a list of children."""

    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="lessonrun.id", index=True)
    name: str = Field(min_length=1, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class Device(SQLModel, table=True):
    """A joined tablet: only the hash of its random token is stored."""

    token_hash: str = Field(primary_key=True, max_length=64)
    run_id: int = Field(foreign_key="lessonrun.id", index=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class DisplayPreference(SQLModel, table=True):
    """How one tablet shows the children's pages: bigger text, high contrast. Keyed by the hash of
    the token in the tablet's address (a team tablet's or a booth's), so it lasts for the lesson
    and nothing about a child is kept."""

    token_hash: str = Field(primary_key=True, max_length=64)
    large_text: bool = False
    high_contrast: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class Mood(StrEnum):
    HAPPY = "happy"
    UNHAPPY = "unhappy"


class BrainstormNote(SQLModel, table=True):
    """A "gelukkig / ongelukkig" note from a tablet during a brainstorm step."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="lessonrun.id", index=True)
    team_id: int = Field(foreign_key="team.id")
    mood: Mood = Field(sa_type=enum_type(Mood))
    text: str = Field(min_length=1, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class Theme(SQLModel, table=True):
    """A cluster of plans across the classes and schools of one cycle, made by the facilitator."""

    __table_args__ = (UniqueConstraint("cycle_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    name: str = Field(min_length=2, max_length=80)
    # A picture shown beside the name (never instead of it): a pictogram of the built-in set in
    # assets/pictograms/ by its name, or one emoji. None: just the name.
    pictogram: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())


class Plan(SQLModel, table=True):
    """A team's plan: the answers to the plan form of the run's template version."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="lessonrun.id", index=True)
    team_id: int = Field(foreign_key="team.id", unique=True)
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    photo_name: str | None = Field(default=None, max_length=40)
    status: PlanStatus = Field(default=PlanStatus.DRAFT, sa_type=enum_type(PlanStatus))
    # Bumped by every change: the teacher approves or corrects the revision they saw, and a
    # tablet notices when another tablet or the teacher changed the plan.
    revision: int = Field(default=0, ge=0)
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=utc_datetime_type())
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    approved_at: datetime | None = Field(default=None, sa_type=utc_datetime_type())
