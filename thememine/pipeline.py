"""The steps of a thememine run as ordinary, importable functions; the CLI only calls these."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thememine.embed.base import Embedder, normalise_rows
from thememine.embed.cache import EmbeddingCache
from thememine.embed.texts import Embedded
from thememine.errors import InputError, OutputError
from thememine.ingest import Corpus, SplitOptions, read_corpus, split_corpus
from thememine.ingest.store import IngestSummary, write_ingest
from thememine.io import check_output_dir
from thememine.runfolder import (
    CODES_FILE,
    INGEST_FILES,
    PSEUDONYMISED_FILES,
    AuditRecord,
    Step,
    has_themes,
    load_run,
    step,
)
from thememine.themes.codebook import load_codebook, shipped_codebook, shipped_codebooks
from thememine.themes.coding import DEFAULT_THRESHOLD, CodeModel, CodeTexts
from thememine.themes.model import Codebook, Matrix, ThemeRun, Unit
from thememine.themes.neutral import embedding_text, keyword_text

if TYPE_CHECKING:
    from thememine.pseudonymise.leaks import FolderCheck
    from thememine.pseudonymise.surrogates import SurrogateMap


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
    check_output_dir(out, inputs, INGEST_FILES, force)
    corpus = read_corpus(inputs, on_file=on_file)
    if not corpus.documents:
        return IngestResult(corpus, None)
    statements = split_corpus(corpus.documents, options)
    return IngestResult(corpus, write_ingest(out, corpus, statements, inputs, options))


@dataclass(frozen=True)
class PseudonymiseResult:
    corpus: Corpus
    audit: AuditRecord | None
    review: tuple[Path, Path] | None
    leaks: int  # found by the leak check over the whole output folder
    mapping: SurrogateMap | None = None  # the key's mapping, to check the folder again after later steps
    names: tuple[str, ...] = ()  # the input's file and folder names (see leaks.input_names)
    check: FolderCheck | None = None


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
    ``review_dir`` is given) are written outside ``out``. An existing key is extended. The key is
    locked from before it is read until the output is committed (a second run on it waits, or
    stops), and it is written, and synced to disk, before the output: pseudonymised output never
    exists without the key that reverses it.
    """
    from thememine.pseudonymise import Detector
    from thememine.pseudonymise.config import PseudonymiseConfig, load_config, load_review_decisions
    from thememine.pseudonymise.corpus import pseudonymise_corpus
    from thememine.pseudonymise.keyfile import key_lock, read_key, write_key
    from thememine.pseudonymise.load import load_tagger
    from thememine.pseudonymise.output import review_rows, write_output, write_review
    from thememine.pseudonymise.surrogates import SurrogateMap

    options = options or SplitOptions()
    check_output_dir(out, inputs, PSEUDONYMISED_FILES, force)
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
    with key_lock(key):  # stops here, before any output, when the key's folder cannot be written
        _check_writable(review_dir, "review folder")
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
        # a file the key already knows keeps its id (by path, else by content): decisions stay valid
        result = pseudonymise_corpus(
            corpus.documents,
            statements,
            detector,
            mapping,
            on_document=on_file,
            known_ids=_id_sources(payload),
        )
        settings = {
            "style": mapping.style,
            "ner": tagger_spec,
            "thresholds": detector.thresholds,
            "config": str(config) if config else None,
            "review_decisions": str(review_decisions) if review_decisions else None,
        }
        sources = dict(payload.get("documents", {})) if payload else {}
        sources.update({doc_id: original.path for doc_id, original in result.originals.items()})
        hashes = dict(payload.get("document_hashes", {})) if payload else {}
        hashes.update({doc_id: original.sha256 for doc_id, original in result.originals.items()})
        write_key(
            key,
            {"mapping": mapping.to_payload(), "documents": sources, "document_hashes": hashes},
            passphrase,
            forbidden=[out],
        )
        with step(out) as writing:
            write_output(writing, result, settings, skipped=len(corpus.skipped))
        review = write_review(review_dir, review_rows(result), out)
    from thememine.pseudonymise.leaks import check_folder, input_names
    from thememine.pseudonymise.output import record_leak_check

    names = tuple(input_names(inputs, sources.values()))
    check = check_folder(out, mapping, names)  # everything shareable: contents and file names
    report = record_leak_check(out, check)
    return PseudonymiseResult(corpus, report, review, len(check.leaks), mapping, names, check)


