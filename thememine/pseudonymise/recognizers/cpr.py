"""Danish CPR numbers: ``DDMMYY-SSSS`` and ``DDMMYYSSSS``.

The date must exist; the 7th digit and the year give the century. The modulus-11 check only
raises confidence: numbers issued since 2007 may fail it, so failing it never rejects.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from thememine.pseudonymise.detection import CPR
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_EDGE_BEFORE = r"(?<![\d/.,-])"
_EDGE_AFTER = r"(?![\d]|[.,:/-]\d)"


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
        Pattern("CPR with hyphen", _EDGE_BEFORE + r"\d{6}[-‐–]\d{4}" + _EDGE_AFTER, 0.75),
        Pattern("CPR with space", _EDGE_BEFORE + r"\d{6} \d{4}" + _EDGE_AFTER, 0.45),
        Pattern("ten digits", _EDGE_BEFORE + r"\d{10}" + _EDGE_AFTER, 0.45),
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
