"""UMAP's numba code is kept on disk, so a second run does not compile it again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from thememine.themes.compiled import keep_compiled_code

FIT = """
import numpy as np
from thememine.themes.fit import cluster

rng = np.random.default_rng(0)
centres = rng.normal(size=(3, 32))
vectors = (centres[np.arange(90) % 3] + rng.normal(size=(90, 32)) * 0.3).astype(np.float32)
labels, _ = cluster([f"borger sagsbehandler emne{i % 3} ord{i}" for i in range(90)], vectors)
print("themes", len(set(labels) - {-1}))
"""


def _fit(cache: Path) -> str:
    env = {**os.environ, "THEMEMINE_CACHE_DIR": str(cache), "NUMBA_DEBUG_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", FIT], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _umap_lines(output: str, what: str) -> list[str]:
    return [line for line in output.splitlines() if what in line and "umap_" in line.replace("/", "_")]


@pytest.mark.slow
def test_a_second_run_loads_umaps_compiled_code_instead_of_compiling_it(tmp_path: Path) -> None:
    first, second = _fit(tmp_path), _fit(tmp_path)
    assert "themes 3" in first and "themes 3" in second
    assert any("layouts" in line for line in _umap_lines(first, "data saved"))
    assert any("layouts" in line for line in _umap_lines(second, "data loaded"))
    assert _umap_lines(second, "data saved") == []
    assert any((tmp_path / "numba").rglob("*.nbi"))


def test_every_numba_function_of_umap_is_cached(tmp_path: Path) -> None:
    import umap.layouts
    import umap.umap_
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    keep_compiled_code(tmp_path / "numba")
    functions = [
        f for m in (umap.layouts, umap.umap_) for f in vars(m).values() if isinstance(f, CPUDispatcher)
    ]
    assert umap.layouts._nb_optimize_layout_euclidean_single_epoch in functions
    assert not any(isinstance(f._cache, NullCache) for f in functions)
    assert keep_compiled_code(tmp_path / "numba") == 0  # nothing left to turn on


def test_without_a_usable_folder_nothing_is_cached_and_nothing_fails(tmp_path: Path) -> None:
    import umap  # noqa: F401

    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    assert keep_compiled_code(tmp_path / "file" / "numba") == 0
