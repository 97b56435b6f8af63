"""Carrying the researcher's decisions over to a new fit (a new interview, more statements).

The new run's themes are matched to the previous run's themes, first by the statements they share
(statements keep their ids from run to run, so this is the most robust signal), then by centroid
similarity. What the researcher decided is kept; the new fit decides the rest:

- A **kept** theme (confirmed, renamed, or made by a merge or a split) keeps its id, status and
  label, and every statement it held that is still in the corpus; new statements join it when the
  new fit puts them with its statements. When no theme of the new fit matches it, it stays as a
  theme of its own with the statements it had, and the messages say so. The new fit never moves a
  statement from one kept theme into another, so two kept themes never merge by an update.
- Themes the researcher **merged** are merged again when the new fit finds them apart.
- The statements of a **deleted** theme stay without a theme, and a theme of the new fit made
  mostly of them is deleted again, new statements in it included (the messages say how many).
- Statements the researcher **moved** go back where they were put.
- A **candidate** theme follows the new fit: it keeps its id when a new theme matches it, and is
  gone (said in the messages) when none does. Everything else is new, with an id never used before.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from thememine.embed.base import normalise_rows
from thememine.runfolder import load_run, read_log
from thememine.themes.describe import describe
from thememine.themes.fit import content_mask
from thememine.themes.history import effective_log
from thememine.themes.model import CONFIRMED, UNASSIGNED, Matrix, Theme, ThemeRun

OVERLAP_MATCH = 0.5  # a new theme is an old one when more than half its statements were in it
CENTROID_MATCH = 0.9  # …or, failing that, when their centroids are this close (e5-like embeddings)


def kept_themes(run: ThemeRun) -> set[int]:
    """Themes whose statements the researcher decided: confirmed, renamed, merged or split ones."""
    return {t.id for t in run.themes.values() if t.status == CONFIRMED or t.named or t.parents}


def carry_over(
    previous: ThemeRun,
    log: Sequence[dict[str, Any]],
    new: ThemeRun,
    code_vectors: Matrix | None = None,
    code_names: Sequence[str] = (),
) -> list[str]:
    """Give ``new`` the ids and decisions of ``previous`` (in place); say what is new or changed.

    ``log`` is the previous run's ``decisions.log`` (:func:`thememine.runfolder.read_log`).
    """
    previous, log = _same_ids(previous, log, new)
    deleted = _deleted(previous, log)
    kept = kept_themes(previous)
    merged_into = {int(e["theme"]) for e in log if e.get("action") == "merge"}
    groups = {t: [new.units[r].id for r in new.members(t)] for t in sorted(new.themes)}
    matches = _by_overlap(previous, deleted, groups, merged_into | kept)
    present = {u.id for u in new.units}
    # a kept theme whose statements are still here is kept by them, never glued to another theme
    here = {t for t in kept if any(previous.units[r].id in present for r in previous.members(t))}
    matches.update(_by_centroid(previous, deleted, new, groups, matches, here))

    # where each statement goes: the new fit's theme, unless the researcher decided otherwise
    before = {u.id: t for u, t in zip(previous.units, previous.assignment, strict=True)}
    unthemed = {s for statements, _ in deleted.values() for s in statements}
    places: list[tuple[str, int]] = []  # ("old", previous id) | ("new", new fit's theme) | ("", -1)
    absorbed: Counter[tuple[int, int]] = Counter()  # (kept theme, kept theme the fit put them in)
    left_out: Counter[int] = Counter()  # kept theme → its statements without content now
    interviewer: Counter[int] = Counter()  # kept theme → its interviewer turns, which it keeps
    kept_back = 0  # statements of kept themes the new fit put elsewhere, kept where they were
    again: Counter[int] = Counter()  # deleted theme → its look-alike's statements, left without a theme
    again_new: Counter[int] = Counter()  # … of which new statements
    held_in: list[int | None] = []  # the kept theme a statement stays in, whatever the new fit says
    # a kept theme keeps its interviewer turns (the researcher decided), never a statement without content
    themeable = content_mask(new.units, include_interviewer=True)
    fitted = content_mask(new.units, include_interviewer=bool(new.settings.get("include_interviewer")))
    for unit, cluster, content, asked in zip(new.units, new.assignment, themeable, fitted, strict=True):
        place, like_deleted = ("", UNASSIGNED), None
        old = matches.get(cluster) if cluster != UNASSIGNED else None
        if cluster != UNASSIGNED and old is None:
            place = ("new", cluster)
        elif old is not None and old in previous.themes:
            place = ("old", old)
        elif old is not None:
            like_deleted = old
        home = before.get(unit.id, UNASSIGNED)
        stays = home in kept and content
        if home in kept and not content:
            left_out[home] += 1
        if stays and not asked:
            interviewer[home] += 1
        if stays and place != ("old", home):
            kept_back += 1
            if place[0] == "old" and place[1] in kept:
                absorbed[(home, place[1])] += 1
        if stays:
            place = ("old", home)
        elif unit.id in unthemed:
            place = ("", UNASSIGNED)
        held_in.append(home if stays else None)
        if like_deleted is not None and place[0] == "":
            again[like_deleted] += 1
            again_new[like_deleted] += unit.id not in before
        places.append(place)
    joined = _join_nearest(new, places, held_in, kept)

    counter = _next_id(previous, log)
    final: dict[tuple[str, int], int] = {}
    for place in sorted(set(places), key=lambda p: (p[0] != "old", p[1])):
        if place[0] == "old":
            final[place] = place[1]
        elif place[0] == "new":
            final[place] = counter
            counter += 1
    # each theme starts from the theme of the new fit most of its statements come from (what the
    # fit measured of it, such as its stability), with the researcher's id, label and status
    sources = Counter(
        (final[place], cluster)
        for place, cluster, held in zip(places, new.assignment, held_in, strict=True)
        if place in final and cluster != UNASSIGNED and (held is None or matches.get(cluster) == held)
    )
    themes: dict[int, Theme] = {}
    for (theme_id, cluster), _ in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])):
        if theme_id not in themes:
            themes[theme_id] = replace(new.themes[cluster], id=theme_id, parents=[], note="")
    for place, theme_id in final.items():
        theme = themes.setdefault(theme_id, Theme(id=theme_id, label=""))  # kept, from no theme of the fit
        old_theme = previous.themes.get(theme_id) if place[0] == "old" else None
        if old_theme is not None:
            theme.label, theme.status = old_theme.label, old_theme.status
            theme.named = old_theme.named or old_theme.status == CONFIRMED  # a confirmed label stays
            theme.parents = list(old_theme.parents) if old_theme.id in kept else []
    new.assignment = [final.get(place, UNASSIGNED) for place in places]
    new.themes = themes

    messages: list[str] = []
    for old_id in sorted(again):
        messages.append(
            f"the new fit found a theme like deleted theme {old_id} ({deleted[old_id][1]}) again; its "
            f"{again[old_id]} statements ({again_new[old_id]} of them new) are left without a theme, "
            "as you decided"
        )
    for old_id in sorted(set(themes) & set(previous.themes)):
        came = [t for t, o in matches.items() if o == old_id]
        if len(came) > 1 and old_id in merged_into:
            messages.append(f"{len(came)} themes like the ones merged into {old_id} were merged again")
    for (home, into), count in sorted(absorbed.items()):
        messages.append(
            f"the new fit put {count} statement(s) of {_name(previous, home)} with {_name(previous, into)}; "
            "both are your themes, so they stay apart"
        )
    if kept_back:
        messages.append(
            f"{kept_back} statement(s) of your confirmed, renamed, merged or split themes stay where you "
            "decided, although the new fit put them elsewhere"
        )
    for theme_id in sorted(kept):
        gone = sum(1 for r in previous.members(theme_id) if previous.units[r].id not in present)
        label = _name(previous, theme_id)
        if gone:
            messages.append(f"{gone} statement(s) of {label} are no longer in the corpus")
        if left_out[theme_id]:
            messages.append(
                f"{left_out[theme_id]} statement(s) of {label} count as filler now and are left without a theme"
            )
        if interviewer[theme_id]:
            messages.append(
                f"{interviewer[theme_id]} statement(s) of {label} are interviewer turns, which a new fit "
                "leaves out; they stay in the theme, as you decided (move them to -1 to take them out)"
            )
    messages += _moves(previous, log, new)

    sizes_before = {t: len(previous.members(t)) for t in previous.themes}
    describe(new, code_vectors, code_names)
    new.settings["next_id"] = max(counter, new.next_id())
    matched = set(matches.values()) | joined
    for theme in sorted(new.themes.values(), key=lambda t: t.id):
        before_size = sizes_before.get(theme.id)
        if before_size is None:
            theme.note = "new"
            messages.append(f"new theme {theme.id} ({theme.label}, {theme.size} statements)")
            continue
        if theme.id not in matched:
            theme.note = "no theme of the new fit matched it; kept with its own statements"
            messages.append(
                f"theme {theme.id} ({theme.label}, {theme.status}): no theme of the new fit matched it, "
                f"so it stays a theme of its own with its {theme.size} statement(s)"
            )
        elif before_size != theme.size:
            verb = "grew" if theme.size > before_size else "shrank"
            theme.note = f"{verb} from {before_size} to {theme.size} statements"
            messages.append(f"theme {theme.id} ({theme.label}) {theme.note}")
        else:
            theme.note = ""
    for old_id in sorted(set(previous.themes) - set(new.themes)):
        old_theme = previous.themes[old_id]
        if old_id in kept:
            messages.append(
                f"theme {old_id} ({old_theme.label}, {old_theme.status}) is gone: none of its "
                "statements is left in the corpus"
            )
        else:
            messages.append(
                f"candidate theme {old_id} ({old_theme.label}) has no match in the new fit; "
                "its statements are in other themes now (or in none)"
            )
    return messages


def _join_nearest(
    new: ThemeRun, places: list[tuple[str, int]], held_in: Sequence[int | None], kept: set[int]
) -> set[int]:
    """Statements the new fit put with statements of kept themes join the nearest of those themes.

    ``held_in`` names the kept theme each statement stays in (None: the new fit decides). This is
    done in a theme of the new fit matched to a kept theme, and in an unmatched one made mostly of
    statements that stay in kept themes, so that a kept theme the new fit split, or put together
    with another, still takes the new statements that fit it. Returns the kept themes that could.
    """
    vectors = normalise_rows(new.embeddings)
    centres: dict[int, Matrix] = {}
    joined: set[int] = set()
    for theme_id in sorted(new.themes):
        rows = new.members(theme_id)
        homes = sorted({h for r in rows if (h := held_in[r]) is not None})
        free = [r for r in rows if held_in[r] is None and places[r][0]]
        if not free or not homes or len({places[r] for r in free}) != 1:
            continue
        kind, target = places[free[0]]
        if kind == "old" and target in kept:
            choices = sorted({target, *homes})
        elif kind == "new" and len(rows) - len(free) > OVERLAP_MATCH * len(rows):
            choices = homes
        else:
            continue
        for choice in choices:
            if choice not in centres:
                members = [r for r, h in enumerate(held_in) if h == choice]
                centres[choice] = normalise_rows(vectors[members].mean(axis=0, keepdims=True))[0]
        for row in free:
            places[row] = ("old", max(choices, key=lambda c: (float(vectors[row] @ centres[c]), -c)))
        joined.update(choices)
    return joined


def _same_ids(
    previous: ThemeRun, log: Sequence[dict[str, Any]], new: ThemeRun
) -> tuple[ThemeRun, list[dict[str, Any]]]:
    """``previous`` and ``log`` with each statement under its id in ``new``.

    A statement is the same when its document and text are: under the same id, or under another id
    when a newer thememine splits the transcript differently (a header line is no statement any
    more, so the turns after it are numbered anew). Statements gone from ``new`` get ids no new
    statement has, so that no decision is carried over to another statement by its old id.
    """
    by_text: dict[tuple[str, str], list[str]] = {}
    for unit in new.units:
        by_text.setdefault((unit.doc_id, unit.text), []).append(unit.id)
    texts = {u.id: (u.doc_id, u.text) for u in new.units}
    rename: dict[str, str] = {}
    for unit in previous.units:  # the same id and text first, so that repeated texts keep their ids
        if texts.get(unit.id) == (unit.doc_id, unit.text):
            rename[unit.id] = unit.id
    taken = set(rename.values())
    for unit in previous.units:
        if unit.id not in rename:
            free = [i for i in by_text.get((unit.doc_id, unit.text), []) if i not in taken]
            rename[unit.id] = free[0] if free else f"gone:{unit.id}"
            taken.add(rename[unit.id])
    if all(old == now for old, now in rename.items()):
        return previous, list(log)
    units = [replace(u, id=rename[u.id]) for u in previous.units]
    moved = copy.copy(previous)
    moved.units = units

    def entry(e: dict[str, Any]) -> dict[str, Any]:
        e = dict(e)
        if isinstance(e.get("statement"), str):
            e["statement"] = rename.get(e["statement"], f"gone:{e['statement']}")
        if isinstance(e.get("statements"), list):
            e["statements"] = [rename.get(str(i), f"gone:{i}") for i in e["statements"]]
        return e

    return moved, [entry(e) for e in log]


def _name(run: ThemeRun, theme_id: int) -> str:
    return f"theme {theme_id} ({run.themes[theme_id].label})"


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
    gather: set[int],
) -> dict[int, int]:
    """New theme → old theme (or deleted theme) that held most of its statements.

    Several new themes in one old theme all take it when it is in ``gather`` (merged or kept) or
    deleted; otherwise the one with most of its statements does.
    """
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
        keep = candidates if old_id in gather or old_id in deleted else candidates[:1]
        matches.update(dict.fromkeys(keep, old_id))
    return matches


def _by_centroid(
    previous: ThemeRun,
    deleted: dict[int, tuple[list[str], str]],
    new: ThemeRun,
    groups: dict[int, list[str]],
    matched: dict[int, int],
    skip: Collection[int] = (),
) -> dict[int, int]:
    """Pair the themes overlap left unmatched by centroid similarity (one to one, at least CENTROID_MATCH).

    Old themes in ``skip`` take no part.
    """
    same_space = previous.embeddings.shape[1] == new.embeddings.shape[1] and new.settings.get("embedder") in (
        None,
        previous.settings.get("embedder"),
    )
    if not same_space:
        return {}  # fitted with another embedder: centroids cannot be compared, overlap alone decides
    taken = set(matched.values()) | set(skip)
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
