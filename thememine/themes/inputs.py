"""What themes are fitted on: a run folder, a ``statements.jsonl``, or a CSV with a text column."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

from thememine.errors import InputError
from thememine.ingest.encoding import decode_bytes
from thememine.ingest.model import Statement
from thememine.ingest.store import load_documents
from thememine.io import read_jsonl
from thememine.runfolder import CORPUS_FILE, STATEMENTS_FILE, recover
from thememine.themes.fitting import units_from
from thememine.themes.model import Unit


def _group_of(doc_id: str) -> str:
    """The group in a document id of `thememine ingest` (``jobcenter__01`` → ``jobcenter``); a
    pseudonymised id (``doc01``) has none: its group is in ``corpus.json``."""
    return doc_id.split("__", 1)[0] if "__" in doc_id else ""


def read_units(path: Path, text_column: str | None = None, id_column: str | None = None) -> list[Unit]:
    """Statements to fit themes on, from a run folder, a statements file, or a CSV."""
    if path.is_dir():
        recover(path)
        statements_file = path / STATEMENTS_FILE
        if not statements_file.is_file():
            raise InputError(
                path,
                f"no {STATEMENTS_FILE} here",
                "Give a folder written by `thememine run`, `pseudonymise` or `ingest`.",
            )
        units = _from_jsonl(statements_file)
        if (path / CORPUS_FILE).is_file():
            groups = {d.id: d.group or "" for d in load_documents(path)}
            units = [_with_group(u, groups.get(u.doc_id, u.group)) for u in units]
        return units
    if not path.is_file():
        raise InputError(path, "does not exist", "Give a run folder, a statements.jsonl or a CSV file.")
    if path.suffix.lower() == ".jsonl":
        return _from_jsonl(path)
    if path.suffix.lower() == ".csv":
        return _from_csv(path, text_column, id_column)
    raise InputError(path, "is not a run folder, a .jsonl or a .csv file", "Give one of those.")


def _with_group(unit: Unit, group: str) -> Unit:
    return replace(unit, group=group)


def _from_jsonl(path: Path) -> list[Unit]:
    try:
        statements = [Statement.from_dict(row) for row in read_jsonl(path)]
    except (KeyError, TypeError, json.JSONDecodeError) as err:
        raise InputError(
            path, f"is not a thememine statements file ({err})", "Write it with `thememine ingest`."
        ) from None
    return [_with_group(u, _group_of(u.doc_id)) for u in units_from(statements)]


def _from_csv(path: Path, text_column: str | None, id_column: str | None) -> list[Unit]:
    text, _ = decode_bytes(path.read_bytes(), path)  # UTF-8 (with or without BOM), UTF-16 or Windows-1252
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        rows = list(csv.DictReader(text.splitlines(), delimiter=delimiter))
    except csv.Error as err:  # a field beyond the csv module's size limit, for one
        raise InputError(path, f"is not a readable CSV file ({err})", "Save it again as CSV UTF-8.") from None
    if not rows:
        raise InputError(path, "holds no rows", "Give a CSV with a header and one statement per row.")
    columns = [column for column in rows[0] if column is not None]  # None holds a row's extra cells
    text_column = text_column or next(
        (c for c in columns if c.lower() in ("text", "tekst", "statement")), None
    )
    if text_column is None or text_column not in columns:
        raise InputError(
            path,
            f"has no text column {text_column or ''}".strip(),
            f"Name it with --text-column (columns: {', '.join(columns)}).",
        )
    if id_column is not None and id_column not in columns:
        raise InputError(path, f"has no column {id_column}", f"Columns: {', '.join(columns)}.")
    units = []
    for n, row in enumerate(rows, start=1):
        body = (row[text_column] or "").strip()
        unit_id = row[id_column] if id_column else f"{path.stem}:{n}"
        units.append(
            Unit(unit_id, path.stem, row.get("speaker") or None, 0, len(body), body, row.get("group") or "")
        )
    ids = [u.id for u in units]
    if len(set(ids)) != len(ids):
        raise InputError(path, f"the id column {id_column} repeats ids", "Give a column with one id per row.")
    return units
