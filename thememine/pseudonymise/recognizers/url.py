"""Web addresses: with a scheme, starting with www., or a bare domain with a path."""

from __future__ import annotations

from typing import ClassVar

from thememine.pseudonymise.detection import URL
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer

_TAIL = r"(?:/[^\s<>\"'()]*[^\s<>\"'().,;:!?])?"


class UrlRecognizer(PatternRecognizer):
    name: ClassVar[str] = "url"
    label: ClassVar[str] = URL
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern("URL with scheme", r"\bhttps?://[^\s<>\"']+[^\s<>\"'().,;:!?]", 0.95),
        Pattern("www address", r"(?<![\w@.])www\.(?:[\w-]+\.)+[A-Za-z]{2,24}" + _TAIL, 0.9),
        Pattern(
            "domain with path",
            r"(?<![\w@.])(?:[\w-]+\.)+(?:dk|com|org|net|eu|info|nu)/[^\s<>\"'()]*[^\s<>\"'().,;:!?]",
            0.8,
        ),
    )
