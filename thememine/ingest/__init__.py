"""Ingestion: transcript files → documents with exact offsets → statements."""

from __future__ import annotations

from thememine.ingest.corpus import Corpus, Skipped, discover, document_id, read_corpus, read_document
from thememine.ingest.model import Document, Statement, TimeMark, Turn
from thememine.ingest.statements import SplitOptions, is_filler, split_corpus, split_statements

__all__ = [
    "Corpus",
    "Document",
    "Skipped",
    "SplitOptions",
    "Statement",
    "TimeMark",
    "Turn",
    "discover",
    "document_id",
    "is_filler",
    "read_corpus",
    "read_document",
    "split_corpus",
    "split_statements",
]
