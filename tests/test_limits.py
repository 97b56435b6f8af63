"""Bounds on input: JSON nested too deeply and zip archives that unpack to far more than their size."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from thememine.errors import InputError
from thememine.ingest import read_document
from thememine.limits import MAX_JSON_DEPTH, MAX_MEMBER_BYTES, json_depth, load_json


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "]]]"]', 1),  # brackets in strings do not count
        ('["\\"[[[["]', 1),  # nor after an escaped quote
        ("[" * 10 + "]" * 10, 10),
        ("12", 0),
    ],
)
def test_json_depth(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_deep_json_is_an_input_error_not_a_recursion_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InputError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        load_json(deep, "x.json", "Export it again")
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "x.json", "") is not None


def test_deep_whisper_json_is_skipped_with_a_plain_reason(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"segments": ' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8")
    with pytest.raises(InputError, match="nested deeper"):
        read_document(path)


def test_a_number_too_long_is_an_input_error() -> None:
    with pytest.raises(InputError, match="number too long"):
        load_json('{"start": ' + "9" * 5000 + "}", "x.json", "")


def _bomb(unpacked: int, name: str = "word/document.xml") -> bytes:
    """A zip of one member of ``unpacked`` spaces: it packs about a thousand times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(name, "w", force_zip64=True) as member:
            chunk = b" " * 2**20
            for _ in range(unpacked // 2**20):
                member.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("unpacked", "problem"),
    [(MAX_MEMBER_BYTES + 2**20, "would unpack to more than"), (8 * 2**20, "packed suspiciously tightly")],
)
def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, unpacked: int, problem: str
) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_bomb(unpacked))
    assert path.stat().st_size < unpacked / 500
    import docx  # noqa: F401 - imported before memory is measured

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError, match=problem):
            read_document(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 4 * path.stat().st_size + 2**20  # the packed file and little more, never the unpacked


def _lying(data: bytes, name: str, declared: int) -> bytes:
    """``data`` with the central directory's unpacked size of ``name`` set to ``declared``."""
    raw = bytearray(data)
    start = 0
    while (at := raw.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_length].decode() == name:
            struct.pack_into("<I", raw, at + 24, declared)
        start = at + 4
    return bytes(raw)


def test_a_zip_whose_sizes_lie_is_read_no_further_than_declared(tmp_path: Path) -> None:
    """Declared sizes are what is checked; the zip reader stops at them and then fails the checksum."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:p/>" * 2_000_000)  # 12 MB, packs about 1000 times
    path = tmp_path / "lying.docx"
    path.write_bytes(_lying(buffer.getvalue(), "word/document.xml", 1000))
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="not a readable Word document"):
            read_document(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_a_qdpx_zip_bomb_is_refused(tmp_path: Path) -> None:
    from thememine.exchange import read_qdpx

    path = tmp_path / "bomb.qdpx"
    path.write_bytes(_bomb(8 * 2**20, "project.qde"))
    with pytest.raises(InputError, match="packed suspiciously tightly"):
        read_qdpx(path)


def test_an_ordinary_docx_is_still_read(tmp_path: Path) -> None:
    from tests.conftest import make_docx

    path = make_docx(tmp_path / "ok.docx", [("I: ", "Hej."), ("Jens: ", "Hej med dig.")])
    assert "Hej med dig" in read_document(path).text


def test_codes_nested_thousands_deep_are_read_without_recursion(tmp_path: Path) -> None:
    from thememine.exchange import read_qdc

    depth = 5000
    codes = "".join(f'<Code name="c{i}" isCodable="true">' for i in range(depth)) + "</Code>" * depth
    path = tmp_path / "deep.qdc"
    path.write_text(f'<?xml version="1.0"?><CodeBook><Codes>{codes}</Codes></CodeBook>', encoding="utf-8")
    assert len(read_qdc(path).codes) == depth
