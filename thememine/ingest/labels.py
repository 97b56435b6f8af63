"""Speaker labels at the start of a line: ``I:``, ``Interviewer:``, ``Jens:``, ``IP1:``, ``Anne Sofie:``.

A candidate must look like a label (up to four capitalised words or codes, then a colon or a
tab) and not be a known header key or sentence opening (``Dato:``, ``Altså:``); see
:func:`accepted_labels` for when it counts as a speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from thememine.data import read_lines

_WORD = r"(?:[A-ZÆØÅ][\w'’.\-]*|\d+)"
_LABEL = re.compile(
    rf"(?P<label>{_WORD}(?:[ ]{_WORD}){{0,3}})"
    r"(?:[ ]?\((?P<alias>[^()\n]{1,20})\))?"
    r"(?:[ \t]*:(?=[ \t]|\r|\n|$)|\t)"
)
MAX_LABEL_CHARS = 40


@dataclass(frozen=True)
class LabelCandidate:
    """A possible speaker label: ``start:end`` is the label text, ``content`` where speech begins."""

    label: str
    start: int
    end: int
    content: int
    marked: bool = False  # a timestamp before it, or bold type, marks it as a label


@cache
def _generic_patterns() -> re.Pattern[str]:
    lines = read_lines("speaker_labels_da.txt")
    return re.compile("|".join(f"(?:{line})" for line in lines), re.IGNORECASE)


@cache
def _not_speakers() -> frozenset[str]:
    return frozenset(line.casefold() for line in read_lines("not_speakers_da.txt"))


def is_generic_label(label: str) -> bool:
    """True for role labels and codes (``I``, ``Interviewer``, ``IP1``), which are not names."""
    return _generic_patterns().fullmatch(label.strip()) is not None


def match_label(text: str, pos: int, end: int) -> LabelCandidate | None:
    """A label candidate at ``text[pos:end]`` (one line), or ``None``."""
    match = _LABEL.match(text, pos, end)
    if not match:
        return None
    label = match.group("label")
    if len(label) > MAX_LABEL_CHARS or label.casefold() in _not_speakers():
        return None
    content = match.end()
    while content < end and text[content] in " \t":
        content += 1
    return LabelCandidate(label, match.start("label"), match.end("label"), content)


def label_at(text: str, pos: int, end: int, label_end: int) -> LabelCandidate | None:
    """A label given by formatting (a bold run in Word) ending at ``label_end``.

    The bold text counts as a label only when a colon or a tab closes it, or speech follows it
    on the same line: a wholly bold line is a heading, not a speaker.
    """
    raw = text[pos:label_end]
    label = raw.strip().rstrip(":").strip()
    rest = text[label_end:end]
    closed = raw.rstrip().endswith(":") or rest.lstrip(" ").startswith((":", "\t"))
    if not closed and not (rest[:1] in (" ", "\t") and rest.strip()):
        return None
    if not label or len(label) > MAX_LABEL_CHARS or "\n" in raw or label.casefold() in _not_speakers():
        return None
    start = pos + raw.index(label)
    content = label_end
    while content < end and text[content] in " \t:":
        content += 1
    return LabelCandidate(label, start, start + len(label), content, marked=True)


def accepted_labels(candidates: list[LabelCandidate]) -> set[str]:
    """Labels that count as speakers, given every candidate of a document in order.

    Generic roles and codes, and labels seen at least twice, always count. Once the dialogue has
    begun (at the first such label) any label counts, so a speaker heard only once is kept; before
    it, a one-off ``Key: value`` line is header text, not a speaker, unless a timestamp or bold type
    marks it.
    """
    counts = Counter(candidate.label for candidate in candidates)
    established = {label for label, n in counts.items() if n >= 2 or is_generic_label(label)}
    first = next((i for i, c in enumerate(candidates) if c.label in established), len(candidates))
    marked = {candidate.label for candidate in candidates[:first] if candidate.marked}
    return established | marked | {candidate.label for candidate in candidates[first:]}
