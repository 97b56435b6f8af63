"""Telling names from ordinary Danish words: what may spread through a corpus, and where."""

from __future__ import annotations

import pytest

from thememine.pseudonymise.ordinary import Kind, Spread, form_kind, is_compound, person_parts, spread_rule


@pytest.mark.parametrize(
    ("form", "kind"),
    [
        ("og", Kind.FUNCTION),
        ("bl", Kind.FUNCTION),  # from "bl.a."
        ("Mm. Øh", Kind.FUNCTION),
        ("borger", Kind.GENERIC),
        ("Psykiatrien", Kind.GENERIC),
        ("PTSD", Kind.GENERIC),
        ("dk", Kind.GENERIC),
        ("Dato", Kind.GENERIC),  # a header key
        ("nordisk", Kind.ORDINARY),
        ("forskningsministeren", Kind.ORDINARY),  # a compound of common words
        ("Per", Kind.AMBIGUOUS),
        ("Storm", Kind.AMBIGUOUS),
        ("Hans", Kind.AMBIGUOUS),  # a name, and the pronoun "his"
        ("Mette", Kind.NAME),
        ("mette", Kind.NAME),
        ("Vorupør", Kind.NAME),  # rare: name-like
        ("Tjørnevangsskolen", Kind.NAME),  # "tjørnevang" is no word: a named school
        ("el-Hassan", Kind.NAME),
        ("Jobcenter Horsens", Kind.NAME),
        ("Psykiatrisk Center", Kind.GENERIC),
        ("Per Storm", Kind.NAME),  # a run of capitalised names
    ],
)
def test_form_kind(form: str, kind: Kind) -> None:
    assert form_kind(form) is kind


@pytest.mark.parametrize(
    ("label", "form", "rule"),
    [
        ("ORGANISATION", "og", Spread.NEVER),
        ("ORGANISATION", "borger", Spread.NEVER),
        ("PERSON", "Per", Spread.CAPITALISED),
        ("PERSON", "Hans", Spread.INSIDE_SENTENCE),
        ("PERSON", "Mette", Spread.ANY),
        ("DATE", "12. marts 1984", Spread.ANY),  # identifiers with digits always spread
        ("CPR", "120384-2746", Spread.ANY),
    ],
)
def test_spread_rule(label: str, form: str, rule: Spread) -> None:
    assert spread_rule(label, form) is rule


@pytest.mark.parametrize(
    ("word", "compound"),
    [
        ("forskningsministeren", True),
        ("jobindsats", True),
        ("tjørnevangsskolen", False),
        ("holmgaard", False),
    ],
)
def test_is_compound(word: str, compound: bool) -> None:
    assert is_compound(word) is compound


def test_person_parts() -> None:
    assert person_parts("Mette Kjærgaard Holm") == ["Mette", "Kjærgaard", "Holm", "Kjærgaard Holm"]
    assert person_parts("Yasmin el-Hassan") == ["Yasmin", "el-Hassan"]
    assert person_parts("Mette") == []
