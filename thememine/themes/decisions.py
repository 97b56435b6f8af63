"""The researcher's decisions about candidate themes: read, checked, applied, logged.

A decision comes from an edited ``themes.yaml`` (:func:`read_decisions`) or from a
``thememine theme …`` command; both give the same :class:`Decision` records, applied by the same
:func:`apply_decisions`. Every decision is checked against the run before anything changes, so a
mistake in the file changes nothing and says what to fix.

Theme ids in a decision name the themes as the researcher saw them. Moves are applied first, then
the theme decisions in the order given; a theme may take part in one theme decision only.
Ids are never reused: ``run.settings["next_id"]`` counts past every id ever given, so that
``decisions.log`` keeps naming one theme by one id.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from thememine.errors import InputError
from thememine.runfolder import CODE_VECTORS_FILE, THEMES_FILE, Step, load_run, step
from thememine.themes import history
from thememine.themes.coding import run_guide
from thememine.themes.describe import describe, new_themes
from thememine.themes.fit import cluster, content_mask, stability_now
from thememine.themes.model import CANDIDATE, CONFIRMED, UNASSIGNED, Matrix, ThemeRun
from thememine.themes.neutral import keyword_text
from thememine.themes.store import stage_run

CONFIRM, RENAME, MERGE, SPLIT, DELETE, MOVE = "confirm", "rename", "merge", "split", "delete", "move"
THEME_ACTIONS = (CONFIRM, RENAME, MERGE, SPLIT, DELETE)
# What a researcher may write as `action`, English or Danish, compared in lower case.
ACTION_WORDS: dict[str, str] = {
    "confirm": CONFIRM,
    "bekræft": CONFIRM,
    "rename": RENAME,
    "omdøb": RENAME,
    "merge": MERGE,
    "flet": MERGE,
    "sammenlæg": MERGE,
    "split": SPLIT,
    "del": SPLIT,
    "opdel": SPLIT,
    "delete": DELETE,
    "slet": DELETE,
}
UNASSIGNED_WORDS = ("none", "unassigned", "ingen")  # ways to write "to no theme" besides -1

_HINT_FILE = "Fix themes.yaml and run `thememine apply` again; nothing was changed"


@dataclass(frozen=True)
class Decision:
    """One decision about a theme (``theme``) or, for a move, about one statement.

    ``others`` are the themes merged into ``theme``; ``k`` is the number of themes a split makes;
    a move takes ``statement`` to ``theme`` (or to :data:`UNASSIGNED`). A merge may carry a label.
    """

    action: str
    theme: int
    label: str = ""
    others: tuple[int, ...] = ()
    k: int = 0
    statement: str = ""

    def describe(self) -> str:
        if self.action == MOVE:
            return f"move {self.statement} to {self.theme}"
        if self.action == MERGE:
            return f"merge {', '.join(map(str, self.others))} into {self.theme}"
        return f"{self.action} {self.theme}"


@dataclass
class Applied:
    """What one decision did: a message for the researcher and an entry for ``decisions.log``."""

    message: str
    record: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Reading themes.yaml


def read_decisions(themes_yaml_path: Path, run: ThemeRun) -> list[Decision]:
    """The decisions written into an edited ``themes.yaml``, checked against ``run``.

    Raises :class:`InputError` naming the theme, statement or line at fault.
    """
    path = themes_yaml_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "is missing", "Run `thememine themes` to write it again") from None
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text", "Save it as UTF-8 from your editor") from None
    try:
        data = yaml.safe_load(io.StringIO(text))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" on line {mark.line + 1}" if mark is not None else ""
        problem = err.problem or err.context or "unreadable"
        raise InputError(
            path,
            f"is not valid YAML{where}: {problem}",
            "Check the indentation there, and put a label with a colon or # in quotes",
        ) from None
    except yaml.YAMLError as err:
        raise InputError(path, f"is not valid YAML: {err}", _HINT_FILE) from None
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise InputError(path, "has no `themes:` list", "Run `thememine themes` to write it again")
    decisions: list[Decision] = []
    seen: set[int] = set()
    for number, entry in enumerate(data["themes"], start=1):
        decision = _theme_decision(path, run, number, entry, seen)
        if decision is not None:
            decisions.append(decision)
    moves = data.get("moves") or []
    if not isinstance(moves, list):
        raise InputError(path, "`moves:` is not a list", "Write each move as - {statement: ID, to: THEME}")
    decisions = [_move_decision(path, move) for move in moves] + decisions
    check_decisions(run, decisions, path)
    return decisions


def _theme_decision(path: Path, run: ThemeRun, number: int, entry: Any, seen: set[int]) -> Decision | None:
    if not isinstance(entry, dict) or "id" not in entry:
        raise InputError(path, f"theme entry {number} has no `id`", "Keep the ids as thememine wrote them")
    theme_id = _theme_id(path, entry["id"], f"theme entry {number}")
    if theme_id not in run.themes:
        raise InputError(path, f"theme {theme_id} does not exist in this run ({_known(run)})", _HINT_FILE)
    if theme_id in seen:
        raise InputError(path, f"theme {theme_id} is listed twice", "Keep one entry per theme")
    seen.add(theme_id)
    theme = run.themes[theme_id]
    raw_action = entry.get("action")
    action_word = "" if raw_action is None else str(raw_action).strip().lower()
    action = ACTION_WORDS.get(action_word, "") if action_word else ""
    if action_word and not action:
        raise InputError(
            path,
            f"theme {theme_id} has an unknown action {raw_action!r}",
            f"Use one of {', '.join(THEME_ACTIONS)}, or leave it empty",
        )
    raw_label = entry.get("label")
    label = "" if raw_label is None else str(raw_label).strip()
    relabelled = label != theme.label.strip()
    status = str(entry.get("status") or theme.status).strip().lower()
    if status != theme.status:
        if status != CONFIRMED or theme.status != CANDIDATE:
            raise InputError(
                path,
                f"theme {theme_id} has status {entry.get('status')!r}",
                f"A status can only be changed from {CANDIDATE} to {CONFIRMED}; use `action` for the rest",
            )
        action = action or CONFIRM
    if not action:
        return Decision(RENAME, theme_id, label) if relabelled else None
    if action in (CONFIRM, RENAME) and (relabelled or action == RENAME):
        if not label:
            raise InputError(path, f"theme {theme_id} is renamed to an empty label", "Write the new label")
        return Decision(RENAME, theme_id, label)
    if action == MERGE:
        others = entry.get("with")
        if others in (None, "", []):
            raise InputError(
                path,
                f"theme {theme_id} is to be merged, but `with` is missing",
                f"Add the themes to take in, e.g. `with: [5, 7]` under theme {theme_id}",
            )
        listed = others if isinstance(others, list) else [others]
        ids = tuple(_theme_id(path, other, f"theme {theme_id}'s `with`") for other in listed)
        return Decision(MERGE, theme_id, label if relabelled else "", others=ids)
    if action == SPLIT:
        k = entry.get("k", 2)
        if isinstance(k, bool) or not isinstance(k, int):
            raise InputError(path, f"theme {theme_id} has k: {k!r}, not a whole number", "Write e.g. `k: 2`")
        return Decision(SPLIT, theme_id, k=k)
    return Decision(action, theme_id)


def _move_decision(path: Path, move: Any) -> Decision:
    if not isinstance(move, dict) or "statement" not in move or "to" not in move:
        raise InputError(
            path, f"the move {move!r} needs `statement` and `to`", "Write it as - {statement: ID, to: THEME}"
        )
    statement = str(move["statement"]).strip()
    return Decision(MOVE, parse_target(path, move["to"], f"the move of {statement}"), statement=statement)


def _theme_id(path: Path | str, value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(path, f"{where}: {value!r} is not a theme id", "Theme ids are whole numbers")
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(
            path, f"{where}: {value!r} is not a theme id", "Theme ids are whole numbers"
        ) from None


def parse_target(path: Path | str, value: Any, where: str) -> int:
    """A move's target theme id; ``-1``, ``none`` or ``unassigned`` mean no theme."""
    if value is None or str(value).strip().lower() in UNASSIGNED_WORDS:
        return UNASSIGNED
    return _theme_id(path, value, where)


