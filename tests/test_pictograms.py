"""Pictures beside words (issue 17): the built-in pictogram set, what may be stored, a theme's
picture, templates with pictures, and the pictures in the feedback sheet and results PDFs."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from kinderwijkraad.errors import InvalidInput, NotAllowed
from kinderwijkraad.exports.feedback import render_feedback_sheet_pdf
from kinderwijkraad.exports.voting import render_results_pdf
from kinderwijkraad.i18n import t
from kinderwijkraad.services import pictograms, plans, polls, templates
from kinderwijkraad.ui import pictures
from tests import factories as f
from tests.test_exports_proposals import FEEDBACK_PLANS, feedback_sheet
from tests.test_exports_voting import report as results_report

try:
    import pypdf
except ImportError:  # pragma: no cover - pypdf is in the test extras
    pypdf = None

SVG = "{http://www.w3.org/2000/svg}svg"


# -- the set --------------------------------------------------------------------------------------


def test_every_pictogram_of_the_set_is_a_valid_svg_with_its_licence_beside_it():
    folder = pictograms.PICTOGRAMS_DIR
    manifest = json.loads((folder / "pictograms.json").read_text(encoding="utf-8"))
    entries = manifest["pictograms"]
    assert 40 <= len(entries) <= 80
    assert "CC-BY-SA-4.0" in manifest["licence"]
    assert "Attribution-ShareAlike 4.0 International" in (folder / "LICENSE.txt").read_text(encoding="utf-8")
    attribution = (folder / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "OpenMoji" in attribution and "npm" in attribution and "build_pictograms.py" in attribution
    names = [entry["name"] for entry in entries]
    assert len(set(names)) == len(names)
    assert len({entry["emoji"] for entry in entries}) == len(entries)  # emoji -> pictogram is one-to-one
    for entry in entries:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", entry["name"]) and entry["nl"] and entry["en"]
        root = ET.parse(folder / entry["file"]).getroot()
        assert root.tag == SVG and root.get("viewBox") == "0 0 72 72", entry["file"]
        assert pictograms.is_single_emoji(entry["emoji"]), entry
    shipped = {path.name for path in folder.iterdir()}
    assert shipped == {entry["file"] for entry in entries} | {"pictograms.json", "LICENSE.txt", "ATTRIBUTION.md"}


def test_the_set_has_the_pictures_a_neighbourhood_council_needs():
    for name in ("playground", "park", "tree", "bench", "football", "bicycle", "bus", "car", "traffic_light",
                 "rubbish_bin", "recycling", "dog", "house", "school", "shop", "water", "safety", "music", "art",
                 "people", "elderly", "meeting", "vote", "idea", "question", "speech"):
        assert pictograms.by_name(name) is not None, name


def test_an_emoji_finds_its_pictogram_with_or_without_selector_and_skin_tone():
    assert pictograms.for_emoji("🌳").name == "tree"
    assert pictograms.for_emoji("🏞").name == pictograms.for_emoji("🏞️").name == "park"
    assert pictograms.for_emoji("👍🏽").name == "good"
    assert pictograms.for_emoji("🦄") is None


# -- what may be stored ---------------------------------------------------------------------------


@pytest.mark.parametrize("value, stored", [
    ("tree", "tree"), (" Tree ", "tree"), ("🌳", "🌳"), ("🦄", "🦄"), ("🧑‍🤝‍🧑", "🧑‍🤝‍🧑"), ("👍🏽", "👍🏽"),
    ("🇳🇱", "🇳🇱"), ("❤️", "❤️"), ("", None), ("   ", None), (None, None),
])
def test_a_name_of_the_set_or_one_emoji_is_accepted(value, stored):
    assert pictograms.clean_pictogram(value) == stored


@pytest.mark.parametrize("value", ["boom", "a", "1", "🌳🌳", "🌳 boom", "→", "<svg>", "../tree", "x" * 200])
def test_anything_else_is_refused_with_a_dutch_message(value):
    with pytest.raises(InvalidInput) as refused:
        pictograms.clean_pictogram(value)
    assert refused.value.key == "pictogram.unknown"
    message = t(refused.value.key, **refused.value.params)
    assert "geen plaatje uit de lijst" in message and "emoji" in message


def test_a_theme_gets_a_picture_changes_it_and_loses_it(engine):
    world = f.world(engine)
    facilitator = world["facilitator"]
    theme_id = plans.create_theme(engine, actor=facilitator, cycle_id=world["cycle_a"].id, name="Speeltuin")

    def stored():
        (row,) = plans.themes(engine, actor=facilitator, cycle_id=world["cycle_a"].id)
        return row.pictogram

    assert stored() is None
    assert plans.set_pictogram(engine, actor=facilitator, theme_id=theme_id, pictogram="playground") == "playground"
    assert stored() == "playground"
    plans.set_pictogram(engine, actor=facilitator, theme_id=theme_id, pictogram="⚽")
    assert stored() == "⚽"
    with pytest.raises(InvalidInput):
        plans.set_pictogram(engine, actor=facilitator, theme_id=theme_id, pictogram="speeltuin!")
    assert stored() == "⚽"  # nothing stored
    plans.set_pictogram(engine, actor=facilitator, theme_id=theme_id, pictogram="")
    assert stored() is None


def test_only_who_manages_the_cycle_sets_a_theme_picture(engine):
    world = f.world(engine)
    theme_id = plans.create_theme(engine, actor=world["admin"], cycle_id=world["cycle_b"].id, name="Verkeer")
    for outsider in (world["facilitator"], world["teacher"]):  # wijk A's facilitator; a teacher
        with pytest.raises(NotAllowed):
            plans.set_pictogram(engine, actor=outsider, theme_id=theme_id, pictogram="car")


def test_a_ballot_option_carries_its_theme_picture_and_a_plain_theme_none(engine):
    world = f.world(engine)
    facilitator, cycle_id = world["facilitator"], world["cycle_a"].id
    with_picture = plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name="Speeltuin")
    plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name="Zonder plaatje")
    plans.set_pictogram(engine, actor=facilitator, theme_id=with_picture, pictogram="playground")
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=cycle_id, title="Wijkstemming")
    options = {o.label: o.pictogram for o in polls.poll_view(engine, actor=facilitator, poll_id=poll_id).options}
    assert options == {"Speeltuin": "playground", "Zonder plaatje": None}


# -- templates ------------------------------------------------------------------------------------


def test_the_shipped_template_has_pictures_on_its_steps_and_plan_questions():
    series = templates.load_template_file(templates.TEMPLATES_DIR / "democratielessen.yaml")
    steps = [step for lesson in series.lessons for step in lesson.steps]
    assert all(step.pictogram and pictograms.by_name(step.pictogram) for step in steps)
    assert all(field.pictogram and pictograms.by_name(field.pictogram) for field in series.plan_form.fields)


def test_a_template_step_or_question_with_a_wrong_picture_is_refused_with_its_place():
    series = templates.load_template_file(templates.TEMPLATES_DIR / "democratielessen.yaml")
    data = series.model_dump(mode="json")
    data["lessons"][1]["steps"][0]["pictogram"] = "🦄"  # one emoji: fine
    assert templates.check_template(data, source="test").lessons[1].steps[0].pictogram == "🦄"
    data["lessons"][1]["steps"][0]["pictogram"] = "eenhoorn"
    with pytest.raises(templates.TemplateError) as refused:
        templates.check_template(data, source="test")
    assert refused.value.key == "template.invalid_step"
    assert (refused.value.params["lesson"], refused.value.params["step"]) == (2, 1)
    assert t(refused.value.params["problem_key"]) == t("template.problem.pictogram")
    data["lessons"][1]["steps"][0]["pictogram"] = None
    data["plan_form"]["fields"][2]["pictogram"] = "plek"
    with pytest.raises(templates.TemplateError) as refused:
        templates.check_template(data, source="test")
    assert refused.value.key == "template.invalid_plan_field" and refused.value.params["number"] == 3


def test_the_editor_tables_keep_the_pictures():
    series = templates.load_template_file(templates.TEMPLATES_DIR / "democratielessen.yaml")
    rows = templates.step_rows(series, 0)
    rows[0]["pictogram"] = "tree"
    rows[1]["pictogram"] = ""
    edited = templates.check_template(templates.with_step_rows(series, 0, rows), source="test")
    assert [step.pictogram for step in edited.lessons[0].steps[:2]] == ["tree", None]
    fields = templates.field_rows(series)
    fields[0]["pictogram"] = "⭐"
    edited = templates.check_template(templates.with_field_rows(series, fields), source="test")
    assert edited.plan_form.fields[0].pictogram == "⭐"


# -- on screen ------------------------------------------------------------------------------------


def test_on_screen_a_pictogram_is_a_decorative_svg_image_beside_the_words():
    shown = pictures.beside("tree", "Meer groen")
    assert shown.startswith("![](data:image/svg+xml;base64,") and shown.endswith(" Meer groen")  # alt is empty
    assert pictures.beside("🌳", "Meer groen") == pictures.beside("tree", "Meer groen")  # the set draws it
    assert pictures.beside("🦄", "Eenhoorns") == "🦄 Eenhoorns"
    assert pictures.beside(None, "Meer groen") == pictures.beside("weg", "Meer groen") == "Meer groen"


# -- the PDFs -------------------------------------------------------------------------------------
# fpdf2 draws an SVG as vector paths inside its own transform "q s 0 0 s x y cm": one per picture.

PICTURE_TRANSFORM = re.compile(rb"q (\d+\.\d+) 0 0 \1 [\d.]+ [\d.]+ cm /GS\d+ gs")


def _pictures_in(pdf: bytes) -> int:
    assert pypdf is not None
    return sum(len(PICTURE_TRANSFORM.findall(page.get_contents().get_data()))
               for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _text_of(pdf: bytes) -> str:
    assert pypdf is not None
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


needs_pypdf = pytest.mark.skipif(pypdf is None, reason="pypdf reads the PDFs back")


@needs_pypdf
def test_the_feedback_sheet_draws_a_theme_picture_beside_the_theme_name():
    with_pictures = [replace(plan, theme_picture=pictograms.svg_bytes("crossing")) if plan.theme == "Verkeer"
                     else replace(plan, theme_picture=pictograms.svg_bytes("⚽")) if plan.title == "Meer speelplekken"
                     else plan for plan in FEEDBACK_PLANS]
    pdf = render_feedback_sheet_pdf(feedback_sheet(plans=with_pictures))
    assert _pictures_in(pdf) == 2
    text = _text_of(pdf)
    assert "Verkeer" in text and "Spelen" in text  # the words stay
    assert t("pictogram.credit") in text


@needs_pypdf
def test_a_feedback_sheet_without_pictures_is_as_before():
    pdf = render_feedback_sheet_pdf(feedback_sheet())
    assert _pictures_in(pdf) == 0
    assert t("pictogram.credit") not in _text_of(pdf)


@needs_pypdf
def test_the_results_pdf_draws_each_option_picture_beside_its_bar():
    report = results_report(options=4)
    rows = [replace(row, picture=pictograms.svg_bytes(name))
            for row, name in zip(report.rows, ("playground", "🚲", None, "🦄"), strict=True)]
    pdf = render_results_pdf(replace(report, rows=rows))
    assert _pictures_in(pdf) == 2  # a theme without one, and an emoji the set has not: just the name
    text = _text_of(pdf)
    assert all(row.option[:12] in text for row in rows)
    assert t("pictogram.credit") in text
    assert _pictures_in(render_results_pdf(report)) == 0
