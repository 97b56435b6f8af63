"""A recognizer is a small class whose behaviour is data.

It has a label, named and scored patterns, Danish context words that raise the score when they
stand just before a match, and an optional :meth:`PatternRecognizer.validate` with three outcomes:
confirm (score raised), reject (match dropped) or no opinion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import ClassVar

from thememine.pseudonymise.detection import Detection


class Verdict(Enum):
    CONFIRM = "confirm"
    REJECT = "reject"
    NO_OPINION = "no opinion"


@dataclass(frozen=True)
class Pattern:
    """A named regular expression with the score a match gets before context and validation."""

    name: str
    regex: str
    score: float


class PatternRecognizer:
    """Finds its label by regular expressions, context words and validation."""

    name: ClassVar[str]
    label: ClassVar[str]
    patterns: ClassVar[tuple[Pattern, ...]]
    context: ClassVar[tuple[str, ...]] = ()
    context_window: ClassVar[int] = 40
    context_boost: ClassVar[float] = 0.15
    confirm_boost: ClassVar[float] = 0.15
    flags: ClassVar[int] = 0

    @cached_property
    def _compiled(self) -> list[tuple[Pattern, re.Pattern[str]]]:
        return [(pattern, re.compile(pattern.regex, self.flags)) for pattern in self.patterns]

    @cached_property
    def _context(self) -> re.Pattern[str] | None:
        if not self.context:
            return None
        words = "|".join(re.escape(word) for word in sorted(self.context, key=len, reverse=True))
        return re.compile(rf"(?<![\w])(?:{words})(?![\w])", re.IGNORECASE)

    def validate(self, text: str, start: int, end: int) -> Verdict:
        """Judge a match: confirm, reject or no opinion. Recognizers without a check have no opinion."""
        return Verdict.NO_OPINION

    def has_context(self, text: str, start: int, end: int) -> bool:
        """A context word in the window before the match (or just after it)."""
        if self._context is None:
            return False
        before = text[max(0, start - self.context_window) : start]
        after = text[end : end + 15]
        return bool(self._context.search(before) or self._context.search(after))

    def analyze(self, text: str) -> list[Detection]:
        """Every match of every pattern, scored; rejected matches are left out."""
        found: dict[tuple[int, int], Detection] = {}
        for pattern, regex in self._compiled:
            for match in regex.finditer(text):
                start, end = match.span("value") if "value" in regex.groupindex else match.span()
                if start == end:
                    continue
                verdict = self.validate(text, start, end)
                if verdict is Verdict.REJECT:
                    continue
                score = pattern.score
                reasons = [pattern.name]
                if verdict is Verdict.CONFIRM:
                    score += self.confirm_boost
                    reasons.append("validated")
                if self.has_context(text, start, end):
                    score += self.context_boost
                    reasons.append("context word")
                detection = Detection(
                    self.label, start, end, round(min(score, 1.0), 3), self.name, ", ".join(reasons)
                )
                previous = found.get((start, end))
                if previous is None or previous.score < detection.score:
                    found[(start, end)] = detection
        return sorted(found.values(), key=lambda d: (d.start, d.end))
