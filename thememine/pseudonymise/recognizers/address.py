"""Danish street addresses: street name, house number, floor and side, postcode and town.

``Solvænget 14, 2. th., 8700 Horsens``, ``Møllegade 7, st. tv.``, ``Nørre Allé 12B``, and a
postcode with its town on its own (``8740 Brædstrup``).
"""

from __future__ import annotations

from typing import ClassVar

from thememine.pseudonymise.detection import ADDRESS
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer

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
_ENDING = "|".join(sorted(set(STREET_ENDINGS), key=len, reverse=True))
_STREET = rf"(?:[A-ZÆØÅ][\wæøåéü.-]* )?[A-ZÆØÅ][\wæøåéü-]*(?:{_ENDING})|[A-ZÆØÅ][\wæøå.-]+ (?:Allé|Alle|Plads|Torv|Boulevard|Vej|Gade|Stræde|Have|Park)"
_NUMBER = r"\d{1,4}(?: ?[A-Ha-h](?![\wæøå]))?"
_FLOOR = (
    r"(?:,? (?:st\.|stuen|kl\.(?! ?\d)|kælder|\d{1,2}\.(?: ?sal)?)(?:,? ?(?:th\.?|tv\.?|mf\.?|\d{1,3}))?)"
)
_POSTCODE = r"(?:,? (?:DK-)?[1-9]\d{3} [A-ZÆØÅ][\wæøå-]+(?: [A-ZÆØÅ][\wæøå-]+)?)"


class AddressRecognizer(PatternRecognizer):
    name: ClassVar[str] = "address"
    label: ClassVar[str] = ADDRESS
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern("street, number, floor, postcode", rf"\b(?:{_STREET}) {_NUMBER}{_FLOOR}?{_POSTCODE}", 0.95),
        Pattern("street, number and floor", rf"\b(?:{_STREET}) {_NUMBER}{_FLOOR}", 0.9),
        Pattern("street and number", rf"\b(?:{_STREET}) {_NUMBER}(?![\d,.]\d)", 0.6),
        Pattern("postcode and town", r"(?<![\d.,-])(?:DK-)?[1-9]\d{3} [A-ZÆØÅ][\wæøå-]+", 0.5),
    )
    context: ClassVar[tuple[str, ...]] = (
        "bor",
        "boede",
        "adresse",
        "adressen",
        "flyttet",
        "flytter",
        "bopæl",
    )
    context_boost: ClassVar[float] = 0.2
