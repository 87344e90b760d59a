"""The translation tables: every key used anywhere exists in every catalogue, with the same
placeholders, so no screen ever shows a raw key."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kinderwijkraad.i18n import CATALOGUES, NL, t
from kinderwijkraad.models import (
    ClassroomCreate,
    ContactCreate,
    CycleCreate,
    FieldType,
    Mood,
    NeighbourhoodCreate,
    OrganisationCreate,
    OrganisationKind,
    PartnershipCreate,
    Phase,
    PlanStatus,
    Role,
    SchoolCreate,
    StepKind,
    UserCreate,
    UserUpdate,
)
from kinderwijkraad.services import templates

PACKAGE = Path(__file__).resolve().parent.parent / "kinderwijkraad"
# A literal key handed to t() or to a domain error / todo constructor.
LITERAL_KEY = re.compile(
    r"""(?:\bt|TemplateError|InvalidInput|NotFound|NotAllowed|Conflict|TooManyAttempts|ConfigError|refused_as|Todo|done|flash)"""
    r"""\(\s*"([a-z_]+(?:\.[a-z0-9_]+)+)\"""",
)


def _literal_keys() -> set[str]:
    keys = set()
    for path in PACKAGE.rglob("*.py"):
        keys.update(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def _dynamic_keys() -> set[str]:
    keys = {f"role.{r.value}" for r in Role} | {f"phase.{p.value}" for p in Phase}
    keys |= {f"organisation_kind.{k.value}" for k in OrganisationKind}
    keys |= {f"home.role_intro.{r.value}" for r in Role} | {f"todo.no_cycle.{r.value}" for r in Role}
    keys |= {f"todo.phase.{p.value}.{r.value}" for p in Phase for r in (Role.FACILITATOR, Role.TEACHER, Role.OFFICIAL)}
    keys |= {"home.details.teacher", "home.details.official", "home.count.neighbourhoods", "home.count.active_users"}
    keys |= {"users.deactivated", "users.reactivated"}
    keys |= set(templates._PROBLEMS.values()) | {"template.problem.other"}
    keys |= {f"brainstorm.prompt.{mood.value}" for mood in Mood} | {f"plan_status.{s.value}" for s in PlanStatus}
    keys |= {"lesson.for_teacher", "lesson.join_with_code"}
    keys |= {f"step_kind.{k.value}" for k in StepKind} | {f"field_type.{f.value}" for f in FieldType}
    for model in (ClassroomCreate, ContactCreate, CycleCreate, NeighbourhoodCreate, OrganisationCreate,
                  PartnershipCreate, SchoolCreate, UserCreate, UserUpdate):
        for name, info in model.model_fields.items():
            keys.add(f"field.{name}")
            if any(getattr(m, "pattern", None) for m in info.metadata) or (info.json_schema_extra or {}).get("pattern"):
                keys.add(f"validation.pattern.{name}")
    return keys


def test_the_literal_key_scan_finds_the_keys_we_know_are_there():
    assert {"login.failed", "error.not_allowed", "wijken.created"} <= _literal_keys()


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_every_key_in_use_exists_in_every_catalogue(language):
    missing = sorted((_literal_keys() | _dynamic_keys()) - set(CATALOGUES[language]))
    assert missing == []


def test_the_catalogues_have_the_same_keys():
    assert set(CATALOGUES["nl"]) == set(CATALOGUES["en"])


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_a_translation_has_the_same_placeholders_as_the_dutch_text():
    different = [key for key, text in CATALOGUES["en"].items() if _placeholders(text) != _placeholders(NL[key])]
    assert different == []


def test_t_fills_in_parameters_in_the_chosen_language():
    assert t("login.throttled", seconds=8) == "Te veel mislukte pogingen. Probeer het over 8 seconden opnieuw."
    assert t("login.throttled", language="en", seconds=8).startswith("Too many failed attempts")


def test_a_download_made_on_another_thread_keeps_the_pages_language():
    """Streamlit makes a download's file on its own thread, which starts in the default language."""
    import threading

    from kinderwijkraad.i18n import current_language, keep_language, set_language

    set_language("en")
    try:
        make = keep_language(current_language)
        seen: list[str] = []
        thread = threading.Thread(target=lambda: seen.append(make()))
        thread.start()
        thread.join()
        assert seen == ["en"]
    finally:
        set_language("nl")
