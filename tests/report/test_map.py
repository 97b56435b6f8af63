"""The report's map: themes as labelled circles sized by their statements, apart and inside the picture."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from thememine.report import build_report
from thememine.report.map import HEIGHT, R_MAX, R_MIN, WIDTH, ThemeMap, layout, short_label
from thememine.runfolder import load_run
from thememine.themes.model import UNASSIGNED

Drawn = tuple[ThemeMap, list[int]]


def crowded(n_themes: int = 20, seed: int = 3) -> tuple[np.ndarray, list[int]]:
    """Statements of many themes whose centroids lie close together (the one-blob case)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_themes, 24)) * 0.3 + rng.normal(size=24) * 3
    sizes = [5 + 7 * i for i in range(n_themes)]
    rows, assignment = [], []
    for theme, (centre, size) in enumerate(zip(centres, sizes, strict=True)):
        rows += [centre + rng.normal(size=24) for _ in range(size)]
        assignment += [theme + 1] * size
    rows += [rng.normal(size=24) * 3 for _ in range(15)]
    assignment += [UNASSIGNED] * 15
    return np.asarray(rows, dtype=np.float32), assignment


@pytest.fixture(scope="module")
def drawn() -> Drawn:
    vectors, assignment = crowded()
    return layout(vectors, assignment, {t: f"Tema nummer {t} om noget" for t in set(assignment)}), assignment


def test_one_circle_per_theme_sized_by_its_statements(drawn: Drawn) -> None:
    themes, assignment = drawn
    assert sorted(b.theme_id for b in themes.bubbles) == list(range(1, 21))
    by_size = sorted(themes.bubbles, key=lambda b: b.size)
    assert [b.size for b in by_size] == sorted(assignment.count(t) for t in range(1, 21))
    assert [b.r for b in by_size] == sorted(b.r for b in by_size)
    assert by_size[-1].r == pytest.approx(R_MAX) and by_size[0].r >= R_MIN
    # area, not radius, follows the number of statements
    assert (by_size[-1].r / by_size[0].r) ** 2 < by_size[-1].size / by_size[0].size * 1.01


def test_circles_do_not_cover_each_other_and_stay_inside(drawn: Drawn) -> None:
    bubbles = drawn[0].bubbles
    for i, a in enumerate(bubbles):
        assert a.r <= a.x <= WIDTH - a.r and a.r <= a.y <= HEIGHT - a.r
        for b in bubbles[i + 1 :]:
            assert np.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r - 1.0


def test_every_label_names_its_theme_and_none_is_long(drawn: Drawn) -> None:
    for bubble in drawn[0].bubbles:
        assert bubble.label == f"{bubble.theme_id}: Tema nummer {bubble.theme_id} om noget"
        assert bubble.anchor in ("start", "end", "middle")
    assert short_label("Et meget langt navn på et tema, som ingen kan læse på et kort") == (
        "Et meget langt navn på et tema,…"
    )


def test_the_same_run_gives_the_same_map() -> None:
    vectors, assignment = crowded()
    labels = {t: str(t) for t in set(assignment)}
    assert layout(vectors, assignment, labels) == layout(vectors.copy(), list(assignment), labels)


def test_few_themes_and_one_statement_are_drawn() -> None:
    vectors, assignment = crowded(n_themes=2)
    assert len(layout(vectors, assignment, {}).bubbles) == 2
    one = layout(np.ones((1, 8), dtype=np.float32), [1], {1: "Alene"})
    assert [(b.theme_id, b.size) for b in one.bubbles] == [(1, 1)]
    assert layout(np.ones((3, 8), dtype=np.float32), [UNASSIGNED] * 3, {}).bubbles == []


def test_the_report_draws_labelled_themes(full_run: Path, tmp_path: Path) -> None:
    html = build_report(full_run, tmp_path / "report.html").read_text(encoding="utf-8")
    svg = html[html.index('<svg class="map"') : html.index("</svg>")]
    run = load_run(full_run)
    assert len(re.findall(r'<circle class="theme"', svg)) == len(run.themes)
    for theme in run.themes.values():
        assert f'data-theme="{theme.id}">{theme.id}: ' in svg  # its label
    assert "<script" not in svg and "href" not in svg and "http" not in svg.replace("http://www.w3.org", "")
