"""Rewriting with surrogates: text, possessives and offset mapping."""

from __future__ import annotations

import pytest

from thememine.pseudonymise import Detection
from thememine.pseudonymise.rewrite import OffsetMap, rewrite


def person(text: str, name: str, nth: int = 0) -> Detection:
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return Detection("PERSON", start, start + len(name), 0.9, "test")


@pytest.mark.parametrize(
    ("text", "name", "surrogate", "expected"),
    [
        ("Det var Mettes idé.", "Mette", "Hanne", "Det var Hannes idé."),
        ("Det var Mettes idé.", "Mette", "Lars", "Det var Lars' idé."),
        ("Det var Jens' idé.", "Jens", "Ole", "Det var Oles idé."),
        ("Det var Jens' idé.", "Jens", "Niels", "Det var Niels' idé."),
        ("Det var Jens.", "Jens", "Ole", "Det var Ole."),
        ("Mette sagde 'nej'.", "Mette", "Lars", "Lars sagde 'nej'."),
        ("Det var Mettes", "Mette", "[PERSON_1]", "Det var [PERSON_1]s"),
    ],
)
def test_possessives_stay_grammatical(text: str, name: str, surrogate: str, expected: str) -> None:
    new, _ = rewrite(text, [person(text, name)], lambda d, s: surrogate)
    assert new == expected


def test_offsets_map_statements_onto_the_new_text() -> None:
    text = "I: Hvad sagde Mette?\nJens: Mette sagde at Jens skulle ringe til 22 47 81 93.\n"
    detections = [
        person(text, "Mette"),
        Detection("PERSON", text.index("Jens:"), text.index("Jens:") + 4, 1.0, "label"),
        person(text, "Mette", 1),
        person(text, "Jens", 1),
        Detection("PHONE", text.index("22 47"), text.index("22 47") + 11, 0.9, "phone"),
    ]
    names = {"Mette": "[PERSON_1]", "Jens": "[PERSON_2]", "22 47 81 93": "[PHONE_1]"}
    new, replacements = rewrite(text, detections, lambda d, s: names[s])
    assert new == (
        "I: Hvad sagde [PERSON_1]?\n[PERSON_2]: [PERSON_1] sagde at [PERSON_2] skulle ringe til [PHONE_1].\n"
    )
    mapping = OffsetMap(replacements)
    for sentence in ("Hvad sagde Mette?", "Mette sagde at Jens skulle ringe til 22 47 81 93."):
        start = text.index(sentence)
        new_start, new_end = mapping.span(start, start + len(sentence))
        assert "Mette" not in new[new_start:new_end]
        assert new[new_start:new_end].endswith(("?", "."))
    assert mapping.span(0, 2) == (0, 2)
    # an offset inside a replaced name maps to the surrogate's edges
    inside = text.index("Mette") + 2
    assert mapping(inside) == new.index("[PERSON_1]")
    assert mapping(inside, is_end=True) == new.index("[PERSON_1]") + len("[PERSON_1]")


def test_overlapping_detections_are_refused() -> None:
    text = "Mette Holm"
    with pytest.raises(ValueError):
        rewrite(text, [person(text, "Mette Holm"), person(text, "Holm")], lambda d, s: "x")