def _known(run: ThemeRun) -> str:
    ids = sorted(run.themes)
    return f"its themes are {', '.join(map(str, ids))}" if ids else "it has no themes"


# ---------------------------------------------------------------------------------------------
# Checking


def check_decisions(run: ThemeRun, decisions: Sequence[Decision], source: Path | str) -> None:
    """Raise :class:`InputError` unless every decision can be applied to ``run`` as it is."""
    rows = {u.id: i for i, u in enumerate(run.units)}
    sizes = {t: len(run.members(t)) for t in run.themes}
    involved: dict[int, str] = {}
    deleted: set[int] = set()
    moved: set[str] = set()
    for decision in decisions:
        if decision.action == MOVE:
            continue
        if decision.action not in THEME_ACTIONS:
            raise InputError(
                source, f"unknown action {decision.action!r}", f"Use one of {', '.join(THEME_ACTIONS)}"
            )
        if decision.action == RENAME and not decision.label.strip():
            raise InputError(source, f"theme {decision.theme} is renamed to an empty label", "Give a label")
        if decision.action == MERGE and not decision.others:
            raise InputError(source, f"merging theme {decision.theme} needs the themes to take in", "")
        if decision.action == MERGE and decision.theme in decision.others:
            raise InputError(source, f"theme {decision.theme} cannot be merged with itself", "")
        for theme_id in (decision.theme, *decision.others):
            if theme_id not in run.themes:
                raise InputError(
                    source,
                    f"theme {theme_id} does not exist in this run ({_known(run)})",
                    "Use the ids listed in themes.yaml",
                )
            if theme_id in involved:
                raise InputError(
                    source,
                    f"theme {theme_id} takes part in two decisions ({involved[theme_id]}; {decision.describe()})",
                    "Keep one decision per theme; apply the other one afterwards",
                )
            involved[theme_id] = decision.describe()
        if decision.action == DELETE:
            deleted.add(decision.theme)
    for decision in decisions:
        if decision.action != MOVE:
            continue
        if decision.statement not in rows:
            raise InputError(
                source,
                f"there is no statement {decision.statement!r} in this run",
                "Copy the id from assignments.csv or from a quote's [brackets]",
            )
        if decision.statement in moved:
            raise InputError(source, f"statement {decision.statement} is moved twice", "Keep one move")
        moved.add(decision.statement)
        target = decision.theme
        if target != UNASSIGNED and target not in run.themes:
            raise InputError(
                source,
                f"statement {decision.statement} is moved to theme {target}, which does not exist ({_known(run)})",
                "",
            )
        if target in deleted:
            raise InputError(
                source,
                f"statement {decision.statement} is moved to theme {target}, which is also deleted",
                "Move it to another theme, or to -1 to leave it unassigned",
            )
        current = run.assignment[rows[decision.statement]]
        if current != UNASSIGNED:
            sizes[current] -= 1
        if target != UNASSIGNED:
            sizes[target] += 1
    for decision in decisions:
        if decision.action == SPLIT and not 2 <= decision.k <= sizes[decision.theme]:
            raise InputError(
                source,
                f"theme {decision.theme} cannot be split into {decision.k} themes: it has "
                f"{sizes[decision.theme]} statements",
                "Choose k from 2 up to the number of statements",
            )


