"""What the ingest step writes into a run folder: ``corpus.json``, ``statements.jsonl`` and ``documents/``.

``documents/<id>.json`` holds each document's text, turns, timestamps and header lines, so that
every later step can check an offset against the text it points into. ``corpus.json`` lists each
document's header lines (key, value and offsets): metadata, never statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from thememine.errors import InputError
from thememine.ingest.corpus import Corpus
from thememine.ingest.model import Document, Statement
from thememine.ingest.roles import INTERVIEWER, speaker_roles
from thememine.ingest.statements import SplitOptions
from thememine.io import read_jsonl
from thememine.limits import load_json
from thememine.runfolder import (
    STATEMENTS_FILE,
    CorpusRecord,
    DocumentEntry,
    HeaderEntry,
    document_file,
    read_corpus_record,
    recover,
    stale_documents,
    step,
)


@dataclass(frozen=True)
class IngestSummary:
    """Counts for the researcher, and where the results are."""

    documents: int
    turns: int
    statements: int
    filler: int
    skipped: int
    out: Path
    interviewer: int = 0  # statements of interviewers and moderators


def manifest(
    corpus: Corpus, statements: Sequence[Statement], inputs: Sequence[Path], options: SplitOptions
) -> CorpusRecord:
    per_doc: dict[str, int] = {}
    for statement in statements:
        per_doc[statement.doc_id] = per_doc.get(statement.doc_id, 0) + 1
    return CorpusRecord(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        inputs=[str(path) for path in inputs],
        split=asdict(options),
        documents=[
            DocumentEntry(
                id=document.id,
                path=document.path,
                format=document.format,
                encoding=document.encoding,
                group=document.group,
                sha256=document.sha256,
                characters=len(document.text),
                turns=len(document.turns),
                statements=per_doc.get(document.id, 0),
                speakers=document.speakers,
                interviewers=[s for s, role in speaker_roles(document).items() if role == INTERVIEWER],
                header=[
                    HeaderEntry(line.key, line.value(document.text), line.start, line.end)
                    for line in document.header
                ],
                file=document_file(document.id),
                dropped_cues=len(document.dropped_cues),
            )
            for document in corpus.documents
        ],
        skipped=[asdict(item) for item in corpus.skipped],
        ignored=corpus.ignored,
    )


def write_ingest(
    out: Path,
    corpus: Corpus,
    statements: Sequence[Statement],
    inputs: Sequence[Path],
    options: SplitOptions,
) -> IngestSummary:
    """Write the documents, the statements and the manifest, as one step: all or nothing.

    Documents of an earlier run into the same folder that are not in this corpus are removed.
    """
    with step(out) as writing:
        for document in corpus.documents:
            writing.write_json(document_file(document.id), document.to_dict())
        for stale in stale_documents(out, [d.id for d in corpus.documents]):
            writing.remove(stale)
        writing.write_jsonl(STATEMENTS_FILE, (statement.to_dict() for statement in statements))
        writing.write_corpus(manifest(corpus, statements, inputs, options))
    return IngestSummary(
        documents=len(corpus.documents),
        turns=sum(len(document.turns) for document in corpus.documents),
        statements=len(statements),
        filler=sum(statement.filler for statement in statements),
        interviewer=sum(statement.role == INTERVIEWER for statement in statements),
        skipped=len(corpus.skipped),
        out=out,
    )


_DAMAGED = "It was changed or cut short; write the folder again with `thememine ingest` or `pseudonymise`"


def load_documents(run_dir: Path) -> list[Document]:
    """The documents of an ingest output folder, in manifest order; a damaged file is an InputError."""
    record = read_corpus_record(run_dir)
    if record is None:
        return []
    documents = []
    for entry in record.documents:
        path = run_dir / entry.file  # inside run_dir: read_corpus_record refuses any other
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError(path, "is missing", _DAMAGED) from None
        try:
            documents.append(Document.from_dict(load_json(raw, path, _DAMAGED)))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as err:
            raise InputError(path, f"is damaged ({type(err).__name__})", _DAMAGED) from None
    return documents


def load_statements(run_dir: Path) -> list[Statement]:
    """The statements of an ingest output folder; a damaged line is an InputError."""
    recover(run_dir)
    path = run_dir / STATEMENTS_FILE
    rows = read_jsonl(path)
    try:
        return [Statement.from_dict(row) for row in rows]
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as err:
        raise InputError(path, f"is damaged ({type(err).__name__})", _DAMAGED) from None
