"""Detection: run the tagger once, let every recognizer read the text, resolve what they found.

``detect(text)`` returns the detections at or above each label's threshold; the uncertain ones
below it are kept apart for the researcher's review (:meth:`Detector.analyze`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Protocol

from thememine.ingest.labels import is_generic_label
from thememine.pseudonymise.config import PseudonymiseConfig
from thememine.pseudonymise.detection import (
    DATE,
    LABELS,
    LOCATION,
    ORGANISATION,
    PERSON,
    Detection,
    resolve_overlaps,
)
from thememine.pseudonymise.gazetteer import places
from thememine.pseudonymise.ner import NerRecognizer, Tagger
from thememine.pseudonymise.ordinary import Kind, form_kind
from thememine.pseudonymise.recognizers.address import AddressRecognizer
from thememine.pseudonymise.recognizers.capitalised import CapitalisedRecognizer
from thememine.pseudonymise.recognizers.case import CaseNumberRecognizer
from thememine.pseudonymise.recognizers.cpr import CprRecognizer
from thememine.pseudonymise.recognizers.date import DateRecognizer
from thememine.pseudonymise.recognizers.email import EmailRecognizer
from thememine.pseudonymise.recognizers.lists import ListRecognizer
from thememine.pseudonymise.recognizers.names import NameGazetteerRecognizer
from thememine.pseudonymise.recognizers.organisations import OrganisationRecognizer
from thememine.pseudonymise.recognizers.phone import PhoneRecognizer
from thememine.pseudonymise.recognizers.places import PlaceGazetteerRecognizer
from thememine.pseudonymise.recognizers.spoken import SpokenNumberRecognizer
from thememine.pseudonymise.recognizers.url import UrlRecognizer

DEFAULT_THRESHOLDS: dict[str, float] = {label: 0.5 for label in LABELS}
PERSON_NEAR_DATE = 60  # characters: a full date this close to a person dates that person


class Recognizer(Protocol):
    @property
    def name(self) -> str: ...

    def analyze(self, text: str) -> list[Detection]: ...


def default_recognizers() -> list[Recognizer]:
    return [
        CprRecognizer(),
        PhoneRecognizer(),
        SpokenNumberRecognizer(),
        CaseNumberRecognizer(),
        EmailRecognizer(),
        UrlRecognizer(),
        AddressRecognizer(),
        DateRecognizer(),
        NameGazetteerRecognizer(),
        OrganisationRecognizer(),
        PlaceGazetteerRecognizer(),
        CapitalisedRecognizer(),
    ]


@dataclass(frozen=True)
class Analysis:
    """What detection found in one text: accepted detections and uncertain ones for review."""

    detections: list[Detection]
    uncertain: list[Detection] = field(default_factory=list)


@dataclass
class Detector:
    """Composes a tagger and recognizers; thresholds decide what is replaced."""

    tagger: Tagger | None = None
    recognizers: Sequence[Recognizer] = field(default_factory=default_recognizers)
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    config: PseudonymiseConfig | None = None

    def __post_init__(self) -> None:
        if self.config is None:
            return
        self.thresholds = {**self.thresholds, **self.config.thresholds}
        extra: list[Recognizer] = []
        participants = [(PERSON, variant) for group in self.config.participants for variant in group]
        if participants:
            extra.append(ListRecognizer("participants", participants, "known participant"))
        if self.config.deny:
            extra.append(ListRecognizer("deny-list", self.config.deny, "on the deny list"))
        self.recognizers = [*self.recognizers, *extra]

    def analyze_many(self, texts: Sequence[str]) -> list[Analysis]:
        tagged = self.tagger.tag(texts) if self.tagger is not None else [[] for _ in texts]
        ner = NerRecognizer(self.tagger.name) if self.tagger is not None else None
        results = []
        for text, entities in zip(texts, tagged, strict=True):
            found: list[Detection] = (
                guard_model_hits(text, ner.detections(text, entities)) if ner is not None else []
            )
            for recognizer in self.recognizers:
                found.extend(recognizer.analyze(text))
            if self.config is not None:
                config = self.config
                found = [d for d in found if not config.is_allowed(d.label, text[d.start : d.end])]
            results.append(self._decide(_workplaces_not_places(text, _date_near_person(found))))
        return results

    def analyze(self, text: str) -> Analysis:
        return self.analyze_many([text])[0]

    def _decide(self, found: list[Detection]) -> Analysis:
        accepted = [d for d in found if d.score >= self.thresholds.get(d.label, 0.5)]
        kept = resolve_overlaps(accepted)
        uncertain = [
            d
            for d in resolve_overlaps(d for d in found if d.score < self.thresholds.get(d.label, 0.5))
            if not any(d.overlaps(k) for k in kept)
        ]
        return Analysis(kept, uncertain)


MODEL_ALONE_CAP = 0.45  # below every default threshold: listed for review, not replaced
STRONG_MODEL = 0.8  # a model this sure of a lower-case name that is also a word is believed


def _workplaces_not_places(text: str, found: list[Detection]) -> list[Detection]:
    """A span that one detector takes for a workplace and another for a place the gazetteer does
    not know ("bostedet Skovbrynet") is the workplace, whichever scored higher: its surrogate then
    says it is a workplace, where a place's would be a town."""
    workplaces = {(d.start, d.end) for d in found if d.label == ORGANISATION}
    return [
        replace(d, label=ORGANISATION, why=f"{d.why}; a workplace to another detector")
        if d.label == LOCATION
        and (d.start, d.end) in workplaces
        and " ".join(text[d.start : d.end].split()).casefold() not in places()
        else d
        for d in found
    ]


