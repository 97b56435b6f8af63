"""What a theme run holds: the statements, their themes, and the themes themselves.

Theme ids are small positive integers, stable for the life of a run folder: a researcher's
decisions name them. :data:`UNASSIGNED` (-1) marks a statement in no theme: an outlier that fits
nothing, a filler-only statement, or one whose theme was deleted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

UNASSIGNED = -1
CANDIDATE, CONFIRMED = "candidate", "confirmed"
INTERVIEWER, PARTICIPANT = "interviewer", "participant"  # a statement's role (ingest.roles)

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Unit:
    """A statement as themes see it: where it is, who said it, and its text."""

    id: str
    doc_id: str
    speaker: str | None
    start: int
    end: int
    text: str
    group: str = ""  # document group: a sub-folder of the corpus ("jobcenter", "psykiatri")
    filler: bool = False
    surrogates: tuple[tuple[int, int, str], ...] = ()  # (start, end, label) in ``text``
    role: str = PARTICIPANT  # INTERVIEWER: left out of fitting and coding unless asked for

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Quote:
    statement_id: str
    doc_id: str
    speaker: str | None
    text: str


@dataclass
class Theme:
    """A candidate or confirmed theme."""

    id: int
    label: str
    status: str = CANDIDATE
    suggested_label: str = ""
    keywords: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    size: int = 0
    codes: list[tuple[str, float]] = field(default_factory=list)  # best codebook codes, with scores
    by_speaker: dict[str, float] = field(default_factory=dict)  # share of the theme per speaker
    by_group: dict[str, float] = field(default_factory=dict)  # share per document group
    parents: list[int] = field(default_factory=list)  # themes it came from (merge, split)
    named: bool = False  # the researcher gave the label: it is kept whatever the keywords become
    note: str = ""  # what changed, for the researcher ("new", "grew from 12 to 15 statements")
    # share of the fit's runs in which two of its statements share a cluster (0-1); None when not
    # measured (a small corpus, or a theme made by a decision: merge, split)
    stability: float | None = None


@dataclass
class ThemeRun:
    """Statements, their embeddings and theme assignments, and the themes."""

    units: list[Unit]
    embeddings: Matrix
    assignment: list[int]  # theme id per unit, or UNASSIGNED
    scores: list[float]  # cosine similarity of each unit to its theme's centroid (0 if unassigned)
    themes: dict[int, Theme]
    settings: dict[str, Any] = field(default_factory=dict)

    def members(self, theme_id: int) -> list[int]:
        return [i for i, t in enumerate(self.assignment) if t == theme_id]

    def next_id(self) -> int:
        """An id never used in this run: after every theme's and after ``settings["next_id"]``.

        Decisions keep ``settings["next_id"]`` up to date, so that the id of a deleted or merged
        theme is never given to a new one (the decision log names themes by id).
        """
        return max(max(self.themes, default=0) + 1, int(self.settings.get("next_id", 1)))

    @property
    def unassigned_share(self) -> float:
        content = self.with_content()
        return sum(1 for t in content if t == UNASSIGNED) / len(content) if content else 0.0

    def with_content(self) -> list[int]:
        """The themes of the statements that count: not filler, and not the interviewer's unless
        the fit took them in (the base of :attr:`unassigned_share`)."""
        asked = bool(self.settings.get("include_interviewer"))
        return [
            t
            for t, u in zip(self.assignment, self.units, strict=True)
            if not u.filler and (asked or u.role != INTERVIEWER)
        ]
