"""E-mail addresses."""

from __future__ import annotations

from typing import ClassVar

from thememine.pseudonymise.detection import EMAIL
from thememine.pseudonymise.recognizers.base import Pattern, PatternRecognizer


class EmailRecognizer(PatternRecognizer):
    name: ClassVar[str] = "email"
    label: ClassVar[str] = EMAIL
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            "e-mail address",
            r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[A-Za-z]{2,24}(?![\w-])",
            0.95,
        ),
        # spoken or Whisper-transcribed: "mette snabel-a gmail punktum com"
        Pattern(
            "spoken e-mail address",
            r"(?i)(?<!\w)[\w.+-]+ ?(?:snabel-a|snabela|at) ?[\w-]+ ?(?:punktum|dot) ?(?:dk|com|net|org|eu)(?!\w)",
            0.8,
        ),
    )
