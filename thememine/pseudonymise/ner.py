"""Named-entity taggers: the model that finds names, places and organisations.

A tagger is run once per text; :class:`NerRecognizer` maps its labels (PER/LOC/ORG, or spaCy's
PERSON/GPE/ORG …) to thememine's canonical labels through a table. Taggers are passed in, never
loaded by a recognizer: :func:`thememine.pseudonymise.load.load_tagger` opens them, and none of
them reaches a model hub.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Protocol

from thememine.errors import ThememineError
from thememine.pseudonymise.detection import LOCATION, ORGANISATION, PERSON, Detection

LABEL_MAP: dict[str, str | None] = {
    "PER": PERSON,
    "PERSON": PERSON,
    "LOC": LOCATION,
    "LOCATION": LOCATION,
    "GPE": LOCATION,
    "FAC": LOCATION,
    "ORG": ORGANISATION,
    "ORGANIZATION": ORGANISATION,
    "ORGANISATION": ORGANISATION,
    "NORP": None,
    "MISC": None,
}


@dataclass(frozen=True)
class Entity:
    """An entity a tagger found: character span, the tagger's own label, and a confidence."""

    start: int
    end: int
    label: str
    score: float = 1.0


class Tagger(Protocol):
    """Anything that tags texts with entities."""

    @property
    def name(self) -> str: ...

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]: ...


class NerRecognizer:
    """Turns a tagger's entities into detections with canonical labels."""

    name: ClassVar[str] = "ner"

    def __init__(self, tagger_name: str, label_map: dict[str, str | None] | None = None) -> None:
        self.tagger_name = tagger_name
        self.label_map = LABEL_MAP if label_map is None else label_map

    def detections(self, text: str, entities: Sequence[Entity]) -> list[Detection]:
        found = []
        for entity in entities:
            label = self.label_map.get(entity.label.upper())
            start, end = entity.start, entity.end
            while start < end and not text[start].isalnum():
                start += 1
            while end > start and not text[end - 1].isalnum():
                end -= 1
            if label is None or start >= end:
                continue
            why = f"{self.tagger_name} tagged {entity.label}"
            found.append(Detection(label, start, end, round(entity.score, 3), self.name, why))
        return _join_initials(text, found)


_INITIAL = re.compile(r"[^\W\d_]{1,2}\.?")


def _join_initials(text: str, found: list[Detection]) -> list[Detection]:
    """One person where a tagger split initials from the name: "K." + "J. Philipsen"."""
    joined: list[Detection] = []
    for detection in sorted(found, key=lambda d: d.start):
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.label == detection.label == PERSON
            and _INITIAL.fullmatch(text[previous.start : previous.end].strip())
            and re.fullmatch(r"\.?[ \t]*", text[previous.end : detection.start])
        ):
            score = min(previous.score, detection.score)
            joined[-1] = replace(previous, end=detection.end, score=score)
            continue
        joined.append(detection)
    return joined


class SpacyTagger:
    """A spaCy or DaCy pipeline loaded from a local folder (``spacy.load(path)``)."""

    def __init__(self, path: Path, batch_size: int = 32) -> None:
        import spacy

        if not Path(path).exists():
            raise ThememineError(
                f"No spaCy pipeline at {path}. Give the folder of an installed or downloaded pipeline "
                "(for DaCy: the folder that holds its config.cfg)."
            )
        try:
            self.nlp: Any = spacy.load(path)
        except (OSError, ValueError) as err:
            raise ThememineError(f"{path} could not be loaded as a spaCy pipeline: {err}") from None
        if not any("ner" in name or "entity" in name for name in self.nlp.pipe_names):
            raise ThememineError(f"The spaCy pipeline at {path} has no named-entity component.")
        self.name = f"spacy:{Path(path).name}"
        self.batch_size = batch_size

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        results = []
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size):
            results.append([Entity(ent.start_char, ent.end_char, ent.label_, 0.9) for ent in doc.ents])
        return results
