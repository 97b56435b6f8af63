"""The ingest step's output folder: ``corpus.json``, ``statements.jsonl`` and ``documents/``.

``documents/<id>.json`` holds each document's text, turns, timestamps and header lines, so that
every later step can check an offset against the text it points into. ``corpus.json`` lists each
document's header lines (key, value and offsets): metadata, never statements.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thememine import __version__
from thememine.errors import InputError
from thememine.ingest.corpus import Corpus
from thememine.ingest.model import Document, Statement
from thememine.ingest.roles import INTERVIEWER, speaker_roles
from thememine.ingest.statements import SplitOptions
from thememine.io import atomic_write_json, atomic_write_jsonl, read_jsonl
from thememine.limits import load_json

CORPUS_FILE = "corpus.json"
STATEMENTS_FILE = "statements.jsonl"
DOCUMENTS_DIR = "documents"
OWNED = (CORPUS_FILE, STATEMENTS_FILE, DOCUMENTS_DIR)


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
) -> dict[str, Any]:
    per_doc: dict[str, int] = {}
    for statement in statements:
        per_doc[statement.doc_id] = per_doc.get(statement.doc_id, 0) + 1
    return {
        "thememine_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [str(path) for path in inputs],
        "split": asdict(options),
        "documents": [
            {
                "id": document.id,
                "path": document.path,
                "format": document.format,
                "encoding": document.encoding,
                "group": document.group,
                "sha256": document.sha256,
                "characters": len(document.text),
                "turns": len(document.turns),
                "statements": per_doc.get(document.id, 0),
                "speakers": document.speakers,
                "interviewers": [s for s, role in speaker_roles(document).items() if role == INTERVIEWER],
                "header": [
                    {
                        "key": line.key,
                        "value": line.value(document.text),
                        "start": line.start,
                        "end": line.end,
                    }
                    for line in document.header
                ],
                "dropped_cues": len(document.dropped_cues),
                "file": f"{DOCUMENTS_DIR}/{document.id}.json",
            }
            for document in corpus.documents
        ],
        "skipped": [asdict(item) for item in corpus.skipped],
        "ignored": corpus.ignored,
    }


def write_ingest(
    out: Path,
    corpus: Corpus,
    statements: Sequence[Statement],
    inputs: Sequence[Path],
    options: SplitOptions,
) -> IngestSummary:
    """Write the documents, the statements and the manifest (each file atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    # Documents go to a fresh folder that replaces the old one only when complete, so that an
    # interrupted run leaves the earlier documents whole and no stale ones linger after --force.
    partial = Path(tempfile.mkdtemp(prefix=".documents.", dir=out))
    try:
        for document in corpus.documents:
            atomic_write_json(partial / f"{document.id}.json", document.to_dict())
        documents_dir = out / DOCUMENTS_DIR
        if documents_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=".documents-old.", dir=out))
            documents_dir.rename(old / DOCUMENTS_DIR)
            partial.rename(documents_dir)
            shutil.rmtree(old)
        else:
            partial.rename(documents_dir)
    finally:
        if partial.exists():
            shutil.rmtree(partial)
    atomic_write_jsonl(out / STATEMENTS_FILE, (statement.to_dict() for statement in statements))
    atomic_write_json(out / CORPUS_FILE, manifest(corpus, statements, inputs, options))
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
    manifest_path = run_dir / CORPUS_FILE
    manifest_data = load_json(manifest_path.read_bytes(), manifest_path, _DAMAGED)
    entries = manifest_data.get("documents") if isinstance(manifest_data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("file"), str) for e in entries
    ):
        raise InputError(manifest_path, "has no list of documents", _DAMAGED)
    documents = []
    for entry in entries:
        path = run_dir / entry["file"]
        if not path.resolve().is_relative_to(run_dir.resolve()):
            raise InputError(
                manifest_path, f"names a document outside the folder ({entry['file']})", _DAMAGED
            )
        try:
            documents.append(Document.from_dict(load_json(path.read_bytes(), path, _DAMAGED)))
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
        ) as err:  # a field missing or of the wrong kind
            raise InputError(path, f"is damaged ({type(err).__name__})", _DAMAGED) from None
    return documents


def load_statements(run_dir: Path) -> list[Statement]:
    """The statements of an ingest output folder; a damaged line is an InputError."""
    path = run_dir / STATEMENTS_FILE
    rows = read_jsonl(path)
    try:
        return [Statement.from_dict(row) for row in rows]
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(path, f"is damaged ({type(err).__name__})", _DAMAGED) from None
