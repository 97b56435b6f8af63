"""Danish phone numbers: eight digits, grouped 2-2-2-2, 4-4 or run together, with ``+45``/``0045``.

Danish subscriber numbers never start with 0 or 1. Journal numbers such as ``2021-4471`` (a year,
a hyphen, four digits) are rejected unless a phone word stands next to them, and so are numbers
next to "cvr" or "sag"; amounts, years, times and paragraph numbers never have eight digits.
"""

from __future__ import annotations

import re
from typing import ClassVar

from thememine.pseudonymise.detection import PHONE
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

# Not inside a longer number, word or country code: "+45 23 45 67 89" is found by the prefixed
# pattern only, not again as "23 45 67 89" ("5 " or "45) " before it).
_BEFORE = r"(?<![\w+/.,:§-])(?<!\d )(?<!\d\) )"
# Not followed by more digits: "23 45 67 89 12" and "2345678901" are no Danish numbers.
_AFTER = r"(?![\w/]|[.,:-]\d| \d)"
# The country code: "+45 ", "+45-", "+45", "0045 ", "(+45) ", "(0045)".
_PREFIX = r"(?:(?:\(\+45\)|\(0045\)|\+45|0045)[ .-]?)"
# Eight digits after a country code, grouped any way: "23 45 67 89", "2345 6789", "23456789".
_AFTER_PREFIX = r"[2-9]\d(?:[ .-]?\d\d){3}"
# 2-2-2-2 with one separator throughout: "23 45 67 89", "23.45.67.89", "23-45-67-89".
_PAIRS = r"[2-9]\d([ .-])\d\d\1\d\d\1\d\d"
_JOURNAL = re.compile(r"(?:19|20)\d\d-\d{4}")
_NOT_PHONE = re.compile(
    r"(?<!\w)(?:cvr|se-nr|sag|sagsnr|sagsnummer|journal|j\.nr|jnr|kontonr|reg\.?nr)", re.I
)


class PhoneRecognizer(PatternRecognizer):
    name: ClassVar[str] = "phone"
    label: ClassVar[str] = PHONE
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern("+45 and 8 digits", _BEFORE + _PREFIX + _AFTER_PREFIX + _AFTER, 0.9),
        Pattern("2-2-2-2 digits", _BEFORE + _PAIRS + _AFTER, 0.7),
        Pattern("4-4 digits", _BEFORE + r"[2-9]\d{3}[ -]\d{4}" + _AFTER, 0.55),
        Pattern("8 digits", _BEFORE + r"[2-9]\d{7}" + _AFTER, 0.5),
    )
    context: ClassVar[tuple[str, ...]] = (
        "tlf",
        "tlf.",
        "telefon",
        "telefonnummer",
        "telefonnr",
        "mobil",
        "mobilnummer",
        "mobilnr",
        "nummer",
        "ring",
        "ringe",
        "ringede",
        "ringer",
        "sms",
        "skrive til",
        "direkte",
        "hovednummer",
        "omstilling",
    )
    context_boost: ClassVar[float] = 0.25

    def validate(self, text: str, start: int, end: int) -> Verdict:
        window = text[max(0, start - 25) : start]
        if _NOT_PHONE.search(window):
            return Verdict.REJECT
        if _JOURNAL.fullmatch(text[start:end]) and not self.has_context(text, start, end):
            return Verdict.REJECT
        return Verdict.NO_OPINION