def _check_writable(folder: Path, what: str) -> None:
    """Stop before any work when ``folder`` cannot be written (rather than after the output is)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(
            f"Cannot create the {what} {folder} ({err.strerror}). Choose another place."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write in the {what} {folder}. Choose a folder you may write in.")


def _id_sources(payload: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(document id, source) pairs the key knows: each file's path, then its content hash."""
    if not payload:
        return []
    pairs = list(payload.get("documents", {}).items())
    pairs += [(doc_id, f"sha256:{sha}") for doc_id, sha in payload.get("document_hashes", {}).items()]
    return pairs


@dataclass
class ThemesResult:
    run: ThemeRun
    embedded: Embedded
    messages: list[str]
    codebook: Codebook | None
    out: Path


def find_codebook(spec: str | Path) -> Codebook:
    """A codebook file, or one shipped with thememine by name (``samarbejde_da``)."""
    path = Path(spec)
    if path.exists() or path.suffix:
        return load_codebook(path)
    if str(spec) in shipped_codebooks():
        return shipped_codebook(str(spec))
    raise InputError(
        spec,
        "is neither a codebook file nor a shipped codebook",
        f"Shipped: {', '.join(shipped_codebooks())}.",
    )


def themes(
    units: Sequence[Unit],
    out: Path,
    embedder_spec: str = "e5",
    seed: int = 42,
    codebook: str | Path | None = None,
    update: bool = False,
    force: bool = False,
    cache_dir: Path | None = None,
    progress: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    include_interviewer: bool = False,
) -> ThemesResult:
    """Embed statements, fit candidate themes (and code them with a codebook) into ``out``.

    The interviewer's statements are embedded (they are context) but form no theme and are not
    coded unless ``include_interviewer``.

    A folder that holds a theme run is replaced only with ``force`` (the researcher's decisions
    would be lost) or updated with ``update``, which carries the decisions over.
    """
    from thememine.embed import embed_texts, load_embedder
    from thememine.themes import history
    from thememine.themes.decisions import save_codes
    from thememine.themes.fitting import fit_run
    from thememine.themes.store import stage_run

    if not units:
        raise InputError(out, "there are no statements to fit themes on", "Check the input.")
    has_run = has_themes(out)
    if has_run and not (update or force):
        raise OutputError(
            f"{out} already holds themes (and maybe your decisions). Use --update to fit again and carry "
            "your decisions over, or --force to start afresh."
        )
    if update and not has_run:
        raise OutputError(f"--update needs an earlier theme run in {out}; there is none.")
    embedder = load_embedder(embedder_spec)
    cache = EmbeddingCache(cache_dir)
    embedded = embed_texts([embedding_text(u) for u in units], embedder, cache, progress=progress)
    book = find_codebook(codebook) if codebook is not None else None
    texts = _code_texts(book, embedder, cache, out if update else None) if book is not None else None
    vectors = texts.vectors() if texts is not None else None
    names = [c.name for c in book.codes] if book else []
    settings: dict[str, Any] = {
        "embedder": embedder.id,
        "embedder_version": embedder.version,
        "codebook": book.name if book else None,
        "code_names": names,
    }
    model = guide = None
    if texts is not None:  # calibrated once, before the themes are named: a code names a theme it codes
        from thememine.themes import coding

        unit_vectors, rows = normalise_rows(embedded.vectors), _fitted_rows(units, include_interviewer)
        # The fit's guide and the theme names read the embeddings alone, with a calibration fitted
        # on them, which the run keeps: with the code vectors it remakes the same guide when a
        # theme changes (coding.run_guide). codes.csv adds the words (coding.LEXICAL_WEIGHT).
        model = coding.code_model(texts, unit_vectors, rows)
        settings.update(_calibration_settings(model, names, threshold))
        # what the fit clusters beside each embedding (fit.guided)
        guide = coding.guide(units, unit_vectors, model, rows)
    run = fit_run(units, embedded.vectors, seed, vectors, names, include_interviewer, settings, guide)
    messages: list[str] = []
    # one step: every file of the fit changes together, and no decision slips in between the
    # carrying over of the earlier decisions and the save
    with step(out) as writing:
        if update:
            from thememine.themes.update import update_run

            run, messages = update_run(out, run, vectors, names)
        if vectors is not None:
            save_codes(writing, names, vectors)
        entry = {"action": "update" if update else "fit", "themes": len(run.themes), "seed": seed}
        stage_run(writing, run, [entry])
        history.forget(writing)  # a decision made before this fit cannot be undone into it
        if book is not None and texts is not None:
            _write_codes(writing, run.units, run.embeddings, texts, book, threshold, include_interviewer)
    return ThemesResult(run, embedded, messages, book, out)


