"""The detection engine with a fake tagger: label mapping, thresholds, overlaps, review items."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

import thememine
from thememine.pseudonymise import Detection, Detector, Entity, NerRecognizer, detect
from thememine.pseudonymise.engine import default_detector


class FakeTagger:
    """Tags every capitalised word of a given list with a given label, as a model would."""

    name = "fake"

    def __init__(self, words: dict[str, tuple[str, float]]) -> None:
        self.words = words

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        out = []
        for text in texts:
            ents = []
            for word, (label, score) in self.words.items():
                for m in re.finditer(re.escape(word), text):
                    ents.append(Entity(m.start(), m.end(), label, score))
            out.append(ents)
        return out


TEXT = (
    "Mette Kjærgaard Holm, født den 12. marts 1984, cpr 120384-2746, bor på Solvænget 14, 2. th., "
    "8700 Horsens. Ring 22 47 81 93 eller skriv til mettekh84@gmail.com. Hun er i Jobcenter Horsens. "
    "Sag nr. 2021-4471 er fra 3. november 2022. Næste møde er 5. december om morgenen."
)


def spans(detections: list[Detection]) -> list[tuple[str, str]]:
    return [(d.label, TEXT[d.start : d.end]) for d in detections]


def test_public_detect_finds_every_identifier_once() -> None:
    found = spans(thememine.detect(TEXT, ner=None))
    assert found == [
        ("PERSON", "Mette Kjærgaard Holm"),
        ("DATE", "12. marts 1984"),
        ("CPR", "120384-2746"),
        ("ADDRESS", "Solvænget 14, 2. th., 8700 Horsens"),
        ("PHONE", "22 47 81 93"),
        ("EMAIL", "mettekh84@gmail.com"),
        ("ORGANISATION", "Jobcenter Horsens"),
        ("CASE", "2021-4471"),  # "Sag nr. 2021-4471": a case number points at one citizen
        ("DATE", "3. november 2022"),  # every full date is shifted, a recent one too
    ]


def test_uncertain_detections_are_kept_for_review() -> None:
    analysis = Detector().analyze(TEXT)
    assert ("DATE", "5. december") in spans(analysis.uncertain)  # no year: it may be no date
    assert not any(u.overlaps(d) for u in analysis.uncertain for d in analysis.detections)


def test_tagger_labels_are_mapped_and_longest_span_wins() -> None:
    tagger = FakeTagger(
        {
            "Mette": ("PER", 0.99),
            "Jobcenter Horsens": ("ORG", 0.9),
            "Horsens": ("LOC", 0.8),
            "12. marts": ("MISC", 0.9),
        }
    )
    found = spans(Detector(tagger=tagger).analyze(TEXT).detections)
    assert ("PERSON", "Mette Kjærgaard Holm") in found  # gazetteer's longer span beats the model's "Mette"
    assert ("ORGANISATION", "Jobcenter Horsens") in found
    assert ("LOCATION", "Horsens") not in found[:4]  # inside the address, the address wins
    assert all(label != "MISC" for label, _ in found)


def test_thresholds_per_label() -> None:
    strict = Detector(thresholds={**Detector().thresholds, "PHONE": 0.99})
    assert "PHONE" not in [d.label for d in strict.analyze(TEXT).detections]
    assert "PHONE" in [d.label for d in strict.analyze(TEXT).uncertain]
    lenient = Detector(thresholds={**Detector().thresholds, "DATE": 0.1})
    assert ("DATE", "5. december") in spans(lenient.analyze(TEXT).detections)


def test_deterministic() -> None:
    assert detect(TEXT, ner=None) == detect(TEXT, ner=None)


@pytest.mark.slow
def test_public_detect_uses_the_shipped_model_like_the_cli() -> None:
    # "Oluwaseun" is in no gazetteer: only the model finds it
    text = "Min sagsbehandler hedder Oluwaseun, og hun er sød."
    assert spans_of(text, thememine.detect(text)) == [("PERSON", "Oluwaseun")]
    assert spans_of(text, thememine.detect(text, ner=None)) == []
    assert default_detector() is default_detector()  # loaded once per process
    assert default_detector().tagger is not None and default_detector(None).tagger is None


def spans_of(text: str, detections: list[Detection]) -> list[tuple[str, str]]:
    return [(d.label, text[d.start : d.end]) for d in detections]


@pytest.mark.parametrize(
    ("text", "hit", "kept"),
    [
        ("Uddannelses- og forskningsministeren", "og", False),  # a function word
        ("Det står bl.a. i loven", "bl", False),  # an abbreviation
        ("Han har PTSD efter krigen", "PTSD", False),  # a diagnosis
        ("Hun er borger i kommunen", "borger", False),  # a generic word of the field
        ("Det styres af Psykiatrien nu", "Psykiatrien", False),
        ("Mm. Øh ja", "Mm. Øh", False),  # fillers
        ("Uddannelses- og forskningsministeren", "Uddannelses", False),  # half a compound
        ("Dato: 14. marts 2025", "Dato", False),  # a header key
        ("Sted: Café i Silkeborg", "Café", False),
        ("Han kom fra Afghanistan som ung", "Afghanistan", False),  # a country: no Danish town stands for it
        ("Hun går til AA-møder hver uge", "AA-møder", False),  # an acronym of the field, a compound
        ("Han startede på FGU i august", "FGU", False),
        ("Vi ringede til Lægevagten om natten", "Lægevagten", False),  # a national service
        ("Vi talte med Netto om det", "Netto", True),  # an ordinary word with a capital: a name
        ("Hun hedder Storm til fornavn", "Storm", True),  # a name that is a word, with a capital
        ("Vi talte med Mette om det", "Mette", True),
    ],
)
def test_model_hits_on_ordinary_words_are_not_replaced(text: str, hit: str, kept: bool) -> None:
    start = text.index(hit)
    tagger = FakeTagger({hit: ("ORG", 0.9)})
    found = spans_of(text, Detector(tagger=tagger, recognizers=[]).analyze(text).detections)
    assert (("ORGANISATION", hit) in found) is kept, found
    assert start >= 0


@pytest.mark.parametrize(
    ("text", "hit", "expected"),
    [
        ("Han har Korsakoffs syndrom nu", "Korsakoffs", []),  # a disease named after a person
        ("Det ligner Wernickes encefalopati", "Wernickes", []),
        ("Det var Petrović-sagen, der gjorde det", "Petrović-sagen", ["Petrović"]),  # "-sagen" stays
        ("Hun hedder Ana Petrović", "Ana Petrović", ["Ana Petrović"]),
    ],
)
def test_person_hits_that_are_diseases_or_compounds(text: str, hit: str, expected: list[str]) -> None:
    found = Detector(tagger=FakeTagger({hit: ("PER", 0.9)}), recognizers=[]).analyze(text).detections
    assert [text[d.start : d.end] for d in found] == expected


@pytest.mark.parametrize(
    ("text", "hit", "expected"),
    [
        ("Signe\tJa, en kvinde ringede", "Signe\tJa", ["Signe"]),  # a table's speaker cell and reply
        ("I: Mette Holm\nIP: ja", "Mette Holm\nIP", ["Mette Holm"]),  # a line ends the name
        ("ministeren og Kim Bjerre", "og Kim Bjerre", ["Kim Bjerre"]),  # no function word at an edge
    ],
)
def test_model_spans_are_cut_at_line_and_cell_ends(text: str, hit: str, expected: list[str]) -> None:
    found = Detector(tagger=FakeTagger({hit: ("PER", 0.9)}), recognizers=[]).analyze(text).detections
    assert [text[d.start : d.end] for d in found] == expected


@pytest.mark.parametrize(
    ("text", "hit"),
    [("det er nordisk samarbejde", "nordisk"), ("vi fik en storm i går", "storm"), ("per time", "per")],
)
def test_model_hits_on_lower_case_words_go_to_review(text: str, hit: str) -> None:
    analysis = Detector(tagger=FakeTagger({hit: ("PER", 0.6)}), recognizers=[]).analyze(text)
    assert analysis.detections == []
    assert [text[d.start : d.end] for d in analysis.uncertain] == [hit]


def test_ner_recognizer_trims_punctuation_and_drops_unknown_labels() -> None:
    text = "Hun talte med (Mette) i går."
    entities = [Entity(14, 21, "PER", 0.9), Entity(0, 3, "MISC", 0.9)]
    (detection,) = NerRecognizer("x").detections(text, entities)
    assert text[detection.start : detection.end] == "Mette"
    assert detection.label == "PERSON"


@pytest.mark.parametrize(
    ("text", "pieces", "expected"),
    [
        ("Brev fra K. J. Philipsen i dag.", ["K", "J. Philipsen"], ["K. J. Philipsen"]),
        ("Brev fra K.J. Philipsen i dag.", ["K.", "J. Philipsen"], ["K.J. Philipsen"]),
        # two persons side by side stay two; an initial with words between is not joined
        ("Mette og Jens kom.", ["Mette", "Jens"], ["Mette", "Jens"]),
        ("Det var K. og så Philipsen.", ["K", "Philipsen"], ["K", "Philipsen"]),
    ],
)
def test_initials_are_joined_to_the_name(text: str, pieces: list[str], expected: list[str]) -> None:
    entities = []
    at = 0
    for piece in pieces:
        start = text.index(piece, at)
        entities.append(Entity(start, start + len(piece), "PER", 0.9))
        at = start + len(piece)
    found = NerRecognizer("x").detections(text, entities)
    assert [text[d.start : d.end] for d in found] == expected


def test_capitalised_words_are_review_candidates_only() -> None:
    text = "Hun flyttede til Frydenholm sidste år, og det var godt. Zephyrhøj var for dyrt."
    analysis = Detector().analyze(text)
    candidates = [text[d.start : d.end] for d in analysis.uncertain if d.recognizer == "capitalised"]
    assert candidates == ["Frydenholm"]  # "Zephyrhøj" starts a sentence, "Hun" too
    assert analysis.detections == []


def test_spacy_pipeline_from_a_local_folder(tmp_path: Path) -> None:
    import spacy

    from thememine.pseudonymise.load import load_tagger

    nlp = spacy.blank("da")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": "Xiu Lin"}, {"label": "GPE", "pattern": "Endelave"}])
    nlp.to_disk(tmp_path / "pipeline")
    tagger = load_tagger(f"spacy:{tmp_path / 'pipeline'}")
    assert tagger is not None
    text = "Hun hedder Xiu Lin og bor på Endelave."
    found = [(d.label, text[d.start : d.end]) for d in Detector(tagger=tagger).analyze(text).detections]
    assert ("PERSON", "Xiu Lin") in found and ("LOCATION", "Endelave") in found
