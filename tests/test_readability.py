"""Reading level of children's texts (issue 17): the Flesch–Douma formula on hand-counted Dutch,
the counting rules' edge cases, the targets per groep, the shipped templates, and the template
editor's warnings (AppTest, from the entrypoint, as an admin)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kinderwijkraad import db
from kinderwijkraad.i18n import t
from kinderwijkraad.models import LessonSeries, Role
from kinderwijkraad.services import accounts, readability, templates
from kinderwijkraad.services.readability import Level, Place, Problem
from kinderwijkraad.ui import navigation
from kinderwijkraad.ui.format import plain
from tests.test_pages import USERNAMES, app_as, database_url, demo_database, page_path  # noqa: F401 (fixtures)

# --- the formula, counted by hand --------------------------------------------------------------


def test_flesch_douma_is_douma_1960_on_a_hand_counted_sentence():
    # "De kat zit op de mat.": 6 words of one syllable, 1 sentence.
    # 206.84 − 0.77 × (6 / 6 × 100) − 0.93 × 6 = 206.84 − 77 − 5.58 = 124.26
    result = readability.measure("De kat zit op de mat.")
    assert (result.words, result.sentences, result.syllables) == (6, 1, 6)
    assert result.score == 124.3
    assert readability.flesch_douma(words=6, sentences=1, syllables=6) == pytest.approx(124.26)


def test_two_sentences_with_longer_words_counted_by_hand():
    # "Wij gaan naar school." 4 words, 4 syllables; "Het is een mooie dag." 5 words, 6 syllables
    # (moo-ie). 9 words, 10 syllables, 2 sentences:
    # 206.84 − 0.77 × 111.11 − 0.93 × 4.5 = 206.84 − 85.556 − 4.185 = 117.10
    result = readability.measure("Wij gaan naar school. Het is een mooie dag.")
    assert (result.words, result.sentences, result.syllables) == (9, 2, 10)
    assert result.score == pytest.approx(117.1, abs=0.05)
    # LIX: 9 / 2 + 100 × 0 long words / 9 = 4.5
    assert result.lix == 4.5
    assert (result.longest_sentence, result.longest_sentence_words) == ("Het is een mooie dag.", 5)


def test_lix_counts_words_longer_than_six_letters():
    # "Gemeente" and "woningcorporatie" are longer than 6 letters: 2 of 5 words, 1 sentence.
    result = readability.measure("De gemeente en de woningcorporatie.")
    assert result.long_words == 2
    assert result.lix == pytest.approx(5 + 40)


def test_a_very_easy_childrens_sentence_scores_in_douma_s_easiest_band():
    result = readability.measure("Ik zie een kat. De kat is zwart. Hij is lief.")
    assert result.score is not None and result.score >= 90
    assert result.level == Level.VERY_EASY
    assert not readability.assess("Ik zie een kat. De kat is zwart. Hij is lief.", 5).above_target


def test_a_hard_official_sentence_scores_hard_and_is_far_above_every_groep():
    text = ("Op grond van de Algemene wet bestuursrecht wordt de belanghebbende in de gelegenheid gesteld "
            "zijn zienswijze naar voren te brengen, alvorens het bestuursorgaan een besluit neemt.")
    result = readability.measure(text)
    assert result.score is not None and 30 <= result.score < 45
    assert result.level == Level.HARD
    assert result.longest_sentence_words == 26
    for group in readability.GROUPS:
        assert readability.assess(text, group).problems == (Problem.SCORE, Problem.SENTENCE)


@pytest.mark.parametrize(("score", "level"), [
    (124, Level.VERY_EASY), (90, Level.VERY_EASY), (89.9, Level.EASY), (75, Level.FAIRLY_EASY),
    (60, Level.NORMAL), (50, Level.FAIRLY_HARD), (30, Level.HARD), (29.9, Level.VERY_HARD), (-100, Level.VERY_HARD),
])
def test_levels_are_douma_s_bands(score, level):
    assert readability.level_of(score) == level


@pytest.mark.parametrize(("word", "syllables"), [
    ("kat", 1), ("democratie", 4), ("gemeente", 3), ("woningcorporatie", 6), ("kinderwijkraad", 4),
    ("idee", 2), ("mooie", 2), ("bioscoop", 3), ("zeeën", 2), ("één", 1), ("ooit", 1), ("QR-code", 3), ("3", 1),
])
def test_dutch_syllables(word, syllables):
    assert readability.syllables(word) == syllables


# --- edge cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "?!...", "\n\n", "—"])
def test_a_text_without_words_has_no_score_and_is_never_too_hard(text):
    result = readability.measure(text)
    assert (result.words, result.sentences, result.score, result.lix, result.level) == (0, 0, None, None, None)
    assert not readability.assess(text, 5).above_target


def test_one_word_is_one_sentence_and_is_not_held_to_the_score():
    result = readability.measure("Democratie")
    assert (result.words, result.sentences, result.longest_sentence) == (1, 1, "Democratie")
    assert result.score is not None and result.score < 0  # the formula on one long word: noise
    assert not readability.assess("Democratie", 5).above_target


def test_numbers_are_words_and_punctuation_is_not():
    assert readability.words("Kies er 3! (Of 2…)") == ["Kies", "er", "3", "Of", "2"]
    assert readability.measure("Kies er 3!").words == 3
    assert readability.sentences("Het kost 2.50 euro. Dat is veel.") == ["Het kost 2.50 euro.", "Dat is veel."]


def test_a_single_letter_after_a_lowercase_word_ends_its_sentence():
    text = "Kies plan A. Of kies plan B. Tik dan op Stem."
    assert readability.sentences(text) == ["Kies plan A.", "Of kies plan B.", "Tik dan op Stem."]


def test_abbreviations_and_initials_do_not_end_a_sentence():
    text = "Neem bijv. een bal mee. Dat is o.a. leuk! Meneer A. Jansen komt ook, enz. Klaar?"
    assert readability.sentences(text) == ["Neem bijv. een bal mee.", "Dat is o.a. leuk!",
                                           "Meneer A. Jansen komt ook, enz. Klaar?"]


def test_a_line_break_ends_a_sentence_and_a_hyphenated_word_is_one_word():
    assert readability.sentences("Typ de code\nScan de QR-code") == ["Typ de code", "Scan de QR-code"]
    assert readability.words("Scan de QR-code") == ["Scan", "de", "QR-code"]


# --- targets -----------------------------------------------------------------------------------


def test_targets_get_stricter_for_younger_groups():
    scores = [readability.target(g).min_score for g in readability.GROUPS]
    lengths = [readability.target(g).max_sentence_words for g in readability.GROUPS]
    assert scores == sorted(scores, reverse=True)
    assert lengths == sorted(lengths)
    assert readability.target(None) == readability.target(42) == readability.target(readability.DEFAULT_GROUP)


def test_a_long_sentence_is_too_hard_for_groep_5_but_fine_for_groep_8():
    text = "Wat zou jij veranderen als je in de raad zat?"  # 10 words, easy words
    assert readability.assess(text, 5).problems == (Problem.SENTENCE,)
    assert not readability.assess(text, 8).above_target


def test_an_easy_looking_text_with_long_words_is_too_hard_for_groep_6_only_from_eight_words_on():
    long_words = "Democratie betekent: iedereen mag meepraten, meebeslissen en stemmen."  # 8 words
    assert readability.assess(long_words, 6).problems == (Problem.SCORE,)
    assert not readability.assess("Geen gezichten op de foto!", 6).above_target  # 5 words: sentence only


# --- templates ---------------------------------------------------------------------------------


def _series(children_text: str, **extra) -> dict:
    data = templates.load_template_file(templates.TEMPLATES_DIR / "democratielessen.yaml").model_dump(mode="json")
    data["lessons"][0]["steps"][2]["children_text"] = {"nl": children_text, "en": ""}
    return {**data, **extra}


HARD = ("De gemeente en de woningcorporatie beoordelen de voorstellen van de kinderwijkraad op haalbaarheid, "
        "draagvlak en kosten, waarna een schriftelijke terugkoppeling volgt.")


def test_the_children_texts_of_a_series_are_every_text_a_child_reads():
    series = templates.load_template_file(templates.TEMPLATES_DIR / "democratielessen.yaml")
    places = {text.place for text in readability.children_texts(series)}
    assert places == set(Place)
    texts = [text.text for text in readability.children_texts(series)]
    assert "Stem in het geheim. Kies er 3!" in texts
    assert "Veel (zoals een speeltuin)" in texts
    assert not any("Leg uit waarom stemmen geheim is" in text for text in texts)  # the teacher's text


def test_a_hard_childrens_text_is_named_by_lesson_and_step():
    warnings = readability.series_warnings(_series(HARD))
    assert len(warnings) == 1
    where = warnings[0].where
    assert (where.place, where.lesson, where.step, where.step_title) == (Place.CHILDREN_TEXT, 1, 3, "Democratie")
    assert warnings[0].assessment.problems == (Problem.SCORE, Problem.SENTENCE)
    assert warnings[0].assessment.readability.longest_sentence == HARD


def test_the_series_groep_is_its_target_and_can_be_overridden():
    assert readability.reading_group(_series("Hallo", reading_group=5)) == 5
    text = "Wat zou jij veranderen als je in de raad zat?"
    assert readability.series_warnings(_series(text, reading_group=8)) == []
    assert [w.where.text for w in readability.series_warnings(_series(text, reading_group=5), 5)][:1] == [text]


def test_reading_group_is_part_of_the_template_schema():
    data = _series("Hallo")
    assert LessonSeries.model_validate({**data, "reading_group": 7}).reading_group == 7
    data.pop("reading_group", None)
    assert LessonSeries.model_validate(data).reading_group == 6  # older stored versions: groep 6
    for wrong in (4, 9):
        with pytest.raises(ValidationError):
            LessonSeries.model_validate({**data, "reading_group": wrong})


@pytest.mark.parametrize("slug", templates.shipped_slugs())
def test_every_shipped_template_meets_its_own_reading_level(slug):
    series = templates.load_template_file(templates.TEMPLATES_DIR / f"{slug}.yaml")
    assert "reading_group" in (templates.TEMPLATES_DIR / f"{slug}.yaml").read_text(encoding="utf-8")
    assert [(w.where, w.assessment.problems) for w in readability.series_warnings(series)] == []


# --- the editor (AppTest) ----------------------------------------------------------------------


def _editor(database_url):  # noqa: F811 (the fixture's value)
    at = app_as(Role.ADMIN).run()
    at.switch_page(page_path(navigation.TEMPLATES)).run()
    assert not at.exception
    return at


def _group_box(at):
    return next(box for box in at.selectbox if box.key and box.key.startswith("templates.reading_group."))


def test_the_editor_says_the_shipped_lessons_suit_their_groep(database_url):  # noqa: F811
    at = _editor(database_url)
    assert _group_box(at).value == 6
    assert t("readability.all_fine", group=6) in [s.value for s in at.success]
    assert not at.warning


def test_the_editor_warns_when_a_younger_groep_is_picked_and_still_saves(database_url):  # noqa: F811
    at = _editor(database_url)
    _group_box(at).set_value(5).run()
    assert not at.exception
    shown = "\n".join(w.value for w in at.warning)
    assert t("readability.summary", count=3, group=5) in shown
    assert "Les 1, stap 4 ‘Wat doet een kinderwijkraad?’ · tekst voor de kinderen" in shown
    assert "Wat zou jij veranderen als je in de raad zat?" in shown
    at.button(key="templates.save_steps").click().run()
    assert t("templates.saved", version=2) in [s.value for s in at.success]
    engine = db.make_engine(database_url)
    assert templates.template_series(engine, templates.latest_template(engine).id).reading_group == 5
    engine.dispose()


def test_the_editor_names_a_hard_text_its_score_and_longest_sentence(database_url):  # noqa: F811
    engine = db.make_engine(database_url)
    admin = accounts.session_actor(engine, username=USERNAMES[Role.ADMIN])
    templates.latest_template(engine)  # stores the shipped version 1
    templates.save_template_version(engine, actor=admin, slug=templates.DEFAULT_SLUG, series=_series(HARD),
                                    based_on_version=1)
    engine.dispose()
    at = _editor(database_url)
    shown = "\n".join(w.value for w in at.warning)
    assert t("readability.summary", count=1, group=6) in shown
    assert "Les 1, stap 3 ‘Democratie’ · tekst voor de kinderen" in shown
    assert "Leesgemak " in shown and "voor groep 6 is 90 of meer nodig" in shown
    longest = readability.measure(HARD)
    assert plain(t("readability.longest", words=longest.longest_sentence_words, sentence=HARD)) in shown
    # The plan form's tab warns about the same series.
    at.session_state["templates.tab"] = t("templates.tab_form")
    at.run()
    assert t("readability.summary", count=1, group=6) in "\n".join(w.value for w in at.warning)
