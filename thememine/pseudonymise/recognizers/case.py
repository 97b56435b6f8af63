"""Case and journal numbers: "sag nr. 2021-4471", "sagsnummer 25/14388", "j.nr. 2023-12-0457".

A case number points at one citizen's file as surely as a name, so it is replaced. Only a number
right after a case word counts: years, amounts and paragraph numbers stand alone.
"""

from __future__ import annotations

from typing import ClassVar

from thememine.pseudonymise.detection import CASE
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer, Verdict

# the case word, then the number (digits with - / . inside, at least five digits in all)
_WORD = (
    r"(?:sag(?:s)?\s*nr\.?|sagsnummer(?:et)?|sagsnr\.?|j\.?\s*nr\.?|journal\s*nr\.?|journalnummer(?:et)?|jnr\.?"
    # "sagen har nummer 25/14388", "journalen har nr. 2024/3310"
    r"|(?:sag|sagen|journal|journalen)\s+(?:har\s+|med\s+)?(?:nummer|nr\.?))"
)
_NUMBER = r"(?P<value>\d[\d./-]*\d)(?![\d])"


class CaseNumberRecognizer(PatternRecognizer):
    name: ClassVar[str] = "case number"
    label: ClassVar[str] = CASE
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern("number after a case word", rf"(?i)(?<!\w){_WORD}\s*:?\s*{_NUMBER}", 0.85),
    )

    def validate(self, text: str, start: int, end: int) -> Verdict:
        """At least five digits: "sag nr. 12" is a list item, not a file."""
        return Verdict.REJECT if sum(ch.isdigit() for ch in text[start:end]) < 5 else Verdict.NO_OPINION
