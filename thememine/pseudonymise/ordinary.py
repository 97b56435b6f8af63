"""Ordinary Danish words: what a false detection must never spread to.

One wrong detection is spread corpus-wide (a form found once is replaced everywhere), so a model
that once tags "og" or "borger" would damage every transcript. This module tells the forms that
name someone from ordinary words:

- **function words, fillers and abbreviations** ("og", "øh", "bl", "jf", "dk"): never a name;
- **generic words of the field** ("borger", "Psykiatrien", "PTSD", "cpr"): never a name;
- **names that are also words** ("Per", "Mark", "Storm", "Lykke"): a name only when written with a
  capital; never spread to "per time" or "i storm";
- **ordinary words**: frequent in Danish (wordfreq's Danish list, Zipf ≥ :data:`ZIPF_ORDINARY`) and
  neither a name nor a place in the gazetteers ("nordisk", "netto"): a model's hit on one alone is
  not enough, and it is never spread;
- everything else is **name-like** and spreads in any case ("Mette", "mette", "Vorupør").
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache

from thememine.data import read_lines, spacy_stop_words
from thememine.pseudonymise.gazetteer import institutions, names, places

# Zipf 3 is once per million words. Danish names in the gazetteer are frequent too ("mette" 4.7),
# which is why the gazetteers are asked first; words at or above this line that are no known name
# are ordinary ("nordisk" 4.6, "borger" 4.4, "ptsd" 3.3). Rare words and unknown names lie below.
ZIPF_ORDINARY = 3.0
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# name particles that are ordinary words elsewhere but belong to a full name ("Yasmin el-Hassan")
PARTICLES = frozenset(["van", "von", "der", "den", "de", "da", "di", "el", "al", "bin", "ibn", "la", "le"])


SENTENCE_START = '.!?:;"«»“(–-\n'


def opens_sentence(text: str, start: int) -> bool:
    """Whether ``start`` begins a text, a line or a sentence, where a capital says nothing."""
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in SENTENCE_START


class Kind(Enum):
    """How a form may be treated when it stands alone."""

    FUNCTION = "function word, filler or abbreviation"
    GENERIC = "generic word of the field"
    AMBIGUOUS = "name that is also a word"
    ORDINARY = "ordinary word"
    NAME = "name-like"


@cache
def _function_words() -> frozenset[str]:
    abbreviations = {a.rstrip(".").replace(".", "") for a in read_lines("abbreviations_da.txt")}
    abbreviations |= {part for a in read_lines("abbreviations_da.txt") for part in a.split(".") if part}
    fillers = set(read_lines("fillers_da.txt"))
    return frozenset(spacy_stop_words() | abbreviations | fillers)


@cache
def _generic_words() -> frozenset[str]:
    # header keys and form fields ("Dato", "Sted", "Varighed") name no one either
    # (not the sentence openings in that file, "Og", "Men": those are function words)
    headers = {line.casefold() for line in read_lines("not_speakers_da.txt") if " " not in line}
    headers -= _function_words()
    return frozenset(read_lines("generic_words_da.txt")) | headers | frozenset(read_lines("countries_da.txt"))


@cache
def zipf(word: str) -> float:
    """wordfreq's Danish Zipf frequency of a lower-case word (0 when unknown)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "da"))


@cache
def word_kind(word: str) -> Kind:
    """The kind of one word, whatever its case."""
    form = word.casefold().strip(".'’")
    gazetteer = names()
    if not form:
        return Kind.FUNCTION
    if form in _function_words():
        # "Hans" (his), "Alle": a stop word that is also a name is a name only with a capital;
        # two-letter ones ("De", "Bo"?) are too common to be spread at all
        return Kind.AMBIGUOUS if len(form) > 2 and gazetteer.is_name(form) else Kind.FUNCTION
    if form in _generic_words():
        return Kind.GENERIC
    if "-" in form and not gazetteer.is_name(form):
        # "el-Hassan", "Lise-Lotte", "Nielsen-Holm": the parts decide
        parts = [word_kind(part) for part in form.split("-") if part and part not in PARTICLES]
        return Kind.NAME if Kind.NAME in parts or not parts else _weakest(parts)
    if gazetteer.is_ambiguous(form):
        return Kind.AMBIGUOUS
    place = places().get(form)
    if gazetteer.is_name(form) or place is not None:
        return Kind.AMBIGUOUS if place is not None and place.ambiguous else Kind.NAME
    if zipf(form) >= ZIPF_ORDINARY or is_compound(form):
        return Kind.ORDINARY
    return Kind.NAME


