"""Plain-text transcripts: speaker labels at line start, timestamps, any of the usual encodings."""

from __future__ import annotations

from pathlib import Path

from thememine.ingest.encoding import decode_bytes
from thememine.ingest.structure import Parsed, parse_plain


def read_txt(path: Path, data: bytes) -> Parsed:
    """Read a ``.txt`` transcript; offsets refer to the decoded file, line endings included."""
    text, encoding = decode_bytes(data, path)
    turns, marks, header = parse_plain(text)
    return Parsed(text=text, turns=turns, marks=marks, encoding=encoding, header=header)
