"""What a report is made from: the files of one run folder, each of them optional but one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thememine.errors import InputError
from thememine.ingest.store import CORPUS_FILE, STATEMENTS_FILE
from thememine.io import read_jsonl
from thememine.limits import load_json
from thememine.themes.model import ThemeRun
from thememine.themes.store import STATE_FILE, load_run

AUDIT_FILE = "audit.json"


@dataclass
class ReportInput:
    """The parts of a run folder a report shows; a part that is absent is ``None``."""

    folder: Path
    corpus: dict[str, Any] | None = None
    audit: dict[str, Any] | None = None
    statements_per_doc: dict[str, int] = field(default_factory=dict)
    filler_per_doc: dict[str, int] = field(default_factory=dict)
    run: ThemeRun | None = None

    @property
    def documents(self) -> list[dict[str, Any]]:
        """The documents of ``corpus.json``, in its order (empty without one)."""
        return list(self.corpus.get("documents", [])) if self.corpus else []

    @property
    def pseudonymised(self) -> bool:
        return self.audit is not None or bool(self.corpus and self.corpus.get("pseudonymised"))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(
            path, f"cannot be read ({err.strerror or err})", "Write the run folder again."
        ) from None
    data = load_json(raw, path, "Write the run folder again.")
    if not isinstance(data, dict):
        raise InputError(path, "is not a JSON object", "Write the run folder again.")
    return data


def load_report_input(folder: Path) -> ReportInput:
    """Read what a run folder holds; refuse a folder that holds none of it."""
    if not folder.is_dir():
        raise InputError(folder, "is not a folder", "Give a run folder written by `thememine run`.")
    data = ReportInput(folder)
    if (folder / CORPUS_FILE).is_file():
        data.corpus = _read_json(folder / CORPUS_FILE)
    if (folder / AUDIT_FILE).is_file():
        data.audit = _read_json(folder / AUDIT_FILE)
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
    if (folder / STATE_FILE).is_file():
        data.run = load_run(folder)
    if data.corpus is None and data.audit is None and data.run is None and not data.statements_per_doc:
        raise InputError(
            folder,
            f"holds no run ({CORPUS_FILE}, {AUDIT_FILE}, {STATEMENTS_FILE} and {STATE_FILE} are all missing)",
            "Give a folder written by `thememine run`, `pseudonymise`, `ingest` or `themes`.",
        )
    return data