def guard_model_hits(text: str, found: list[Detection]) -> list[Detection]:
    """What a model's hit alone may replace.

    A hit that is only a function word, a filler, an abbreviation or a generic word of the field
    ("og", "bl", "dk", "borger", "Psykiatrien", "PTSD") is dropped. An ordinary word written in
    lower case ("nordisk"), and a name that is also a word written in lower case ("per", "mark")
    unless the model is very sure, are kept for review only. Danish writes common nouns in lower
    case, so a capital keeps the hit, also at the start of a sentence: frequent words there are
    mostly names the gazetteer lacks ("Nathan", "Dolly"), which the model sees in context.
    """
    kept = []
    for detection in (piece for hit in found for piece in _pieces(text, hit)):
        surface = text[detection.start : detection.end]
        kind = form_kind(surface)
        if kind is not Kind.NAME and text[detection.end : detection.end + 1] == "-":
            continue  # the first half of a compound: "Uddannelses- og …", "cpr-nummer"
        if detection.label == PERSON and _EPONYM.match(text, detection.end):
            continue  # a disease named after a person: "Korsakoffs syndrom", "Aspergers"
        if kind in (Kind.FUNCTION, Kind.GENERIC) or is_generic_label(surface):
            continue  # "og", "borger", and speaker roles such as "IP", "Interviewer"
        lower = not surface[:1].isupper()
        if (kind is Kind.ORDINARY and lower) or (
            kind is Kind.AMBIGUOUS and lower and detection.score < STRONG_MODEL
        ):
            detection = replace(
                detection,
                score=min(detection.score, MODEL_ALONE_CAP),
                why=f"{detection.why}; {kind.value}, the model alone is not enough",
            )
        kept.append(detection)
    return kept


_BREAK = re.compile(r"[\t\n\r]+")
# what follows a person's name when the name is a disease's ("Wernickes encefalopati")
_EPONYM = re.compile(
    r"(?:s|'s|')?[ -](?:syndrom|sygdom|encefalopati|demens|chorea|lammelse|parese|tegn|test|metode|"
    r"model|skala)",
    re.IGNORECASE,
)
# a compound's second half after a hyphen: "Petrović-sagen", "AA-møder"
_HYPHEN_TAIL = re.compile(r"-([^\W\d_]+)$")
_EDGE_WORD = re.compile(r"[^\W\d_]+")


def _pieces(text: str, detection: Detection) -> list[Detection]:
    """A model's span cut where a line or a table cell ends ("Signe⇥Ja" is a speaker and a
    reply), and without function words at its edges ("og forskningsministeren")."""
    pieces = []
    position = detection.start
    for part in [*_BREAK.split(text[detection.start : detection.end])]:
        start, end = position, position + len(part)
        position = end
        while start < end and not text[start].isalnum():
            start += 1
        tail = _HYPHEN_TAIL.search(text, start, end)
        if tail and tail.group(1).islower() and form_kind(tail.group(1)) is not Kind.NAME:
            end = tail.start()  # "Petrović-sagen" is Petrović, and "-sagen" stays
        words = list(_EDGE_WORD.finditer(text, start, end))
        while words and form_kind(words[0].group()) is Kind.FUNCTION and len(words) > 1:
            words.pop(0)
        while words and form_kind(words[-1].group()) is Kind.FUNCTION and len(words) > 1:
            words.pop()
        if words:
            start, end = max(start, words[0].start()), min(end, words[-1].end())
            if end > start:
                pieces.append(replace(detection, start=start, end=end))
        match = _BREAK.match(text, position)
        position = match.end() if match else position
    return pieces


def _date_near_person(found: list[Detection]) -> list[Detection]:
    """A full date next to a person's name identifies that person: raise it to 0.7 at least."""
    persons = [d for d in found if d.label == PERSON and d.score >= 0.5]
    result = []
    for detection in found:
        if (
            detection.label == DATE
            and detection.score >= 0.4
            and any(
                abs(p.start - detection.end) <= PERSON_NEAR_DATE
                or abs(detection.start - p.end) <= PERSON_NEAR_DATE
                for p in persons
            )
        ):
            detection = replace(
                detection, score=max(detection.score, 0.7), why=detection.why + ", person nearby"
            )
        result.append(detection)
    return result


DEFAULT_NER = "e5"


@cache
def default_detector(ner: str | None = DEFAULT_NER) -> Detector:
    """The detector ``thememine pseudonymise`` uses: the shipped Danish NER model (loaded once per
    process) and every recognizer; ``ner=None`` for the rules alone. ``ner`` takes the values of the
    CLI's ``--ner`` ("e5", "e5:FOLDER", "spacy:FOLDER", "dacy:FOLDER", "none")."""
    from thememine.pseudonymise.load import load_tagger

    return Detector(tagger=load_tagger(ner) if ner else None)


def detect(text: str, detector: Detector | None = None, *, ner: str | None = DEFAULT_NER) -> list[Detection]:
    """Detections in ``text`` at or above their label's threshold, without overlaps, by position.

    By default with the shipped NER model, as the CLI finds them; ``ner=None`` uses the rules only
    (fast, no model), and ``detector`` a detector of your own.
    """
    return (detector or default_detector(ner)).analyze(text).detections
