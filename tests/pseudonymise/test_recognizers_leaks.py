"""Leak classes of issue 10: every notation of a phone number, CPR number, address and birth date
is found whole, scored to be replaced, and ordinary phrases are left alone."""

from __future__ import annotations

import pytest

from thememine.pseudonymise import resolve_overlaps
from thememine.pseudonymise.recognizers.address import AddressRecognizer
from thememine.pseudonymise.recognizers.base import PatternRecognizer
from thememine.pseudonymise.recognizers.cpr import CprRecognizer
from thememine.pseudonymise.recognizers.phone import PhoneRecognizer


def spans(recognizer: PatternRecognizer, text: str) -> list[tuple[str, float]]:
    """What a recognizer finds after overlaps are resolved, with scores."""
    return [(text[d.start : d.end], d.score) for d in resolve_overlaps(recognizer.analyze(text))]


# --- phones ---------------------------------------------------------------------------------

PHONES = [
    "23-45-67-89",
    "23.45.67.89",
    "23 45 67 89",
    "2345 6789",
    "2345-6789",
    "23456789",
    "+45 23 45 67 89",
    "+4523456789",
    "0045 2345 6789",
    "(+45) 23 45 67 89",
    "+45-23-45-67-89",
    "+45 2345 6789",
    "(0045) 23456789",
]


@pytest.mark.parametrize("number", PHONES)
@pytest.mark.parametrize("frame", ["{}", "ring til mig på {}.", "tlf.: {}, eller", "({})"])
def test_phone_whole_and_replaced(number: str, frame: str) -> None:
    text = frame.format(number)
    ((found, score),) = spans(PhoneRecognizer(), text)
    assert found == number
    assert score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Sag nr. 2021-4471 er lukket.",  # journal number
        "CVR 23456789",
        "sagsnummer 2345 6789",
        "Det kostede 2.345.678 kr.",  # amount
        "kl. 23.45-24.00",  # times
        "25.03.2025 var datoen",
        "i årene 2020-2021",
        "23-45-67 er kun seks cifre",
        "20-30-40-50-60 er ti cifre",
        "23 45-67 89 blander skilletegn",
        "12 34 56 78 starter med 1",
        "17-04-68-1234 er et cpr-nummer",
        "27 04 68 1234 er et cpr-nummer",
        "+45 12 34 56 78 starter med 1",
    ],
)
def test_not_phone(text: str) -> None:
    assert spans(PhoneRecognizer(), text) == []


# --- CPR numbers ----------------------------------------------------------------------------

CPRS = [
    "170468-1234",
    "170468 1234",
    "1704681234",
    "17.04.68-1234",
    "17 04 68-1234",
    "17-04-68-1234",
    "17.04.68 1234",
    "17 04 68 1234",
    "120384‐2746",  # another hyphen
]


@pytest.mark.parametrize("number", CPRS)
@pytest.mark.parametrize("frame", ["{}", "det var {} fra kortet.", "cpr: {}, ikke", "({})"])
def test_cpr_whole_and_replaced(number: str, frame: str) -> None:
    """A valid date is enough to replace a CPR number, context word or not (recall first)."""
    text = frame.format(number)
    ((found, score),) = spans(CprRecognizer(), text)
    assert found == number
    assert score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "32.04.68-1234",  # day 32
        "17.13.68-1234",  # month 13
        "30 02 84 2746",  # 30 February
        "17.04-68 1234",  # mixed separators
        "1.234.567 kr.",  # amount
        "Sag nr. 2021-4471",  # journal number
        "kl. 10.30 1234",
        "12.30.45 1234",  # a time, then a number
        "+4512036812",  # a phone number with its country code
        "ID 17046812345",  # eleven digits
        "2021-000123",
    ],
)
def test_not_cpr(text: str) -> None:
    assert spans(CprRecognizer(), text) == []


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jeg bor på nørregade 45 1 tv 8000 aarhus c", "nørregade 45 1 tv 8000 aarhus c"),
        ("Hun bor på Solvænget 14, 2. th., 8700 Horsens.", "Solvænget 14, 2. th., 8700 Horsens"),
        ("solvænget 14 2 th", "solvænget 14 2 th"),
        ("SOLVÆNGET 14 2 TH", "SOLVÆNGET 14 2 TH"),
        ("Møllegade 7 st tv", "Møllegade 7 st tv"),
        ("møllegade 7 st. tv.", "møllegade 7 st. tv."),
        ("nørre allé 12b 1. sal", "nørre allé 12b 1. sal"),
        ("Nørre Allé 12 B, 1 sal", "Nørre Allé 12 B, 1 sal"),
        ("Frederiks Allé 3, 1.tv.", "Frederiks Allé 3, 1.tv."),
        ("gammel kongevej 12 4 tv 1610 københavn v", "gammel kongevej 12 4 tv 1610 københavn v"),
        ("på Vesterbrogade 12, 3. th, 1620 København V", "Vesterbrogade 12, 3. th, 1620 København V"),
        ("Søndergade 3, kl. th., 8700 Horsens", "Søndergade 3, kl. th., 8700 Horsens"),
        ("vejlevej 12 8700 horsens", "vejlevej 12 8700 horsens"),
        ("jeg bor på vejlevej 12 3. sal til venstre", "vejlevej 12 3. sal til venstre"),
        ("hun bor på vejlevej 12", "vejlevej 12"),  # an address word vouches for it
        ("han boede på skolevej 3 dengang", "skolevej 3"),
        ("min adresse er egevænget 4", "egevænget 4"),
        ("8000 Aarhus C", "8000 Aarhus C"),
        ("8000 aarhus c", "8000 aarhus c"),
        ("flyttet til 8740 brædstrup", "8740 brædstrup"),
        ("nørregade 45 1 tv 2020 var godt", "nørregade 45 1 tv"),  # no town after the number
        ("Mødet var på Rådhustorvet 4 kl. 10", "Rådhustorvet 4"),  # kl. 10 is a time
    ],
)
def test_address_whole_and_replaced(text: str, expected: str) -> None:
    ((found, score),) = spans(AddressRecognizer(), text)
    assert found == expected
    assert score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "i skoven 3 gange",
        "på vej 2 gange",
        "har boet i haven 20 år",
        "på vej 2",
        "vi kørte ad vejlevej 12 gange",
        "hjemme på gården 4 dage",
        "vi kørte på motorvejen 2. gang",
        "han gik i 3. klasse på skolevej",
        "der var i sommerhus 2 tv'er",
        "på rådhuspladsen 3 kl halv ti",
        "hun kom i børnehave 2",  # lower case, no floor, postcode or address word
        "Det er Skolevej 2,5 km herfra",
        "i 2020 havde jeg det svært",  # a year, not a postcode
        "i 2020 Aarhus",
        "siden 2019 horsens",
        "Jens Ravn 14 år",
        "§ 85 i serviceloven",
    ],
)
def test_not_address(text: str) -> None:
    assert spans(AddressRecognizer(), text) == []
