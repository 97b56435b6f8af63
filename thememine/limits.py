"""Bounds on what thememine reads from files it did not write in this run.

Transcripts, keys, codebooks and run folders come from researchers' disks, mail and shared drives;
a damaged or hostile file must end in a plain :class:`~thememine.errors.InputError`, never in a
traceback, a long wait or all of the machine's memory. Two kinds of file need bounds that Python
does not give by default:

- JSON nested very deeply makes :func:`json.loads` raise :class:`RecursionError` (and code that
  walks the result recursively would fail the same way later). :func:`load_json` refuses
  nesting deeper than :data:`MAX_JSON_DEPTH` before it parses.
- A zip archive (``.docx``, ``.qdpx``) can unpack to a thousand times its size. :func:`check_zip`
  refuses one whose declared sizes or compression ratios are too large, before anything is
  unpacked; :func:`read_member` reads a member with a cap, since declared sizes can lie.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from thememine.errors import InputError

# Whisper output nests 4 levels (segments → words → fields), a key or a theme state about 5:
# 64 leaves ample room and stays far below Python's recursion limit (1000).
MAX_JSON_DEPTH = 64

# A Word transcript of a very long interview is a few MB of XML; pictures add their own size
# (they do not compress). These bounds keep a document well under a gigabyte of memory.
MAX_ZIP_MEMBERS = 10_000
MAX_MEMBER_BYTES = 128 * 2**20  # unpacked size of any one member
MAX_ZIP_BYTES = 256 * 2**20  # unpacked size of all members together
# Word's XML packs about 10-30 times; 100 times is beyond any real document, and a zip bomb packs
# about 1000 times. Small members may pack better (a run of spaces), so the ratio is checked only
# above RATIO_FLOOR bytes.
MAX_RATIO = 100
RATIO_FLOOR = 2**20

# A JSON string (with its escapes) and the brackets outside strings, for the depth check.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(data: str | bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply ``data`` nests arrays and objects, counted up to ``limit + 1`` at most.

    Brackets inside strings do not count; the text need not be valid JSON.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    depth = deepest = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth = max(depth - 1, 0)
    return deepest


def load_json(data: str | bytes, origin: Path | str, hint: str, limit: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from a file, or raise :class:`InputError` saying what is wrong with it.

    ``hint`` says what to do (for instance how to write the file again).
    """
    if json_depth(data, limit) > limit:
        raise InputError(origin, f"is JSON nested deeper than {limit} levels", hint)
    try:
        return json.loads(data)
    except json.JSONDecodeError as err:
        raise InputError(origin, f"is not valid JSON (line {err.lineno}, column {err.colno})", hint) from None
    except UnicodeDecodeError:
        raise InputError(origin, "is not UTF-8 text", hint) from None
    except ValueError:  # a number of more than 4300 digits, which Python refuses to convert
        raise InputError(origin, "holds a number too long to read", hint) from None
    except RecursionError:  # pragma: no cover - json_depth refuses such nesting first
        raise InputError(origin, "is JSON nested too deeply", hint) from None


def check_zip(archive: zipfile.ZipFile, origin: Path | str, hint: str) -> None:
    """Refuse an archive that would unpack to too much, from its declared sizes alone.

    Nothing is decompressed here. Python's zip reader stops at a member's declared size (and then
    fails its checksum), so what is read later is bounded by the sizes checked here.
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise InputError(origin, f"holds more than {MAX_ZIP_MEMBERS} files inside its zip", hint)
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(
                origin, f"holds a file that would unpack to more than {_mib(MAX_MEMBER_BYTES)}", hint
            )
        if total > MAX_ZIP_BYTES:
            raise InputError(origin, f"would unpack to more than {_mib(MAX_ZIP_BYTES)}", hint)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                origin,
                f"is packed suspiciously tightly ({info.filename} unpacks to more than {MAX_RATIO} times "
                "its packed size), as a zip bomb is",
                hint,
            )


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, origin: Path | str, hint: str) -> bytes:
    """A member's bytes, never more than :data:`MAX_MEMBER_BYTES` whatever its header says."""
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_MEMBER_BYTES + 1)
    except Exception as err:  # zipfile, zlib, bz2 and lzma each raise their own errors on corrupt data
        raise InputError(
            origin, f"has a damaged zip member {info.filename} ({type(err).__name__})", hint
        ) from None
    if len(data) > MAX_MEMBER_BYTES:
        raise InputError(origin, f"would unpack to more than {_mib(MAX_MEMBER_BYTES)}", hint)
    return data


def _mib(size: int) -> str:
    return f"{size // 2**20} MB"
