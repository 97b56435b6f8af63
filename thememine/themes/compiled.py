"""pynndescent's compiled code kept on disk between runs.

pynndescent, which finds the nearest neighbours of more than 20,000 statements, compiles its
functions with numba the first time it runs, in every new process: about 20-50 s. numba can keep compiled code on disk, but these libraries ask it to for
few of their functions. :func:`keep_compiled_code` asks for all of them, in ``numba/`` in
thememine's cache folder (beside the embedding cache). The folder holds machine code only, no text;
deleting it costs one compilation. numba checks each entry against its library's source file, so an
upgraded pynndescent compiles afresh.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from thememine.io import default_cache_dir

log = logging.getLogger(__name__)

LIBRARIES = ("pynndescent",)


def keep_compiled_code(folder: Path | None = None) -> int:
    """Turn on numba's disk cache for every numba function of pynndescent loaded so far.

    Returns how many functions it turned it on for (0 if the folder cannot be made: then numba
    compiles in memory, as it would anyway). Call it after importing ``pynndescent``, before its search.
    """
    import numba
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    folder = folder if folder is not None else default_cache_dir() / "numba"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.info("numba's compiled code is not kept: %s", error)
        return 0
    numba.config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]
    turned_on = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.partition(".")[0] not in LIBRARIES:
            continue
        for function in list(vars(module).values()):
            if isinstance(function, CPUDispatcher) and isinstance(function._cache, NullCache):  # type: ignore[attr-defined]
                try:
                    function.enable_caching()
                except Exception as error:  # one numba cannot cache compiles in memory, as before
                    log.debug("numba cannot cache %s.%s: %s", name, function.py_func.__name__, error)
                else:
                    turned_on += 1
    return turned_on