def code_statements(
    units: Sequence[Unit],
    out: Path,
    codebook: str | Path,
    embedder_spec: str = "e5",
    threshold: float = DEFAULT_THRESHOLD,
    cache_dir: Path | None = None,
    progress: bool = True,
    include_interviewer: bool = False,
) -> tuple[Embedded, Codebook, int]:
    """Zero-shot coding only: ``codes.csv`` in ``out``; returns how many statements passed the threshold.

    The interviewer's statements are not coded unless ``include_interviewer``.
    """
    from thememine.embed import embed_texts, load_embedder

    embedder = load_embedder(embedder_spec)
    cache = EmbeddingCache(cache_dir)
    book = find_codebook(codebook)
    embedded = embed_texts([embedding_text(u) for u in units], embedder, cache, progress=progress)
    texts = _code_texts(book, embedder, cache, out)
    with step(out) as writing:
        coded = _write_codes(writing, units, embedded.vectors, texts, book, threshold, include_interviewer)
    return embedded, book, coded


def _code_texts(
    book: Codebook, embedder: Embedder, cache: EmbeddingCache, previous: Path | None = None
) -> CodeTexts:
    """The codebook's texts embedded (and cached) like the statements; with ``previous``, a folder
    holding a theme run, the statements the researcher put in themes named after a code join its
    examples (:func:`~thememine.themes.coding.examples_from_run`)."""
    from thememine.embed import embed_texts
    from thememine.themes.coding import embed_codebook, examples_from_run

    texts = embed_codebook(book, lambda texts: embed_texts(texts, embedder, cache, progress=False).vectors)
    if previous is None or not has_themes(previous):
        return texts
    run = load_run(previous)
    if run.settings.get("embedder") != embedder.id:
        return texts  # vectors of another model cannot be mixed in
    found = examples_from_run(run, book)
    return texts.with_examples(
        {code: run.embeddings[rows] for code, rows in found.items()},
        {code: [keyword_text(run.units[row]) for row in rows] for code, rows in found.items()},
    )


def _fitted_rows(units: Sequence[Unit], include_interviewer: bool) -> list[int]:
    """The statements a fit takes in, over which the codebook's spread is measured."""
    from thememine.themes.coding import content_rows
    from thememine.themes.fit import content_mask

    return content_rows(units, content_mask(units, include_interviewer))


def _code_model(
    units: Sequence[Unit], embeddings: Matrix, texts: CodeTexts, include_interviewer: bool
) -> CodeModel:
    """The codebook's model for this corpus: code vectors, their spread over the statements a fit
    takes in, and the calibration fitted on the codebook's examples."""
    from thememine.themes.coding import code_model

    return code_model(
        texts,
        embeddings,
        _fitted_rows(units, include_interviewer),
        statements=[keyword_text(u) for u in units],
    )


def _calibration_settings(model: CodeModel, names: Sequence[str], threshold: float) -> dict[str, Any]:
    """What a run keeps of the fit's coding model (the embeddings alone, as its guide and theme
    names read them): the calibration and each code's cosine threshold."""
    return {
        "code_calibration": model.calibration.to_dict(),
        "code_threshold": threshold,
        "code_thresholds": dict(zip(names, model.thresholds(threshold), strict=False)),
    }


def _write_codes(
    writing: Step,
    units: Sequence[Unit],
    embeddings: Matrix,
    texts: CodeTexts,
    book: Codebook,
    threshold: float,
    include_interviewer: bool = False,
) -> int:
    """``codes.csv``: each coded statement's best codes; returns how many pass ``threshold``.

    Every statement but the fillers is coded, even one without a content word of its own ("Og det
    havde jeg bare ikke vidst."), which is read with its neighbours; the interviewer's statements
    are not, unless ``include_interviewer``. The codes' spread is measured over the statements a
    fit takes in, and the statements' words count beside their embeddings
    (:data:`~thememine.themes.coding.LEXICAL_WEIGHT`).
    """
    from thememine.themes.coding import code_units, codes_csv
    from thememine.themes.model import coded_mask

    coded = coded_mask(units, include_interviewer)
    model = _code_model(units, normalise_rows(embeddings), texts, include_interviewer)
    scored, _ = code_units(units, embeddings, texts, coded, model=model)
    writing.write_text(CODES_FILE, codes_csv(units, scored, book, threshold))
    return sum(1 for rows in scored if rows and rows[0].score >= threshold)
