"""Themes see surrogates as neutral placeholders: the same interviews with any key embed alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.pseudonymise import Detector
from thememine.pseudonymise.corpus import pseudonymise_corpus
from thememine.pseudonymise.surrogates import SurrogateMap
from thememine.themes.fitting import units_from
from thememine.themes.model import Unit
from thememine.themes.neutral import embedding_text, keyword_text

TEXTS = {
    "a.txt": (
        "I: Hvem hjælper dig?\nMette: Det gør Anne Sofie Lund fra Jobcenter Horsens. Hun ringer på "
        "22 47 81 93, og jeg er født 12. marts 1984.\n"
    ),
    "b.txt": "I: Og så?\nJens Ravn: Mettes sag gik videre, og Anne Sofie skrev til mettekh84@gmail.com.\n",
}


@pytest.mark.parametrize(
    ("unit", "embedded", "counted"),
    [
        (
            Unit("s", "d", None, 0, 19, "Karin ringede i går", surrogates=((0, 5, "PERSON"),)),
            "NN ringede i går",
            "  ringede i går",
        ),
        (
            Unit("s", "d", None, 0, 24, "[PERSON_3.2] ringede til [LOCATION_1]"),
            "NN ringede til byen",
            "  ringede til  ",
        ),
        (Unit("s", "d", None, 0, 10, "ingen navne"), "ingen navne", "ingen navne"),
        # a possessive reads the same whatever the surrogate: "Lars'", "Karins", "[PERSON_4]'"
        (Unit("s", "d", None, 0, 11, "i Lars' sag", surrogates=((2, 6, "PERSON"),)), "i NNs sag", "i  s sag"),
        (
            Unit("s", "d", None, 0, 12, "i Karins sag", surrogates=((2, 7, "PERSON"),)),
            "i NNs sag",
            "i  s sag",
        ),
        (Unit("s", "d", None, 0, 12, "i [PERSON_4]' sag"), "i NNs sag", "i  s sag"),
    ],
)
def test_placeholders(unit: Unit, embedded: str, counted: str) -> None:
    assert embedding_text(unit) == embedded
    assert keyword_text(unit) == counted


def _texts(tmp_path: Path, style: str, secret: bytes) -> list[str]:
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    documents = read_corpus([tmp_path]).documents
    statements = split_corpus(documents, SplitOptions())
    result = pseudonymise_corpus(documents, statements, Detector(), SurrogateMap(style, secret))  # type: ignore[arg-type]
    assert any(s.surrogates for s in result.statements)
    return [embedding_text(u) for u in units_from(result.statements, result.documents)]


def test_every_key_and_style_gives_the_same_texts_to_embed(tmp_path: Path) -> None:
    seen = {
        tuple(_texts(tmp_path / f"{style}{n}", style, bytes([n]) * 32))
        for style in ("tags", "names")
        for n in range(1, 13)  # enough keys that some draw a surrogate ending in s ("Lars'")
        if not (tmp_path / f"{style}{n}").mkdir()
    }
    assert len(seen) == 1
    (texts,) = seen
    assert not any(name in " ".join(texts) for name in ("Mette", "Anne", "Jens", "Horsens", "1984"))
    assert "NN" in " ".join(texts)