# ---------------------------------------------------------------------------------------------
# Applying


def apply_decisions(
    run: ThemeRun,
    decisions: Sequence[Decision],
    code_vectors: Matrix | None = None,
    code_names: Sequence[str] = (),
    source: Path | str = "decisions",
) -> list[str]:
    """Apply ``decisions`` to ``run`` (in place) and describe the themes again; one message each."""
    return [applied.message for applied in apply_all(run, decisions, code_vectors, code_names, source)]


def apply_all(
    run: ThemeRun,
    decisions: Sequence[Decision],
    code_vectors: Matrix | None = None,
    code_names: Sequence[str] = (),
    source: Path | str = "decisions",
) -> list[Applied]:
    """As :func:`apply_decisions`, with the ``decisions.log`` entry of each decision."""
    check_decisions(run, decisions, source)
    run.settings["next_id"] = run.next_id()
    members_before = {t: run.members(t) for t in run.themes}
    ordered = [d for d in decisions if d.action == MOVE] + [d for d in decisions if d.action != MOVE]
    done = [_APPLY[d.action](run, d) for d in ordered]
    before = set(run.themes)
    describe(run, code_vectors, code_names)
    _measure_changed(run, members_before, code_vectors)
    for emptied in sorted(before - set(run.themes)):
        done.append(Applied(f"theme {emptied} lost all its statements and was removed"))
    for applied in done:
        kept = applied.record.get("theme")
        if applied.record.get("action") in (RENAME, CONFIRM, MERGE) and kept in run.themes:
            applied.record["label"] = run.themes[kept].label
    return done


