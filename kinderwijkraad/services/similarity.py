"""Suggestions of similar plans: TF-IDF over Dutch word stems, in plain Python.

A facilitator sorts 100-300 short plans written by children (8-12 years old) into themes. These
functions suggest which plans belong together; she decides. Unlike the other services this module
is pure: it takes texts and returns ids and scores, with no database and no actor.

Why TF-IDF over stems:
- The texts are short (20-150 words) and misspelled, so every shared content word counts. A light
  stemmer lets "speeltuinen", "speeltuin" and "speeltuintje" (or "straat" and "straten") meet, and
  the inverse document frequency keeps words that every plan uses ("kinderen", "wijk") from
  pulling unrelated plans together.
- No external service and no new dependency: children's texts never leave the server, and 300
  plans take a fraction of a second (sparse dict vectors and an inverted index, so only pairs that
  share a word are scored).
- Every suggestion can be explained on screen by the words two plans share (`shared_words`).

Limits:
- Only word forms are compared, never meaning: synonyms ("vuilnis" and "afval", "zebrapad" and
  "oversteekplaats") are not matched, and compounds are not split ("zwerfafval" does not meet "afval").
- Spelling mistakes that change the stem ("glybaan" for "glijbaan") break a match; the other words of
  a plan usually still carry it.
- The stemmer is a handful of suffix rules for plurals, diminutives and inflected adjectives, not a
  full Dutch stemmer; now and then it joins two unrelated words ("boom" and "bom").
- Scores depend on the whole set of texts (through the inverse document frequency), so the score of one
  pair changes a little when plans are added.

Tf is sublinear (1 + log count) so a child who repeats a word five times does not drown the rest;
idf is smooth, log((1 + n) / (1 + df)) + 1; vectors are L2-normalised and compared by cosine.
Dot products are summed in alphabetical order of the shared stems, so a score does not depend on the
ids the texts were given or the order they came in.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

__all__ = ["best_matches", "groups", "shared_words", "similar_pairs", "words"]

MIN_LENGTH = 3

# Compact on purpose: function words, auxiliaries and fillers children write in every plan.
# Spelled without accents, as `words` compares them after stripping accents.
STOPWORDS = frozenset(
    """
    aan af al alle allemaal alles als altijd ander andere beetje ben bent best bij bijna dan dat daar
    daarom de deze die dit doe doen doet door dus echt een eens elk elke en er erg even ga gaan gaat
    geen gewoon graag had hadden haar heb hebben heeft heel hem hen het hier hij hoe hun ieder iedere
    iedereen iemand iets ik in is ja je jij jou jouw jullie kan kon kunnen maar mag me meer men met
    mij mijn misschien moet moeten mogen na naar nee niemand niet niets nog nooit nu of ok oke om
    omdat onder ons onze ook op over soms steeds te tegen toch toe toen tot tussen uit uw van veel
    vind vinden voor waar waarom wanneer want was wat we weer wel welk welke werd wie wij wil willen
    word worden wordt zal ze zeker zelf zich zij zijn zo zoals zodat zou zouden zullen
    """.split()  # noqa: SIM905 - a block of words reads better than 170 quoted strings
)

# Tried in this order; the first that fits (leaving a stem of MIN_LENGTH letters) is removed.
_SUFFIXES = ("etjes", "tjes", "pjes", "jes", "etje", "tje", "pje", "je", "en", "s", "e")
_VOWELS = frozenset("aeiouy")
_LETTERS = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The content words of `text` as stems, in order: lower case, without accents or stopwords."""
    return [stem for _, stem in _tokens(text)]


def similar_pairs(
    texts: Mapping[int, str], *, threshold: float = 0.2, limit: int = 50
) -> list[tuple[int, int, float]]:
    """Pairs (a, b, score) with a < b and cosine score >= threshold, best first, ties by (a, b).

    Only pairs that share at least one stem are scored, so a pair scoring 0 is never returned, even
    with threshold 0. At most `limit` pairs.
    """
    pairs = _scored_pairs(texts, threshold)
    pairs.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return pairs[: max(limit, 0)]


