"""Lesson series templates: load and check the YAML files, store versions, copy and edit them.

The YAML files in `assets/templates/` are the shipped templates. The first time a template is
needed, its file is stored as version 1 of its slug (the file name); edits in the app add
versions and never change one, and a lesson run keeps the version it started with. A broken
template is refused with an error that names the file, the lesson and step (or plan field) and
the field, never with a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kinderwijkraad.config import ASSETS_DIR
from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import LessonSeries, LessonTemplate, Role
from kinderwijkraad.services import pictograms
from kinderwijkraad.services.common import Actor, clean_text, require_role

TEMPLATES_DIR = ASSETS_DIR / "templates"
DEFAULT_SLUG = "democratielessen"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{2,59}$"
EDITORS = (Role.ADMIN, Role.FACILITATOR)

# Pydantic's error types, in words for whoever edits a template.
_PROBLEMS = {
    "missing": "template.problem.missing",
    "string_too_long": "template.problem.too_long",
    "string_too_short": "template.problem.empty",
    "too_short": "template.problem.too_few",
    "too_long": "template.problem.too_many",
    "enum": "template.problem.choice",
    "string_pattern_mismatch": "template.problem.pattern",
    "greater_than_equal": "template.problem.too_small",
    "less_than_equal": "template.problem.too_big",
    "int_parsing": "template.problem.number",
    "int_type": "template.problem.number",
    "extra_forbidden": "template.problem.unknown",
}


class TemplateError(InvalidInput):
    """A template that cannot be used. Its params name the file and the place of the mistake;
    `problem_key` is translated with the same params (see ui.errors)."""


def parse_template(text: str, *, source: str) -> LessonSeries:
    """Check a template's YAML text; TemplateError names `source` and the place of the mistake."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise TemplateError("template.yaml", file=source, line=mark.line + 1 if mark else "?") from None
    return check_template(data, source=source)


def check_template(data: Any, *, source: str) -> LessonSeries:
    if not isinstance(data, dict):
        raise TemplateError("template.not_a_mapping", file=source)
    try:
        series = LessonSeries.model_validate(data)
    except ValidationError as exc:
        raise _template_error(exc.errors()[0], data, source) from None
    return _with_checked_pictograms(series, source)


def _with_checked_pictograms(series: LessonSeries, source: str) -> LessonSeries:
    """Each step's and plan question's picture is a pictogram of the set or one emoji; the first
    that is not is refused with its place, like any other mistake in the template."""
    problem = {"file": source, "problem_key": "template.problem.pictogram", "path": "pictogram"}
    for lesson_number, lesson in enumerate(series.lessons, start=1):
        for step_number, step in enumerate(lesson.steps, start=1):
            try:
                step.pictogram = pictograms.clean_pictogram(step.pictogram)
            except InvalidInput:
                raise TemplateError("template.invalid_step", lesson=lesson_number, step=step_number,
                                    title=step.title.nl, **problem) from None
    for number, plan_field in enumerate(series.plan_form.fields, start=1):
        try:
            plan_field.pictogram = pictograms.clean_pictogram(plan_field.pictogram)
        except InvalidInput:
            raise TemplateError("template.invalid_plan_field", number=number, name=plan_field.name,
                                **problem) from None
    return series


def _template_error(error: dict, data: dict, source: str) -> TemplateError:
    """The first problem, with its place in words: lesson and step numbers count from 1, and the
    step's or field's own title is given so it can be found in the file."""
    loc = list(error["loc"])
    context = error.get("ctx") or {}
    params: dict[str, Any] = {
        "file": source,
        "problem_key": _PROBLEMS.get(error["type"], "template.problem.other"),
        "detail": error.get("msg", ""),
        **{k: v for k, v in context.items() if isinstance(v, (int, str))},
    }
    if "expected" in context:
        params["expected"] = context["expected"]
    if loc[:1] == ["lessons"] and len(loc) >= 4 and loc[2] == "steps" and isinstance(loc[3], int):
        lesson, step = loc[1], loc[3]
        params.update(lesson=lesson + 1, step=step + 1, title=_title(data, "lessons", lesson, "steps", step),
                      path=_path(loc[4:]))
        return TemplateError("template.invalid_step", **params)
    if loc[:2] == ["plan_form", "fields"] and len(loc) >= 3 and isinstance(loc[2], int):
        params.update(number=loc[2] + 1, name=_lookup(data, "plan_form", "fields", loc[2], "name") or "?",
                      path=_path(loc[3:]))
        return TemplateError("template.invalid_plan_field", **params)
    params["path"] = _path(loc)
    return TemplateError("template.invalid", **params)


def _lookup(data: Any, *keys: Any) -> Any:
    for key in keys:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _title(data: dict, *keys: Any) -> str:
    title = _lookup(data, *keys, "title")
    return str(title.get("nl", "")) if isinstance(title, dict) else str(title or "?")


def _path(loc: list) -> str:
    return ".".join(str(part + 1 if isinstance(part, int) else part) for part in loc) or "—"