def _measure_changed(
    run: ThemeRun, members_before: dict[int, list[int]], code_vectors: Matrix | None = None
) -> None:
    """Give every theme whose statements changed (merged, split, moved to or from) its stability as
    it now stands, from the fit's consensus runs as the run kept them (or, for a run folder written
    before they were kept, had again, guided by the codebook with the code vectors saved with the
    run when the fit was); the others keep theirs."""
    if run.settings.get("method") != "consensus":
        return
    changed = {t: run.members(t) for t in run.themes if run.members(t) != members_before.get(t)}
    if not changed:
        return
    mask = content_mask(run.units, include_interviewer=bool(run.settings.get("include_interviewer")))
    fitted = [i for i, keep in enumerate(mask) if keep]
    seed = int(run.settings.get("seed", 42))
    guide = None if run.ensemble is not None else run_guide(run, code_vectors, fitted)
    fitted_guide = None if guide is None else guide[fitted]
    measured = stability_now(run.embeddings, fitted, seed, changed, fitted_guide, run.ensemble)
    for theme, stability in measured.items():
        run.themes[theme].stability = stability


def _confirm(run: ThemeRun, decision: Decision) -> Applied:
    theme = run.themes[decision.theme]
    theme.status = CONFIRMED
    return Applied(
        f"confirmed {theme.id} ({theme.label})", {"action": CONFIRM, "theme": theme.id, "label": theme.label}
    )


def _rename(run: ThemeRun, decision: Decision) -> Applied:
    theme = run.themes[decision.theme]
    old = theme.label
    theme.label, theme.named, theme.status = decision.label.strip(), True, CONFIRMED
    return Applied(
        f"renamed {theme.id} → {theme.label}",
        {"action": RENAME, "theme": theme.id, "label": theme.label, "old_label": old},
    )


def _merge(run: ThemeRun, decision: Decision) -> Applied:
    theme = run.themes[decision.theme]
    for other in decision.others:
        for row in run.members(other):
            run.assignment[row] = theme.id
        del run.themes[other]
    theme.parents = [*theme.parents, *(o for o in decision.others if o not in theme.parents)]
    if decision.label.strip():
        theme.label, theme.named, theme.status = decision.label.strip(), True, CONFIRMED
    ids = ", ".join(map(str, decision.others))
    return Applied(
        f"merged {ids} into {theme.id}",
        {"action": MERGE, "theme": theme.id, "with": list(decision.others), "label": theme.label},
    )


def _split(run: ThemeRun, decision: Decision) -> Applied:
    rows = run.members(decision.theme)
    k = min(decision.k, len(rows))
    labels, _ = cluster(
        [keyword_text(run.units[r]) for r in rows],
        run.embeddings[rows],
        seed=int(run.settings.get("seed", 42)),
        n_themes=k,
    )
    old = run.themes.pop(decision.theme)
    created = new_themes(run, labels, rows, parents=[decision.theme])
    run.settings["next_id"] = run.next_id()
    return Applied(
        f"split {decision.theme} into {', '.join(map(str, created))}",
        {"action": SPLIT, "theme": decision.theme, "label": old.label, "k": decision.k, "into": created},
    )


def _delete(run: ThemeRun, decision: Decision) -> Applied:
    rows = run.members(decision.theme)
    for row in rows:
        run.assignment[row] = UNASSIGNED
    old = run.themes.pop(decision.theme)
    return Applied(
        f"deleted {decision.theme} ({old.label}; {len(rows)} statements unassigned)",
        {
            "action": DELETE,
            "theme": decision.theme,
            "label": old.label,
            "statements": [run.units[r].id for r in rows],  # ids only: lets an update delete it again
        },
    )


def _move(run: ThemeRun, decision: Decision) -> Applied:
    row = next(i for i, u in enumerate(run.units) if u.id == decision.statement)
    before = run.assignment[row]
    run.assignment[row] = decision.theme
    where = "no theme" if decision.theme == UNASSIGNED else str(decision.theme)
    return Applied(
        f"moved {decision.statement} to {where}",
        {"action": MOVE, "statement": decision.statement, "from": before, "to": decision.theme},
    )


