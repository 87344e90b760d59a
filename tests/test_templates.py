"""Lesson series templates: the shipped ones load, broken ones are refused with the file, the
place and the field named (never a traceback), and edits are stored as new versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed
from kinderwijkraad.i18n import t
from kinderwijkraad.models import StepKind
from kinderwijkraad.services import templates
from kinderwijkraad.services.templates import TemplateError
from tests import factories

BROKEN = Path(__file__).parent / "broken_templates"


def _message(error: TemplateError) -> str:
    params = dict(error.params)
    if "problem_key" in params:
        params["problem"] = t(params.pop("problem_key"), **params)
    return t(error.key, **params)


@pytest.mark.parametrize("slug", templates.shipped_slugs())
def test_every_shipped_template_loads(slug):
    series = templates.load_template_file(templates.TEMPLATES_DIR / f"{slug}.yaml")
    assert series.lessons and series.plan_form.field("title") is not None


def test_the_default_template_is_the_three_kies_en_co_lessons():
    series = templates.load_template_file(templates.TEMPLATES_DIR / f"{templates.DEFAULT_SLUG}.yaml")
    assert len(series.lessons) == 3
    kinds = [[step.kind for step in lesson.steps] for lesson in series.lessons]
    assert StepKind.BRAINSTORM in kinds[1] and StepKind.WRITE_PLANS in kinds[1]
    assert {StepKind.PRESENT, StepKind.VOTE, StepKind.SIGN_UP} <= set(kinds[2])
    assert all(lesson.title.en and all(step.children_text.en for step in lesson.steps) for lesson in series.lessons)


BROKEN_CASES = {
    "not_yaml.yaml": ("template.yaml", ["not_yaml.yaml", "regel"]),
    "a_list.yaml": ("template.not_a_mapping", ["a_list.yaml"]),
    "wrong_step_kind.yaml": ("template.invalid_step", ["les 1", "stap 2", "Dansen", "kind", "explain"]),
    "missing_minutes.yaml": ("template.invalid_step", ["stap 1", "Welkom", "minutes", "ontbreekt"]),
    "too_long_lesson.yaml": ("template.invalid_step", ["minutes", "90"]),
    "plan_field_without_type.yaml": ("template.invalid_plan_field", ["veld 2", "idea", "type", "ontbreekt"]),
    "no_title_field.yaml": ("template.invalid", ["plan_form.fields", "title"]),
    "image_outside_assets.yaml": ("template.invalid_step", ["image", "assets/"]),
    "no_lessons.yaml": ("template.invalid", ["lessons", "minstens 1"]),
}


def test_the_broken_corpus_is_complete():
    assert {path.name for path in BROKEN.glob("*.yaml")} == set(BROKEN_CASES)


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_a_broken_template_names_the_file_the_place_and_the_field(name):
    key, fragments = BROKEN_CASES[name]
    with pytest.raises(TemplateError) as refused:
        templates.load_template_file(BROKEN / name)
    assert refused.value.key == key
    message = _message(refused.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in message and "{" not in message


def test_shipped_templates_are_stored_once_as_version_1(engine):
    templates.store_shipped_templates(engine)
    templates.store_shipped_templates(engine)
    summary = templates.latest_template(engine)
    assert (summary.slug, summary.version) == (templates.DEFAULT_SLUG, 1)
    assert [s.slug for s in templates.list_templates(engine)] == templates.shipped_slugs()


def test_a_shipped_file_that_changed_becomes_the_next_version_unless_a_person_saved_one(engine, tmp_path):
    world = factories.world(engine)
    shipped = tmp_path / f"{templates.DEFAULT_SLUG}.yaml"
    shipped.write_text((templates.TEMPLATES_DIR / f"{templates.DEFAULT_SLUG}.yaml").read_text(encoding="utf-8"),
                       encoding="utf-8")
    templates.store_shipped_templates(engine, shipped.parent)
    first = templates.latest_template(engine)
    # An update of the app brings a simpler text.
    shipped.write_text(shipped.read_text(encoding="utf-8").replace("Les 1", "Les één", 1), encoding="utf-8")
    templates.store_shipped_templates(engine, shipped.parent)
    templates.store_shipped_templates(engine, shipped.parent)  # once, however often it runs
    versions = templates.template_versions(engine, first.slug)
    assert sorted(v.version for v in versions) == [first.version, first.version + 1]
    updated = templates.template_series(engine, max(versions, key=lambda v: v.version).id)
    assert updated.lessons[0].title.nl.startswith("Les één")
    # A facilitator's own version is not overwritten by the next update.
    updated.lessons[0].title.nl = "Onze eigen les"
    templates.save_template_version(engine, actor=world["admin"], slug=first.slug, series=updated,
                                    based_on_version=first.version + 1)
    shipped.write_text(shipped.read_text(encoding="utf-8").replace("Les één", "Les 1", 1), encoding="utf-8")
    templates.store_shipped_templates(engine, shipped.parent)
    latest = templates.latest_template(engine)
    assert templates.template_series(engine, latest.id).lessons[0].title.nl == "Onze eigen les"


def test_an_edit_is_a_new_version_and_the_old_version_stays(engine):
    world = factories.world(engine)
    first = templates.latest_template(engine)
    series = templates.template_series(engine, first.id)
    series.lessons[0].steps[0].title.nl = "Hallo allemaal"
    second = templates.save_template_version(engine, actor=world["admin"], slug=first.slug, series=series,
                                             based_on_version=first.version)
    assert second.version == 2
    assert templates.template_series(engine, second.id).lessons[0].steps[0].title.nl == "Hallo allemaal"
    assert templates.template_series(engine, first.id).lessons[0].steps[0].title.nl != "Hallo allemaal"
    # A second editor who started from version 1 does not overwrite version 2.
    with pytest.raises(Conflict):
        templates.save_template_version(engine, actor=world["admin"], slug=first.slug, series=series,
                                        based_on_version=first.version)


def test_an_edit_is_checked_like_a_file_and_only_staff_who_edit_may_save(engine):
    world = factories.world(engine)
    first = templates.latest_template(engine)
    broken = templates.template_series(engine, first.id).model_dump(mode="json")
    broken["lessons"][1]["steps"][0]["minutes"] = 0
    with pytest.raises(TemplateError) as refused:
        templates.save_template_version(engine, actor=world["admin"], slug=first.slug, series=broken,
                                        based_on_version=first.version)
    assert refused.value.params["lesson"] == 2 and refused.value.params["step"] == 1
    with pytest.raises(NotAllowed):
        templates.save_template_version(engine, actor=world["teacher"], slug=first.slug,
                                        series=templates.template_series(engine, first.id),
                                        based_on_version=first.version)


def test_a_facilitator_edits_a_copy_not_the_standard_lessons_of_every_wijk(engine):
    world = factories.world(engine)
    first = templates.latest_template(engine)
    series = templates.template_series(engine, first.id)
    with pytest.raises(NotAllowed) as refused:
        templates.save_template_version(engine, actor=world["facilitator"], slug=first.slug, series=series,
                                        based_on_version=first.version)
    assert refused.value.key == "template.copy_first"
    copy = templates.copy_template(engine, actor=world["facilitator"], from_template_id=first.id,
                                   new_slug="onze-lessen", new_name="Onze lessen")
    saved = templates.save_template_version(engine, actor=world["facilitator"], slug=copy.slug, series=series,
                                            based_on_version=copy.version)
    assert saved.version == 2 and templates.may_edit(world["facilitator"], copy.slug)


def test_a_copy_gets_its_own_slug_and_name(engine):
    world = factories.world(engine)
    first = templates.latest_template(engine)
    copy = templates.copy_template(engine, actor=world["facilitator"], from_template_id=first.id,
                                   new_slug="korte-lessen", new_name="Korte lessen")
    assert (copy.slug, copy.version, copy.name) == ("korte-lessen", 1, "Korte lessen")
    with pytest.raises(Conflict):
        templates.copy_template(engine, actor=world["facilitator"], from_template_id=first.id,
                                new_slug="korte-lessen", new_name="Nog eens")
    with pytest.raises(InvalidInput):
        templates.copy_template(engine, actor=world["facilitator"], from_template_id=first.id,
                                new_slug="../etc", new_name="x")


def test_a_template_round_trips_through_yaml():
    series = templates.load_template_file(templates.TEMPLATES_DIR / f"{templates.DEFAULT_SLUG}.yaml")
    assert templates.parse_template(templates.template_yaml(series), source="x.yaml") == series


def test_the_editor_tables_round_trip_and_keep_the_english_texts():
    series = templates.load_template_file(templates.TEMPLATES_DIR / f"{templates.DEFAULT_SLUG}.yaml")
    assert templates.check_template(templates.with_step_rows(series, 1, templates.step_rows(series, 1)),
                                    source="x") == series
    assert templates.check_template(templates.with_field_rows(series, templates.field_rows(series)),
                                    source="x") == series
    rows = templates.step_rows(series, 1)
    rows[0]["title"] = "Onze buurt"
    rows.append({"kind": "discuss", "title": "Nabespreken", "children_text": "Wat vond je ervan?",
                 "teacher_text": "Kort terugblikken.", "minutes": 5, "image": ""})
    edited = templates.check_template(templates.with_step_rows(series, 1, rows), source="x")
    assert edited.lessons[1].steps[0].title.nl == "Onze buurt"
    assert edited.lessons[1].steps[0].title.en == series.lessons[1].steps[0].title.en
    assert edited.lessons[1].steps[-1].title.get("en") == "Nabespreken"  # no English yet: Dutch is shown


def test_an_edited_table_with_a_mistake_names_the_step():
    series = templates.load_template_file(templates.TEMPLATES_DIR / f"{templates.DEFAULT_SLUG}.yaml")
    rows = templates.step_rows(series, 0)
    rows[2]["kind"] = None
    with pytest.raises(TemplateError) as refused:
        templates.check_template(templates.with_step_rows(series, 0, rows), source="democratielessen")
    assert (refused.value.params["lesson"], refused.value.params["step"]) == (1, 3)


def test_removing_a_row_keeps_each_step_and_field_with_its_own_english():
    series = templates.load_template_file(templates.TEMPLATES_DIR / f"{templates.DEFAULT_SLUG}.yaml")
    steps = templates.step_rows(series, 0)[1:]  # the first step removed
    edited = templates.check_template(templates.with_step_rows(series, 0, steps), source="x")
    assert edited.lessons[0].steps[0].title.en == "Who decides?"
    fields = [row for row in templates.field_rows(series) if row["name"] != "problem"]
    edited = templates.check_template(templates.with_field_rows(series, fields), source="x")
    assert edited.plan_form.field("place").label.en == "Where is it?"
