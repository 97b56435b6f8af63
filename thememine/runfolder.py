"""The run folder: every file name in it, its records, its statement ids, its lock, its commits.

A run folder is a small database that several commands write (``ingest``, ``pseudonymise``,
``themes``, every decision, ``report``, ``export``). This module is its one owner:

- the **names** of its files (nothing else spells ``"corpus.json"``);
- typed **records** for ``corpus.json`` (:class:`CorpusRecord`, one shape for ``ingest`` and
  ``pseudonymise``), ``audit.json`` (:class:`AuditRecord`) and the theme state
  (``themes-state.json`` + ``embeddings.npy``, read into a :class:`~thememine.themes.model.ThemeRun`);
- the **statement id** ``doc:turn:index`` (:func:`statement_id`, :func:`parse_statement_id`);
- the folder's **lock** (:func:`locked`), one writer at a time across processes and threads;
- **atomic steps** (:func:`step`): every file a step writes or removes becomes visible together, or
  none does.

How a step commits. Its files are written (and synced) into ``.thememine/stage-*/``; then one
small commit record, ``.thememine/commit.json``, naming the files to put in place and those to
remove, is written and switched in with a rename: that rename is the commit. Only then are the
staged files renamed into place, the commit record removed and the stage folder with it. A
process killed before the commit leaves the folder as it was (plus a stage folder); killed after
it, the next command finishes the renames from the record (:func:`recover`). Every reader here
calls :func:`recover` first, so every command sees the folder before a step or after it, never
half of one, and leftovers of a killed step are removed. The folder keeps its plain layout, so
that a researcher's editor, a spreadsheet and run folders of earlier versions keep working.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from numpy.typing import NDArray

from thememine import __version__
from thememine.errors import InputError, OutputError, ThememineError
from thememine.io import (
    durable_point,
    fsync_dir,
    hold_lock,
    npy_bytes,
    read_jsonl,
    remove_leftovers,
    write_synced,
)
from thememine.limits import load_json
from thememine.themes.model import Matrix, Quote, Theme, ThemeRun, Unit

# ---------------------------------------------------------------------------------------------
# File names

CORPUS_FILE = "corpus.json"  # what was read: the documents and their counts (CorpusRecord)
STATEMENTS_FILE = "statements.jsonl"  # one statement per line
DOCUMENTS_DIR = "documents"  # documents/<id>.json: each document's text, turns and marks
AUDIT_FILE = "audit.json"  # what pseudonymisation replaced, counts only (AuditRecord)
THEMES_FILE = "themes.yaml"  # the themes for the researcher to read and edit (decisions go here)
ASSIGNMENTS_FILE = "assignments.csv"  # each statement's place, theme, score and text
STATE_FILE = "themes-state.json"  # the theme run: statements, assignments, themes, settings
EMBEDDINGS_FILE = "embeddings.npy"  # the statements' embeddings, in the order of the state file
ENSEMBLE_FILE = "consensus-runs.npy"  # the fit's runs: a label per fitted statement and run (int16)
CODE_VECTORS_FILE = "code-vectors.npy"  # codebook vectors, in the order of settings["code_names"]
CODES_FILE = "codes.csv"  # zero-shot coding with a codebook
LOG_FILE = "decisions.log"  # every decision applied, one JSON line each; appended to only
HISTORY_DIR = "history"  # history/NNNNNN.json: the state before each batch of decisions (undo)
REPORT_FILE = "report.html"
LOCK_FILE = ".thememine.lock"
WORK_DIR = ".thememine"  # stage folders and the commit record of a step under way
COMMIT_FILE = "commit.json"

INGEST_FILES = (CORPUS_FILE, STATEMENTS_FILE, DOCUMENTS_DIR)
PSEUDONYMISED_FILES = (*INGEST_FILES, AUDIT_FILE)
# made from the statements by later steps: they keep the statements of a withdrawn interview
DERIVED_FILES = (
    STATE_FILE, THEMES_FILE, ASSIGNMENTS_FILE, CODES_FILE, EMBEDDINGS_FILE, ENSEMBLE_FILE, LOG_FILE, HISTORY_DIR,
    REPORT_FILE,
)  # fmt: skip
EXPORT_SUFFIXES = (".qdpx", ".qdc")

LOCK_WAIT = 60.0  # seconds; a split of a large theme holds the lock for a while
STATE_FORMAT = "thememine-themes/1"


def has_themes(folder: Path) -> bool:
    """Whether ``folder`` holds a theme run."""
    recover(folder)
    return (folder / STATE_FILE).is_file()


def derived_files(folder: Path) -> list[str]:
    """The files of ``folder`` made from its statements by later steps (themes, decisions, codes,
    report, REFI-QDA exports): they would keep the statements of an interview no longer in it."""
    recover(folder)
    found = [name for name in DERIVED_FILES if (folder / name).exists()]
    exports = (p.name for p in folder.glob("*") if p.suffix in EXPORT_SUFFIXES and p.is_file())
    return found + sorted(exports)


# ---------------------------------------------------------------------------------------------
# Statement ids


@dataclass(frozen=True)
class StatementRef:
    """Where a statement id points: its document, its turn and its place in the turn."""

    doc_id: str
    turn: int
    index: int


def statement_id(doc_id: str, turn: int, index: int) -> str:
    """``doc:turn:index``, the id of the ``index``-th statement of turn ``turn``."""
    return f"{doc_id}:{turn}:{index}"


def parse_statement_id(text: str) -> StatementRef | None:
    """The parts of a :func:`statement_id`; None for an id made otherwise (a CSV row's)."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0] or not all(p.isascii() and p.isdigit() for p in parts[1:]):
        return None
    return StatementRef(parts[0], int(parts[1]), int(parts[2]))


# ---------------------------------------------------------------------------------------------
# Records


_REWRITE = "Write the run folder again with the command that made it"
_DAMAGED_RUN = (
    "It was changed or cut short (an interrupted run, a full disk). Restore the run folder from a "
    "backup, or fit the themes again with `thememine themes` and --force"
)
# What a field of the wrong kind raises when a record is built from a damaged or foreign file
# (OverflowError: an infinite number where a count belongs).
_WRONG_KIND = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


def _bad(path: Path, what: str, hint: str = _REWRITE) -> InputError:
    return InputError(path, f"is damaged ({what})", hint)


def _read_json(path: Path, hint: str) -> Any:
    """The JSON in ``path``, bounded in depth (:func:`thememine.limits.load_json`)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror or err})", hint) from None
    return load_json(raw, path, hint)


def _read_object(path: Path, hint: str = _REWRITE) -> dict[str, Any]:
    data = _read_json(path, hint)
    if not isinstance(data, dict):
        raise _bad(path, "not a JSON object", hint)
    return data


@dataclass(frozen=True)
class HeaderEntry:
    """A header line of a transcript as ``ingest`` lists it (``Dato: 14. marts 2025``)."""

    key: str | None
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentEntry:
    """One document in ``corpus.json``. The fields after ``dropped_cues`` are written by ``ingest``
    only: pseudonymised output never names the source file or keeps header values."""

    id: str
    format: str
    group: str | None
    characters: int
    turns: int
    statements: int
    speakers: list[str]
    file: str  # the document's file in the run folder, documents/<id>.json
    dropped_cues: int = 0  # subtitle cues left out for a broken timing line (reported when read)
    path: str | None = None
    encoding: str | None = None
    sha256: str | None = None
    interviewers: list[str] | None = None
    header: list[HeaderEntry] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id}
        if self.path is not None:
            data["path"] = self.path
        data["format"] = self.format
        if self.encoding is not None:
            data["encoding"] = self.encoding
        data["group"] = self.group
        if self.sha256 is not None:
            data["sha256"] = self.sha256
        data.update(
            characters=self.characters, turns=self.turns, statements=self.statements, speakers=self.speakers
        )
        if self.interviewers is not None:
            data["interviewers"] = self.interviewers
        if self.header is not None:
            data["header"] = [vars(line) for line in self.header]
        data["dropped_cues"] = self.dropped_cues
        data["file"] = self.file
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentEntry:
        header = data.get("header")
        return cls(
            id=str(data["id"]),
            format=str(data.get("format", "")),
            group=None if data.get("group") is None else str(data["group"]),
            characters=int(data.get("characters", 0)),
            turns=int(data.get("turns", 0)),
            statements=int(data.get("statements", 0)),
            speakers=[str(s) for s in data.get("speakers", [])],
            file=str(data.get("file") or f"{DOCUMENTS_DIR}/{data['id']}.json"),
            dropped_cues=int(data.get("dropped_cues", 0)),
            path=None if data.get("path") is None else str(data["path"]),
            encoding=None if data.get("encoding") is None else str(data["encoding"]),
            sha256=None if data.get("sha256") is None else str(data["sha256"]),
            interviewers=None if data.get("interviewers") is None else [str(s) for s in data["interviewers"]],
            header=None
            if header is None
            else [HeaderEntry(h.get("key"), str(h["value"]), int(h["start"]), int(h["end"])) for h in header],
        )


@dataclass(frozen=True)
class CorpusRecord:
    """``corpus.json``: the documents of a run folder, in order, and how they were read.

    ``ingest`` fills every field; ``pseudonymise`` marks the record ``pseudonymised`` and leaves
    out what could identify someone (input paths, skipped files, the split is in the audit).
    """

    documents: list[DocumentEntry]
    pseudonymised: bool = False
    thememine_version: str = __version__
    created: str | None = None
    inputs: list[str] | None = None
    split: dict[str, Any] | None = None
    skipped: list[dict[str, str]] | None = None
    ignored: list[str] | None = None
    skipped_files: int | None = None  # pseudonymised: how many files were not read (no names)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"thememine_version": self.thememine_version}
        if self.pseudonymised:
            data["pseudonymised"] = True
        for name in ("created", "inputs", "split"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        data["documents"] = [d.to_dict() for d in self.documents]
        for name in ("skipped", "ignored", "skipped_files"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CorpusRecord:
        documents = data.get("documents", [])
        if not isinstance(documents, list):
            raise TypeError("documents is not a list")
        return cls(
            documents=[DocumentEntry.from_dict(d) for d in documents],
            pseudonymised=bool(data.get("pseudonymised", False)),
            thememine_version=str(data.get("thememine_version", "")),
            created=data.get("created"),
            inputs=data.get("inputs"),
            split=data.get("split"),
            skipped=data.get("skipped"),
            ignored=data.get("ignored"),
            skipped_files=None if data.get("skipped_files") is None else int(data["skipped_files"]),
        )


def read_corpus_record(folder: Path) -> CorpusRecord | None:
    """``corpus.json`` of ``folder``; None when there is none."""
    recover(folder)
    path = folder / CORPUS_FILE
    if not path.is_file():
        return None
    data = _read_object(path)
    try:
        record = CorpusRecord.from_dict(data)
    except _WRONG_KIND as err:
        raise _bad(path, f"an entry is incomplete ({type(err).__name__})") from None
    for entry in record.documents:
        if not (folder / entry.file).resolve().is_relative_to(folder.resolve()):
            raise _bad(path, f"it names a document outside the folder: {entry.file}")
    return record


@dataclass
class AuditRecord:
    """``audit.json``: what pseudonymisation replaced and what the leak check found; counts per
    label, document and file, never the personal data itself."""

    settings: dict[str, Any] = field(default_factory=dict)
    replacements: dict[str, int] = field(default_factory=dict)
    replacements_per_document: dict[str, dict[str, int]] = field(default_factory=dict)
    uncertain_per_document: dict[str, int] = field(default_factory=dict)
    thememine_version: str = __version__
    created: str = ""
    leaks: int | None = None  # None until the leak check over the whole folder has run
    leaks_per_label: dict[str, int] = field(default_factory=dict)
    leaks_per_file: dict[str, int] = field(default_factory=dict)
    leak_check: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "thememine_version": self.thememine_version,
            "created": self.created,
            "settings": self.settings,
            "replacements": self.replacements,
            "replacements_per_document": self.replacements_per_document,
            "uncertain_per_document": self.uncertain_per_document,
        }
        if self.leaks is not None:
            data.update(
                leaks=self.leaks, leaks_per_label=self.leaks_per_label, leaks_per_file=self.leaks_per_file
            )
        if self.leak_check is not None:
            data["leak_check"] = self.leak_check
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditRecord:
        def counts(value: Any) -> dict[str, int]:
            return {str(k): int(v) for k, v in (value or {}).items()}

        return cls(
            settings=dict(data.get("settings") or {}),
            replacements=counts(data.get("replacements")),
            replacements_per_document={
                str(doc): counts(c) for doc, c in (data.get("replacements_per_document") or {}).items()
            },
            uncertain_per_document=counts(data.get("uncertain_per_document")),
            thememine_version=str(data.get("thememine_version", "")),
            created=str(data.get("created", "")),
            leaks=None if data.get("leaks") is None else int(data["leaks"]),
            leaks_per_label=counts(data.get("leaks_per_label")),
            leaks_per_file=counts(data.get("leaks_per_file")),
            leak_check=data.get("leak_check"),
        )


def read_audit(folder: Path) -> AuditRecord | None:
    """``audit.json`` of ``folder``; None when there is none (the folder is not pseudonymised)."""
    recover(folder)
    path = folder / AUDIT_FILE
    if not path.is_file():
        return None
    data = _read_object(path)
    try:
        return AuditRecord.from_dict(data)
    except _WRONG_KIND as err:
        raise _bad(path, f"a count is not a number: {type(err).__name__}") from None


def is_pseudonymised(folder: Path) -> bool:
    """Whether ``folder`` holds pseudonymised output (an audit, or a corpus marked so)."""
    try:
        corpus = read_corpus_record(folder)
        return (folder / AUDIT_FILE).is_file() or bool(corpus and corpus.pseudonymised)
    except ThememineError:
        return (folder / AUDIT_FILE).is_file()


# The theme state: a ThemeRun without its embeddings, which go to EMBEDDINGS_FILE.


def theme_to_dict(theme: Theme) -> dict[str, Any]:
    return {
        "id": theme.id,
        "label": theme.label,
        "status": theme.status,
        "suggested_label": theme.suggested_label,
        "named": theme.named,
        "size": theme.size,
        "keywords": theme.keywords,
        "codes": [[name, score] for name, score in theme.codes],
        "quotes": [vars(q) for q in theme.quotes],
        "by_speaker": theme.by_speaker,
        "by_group": theme.by_group,
        "parents": theme.parents,
        "note": theme.note,
        "stability": theme.stability,
    }


def theme_from_dict(data: dict[str, Any]) -> Theme:
    return Theme(
        id=int(data["id"]),
        label=str(data["label"]),
        status=str(data["status"]),
        suggested_label=str(data.get("suggested_label", "")),
        named=bool(data.get("named", False)),
        size=int(data.get("size", 0)),
        keywords=list(data.get("keywords", [])),
        codes=[(str(n), float(s)) for n, s in data.get("codes", [])],
        quotes=[Quote(**q) for q in data.get("quotes", [])],
        by_speaker=dict(data.get("by_speaker", {})),
        by_group=dict(data.get("by_group", {})),
        parents=[int(p) for p in data.get("parents", [])],
        note=str(data.get("note", "")),
        stability=None if data.get("stability") is None else float(data["stability"]),
    )


def _state_dict(run: ThemeRun) -> dict[str, Any]:
    return {
        "format": STATE_FORMAT,
        "settings": run.settings,
        "units": [u.to_dict() for u in run.units],
        "assignment": run.assignment,
        "scores": run.scores,
        "themes": [theme_to_dict(t) for t in sorted(run.themes.values(), key=lambda t: t.id)],
    }


def load_run(folder: Path) -> ThemeRun:
    """The theme run of ``folder`` (its state file and its embeddings)."""
    recover(folder)
    try:
        return _read_run(folder)
    except _Mismatch:  # read while a step was putting its files in place: read again after it
        with locked(folder):
            return _read_run(folder)


class _Mismatch(InputError):
    """The embeddings and the state file of a run do not belong together."""


def _read_run(folder: Path) -> ThemeRun:
    state_path = folder / STATE_FILE
    if not state_path.is_file():
        raise InputError(
            folder,
            f"no theme run here ({STATE_FILE} is missing)",
            "Run `thememine themes` or `thememine run` first.",
        )
    state = _read_json(state_path, _DAMAGED_RUN)
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise InputError(state_path, f"not a thememine theme run ({STATE_FORMAT})", _DAMAGED_RUN)
    embeddings = _load_embeddings(folder / EMBEDDINGS_FILE)
    try:
        units = [
            Unit(**{**u, "surrogates": tuple(tuple(x) for x in u.get("surrogates", ()))})
            for u in state["units"]
        ]
        run = ThemeRun(
            units=units,
            embeddings=embeddings,
            assignment=[int(t) for t in state["assignment"]],
            scores=[float(s) for s in state["scores"]],
            themes={t.id: t for t in (theme_from_dict(d) for d in state["themes"])},
            settings=dict(state.get("settings", {})),
        )
    except _WRONG_KIND as err:  # a field missing or of the wrong kind
        raise _bad(state_path, type(err).__name__, _DAMAGED_RUN) from None
    if len(embeddings) != len(units):
        raise _Mismatch(folder / EMBEDDINGS_FILE, f"does not match {STATE_FILE}", _DAMAGED_RUN)
    if len(run.assignment) != len(units) or len(run.scores) != len(units):
        raise _bad(state_path, "assignments and statements differ in number", _DAMAGED_RUN)
    run.ensemble = _load_ensemble(folder / ENSEMBLE_FILE, len(run.with_content()))
    return run


def _load_ensemble(path: Path, fitted: int) -> NDArray[np.int16] | None:
    """The fit's kept runs (a row per one of the ``fitted`` statements), or None when there are
    none or they cannot be read or do not fit the run: they are only a shortcut (a decision makes
    them again, in the space the fit clustered), so a damaged file costs time, not the run."""
    if not path.is_file():
        return None
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, TypeError, EOFError):  # numpy's words for a cut-short or foreign file
        return None
    if (
        not isinstance(array, np.ndarray)
        or array.ndim != 2
        or array.dtype != np.int16
        or len(array) != fitted
    ):
        return None
    return array


def _load_embeddings(path: Path) -> Matrix:
    """The embeddings of a run: a finite float matrix, or an :class:`InputError` saying what is wrong."""
    if not path.is_file():
        raise InputError(path, "is missing", _DAMAGED_RUN)
    try:
        array = np.load(path, allow_pickle=False)
        if not isinstance(array, np.ndarray) or array.ndim != 2:
            raise ValueError("not a matrix")
        matrix = array.astype(np.float32)
    except (OSError, ValueError, TypeError, EOFError) as err:  # numpy's words for a cut-short or foreign file
        raise InputError(path, f"cannot be read ({type(err).__name__})", _DAMAGED_RUN) from None
    if not np.isfinite(matrix).all():
        raise InputError(path, "holds numbers that are not finite", _DAMAGED_RUN)
    return matrix


def read_log(folder: Path) -> list[dict[str, Any]]:
    """The entries of ``decisions.log``, oldest first (none without one); a damaged line is an
    :class:`InputError` naming it."""
    recover(folder)
    path = folder / LOG_FILE
    if not path.is_file():
        return []
    return read_jsonl(path)


# ---------------------------------------------------------------------------------------------
# The lock


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the run folder's lock: one writer at a time, across processes and threads.

    The holding thread may take it again; the OS lets go of it when the process ends.
    """

    def busy() -> ThememineError:
        return InputError(
            folder,
            f"another thememine command has held this run for over {LOCK_WAIT:.0f} s",
            "Wait for it to finish (a split of a large theme takes a while) and try again",
        )

    try:
        with hold_lock(folder / LOCK_FILE, LOCK_WAIT, busy):
            yield
    except PermissionError as err:
        raise OutputError(
            f"Cannot write in {folder} ({err.strerror}). Choose a folder you may write in."
        ) from None


# ---------------------------------------------------------------------------------------------
# Atomic steps


class Step:
    """The files one step writes into a run folder, staged until :func:`step` commits them."""

    def __init__(self, folder: Path, stage: Path) -> None:
        self.folder = folder
        self.stage = stage
        self._put: list[str] = []
        self._remove: list[str] = []
        self._log: list[dict[str, Any]] = []

    def write_bytes(self, name: str, data: bytes) -> None:
        """Stage ``name`` (a path inside the run folder) with ``data``."""
        rel = _relative(name)
        target = self.stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        write_synced(target, data)
        if rel in self._remove:
            self._remove.remove(rel)
        if rel not in self._put:
            self._put.append(rel)

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode("utf-8"))

    def write_json(self, name: str, obj: Any) -> None:
        """Indented UTF-8 JSON."""
        self.write_text(name, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")

    def write_jsonl(self, name: str, rows: Iterable[dict[str, Any]]) -> None:
        """One JSON object per line."""
        lines = [json.dumps(row, ensure_ascii=False) for row in rows]
        self.write_text(name, "\n".join(lines) + ("\n" if lines else ""))

    def write_npy(self, name: str, array: Any, dtype: str = "float32") -> None:
        """``array`` as ``dtype`` (float32 unless told) in NumPy's ``.npy`` format (no pickles)."""
        self.write_bytes(name, npy_bytes(array, dtype))

    def remove(self, name: str) -> None:
        """Remove the file ``name`` with this step (nothing happens if it does not exist)."""
        rel = _relative(name)
        if rel in self._put:
            self._put.remove(rel)
            (self.stage / rel).unlink()
        if rel not in self._remove:
            self._remove.append(rel)

    def write_corpus(self, record: CorpusRecord) -> None:
        self.write_json(CORPUS_FILE, record.to_dict())

    def write_audit(self, record: AuditRecord) -> None:
        self.write_json(AUDIT_FILE, record.to_dict())

    def write_run(self, run: ThemeRun, embeddings: bool = True) -> None:
        """The theme state; with ``embeddings`` its embeddings too (decisions never change them)."""
        if embeddings:  # a new fit: its runs go with it (decisions change neither)
            self.write_npy(EMBEDDINGS_FILE, run.embeddings)
            if run.ensemble is not None:
                self.write_npy(ENSEMBLE_FILE, run.ensemble, "int16")
            elif (self.folder / ENSEMBLE_FILE).exists():
                self.remove(ENSEMBLE_FILE)  # an earlier fit's runs would not match this one
        self.write_json(STATE_FILE, _state_dict(run))

    def log(self, decision: dict[str, Any]) -> None:
        """Append one entry, with its time, to ``decisions.log`` with this step."""
        self._log.append({"time": datetime.now(UTC).isoformat(timespec="seconds"), **decision})

    def commit(self) -> None:
        """Make every staged file visible, and the removals happen, at once (see the module's text)."""
        if self._log:
            staged = self.stage / LOG_FILE
            base = staged if staged.is_file() else self.folder / LOG_FILE
            text = base.read_text(encoding="utf-8") if base.is_file() else ""
            lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self._log)
            self._log = []
            self.write_text(LOG_FILE, text + lines)
        if not self._put and not self._remove:
            return
        for folder in {(self.stage / rel).parent for rel in self._put}:
            fsync_dir(folder)
        record = {"stage": self.stage.name, "put": self._put, "remove": self._remove}
        work = self.stage.parent
        write_synced(work / f"{COMMIT_FILE}.new", json.dumps(record).encode("utf-8"))
        os.replace(work / f"{COMMIT_FILE}.new", work / COMMIT_FILE)
        fsync_dir(work)
        durable_point()  # committed: from here on the step is finished, if need be by the next command
        _roll_forward(self.folder, record)


