"""The translation tables: every key used anywhere exists in every catalogue, with the same
placeholders and plural forms, so no screen ever shows a raw key; every enum value shown on screen
has its label; and t(), its plurals, strict mode and the number and date formats do what the
i18n module docstring promises."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from kinderwijkraad import i18n, models
from kinderwijkraad.i18n import (
    CATALOGUES,
    NL,
    MessageError,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    placeholders,
    set_language,
    t,
    texts,
)
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
from kinderwijkraad.services import classification, readability, templates
from kinderwijkraad.voting import COMPARED, Method

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


def _placeholders(message: i18n.Message) -> set[str]:
    return set().union(*(placeholders(text) for text in texts(message)))


def test_a_translation_has_the_same_placeholders_as_the_dutch_text():
    different = [key for key, text in CATALOGUES["en"].items() if _placeholders(text) != _placeholders(NL[key])]
    assert different == []


def test_a_plural_message_is_plural_in_every_language_with_a_form_for_one_and_for_other():
    wrong = [(language, key) for language, catalogue in CATALOGUES.items() for key, message in catalogue.items()
             if isinstance(NL[key], str) != isinstance(message, str)
             or (not isinstance(message, str) and (set(message) != {"one", "other"} or "count" not in
                                                    placeholders(message["other"])))]
    assert wrong == []


def test_every_text_can_be_filled_in():
    """No stray brace: each text parses as a format string."""
    broken = []
    for language, catalogue in CATALOGUES.items():
        for key, message in catalogue.items():
            try:
                for text in texts(message):
                    placeholders(text)
            except ValueError:
                broken.append((language, key))
    assert broken == []


# Every StrEnum whose values reach a screen or a PDF, with the keys its labels are looked up under:
# "role.{}" for t(f"role.{role.value}"), "phase.{}" for label("phase", phase), ... An enum in
# models/, services/ or voting/ that is not listed here fails the test below: list it, or say in
# NOT_SHOWN why it is never shown.
ENUM_LABELS: dict[type[StrEnum], tuple[str, ...]] = {
    Role: ("role.{}", "home.role_intro.{}", "todo.no_cycle.{}"),
    Phase: ("phase.{}",),
    OrganisationKind: ("organisation_kind.{}",),
    StepKind: ("step_kind.{}",),
    FieldType: ("field_type.{}",),
    Mood: ("brainstorm.{}", "brainstorm.prompt.{}"),
    PlanStatus: ("plan_status.{}",),
    models.BallotKind: ("ballot_kind.{}",),
    models.CountMethod: ("method.{}",),
    Method: ("method.{}",),
    models.OptionSubject: ("subject.{}",),
    models.CostBand: ("cost_band.{}",),
    models.RecipientStatus: ("recipient_status.{}",),
    models.Decision: ("decision.{}", "feedback.decision.{}"),
    models.AnswerSource: ("answer_source.{}",),
    models.Consent: ("consent.{}",),
    models.CouncilRole: ("council_role.{}",),
    models.WorkStatus: ("work_status.{}",),
    classification.Handling: ("privacy.handling.{}",),
    models.PollStatus: ("poll_status.{}",),
    models.MailKind: ("mail_kind.{}",),
    models.MailStatus: ("mail_status.{}",),
    readability.Level: ("readability.level.{}",),
    readability.Place: ("readability.place.{}",),
    readability.Problem: ("readability.problem.{}",),
}
# Only the methods the comparison screen shows (ui/counting.py) have its title and explanation.
SOME_VALUES = [(COMPARED, ("compare.{}.title", "compare.{}.how"))]
NOT_SHOWN: set[str] = set()
ENUM_DEFINITION = re.compile(r"^class (\w+)\(StrEnum\):", re.MULTILINE)


def test_every_enum_value_shown_has_its_label_in_every_catalogue():
    wanted = {pattern.format(value.value) for values, patterns in [*ENUM_LABELS.items(), *SOME_VALUES]
              for pattern in patterns for value in values}
    missing = sorted((language, key) for key in wanted for language, catalogue in CATALOGUES.items()
                     if key not in catalogue)
    assert missing == []


def test_every_enum_is_listed_with_its_labels():
    defined = {name for folder in ("models", "services", "voting") for path in (PACKAGE / folder).rglob("*.py")
               for name in ENUM_DEFINITION.findall(path.read_text(encoding="utf-8"))}
    assert defined - {enum.__name__ for enum in ENUM_LABELS} - NOT_SHOWN == set()


def test_t_fills_in_parameters_in_the_chosen_language():
    assert t("wijken.created", name="Noord") == "Wijk ‘Noord’ aangemaakt."
    assert t("wijken.created", language="en", name="Noord") == "Neighbourhood ‘Noord’ created."


def test_a_plural_message_takes_the_form_its_count_asks_for():
    assert t("results.points", count=1) == "1 stem"
    assert t("results.points", count=0) == "0 stemmen"
    assert t("results.points", count=2, language="en") == "2 votes"
    assert t("login.throttled", count=1, language="en") == "Too many failed attempts. Try again in 1 second."
    assert t("ballot.dots_used", count=1) == "Je stip is verdeeld."


def test_the_count_is_written_as_a_number_in_the_language():
    assert t("results.points", count=1250) == "1.250 stemmen"
    assert t("results.points", count=1250, language="en") == "1,250 votes"


@pytest.mark.parametrize("call", [
    lambda: t("no.such.key"),
    lambda: t("wijken.created"),  # {name} not given
    lambda: t("wijken.created", naam="Noord"),  # a misspelt parameter
    lambda: t("results.points"),  # a plural message without count
    lambda: t("results.points", count="3"),  # a count that is not a number
])
def test_strict_mode_refuses_a_message_that_cannot_be_shown_as_written(call):
    with pytest.raises(MessageError):
        call()


def test_without_strict_mode_a_broken_message_is_logged_and_shown_as_well_as_it_can(caplog):
    i18n.set_strict(False)
    try:
        with caplog.at_level(logging.WARNING, logger="kinderwijkraad.i18n"):
            assert t("no.such.key") == "no.such.key"
            assert t("wijken.created") == "Wijk ‘{name}’ aangemaakt."
            assert t("results.points") == "{count} stemmen"
    finally:
        i18n.set_strict(True)
    assert len(caplog.records) == 3


def test_numbers_percentages_and_dates_follow_the_language():
    day, moment = date(2026, 12, 3), datetime(2026, 12, 3, 14, 5)
    assert (format_number(12.5), format_number(12), format_number(2.25), format_number(1250)) == \
           ("12,5", "12", "2,2", "1.250")
    assert (format_percent(0.875), format_percent(0.125, decimals=1)) == ("88%", "12,5%")
    assert (format_date(day), format_date(day, "short"), format_datetime(moment)) == \
           ("3 december 2026", "03-12-2026", "03-12-2026 14:05")
    set_language("en")
    try:
        assert (format_number(12.5), format_number(1250), format_date(day), format_date(day, "short")) == \
               ("12.5", "1,250", "3 December 2026", "03/12/2026")
    finally:
        set_language("nl")


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
