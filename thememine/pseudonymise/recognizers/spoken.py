"""Phone and CPR numbers spoken in words, as speech-to-text writes them.

A run of Danish number words is read digit by digit: a word for 0-9 gives one digit, a word for
10-99 two ("toogtyve nul seks fireoghalvtreds elleve" → 22 0 6 54 11 → 22065411). Eight digits
starting with 2-9 are a phone number; ten digits that hold a real birth date are a CPR number.
Without a phone or CPR word before it the run is listed for review only, since people also count
out loud ("tyve tredive fyrre halvtreds").
"""

from __future__ import annotations

import re
from functools import cache, cached_property
from typing import ClassVar

from thememine.pseudonymise.detection import CPR, PHONE, Detection
from thememine.pseudonymise.recognizers.cpr import CprRecognizer, cpr_birth_date
from thememine.pseudonymise.recognizers.date import number_words
from thememine.pseudonymise.recognizers.phone import PhoneRecognizer

WITH_CONTEXT = 0.7
WITHOUT_CONTEXT = 0.4


@cache
def _values() -> dict[str, int]:
    """Danish number words for 0-99 and their values."""
    return {word: value for word, value in number_words().cardinals.items() if value <= 99}


# the phone and CPR recognizers' context words decide the score of a spoken number too
_PHONE_CONTEXT = PhoneRecognizer()
_CPR_CONTEXT = CprRecognizer()


def spoken_digits(text: str) -> str:
    """The digits a run of Danish number words says: "toogtyve nul seks" → "2206" ("" if none)."""
    values = _values()
    return "".join(
        str(values[w.casefold()]) for w in re.findall(r"[^\W\d_]+", text) if w.casefold() in values
    )


class SpokenNumberRecognizer:
    """Phone and CPR numbers written as number words."""

    name: ClassVar[str] = "spoken numbers"

    @cached_property
    def _run(self) -> re.Pattern[str]:
        words = "|".join(sorted(_values(), key=len, reverse=True))
        return re.compile(rf"(?i)(?<!\w)(?:{words})(?:[ ,]+(?:{words}))+(?!\w)")

    def analyze(self, text: str) -> list[Detection]:
        found = []
        for match in self._run.finditer(text):
            words = re.findall(r"[^\W\d_]+", match.group())
            digits = spoken_digits(match.group())
            if len(digits) == 8 and digits[0] in "23456789":
                label, context = PHONE, _PHONE_CONTEXT.has_context(text, match.start(), match.end())
            elif len(digits) == 10 and cpr_birth_date(digits) is not None:
                label, context = CPR, _CPR_CONTEXT.has_context(text, match.start(), match.end())
            else:
                continue
            score = WITH_CONTEXT if context else WITHOUT_CONTEXT
            why = f"{len(words)} number words, {len(digits)} digits" + (", context word" if context else "")
            found.append(Detection(label, match.start(), match.end(), score, self.name, why))
        return found
