"""Danish street addresses: street name, house number, floor and side, postcode and town.

Found whole, in any case, with or without commas and full stops: ``Solvænget 14, 2. th., 8700
Horsens``, ``nørregade 45 1 tv 8000 aarhus c``, ``Møllegade 7 st tv``, ``nørre allé 12b 1. sal``,
and a postcode with its town on its own (``8740 Brædstrup``, ``8000 aarhus c``).

Lower-case speech-to-text is full of phrases shaped like a street and a number ("i skoven 3
gange", "på vej 2 timer"), so a lower-case street needs a floor or side, a postcode, or an address
word ("bor", "adresse", "flyttet") just before it; a lower-case town on its own must be a known
place; a number followed by a unit ("3 gange", "20 år") is never a house number.
"""

from __future__ import annotations

import re
from typing import ClassVar

from thememine.data import spacy_stop_words
from thememine.pseudonymise.detection import ADDRESS
from thememine.pseudonymise.gazetteer import places
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

STREET_ENDINGS = (
    "vej", "vejen", "gade", "gaden", "vænget", "vænge", "allé", "alle", "stræde", "strædet", "plads",
    "pladsen", "torv", "torvet", "boulevard", "boulevarden", "have", "haven", "parken", "park",
    "bakken", "bakke", "høj", "højen", "toften", "toft", "stien", "sti", "vangen", "vang", "engen",
    "eng", "marken", "mark", "løkken", "kær", "kæret", "holm", "holmen", "lund", "lunden", "skov",
    "skoven", "bjerg", "bjerget", "dal", "dalen", "gård", "gården", "hegnet", "ager", "ageren",
    "kvarter", "kvarteret", "brink", "brinken", "lod", "lodden", "tved", "rød", "hus", "huse",
    "bro", "broen", "kaj", "kajen", "havn", "havnen", "strand", "stranden", "sti", "passage",
    "promenade", "promenaden", "kilde", "kilden", "banke", "ås", "åsen", "krog", "krogen", "brynet",
    "bryn", "lyst", "minde", "skrænten", "hegn", "vænget", "sletten", "slette", "agre",
)  # fmt: skip
# Street words written apart from the name before them: "Nørre Allé", "frederiks allé".
SEPARATE_ENDINGS = ("allé", "alle", "plads", "torv", "boulevard", "vej", "gade", "stræde", "have", "park")
# Lower-case words that begin a two-word street: "nørre allé", "gammel kongevej".
STREET_PREFIXES = (
    "nørre", "søndre", "sønder", "østre", "øster", "vestre", "vester", "store", "lille", "gammel",
    "gamle", "ny", "nye", "sankt", "skt.", "kong", "dronning", "prins", "prinsesse", "nedre", "øvre",
)  # fmt: skip
# Small words that never begin a street: "på vej 2", "I Nørregade 4" are no two-word streets.
NOT_PREFIXES = (
    "i", "på", "til", "fra", "og", "en", "et", "den", "det", "de", "der", "min", "mit", "vores",
    "om", "er", "har", "bor", "boede", "hun", "han", "jeg", "vi", "nu", "så", "at", "af", "med",
    "for", "hos", "mod", "ud", "op", "ned", "ad", "eller", "men", "som", "var",
)  # fmt: skip
# Units after a number: "i skoven 3 gange", "har boet i haven 20 år" have no house number.
UNITS = (
    "år", "gange", "gang", "dage", "dag", "døgn", "uger", "uge", "måneder", "måned", "timer", "time",
    "minutter", "min", "sekunder", "kr", "kroner", "procent", "pct", "meter", "m", "km", "kilometer",
    "kilo", "kg", "personer", "mennesker", "børn", "stykker", "styk", "stk", "point", "klasse",
)  # fmt: skip
# District letters after a town: "Aarhus C", "København NV", "odense sø".
DISTRICTS = ("c", "k", "n", "s", "v", "ø", "nv", "nø", "sv", "sø")


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_L = r"[^\W\d_]"  # a letter in any case
# One word ending in a street word, in any case: "Solvænget", "nørregade", "Skovbrynet".
_STREET_WORD = rf"{_L}[\w-]*(?i:{_alternatives(STREET_ENDINGS)})"
_NOT_PREFIX = rf"(?!(?i:{_alternatives(NOT_PREFIXES)})\b)"
# A first word: capitalised ("Nørre", "H.C.") or a known lower-case one ("nørre", "gammel").
_PREFIX = rf"{_NOT_PREFIX}(?:[A-ZÆØÅ][\w.-]*|(?i:{_alternatives(STREET_PREFIXES)}))"
_STREET = (
    rf"(?:(?:{_PREFIX} )?{_STREET_WORD}"  # "Gammel Kongevej", "solvænget"
    rf"|{_NOT_PREFIX}{_L}[\w.-]* (?i:{_alternatives(SEPARATE_ENDINGS)}))"  # "Nørre Allé", "frederiks allé"
)
# House number with an optional letter: "45", "12B", "12 b"; no amount ("2,5 km") or unit ("3 gange").
_NUMBER = rf"\d{{1,4}}(?: ?[A-Ha-h](?!\w))?(?![\d,.]\d)(?!\w)(?! (?i:{_alternatives(UNITS)})\b)"
# Floor: "st.", "stuen", "kælder", "2.", "1. sal", "1 sal", a bare "1" before a side ("1 tv"), and
# "kl." before a side only ("Rådhustorvet 4 kl. 10" is a time); "3. gang" is no floor.
_FLOOR_WORD = (
    r"(?i:st\b\.?|stuen\b|kl\b\.?(?= ?(?:th|tv|mf)\b)|kælder(?:en)?\b"
    rf"|\d{{1,2}}\.(?! (?:{_alternatives(UNITS)})\b)(?: ?sal\b)?|\d{{1,2}} ?sal\b|\d{{1,2}}(?= ?(?:th|tv|mf)\b))"
)
# Side after a floor: "th.", "tv", "mf.", "til højre", or a door number ("st. 3").
_SIDE = r"(?i:th\b\.?|tv\b\.?|mf\b\.?|til (?:højre|venstre)\b|\d{1,3}(?![\d.,]\d)(?!\w))"
_FLOOR = rf"(?:,? (?:{_FLOOR_WORD})(?:,? ?{_SIDE})?)"
# Town after a postcode: one word, a capitalised second word or a district letter ("Aarhus C",
# "Hvide Sande", "aarhus c").
_TOWN = rf"{_L}[\w-]+(?: [A-ZÆØÅ][\w-]+| (?i:{_alternatives(DISTRICTS)})\b\.?)?"
_POSTCODE = rf"(?:,? (?:DK-)?[1-9]\d{{3}},? {_TOWN})"
_ALONE = r"(?<![\d.,-])"
# A street starts a word and a number follows within two words: a cheap test that spares the
# street patterns at most words of a transcript.
_START = r"(?<!\w)(?=[^\W\d_][\w.-]*(?: [^\W\d_][\w.-]*)? \d)"

