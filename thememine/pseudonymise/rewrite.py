"""Rewriting: put surrogates where detections are, and keep offsets mappable.

:func:`rewrite` knows nothing about how surrogates are chosen; it takes a function. It returns the
new text and the replacements, from which :class:`OffsetMap` maps any offset in the original text
to the rewritten one (statements keep pointing at their text).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from thememine.pseudonymise.detection import PERSON, Detection

_SIBILANTS = ("s", "x", "z", "S", "X", "Z")


@dataclass(frozen=True)
class Replacement:
    """``original[start:end]`` became ``new[new_start:new_end]``."""

    start: int
    end: int
    new_start: int
    new_end: int
    label: str
    ending: int = 0  # characters at the end of the new text that are a possessive ending ("Lars'")


def _possessive_fix(surrogate: str, following: str) -> tuple[str, int]:
    """Keep the genitive grammatical: Mette's "s" after a name ending in s becomes "'", and back.

    Returns the text to insert after the surrogate and how many original characters it replaces.
    """
    if following.startswith("'") and not following.startswith("''") and not surrogate.endswith(_SIBILANTS):
        after = following[1:2]
        if not after or not after.isalnum():
            return "s", 1  # Jens' → Oles
    if following.startswith("s") and surrogate.endswith(_SIBILANTS):
        after = following[1:2]
        if not after or not after.isalnum():
            return "'", 1  # Mettes → Lars'
    return "", 0


def rewrite(
    text: str, detections: Sequence[Detection], surrogate: Callable[[Detection, str], str]
) -> tuple[str, list[Replacement]]:
    """Replace every detection (non-overlapping, as :func:`detect` gives them) by its surrogate."""
    parts: list[str] = []
    replacements: list[Replacement] = []
    pos = 0
    out = 0
    for detection in sorted(detections, key=lambda d: d.start):
        if detection.start < pos:
            raise ValueError("detections overlap; resolve them first")
        parts.append(text[pos : detection.start])
        out += detection.start - pos
        new = surrogate(detection, text[detection.start : detection.end])
        end = detection.end
        ending = 0
        if detection.label == PERSON and new[-1:].isalpha():  # a tag keeps the ending as written
            suffix, consumed = _possessive_fix(new, text[end : end + 2])
            new += suffix
            end += consumed
            ending = len(suffix)
        parts.append(new)
        replacements.append(Replacement(detection.start, end, out, out + len(new), detection.label, ending))
        out += len(new)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), replacements


class OffsetMap:
    """Maps offsets in the original text to offsets in the rewritten text.

    An offset inside a replaced span maps to that replacement's start (or its end, for the end of
    a range), so a statement that began or ended inside a name still covers its surrogate whole.
    """

    def __init__(self, replacements: Sequence[Replacement]) -> None:
        self.replacements = sorted(replacements, key=lambda r: r.start)
        self.starts = [r.start for r in self.replacements]

    def __call__(self, offset: int, is_end: bool = False) -> int:
        at = bisect.bisect_right(self.starts, offset) - 1
        if at < 0:
            return offset
        r = self.replacements[at]
        if offset == r.start:
            return r.new_start
        if offset < r.end:
            return r.new_end if is_end else r.new_start
        return offset - r.end + r.new_end

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self(start), self(end, is_end=True)

    def inside(self, start: int, end: int) -> tuple[tuple[int, int, str], ...]:
        """The surrogates within ``start:end`` of the rewritten text, as (start, end, label) relative
        to ``start``, a possessive ending left outside: themes read them to keep fake names out of
        embeddings and keywords."""
        return tuple(
            (r.new_start - start, r.new_end - r.ending - start, r.label)
            for r in self.replacements
            if start <= r.new_start and r.new_end <= end
        )
