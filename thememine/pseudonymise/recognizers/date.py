"""Dates that identify: birth dates, and full dates (day, month, year).

A full date alone scores below the default threshold, so it is listed for review rather than
replaced: most dates in an interview date events, not people. Birth context ("født", "fødselsdato")
lifts it above; so does a person named next to it (see the engine).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from thememine.pseudonymise.detection import DATE
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
_EDGE = r"(?<![\d.,/-])"
_END = r"(?![\d]|[.,/-]\d)"
_WRITTEN = re.compile(rf"(?i)(\d{{1,2}})\.? ?({_MONTH})\.?(?: ({_YEAR}|'?\d\d))?")
_NUMERIC = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str) -> tuple[int | None, int, int] | None:
    """``(year or None, month, day)`` of a date as written, or ``None`` if it is no real date."""
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 1900 if year > 30 else 2000
    elif match := _WRITTEN.fullmatch(text):
        day, month = int(match.group(1)), MONTHS[match.group(2).lower()]
        raw_year = match.group(3)
        year_value = int(raw_year.lstrip("'")) if raw_year else None
        if year_value is not None and year_value < 100:
            year_value += 1900 if year_value > 30 else 2000
        try:
            dt.date(year_value or 2000, month, day)
        except ValueError:
            return None
        return year_value, month, day
    else:
        return None
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return year, month, day


class DateRecognizer(PatternRecognizer):
    name: ClassVar[str] = "date"
    label: ClassVar[str] = DATE
    flags: ClassVar[int] = re.IGNORECASE
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern("written full date", rf"{_EDGE}\d{{1,2}}\.? ?(?:{_MONTH})\.? (?:{_YEAR}|'\d\d){_END}", 0.4),
        Pattern("numeric date", rf"{_EDGE}\d{{1,2}}[./-]\d{{1,2}}[./-](?:{_YEAR}|\d\d){_END}", 0.4),
        Pattern("ISO date", rf"{_EDGE}{_YEAR}-\d\d-\d\d{_END}", 0.4),
        Pattern("day and month", rf"{_EDGE}\d{{1,2}}\. ?(?:{_MONTH})\b\.?", 0.15),
    )
    context: ClassVar[tuple[str, ...]] = (
        "født",
        "fødselsdag",
        "fødselsdato",
        "fødselsdagen",
        "født den",
        "fyldte",
        "fylder",
        "f.",
        "birthday",
    )
    context_boost: ClassVar[float] = 0.45
    context_window: ClassVar[int] = 30

    def validate(self, text: str, start: int, end: int) -> Verdict:
        return Verdict.NO_OPINION if parse_date(text[start:end].rstrip(".")) else Verdict.REJECT
