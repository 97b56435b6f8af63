"""Word transcripts (``.docx``): paragraphs and table rows, speaker labels bold or plain.

The document text is the paragraphs' text joined by line breaks; a table row becomes one line
with its cells separated by tabs (the usual two-column speaker/speech layout).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from thememine.errors import InputError
from thememine.ingest.structure import Parsed, parse_plain
from thememine.limits import check_zip

_TOO_LARGE = "If it is a real transcript, save it from Word without pictures, or as plain text (.txt)"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _bold_prefix(paragraph: Any) -> int:
    """Length of the leading bold text of a paragraph (0 if it does not start bold)."""
    length = 0
    for run in paragraph.runs:
        if not run.text:
            continue
        if not (run.bold or (run.style is not None and run.style.font.bold)):
            break
        length += len(run.text)
    return length


def _paragraph_lines(document: Any) -> list[tuple[str, int]]:
    """``(text, bold label length)`` for every paragraph and table row, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[tuple[str, int]] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            paragraph = Paragraph(child, document)
            lines.append((paragraph.text, _bold_prefix(paragraph)))
        elif child.tag == f"{_W}tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = "\n".join(p.text for p in cell.paragraphs).strip()
                    if not cells or text != cells[-1]:  # merged cells repeat their text
                        cells.append(text)
                cells = [cell.replace("\n", " ") for cell in cells]
                if len(cells) >= 2 and cells[0] and len(cells[0]) <= 40:
                    lines.append(("\t".join(cells), len(cells[0])))
                else:
                    lines.append(("\t".join(cells), 0))
    return lines


def read_docx(path: Path, data: bytes) -> Parsed:
    """Read a Word transcript; bold runs at the start of a paragraph are taken as speaker labels."""
    try:
        import docx
    except ImportError as err:  # pragma: no cover - python-docx is a core dependency
        raise InputError(path, "python-docx is not installed", "Reinstall thememine") from err
    hint = "It may be damaged, or another format renamed to .docx; open it in Word and save it again"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, path, _TOO_LARGE)  # before python-docx unpacks anything
        document = docx.Document(io.BytesIO(data))
        lines = _paragraph_lines(document)
    except InputError:
        raise
    except Exception as err:  # zipfile, python-docx and lxml raise many kinds of error on broken files
        raise InputError(path, f"is not a readable Word document ({type(err).__name__})", hint) from None
    text_parts = []
    hints = {}
    pos = 0
    for line, bold in lines:
        line = line.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
        if bold:
            hints[pos] = pos + bold
        text_parts.append(line)
        pos += len(line) + 1
    text = "\n".join(text_parts)
    if text_parts:
        text += "\n"
    turns, marks, header = parse_plain(text, hints)
    return Parsed(text=text, turns=turns, marks=marks, encoding=None, header=header)