def load_template_file(path: Path) -> LessonSeries:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise TemplateError("template.unreadable", file=path.name) from None
    return parse_template(text, source=path.name)


def shipped_slugs(directory: Path = TEMPLATES_DIR) -> list[str]:
    return sorted(path.stem for path in directory.glob("*.yaml"))


def template_yaml(series: LessonSeries) -> str:
    """A template as YAML, for download and for editing as text."""
    return yaml.safe_dump(series.model_dump(mode="json", exclude_defaults=True), allow_unicode=True, sort_keys=False)


# --- stored versions -----------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSummary:
    id: int
    slug: str
    version: int
    name: str
    lesson_titles: tuple[str, ...]
    created_at: datetime | None = None


def _summary(row: LessonTemplate) -> TemplateSummary:
    series = row.series()
    titles = tuple(lesson.title.nl for lesson in series.lessons)
    return TemplateSummary(row.id, row.slug, row.version, series.name.nl, titles, row.created_at)


def _latest(session: Session, slug: str) -> LessonTemplate | None:
    return session.exec(
        select(LessonTemplate).where(LessonTemplate.slug == slug).order_by(LessonTemplate.version.desc())
    ).first()


def store_shipped_templates(engine: Engine, directory: Path = TEMPLATES_DIR) -> None:
    """Store each shipped template as version 1 of its slug, and a shipped file that changed (an
    update brought pictures or simpler texts) as its next version — unless a person saved the latest
    version: their edit wins, and the shipped file stays readable in git. A lesson under way keeps
    the version it started with. Two app processes doing this at once are fine: the unique
    (slug, version) lets one of them win."""
    for slug in shipped_slugs(directory):
        path = directory / f"{slug}.yaml"
        stat = path.stat()
        content = _shipped_content(path, (stat.st_mtime_ns, stat.st_size))
        with read_session(engine) as session:
            latest = _latest(session, slug)
            if latest is not None and (latest.created_by is not None or _same(latest.id, latest.content, content)):
                continue
            version = 1 if latest is None else latest.version + 1
        try:
            with write_session(engine) as session:
                session.add(LessonTemplate(slug=slug, version=version, content=content))
        except IntegrityError:
            pass  # another process stored it first


@lru_cache(maxsize=32)
def _shipped_content(path: Path, _version: tuple[int, int]) -> dict:
    """A shipped file as stored content, read again only when the file changes (the Lessjablonen
    and Les geven pages ask on every run)."""
    return load_template_file(path).model_dump(mode="json")


_SAME: set[tuple[int | None, str]] = set()  # (stored version's id, its shipped content) found equal


def _same(row_id: int | None, stored: dict, content: dict) -> bool:
    """Whether a stored version says what `content` says (read through today's schema: a field
    added since, with its default, is no change). A stored version never changes: remembered."""
    marker = (row_id, json.dumps(content, sort_keys=True))
    if marker in _SAME:
        return True
    same = LessonSeries.model_validate(stored).model_dump(mode="json") == content
    if same:
        _SAME.add(marker)
    return same


def list_templates(engine: Engine) -> list[TemplateSummary]:
    """The newest version of every template."""
    store_shipped_templates(engine)
    with read_session(engine) as session:
        newest = (select(LessonTemplate.slug, func.max(LessonTemplate.version).label("version"))
                  .group_by(LessonTemplate.slug).subquery())
        rows = session.exec(
            select(LessonTemplate).join(
                newest, (LessonTemplate.slug == newest.c.slug) & (LessonTemplate.version == newest.c.version)
            ).order_by(LessonTemplate.slug)
        ).all()
        return [_summary(row) for row in rows]


def latest_template(engine: Engine, slug: str = DEFAULT_SLUG) -> TemplateSummary:
    store_shipped_templates(engine)
    with read_session(engine) as session:
        row = _latest(session, slug)
        if row is None:
            raise NotFound("error.not_found.template")
        return _summary(row)


def template_versions(engine: Engine, slug: str) -> list[TemplateSummary]:
    with read_session(engine) as session:
        rows = session.exec(
            select(LessonTemplate).where(LessonTemplate.slug == slug).order_by(LessonTemplate.version.desc())
        ).all()
        return [_summary(row) for row in rows]


def template_series(engine: Engine, template_id: int) -> LessonSeries:
    """The exact version a lesson run uses."""
    with read_session(engine) as session:
        row = session.get(LessonTemplate, template_id)
        if row is None:
            raise NotFound("error.not_found.template")
        return row.series()


def save_template_version(
    engine: Engine, *, actor: Actor, slug: str, series: LessonSeries | dict, based_on_version: int
) -> TemplateSummary:
    """Store an edit as the next version. `based_on_version` is the version the editor started
    from: when someone saved another version meanwhile, the unique (slug, version) refuses this
    one (Conflict) instead of silently overwriting their work."""
    require_role(actor, *EDITORS)
    if actor.role != Role.ADMIN and slug in shipped_slugs():
        # The shipped series is what every wijk uses; a facilitator adapts a copy of it.
        raise NotAllowed("template.copy_first")
    checked = check_template(series if isinstance(series, dict) else series.model_dump(mode="json"), source=slug)
    try:
        with write_session(engine) as session:
            row = LessonTemplate(slug=slug, version=based_on_version + 1, content=checked.model_dump(mode="json"),
                                 created_by=actor.user_id)
            session.add(row)
            session.flush()
            return _summary(row)
    except IntegrityError:
        raise Conflict("template.changed_meanwhile") from None


