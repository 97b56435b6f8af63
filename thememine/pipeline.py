"""The steps of a thememine run as ordinary, importable functions; the CLI only calls these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thememine.errors import OutputError
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


@dataclass(frozen=True)
class PseudonymiseResult:
    corpus: Corpus
    audit: dict[str, Any] | None
    review: tuple[Path, Path] | None
    leaks: int


def pseudonymise(
    inputs: Sequence[Path],
    out: Path,
    key: Path,
    passphrase: str,
    style: str | None = None,
    tagger_spec: str = "none",
    options: SplitOptions | None = None,
    force: bool = False,
    review_dir: Path | None = None,
    on_file: Callable[[int, int, str], None] | None = None,
    config: Path | None = None,
    review_decisions: Path | None = None,
) -> PseudonymiseResult:
    """Read a corpus, pseudonymise it corpus-wide and write the shareable result to ``out``.

    The key (``key``, encrypted with ``passphrase``) and the review files (beside the key unless
    ``review_dir`` is given) are written outside ``out``. An existing key is extended.
    """
    from thememine.pseudonymise import Detector
    from thememine.pseudonymise.config import PseudonymiseConfig, load_config, load_review_decisions
    from thememine.pseudonymise.corpus import pseudonymise_corpus
    from thememine.pseudonymise.keyfile import read_key, write_key
    from thememine.pseudonymise.ner import load_tagger
    from thememine.pseudonymise.output import OWNED as PSEUDO_OWNED
    from thememine.pseudonymise.output import review_rows, write_output, write_review
    from thememine.pseudonymise.surrogates import SurrogateMap

    options = options or SplitOptions()
    check_output_dir(out, inputs, PSEUDO_OWNED, force)
    review_dir = review_dir or key.parent
    for place, what in ((key, "key file"), (review_dir, "review folder")):
        if place.resolve().is_relative_to(out.resolve()):
            raise OutputError(
                f"The {what} {place} lies inside the output folder {out}. Keep the key and the review "
                "(which hold the original personal data) apart from the output you share."
            )
        for source in inputs:
            if source.is_dir() and place.resolve().is_relative_to(source.resolve()):
                raise OutputError(
                    f"The {what} {place} lies inside the input folder {source}; choose another place."
                )
    payload = read_key(key, passphrase) if key.exists() else None
    mapping = (
        SurrogateMap.from_payload(payload["mapping"], style)  # type: ignore[arg-type]
        if payload
        else SurrogateMap(style or "tags")  # type: ignore[arg-type]
    )
    settings_config = load_config(config) if config else PseudonymiseConfig()
    if review_decisions:
        settings_config.merge(load_review_decisions(review_decisions))
    for group in settings_config.participants:
        mapping.add_participant(group)
    detector = Detector(tagger=load_tagger(tagger_spec), config=settings_config)
    corpus = read_corpus(inputs, on_file=on_file)
    if not corpus.documents:
        return PseudonymiseResult(corpus, None, None, 0)
    statements = split_corpus(corpus.documents, options)
    result = pseudonymise_corpus(corpus.documents, statements, detector, mapping)
    settings = {
        "style": mapping.style,
        "ner": tagger_spec,
        "thresholds": detector.thresholds,
        "config": str(config) if config else None,
        "review_decisions": str(review_decisions) if review_decisions else None,
    }
    report = write_output(out, result, settings)
    sources = dict(payload.get("documents", {})) if payload else {}
    sources.update({doc_id: original.path for doc_id, original in result.originals.items()})
    write_key(key, {"mapping": mapping.to_payload(), "documents": sources}, passphrase, forbidden=[out])
    review = write_review(review_dir, review_rows(result))
    return PseudonymiseResult(corpus, report, review, len(result.leaks))
