"""Children's plans: a team writes (autosaved), the teacher corrects and approves, the facilitator
clusters the plans of a whole cycle into themes.

A plan's fields are those of the plan form in the run's template version. Once approved, a team
can no longer change it: the save is one conditional UPDATE on the draft status, so an approval
and a last autosave cannot both win. A plan's authors are a team, never named children.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import (
    Classroom,
    Cycle,
    FieldType,
    LessonRun,
    LessonTemplate,
    Neighbourhood,
    Plan,
    PlanForm,
    PlanStatus,
    School,
    Team,
    Theme,
)
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import images, pictograms, similarity
from kinderwijkraad.services.common import Actor, clean_text, managed_cycle, refused_as
from kinderwijkraad.services.lessons import joined_device, run_in_scope

# --- the form ------------------------------------------------------------------------------


def _run_form(session: Session, run_id: int) -> PlanForm:
    """The plan form of the template version the run started with."""
    run = session.get(LessonRun, run_id)
    if run is None:
        raise NotFound("error.not_found.lesson_run")
    return session.get(LessonTemplate, run.template_id).series().plan_form


def plan_form(engine: Engine, run_id: int) -> PlanForm:
    with read_session(engine) as session:
        return _run_form(session, run_id)


def plan_form_for_plan(engine: Engine, plan_id: int) -> PlanForm:
    with read_session(engine) as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("error.not_found.plan")
        return _run_form(session, plan.run_id)


def check_answers(form: PlanForm, answers: dict[str, str], *, complete: bool = False) -> dict[str, str]:
    """Keep only the form's text and choice fields, trimmed; refuse a text that is too long or a
    choice that is not offered. `complete` also asks for the required fields (for approval)."""
    cleaned: dict[str, str] = {}
    for field in form.fields:
        if field.type == FieldType.PHOTO:
            continue
        value = clean_text(str(answers.get(field.name) or ""))
        if len(value) > field.max_length:
            # How much too long, so the team knows what to cut; the tablet keeps the text.
            raise InvalidInput("plan.too_long", label=field.label.nl, max=field.max_length,
                               count=len(value) - field.max_length)
        if field.type == FieldType.CHOICE and value and value not in {option.nl for option in field.options}:
            raise InvalidInput("plan.not_an_option", label=field.label.nl)
        if complete and field.required and not value:
            raise InvalidInput("plan.required_missing", label=field.label.nl)
        if value:
            cleaned[field.name] = value
    return cleaned


def filled_fields(form: PlanForm, answers: dict, photo_name: str | None) -> tuple[int, int]:
    """How many of the form's fields are filled, of how many: the teacher's progress view."""
    filled = sum(
        bool(photo_name) if field.type == FieldType.PHOTO else bool(answers.get(field.name)) for field in form.fields
    )
    return filled, len(form.fields)


# --- the team's plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    id: int | None
    run_id: int
    team_id: int
    team_name: str
    answers: dict[str, str]
    photo_name: str | None
    status: PlanStatus
    updated_at: datetime | None
    theme_id: int | None = None
    revision: int = 0

    @property
    def title(self) -> str:
        return self.answers.get("title", "")

    @property
    def approved(self) -> bool:
        return self.status == PlanStatus.APPROVED


def _view(plan: Plan | None, team: Team) -> PlanView:
    if plan is None:
        return PlanView(None, team.run_id, team.id, team.name, {}, None, PlanStatus.DRAFT, None)
    return PlanView(plan.id, plan.run_id, team.id, team.name, dict(plan.answers), plan.photo_name,
                    PlanStatus(plan.status), plan.updated_at, plan.theme_id, plan.revision)


def team_plan(engine: Engine, *, token: str) -> PlanView:
    device = joined_device(engine, token)
    with read_session(engine) as session:
        team = session.get(Team, device.team_id)
        plan = session.exec(select(Plan).where(Plan.team_id == team.id)).first()
        return _view(plan, team)


def plan_marker(engine: Engine, team_id: int) -> tuple[int, str] | None:
    """(revision, status) of a team's plan: what a tablet compares to notice a change by others."""
    with read_session(engine) as session:
        row = session.exec(select(Plan.revision, Plan.status).where(Plan.team_id == team_id)).first()
        return (row[0], str(row[1])) if row else None


