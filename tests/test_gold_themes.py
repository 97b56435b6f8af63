"""The gold theme labels of the sample corpus match what ``thememine ingest`` gives, row for row."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from thememine.ingest import Statement
from thememine.ingest.store import load_statements
from thememine.pipeline import ingest
from thememine.themes.codebook import shipped_codebook

from .conftest import ROOT, SAMPLE, gold_module, load_gold

GOLD_DIR = ROOT / "corpora" / "sample_gold"  # outside corpora/sample, so ingest does not see it
GOLD_CSV = GOLD_DIR / "gold_themes.csv"


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> list[Statement]:
    out = tmp_path_factory.mktemp("gold") / "run"
    ingest([SAMPLE], out)
    return load_statements(out)


@pytest.fixture(scope="module")
def gold() -> dict[tuple[str, int, int], str]:
    return load_gold(GOLD_CSV)


def test_every_gold_row_is_a_statement(
    statements: list[Statement], gold: dict[tuple[str, int, int], str]
) -> None:
    keys = {(s.doc_id, s.start, s.end): s for s in statements}
    unknown = [key for key in gold if key not in keys]
    assert not unknown, unknown[:5]
    assert not [key for key in gold if keys[key].filler], "filler-only statements have no gold theme"


def test_every_statement_has_a_gold_row(
    statements: list[Statement], gold: dict[tuple[str, int, int], str]
) -> None:
    missing = [s.id for s in statements if not s.filler and (s.doc_id, s.start, s.end) not in gold]
    assert not missing, missing[:5]


def test_themes_notes_and_codes_are_allowed(gold: dict[tuple[str, int, int], str]) -> None:
    ids = set(shipped_codebook().ids)
    assert set(gold.values()) <= ids | {"other"}
    assert set(gold.values()) == ids | {"other"}, "every theme has at least one statement"
    with GOLD_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            assert row["code"] == ("" if row["theme"] == "other" else row["theme"])
            if row["note"]:
                prefix, _, rest = row["note"].partition(": ")
                assert prefix == "også" and set(rest.split(", ")) <= ids - {row["theme"]}, row


def test_counts_are_those_in_gold_md(gold: dict[tuple[str, int, int], str]) -> None:
    table = (GOLD_DIR / "GOLD.md").read_text(encoding="utf-8")
    for theme, count in Counter(gold.values()).items():
        assert f"| `{theme}` | {count} |" in table, theme
    assert gold_module().markdown_table(gold) in table
