"""A theme run on disk.

``themes.yaml``       the themes for the researcher to read and edit (decisions go here)
``assignments.csv``   statement id, document, speaker, offsets, theme id, theme label, score, text
``themes-state.json`` everything needed to apply decisions and update the run: statements,
                      assignments, themes, settings (no personal data beyond the pseudonymised text)
``embeddings.npy``    the statements' embeddings, in the order of the state file
``codes.csv``         zero-shot coding with a codebook: each statement's best codes and scores
``decisions.log``     every decision applied, one JSON line each, with its time; only appended to
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from thememine.errors import InputError
from thememine.io import atomic_write_json, atomic_write_npy, atomic_write_text, read_jsonl
from thememine.limits import load_json
from thememine.themes.model import UNASSIGNED, Matrix, Quote, Theme, ThemeRun, Unit

THEMES_FILE = "themes.yaml"
ASSIGNMENTS_FILE = "assignments.csv"
STATE_FILE = "themes-state.json"
EMBEDDINGS_FILE = "embeddings.npy"
LOG_FILE = "decisions.log"
CODES_FILE = "codes.csv"
FORMAT = "thememine-themes/1"

THEMES_HEADER = """\
# thememine: candidate themes. Edit this file, then run `thememine apply RUN_DIR`.
#
# For a theme, set `action` to one of:
#   confirm                      keep it as it is, with its label
#   rename   + label: "…"        give it your name (a renamed theme counts as confirmed)
#   merge    + with: [ids]       take the statements of the other themes into this one
#   split    + k: 2              cluster its statements again into k themes
#   delete                       its statements become unassigned
# A `label:` changed without an action is taken as a rename. To move single statements, list
# them under `moves` at the end:  - {statement: ID, to: 3}   (ID from assignments.csv; to: -1 unassigns)
# Applied decisions are logged in decisions.log and carried over by `thememine themes --update`.
"""


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


def themes_yaml(run: ThemeRun) -> str:
    """The researcher's view of the themes, with empty decision slots."""
    themes = []
    for theme in sorted(run.themes.values(), key=lambda t: t.id):
        entry: dict[str, Any] = {
            "id": theme.id,
            "label": theme.label,
            "status": theme.status,
            "action": "",
            "size": theme.size,
        }
        if theme.stability is not None:  # share of the fit's runs keeping its statements together
            entry["stability"] = round(theme.stability, 2)
        entry["keywords"] = theme.keywords
        if theme.note:
            entry["note"] = theme.note
        if theme.codes:
            entry["codes"] = [f"{name} ({score:.2f})" for name, score in theme.codes]
        entry["speakers"] = theme.by_speaker
        entry["groups"] = theme.by_group
        entry["quotes"] = [f"[{q.statement_id}] {q.speaker or '–'}: {q.text}" for q in theme.quotes]
        themes.append(entry)
    body = yaml.safe_dump(
        {"themes": themes, "moves": []},
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=None,
    )
    summary = f"# {len(run.themes)} themes; {run.unassigned_share:.0%} of the statements with content are unassigned.\n"
    return THEMES_HEADER + summary + "\n" + body


ASSIGNMENT_COLUMNS = (
    "statement_id",
    "doc_id",
    "speaker",
    "start",
    "end",
    "theme_id",
    "theme_label",
    "score",
    "text",  # last, so the columns before it keep their place and the long text has room
)


def assignments_csv(run: ThemeRun) -> str:
    """``assignments.csv``: each statement's place, theme and (pseudonymised) text, one row each.

    Every text field is quoted (numbers are not), so that a statement holding commas, semicolons,
    quotes or line breaks stays one cell, also in a spreadsheet that splits on semicolons.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(ASSIGNMENT_COLUMNS)
    for unit, theme_id, score in zip(run.units, run.assignment, run.scores, strict=True):
        label = run.themes[theme_id].label if theme_id != UNASSIGNED else ""
        writer.writerow(
            [
                unit.id,
                unit.doc_id,
                unit.speaker or "",
                unit.start,
                unit.end,
                theme_id,
                label,
                score,
                unit.text,
            ]
        )
    return out.getvalue()


def save_run(run: ThemeRun, folder: Path) -> None:
    """Write every file of a theme run (each atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_npy(folder / EMBEDDINGS_FILE, run.embeddings)
    state = {
        "format": FORMAT,
        "settings": run.settings,
        "units": [u.to_dict() for u in run.units],
        "assignment": run.assignment,
        "scores": run.scores,
        "themes": [theme_to_dict(t) for t in sorted(run.themes.values(), key=lambda t: t.id)],
    }
    atomic_write_json(folder / STATE_FILE, state)
    atomic_write_text(folder / ASSIGNMENTS_FILE, assignments_csv(run))
    atomic_write_text(folder / THEMES_FILE, themes_yaml(run))


def load_run(folder: Path) -> ThemeRun:
    """A theme run written by :func:`save_run`; a damaged file is an :class:`InputError`."""
    state_path = folder / STATE_FILE
    if not state_path.is_file():
        raise InputError(
            folder,
            f"no theme run here ({STATE_FILE} is missing)",
            "Run `thememine themes` or `thememine run` first.",
        )
    state = load_json(state_path.read_bytes(), state_path, _DAMAGED)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise InputError(state_path, f"not a thememine theme run ({FORMAT})", _DAMAGED)
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
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # a field missing or of the wrong kind
        raise InputError(state_path, f"is damaged ({type(err).__name__})", _DAMAGED) from None
    if len(embeddings) != len(units):
        raise InputError(
            folder / EMBEDDINGS_FILE, f"does not match {STATE_FILE}", "Run `thememine themes` again."
        )
    if len(run.assignment) != len(units) or len(run.scores) != len(units):
        raise InputError(state_path, "is damaged (assignments and statements differ in number)", _DAMAGED)
    return run


_DAMAGED = (
    "It was changed or cut short (an interrupted run, a full disk). Restore the run folder from a "
    "backup, or fit the themes again with `thememine themes` and --force"
)


def _load_embeddings(path: Path) -> Matrix:
    """The embeddings of a run: a finite float matrix, or an :class:`InputError` saying what is wrong."""
    if not path.is_file():
        raise InputError(path, "is missing", _DAMAGED)
    try:
        array = np.load(path, allow_pickle=False)
        if not isinstance(array, np.ndarray) or array.ndim != 2:
            raise ValueError("not a matrix")
        matrix = array.astype(np.float32)
    except (ValueError, TypeError, EOFError) as err:  # numpy's words for a cut-short or foreign file
        raise InputError(path, f"cannot be read ({type(err).__name__})", _DAMAGED) from None
    if not np.isfinite(matrix).all():
        raise InputError(path, "holds numbers that are not finite", _DAMAGED)
    return matrix


def log_decision(folder: Path, decision: dict[str, Any]) -> None:
    """Append one decision to ``decisions.log`` (never rewritten)."""
    entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **decision}
    with (folder / LOG_FILE).open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")


def read_log(folder: Path) -> list[dict[str, Any]]:
    """The decisions logged in ``decisions.log`` (none without one); a damaged line is an InputError."""
    path = folder / LOG_FILE
    if not path.is_file():
        return []
    return read_jsonl(path)
