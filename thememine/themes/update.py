"""Carrying the researcher's decisions over to a new fit (a new interview, more statements).

The new run's themes are matched to the previous run's themes, first by the statements they share
(statements keep their ids from run to run, so this is the most robust signal), then by centroid
similarity. A matched theme keeps the old id, status and researcher's label; themes the
researcher merged are merged again; a theme like one the researcher deleted is deleted again;
statements the researcher moved go back where they were put. Everything else is new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from thememine.embed.base import normalise_rows
from thememine.themes.describe import describe
from thememine.themes.history import effective_log
from thememine.themes.model import UNASSIGNED, Matrix, Theme, ThemeRun
from thememine.themes.store import load_run, read_log

OVERLAP_MATCH = 0.5  # a new theme is an old one when more than half its statements were in it
CENTROID_MATCH = 0.9  # …or, failing that, when their centroids are this close (e5-like embeddings)


def carry_over(
    previous: ThemeRun,
    log: Sequence[dict[str, Any]],
    new: ThemeRun,
    code_vectors: Matrix | None = None,
    code_names: Sequence[str] = (),
) -> list[str]:
    """Give ``new`` the ids and decisions of ``previous`` (in place); say what is new or changed.

    ``log`` is the previous run's ``decisions.log`` (:func:`thememine.themes.store.read_log`).
    """
    deleted = _deleted(previous, log)
    merged_into = {int(e["theme"]) for e in log if e.get("action") == "merge"}
    groups = {t: [new.units[r].id for r in new.members(t)] for t in sorted(new.themes)}
    matches = _by_overlap(previous, deleted, groups, merged_into)
    matches.update(_by_centroid(previous, deleted, new, groups, matches))

    messages: list[str] = []
    final: dict[int, int] = {}  # new run's theme id → id after the update (UNASSIGNED: deleted)
    counter = _next_id(previous, log)
    for theme_id in sorted(new.themes):
        old = matches.get(theme_id)
        if old is None:
            final[theme_id] = counter
            counter += 1
        elif old in previous.themes:
            final[theme_id] = old
        else:
            final[theme_id] = UNASSIGNED
    themes: dict[int, Theme] = {}
    for theme_id in sorted(new.themes, key=lambda t: (final[t], t)):
        target = final[theme_id]
        if target == UNASSIGNED or target in themes:
            continue
        theme = new.themes[theme_id]
        theme.id = target
        old_theme = previous.themes.get(target)
        if old_theme is not None:
            theme.status, theme.named, theme.parents = (
                old_theme.status,
                old_theme.named,
                list(old_theme.parents),
            )
            if old_theme.named:
                theme.label = old_theme.label
        themes[target] = theme
    new.assignment = [final.get(t, UNASSIGNED) if t != UNASSIGNED else UNASSIGNED for t in new.assignment]
    new.themes = themes

    for old_id in sorted({o for o in matches.values() if o not in previous.themes}):
        came = [t for t, o in matches.items() if o == old_id]
        count = sum(len(groups[t]) for t in came)
        messages.append(
            f"a theme like deleted theme {old_id} ({deleted[old_id][1]}) came back with {count} "
            "statements; deleted again"
        )
    for old_id in sorted(set(themes) & set(previous.themes)):
        came = [t for t, o in matches.items() if o == old_id]
        if len(came) > 1:
            messages.append(f"{len(came)} themes like the ones merged into {old_id} were merged again")
    messages += _moves(previous, log, new)

    sizes_before = {t: len(previous.members(t)) for t in previous.themes}
    describe(new, code_vectors, code_names)
    new.settings["next_id"] = max(counter, new.next_id())
    for theme in sorted(new.themes.values(), key=lambda t: t.id):
        before = sizes_before.get(theme.id)
        if before is None:
            theme.note = "new"
            messages.append(f"new theme {theme.id} ({theme.label}, {theme.size} statements)")
        elif before != theme.size:
            verb = "grew" if theme.size > before else "shrank"
            theme.note = f"{verb} from {before} to {theme.size} statements"
            messages.append(f"theme {theme.id} ({theme.label}) {theme.note}")
        else:
            theme.note = ""
    for old_id in sorted(set(previous.themes) - set(new.themes)):
        old_theme = previous.themes[old_id]
        messages.append(f"theme {old_id} ({old_theme.label}, {old_theme.status}) has no match in the new fit")
    return messages


def update_run(
    previous_dir: Path,
    new: ThemeRun,
    code_vectors: Matrix | None = None,
    code_names: Sequence[str] = (),
) -> tuple[ThemeRun, list[str]]:
    """Load the run in ``previous_dir`` and its decision log, and carry them over to ``new``.

    The caller saves the returned run (and keeps ``decisions.log``, which later updates read).
    """
    previous = load_run(previous_dir)
    messages = carry_over(previous, effective_log(read_log(previous_dir)), new, code_vectors, code_names)
    return new, messages


def _deleted(previous: ThemeRun, log: Sequence[dict[str, Any]]) -> dict[int, tuple[list[str], str]]:
    """Deleted theme id → (its statements still unassigned in ``previous``, its label)."""
    unassigned = {u.id for u, t in zip(previous.units, previous.assignment, strict=True) if t == UNASSIGNED}
    found: dict[int, tuple[list[str], str]] = {}
    for entry in log:
        if entry.get("action") != "delete" or int(entry["theme"]) in previous.themes:
            continue
        statements = [s for s in entry.get("statements", []) if s in unassigned]
        if statements:
            found[int(entry["theme"])] = (statements, str(entry.get("label", "")))
    return found


def _by_overlap(
    previous: ThemeRun,
    deleted: dict[int, tuple[list[str], str]],
    groups: dict[int, list[str]],
    merged_into: set[int],
) -> dict[int, int]:
    """New theme → old theme (or deleted theme) that held most of its statements."""
    where = {u.id: t for u, t in zip(previous.units, previous.assignment, strict=True) if t != UNASSIGNED}
    for old_id, (statements, _) in deleted.items():
        where.update(dict.fromkeys(statements, old_id))
    best: dict[int, tuple[int, int]] = {}  # new theme → (old theme, shared statements)
    for theme_id, statements in groups.items():
        counts = Counter(where[s] for s in statements if s in where)
        if not counts:
            continue
        old_id, shared = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if shared > OVERLAP_MATCH * len(statements):
            best[theme_id] = (old_id, shared)
    matches: dict[int, int] = {}
    for old_id in sorted({o for o, _ in best.values()}):
        candidates = sorted((t for t, (o, _) in best.items() if o == old_id), key=lambda t: (-best[t][1], t))
        # several new themes in one old theme: merge them again if the researcher merged it (or
        # deleted it); otherwise the one with most of its statements keeps it
        keep = candidates if old_id in merged_into or old_id in deleted else candidates[:1]
        matches.update(dict.fromkeys(keep, old_id))
    return matches


def _by_centroid(
    previous: ThemeRun,
    deleted: dict[int, tuple[list[str], str]],
    new: ThemeRun,
    groups: dict[int, list[str]],
    matched: dict[int, int],
) -> dict[int, int]:
    """Pair the themes overlap left unmatched by centroid similarity (one to one, at least CENTROID_MATCH)."""
    same_space = previous.embeddings.shape[1] == new.embeddings.shape[1] and new.settings.get("embedder") in (
        None,
        previous.settings.get("embedder"),
    )
    if not same_space:
        return {}  # fitted with another embedder: centroids cannot be compared, overlap alone decides
    taken = set(matched.values())
    rows = {u.id: i for i, u in enumerate(previous.units)}
    old_vectors, new_vectors = normalise_rows(previous.embeddings), normalise_rows(new.embeddings)
    old_groups = {t: previous.members(t) for t in sorted(previous.themes) if t not in taken}
    old_groups.update({t: [rows[s] for s in ss] for t, (ss, _) in sorted(deleted.items()) if t not in taken})
    old_ids = [t for t, members in old_groups.items() if members]
    new_ids = [t for t in groups if t not in matched and groups[t]]
    if not old_ids or not new_ids:
        return {}
    old_centres = normalise_rows(np.stack([old_vectors[old_groups[t]].mean(axis=0) for t in old_ids]))
    new_centres = normalise_rows(np.stack([new_vectors[new.members(t)].mean(axis=0) for t in new_ids]))
    similarity = new_centres @ old_centres.T
    pairs = linear_sum_assignment(-similarity)
    return {
        new_ids[i]: old_ids[j]
        for i, j in zip(pairs[0], pairs[1], strict=True)
        if similarity[i, j] >= CENTROID_MATCH
    }


def _moves(previous: ThemeRun, log: Sequence[dict[str, Any]], new: ThemeRun) -> list[str]:
    """Put statements the researcher moved where they were in the previous run (if that theme is here)."""
    moved = {str(e["statement"]) for e in log if e.get("action") == "move"}
    before = {u.id: t for u, t in zip(previous.units, previous.assignment, strict=True)}
    messages = []
    for row, unit in enumerate(new.units):
        if unit.id not in moved or unit.id not in before:
            continue
        target = before[unit.id]
        if target == new.assignment[row]:
            continue
        if target != UNASSIGNED and target not in new.themes:
            messages.append(f"statement {unit.id} could not be moved again: theme {target} has no match")
            continue
        new.assignment[row] = target
        messages.append(
            f"statement {unit.id} moved to {'no theme' if target == UNASSIGNED else target} again"
        )
    return messages


def _next_id(previous: ThemeRun, log: Sequence[dict[str, Any]]) -> int:
    """An id after every id the previous run or its log ever used."""
    used = [previous.next_id() - 1]
    for entry in log:
        for key in ("theme", "to"):
            if isinstance(entry.get(key), int):
                used.append(entry[key])
        used += [int(t) for t in entry.get("with", []) + entry.get("into", [])]
    return max(used) + 1
