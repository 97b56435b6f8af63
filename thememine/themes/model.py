"""What a theme run holds: the statements, their themes, and the themes themselves; and what a
codebook holds, whose codes name themes and code statements.

Theme ids are small positive integers, stable for the life of a run folder: a researcher's
decisions name them. :data:`UNASSIGNED` (-1) marks a statement in no theme: an outlier that fits
nothing, a filler-only statement, or one whose theme was deleted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
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
    # the consensus fit's runs: a cluster label per fitted statement (rows: the statements the fit
    # clustered, in order) and run (columns); None when the fit made none or they were not kept
    ensemble: npt.NDArray[np.int16] | None = None

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
        """The themes of the statements that count: those the fit took in (not filler, with a
        content word, and not the interviewer's unless asked for), the base of
        :attr:`unassigned_share`, so that the report, the review page and ``codes.csv`` count the
        same statements."""
        mask = content_mask(self.units, bool(self.settings.get("include_interviewer")))
        return [t for t, keep in zip(self.assignment, mask, strict=True) if keep]


# --- codebooks ------------------------------------------------------------------------------
# The records every codebook reader gives, whatever the file (YAML, CSV, REFI-QDA .qdc):
# themes.codebook reads thememine's own formats, exchange.qdc the REFI-QDA one.


@dataclass(frozen=True)
class Code:
    """One code: a stable ``id``, the ``name`` researchers see, what it covers and example statements."""

    id: str
    name: str
    description: str = ""
    examples: tuple[str, ...] = ()
    group: str | None = None

    def text_for_embedding(self) -> str:
        """Name, description and examples as one text, one line each."""
        return "\n".join(part for part in (self.name, self.description, *self.examples) if part)


@dataclass(frozen=True)
class Codebook:
    """An ordered set of codes with unique ids and names."""

    name: str
    codes: tuple[Code, ...]
    language: str | None = None
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        for label, keys in (
            ("id", [c.id for c in self.codes]),
            ("name", [c.name.casefold() for c in self.codes]),
        ):
            if len(set(keys)) != len(keys):
                raise ValueError(f"Codebook {self.name!r}: two codes have the same {label}")

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(code.id for code in self.codes)

    def code(self, key: str) -> Code:
        """The code with this id or name (names compared case-insensitively)."""
        for code in self.codes:
            if key == code.id or key.casefold() == code.name.casefold():
                return code
        raise KeyError(key)

    def texts_for_embedding(self) -> list[str]:
        """One text per code, in codebook order: see :meth:`Code.text_for_embedding`."""
        return [code.text_for_embedding() for code in self.codes]

    def examples_by_code(self) -> dict[str, tuple[str, ...]]:
        """Example statements per code id, in codebook order; a code without examples maps to ``()``."""
        return {code.id: code.examples for code in self.codes}


_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


def slugify(name: str) -> str:
    """A plain ASCII id for a code name: ``"Økonomi mod regler"`` → ``"oekonomi_mod_regler"``."""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def coded_mask(units: Sequence[Unit], include_interviewer: bool = False) -> list[bool]:
    """Which statements are coded with a codebook: not flagged as filler, and (unless
    ``include_interviewer``) not said by the interviewer or moderator."""
    return [not u.filler and (include_interviewer or u.role != INTERVIEWER) for u in units]


def content_mask(units: Sequence[Unit], include_interviewer: bool = False) -> list[bool]:
    """Which statements may form themes: those :func:`coded_mask` keeps that have a content word left."""
    from thememine.themes.keywords import is_content_free  # its word lists and SciPy only when asked

    return [
        coded and not is_content_free(u.text)
        for coded, u in zip(coded_mask(units, include_interviewer), units, strict=True)
    ]
