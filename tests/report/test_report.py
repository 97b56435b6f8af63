"""The HTML report: its sections, that it fetches nothing, and that every text is escaped."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from tests.report.conftest import DANGEROUS
from thememine.cli import app
from thememine.errors import InputError
from thememine.report import build_report, load_report_input, pca_2d, render_report
from thememine.report.build import SECTIONS
from thememine.runfolder import REPORT_FILE, load_run

SECTION_IDS = [key for key, _, _ in SECTIONS]


@pytest.fixture(scope="module")
def full_html(full_run: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    build_report(full_run, out)
    return out.read_text(encoding="utf-8")


def test_every_section_is_there(full_html: str) -> None:
    for key in SECTION_IDS:
        assert f'<h2 id="{key}">' in full_html
    assert full_html.startswith("<!DOCTYPE html>")
    assert '<html lang="da">' in full_html
    assert full_html.count("<svg") == 1 and full_html.count("<circle") > 10


def test_settings_and_versions(full_run: Path, full_html: str) -> None:
    settings = load_run(full_run).settings
    for value in (settings["embedder"], str(settings["seed"]), settings["method"], "0.1.0"):
        assert f"<td>{value}</td>" in full_html


def test_themes_are_shown(full_run: Path, full_html: str) -> None:
    run = load_run(full_run)
    assert run.themes, "the fixture should give themes"
    for theme in run.themes.values():
        assert f'id="tema-{theme.id}"' in full_html
        for word in theme.keywords:
            assert word in full_html
        for quote in theme.quotes:
            assert f"{quote.speaker} · {quote.doc_id}" in full_html


def test_pseudonymisation_counts_only(full_run: Path, full_html: str) -> None:
    audit = json.loads((full_run / "audit.json").read_text(encoding="utf-8"))
    assert audit["leaks"] == 0
    assert "ingen lækager" in full_html
    for label in audit["replacements"]:
        assert f'<th class="num">{label}</th>' in full_html
    assert "review.csv" not in full_html  # the review file's content never enters the report


def test_documents_per_interview(full_run: Path, full_html: str) -> None:
    corpus = json.loads((full_run / "corpus.json").read_text(encoding="utf-8"))
    section = full_html.split('<h2 id="interviews">')[1].split("<h2")[0]
    for document in corpus["documents"]:
        assert document["id"] in section
    assert section.count('<div class="stack">') == len(corpus["documents"])


def test_nothing_is_fetched(full_html: str) -> None:
    assert "http://" not in full_html and "https://" not in full_html
    assert not re.search(r"<script[^>]*\bsrc=", full_html)
    assert not re.search(r"<link\b", full_html)
    assert not re.search(r"\b(?:src|href)=\"(?!#)", full_html), "only in-page links"
    assert "@import" not in full_html and "url(" not in full_html
    assert "default-src 'none'" in html.unescape(full_html)  # the browser enforces it


def test_text_is_escaped(full_html: str) -> None:
    assert full_html.count("<script") == 1  # the report's own
    assert 'alert("x")' not in full_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;mere&quot;" in full_html
    assert DANGEROUS not in full_html


def test_ingest_only_run(ingest_run: Path, tmp_path: Path) -> None:
    out = build_report(ingest_run, tmp_path / "r.html")
    html = out.read_text(encoding="utf-8")
    assert "Ikke pseudonymiseret" in html  # the warning banner: quotes may hold personal data
    assert "Ingen temaer" in html
    assert '<h2 id="dokumenter">' in html and "jobcenter__interview1" in html
    assert "<svg" not in html


def test_default_output_is_in_the_run_folder(full_run: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(full_run, copy)
    assert build_report(copy) == copy / REPORT_FILE
    assert (copy / REPORT_FILE).is_file()


def test_deterministic(full_run: Path) -> None:
    data = load_report_input(full_run)
    assert render_report(data) == render_report(load_report_input(full_run))


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="holds no run"):
        load_report_input(tmp_path)


@pytest.mark.parametrize(
    ("rows", "expected_shape"),
    [([], (0, 2)), ([[1.0, 2.0, 3.0]], (1, 2)), ([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]], (3, 2))],
)
def test_pca_shapes(rows: list[list[float]], expected_shape: tuple[int, int]) -> None:
    points = pca_2d(np.array(rows, dtype=np.float32).reshape(len(rows), -1) if rows else np.zeros((0, 3)))
    assert points.shape == expected_shape
    assert np.all(np.abs(points) <= 1.0 + 1e-9)


def test_pca_is_deterministic_and_sign_stable() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 8)) * np.array([5, 3, 1, 1, 1, 1, 1, 1])
    first = pca_2d(x)
    assert np.array_equal(first, pca_2d(x.copy()))
    assert np.allclose(first.min(axis=0), -1) and np.allclose(first.max(axis=0), 1)
    # the main spread is along the first axis of the input
    assert abs(np.corrcoef(first[:, 0], x[:, 0])[0, 1]) > 0.9


def test_pca_of_identical_rows_is_zero() -> None:
    assert np.array_equal(pca_2d(np.ones((4, 3))), np.zeros((4, 2)))


def report(*args: str) -> Result:
    """``thememine report`` through the whole command line, as a researcher runs it."""
    return CliRunner().invoke(app, ["report", *args])


def test_cli_writes_the_report(full_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "rapport.html"
    result = report(str(full_run), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.is_file() and "Report written" in result.stdout


def test_cli_fails_plainly(tmp_path: Path) -> None:
    result = report(str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert "is not a folder" in result.stderr


def test_the_interviewers_statements_are_not_counted_as_without_a_theme(
    full_run: Path, full_html: str
) -> None:
    """The fit leaves the interviewer out: "no theme" counts only statements that could have one,
    and the content count is the fit's own."""
    from thememine.themes.model import INTERVIEWER, UNASSIGNED

    run = load_run(full_run)
    asked = [u for u in run.units if u.role == INTERVIEWER and not u.filler]
    assert asked  # the fixture's interviews have questions
    assert f"({run.settings['with_content']} med indhold" in full_html
    groups = full_html.split('id="grupper"')[1].split("</table>")[0]
    rows = {
        re.sub(r"<[^>]+>", "", m.group(1)).strip(): int(m.group(2))
        for m in re.finditer(r"<tr><td>(.*?)</td>.*?<td class=\"num\">(\d+)</td></tr>", groups)
    }
    assert rows["interviewer, ikke i temaer (interviewer, not in themes)"] == len(asked)
    unassigned = sum(
        1
        for t, u in zip(run.assignment, run.units, strict=True)
        if t == UNASSIGNED and not u.filler and u.role != INTERVIEWER
    )
    assert rows.get("uden tema (no theme)", 0) == unassigned


def test_the_map_says_how_many_statements_lie_outside_its_frame(full_run: Path, full_html: str) -> None:
    # the frame is set by the themes' centres: a dot outside it is not "far from every theme"
    run = load_run(full_run)
    drawn = full_html.count('<circle class="dot')
    shown = sum(1 for u in run.units if not u.filler)
    outside = re.search(r"(\d+) of (\d+) statements lie outside the frame", full_html)
    assert "far from every theme" not in full_html
    if outside is None:
        assert drawn == shown
    else:
        assert int(outside[1]) + drawn == int(outside[2]) == shown