def _locked_team_plan(session: Session, team: Team) -> Plan:
    """The team's plan row, made if missing, locked for this transaction (FOR UPDATE on
    PostgreSQL; SQLite's write transactions are already one at a time). Two tablets of a team
    saving the first time at once are fine: the unique team_id lets one insert win."""
    if session.exec(select(Plan.id).where(Plan.team_id == team.id)).first() is None:
        try:
            with session.begin_nested():
                session.add(Plan(run_id=team.run_id, team_id=team.id))
        except IntegrityError:
            pass
    return session.exec(select(Plan).where(Plan.team_id == team.id).with_for_update()).one()


def _team_may_change(session: Session, plan: Plan) -> None:
    """A team changes its plan only while its lesson is open and the plan is not approved (the
    token lives in the tablet's address and browser history, which outlive the lesson)."""
    if session.get(LessonRun, plan.run_id).ended_at is not None:
        raise Conflict("plan.lesson_over")
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("plan.approved_locked")


def _changed(plan: Plan) -> None:
    plan.revision += 1
    plan.updated_at = utcnow()


def save_field(engine: Engine, *, token: str, name: str, value: str) -> PlanView:
    """Autosave of one field from a team's tablet, merged into the stored plan, so two tablets of
    a team (or the teacher's correction) do not overwrite each other's other fields."""
    device = joined_device(engine, token)
    form = plan_form(engine, device.run_id)
    field = form.field(name)
    if field is None or field.type == FieldType.PHOTO:
        raise InvalidInput("plan.unknown_field")
    cleaned = check_answers(form, {name: value})
    with write_session(engine) as session:
        team = session.get(Team, device.team_id)
        plan = _locked_team_plan(session, team)
        _team_may_change(session, plan)
        answers = {key: text for key, text in plan.answers.items() if key != name}
        plan.answers = answers | cleaned
        _changed(plan)
        return _view(plan, team)


def save_answers(engine: Engine, *, token: str, answers: dict[str, str]) -> PlanView:
    """Save the whole form at once (the demo seed and tests); the same rules as save_field."""
    device = joined_device(engine, token)
    cleaned = check_answers(plan_form(engine, device.run_id), answers)
    with write_session(engine) as session:
        team = session.get(Team, device.team_id)
        plan = _locked_team_plan(session, team)
        _team_may_change(session, plan)
        plan.answers = cleaned
        _changed(plan)
        return _view(plan, team)


def save_photo(engine: Engine, *, token: str, data: bytes, directory: Path) -> PlanView:
    """A photo of the place: checked and cleaned (see services.images), stored under a new name;
    the photo it replaces is deleted once the change is committed."""
    device = joined_device(engine, token)
    name = images.store_photo(directory, images.clean_photo(data))
    try:
        with write_session(engine) as session:
            team = session.get(Team, device.team_id)
            plan = _locked_team_plan(session, team)
            _team_may_change(session, plan)
            replaced, plan.photo_name = plan.photo_name, name
            _changed(plan)
            view = _view(plan, team)
    except BaseException:
        _delete_photo(directory, name)
        raise
    _delete_photo(directory, replaced)
    return view


def _delete_photo(directory: Path, name: str | None) -> None:
    if name:
        with suppress(NotFound):  # already gone
            images.photo_path(directory, name).unlink(missing_ok=True)


# --- the teacher's review ------------------------------------------------------------------


def class_plans(engine: Engine, *, actor: Actor, run_id: int) -> list[PlanView]:
    """Every team of the run with its plan (an empty draft for a team that wrote nothing yet)."""
    with read_session(engine) as session:
        run_in_scope(session, actor, run_id)
        return _run_plans(session, run_id)


