"""assignments.csv: one row per statement, with its text, readable by csv readers and spreadsheets."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from thememine.themes.model import UNASSIGNED, Theme, ThemeRun, Unit
from thememine.themes.store import ASSIGNMENT_COLUMNS, assignments_csv

TEXTS = [
    "Vi ringede til psykiatrien, og de ringede tilbage.",
    "Det er svært; vi når det ikke.",
    'Hun sagde: "Det går ikke" – og så gik hun.',
    "Første linje\nanden linje\r\ntredje linje",
    "Æblerne, øllet og ålen.",
]


@pytest.fixture
def written() -> str:
    units = [
        Unit(f"doc01:{i}:0", "doc01", "Anne" if i else None, 10 * i, 10 * i + 9, t)
        for i, t in enumerate(TEXTS)
    ]
    run = ThemeRun(
        units=units,
        embeddings=np.zeros((len(units), 4), dtype=np.float32),
        assignment=[1, 1, 2, UNASSIGNED, 2],
        scores=[0.9, 0.8, 0.7, 0.0, 0.75],
        themes={1: Theme(1, "Krydspres; frister"), 2: Theme(2, 'Samarbejde, "tværfagligt"')},
    )
    return assignments_csv(run)


def test_columns_keep_their_order_and_text_comes_last(written: str) -> None:
    header = next(csv.reader(io.StringIO(written)))
    assert header == list(ASSIGNMENT_COLUMNS)
    assert header == [
        "statement_id", "doc_id", "speaker", "start", "end", "theme_id", "theme_label", "score", "text",
    ]  # fmt: skip


def test_every_statement_reads_back_whole(written: str) -> None:
    rows = list(csv.DictReader(io.StringIO(written, newline="")))
    assert [r["text"] for r in rows] == TEXTS
    both = 'Samarbejde, "tværfagligt"'
    assert [r["theme_label"] for r in rows] == ["Krydspres; frister"] * 2 + [both, "", both]
    assert [(r["statement_id"], r["speaker"], r["start"], r["theme_id"]) for r in rows][:2] == [
        ("doc01:0:0", "", "0", "1"),
        ("doc01:1:0", "Anne", "10", "1"),
    ]


@pytest.mark.parametrize(
    "text", ["Det er svært; vi når det ikke.", "Første linje\nanden linje\r\ntredje linje"]
)
def test_text_with_semicolons_or_line_breaks_is_quoted(written: str, text: str) -> None:
    """Quoted, so a spreadsheet that splits on semicolons, or reads line by line, keeps it one cell."""
    assert f'"{text}"' in written
