"""From text to turns.

Two builders: :func:`parse_plain` finds speaker labels and timestamps in running text (plain-text
files and Word documents); :func:`build_text` lays out utterances that already carry speaker and
time (subtitle cues, Whisper segments) as a transcript text with turns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from thememine.ingest.header import Line, find_header
from thememine.ingest.labels import LabelCandidate, accepted_labels, label_at, match_label
from thememine.ingest.model import HeaderLine, TimeMark, Turn
from thememine.ingest.timestamps import find_marks

_SPACE = " \t\f\v\u00a0\u2028\u2029"


@dataclass(frozen=True)
class Parsed:
    """What a reader gives back: the document text, its turns, timestamps and header lines."""

    text: str
    turns: list[Turn]
    marks: list[TimeMark]
    encoding: str | None = None
    header: list[HeaderLine] = field(default_factory=list)
    dropped_cues: list[int] = field(default_factory=list)  # subtitle cues left out: broken timing


def line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line, without its line break (``\\n``, ``\\r\\n`` or ``\\r``)."""
    spans = []
    pos = 0
    size = len(text)
    while pos <= size:
        end = pos
        while end < size and text[end] not in "\r\n":
            end += 1
        spans.append((pos, end))
        if end >= size:
            break
        pos = end + (2 if text.startswith("\r\n", end) else 1)
    return spans


class _Marks:
    """Timestamp lookups by position, to step over them at the edges of content."""

    def __init__(self, marks: list[TimeMark]) -> None:
        self.by_start = {mark.start: mark for mark in marks if mark.end > mark.start}
        self.by_end = {mark.end: mark for mark in marks if mark.end > mark.start}

    def skip_forward(self, text: str, pos: int, end: int) -> tuple[int, float | None]:
        seconds = None
        while True:
            while pos < end and text[pos] in _SPACE:
                pos += 1
            mark = self.by_start.get(pos)
            if mark is None or mark.end > end:
                return pos, seconds
            seconds = mark.seconds
            pos = mark.end

    def skip_backward(self, text: str, start: int, end: int) -> int:
        while True:
            while end > start and text[end - 1] in _SPACE:
                end -= 1
            mark = self.by_end.get(end)
            if mark is None or mark.start < start:
                return end
            end = mark.start


@dataclass
class _OpenTurn:
    speaker: str | None
    label: LabelCandidate | None
    start: int | None
    end: int | None
    timestamp: float | None

    def close(self, index: int) -> Turn:
        anchor = self.label.end if self.label else 0
        start = self.start if self.start is not None else anchor
        end = self.end if self.end is not None else start
        return Turn(
            index=index,
            start=start,
            end=end,
            speaker=self.speaker,
            label_start=self.label.start if self.label else None,
            label_end=self.label.end if self.label else None,
            timestamp=self.timestamp,
        )


def parse_plain(
    text: str, label_hints: Mapping[int, int] | None = None
) -> tuple[list[Turn], list[TimeMark], list[HeaderLine]]:
    """Turns, timestamps and header lines of a transcript in running text.

    ``label_hints`` maps a line's start to the end of a label given by formatting (Word's bold).
    Header lines at the top (see :mod:`thememine.ingest.header`) belong to no turn. A labelled
    line starts a turn; unlabelled lines continue it. Before the first label, and in documents
    without labels, each paragraph (lines between blank lines) is a turn of its own.
    """
    marks = find_marks(text)
    lookup = _Marks(marks)
    hints = label_hints or {}
    rows: list[tuple[int, int, int, float | None, LabelCandidate | None]] = []
    for line_start, line_end in line_spans(text):
        pos, seconds = lookup.skip_forward(text, line_start, line_end)
        candidate = None
        if line_start in hints:
            candidate = label_at(text, pos, line_end, hints[line_start])
        if candidate is None:
            candidate = match_label(text, pos, line_end)
        if candidate is not None and seconds is not None:
            candidate = replace(candidate, marked=True)
        rows.append((pos, line_end, line_start, seconds, candidate))
    speakers = accepted_labels([row[4] for row in rows if row[4] is not None])
    lines = [
        Line(pos, end, c if c is not None and c.label in speakers else None) for pos, end, _, _, c in rows
    ]
    header_rows, header = find_header(text, lines)

    turns: list[Turn] = []
    current: _OpenTurn | None = None
    after_blank = True
    pending_time: float | None = None
    for pos, line_end, line_start, seconds, candidate in rows[header_rows:]:
        label = candidate if candidate is not None and candidate.label in speakers else None
        start = label.content if label else pos
        start, after_label_time = lookup.skip_forward(text, start, line_end)
        end = lookup.skip_backward(text, start, line_end)
        seconds = seconds if seconds is not None else after_label_time
        has_content = end > start
        if label is not None:
            if current is not None:
                turns.append(current.close(len(turns)))
            current = _OpenTurn(
                label.label,
                label,
                start if has_content else None,
                end if has_content else None,
                seconds if seconds is not None else pending_time,
            )
            pending_time = None
        elif has_content:
            if current is None or (current.speaker is None and after_blank):
                if current is not None:
                    turns.append(current.close(len(turns)))
                timestamp = seconds if seconds is not None else pending_time
                current = _OpenTurn(None, None, start, end, timestamp)
                pending_time = None
            else:
                if current.start is None:
                    current.start = start
                current.end = end
        elif seconds is not None:
            pending_time = seconds
        if label is not None or has_content:
            after_blank = False
        elif not text[line_start:line_end].strip():
            after_blank = True
    if current is not None:
        turns.append(current.close(len(turns)))
    return turns, marks, header