def presentable_plans(engine: Engine, run_id: int) -> list[PlanView]:
    """The plans a class can present in this run: every plan with content its class wrote, in
    this lesson or an earlier one (Les 3 presents the plans of Les 2). Team names, no children."""
    with read_session(engine) as session:
        run = session.get(LessonRun, run_id)
        if run is None:
            raise NotFound("error.not_found.lesson_run")
        rows = session.exec(
            select(Team, Plan).join(Plan, col(Plan.team_id) == Team.id)
            .join(LessonRun, col(LessonRun.id) == Plan.run_id)
            .where(LessonRun.classroom_id == run.classroom_id).order_by(col(LessonRun.started_at).desc(), Team.name)
        ).all()
        return [_view(plan, team) for team, plan in rows if plan.answers]


def _run_plans(session: Session, run_id: int) -> list[PlanView]:
    rows = session.exec(
        select(Team, Plan).join(Plan, col(Plan.team_id) == Team.id, isouter=True)
        .where(Team.run_id == run_id).order_by(Team.name)
    ).all()
    return [_view(plan, team) for team, plan in rows]


def _plan_for(session: Session, actor: Actor, plan_id: int, *, seen_revision: int | None = None) -> Plan:
    """The plan, locked, in the actor's scope; with `seen_revision`, refused when it changed
    since the teacher looked at it (a team's autosave after the teacher opened the review)."""
    plan = session.exec(select(Plan).where(Plan.id == plan_id).with_for_update()).first()
    if plan is None:
        raise NotFound("error.not_found.plan")
    run_in_scope(session, actor, plan.run_id)
    if seen_revision is not None and plan.revision != seen_revision:
        raise Conflict("plan.changed_meanwhile")
    return plan


def correct_plan(engine: Engine, *, actor: Actor, plan_id: int, seen_revision: int, answers: dict[str, str]) -> None:
    """The teacher corrects the texts of the revision they saw (spelling, a missing word), before
    or after approval; fields not given keep the team's answer."""
    with write_session(engine) as session:
        plan = _plan_for(session, actor, plan_id, seen_revision=seen_revision)
        plan.answers = check_answers(_run_form(session, plan.run_id), {**plan.answers, **answers})
        _changed(plan)


def approve_plan(engine: Engine, *, actor: Actor, plan_id: int, seen_revision: int) -> None:
    """Approve the revision the teacher read: the required fields must be filled; from now on the
    team cannot change it."""
    with write_session(engine) as session:
        plan = _plan_for(session, actor, plan_id, seen_revision=seen_revision)
        check_answers(_run_form(session, plan.run_id), plan.answers, complete=True)
        plan.status = PlanStatus.APPROVED
        plan.approved_by = actor.user_id
        plan.approved_at = utcnow()
        _changed(plan)


def reopen_plan(engine: Engine, *, actor: Actor, plan_id: int) -> None:
    """Give the plan back to the team to change."""
    with write_session(engine) as session:
        plan = _plan_for(session, actor, plan_id)
        plan.status = PlanStatus.DRAFT
        plan.approved_by = None
        plan.approved_at = None
        _changed(plan)


def remove_photo(engine: Engine, *, actor: Actor, plan_id: int, directory: Path) -> None:
    """The teacher takes a photo off a plan (a face after all, or anything else unfit)."""
    with write_session(engine) as session:
        plan = _plan_for(session, actor, plan_id)
        removed, plan.photo_name = plan.photo_name, None
        _changed(plan)
    _delete_photo(directory, removed)


# --- the facilitator's themes --------------------------------------------------------------


@dataclass(frozen=True)
class CyclePlan:
    id: int
    title: str
    answers: dict[str, str]
    team_name: str
    school_name: str
    class_name: str
    status: PlanStatus
    theme_id: int | None
    photo_name: str | None
    words: str  # the free-text answers only: choices from a fixed list would make every plan alike

    def text(self) -> str:
        return self.words


@dataclass(frozen=True)
class ThemeRow:
    id: int
    name: str
    plan_count: int
    pictogram: str | None = None  # a name of the pictogram set or one emoji (services.pictograms)


@dataclass(frozen=True)
class CycleChoice:
    id: int
    label: str


