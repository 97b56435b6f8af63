"""The Danish sentence splitter: abbreviations, times, paragraphs and quotes."""

from __future__ import annotations

import pytest

from thememine.ingest.sentences import sentence_spans


def split(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vi har bl.a. netværksmøder. Det er godt.", ["Vi har bl.a. netværksmøder.", "Det er godt."]),
        (
            "Det er f.eks. Mette der ringer. Så kommer jeg.",
            ["Det er f.eks. Mette der ringer.", "Så kommer jeg."],
        ),
        (
            "Det følger af reglerne, jf. Serviceloven § 85. Ja.",
            ["Det følger af reglerne, jf. Serviceloven § 85.", "Ja."],
        ),
        ("Hun har sag nr. 2021-4471 her. Den er lang.", ["Hun har sag nr. 2021-4471 her.", "Den er lang."]),
        (
            "Vi mødes kl. 10.00 på torsdag. Kl. 9.30 er for tidligt.",
            ["Vi mødes kl. 10.00 på torsdag.", "Kl. 9.30 er for tidligt."],
        ),
        ("Mødet var kl. 10.00. Mette kom ikke.", ["Mødet var kl. 10.00.", "Mette kom ikke."]),
        ("Det står i § 6 stk. 2 i loven. Det ved alle.", ["Det står i § 6 stk. 2 i loven.", "Det ved alle."]),
        ("Efter § 6 stk. 2. Det er reglen.", ["Efter § 6 stk. 2.", "Det er reglen."]),
        ("Det tager ca. 26 uger. Nogle gange mere.", ["Det tager ca. 26 uger.", "Nogle gange mere."]),
        (
            "Ring til dr. Henrik Vestergaard. Han ved det.",
            ["Ring til dr. Henrik Vestergaard.", "Han ved det."],
        ),
        ("Det var Jens K. Ravn. Ikke Jens B.", ["Det var Jens K. Ravn.", "Ikke Jens B."]),
        ("Hun bor på 2. th. i Horsens. Godt.", ["Hun bor på 2. th. i Horsens.", "Godt."]),
        ("Den 3. marts var mødet. Det gik.", ["Den 3. marts var mødet.", "Det gik."]),
        ("Nej! Hvad? Okay… Ja.", ["Nej!", "Hvad?", "Okay…", "Ja."]),
        ('Hun sagde: "Nej." Og så gik hun.', ['Hun sagde: "Nej."', "Og så gik hun."]),
        ("Altså... jeg ved ikke. Måske.", ["Altså... jeg ved ikke.", "Måske."]),
        ("Det koster 12.500 kr. Det er meget.", ["Det koster 12.500 kr.", "Det er meget."]),
        (
            "Vi bruger mht. tid ca. en time. Inkl. transport.",
            ["Vi bruger mht. tid ca. en time.", "Inkl. transport."],
        ),
        ("Første linje.\nAnden linje.", ["Første linje.", "Anden linje."]),
        ("Ingen punktum til sidst", ["Ingen punktum til sidst"]),
        ("", []),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_spans_cover_everything_but_whitespace() -> None:
    text = "  Vi har bl.a. møder.  Det er f.eks. kl. 10.00. Jf. § 6 stk. 2 gælder det! Ok?  "
    spans = sentence_spans(text)
    covered = "".join(text[start:end] for start, end in spans)
    assert covered.replace(" ", "") == text.replace(" ", "")
    assert all(not text[start].isspace() and not text[end - 1].isspace() for start, end in spans)


def test_offsets_within_a_window() -> None:
    text = "I: Ja. Nej. Måske.\n"
    assert [text[s:e] for s, e in sentence_spans(text, 3, 18)] == ["Ja.", "Nej.", "Måske."]
