"""What a report is made from: the files of one run folder, each of them optional but one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from thememine.errors import InputError
from thememine.io import read_jsonl
from thememine.runfolder import (
    AUDIT_FILE,
    CORPUS_FILE,
    STATE_FILE,
    STATEMENTS_FILE,
    AuditRecord,
    CorpusRecord,
    DocumentEntry,
    has_themes,
    load_run,
    read_audit,
    read_corpus_record,
)
from thememine.themes.model import ThemeRun


@dataclass
class ReportInput:
    """The parts of a run folder a report shows; a part that is absent is ``None``."""

    folder: Path
    corpus: CorpusRecord | None = None
    audit: AuditRecord | None = None
    statements_per_doc: dict[str, int] = field(default_factory=dict)
    filler_per_doc: dict[str, int] = field(default_factory=dict)
    run: ThemeRun | None = None

    @property
    def documents(self) -> list[DocumentEntry]:
        """The documents of ``corpus.json``, in its order (empty without one)."""
        return list(self.corpus.documents) if self.corpus else []

    @property
    def pseudonymised(self) -> bool:
        return self.audit is not None or bool(self.corpus and self.corpus.pseudonymised)


def load_report_input(folder: Path) -> ReportInput:
    """Read what a run folder holds; refuse a folder that holds none of it."""
    if not folder.is_dir():
        raise InputError(folder, "is not a folder", "Give a run folder written by `thememine run`.")
    data = ReportInput(folder, corpus=read_corpus_record(folder), audit=read_audit(folder))
    if (folder / STATEMENTS_FILE).is_file():
        try:
            rows = read_jsonl(folder / STATEMENTS_FILE)
        except OSError as err:
            raise InputError(folder / STATEMENTS_FILE, f"cannot be read ({err.strerror or err})") from None
        for row in rows:
            doc_id = str(row.get("doc_id", ""))
            data.statements_per_doc[doc_id] = data.statements_per_doc.get(doc_id, 0) + 1
            if row.get("filler"):
                data.filler_per_doc[doc_id] = data.filler_per_doc.get(doc_id, 0) + 1
    if has_themes(folder):
        data.run = load_run(folder)
    if data.corpus is None and data.audit is None and data.run is None and not data.statements_per_doc:
        raise InputError(
            folder,
            f"holds no run ({CORPUS_FILE}, {AUDIT_FILE}, {STATEMENTS_FILE} and {STATE_FILE} are all missing)",
            "Give a folder written by `thememine run`, `pseudonymise`, `ingest` or `themes`.",
        )
    return data
