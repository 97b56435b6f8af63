"""Encodings: UTF-8 with and without BOM, UTF-16, Windows-1252 and Latin-1, and what is refused."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from thememine.errors import InputError
from thememine.ingest import read_document

DANISH = "I: Hvordan gik mødet på Ærøskøbing Sygehus?\nSøren: Åh, det gik ærligt talt godt. Ø og å.\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (DANISH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + DANISH.encode("utf-8"), "utf-8-sig"),
        (DANISH.encode("utf-16"), "utf-16"),  # with BOM
        (codecs.BOM_UTF16_BE + DANISH.encode("utf-16-be"), "utf-16"),
        (DANISH.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (DANISH.encode("utf-16-be"), "utf-16-be"),  # no BOM
        (DANISH.encode("cp1252"), "cp1252"),
        (DANISH.encode("latin-1"), "cp1252"),  # Latin-1 Danish text is a subset of Windows-1252
        (DANISH.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
    ],
)
def test_danish_letters_come_out_right(tmp_path: Path, raw: bytes, encoding: str) -> None:
    path = tmp_path / "interview.txt"
    path.write_bytes(raw)
    document = read_document(path)
    assert document.encoding == encoding
    assert document.text.replace("\r\n", "\n") == DANISH
    assert [turn.speaker for turn in document.turns] == ["I", "Søren"]


def test_windows_1252_quotes_and_dashes(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("I: Hun sagde „nej“ – og gik.\n".encode("cp1252"))
    assert read_document(path).text == "I: Hun sagde „nej“ – og gik.\n"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "is empty"),
        (b"   \n\n  ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
        ("Sø".encode() + b" og \xe6 blandet\n", "mixes encodings"),
        (b"I: abc \x81\x8d\x8f\x90 def\n", "cannot be decoded"),
        (codecs.BOM_UTF8 + b"I: \xff\xfe ugyldig\n", "not UTF-8"),
    ],
)
def test_refused_with_a_reason(tmp_path: Path, raw: bytes, problem: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(raw)
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert problem in caught.value.problem
    assert str(path) in caught.value.message
