"""The steps of a thememine run as ordinary, importable functions; the CLI only calls these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from thememine.ingest import Corpus, SplitOptions, read_corpus, split_corpus
from thememine.ingest.store import OWNED, IngestSummary, write_ingest
from thememine.io import check_output_dir


@dataclass(frozen=True)
class IngestResult:
    corpus: Corpus
    summary: IngestSummary | None


def ingest(
    inputs: Sequence[Path],
    out: Path,
    options: SplitOptions | None = None,
    force: bool = False,
    on_file: Callable[[int, int, str], None] | None = None,
) -> IngestResult:
    """Read a corpus, split it into statements and write them to ``out``.

    Nothing is written when no file could be read. Unreadable files are listed in
    ``result.corpus.skipped``; the caller decides how loudly to say so.
    """
    options = options or SplitOptions()
    check_output_dir(out, inputs, OWNED, force)
    corpus = read_corpus(inputs, on_file=on_file)
    if not corpus.documents:
        return IngestResult(corpus, None)
    statements = split_corpus(corpus.documents, options)
    return IngestResult(corpus, write_ingest(out, corpus, statements, inputs, options))
