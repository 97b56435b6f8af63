"""One writer at a time, and undo, for the decisions applied to a theme run folder.

Decisions reach a run folder from ``themes.yaml`` (``thememine apply``), from the command line
(``thememine theme …``) and from the review page. All of them go through
:func:`thememine.themes.decisions.apply_in_folder`, which loads, applies and saves within one step
of the run folder (:func:`thememine.runfolder.step`, which holds the folder's lock), so two
browser tabs or a tab and a terminal never interleave their writes: the later decision is applied
to the run as the earlier one left it (or refused, with the reason, when its theme is gone).

Before a batch of decisions is saved, the state it changes (assignments, scores, themes,
settings) is kept in ``history/NNNNNN.json``, and each ``decisions.log`` entry of the batch
carries that number. :func:`undo` puts back the state before the last batch, logs an ``undo``
entry naming the batch, and removes the snapshot; undoing again goes one batch further back.
:func:`effective_log` is the log without undone entries, as ``themes --update`` reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thememine.errors import InputError
from thememine.limits import load_json
from thememine.runfolder import (
    HISTORY_DIR,
    Step,
    load_run,
    read_log,
    recover,
    step,
    theme_from_dict,
    theme_to_dict,
)
from thememine.themes.model import ThemeRun
from thememine.themes.store import stage_run

UNDO = "undo"


@dataclass(frozen=True)
class Snapshot:
    """The state of a run before one batch of decisions, and what the batch did."""

    batch: int
    messages: list[str]
    path: Path


def fingerprint(run: ThemeRun) -> str:
    """Which statements the run holds: a snapshot only fits a run with the same statements."""
    digest = hashlib.sha256()
    for unit in run.units:
        digest.update(unit.id.encode("utf-8") + b"\n")
    return digest.hexdigest()


def state_text(run: ThemeRun) -> str:
    """What decisions change in ``run``, as JSON text (taken before they change it)."""
    state = {
        "fingerprint": fingerprint(run),
        "settings": run.settings,
        "assignment": run.assignment,
        "scores": run.scores,
        "themes": [theme_to_dict(t) for t in sorted(run.themes.values(), key=lambda t: t.id)],
    }
    return json.dumps(state, ensure_ascii=False)


def _batches(folder: Path) -> list[Path]:
    recover(folder)
    history = folder / HISTORY_DIR
    return sorted(history.glob("[0-9]*.json")) if history.is_dir() else []


def next_batch(folder: Path) -> int:
    """A batch number never used in this folder (the log keeps the numbers of undone batches)."""
    used = [int(p.stem) for p in _batches(folder)]
    used += [int(e["batch"]) for e in read_log(folder) if isinstance(e.get("batch"), int)]
    return max(used, default=0) + 1


def keep_snapshot(writing: Step, state: str, batch: int, messages: Sequence[str]) -> None:
    """Keep the :func:`state_text` of a run before batch ``batch``, with the step that changes it."""
    writing.write_text(
        f"{HISTORY_DIR}/{batch:06d}.json",
        json.dumps({"batch": batch, "messages": list(messages)}, ensure_ascii=False) + "\n" + state + "\n",
    )


def last_snapshot(folder: Path) -> Snapshot | None:
    """The batch an undo would take back, if any."""
    batches = _batches(folder)
    if not batches:
        return None
    path = batches[-1]
    try:
        with path.open("rb") as handle:
            head = load_json(handle.readline(), path, "")
        return Snapshot(int(head["batch"]), [str(m) for m in head["messages"]], path)
    except (OSError, ValueError, KeyError, TypeError, InputError):
        raise _damaged(path) from None


def _damaged(path: Path) -> InputError:
    return InputError(path, "is damaged, so the last decision cannot be undone", "Remove that file")


def _state_of(path: Path) -> dict[str, Any]:
    try:
        state = load_json(path.read_bytes().split(b"\n", 1)[1], path, "")
    except (OSError, IndexError, InputError):
        raise _damaged(path) from None
    if not isinstance(state, dict):
        raise _damaged(path)
    return state


def undo(folder: Path, guard: Callable[[ThemeRun], None] | None = None) -> str:
    """Put back the run as it was before its last batch of decisions; say what was undone.

    ``guard`` may refuse (by raising) once the run is loaded under the lock.
    """
    with step(folder) as writing:
        snapshot = last_snapshot(folder)
        if snapshot is None:
            raise InputError(folder, "there is no decision to undo", "")
        run = load_run(folder)
        if guard is not None:
            guard(run)
        state = _state_of(snapshot.path)
        if state.get("fingerprint") != fingerprint(run):
            raise InputError(
                folder,
                "the themes were fitted again after the last decision, so it cannot be undone",
                "Make the change again as a new decision",
            )
        next_id = run.next_id()  # ids given by the undone batch are never given again
        try:
            settings = dict(state["settings"])
            assignment = [int(t) for t in state["assignment"]]
            scores = [float(s) for s in state["scores"]]
            themes = {t.id: t for t in (theme_from_dict(d) for d in state["themes"])}
        except (KeyError, TypeError, ValueError):
            raise _damaged(snapshot.path) from None
        if len(assignment) != len(run.units) or len(scores) != len(run.units):
            raise _damaged(snapshot.path)
        settings["next_id"] = max(next_id, int(settings.get("next_id", 1)))
        run.settings, run.assignment, run.scores, run.themes = settings, assignment, scores, themes
        entry = {"action": UNDO, "batch": snapshot.batch, "undid": snapshot.messages}
        stage_run(writing, run, [entry], embeddings=False)
        writing.remove(f"{HISTORY_DIR}/{snapshot.path.name}")
    return "undid: " + "; ".join(snapshot.messages)


def forget(writing: Step) -> None:
    """Drop the snapshots with ``writing``, a new fit, which they no longer fit."""
    for path in _batches(writing.folder):
        writing.remove(f"{HISTORY_DIR}/{path.name}")


def effective_log(log: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The decision log without the entries of undone batches and without the undo entries."""
    undone = {int(e["batch"]) for e in log if e.get("action") == UNDO and isinstance(e.get("batch"), int)}
    return [e for e in log if e.get("action") != UNDO and e.get("batch") not in undone]
