"""The name gazetteer recognizer: full names, possessives, speech-to-text, titles, ambiguity."""

from __future__ import annotations

import pytest

from thememine.pseudonymise.recognizers.names import NameGazetteerRecognizer

THRESHOLD = 0.5


def accepted(text: str) -> list[str]:
    return [text[d.start : d.end] for d in NameGazetteerRecognizer().analyze(text) if d.score >= THRESHOLD]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jeg talte med Mette Kjærgaard Holm i går.", ["Mette Kjærgaard Holm"]),
        ("Mettes mor ringede.", ["Mette"]),  # the possessive s stays outside the span
        ("Det var Jens' idé.", ["Jens"]),
        ("og så sagde mette at hun ikke ville", ["mette"]),  # lower case from speech-to-text
        ("Lise-Lotte bor på et bosted.", ["Lise-Lotte"]),
        ("Ring til dr. Henrik Vestergaard.", ["Henrik Vestergaard"]),
        ("overlæge Vestergaard sagde nej", ["Vestergaard"]),
        ("Camilla Friis og Anne Sofie Lund var der.", ["Camilla Friis", "Anne Sofie Lund"]),
        ("Ahmad Rahimi kom fra Afghanistan.", ["Ahmad Rahimi"]),
        ("Vi ringede til Camillas kollega.", ["Camilla"]),
        ("Det sagde Tage Jensen også.", ["Tage Jensen"]),  # an ambiguous first name in a full name
    ],
)
def test_names_found(text: str, expected: list[str]) -> None:
    assert accepted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hans kollega kom for sent.",  # hans = his
        "De kom ikke til mødet.",
        "Vi bo her, og vi har et godt liv.",
        "Tage det roligt, sagde hun.",
        "Det var en stor lykke.",
        "egen læge. Og sundhedskoordinatoren",
        "Mødet var i maj, og det var godt.",
    ],
)
def test_words_are_not_names(text: str) -> None:
    assert accepted(text) == []


POLITE = (
    "Goddag, hvordan har De det? Jeg ved, at De kommer i morgen, og Dem vil jeg tale med om Deres mor. "
    "Har De talt med Deres læge? Kan De huske, hvad De sagde til Dem selv?"
)


def test_the_polite_pronoun_is_never_a_name_candidate() -> None:
    """ "De", "Dem", "Deres" are capitalised inside a sentence when someone is addressed politely:
    no candidate for the review at any score, so no lower threshold can replace them either."""
    import re

    from thememine.pseudonymise.detection import PERSON, Detection
    from thememine.pseudonymise.engine import Detector, guard_model_hits

    assert NameGazetteerRecognizer().analyze(POLITE) == []
    analysis = Detector(thresholds={"PERSON": 0.01}).analyze(POLITE)
    assert analysis.detections == [] and analysis.uncertain == []
    tagged = [
        Detection(PERSON, m.start(), m.end(), 0.9, "ner", "tagged PER")
        for m in re.finditer(r"\bDe\w*", POLITE)
    ]
    assert len(tagged) == 9 and guard_model_hits(POLITE, tagged) == []  # nor a model's hit on them


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Vi talte med De Nguyen i går.", "De Nguyen"), ("Vi talte med dr. De i går.", "De")],
)
def test_a_name_spelled_like_a_function_word_is_found_with_support(text: str, expected: str) -> None:
    assert accepted(text) == [expected]  # a full name, or a title, says it is a name


def test_full_names_score_higher_than_single_names() -> None:
    recognizer = NameGazetteerRecognizer()
    (full,) = recognizer.analyze("Han hed Jens Ravn.")
    (single,) = recognizer.analyze("Han hed Jens.")
    assert full.score > single.score