def managed_cycles(engine: Engine, *, actor: Actor) -> list[CycleChoice]:
    """The cycles whose plans this facilitator (or admin) sorts, newest school year first."""
    with read_session(engine) as session:
        query = (select(Cycle, Neighbourhood.name).join(Neighbourhood, col(Neighbourhood.id) == Cycle.neighbourhood_id)
                 .where(col(Cycle.archived_at).is_(None), col(Neighbourhood.archived_at).is_(None))
                 .order_by(col(Cycle.school_year).desc(), Neighbourhood.name))
        return [CycleChoice(cycle.id, f"{name} — {cycle.school_year}") for cycle, name in session.exec(query)
                if actor.manages(cycle.neighbourhood_id)]


def cycle_plans(engine: Engine, *, actor: Actor, cycle_id: int) -> list[CyclePlan]:
    """Every plan with content in the cycle's classes, all schools; empty drafts are left out."""
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        rows = session.exec(
            select(Plan, Team.name, School.name, Classroom.name, LessonRun.template_id)
            .join(Team, col(Team.id) == Plan.team_id)
            .join(LessonRun, col(LessonRun.id) == Plan.run_id)
            .join(Classroom, col(Classroom.id) == LessonRun.classroom_id)
            .join(School, col(School.id) == Classroom.school_id)
            .where(Classroom.cycle_id == cycle_id).order_by(School.name, Classroom.name, Team.name)
        ).all()
        forms: dict[int, PlanForm] = {}
        result = []
        for plan, team, school, classroom, template_id in rows:
            if not plan.answers:
                continue
            if template_id not in forms:
                forms[template_id] = session.get(LessonTemplate, template_id).series().plan_form
            free_text = " ".join(plan.answers.get(field.name, "") for field in forms[template_id].fields
                                 if field.type in (FieldType.TEXT, FieldType.LONG_TEXT))
            result.append(CyclePlan(plan.id, plan.answers.get("title", ""), dict(plan.answers), team, school,
                                    classroom, PlanStatus(plan.status), plan.theme_id, plan.photo_name, free_text))
        return result


def plan_view(engine: Engine, *, actor: Actor, plan_id: int) -> PlanView:
    """One plan for the facilitator of its wijk."""
    with read_session(engine) as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("error.not_found.plan")
        classroom = session.get(Classroom, session.get(LessonRun, plan.run_id).classroom_id)
        managed_cycle(session, actor, classroom.cycle_id)
        return _view(plan, session.get(Team, plan.team_id))


def themes(engine: Engine, *, actor: Actor, cycle_id: int) -> list[ThemeRow]:
    with read_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        rows = session.exec(select(Theme).where(Theme.cycle_id == cycle_id).order_by(Theme.name)).all()
        counts: dict[int, int] = {}
        for theme_id in session.exec(select(Plan.theme_id).where(col(Plan.theme_id).in_([r.id for r in rows]))):
            counts[theme_id] = counts.get(theme_id, 0) + 1
        return [ThemeRow(row.id, row.name, counts.get(row.id, 0), row.pictogram) for row in rows]


