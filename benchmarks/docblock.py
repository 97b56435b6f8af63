"""Benchmark figures written into a page of ``docs/`` without touching what people wrote there.

A benchmark's output goes between ``<!-- NAME: start -->`` and ``<!-- NAME: end -->``; a rerun
replaces only that block, so the analysis written around it stays.
"""

from __future__ import annotations

from pathlib import Path


def write_block(path: Path, name: str, text: str) -> None:
    """Put ``text`` between the ``name`` markers in ``path``, keeping the rest of the page.

    A page without the markers gets the block at its end (a new page: the block alone).
    """
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end) :]
    else:
        new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
