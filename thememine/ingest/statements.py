"""Statements: the units thememine embeds and codes.

A statement is a turn, or a window of sentences within a long turn. Statements never contain a
speaker label or a timestamp, never cross a timestamp written inside a turn, and together they
cover every word of every turn: nothing is dropped. Filler-only statements ("Mm.", "Ja.", "Øh")
are kept and flagged, and the interviewer's statements are marked with their role.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from thememine.data import read_lines
from thememine.ingest.model import Document, Statement, TimeMark, Turn
from thememine.ingest.roles import PARTICIPANT, speaker_roles
from thememine.ingest.sentences import sentence_spans
from thememine.runfolder import statement_id

SplitMode = Literal["auto", "turn", "sentence"]
_ANNOTATION = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+")


@dataclass(frozen=True)
class SplitOptions:
    """How turns become statements.

    ``auto``: a turn of at most ``max_chars`` characters is one statement; a longer one is cut
    into windows of up to ``window`` sentences, each under ``max_chars``; a sentence longer than
    that is cut at word boundaries. ``turn``: one statement per turn, whatever its length.
    ``sentence``: windows of ``window`` sentences in every turn, cut at words above ``max_chars``.
    """

    mode: SplitMode = "auto"
    max_chars: int = 600
    window: int = 3

    def __post_init__(self) -> None:
        if self.mode not in ("auto", "turn", "sentence"):
            raise ValueError(f"split mode must be auto, turn or sentence, not {self.mode!r}")
        if self.max_chars < 1 or self.window < 1:
            raise ValueError("max_chars and window must be at least 1")


@cache
def _fillers() -> frozenset[str]:
    return frozenset(read_lines("fillers_da.txt"))


def is_filler(text: str) -> bool:
    """True when the text holds no word but fillers and back-channels ("Mm.", "Ja ja.", "Øh (griner)")."""
    words = _WORD.findall(_ANNOTATION.sub(" ", text).lower())
    return all(word in _fillers() for word in words)


def _segments(text: str, turn: Turn, marks: list[TimeMark]) -> list[tuple[int, int]]:
    """The turn's content cut at timestamps written inside it, each piece trimmed."""
    pieces = []
    begin = turn.start
    for mark in marks:
        if mark.end <= mark.start or mark.start < turn.start or mark.end > turn.end:
            continue
        pieces.append((begin, mark.start))
        begin = mark.end
    pieces.append((begin, turn.end))
    trimmed = []
    for start, end in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            trimmed.append((start, end))
    return trimmed


def _windows(spans: list[tuple[int, int]], window: int, max_chars: int | None) -> list[tuple[int, int]]:
    """Group consecutive sentence spans: at most ``window`` each, and under ``max_chars`` if given."""
    groups: list[tuple[int, int]] = []
    count = 0
    for start, end in spans:
        if groups and count < window and (max_chars is None or end - groups[-1][0] <= max_chars):
            groups[-1] = (groups[-1][0], end)
            count += 1
        else:
            groups.append((start, end))
            count = 1
    return groups


def _cut_words(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at word boundaries into pieces of at most ``max_chars`` (a longer
    word is cut inside), whitespace between pieces left out."""
    pieces = []
    while end - start > max_chars:
        cut = start + max_chars
        while cut > start and not text[cut].isspace():
            cut -= 1
        if cut == start:  # one word longer than the limit
            cut = start + max_chars
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        pieces.append((start, stop))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def _split_segment(text: str, start: int, end: int, options: SplitOptions) -> list[tuple[int, int]]:
    if options.mode == "turn" or (options.mode == "auto" and end - start <= options.max_chars):
        return [(start, end)]
    spans = sentence_spans(text, start, end)
    limit = options.max_chars if options.mode == "auto" else None
    windows = _windows(spans, options.window, limit)
    # a sentence longer than the limit (a list, speech-to-text without full stops) is cut at words
    return [piece for a, b in windows for piece in _cut_words(text, a, b, options.max_chars)]


def _timestamp(marks: list[TimeMark], starts: list[int], offset: int) -> float | None:
    """The time of the last timestamp at or before ``offset``."""
    at = bisect.bisect_right(starts, offset)
    return marks[at - 1].seconds if at else None


def split_statements(document: Document, options: SplitOptions | None = None) -> list[Statement]:
    """Cut a document's turns into statements (see :class:`SplitOptions`)."""
    options = options or SplitOptions()
    marks = sorted(document.marks, key=lambda mark: mark.start)
    starts = [mark.start for mark in marks]
    roles = speaker_roles(document)
    statements = []
    for turn in document.turns:
        index = 0
        for seg_start, seg_end in _segments(document.text, turn, marks):
            for start, end in _split_segment(document.text, seg_start, seg_end, options):
                text = document.text[start:end]
                timestamp = _timestamp(marks, starts, start)
                if timestamp is None:
                    timestamp = turn.timestamp
                statements.append(
                    Statement(
                        id=statement_id(document.id, turn.index, index),
                        doc_id=document.id,
                        speaker=turn.speaker,
                        turn=turn.index,
                        index=index,
                        start=start,
                        end=end,
                        text=text,
                        timestamp=timestamp,
                        filler=is_filler(text),
                        role=roles.get(turn.speaker, PARTICIPANT) if turn.speaker else PARTICIPANT,
                    )
                )
                index += 1
    return statements


def split_corpus(documents: Iterable[Document], options: SplitOptions | None = None) -> list[Statement]:
    """Statements of every document, in document order."""
    return [statement for document in documents for statement in split_statements(document, options)]