def groups(texts: Mapping[int, str], *, threshold: float = 0.3) -> list[list[int]]:
    """Suggested clusters: plans linked by a chain of pairs scoring >= threshold (single linkage).

    Only groups of two or more; ids sorted within a group; larger groups first, then by first id.
    """
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b, _ in _scored_pairs(texts, threshold):
        root_a, root_b = root(a), root(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    members: dict[int, list[int]] = {}
    for node in parent:
        members.setdefault(root(node), []).append(node)
    found = [sorted(group) for group in members.values() if len(group) > 1]
    found.sort(key=lambda group: (-len(group), group[0]))
    return found


def best_matches(
    text: str, candidates: Mapping[int, str], *, limit: int = 5, threshold: float = 0.1
) -> list[tuple[int, float]]:
    """The candidates that fit `text` best, as (id, score) with score >= threshold, best first.

    A candidate can be one plan or a whole theme (its name plus its plans' texts joined). Idf is
    taken over the candidates and `text` together. A candidate sharing no stem never matches.
    """
    ids = sorted(candidates)
    vectors = _vectors([words(candidates[key]) for key in ids] + [words(text)])
    query = vectors.pop()
    scored = [(key, _cosine(query, vector)) for key, vector in zip(ids, vectors, strict=True)]
    matches = [(key, score) for key, score in scored if score > 0 and score >= threshold]
    matches.sort(key=lambda match: (-match[1], match[0]))
    return matches[: max(limit, 0)]


def shared_words(a: str, b: str, *, limit: int = 5) -> list[str]:
    """The words both texts share (one per stem), to explain a suggestion on screen.

    Each shared stem is shown as its shortest written form in the two texts (lower case, accents
    kept; ties go to the more frequent, then alphabetically first form), usually the singular:
    "straat" for "straten" and "straatje", never the stem "strat". Stems used most often in the two
    texts together come first, then longer ones (compounds such as "hondenpoep" say more than "weg"),
    then alphabetically.
    """
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    common = {stem for _, stem in tokens_a} & {stem for _, stem in tokens_b}
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {stem: Counter() for stem in common}
    for surface, stem in tokens_a + tokens_b:
        if stem in common:
            counts[stem] += 1
            forms[stem][surface] += 1
    ordered = sorted(common, key=lambda stem: (-counts[stem], -len(stem), stem))
    shown = [min(forms[stem], key=lambda form: (len(form), -forms[stem][form], form)) for stem in ordered]
    return shown[: max(limit, 0)]


def _tokens(text: str) -> list[tuple[str, str]]:
    """(written form, stem) for every content word, in order."""
    found = []
    for surface in _LETTERS.findall(text.casefold()):
        for plain in _LETTERS.findall(_strip_accents(surface)):
            if len(plain) >= MIN_LENGTH and plain not in STOPWORDS:
                found.append((surface, _stem(plain)))
    return found


def _strip_accents(word: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", word) if not unicodedata.combining(char))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light Dutch stemmer: one plural, diminutive or inflection suffix, then the spelling of the end.

    speeltuinen, speeltuintje -> speeltuin; straten, straatje -> strat (as straat); ballen, balletje
    -> bal; huizen -> huis; vieze -> vies; fietsers -> fietser. Never shorter than MIN_LENGTH letters.
    """
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if not word.endswith(suffix) or len(stem) < MIN_LENGTH or not _suffix_fits(stem, suffix):
            continue
        word = stem
        break
    return _respell_end(word)


def _suffix_fits(stem: str, suffix: str) -> bool:
    if suffix in ("tje", "tjes"):
        # -tje follows a vowel or l, n, r, w (tuin-tje, stoel-tje); after a long vowel the t belongs
        # to the word (plaat-je, straat-je).
        last = stem[-1]
        return (last in "lnrw" or last in _VOWELS) and stem[-2:] not in ("aa", "ee", "oo", "uu")
    if suffix in ("pje", "pjes"):
        return stem.endswith("m")  # boom-pje; stap-je keeps its p
    if suffix == "s":
        return stem.endswith(("er", "el", "em"))  # fietser-s, tafel-s; not fiets, huis, bus
    return True


def _respell_end(word: str) -> str:
    """Undo Dutch spelling changes at the end of a stem so singular and plural meet."""
    if len(word) < MIN_LENGTH:
        return word
    if word[-1] == "z":  # huiz(en) -> huis
        word = word[:-1] + "s"
    elif word[-1] == "v":  # briev(en) -> brief
        word = word[:-1] + "f"
    if word[-1] == word[-2] and word[-1] not in _VOWELS and len(word) > MIN_LENGTH:  # ball(en) -> bal
        word = word[:-1]
    if (
        len(word) > MIN_LENGTH
        and word[-1] not in _VOWELS
        and word[-2] == word[-3]
        and word[-2] in "aeou"
        and (len(word) < 4 or word[-4] != word[-2])
    ):  # straat -> strat, like strat(en); boom -> bom, like bom(en)
        word = word[:-2] + word[-1]
    return word


def _vectors(token_lists: list[list[str]]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors, keys in alphabetical order; an empty dict for a text without words."""
    counts = [Counter(tokens) for tokens in token_lists]
    document_frequency: Counter[str] = Counter()
    for count in counts:
        document_frequency.update(count.keys())
    n = len(counts)
    idf = {word: math.log((1 + n) / (1 + df)) + 1 for word, df in document_frequency.items()}
    vectors = []
    for count in counts:
        weights = {word: (1 + math.log(k)) * idf[word] for word, k in sorted(count.items())}
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        vectors.append({word: weight / norm for word, weight in weights.items()} if norm else {})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    shared = sorted(word for word in a if word in b)
    return min(1.0, sum(a[word] * b[word] for word in shared))


def _scored_pairs(texts: Mapping[int, str], threshold: float) -> list[tuple[int, int, float]]:
    """All pairs (a, b, score), a < b, that share a stem and score >= threshold, in no particular order."""
    ids = sorted(texts)
    vectors = _vectors([words(texts[key]) for key in ids])
    # Walk from the last text to the first; the index then holds only texts after the current one,
    # so each pair is scored once, summing over its shared stems in alphabetical order.
    postings: dict[str, list[tuple[int, float]]] = {}
    pairs = []
    for index in range(len(ids) - 1, -1, -1):
        vector = vectors[index]
        sums: dict[int, float] = {}
        for word, weight in vector.items():
            for other, other_weight in postings.get(word, ()):
                sums[other] = sums.get(other, 0.0) + weight * other_weight
        for other, total in sums.items():
            score = min(1.0, total)
            if score >= threshold:
                pairs.append((ids[index], ids[other], score))
        for word, weight in vector.items():
            postings.setdefault(word, []).append((index, weight))
    return pairs