_PARTS = re.compile(
    rf"(?P<street>{_STREET}) (?P<number>{_NUMBER})(?P<floor>{_FLOOR})?"
    rf"(?:,? (?:DK-)?(?P<code>[1-9]\d{{3}}),? (?P<town>{_L}[\w-]+).*)?",
    re.DOTALL,
)
_POSTCODE_ALONE = re.compile(rf"(?:DK-)?(?P<code>[1-9]\d{{3}}) (?P<town>{_L}[\w-]+)(?P<district> .+)?")
_YEAR_WORD = re.compile(r"(?i)\b(?:i|år|året|siden|efter|før|omkring|indtil|fra|til|in)\s*$")


class AddressRecognizer(PatternRecognizer):
    name: ClassVar[str] = "address"
    label: ClassVar[str] = ADDRESS
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            "street, number, floor, postcode", rf"{_START}(?:{_STREET}) {_NUMBER}{_FLOOR}?{_POSTCODE}", 0.95
        ),
        Pattern("street, number and floor", rf"{_START}(?:{_STREET}) {_NUMBER}{_FLOOR}", 0.9),
        Pattern("street and number", rf"{_START}(?:{_STREET}) {_NUMBER}", 0.6),
        Pattern("postcode and town", rf"{_ALONE}(?:DK-)?[1-9]\d{{3}} {_TOWN}", 0.5),
    )
    context: ClassVar[tuple[str, ...]] = (
        "bor",
        "boede",
        "bosat",
        "adresse",
        "adressen",
        "flyttet",
        "flytter",
        "flyttede",
        "bopæl",
    )
    context_boost: ClassVar[float] = 0.2
    just_before: ClassVar[int] = 25  # characters: an address word this close vouches for a street

    def validate(self, text: str, start: int, end: int) -> Verdict:
        """Reject lower-case streets without floor, postcode or address word, and unknown towns."""
        span = text[start:end]
        if alone := _POSTCODE_ALONE.fullmatch(span):
            return self._judge_postcode(text, start, alone)
        parts = _PARTS.fullmatch(span)
        if parts is None:
            return Verdict.NO_OPINION
        town = parts.group("town")
        if town is not None and town.islower() and town in spacy_stop_words():
            return Verdict.REJECT  # "nørregade 45 1 tv 2020 var": no town
        lower = parts.group("street")[0].islower()
        if lower and parts.group("floor") is None and parts.group("code") is None:
            before = text[max(0, start - self.just_before) : start]
            if self._context is None or not self._context.search(before):
                return Verdict.REJECT
        return Verdict.NO_OPINION

    def _judge_postcode(self, text: str, start: int, alone: re.Match[str]) -> Verdict:
        """A postcode and town alone: a lower-case town must be a known place; a year is no postcode."""
        town = alone.group("town")
        if town.islower() and town.casefold() not in places():
            return Verdict.REJECT
        code = int(alone.group("code"))
        if 1900 <= code <= 2099 and _YEAR_WORD.search(text[max(0, start - 12) : start]):
            before = text[max(0, start - self.context_window) : start]
            if self._context is None or not self._context.search(before):
                return Verdict.REJECT  # "i 2020 Aarhus": a year, unless an address word says otherwise
        return Verdict.NO_OPINION
