"""Dates that identify: birth dates, and full dates (day, month, year), in every written form.

Numeric (``17.04.1968``, ``17/4-68``, ``17.4.68``, ``1968-04-17``), mixed (``17. april 68``,
``d. 17/4 1968``) and spelled out as speech-to-text writes them (``den syttende april nitten
hundrede og otteogtres``, ``syttende i fjerde otteogtres``).

Birth context ("født", "fødselsdato", "fylder", "f.") lifts a date above the default threshold. So
does every full date (day, month and year) that exists: dates are shifted consistently rather than
destroyed, so replacing an event date costs little, while leaving one unshifted gives the secret
shift away. An interview's date ("Dato: 14. marts 2025") kept as it was, beside "her birthday was
the day before yesterday" and her shifted birth date, tells anyone the number of days every date
was moved, and so every real date and the first digits of every CPR number. A day and month
without a year scores below the threshold and is listed for review.

:func:`parse_date` reads and :func:`format_like` writes every form the recognizer finds, so a
date can be shifted in place without changing how it is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from thememine.data import read_lines
from thememine.pseudonymise.detection import DATE
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
MONTH_NAMES = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
               "oktober", "november", "december")  # fmt: skip
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
# Units after a number: "17. april 20 mennesker" has no year.
UNITS = ("år", "gange", "gang", "mennesker", "personer", "kroner", "kr", "procent", "timer", "minutter",
         "dage", "uger", "måneder", "stykker")  # fmt: skip


@dataclass(frozen=True)
class NumberWords:
    """Danish number words from ``data/numbers_da.tsv``: every spelling read, the first written."""

    ordinals: dict[str, int]
    cardinals: dict[str, int]
    hundreds: tuple[str, ...]
    thousands: tuple[str, ...]

    def ordinal(self, value: int) -> str:
        return next(word for word, v in self.ordinals.items() if v == value)

    def cardinal(self, value: int) -> str:
        return next(word for word, v in self.cardinals.items() if v == value)


@cache
def number_words() -> NumberWords:
    """Ordinals 1-31 and cardinals 0-99 as Danish words (see ``data/SOURCES.md``)."""
    ordinals: dict[str, int] = {}
    cardinals: dict[str, int] = {}
    multipliers: dict[str, list[str]] = {"hundred": [], "thousand": []}
    for line in read_lines("numbers_da.tsv")[1:]:  # after the header row
        kind, value, word = line.split("\t")
        if kind == "ordinal":
            ordinals.setdefault(word, int(value))
        elif kind == "cardinal":
            cardinals.setdefault(word, int(value))
        else:
            multipliers[kind].append(word)
    return NumberWords(ordinals, cardinals, tuple(multipliers["hundred"]), tuple(multipliers["thousand"]))


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_WORDS = number_words()
_MONTH = _alternatives(MONTHS)
_ORDINAL = _alternatives(_WORDS.ordinals)
_ORDINAL_MONTH = _alternatives(w for w, v in _WORDS.ordinals.items() if v <= 12)
_CARDINAL = _alternatives(_WORDS.cardinals)
_TWO_DIGIT_CARDINAL = _alternatives(w for w, v in _WORDS.cardinals.items() if v >= 10)
_HUNDRED = _alternatives(_WORDS.hundreds)
_THOUSAND = _alternatives(_WORDS.thousands)
_NO_UNIT = rf"(?! (?:{_alternatives(UNITS)})\b)"

# A year spelled out, with or without spaces: "nitten hundrede og otteogtres",
# "nittenhundredeogotteogtres", "to tusind og fem", "totusindogfem", "nitten otteogtres" (a century
# and two digits, as spoken), "otteogtres" (two digits). Groups keep the spacing for format_like.
_SPELLED_YEAR = re.compile(
    rf"(?P<century>nitten|atten)(?P<s1> ?)(?P<hundred>{_HUNDRED})(?:(?P<s2> ?)(?P<og>og))?(?:(?P<s3> ?)(?P<rest>{_CARDINAL}))?"
    rf"|(?P<two>to)(?P<t1> ?)(?P<thousand>{_THOUSAND})(?:(?P<t2> ?)(?P<tog>og))?(?:(?P<t3> ?)(?P<trest>{_CARDINAL}))?"
    rf"|(?P<spoken>nitten|atten|tyve) (?P<pair>{_TWO_DIGIT_CARDINAL})"
    rf"|(?P<short>{_TWO_DIGIT_CARDINAL})",
    re.IGNORECASE,
)
_YEAR_WORDS = rf"(?:{_SPELLED_YEAR.pattern}){_NO_UNIT}"
_LEAD = r"(?:(?:den|d\.) )?"  # "den syttende april", "d. 17/4 1968": read, kept, never replaced

# Every written form, each with the groups day, month and (optional) year.
_FORMS = tuple(
    re.compile(form, re.IGNORECASE)
    for form in (
        # "1968-04-17"
        rf"{_LEAD}(?P<year>\d{{4}})-(?P<month>\d\d)-(?P<day>\d\d)",
        # "17.04.1968", "17/4-68", "17-04-1968", "17.4.68", "17/4 1968", "17.04.'68"
        rf"{_LEAD}(?P<day>\d{{1,2}})[./-](?P<month>\d{{1,2}})(?:[./-]|,? )'?(?P<year>\d{{4}}|\d\d)",
        # "17. april 1968", "17 april 68", "17. apr. '68", "syttende april otteogtres", "12. marts"
        rf"{_LEAD}(?P<day>\d{{1,2}}|{_ORDINAL})\.? ?(?P<month>{_MONTH})\.?"
        rf"(?:,? '?(?P<year>\d{{4}}|\d\d|{_YEAR_WORDS}))?",
        # "syttende i fjerde otteogtres", "den tredje i den anden 1968"
        rf"{_LEAD}(?P<day>{_ORDINAL}) i (?:den )?(?P<month>{_ORDINAL_MONTH})(?:,? (?P<year>\d{{4}}|{_YEAR_WORDS}))?",
    )
)


def _two_digit_year(value: int, today: dt.date | None = None) -> int:
    """The most recent year not after this one ending in these two digits: 68 → 1968, 5 → 2005."""
    year = 2000 + value
    return year if year <= (today or dt.date.today()).year else year - 100


def _spelled_year(text: str) -> int | None:
    """The year a spelled-out year names, or ``None``."""
    words = number_words()
    match = _SPELLED_YEAR.fullmatch(text)
    if match is None:
        return None
    if match["hundred"]:
        rest = words.cardinals[match["rest"].lower()] if match["rest"] else 0
        return words.cardinals[match["century"].lower()] * 100 + rest
    if match["thousand"]:
        return 2000 + (words.cardinals[match["trest"].lower()] if match["trest"] else 0)
    if match["spoken"]:
        return words.cardinals[match["spoken"].lower()] * 100 + words.cardinals[match["pair"].lower()]
    return _two_digit_year(words.cardinals[match["short"].lower()])


def _match(text: str) -> re.Match[str] | None:
    text = text.strip()
    for form in _FORMS:
        if match := form.fullmatch(text):
            return match
    return None


def _value(field: str, names: dict[str, int]) -> int | None:
    return int(field) if field.isdigit() else names.get(field.lower())


def parse_date(text: str) -> tuple[int | None, int, int] | None:
    """``(year or None, month, day)`` of a date in any form the recognizer finds, or ``None``.

    ``parse_date("17/4-68") == (1968, 4, 17)``; ``parse_date("syttende i fjerde") == (None, 4, 17)``.
    A two-digit year is the latest such year not after this one. Dates that do not exist are ``None``.
    """
    match = _match(text)
    if match is None:
        return None
    words = number_words()
    day = _value(match["day"], words.ordinals)
    month = _value(match["month"], {**MONTHS, **words.ordinals})
    year: int | None = None
    if raw := match["year"]:
        if raw.isdigit():
            year = int(raw) if len(raw) == 4 else _two_digit_year(int(raw))
        else:
            year = _spelled_year(raw)
        if year is None:
            return None
    if day is None or month is None:
        return None
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year: "29. februar" alone exists
    except ValueError:
        return None
    return year, month, day


def _case_like(text: str, model: str) -> str:
    """``text`` in the case of ``model``: "april", "April", "APRIL", or "Nitten Hundrede" word by word."""
    if model.isupper() and len(model) > 1:
        return text.upper()
    if " " in model and all(w[:1].isupper() for w in model.split()):
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    if model[:1].isupper():
        return text[:1].upper() + text[1:]
    return text.lower()


def _write_spelled_year(year: int, model: str) -> str:
    """``year`` spelled out in the shape of ``model``: its kind, its spacing and its "og".

    A shape that cannot hold the year falls back to the full form: "otteogtres" for 2005 gives
    "to tusind og fem" (a bare "fem" would not read as a year), "nitten hundrede ..." for 2016
    gives "to tusind og seksten".
    """
    words = number_words()
    match = _SPELLED_YEAR.fullmatch(model)
    if match is None or not 1100 <= year < 2100:
        raise ValueError(f"no spelled-out form of the year {year} like this one")
    century, rest = divmod(year, 100)
    if match["short"] and rest >= 10 and _two_digit_year(rest) == year:
        return words.cardinal(rest)  # "otteogtres"
    if match["spoken"] and rest >= 10 and century in (18, 19, 20):
        return f"{words.cardinal(century)} {words.cardinal(rest)}"  # "nitten otteogtres"
    # the full form: "nitten hundrede og otteogtres", "totusindogfem", "nitten hundrede otteogtres"
    if match["hundred"]:
        gap1, multiplier, gap2, og, gap3 = (match[g] for g in ("s1", "hundred", "s2", "og", "s3"))
    elif match["thousand"]:
        gap1, multiplier, gap2, og, gap3 = (match[g] for g in ("t1", "thousand", "t2", "tog", "t3"))
    else:
        gap1, multiplier, gap2, og, gap3 = " ", "", None, None, None
    if gap3 is None:  # nothing after the multiplier in the model: join as "og", spaced like it
        gap2, og, gap3 = gap1, "og", gap1
    joiner = f"{gap2 or ''}{og}{gap3}" if og else gap3
    if year < 2000:
        if multiplier.lower() not in words.hundreds:
            multiplier = words.hundreds[0]
        head = f"{words.cardinal(century)}{gap1}{multiplier}"
    else:
        if multiplier.lower() not in words.thousands:
            multiplier = words.thousands[0]
        head = f"{words.cardinal(2)}{gap1}{multiplier}"
    return f"{head}{joiner}{words.cardinal(rest)}" if rest else head


def format_like(surface: str, year: int | None, month: int, day: int) -> str:
    """The date ``year``-``month``-``day`` written in the form of ``surface``.

    Separators, zero padding, two or four year digits, month as word, abbreviation, number or
    ordinal, spelled-out numbers and letter case all follow ``surface``:
    ``format_like("17/4-68", 1971, 11, 3) == "3/11-71"``,
    ``format_like("syttende april otteogtres", 1971, 11, 3) == "tredje november enogtoogtyve"``.
    A year is written only where ``surface`` has one; ``surface`` with a year needs ``year``.
    """
    match = _match(surface)
    if match is None:
        raise ValueError("not a date in a form the date recognizer finds")
    words = number_words()
    numeric = [match[g] for g in ("day", "month") if match[g].isdigit()]
    padded = any(f.startswith("0") for f in numeric) or (
        len(numeric) == 2 and all(len(f) == 2 for f in numeric)
    )

    def number(value: int) -> str:
        return f"{value:02d}" if padded else str(value)

    replacements: dict[str, str] = {}
    raw_day, raw_month, raw_year = match["day"], match["month"], match["year"]
    replacements["day"] = number(day) if raw_day.isdigit() else _case_like(words.ordinal(day), raw_day)
    if raw_month.isdigit():
        replacements["month"] = number(month)
    elif raw_month.lower() in words.ordinals and raw_month.lower() not in MONTHS:
        replacements["month"] = _case_like(words.ordinal(month), raw_month)
    elif raw_month.lower() in MONTH_NAMES:
        replacements["month"] = _case_like(MONTH_NAMES[month - 1], raw_month)
    else:
        short = "sept" if raw_month.lower() == "sept" and month == 9 else MONTH_ABBREVIATIONS[month - 1]
        replacements["month"] = _case_like(short, raw_month)
    if raw_year is not None:
        if year is None:
            raise ValueError("the surface has a year: give one")
        if raw_year.isdigit():
            replacements["year"] = f"{year:04d}" if len(raw_year) == 4 else f"{year % 100:02d}"
        else:
            replacements["year"] = _case_like(_write_spelled_year(year, raw_year), raw_year)
    text = surface.strip()
    offset = len(surface) - len(surface.lstrip())
    out, position = [], 0
    for group in sorted(replacements, key=match.start):
        out += [text[position : match.start(group)], replacements[group]]
        position = match.end(group)
    out.append(text[position:])
    return surface[:offset] + "".join(out) + surface[offset + len(text) :]


_EDGE = r"(?<![\w.,/-])"
_END = r"(?![\w]|[.,:/-]\d)"
_YEAR = r"(?:19|20)\d\d"
_DAY_MONTH_WORDS = rf"(?:{_ORDINAL}) (?:(?:{_MONTH})\.?|i (?:den )?(?:{_ORDINAL_MONTH}))"


class DateRecognizer(PatternRecognizer):
    name: ClassVar[str] = "date"
    label: ClassVar[str] = DATE
    flags: ClassVar[int] = re.IGNORECASE
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # "17. april 1968", "17 april 68", "17. apr. '68", "17. april otteogtres"
        Pattern(
            "written full date",
            rf"{_EDGE}\d{{1,2}}\.? ?(?:{_MONTH})\.?,? (?:{_YEAR}|'?\d\d{_NO_UNIT}|{_YEAR_WORDS}){_END}",
            0.4,
        ),
        # "17.04.1968", "17/4-68", "17-04-1968", "17.4.68", "17/4 1968"
        Pattern(
            "numeric date", rf"{_EDGE}\d{{1,2}}[./-]\d{{1,2}}(?:[./-](?:{_YEAR}|\d\d)| {_YEAR}){_END}", 0.4
        ),
        # "1968-04-17"
        Pattern("ISO date", rf"{_EDGE}{_YEAR}-\d\d-\d\d{_END}", 0.4),
        # "syttende april nitten hundrede og otteogtres", "syttende i fjerde otteogtres"
        Pattern(
            "spelled-out full date", rf"(?<!\w){_DAY_MONTH_WORDS},? (?:{_YEAR}|{_YEAR_WORDS})(?!\w)", 0.4
        ),
        # "12. marts", "12 marts"
        Pattern("day and month", rf"{_EDGE}\d{{1,2}}\.? ?(?:{_MONTH})\b\.?", 0.15),
        # "tolvte marts", "syttende i fjerde"
        Pattern("spelled-out day and month", rf"(?<!\w){_DAY_MONTH_WORDS}(?!\w)", 0.15),
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
    confirm_boost: ClassVar[float] = 0.15

    def validate(self, text: str, start: int, end: int) -> Verdict:
        """Reject dates that do not exist; confirm every full date (see the module's text)."""
        parsed = parse_date(text[start:end])
        if parsed is None:
            return Verdict.REJECT
        year, _, _ = parsed
        return Verdict.CONFIRM if year is not None else Verdict.NO_OPINION