_APPLY = {
    CONFIRM: _confirm,
    RENAME: _rename,
    MERGE: _merge,
    SPLIT: _split,
    DELETE: _delete,
    MOVE: _move,
}


# ---------------------------------------------------------------------------------------------
# A run folder


def save_codes(writing: Step, names: Sequence[str], vectors: Matrix) -> None:
    """Keep a run's codebook vectors with its fit, so that decisions can name changed themes by code."""
    if len(names) != len(vectors):
        raise ValueError("one vector per code name is needed")
    writing.write_npy(CODE_VECTORS_FILE, vectors)


def load_codes(folder: Path, run: ThemeRun) -> tuple[Matrix | None, list[str]]:
    """The codebook vectors saved with a run and their names (``settings["code_names"]``), if any."""
    names = [str(n) for n in run.settings.get("code_names", [])]
    path = folder / CODE_VECTORS_FILE
    if not names or not path.is_file():
        return None, []
    try:
        vectors = np.load(path, allow_pickle=False).astype(np.float32)
    except (ValueError, TypeError, EOFError) as err:  # numpy's words for a cut-short or foreign file
        raise InputError(
            path, f"cannot be read ({type(err).__name__})", "It was cut short; run `thememine themes` again"
        ) from None
    return (vectors, names) if len(vectors) == len(names) else (None, [])


def apply_in_folder(
    folder: Path,
    decisions: Sequence[Decision],
    source: Path | str | None = None,
    guard: Callable[[ThemeRun], None] | None = None,
) -> list[str]:
    """Apply ``decisions`` to the run in ``folder``: save it, rewrite themes.yaml, log each decision.

    All of it is one step of the run folder (locked meanwhile; saved all or nothing), and the state
    before is kept so that :func:`history.undo` can take the batch back. ``guard`` may refuse (by raising) once the run is loaded under the lock.
    """
    if not decisions:
        return []
    return _apply_locked(folder, lambda _run: decisions, source or folder, guard)


def apply_themes_file(folder: Path) -> list[str]:
    """Apply the decisions written into ``folder/themes.yaml``; nothing changes if one is wrong."""
    path = folder / THEMES_FILE
    return _apply_locked(folder, lambda run: read_decisions(path, run), path)


def _apply_locked(
    folder: Path,
    decide: Callable[[ThemeRun], Sequence[Decision]],
    source: Path | str,
    guard: Callable[[ThemeRun], None] | None = None,
) -> list[str]:
    with step(folder) as writing:
        run = load_run(folder)
        if guard is not None:
            guard(run)
        decisions = decide(run)
        if not decisions:
            return []
        before = history.state_text(run)
        code_vectors, code_names = load_codes(folder, run)
        done = apply_all(run, decisions, code_vectors, code_names, source)
        messages = [applied.message for applied in done]
        batch = history.next_batch(folder)
        history.keep_snapshot(writing, before, batch, messages)
        log = [{**applied.record, "batch": batch} for applied in done if applied.record]
        stage_run(writing, run, log, embeddings=False)
    return messages


def pending_decisions(folder: Path, run: ThemeRun | None = None) -> list[Decision]:
    """Decisions written into ``themes.yaml`` and not applied yet (none if the file is missing)."""
    path = folder / THEMES_FILE
    if not path.is_file():
        return []
    return read_decisions(path, run if run is not None else load_run(folder))


class PendingError(InputError):
    """``themes.yaml`` holds decisions not applied yet: writing the run now would lose them."""


def no_pending(folder: Path) -> Callable[[ThemeRun], None]:
    """A guard for :func:`apply_in_folder` and :func:`history.undo`: refuse while themes.yaml holds
    decisions not applied yet (rewriting it would lose them)."""

    def guard(run: ThemeRun) -> None:
        pending = pending_decisions(folder, run)
        if pending:
            raise PendingError(
                folder / THEMES_FILE,
                f"holds {len(pending)} decision(s) not applied yet",
                f"Run `thememine apply {folder}` first, or undo them there; writing the run now would lose them",
            )

    return guard


def summary(messages: Sequence[str]) -> str:
    """``Renamed 3 → Krydspres; merged 5 into 2``."""
    text = "; ".join(messages)
    return text[:1].upper() + text[1:]