def _theme_for(session: Session, actor: Actor, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("error.not_found.theme")
    managed_cycle(session, actor, theme.cycle_id)
    return theme


MAX_THEME_NAME = 80  # the Theme column


def _theme_name(name: str) -> str:
    name = " ".join(clean_text(name).split())
    if len(name) < 2:
        raise InvalidInput("theme.name_too_short")
    if len(name) > MAX_THEME_NAME:
        raise InvalidInput("theme.name_too_long", max=MAX_THEME_NAME, count=len(name) - MAX_THEME_NAME)
    return name


def create_theme(engine: Engine, *, actor: Actor, cycle_id: int, name: str) -> int:
    name = _theme_name(name)
    with refused_as("theme.name_taken", name=name), write_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        theme = Theme(cycle_id=cycle_id, name=name)
        session.add(theme)
        session.flush()
        return theme.id


def rename_theme(engine: Engine, *, actor: Actor, theme_id: int, name: str) -> None:
    name = _theme_name(name)
    with refused_as("theme.name_taken", name=name), write_session(engine) as session:
        _theme_for(session, actor, theme_id).name = name


def set_pictogram(engine: Engine, *, actor: Actor, theme_id: int, pictogram: str | None) -> str | None:
    """Give a theme a picture beside its name: a pictogram of the set or one emoji, or None for
    none. Anything else is refused (InvalidInput "pictogram.unknown") and nothing is stored.
    Returns what was stored."""
    pictogram = pictograms.clean_pictogram(pictogram)
    with refused_as("theme.changed_meanwhile"), write_session(engine) as session:
        _theme_for(session, actor, theme_id).pictogram = pictogram
    return pictogram


def move_plans(engine: Engine, *, actor: Actor, cycle_id: int, plan_ids: Iterable[int], theme_id: int | None) -> int:
    """Put plans in a theme (or take them out with None). Only plans of this cycle move."""
    plan_ids = list(plan_ids)
    with write_session(engine) as session:
        managed_cycle(session, actor, cycle_id)
        if theme_id is not None and _theme_for(session, actor, theme_id).cycle_id != cycle_id:
            raise NotAllowed("error.not_allowed")
        in_cycle = (select(Plan.id).join(LessonRun, col(LessonRun.id) == Plan.run_id)
                    .join(Classroom, col(Classroom.id) == LessonRun.classroom_id)
                    .where(Classroom.cycle_id == cycle_id, col(Plan.id).in_(plan_ids)))
        return session.execute(
            update(Plan).where(col(Plan.id).in_(in_cycle.scalar_subquery())).values(theme_id=theme_id)
        ).rowcount


def merge_themes(engine: Engine, *, actor: Actor, source_id: int, target_id: int) -> None:
    """All plans of `source` go to `target`, and `source` is removed: one transaction, so no plan
    is lost or counted twice."""
    if source_id == target_id:
        raise InvalidInput("theme.merge_same")
    with refused_as("theme.changed_meanwhile"), write_session(engine) as session:
        source = _theme_for(session, actor, source_id)
        target = _theme_for(session, actor, target_id)
        if source.cycle_id != target.cycle_id:
            raise NotAllowed("error.not_allowed")
        session.execute(update(Plan).where(col(Plan.theme_id) == source_id).values(theme_id=target_id))
        session.execute(delete(Theme).where(col(Theme.id) == source_id))


def delete_theme(engine: Engine, *, actor: Actor, theme_id: int) -> None:
    """Remove a theme; its plans become unsorted again (never deleted)."""
    with refused_as("theme.changed_meanwhile"), write_session(engine) as session:
        _theme_for(session, actor, theme_id)
        session.execute(update(Plan).where(col(Plan.theme_id) == theme_id).values(theme_id=None))
        session.execute(delete(Theme).where(col(Theme.id) == theme_id))


@dataclass(frozen=True)
class Suggestion:
    plan_ids: tuple[int, ...]
    shared_words: tuple[str, ...]


def suggested_groups(plans: list[CyclePlan], *, threshold: float = 0.2) -> list[Suggestion]:
    """Groups of plans not yet in a theme that look alike, with the words they share."""
    unsorted = {plan.id: plan.text() for plan in plans if plan.theme_id is None}
    suggestions = []
    for group in similarity.groups(unsorted, threshold=threshold):
        first, second = unsorted[group[0]], unsorted[group[1]]
        suggestions.append(Suggestion(tuple(group), tuple(similarity.shared_words(first, second))))
    return suggestions


def suggested_themes(plan: CyclePlan, plans: list[CyclePlan], theme_rows: list[ThemeRow]) -> list[tuple[int, float]]:
    """The themes a plan fits best: each theme's name with the text of its plans."""
    texts: dict[int, list[str]] = {row.id: [row.name] for row in theme_rows}
    for other in plans:
        if other.theme_id in texts and other.id != plan.id:
            texts[other.theme_id].append(other.text())
    return similarity.best_matches(plan.text(), {k: " ".join(v) for k, v in texts.items()})