def _relative(name: str) -> str:
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or rel.parts[0] == WORK_DIR:
        raise ValueError(f"not a file name inside a run folder: {name!r}")
    return rel.as_posix()


@contextmanager
def step(folder: Path) -> Iterator[Step]:
    """Write one step's files into ``folder``: all become visible when the block ends, or none do
    (when it raises, or the process is killed before the commit). Holds the folder's lock."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except PermissionError as err:
        raise OutputError(
            f"Cannot create {folder} ({err.strerror}). Choose a folder you may write in."
        ) from None
    with locked(folder):
        recover(folder)
        if str(folder.resolve()) in _in_step.folders:
            raise RuntimeError(f"a step in {folder} is already under way in this thread")
        _remove_leftovers(folder)
        work = folder / WORK_DIR
        work.mkdir(exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix="stage-", dir=work))
        _in_step.folders.add(str(folder.resolve()))
        try:
            yield (staged := Step(folder, stage))
            staged.commit()
        finally:
            _in_step.folders.discard(str(folder.resolve()))
            _clear(work)


class _Steps(threading.local):
    """The folders in which this thread has a step under way (its reads there must not recover)."""

    def __init__(self) -> None:
        self.folders: set[str] = set()


_in_step = _Steps()


def _roll_forward(folder: Path, record: dict[str, Any]) -> None:
    """Finish a committed step: put its staged files in place, remove what it removes. Done twice
    (after a kill), it changes nothing more."""
    stage = folder / WORK_DIR / str(record["stage"])
    touched = {folder}
    for rel in record["put"]:
        source, target = stage / rel, folder / rel
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            touched.add(target.parent)
            durable_point()
    for rel in record["remove"]:
        target = folder / rel
        target.unlink(missing_ok=True)
        touched.add(target.parent)
        parent = target.parent
        while parent != folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            touched.discard(parent)
            parent = parent.parent
    for place in touched:
        if place.is_dir():
            fsync_dir(place)
    (folder / WORK_DIR / COMMIT_FILE).unlink()
    fsync_dir(folder / WORK_DIR)
    durable_point()


def recover(folder: Path) -> None:
    """Finish a step that was committed but not completed, and remove what a killed step left.

    Cheap when there is nothing to do (one look for the work folder), so every reader calls it.
    """
    work = folder / WORK_DIR
    if not work.is_dir() or str(folder.resolve()) in _in_step.folders:
        return
    with locked(folder):
        if not work.is_dir():  # another process recovered meanwhile
            return
        record = _commit_record(work / COMMIT_FILE)
        if record is not None:
            _roll_forward(folder, record)
        _remove_leftovers(folder)
        _clear(work)


def _remove_leftovers(folder: Path) -> None:
    """The temporary files of atomic writes killed in an earlier version (which wrote in place)."""
    for place in (folder, folder / DOCUMENTS_DIR, folder / HISTORY_DIR):
        if place.is_dir():
            remove_leftovers(place)


def _commit_record(path: Path) -> dict[str, Any] | None:
    """The commit record, if a step was committed (it is written whole or not at all)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise _unfinished(path, f"not readable ({err.strerror or err})") from None
    try:
        record = load_json(raw, path, "")
    except InputError:
        raise _unfinished(path, "not readable JSON") from None
    if not isinstance(record, dict) or not _names_a_step(record):
        raise _unfinished(path, "incomplete")
    return record


