"""What a theme run writes into its run folder, besides the state (see :mod:`thememine.runfolder`).

``themes.yaml``       the themes for the researcher to read and edit (decisions go here)
``assignments.csv``   statement id, document, speaker, offsets, theme id, theme label, score, text
``decisions.log``     every decision applied, one JSON line each, with its time; only appended to

:func:`stage_run` is the one way a theme run is saved: the state, the embeddings, these views and
the log entries go into one step of the run folder, so that they change together or not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from thememine.runfolder import ASSIGNMENTS_FILE, THEMES_FILE, Step, step
from thememine.themes.model import UNASSIGNED, ThemeRun

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


def stage_run(
    writing: Step, run: ThemeRun, log: Sequence[dict[str, Any]] = (), embeddings: bool = True
) -> None:
    """Stage every file of a theme run, and the ``decisions.log`` entries of what changed it.

    ``embeddings`` is left out by decisions: they never change the statements or their vectors.
    """
    writing.write_run(run, embeddings)
    writing.write_text(ASSIGNMENTS_FILE, assignments_csv(run))
    writing.write_text(THEMES_FILE, themes_yaml(run))
    for entry in log:
        writing.log(entry)


def save_run(run: ThemeRun, folder: Path, log: Sequence[dict[str, Any]] = ()) -> None:
    """Write a theme run into ``folder`` as one step (see :func:`stage_run`)."""
    with step(folder) as writing:
        stage_run(writing, run, log)
