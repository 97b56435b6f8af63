"""pynndescent's numba code is kept on disk, so a second run does not compile it again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from thememine.themes.compiled import keep_compiled_code

SEARCH = """
import numpy as np
from thememine.themes import fit

fit.EXACT_NEIGHBOURS = 50  # so that 300 statements take NN-descent's path, as above 20,000 do
rng = np.random.default_rng(0)
vectors = rng.normal(size=(300, 16)).astype(np.float32)
found, _ = fit.neighbours(vectors, 8, 42)
print("neighbours", found.shape, int((found[:, 0] == np.arange(300)).sum()))
"""


def _search(cache: Path) -> str:
    env = {**os.environ, "THEMEMINE_CACHE_DIR": str(cache), "NUMBA_DEBUG_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", SEARCH], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _pynndescent_lines(output: str, what: str) -> list[str]:
    return [line for line in output.splitlines() if what in line and "pynndescent" in line]


@pytest.mark.slow
def test_a_second_search_loads_the_compiled_code_instead_of_compiling_it(tmp_path: Path) -> None:
    first, second = _search(tmp_path), _search(tmp_path)
    assert "neighbours (300, 8)" in first and "neighbours (300, 8)" in second
    saved_first, saved_second = (
        _pynndescent_lines(first, "data saved"),
        _pynndescent_lines(second, "data saved"),
    )
    loaded_second = _pynndescent_lines(second, "data loaded")
    # a few functions numba cannot keep (dynamic globals) are compiled again in every process
    assert len(saved_second) < len(saved_first) / 2
    assert len(loaded_second) > 4 * len(saved_second)
    assert any((tmp_path / "numba").rglob("*.nbi"))


def test_every_numba_function_of_pynndescent_is_cached(tmp_path: Path) -> None:
    import pynndescent.pynndescent_
    import pynndescent.utils
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    keep_compiled_code(tmp_path / "numba")
    functions = [
        f
        for m in (pynndescent.pynndescent_, pynndescent.utils)
        for f in vars(m).values()
        if isinstance(f, CPUDispatcher)
    ]
    assert functions
    assert not any(isinstance(f._cache, NullCache) for f in functions)
    assert keep_compiled_code(tmp_path / "numba") == 0  # nothing left to turn on


def test_without_a_usable_folder_nothing_is_cached_and_nothing_fails(tmp_path: Path) -> None:
    import pynndescent  # noqa: F401

    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    assert keep_compiled_code(tmp_path / "file" / "numba") == 0