def _names_a_step(record: dict[str, Any]) -> bool:
    """Whether a commit record names a stage folder and files inside the run folder only (one
    that came with a copied folder must not move files elsewhere)."""
    stage, put, remove = record.get("stage"), record.get("put"), record.get("remove")
    if not isinstance(stage, str) or not stage.startswith("stage-") or "/" in stage or "\\" in stage:
        return False
    if not isinstance(put, list) or not isinstance(remove, list):
        return False
    try:
        return all(isinstance(name, str) and _relative(name) == name for name in [*put, *remove])
    except ValueError:
        return False


def _unfinished(path: Path, what: str) -> InputError:
    return InputError(
        path,
        f"the record of an unfinished step is {what} (the disk may be damaged)",
        f"Remove the folder {path.parent} to drop that step, and check the run folder's files",
    )


def _clear(work: Path) -> None:
    """Remove the work folder with the stage folders of steps that never committed (the caller
    holds the lock, so none is under way). A commit record stays, with its stage: the next
    :func:`recover` finishes that step."""
    if work.is_dir() and not (work / COMMIT_FILE).exists():
        shutil.rmtree(work, ignore_errors=True)


def document_file(doc_id: str) -> str:
    """The file of a document in the run folder."""
    return f"{DOCUMENTS_DIR}/{doc_id}.json"


def stale_documents(folder: Path, keep: Sequence[str]) -> list[str]:
    """The document files in ``folder`` of documents not in ``keep`` (ids): a later step removes them."""
    kept = {document_file(doc_id) for doc_id in keep}
    here = folder / DOCUMENTS_DIR
    found = (f"{DOCUMENTS_DIR}/{p.name}" for p in here.glob("*.json")) if here.is_dir() else iter(())
    return sorted(name for name in found if name not in kept)