def copy_template(
    engine: Engine, *, actor: Actor, from_template_id: int, new_slug: str, new_name: str
) -> TemplateSummary:
    """A copy under a new slug (version 1), to adapt without touching the original."""
    require_role(actor, *EDITORS)
    new_slug = new_slug.strip().lower()
    if not re.fullmatch(SLUG_PATTERN, new_slug):
        raise InvalidInput("template.slug_pattern")
    series = template_series(engine, from_template_id)
    series.name.nl = clean_text(new_name) or series.name.nl
    checked = check_template(series.model_dump(mode="json"), source=new_slug)
    try:
        with write_session(engine) as session:
            row = LessonTemplate(slug=new_slug, version=1, content=checked.model_dump(mode="json"),
                                 created_by=actor.user_id)
            session.add(row)
            session.flush()
            return _summary(row)
    except IntegrityError:
        raise Conflict("template.slug_taken", slug=new_slug) from None


# --- the editor's tables -------------------------------------------------------------------
# The in-app editor shows a lesson's steps and the plan form's fields as tables with the Dutch
# texts; these turn the tables back into a template. English texts stay with their step (by its
# hidden `source` place) or field (by name), so editing Dutch does not wipe the translation.


def may_edit(actor: Actor, slug: str) -> bool:
    return actor.role == Role.ADMIN or (actor.role in EDITORS and slug not in shipped_slugs())


def step_rows(series: LessonSeries, lesson_index: int) -> list[dict[str, Any]]:
    """`source` is the step's place in the saved lesson (hidden in the editor), so its English
    texts stay with it when rows are added, removed or moved."""
    return [
        {"source": index, "kind": step.kind.value, "title": step.title.nl, "children_text": step.children_text.nl,
         "teacher_text": step.teacher_text.nl, "minutes": step.minutes, "image": step.image or "",
         "pictogram": step.pictogram or ""}
        for index, step in enumerate(series.lessons[lesson_index].steps)
    ]


def field_rows(series: LessonSeries) -> list[dict[str, Any]]:
    return [
        {"name": field.name, "label": field.label.nl, "type": field.type.value, "required": field.required,
         "max_length": field.max_length, "help": field.help.nl if field.help else "",
         "options": " | ".join(option.nl for option in field.options), "pictogram": field.pictogram or ""}
        for field in series.plan_form.fields
    ]


def _text(nl: Any, old: dict | None) -> dict[str, str]:
    return {"nl": clean_text(str(nl or "")), "en": (old or {}).get("en", "")}


def with_step_rows(series: LessonSeries, lesson_index: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The template as data with one lesson's steps replaced by the edited table (unchecked:
    save_template_version checks it and names the step of any mistake)."""
    data = series.model_dump(mode="json")
    old_steps = data["lessons"][lesson_index]["steps"]
    steps = []
    for row in rows:
        source = row.get("source")
        old = old_steps[int(source)] if source is not None and 0 <= int(source) < len(old_steps) else {}
        step = {
            "kind": row.get("kind"), "title": _text(row.get("title"), old.get("title")),
            "children_text": _text(row.get("children_text"), old.get("children_text")),
            "teacher_text": _text(row.get("teacher_text"), old.get("teacher_text")),
            "minutes": row.get("minutes"),
        }
        if str(row.get("image") or "").strip():
            step["image"] = str(row["image"]).strip()
        if str(row.get("pictogram") or "").strip():
            step["pictogram"] = str(row["pictogram"]).strip()
        steps.append(step)
    data["lessons"][lesson_index]["steps"] = steps
    return data


def with_field_rows(series: LessonSeries, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The template as data with the plan form replaced by the edited table."""
    data = series.model_dump(mode="json")
    old_fields = {field["name"]: field for field in data["plan_form"]["fields"]}
    fields = []
    for row in rows:
        old = old_fields.get(str(row.get("name") or "").strip(), {})
        old_options = old.get("options") or []
        options = [part.strip() for part in str(row.get("options") or "").split("|") if part.strip()]
        field = {
            "name": str(row.get("name") or "").strip(), "label": _text(row.get("label"), old.get("label")),
            "type": row.get("type"), "required": bool(row.get("required")),
            "max_length": row.get("max_length") or 500,
            "options": [_text(option, old_options[i] if i < len(old_options) else None)
                        for i, option in enumerate(options)],
        }
        if str(row.get("help") or "").strip():
            field["help"] = _text(row.get("help"), old.get("help"))
        if str(row.get("pictogram") or "").strip():
            field["pictogram"] = str(row["pictogram"]).strip()
        fields.append(field)
    data["plan_form"]["fields"] = fields
    return data
