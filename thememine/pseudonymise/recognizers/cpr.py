"""Danish CPR numbers in every common notation, found whole.

``170468-1234``, ``170468 1234``, ``1704681234``, and with the birth date grouped:
``17.04.68-1234``, ``17 04 68-1234``, ``17-04-68-1234``, ``17.04.68 1234``. The date must exist;
the 7th digit and the year give the century. A valid date is enough to replace a number (recall
first); the modulus-11 check only raises confidence: numbers issued since 2007 may fail it, so
failing it never rejects.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from thememine.pseudonymise.detection import CPR
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
# Not inside a longer number, a phone number ("+45"), an amount or a path.
_EDGE_BEFORE = r"(?<![\d/.,+-])"
_EDGE_AFTER = r"(?![\d]|[.,:/-]\d)"
_HYPHEN = "[-‐–]"
# The birth date grouped with one separator throughout: "17.04.68", "17 04 68", "17-04-68".
_GROUPED = r"\d\d([. -])\d\d\1\d\d"


def cpr_century(year: int, seventh: int) -> int:
    """The century of a CPR number's birth year from its 7th digit (CPR office rules)."""
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if year <= 36 else 1900
    return 2000 if year <= 57 else 1800


def cpr_birth_date(digits: str) -> dt.date | None:
    """The birth date a 10-digit CPR encodes, or ``None`` if it is no real date."""
    day, month, year, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    try:
        return dt.date(cpr_century(year, seventh) + year, month, day)
    except ValueError:
        return None


def passes_modulus_11(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


class CprRecognizer(PatternRecognizer):
    name: ClassVar[str] = "cpr"
    label: ClassVar[str] = CPR
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # "170468-1234"
        Pattern("CPR with hyphen", _EDGE_BEFORE + r"\d{6}" + _HYPHEN + r"\d{4}" + _EDGE_AFTER, 0.75),
        # "170468 1234"
        Pattern("CPR with space", _EDGE_BEFORE + r"\d{6} \d{4}" + _EDGE_AFTER, 0.5),
        # "1704681234"
        Pattern("ten digits", _EDGE_BEFORE + r"\d{10}" + _EDGE_AFTER, 0.5),
        # "17.04.68-1234", "17 04 68-1234", "17-04-68-1234"
        Pattern("grouped date, hyphen", _EDGE_BEFORE + _GROUPED + _HYPHEN + r"\d{4}" + _EDGE_AFTER, 0.75),
        # "17.04.68 1234"
        Pattern("grouped date, space", _EDGE_BEFORE + _GROUPED + r" \d{4}" + _EDGE_AFTER, 0.5),
    )
    context: ClassVar[tuple[str, ...]] = (
        "cpr",
        "cpr-nr",
        "cpr-nummer",
        "cprnummer",
        "cpr nr",
        "personnummer",
        "personnr",
        "person-nummer",
        "fødselsnummer",
        "sygesikringsbevis",
        "sundhedskort",
    )
    context_boost: ClassVar[float] = 0.2

    def validate(self, text: str, start: int, end: int) -> Verdict:
        digits = "".join(ch for ch in text[start:end] if ch.isdigit())
        birth = cpr_birth_date(digits)
        if birth is None:
            return Verdict.REJECT
        return Verdict.CONFIRM if passes_modulus_11(digits) else Verdict.NO_OPINION
