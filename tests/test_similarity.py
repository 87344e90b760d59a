"""Similar plans: the light Dutch stemmer, TF-IDF pairs, suggested groups and their explanation."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinderwijkraad.services.similarity import STOPWORDS, best_matches, groups, shared_words, similar_pairs, words

# Plans as children write them (title, problem, place, idea run together), spelling mistakes included.
PLANS = {
    # speeltuin
    1: "Een nieuwe speeltuin. Probleem: de speeltuin in het park is kapot, de schommel is stuk en de glijbaan "
    "is vies. Idee: nieuwe schommels en een grote glijbaan in de speeltuin.",
    2: "Speeltuintje bij het grasveld. Er is geen plek om te spelen. Plek: het grasveld achter de flat. "
    "Idee: een klein speeltuintje met een klimrek en een schommel.",
    3: "Betere speeltuinen. De speeltuinen in onze wijk zijn saai en oud. De glijbaan is roestig. "
    "Wij willen een speeltuin met een kabelbaan en een klimrek.",
    4: "speeltuin voor kleine kinderen. de glybaan is kappot en de schommel ook. waar: op het pleintje. "
    "idee: nieuwe schommels en een zandbak in de speeltuin",
    # zwerfafval
    5: "Minder zwerfafval. Overal ligt afval op straat, blikjes en chipszakjes. Idee: meer prullenbakken "
    "in de straat en een opruimdag.",
    6: "Schone straat. Er ligt veel afval en vuilnis op straat bij de supermarkt. Meer prullenbakken "
    "neerzetten en afval opruimen met de klas.",
    7: "Afval in het park. In het park liggen blikjes en plastic flesjes. Idee: een prullenbak bij elke "
    "bank en afval prikken.",
    8: "Zwerfafval opruimen. Zwerfafval is slecht voor de dieren. Plastic zakjes en blikjes op straat. "
    "Wij gaan zwerfafval prikken met de prullenbak.",
    # veilig oversteken
    9: "Veilig oversteken. Bij de school is het heel druk met auto's, oversteken is gevaarlijk. Idee: een "
    "zebrapad en een verkeerslicht.",
    10: "Zebrapad bij de school. De auto's rijden te hard bij het kruispunt. Wij willen een zebrapad en een "
    "klaar-over zodat kinderen veilig kunnen oversteken.",
    11: "Gevaarlijke weg. Ik moet elke dag de drukke weg oversteken naar school. De auto's gaan heel hard. "
    "Een verkeerslicht of drempels.",
    12: "Oversteekplaats. Het zebrapat bij de bakker is weg, de strepen zijn vaag. Idee: nieuw zebrapad met "
    "lampen zodat auto's stoppen en wij veilig oversteken.",
    # hondenpoep
    13: "Hondenpoep op de stoep. Overal op de stoep ligt hondenpoep, ik stap er steeds in. Idee: een "
    "hondenuitlaatplek en poepzakjes.",
    14: "Geen poep in het gras. Honden poepen op het grasveld waar wij voetballen. Bordjes: honden aan de "
    "lijn en poep opruimen.",
    15: "Hondenpoep. Baasjes ruimen de hondenpoep niet op. Meer poepzakjes en een boete voor baasjes die "
    "de poep van hun hond laten liggen.",
}
TOPICS = [{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15}]


def topic_of(plan_id: int) -> int:
    return next(index for index, members in enumerate(TOPICS) if plan_id in members)


# --- words and the stemmer ---------------------------------------------------------------------------


def test_words_lowercases_strips_accents_and_drops_stopwords_and_short_words():
    assert words("De IDEEËN van ons: één Zebrapad bij de SPEELTUIN, OK?") == ["idee", "zebrapad", "speeltuin"]
    assert words("Crèche naïef") == words("creche naief")


@pytest.mark.parametrize(
    "forms",
    [
        ("speeltuin", "speeltuinen", "speeltuintje", "speeltuintjes"),
        ("hond", "honden", "hondje", "hondjes"),
        ("straat", "straten", "straatje"),
        ("bal", "ballen", "balletje", "balletjes"),
        ("boom", "bomen", "boompje"),
        ("huis", "huizen", "huisje"),
        ("vies", "vieze"),
        ("kapot", "kapotte"),
        ("zebrapad", "zebrapaden"),
        ("prullenbak", "prullenbakken"),
        ("fietser", "fietsers"),
        ("glijbaan", "glijbanen"),
    ],
)
def test_plural_diminutive_and_inflected_forms_share_a_stem(forms):
    stems = {tuple(words(form)) for form in forms}
    assert len(stems) == 1, stems


def test_the_stemmer_keeps_words_that_only_look_inflected():
    assert words("fiets bus stap kat") == ["fiets", "bus", "stap", "kat"]
    assert words("stapje katje plaatje") == ["stap", "kat", "plat"]


def test_stems_keep_at_least_three_letters():
    assert words("eten") == ["eten"]  # "-en" would leave "et"
    assert words("pet petje") == ["pet", "pet"]


# --- pairs and groups on realistic plans ---------------------------------------------------------------


def test_groups_recover_the_four_topics_of_the_example_plans():
    assert groups(PLANS, threshold=0.2) == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15]]


def test_groups_at_the_default_threshold_never_mix_topics():
    found = groups(PLANS)
    assert found, "the clearest plans should still be grouped"
    for group in found:
        assert len({topic_of(plan_id) for plan_id in group}) == 1, group
    assert [9, 10, 11, 12] in found


def test_the_best_partner_of_every_plan_is_in_its_own_topic():
    pairs = similar_pairs(PLANS, threshold=0.0, limit=10_000)
    for plan_id in PLANS:
        best = next((a if b == plan_id else b) for a, b, _ in pairs if plan_id in (a, b))
        assert topic_of(best) == topic_of(plan_id), (plan_id, best)


def test_similar_pairs_are_best_first_above_the_threshold_and_limited():
    pairs = similar_pairs(PLANS, threshold=0.25, limit=1000)
    assert pairs
    assert all(a < b and score >= 0.25 for a, b, score in pairs)
    assert pairs == sorted(pairs, key=lambda pair: (-pair[2], pair[0], pair[1]))
    assert similar_pairs(PLANS, threshold=0.25, limit=3) == pairs[:3]
    assert similar_pairs(PLANS, threshold=0.25, limit=0) == []


def test_equal_scores_are_ordered_by_ids():
    texts = {4: "speeltuin schommel", 2: "speeltuin schommel", 9: "zebrapad school", 1: "zebrapad school"}
    pairs = similar_pairs(texts, threshold=0.5)
    assert [(a, b) for a, b, _ in pairs] == [(1, 9), (2, 4)]
    assert all(score == pytest.approx(1.0) for _, _, score in pairs)


def test_best_matches_puts_a_new_plan_under_the_right_theme():
    themes = {
        101: "Speeltuin " + " ".join(PLANS[i] for i in TOPICS[0]),
        102: "Zwerfafval " + " ".join(PLANS[i] for i in TOPICS[1]),
        103: "Veilig oversteken " + " ".join(PLANS[i] for i in TOPICS[2]),
        104: "Hondenpoep " + " ".join(PLANS[i] for i in TOPICS[3]),
    }
    new_plan = "Poepzakjes. Op het grasveld ligt overal hondepoep van de honden. Baasjes moeten het opruimen."
    matches = best_matches(new_plan, themes)
    assert matches[0][0] == 104
    assert all(0.1 <= score <= 1.0 for _, score in matches)
    assert matches == sorted(matches, key=lambda match: (-match[1], match[0]))
    assert best_matches(new_plan, themes, limit=1) == matches[:1]
    assert best_matches("Een glijbaan en schommels!", themes)[0][0] == 101


def test_shared_words_explain_a_suggestion_in_readable_words():
    explained = shared_words(PLANS[13], PLANS[15])
    assert set(explained) == {"hondenpoep", "poepzakjes"}
    assert shared_words(PLANS[13], PLANS[15], limit=1) == ["hondenpoep"]
    assert shared_words("De straten zijn vies.", "Een vieze straat.") == ["straat", "vies"]
    assert shared_words("de speeltuintjes", "De Speeltuinen en de speeltuin") == ["speeltuin"]
    assert shared_words("Een schommel in de speeltuin.", "Een zebrapad bij de school.") == []


def test_synonyms_and_unsplit_compounds_are_not_matched():
    """The documented limit: word forms only, no meaning."""
    assert similar_pairs({1: "vuilnis bij de bakker", 2: "afval bij de bakker"}, threshold=0.0) != []
    assert similar_pairs({1: "vuilnis", 2: "afval"}, threshold=0.0) == []
    assert similar_pairs({1: "zwerfafval", 2: "afval"}, threshold=0.0) == []


# --- edge cases ----------------------------------------------------------------------------------------


def test_stopwords_alone_give_no_similarity():
    texts = {1: "Wij willen dat het er is, en ook voor ons.", 2: "Ik wil dat het er is, want wij zijn er ook."}
    assert words(texts[1]) == [] and words(texts[2]) == []
    assert similar_pairs(texts, threshold=0.0) == []
    assert groups(texts, threshold=0.0) == []
    assert best_matches(texts[1], {7: texts[2]}, threshold=0.0) == []
    assert shared_words(texts[1], texts[2]) == []


def test_empty_texts_and_a_single_text_are_fine():
    assert similar_pairs({}) == [] and groups({}) == []
    assert similar_pairs({1: ""}) == [] and groups({1: ""}) == []
    assert similar_pairs({1: "Een speeltuin!"}, threshold=0.0) == []
    assert groups({1: "Een speeltuin!"}, threshold=0.0) == []
    assert similar_pairs({1: "", 2: "", 3: "speeltuin"}, threshold=0.0) == []
    assert best_matches("", {}) == [] and best_matches("speeltuin", {}) == []
    assert best_matches("", {1: "speeltuin"}, threshold=0.0) == []
    assert best_matches("speeltuin", {1: ""}, threshold=0.0) == []
    assert words("") == [] and shared_words("", "") == []


def test_identical_plans_score_one_and_form_a_group():
    texts = {5: PLANS[9], 6: PLANS[9], 7: PLANS[13]}
    [(a, b, score)] = similar_pairs(texts, threshold=0.5)
    assert (a, b) == (5, 6) and score == pytest.approx(1.0)
    assert groups(texts) == [[5, 6]]


# --- properties ----------------------------------------------------------------------------------------

VOCABULARY = [
    "speeltuin", "speeltuinen", "speeltuintje", "schommel", "glijbaan", "glybaan", "afval", "zwerfafval",
    "vuilnis", "straat", "straten", "prullenbak", "blikjes", "zebrapad", "zebrapat", "oversteken", "auto's",
    "school", "hondenpoep", "poep", "honden", "stoep", "park", "bankje", "bomen", "boom", "ideeën", "café",
    "de", "het", "een", "en", "wij", "willen", "is", "op", "in", "ok", "x", "Speeltuin", "STRAAT",
]
# An explicit alphabet (accents, ligatures, other scripts, emoji) keeps Hypothesis from building its
# Unicode cache on disk.
ODD_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCZ éëïöüèàçñßÉËİĳﬁαβжツ0123456789'’-.,!?\n\t🙂"
plan_texts = st.one_of(
    st.lists(st.sampled_from(VOCABULARY), max_size=12).map(" ".join),
    st.text(alphabet=ODD_CHARACTERS, max_size=30),
)
property_settings = settings(database=None, deadline=None, max_examples=60)


def score_of(a: str, b: str) -> float:
    pairs = similar_pairs({1: a, 2: b}, threshold=0.0)
    return pairs[0][2] if pairs else 0.0


@property_settings
@given(plan_texts, plan_texts)
def test_similarity_is_symmetric_and_between_zero_and_one(a, b):
    score = score_of(a, b)
    assert score == score_of(b, a)
    assert -1e-9 <= score <= 1 + 1e-9
    matches = best_matches(a, {1: b}, threshold=0.0)
    assert matches == best_matches(b, {1: a}, threshold=0.0)
    assert (matches[0][1] if matches else 0.0) == pytest.approx(score, abs=1e-12)
    assert (score > 0) == bool(shared_words(a, b))


@property_settings
@given(st.lists(plan_texts, max_size=8), st.data())
def test_renumbering_the_plans_renames_the_pairs_and_nothing_else(texts, data):
    new_ids = data.draw(st.permutations([7 * i + 3 for i in range(len(texts))]))
    original = dict(enumerate(texts))
    renamed = {new_ids[i]: text for i, text in original.items()}

    def rename(a: int, b: int, score: float) -> tuple[int, int, float]:
        return (*sorted((new_ids[a], new_ids[b])), score)

    threshold = data.draw(st.sampled_from([0.0, 0.2, 0.5]))
    expected = {rename(*pair) for pair in similar_pairs(original, threshold=threshold, limit=1000)}
    assert set(similar_pairs(renamed, threshold=threshold, limit=1000)) == expected
    expected_groups = {frozenset(new_ids[i] for i in group) for group in groups(original, threshold=threshold)}
    assert {frozenset(group) for group in groups(renamed, threshold=threshold)} == expected_groups


@property_settings
@given(plan_texts, st.lists(plan_texts, max_size=4))
def test_a_plan_compared_with_itself_scores_one_when_it_has_a_content_word(text, others):
    candidates = {i + 1: other for i, other in enumerate(others)} | {0: text}
    matches = dict(best_matches(text, candidates, threshold=0.0, limit=10))
    if words(text):
        assert matches[0] == pytest.approx(1.0, abs=1e-9)
        assert max(matches.values()) == pytest.approx(1.0, abs=1e-9)
    else:
        assert matches == {}


@property_settings
@given(st.lists(plan_texts, max_size=10), st.sampled_from([0.0, 0.1, 0.3, 0.6]))
def test_groups_are_the_components_of_the_pairs_above_the_threshold(texts, threshold):
    plans = dict(enumerate(texts))
    found = groups(plans, threshold=threshold)
    member_of = {plan_id: index for index, group in enumerate(found) for plan_id in group}
    assert sum(len(group) for group in found) == len(member_of)  # disjoint
    assert all(len(group) >= 2 and group == sorted(group) for group in found)
    assert found == sorted(found, key=lambda group: (-len(group), group[0]))
    pairs = similar_pairs(plans, threshold=threshold, limit=10_000)
    for a, b, _ in pairs:
        assert member_of[a] == member_of[b]
    linked = {plan_id for a, b, _ in pairs for plan_id in (a, b)}
    assert set(member_of) == linked


@property_settings
@given(plan_texts)
def test_words_are_lowercase_letters_without_accents_and_at_least_three_long(text):
    for stem in words(text):
        assert len(stem) >= 3 and stem.isalpha()
        assert stem == stem.lower()
        assert not any(character in stem for character in "éëïöüèàç")
    assert words(text) == words(text.upper()) or not text.isascii()


# --- size ----------------------------------------------------------------------------------------------


def test_three_hundred_plans_of_sixty_words_complete():
    rng = random.Random(2026)
    syllables = ["ba", "ke", "lo", "mi", "su", "tra", "pel", "tuin", "straat", "poep", "zeb", "af", "val", "hond"]
    vocabulary = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(800)})
    vocabulary += sorted(STOPWORDS)
    plans = {plan_id: " ".join(rng.choices(vocabulary, k=60)) for plan_id in range(1, 301)}
    pairs = similar_pairs(plans, threshold=0.1, limit=math.comb(300, 2))
    assert all(1 <= a < b <= 300 for a, b, _ in pairs)
    found = groups(plans)
    assert sum(len(group) for group in found) == len({plan_id for group in found for plan_id in group})
