"""Decode transcript bytes: UTF-8 (with or without BOM), UTF-16, or Windows-1252.

Danish transcripts arrive from Word, Notepad, transcription services and old Windows machines.
The order of trust: a byte-order mark, then the zero-byte pattern of UTF-16, then strict UTF-8,
then Windows-1252 (a superset of Latin-1 for printable text). A file that is UTF-8 in places and
something else elsewhere is refused rather than turned into mojibake.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from thememine.errors import InputError

_SAVE_AS_UTF8 = "Open it in a text editor and save it as UTF-8"
# UTF-8 encodings of æ ø å Æ Ø Å é: their presence in a file that is not valid UTF-8 means mixed encodings.
_UTF8_DANISH = re.compile(rb"\xc3[\xa6\xb8\xa5\x86\x98\x85\xa9]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _looks_utf16(data: bytes) -> str | None:
    """Guess UTF-16 without a BOM from where the zero bytes fall (ASCII-heavy text)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_zeros > 0.4 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.4 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    return None


def _check_text(text: str, path: Path) -> None:
    controls = len(_CONTROL.findall(text))
    if controls and controls > max(2, len(text) // 200):
        raise InputError(
            path,
            "looks like a binary file, not text",
            "Only transcripts in .txt, .docx, .srt, .vtt or Whisper .json can be read",
        )


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the raw bytes of a text file, or raise :class:`InputError`."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(
                path,
                f"starts with a UTF-8 mark but byte {err.start + 3} is not UTF-8",
                _SAVE_AS_UTF8,
            ) from None
        _check_text(text, path)
        return text, "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode_utf16(data[len(bom) :], name, path), "utf-16"
    guess = _looks_utf16(data)
    if guess:
        return _decode_utf16(data, guess, path), guess
    if b"\x00" in data:
        raise InputError(
            path,
            "looks like a binary file, not text (it contains zero bytes)",
            "Only transcripts in .txt, .docx, .srt, .vtt or Whisper .json can be read",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        first_bad = err.start
    else:
        _check_text(text, path)
        return text, "utf-8"
    if _UTF8_DANISH.search(data):
        raise InputError(
            path,
            f"mixes encodings: parts are UTF-8 but byte {first_bad} is not",
            _SAVE_AS_UTF8,
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise InputError(
            path,
            f"cannot be decoded: byte {err.start} is neither UTF-8, UTF-16 nor Windows-1252",
            _SAVE_AS_UTF8,
        ) from None
    _check_text(text, path)
    return text, "cp1252"


def _decode_utf16(data: bytes, name: str, path: Path) -> str:
    try:
        text = data.decode(name)
    except UnicodeDecodeError as err:
        raise InputError(
            path, f"looks like UTF-16 but byte {err.start} cannot be decoded", _SAVE_AS_UTF8
        ) from None
    _check_text(text, path)
    return text
