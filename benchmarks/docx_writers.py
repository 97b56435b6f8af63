"""Word transcripts for the test corpora, in the two layouts researchers use.

Shared by ``make_hard_corpus.py`` and ``make_heldout_corpus.py``: paragraphs with bold speaker
labels, and a two-column table (speaker | what was said) under header paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.shared import Pt


def write_labelled_paragraphs(path: Path, turns: Sequence[tuple[str | None, str]]) -> None:
    """One paragraph per turn, "Label:" in bold; a turn without a label is a plain (header) line."""
    document = Document()
    for label, text in turns:
        paragraph = document.add_paragraph()
        if label is None:
            paragraph.add_run(text)
            continue
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {text}")
    document.save(str(path))


def write_table(path: Path, header: Sequence[str], turns: Sequence[tuple[str, str]]) -> None:
    """Header paragraphs, then a two-column table: speaker | what was said."""
    document = Document()
    for line in header:
        document.add_paragraph().add_run(line).font.size = Pt(12)
    table = document.add_table(rows=0, cols=2)
    for label, text in turns:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = text
    document.save(str(path))
