"""Danish language data in plain files, each with its source in its header."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def read_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a data file shipped in this package."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def spacy_stop_words() -> frozenset[str]:
    """spaCy's Danish stop words, as shipped in ``spacy_stop_words_da.txt`` (see ``SOURCES.md``)."""
    return frozenset(read_lines("spacy_stop_words_da.txt"))
