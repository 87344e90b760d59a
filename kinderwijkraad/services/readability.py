"""Reading level of the texts children read: Flesch–Douma, LIX, and a target per groep.

Pure functions: no database, no Streamlit. The template editor (ui/readability.py) shows a warning
for every children's text above the series' target; `tests/test_readability.py` checks the
shipped templates meet their own target.

**Flesch–Douma** (W.H. Douma, *De leesbaarheid van landbouwbladen*, Wageningen 1960; the Dutch
adaptation of Flesch 1948):

    score = 206.84 − 0.77 × syllables per 100 words − 0.93 × words per sentence

Higher is easier. Douma's norm table (as reproduced in a 1977 article on DBNL,
dbnl.org/tekst/_taa014197701_01/_taa014197701_01_0089.php, and in nl.wikipedia "Leesbaarheid")
maps a score to the old lagere-school classes (klas n = groep n + 2): 90–100 "zeer gemakkelijk"
(4e klas = groep 6), 80–90 "gemakkelijk" (groep 7), 70–80 "tamelijk gemakkelijk" (groep 8),
60–70 "normaal", 45–60 "tamelijk moeilijk", 30–45 "moeilijk", below 30 "zeer moeilijk".
textstat's "nl" constants are the same formula (206.835, 0.93 per word per sentence, 77 per
syllable per word = 0.77 per 100 words); we count with pyphen ourselves rather than depend on
textstat, which brings nltk and drops every sentence of two words or fewer from its count.

**LIX** (Björnsson 1968): words per sentence + percentage of words longer than 6 letters; shown
beside the score, not used for the target.

How text is counted (our own rules, simple on purpose):
- a sentence ends at `.`, `!` or `?` (or several) followed by a space or the end, and at a line
  break; not after a known abbreviation (`bijv.`, `o.a.`, …) or a name's initial (`Meneer A. Jansen`,
  not `plan A.`);
- a word is a run of letters, digits, `-` or `'` holding at least one letter or digit;
  a hyphenated word is one word ("QR-code");
- syllables of a word: for each hyphen part, the larger of pyphen's nl_NL hyphenation points + 1
  (LibreOffice's Dutch hyphenation patterns, which split at syllables but keep some words whole:
  "idee", "mooie") and the number of Dutch vowel sounds, matched longest first ("aai", "ooi",
  "oei", "eeu", "ieu", then "aa", "ee", "ie", "ij", "ui", "oe", "eu", "ou", …, then one vowel; a
  vowel with a diaeresis starts a new one: "zee-ën"), at least 1. So "mooie" is 2 ("ooi" + "e")
  and "bioscoop" 3. A number counts one syllable per digit (rough: "3" = drie).

Douma's formula was made for samples of about 100 words; on a short label it is noise: one word
swings it ("Democratie" alone scores −102; "Geen gezichten op de foto!" 79 but "Geen hoofden op
de foto!" 94). So a text of fewer than MIN_WORDS_FOR_SCORE words gets its score shown but is held
only to the sentence length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import pyphen

# --- targets per groep -----------------------------------------------------------------------

GROUPS = (5, 6, 7, 8)
DEFAULT_GROUP = 6
MIN_WORDS_FOR_SCORE = 8


@dataclass(frozen=True)
class ReadingTarget:
    """What a text for one groep may be: at least `min_score` Flesch–Douma (Douma's band for that
    groep; groep 5 gets his easiest band too, with shorter sentences) and no sentence longer than
    `max_sentence_words` (our rule of thumb, not Douma's: two words more per groep)."""

    group: int
    min_score: float
    max_sentence_words: int


TARGETS = {
    5: ReadingTarget(5, 90.0, 8),
    6: ReadingTarget(6, 90.0, 10),
    7: ReadingTarget(7, 80.0, 12),
    8: ReadingTarget(8, 70.0, 14),
}


def target(group: int | None) -> ReadingTarget:
    """The target for a groep; an unknown or missing groep gets the default (groep 6)."""
    return TARGETS.get(group if group is not None else DEFAULT_GROUP, TARGETS[DEFAULT_GROUP])


class Level(StrEnum):
    """Douma's bands, easiest first (i18n: readability.level.<value>)."""

    VERY_EASY = "very_easy"  # 90+
    EASY = "easy"  # 80–90
    FAIRLY_EASY = "fairly_easy"  # 70–80
    NORMAL = "normal"  # 60–70
    FAIRLY_HARD = "fairly_hard"  # 45–60
    HARD = "hard"  # 30–45
    VERY_HARD = "very_hard"  # below 30


_BANDS = ((90, Level.VERY_EASY), (80, Level.EASY), (70, Level.FAIRLY_EASY), (60, Level.NORMAL),
          (45, Level.FAIRLY_HARD), (30, Level.HARD))


def level_of(score: float) -> Level:
    return next((level for floor, level in _BANDS if score >= floor), Level.VERY_HARD)


# --- counting --------------------------------------------------------------------------------

# Abbreviations whose full stop does not end a sentence (lower case, without the final dot).
ABBREVIATIONS = frozenset({
    "bijv", "bv", "b.v", "o.a", "enz", "etc", "d.w.z", "m.a.w", "ca", "nr", "evt", "i.p.v", "t.o.v",
    "dhr", "mevr", "mr", "dr", "ir", "drs", "prof", "blz", "vb", "zgn", "z.g.a", "a.u.b", "s.v.p", "o.b.v",
    "m.b.v", "n.a.v", "m.n", "incl", "excl", "max", "min", "gem", "st", "jl", "vs", "t/m", "e.d",
})
_WORD = re.compile(r"[\w'’-]*\w[\w'’-]*")
_SENTENCE_END = re.compile(r"([.!?…]+)[\"'”’)\]]*(?=\s|$)")
_VOWEL_SOUND = re.compile(r"aai|ooi|oei|eeu|ieu|éé|aa|ee|oo|uu|ie|ei|ij|ui|oe|eu|ou|au|[aeiouyàáâäèéêëìíîïòóôöùúûü]")


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    # left/right 1: every syllable break, also next to a word's first or last letter.
    return pyphen.Pyphen(lang="nl_NL", left=1, right=1)


def words(text: str) -> list[str]:
    """The words of a text, punctuation stripped (a hyphenated word is one word)."""
    return [word.strip("-'’") for word in _WORD.findall(text) if word.strip("-'’")]


def sentences(text: str) -> list[str]:
    """The sentences of a text, each stripped; empty ones (only punctuation) are dropped."""
    found: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _SENTENCE_END.finditer(line):
            before = line[start:match.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            if match.group(1) == "." and (last in ABBREVIATIONS or _initial(before)):
                continue  # "bijv." or an initial: the sentence goes on
            found.append(line[start:match.end()].strip())
            start = match.end()
        found.append(line[start:].strip())
    return [sentence for sentence in found if words(sentence)]


def _initial(before: list[str]) -> bool:
    """Whether the word before a full stop is a name's initial ("Meneer A. Jansen"): one capital
    letter after a capitalised word or at the start. "Kies plan A. Of plan B." ends a sentence."""
    if not before or len(before[-1]) != 1 or not before[-1].isupper():
        return False
    return len(before) == 1 or before[-2][:1].isupper()


def syllables(word: str) -> int:
    """Syllables of one word (see the module docstring): at least 1."""
    if word.isdigit():
        return len(word)
    total = 0
    for part in re.split(r"[-'’]+", word.lower()):
        if not part:
            continue
        hyphenated = len(_dictionary().positions(part)) + 1 if any(c.isalpha() for c in part) else len(part)
        total += max(hyphenated, len(_VOWEL_SOUND.findall(part)), 1)
    return max(total, 1)


# --- the result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Readability:
    """The reading level of one text. `score` (Flesch–Douma) and `lix` are None for a text
    without words; `level` follows the score."""

    words: int
    sentences: int
    syllables: int
    long_words: int  # more than 6 letters (LIX)
    score: float | None
    lix: float | None
    level: Level | None
    longest_sentence: str
    longest_sentence_words: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0


def flesch_douma(*, words: int, sentences: int, syllables: int) -> float:
    """Douma 1960: 206.84 − 0.77 × syllables per 100 words − 0.93 × words per sentence."""
    return 206.84 - 0.77 * (100 * syllables / words) - 0.93 * (words / sentences)


def lix(*, words: int, sentences: int, long_words: int) -> float:
    """Björnsson 1968: words per sentence + percentage of words longer than 6 letters."""
    return words / sentences + 100 * long_words / words


def measure(text: str) -> Readability:
    """The reading level of a text (any length; an empty text has no score)."""
    parts = sentences(text or "")
    per_sentence = [words(sentence) for sentence in parts]
    all_words = [word for sentence_words in per_sentence for word in sentence_words]
    if not all_words:
        return Readability(0, 0, 0, 0, None, None, None, "", 0)
    count = len(all_words)
    syllable_count = sum(syllables(word) for word in all_words)
    long_words = sum(len(re.sub(r"[-'’]", "", word)) > 6 for word in all_words)
    longest = max(range(len(parts)), key=lambda i: len(per_sentence[i]))
    score = flesch_douma(words=count, sentences=len(parts), syllables=syllable_count)
    return Readability(
        words=count, sentences=len(parts), syllables=syllable_count, long_words=long_words,
        score=round(score, 1), lix=round(lix(words=count, sentences=len(parts), long_words=long_words), 1),
        level=level_of(score), longest_sentence=parts[longest], longest_sentence_words=len(per_sentence[longest]),
    )


class Problem(StrEnum):
    SCORE = "score"  # Flesch–Douma below the groep's minimum
    SENTENCE = "sentence"  # a sentence longer than the groep's maximum


@dataclass(frozen=True)
class Assessment:
    """One text against one target: `above_target` when it is too hard, with the reasons."""

    text: str
    readability: Readability
    target: ReadingTarget
    problems: tuple[Problem, ...]

    @property
    def above_target(self) -> bool:
        return bool(self.problems)


def assess(text: str, group: int | None = DEFAULT_GROUP) -> Assessment:
    """Is `text` at the level of `group`? A short text (under MIN_WORDS_FOR_SCORE words) is held
    only to the sentence length."""
    result = measure(text)
    goal = target(group)
    problems: list[Problem] = []
    if result.score is not None and result.words >= MIN_WORDS_FOR_SCORE and result.score < goal.min_score:
        problems.append(Problem.SCORE)
    if result.longest_sentence_words > goal.max_sentence_words:
        problems.append(Problem.SENTENCE)
    return Assessment(text, result, goal, tuple(problems))


# --- the children's texts of a lesson series -------------------------------------------------


class Place(StrEnum):
    """Where in a template a children's text is (i18n: readability.place.<value>)."""

    LESSON_TITLE = "lesson_title"
    STEP_TITLE = "step_title"
    CHILDREN_TEXT = "children_text"
    FIELD_LABEL = "field_label"
    FIELD_HELP = "field_help"
    FIELD_OPTION = "field_option"


@dataclass(frozen=True)
class ChildText:
    """One text a child reads, and where it is: lesson and step count from 1; `field` is a plan
    field's name, `option` an option's number (from 1)."""

    place: Place
    text: str
    lesson: int | None = None
    step: int | None = None
    step_title: str = ""
    field: str = ""
    option: int | None = None


def _nl(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("nl") or "")
    return str(getattr(value, "nl", "") or "")


def children_texts(series: Any) -> list[ChildText]:
    """Every Dutch text a child sees from a template (what ui/lesson.py and pages/meedoen.py
    show): lesson titles, step titles and children's texts, and the plan form's labels, hints and
    options. `series` is a LessonSeries or its (possibly unchecked, edited) data."""
    data = series if isinstance(series, dict) else series.model_dump(mode="json")
    found: list[ChildText] = []
    for lesson_number, lesson in enumerate(data.get("lessons") or [], start=1):
        found.append(ChildText(Place.LESSON_TITLE, _nl(lesson.get("title")), lesson=lesson_number))
        for step_number, step in enumerate(lesson.get("steps") or [], start=1):
            title = _nl(step.get("title"))
            found.append(ChildText(Place.STEP_TITLE, title, lesson_number, step_number, title))
            found.append(ChildText(Place.CHILDREN_TEXT, _nl(step.get("children_text")), lesson_number, step_number,
                                   title))
    for field in (data.get("plan_form") or {}).get("fields") or []:
        name = str(field.get("name") or "?")
        found.append(ChildText(Place.FIELD_LABEL, _nl(field.get("label")), field=name))
        if field.get("help"):
            found.append(ChildText(Place.FIELD_HELP, _nl(field.get("help")), field=name))
        for number, option in enumerate(field.get("options") or [], start=1):
            found.append(ChildText(Place.FIELD_OPTION, _nl(option), field=name, option=number))
    return [text for text in found if text.text.strip()]


@dataclass(frozen=True)
class TextWarning:
    """A children's text above the series' target."""

    where: ChildText
    assessment: Assessment


def reading_group(series: Any) -> int:
    data = series if isinstance(series, dict) else series.model_dump(mode="json")
    group = data.get("reading_group")
    return group if group in TARGETS else DEFAULT_GROUP


def series_warnings(series: Any, group: int | None = None) -> list[TextWarning]:
    """The children's texts of a series that are too hard for its groep (or `group`), in the
    order they appear."""
    goal = group if group is not None else reading_group(series)
    return [TextWarning(where, checked) for where in children_texts(series)
            if (checked := assess(where.text, goal)).above_target]


def with_reading_group(data: dict[str, Any], group: int) -> dict[str, Any]:
    """The template data with its target groep set (the editor's choice)."""
    return {**data, "reading_group": group}