COMPOUND_MIN = 9  # letters: shorter words are no compounds worth splitting
_TAIL_ZIPF = 3.5  # the last part of a compound is a common word ("ministeren", "huset")


@cache
def is_compound(word: str) -> bool:
    """A Danish compound of ordinary words, rare as a whole but made of common parts:
    "forskningsministeren" (forsknings + ministeren), "jobindsats" (job + indsats). A named place
    such as "Tjørnevangsskolen" is no compound by this test, since "tjørnevang" is no word."""
    if len(word) < COMPOUND_MIN or "-" in word:
        return False
    for cut in range(3, len(word) - 4):
        head, tail = word[:cut], word[cut:]
        if zipf(tail) < _TAIL_ZIPF:
            continue
        if zipf(head) >= ZIPF_ORDINARY or (head[-1] in "se" and zipf(head[:-1]) >= ZIPF_ORDINARY):
            return True
    return False


def form_kind(form: str) -> Kind:
    """The kind of a whole form: name-like if any word in it names someone.

    "Jobcenter Horsens" is name-like (Horsens); "Psykiatrisk Center" is generic; "Per Hansen" is
    name-like; "Per" alone is ambiguous; "og" is a function word.
    """
    words = _WORD.findall(form)
    if not words:
        return Kind.FUNCTION
    if " ".join(form.split()).casefold() in _generic_words():
        return Kind.GENERIC  # "Sri Lanka", "egen læge": listed whole
    if institutions().kinds_only(words):
        # only the kind of an institution ("Lokalpsykiatri", "Psykiatrisk Hospital"): it names
        # none, and a workplace's surrogate keeps these words
        return Kind.GENERIC
    kinds = [word_kind(w) for w in words if w.casefold() not in PARTICLES] or [Kind.FUNCTION]
    if Kind.NAME in kinds:
        return Kind.NAME
    if len(words) > 1 and Kind.AMBIGUOUS in kinds and all(w[:1].isupper() for w in words):
        return Kind.NAME  # "Per Storm", "Lykke Holm": a run of capitalised names
    return _weakest(kinds)


def _weakest(kinds: list[Kind]) -> Kind:
    """The kind of a form none of whose words is name-like: the most name-like of its words."""
    for kind in (Kind.NAME, Kind.AMBIGUOUS, Kind.GENERIC, Kind.ORDINARY):
        if kind in kinds:
            return kind
    return Kind.FUNCTION


class Spread(Enum):
    """Where a form found once may be replaced elsewhere in the corpus."""

    NEVER = "never"
    INSIDE_SENTENCE = "where written with a capital inside a sentence"
    CAPITALISED = "where written with a capital"
    ANY = "in any case"


# identifiers with digits or structure spread whatever their words are ("12. marts 1984")
_ALWAYS = frozenset(["ADDRESS", "CPR", "PHONE", "EMAIL", "URL", "DATE", "CASE"])


def spread_rule(label: str, form: str, part_of_name: bool = False) -> Spread:
    """Where a form found once may be replaced elsewhere (``part_of_name``: the form is a word of a
    person's full name as written there): never for function words and generic words,
    only with a capital for names that are also words and for ordinary words, and for names that
    are also function words ("Hans", "Andre") only inside a sentence ("Hans mor" opens many), else
    anywhere."""
    if label in _ALWAYS:
        return Spread.ANY
    kind = form_kind(form)
    if kind is Kind.FUNCTION and part_of_name and len(form) > 2 and form[:1].isupper():
        # "Sine" of "Sine Bach" is a name although the gazetteer knows only the pronoun "sine"
        return Spread.INSIDE_SENTENCE
    if kind in (Kind.FUNCTION, Kind.GENERIC):
        return Spread.NEVER
    if kind is Kind.AMBIGUOUS and " ".join(form.split()).casefold() in _function_words():
        return Spread.INSIDE_SENTENCE
    if kind in (Kind.AMBIGUOUS, Kind.ORDINARY):
        return Spread.CAPITALISED
    return Spread.ANY


def person_parts(form: str) -> list[str]:
    """The names inside a full name that may stand alone: "Mette Kjærgaard Holm" → Mette,
    Kjærgaard, Holm, Kjærgaard Holm; "Yasmin el-Hassan" → Yasmin, el-Hassan."""
    tokens = form.split()
    if len(tokens) < 2:
        return []
    parts = [t for t in tokens if t.casefold() not in PARTICLES and len(t) >= 2]
    if len(tokens) > 2:
        parts.append(" ".join(tokens[1:]))
    return parts
