"""The researcher's own lists: known participants and words that must always be caught."""

from __future__ import annotations

import re
from collections.abc import Iterable

from thememine.pseudonymise.detection import Detection


class ListRecognizer:
    """Finds given phrases as whole words, case-insensitively, with a fixed label and score 1.0.

    A possessive ending stays outside the span ("Annsos" → "Annso" + "s"), like the name gazetteer.
    """

    def __init__(self, name: str, entries: Iterable[tuple[str, str]], why: str) -> None:
        self.name = name
        self.why = why
        by_label: dict[str, set[str]] = {}
        for label, phrase in entries:
            if phrase.strip():
                by_label.setdefault(label, set()).add(" ".join(phrase.split()))
        self.patterns = [
            (
                label,
                re.compile(
                    r"(?<!\w)(?:"
                    + "|".join(
                        re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True)
                    )
                    + r")(?=(?:s|')?(?!\w))",
                    re.IGNORECASE,
                ),
            )
            for label, phrases in sorted(by_label.items())
        ]

    def analyze(self, text: str) -> list[Detection]:
        found = []
        for label, pattern in self.patterns:
            for match in pattern.finditer(text):
                found.append(Detection(label, match.start(), match.end(), 1.0, self.name, self.why))
        return found