@dataclass(frozen=True)
class Utterance:
    """A piece of speech with its speaker and time, as subtitle cues and Whisper segments give it."""

    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None


PAUSE_FOR_NEW_TURN = 1.5


def utterance_line(utterance: Utterance) -> tuple[str, LabelCandidate | None]:
    """An utterance as one line of text, ``Speaker: words``, and its label."""
    words = " ".join(utterance.text.split())
    speaker = utterance.speaker.strip() if utterance.speaker else None
    if not speaker:
        return words, None
    return f"{speaker}: {words}", LabelCandidate(speaker, 0, len(speaker), len(speaker) + 2)


def header_of(utterances: Sequence[Utterance]) -> tuple[int, list[str], list[HeaderLine]]:
    """How many utterances from the top are header lines (see :mod:`thememine.ingest.header`),
    those lines as :func:`build_text` writes them, and their entries."""
    lines: list[Line] = []
    texts: list[str] = []
    pos = 0
    for utterance in utterances:
        line, label = utterance_line(utterance)
        if label is not None:
            label = replace(label, start=pos, end=pos + label.end, content=pos + label.content)
        lines.append(Line(pos, pos + len(line), label))
        texts.append(line)
        pos += len(line) + 1
    count, header = find_header("\n".join(texts), lines)
    return count, texts[:count], header


def build_text(
    utterances: Iterable[Utterance], header: Sequence[str] = ()
) -> tuple[str, list[Turn], list[TimeMark]]:
    """Lay out utterances as a transcript: one line per turn, ``Speaker: `` before it.

    ``header`` lines (from :func:`header_of`) come first, one per line, in no turn.
    Consecutive utterances of one speaker join into one turn. Without speaker information a
    pause of at least :data:`PAUSE_FOR_NEW_TURN` seconds starts a new turn. Each utterance's start
    time becomes a zero-width :class:`TimeMark` where its text begins.
    """
    parts: list[str] = []
    pos = 0
    turns: list[Turn] = []
    marks: list[TimeMark] = []
    open_turn: dict[str, object] | None = None
    last_end: float | None = None

    def emit(piece: str) -> int:
        nonlocal pos
        parts.append(piece)
        at = pos
        pos += len(piece)
        return at

    def close() -> None:
        if open_turn is not None:
            turns.append(Turn(index=len(turns), **open_turn))  # type: ignore[arg-type]

    for line in header:
        emit(line)
        emit("\n")
    for utterance in utterances:
        words = " ".join(utterance.text.split())
        if not words:
            continue
        speaker = utterance.speaker.strip() if utterance.speaker else None
        if open_turn is None:
            new_turn = True
        elif speaker is not None or open_turn["speaker"] is not None:
            new_turn = speaker != open_turn["speaker"]
        else:
            paused = utterance.start is not None and last_end is not None
            new_turn = paused and utterance.start - last_end >= PAUSE_FOR_NEW_TURN  # type: ignore[operator]
        if new_turn:
            close()
            if open_turn is not None:
                emit("\n")
            label_start = label_end = None
            if speaker is not None:
                label_start = emit(speaker)
                label_end = pos
                emit(": ")
            open_turn = {
                "speaker": speaker,
                "label_start": label_start,
                "label_end": label_end,
                "timestamp": utterance.start,
                "start": pos,
                "end": pos,
            }
        else:
            emit(" ")
        assert open_turn is not None
        at = emit(words)
        open_turn["end"] = pos
        if utterance.start is not None:
            marks.append(TimeMark(start=at, end=at, seconds=utterance.start))
        last_end = utterance.end if utterance.end is not None else utterance.start
    close()
    if parts:
        emit("\n")
    return "".join(parts), turns, marks
