"""What detection finds: frozen records of label, span, score, recognizer and reason.

Detections carry offsets, never the matched text, so that an audit report can say what was found
and why without storing the personal data itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

PERSON: Final = "PERSON"
LOCATION: Final = "LOCATION"
ORGANISATION: Final = "ORGANISATION"
ADDRESS: Final = "ADDRESS"
CPR: Final = "CPR"
PHONE: Final = "PHONE"
EMAIL: Final = "EMAIL"
DATE: Final = "DATE"
URL: Final = "URL"
CASE: Final = "CASE"  # a case or journal number ("sag nr. 2021-4471"): it points at one citizen
LABELS: Final = (PERSON, LOCATION, ORGANISATION, ADDRESS, CPR, PHONE, EMAIL, DATE, URL, CASE)


@dataclass(frozen=True)
class Detection:
    """A span of text that identifies someone: ``text[start:end]`` is a ``label``."""

    label: str
    start: int
    end: int
    score: float
    recognizer: str
    why: str = ""

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown label {self.label!r}; labels are {', '.join(LABELS)}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"empty or negative span {self.start}:{self.end}")

    def overlaps(self, other: Detection) -> bool:
        return self.start < other.end and other.start < self.end


def resolve_overlaps(detections: Iterable[Detection]) -> list[Detection]:
    """Keep non-overlapping detections, deterministically: longest first, then highest score.

    Remaining ties are broken by position, label and recognizer name, so the same input always
    gives the same output. The result is sorted by position.
    """
    ranked = sorted(
        detections,
        key=lambda d: (-(d.end - d.start), -d.score, d.start, d.label, d.recognizer),
    )
    kept: list[Detection] = []
    for candidate in ranked:
        if not any(candidate.overlaps(other) for other in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda d: (d.start, d.end))
