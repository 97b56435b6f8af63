from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from tests.runs import make_run
from thememine.themes.model import ThemeRun
from thememine.themes.store import save_run

# A hub lookup must fail at once in tests, never wait for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"


def gold_module() -> ModuleType:
    """``benchmarks/gold.py``, the gold loader the benchmarks use, so that the tests check the gold
    files as they are measured (benchmarks/ is no package)."""
    spec = importlib.util.spec_from_file_location("gold", ROOT / "benchmarks" / "gold.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_gold(path: Path) -> dict[tuple[str, int, int], str]:
    """A gold file (``gold_themes.csv``) as :func:`gold_module` reads it."""
    loaded: dict[tuple[str, int, int], str] = gold_module().load_gold(path)
    return loaded


@pytest.fixture(autouse=True)
def _embedding_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write into the user's embedding cache."""
    monkeypatch.setenv("THEMEMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "embedding-cache"))


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE


def make_docx(path: Path, paragraphs: list[tuple[str, str]], table: list[list[str]] | None = None) -> Path:
    """A Word file: each paragraph is (bold prefix, plain rest); an optional table after them."""
    import docx

    document = docx.Document()
    for bold, plain in paragraphs:
        paragraph = document.add_paragraph()
        if bold:
            paragraph.add_run(bold).bold = True
        if plain:
            paragraph.add_run(plain)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def fitted() -> ThemeRun:
    """A real fit of tests.runs.GROUPS: one theme per group."""
    return make_run()


@pytest.fixture
def run_dir(tmp_path: Path, fitted: ThemeRun) -> Path:
    """A run folder written from :func:`fitted`."""
    folder = tmp_path / "run"
    save_run(fitted, folder)
    return folder
