"""The document model every later step points back into.

A :class:`Document` holds the text that all offsets refer to. For plain-text files this is the
decoded file exactly as written (line endings included); for Word files, subtitles and Whisper
output it is the transcript text thememine extracts, with speaker labels as ``Name: `` at the
start of a turn and timestamps kept apart as metadata. Header lines at the top ("Dato: 14. marts
2025") stay in the text but belong to no turn: they are kept as :class:`HeaderLine` metadata.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal["interviewer", "participant"]


@dataclass(frozen=True)
class TimeMark:
    """A timestamp: ``seconds`` into the recording, at ``start`` in the text.

    When the timestamp is written in the text (``[00:12:03]``) ``start:end`` covers it; when it
    comes from a subtitle cue or a Whisper segment it has no width (``start == end``).
    """

    start: int
    end: int
    seconds: float


@dataclass(frozen=True)
class HeaderLine:
    """A line of document metadata at the top of a transcript: ``Dato: 14. marts 2025``.

    ``start:end`` covers the entry as written (key included), ``value_start:end`` its value;
    ``key`` is the header key as written (``Dato``, ``Varighed``, a role such as ``Interviewer``),
    or ``None`` for a title line ("Interview 1 – sagsbehandler"). Only offsets are kept, never the
    text itself, so that the record stays right when the text is pseudonymised.
    """

    key: str | None
    start: int
    end: int
    value_start: int

    def value(self, text: str) -> str:
        """The value in the document's ``text``."""
        return text[self.value_start : self.end]


@dataclass(frozen=True)
class Turn:
    """One speaker's continuous contribution.

    ``start:end`` covers the spoken content (label and leading or trailing timestamps left out);
    ``label_start:label_end`` covers the speaker label as written, if there is one.
    """

    index: int
    start: int
    end: int
    speaker: str | None = None
    label_start: int | None = None
    label_end: int | None = None
    timestamp: float | None = None


@dataclass(frozen=True)
class Statement:
    """A unit to embed and code: a turn, or a window of sentences within a long turn.

    ``role`` is ``"interviewer"`` for the turns of the one who asks (see :mod:`thememine.ingest.roles`):
    kept as statements and context, left out of theme fitting and coding unless asked for.
    """

    id: str
    doc_id: str
    speaker: str | None
    turn: int
    index: int
    start: int
    end: int
    text: str
    timestamp: float | None
    filler: bool
    role: Role = "participant"
    # surrogates in ``text`` after pseudonymisation: (start, end, label), offsets into ``text``
    surrogates: tuple[tuple[int, int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statement:
        fields = cls.__dataclass_fields__
        values = {name: data[name] for name in fields if name in data}
        values["surrogates"] = tuple(tuple(span) for span in data.get("surrogates", ()))
        return cls(**values)


@dataclass
class Document:
    """A transcript: its text, turns and timestamps, and where it came from."""

    id: str
    path: str
    format: str
    text: str
    turns: list[Turn]
    marks: list[TimeMark] = field(default_factory=list)
    encoding: str | None = None
    group: str | None = None
    sha256: str = ""
    header: list[HeaderLine] = field(default_factory=list)  # metadata lines before the dialogue
    dropped_cues: list[int] = field(default_factory=list)  # subtitle cues left out for a broken timing

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker is not None:
                seen.setdefault(turn.speaker, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            id=data["id"],
            path=data["path"],
            format=data["format"],
            text=data["text"],
            turns=[Turn(**turn) for turn in data["turns"]],
            marks=[TimeMark(**mark) for mark in data.get("marks", [])],
            encoding=data.get("encoding"),
            group=data.get("group"),
            sha256=data.get("sha256", ""),
            header=[HeaderLine(**line) for line in data.get("header", [])],
            dropped_cues=[int(number) for number in data.get("dropped_cues", [])],
        )
