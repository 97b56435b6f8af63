"""CPR and phone recognizers: true and false cases in Danish context."""

from __future__ import annotations

import pytest

from thememine.pseudonymise.recognizers import CprRecognizer, PhoneRecognizer
from thememine.pseudonymise.recognizers.cpr import cpr_birth_date, passes_modulus_11


def found(recognizer: CprRecognizer | PhoneRecognizer, text: str) -> list[str]:
    return [text[d.start : d.end] for d in recognizer.analyze(text)]


CPR_TRUE = [
    ("Hendes cpr er 120384-2746.", "120384-2746"),
    ("CPR-nr.: 030791-3317", "030791-3317"),
    ("personnummer 0307913317 står på kortet", "0307913317"),
    ("Han er født 010101-1234", "010101-1234"),
    ("cpr 311299-4001 i systemet", "311299-4001"),  # 7th digit 4, year 99 → 1999
    ("nummeret 290200-4002 fra år 2000", "290200-4002"),  # 29 Feb 2000 exists
    ("Hun har 150512-5003 som cpr", "150512-5003"),  # 7th digit 5, year 12 → 2012
    ("barnet: 010120-9012", "010120-9012"),  # 7th digit 9, year 20 → 2020
    ("gammel: 010160-6012", "010160-6012"),  # 7th digit 6, year 60 → 1860
    ("skrevet 120384‐2746 med en anden bindestreg", "120384‐2746"),
    ("(120384-2746)", "120384-2746"),
    ("cpr: 120384 2746", "120384 2746"),
    ("CPR-nummer:1203842746.", "1203842746"),
    ("Mettes cpr-nummer, 120384-2746, blev sendt", "120384-2746"),
    ("sendt med 070781-1113 i emnefeltet", "070781-1113"),
    ("personnr. 241265-0001", "241265-0001"),
]

CPR_FALSE = [
    "Sag nr. 2021-4471 er lukket.",
    "Det kostede 12.500 kr. i 2023.",
    "320184-2746 er ikke en dato",  # day 32
    "121384-2746 har måned 13",
    "290201-1234 har 29. februar 1901",  # 1901 is no leap year
    "300284-2746 findes ikke",  # 30 February
    "Ring på 22 47 81 93",
    "kontonummer 12345678901",  # eleven digits
    "Mødet kl. 10.00 den 12.03.84",
    "§ 6 stk. 2 nr. 3",
    "26 uger og 13 uger",
    "journalnummer 2024-000123",
    "ID 1203842746123",
    "Telefon 76291450",
    "1.200.384-2746",
    "000000-0000",
]


@pytest.mark.parametrize(("text", "expected"), CPR_TRUE)
def test_cpr_found(text: str, expected: str) -> None:
    assert found(CprRecognizer(), text) == [expected]


@pytest.mark.parametrize("text", CPR_FALSE)
def test_cpr_not_found(text: str) -> None:
    assert found(CprRecognizer(), text) == []


@pytest.mark.parametrize(
    ("digits", "year"),
    [
        ("1203842746", 1984),
        ("0101364001", 2036),
        ("0101374001", 1937),
        ("0101575001", 2057),
        ("0101585001", 1858),
    ],
)
def test_century_from_seventh_digit(digits: str, year: int) -> None:
    birth = cpr_birth_date(digits)
    assert birth is not None and birth.year == year


def test_modulus_11_raises_confidence_only() -> None:
    recognizer = CprRecognizer()
    valid = "0707811005"  # passes modulus 11
    assert passes_modulus_11(valid)
    assert not passes_modulus_11("1203842746")
    (checked,) = recognizer.analyze(f"nr {valid[:6]}-{valid[6:]}")
    (unchecked,) = recognizer.analyze("nr 120384-2746")
    assert checked.score > unchecked.score
    assert "validated" in checked.why and "validated" not in unchecked.why


def test_cpr_context_raises_score() -> None:
    (plain,) = CprRecognizer().analyze("det var 120384-2746")
    (context,) = CprRecognizer().analyze("hendes cpr-nummer er 120384-2746")
    assert context.score > plain.score


PHONE_TRUE = [
    ("Ring til mig på 22 47 81 93.", "22 47 81 93"),
    ("+45 31 62 09 58 er hans nummer", "+45 31 62 09 58"),
    ("0045 31620958", "0045 31620958"),
    ("+4531620958", "+4531620958"),
    ("tlf. 76291450", "76291450"),
    ("Mobil: 4018 2766", "4018 2766"),
    ("telefon 7847-5200", "7847-5200"),
    ("Hovednummeret er 78 47 52 00, tast 2", "78 47 52 00"),
    ("skriv til 22.47.81.93", "22.47.81.93"),
    ("(22 47 81 93)", "22 47 81 93"),
    ("nummeret 87654321.", "87654321"),
    ("Ring 2021-4471 hvis det haster", "2021-4471"),  # a phone word makes even this a phone
    ("+45 22 47 81 93.", "+45 22 47 81 93"),
    ("hun har 30 12 45 67 som nummer", "30 12 45 67"),
    ("sms til 61 22 33 44", "61 22 33 44"),
    ("Direkte: 76 29 33 18", "76 29 33 18"),
]

PHONE_FALSE = [
    "Sag nr. 2021-4471 er lukket.",
    "journalnummer 2019-1234",
    "Det kostede 12.500 kr. i 2023.",
    "Mødet var kl. 10.00 og kl. 9.30.",
    "Efter § 6 nr. 3 og § 85 i serviceloven.",
    "Forløbet varer 26 uger.",
    "Mellem 8.000 og 10.000 kr.",
    "i årene 2020 2021 2022 2023",
    "CVR 12345678",
    "cpr 120384-2746",
    "1,2 mio. kr. på budgettet",
    "Hun har 41 borgere og 76 sager.",
    "12 34 56 78 90 er ti cifre",
    "Nummer 01234567 starter med nul",
    "sagsnummer 87654321",
    "15.03.2025 var datoen",
]


@pytest.mark.parametrize(("text", "expected"), PHONE_TRUE)
def test_phone_found(text: str, expected: str) -> None:
    assert found(PhoneRecognizer(), text) == [expected]


@pytest.mark.parametrize("text", PHONE_FALSE)
def test_phone_not_found(text: str) -> None:
    assert found(PhoneRecognizer(), text) == []
