"""Describing themes: keywords, representative quotes, shares per speaker and group, codebook names.

Run after every change of assignments (a fit, a merge, a split, a move), so that what the
researcher reads always matches the statements a theme holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from thememine.embed.base import normalise_rows
from thememine.pseudonymise.gazetteer import names
from thememine.themes.fit import centroids
from thememine.themes.keywords import is_content_free, theme_keywords
from thememine.themes.model import UNASSIGNED, Matrix, Quote, Theme, ThemeRun, Unit
from thememine.themes.neutral import keyword_text

if TYPE_CHECKING:
    from thememine.themes.coding import Calibration

N_KEYWORDS = 10
N_QUOTES = 5
N_CODES = 3
LABEL_KEYWORDS = 3
MAJORITY = 0.5  # share of a theme's members coded with a code for the theme to take its name


def representative(units: Sequence[Unit], vectors: Matrix, rows: Sequence[int], centre: Matrix) -> list[int]:
    """Up to :data:`N_QUOTES` members nearest the centre, from as many documents as possible."""
    ranked = sorted(rows, key=lambda r: (-float(vectors[r] @ centre), units[r].id))
    chosen: list[int] = []
    seen_docs: set[str] = set()
    for row in ranked:  # first pass: one quote per document
        if units[row].doc_id not in seen_docs and len(units[row].text) >= 20:
            chosen.append(row)
            seen_docs.add(units[row].doc_id)
        if len(chosen) == N_QUOTES:
            break
    for row in ranked:  # then fill up with the nearest others
        if len(chosen) == N_QUOTES:
            break
        if row not in chosen:
            chosen.append(row)
    return sorted(chosen, key=lambda r: ranked.index(r))


def _is_name(keyword: str) -> bool:
    """A keyword holding a person's name (a surrogate, in the names style) says nothing about a theme."""
    gazetteer = names()
    return any(gazetteer.is_first(w) and not gazetteer.is_ambiguous(w) for w in keyword.split())


def shares(values: Sequence[str]) -> dict[str, float]:
    counts = Counter(values)
    total = sum(counts.values())
    return {
        key: round(count / total, 3) for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    }


def describe(
    run: ThemeRun,
    code_vectors: Matrix | None = None,
    code_names: Sequence[str] = (),
) -> None:
    """Recompute every theme's size, scores, keywords, quotes, shares and codebook suggestions.

    A theme left without statements is removed. Themes the researcher named keep their label;
    the others by a code when most of their members are coded with it (see :func:`name_themes`),
    else by their top keywords.
    """
    vectors = normalise_rows(run.embeddings)
    middle = centroids(vectors, run.assignment)
    for theme_id in [t for t in run.themes if t not in middle]:
        del run.themes[theme_id]
    run.scores = [
        round(float(vectors[i] @ middle[t]), 4) if t != UNASSIGNED else 0.0
        for i, t in enumerate(run.assignment)
    ]
    members = {t: run.members(t) for t in run.themes}
    keywords = theme_keywords(
        {t: [keyword_text(run.units[i]) for i in rows] for t, rows in members.items()}, N_KEYWORDS
    )
    for theme_id, theme in run.themes.items():
        rows = members[theme_id]
        theme.size = len(rows)
        theme.keywords = [word for word, _ in keywords.get(theme_id, []) if not _is_name(word)]
        theme.quotes = [
            Quote(run.units[r].id, run.units[r].doc_id, run.units[r].speaker, run.units[r].text)
            for r in representative(run.units, vectors, rows, middle[theme_id])
        ]
        theme.by_speaker = shares([run.units[r].speaker or "–" for r in rows])
        theme.by_group = shares([run.units[r].group or "–" for r in rows])
    name_themes(run, code_vectors, code_names)


def name_themes(run: ThemeRun, code_vectors: Matrix | None = None, code_names: Sequence[str] = ()) -> None:
    """Each theme's best codes with their scores, and its suggested label.

    A theme's score for a code is its members' mean confidence in the code (see
    :mod:`thememine.themes.coding`). A theme takes a code's name only when more than half of its
    members are coded with it (their best code, passing the run's threshold) and no theme has a
    larger share coded with it; otherwise its label is its top keywords, and the codes stay
    suggestions. Without a calibration in ``run.settings`` (:func:`calibration_of`) the default
    curve is used (:data:`~thememine.themes.coding.UNCALIBRATED`).
    """
    shares: dict[int, tuple[float, str]] = {}
    if code_vectors is not None and len(code_names):
        from thememine.themes.coding import DEFAULT_THRESHOLD, UNCALIBRATED, CodeModel, Spread, confidences

        calibration = calibration_of(run) or UNCALIBRATED
        threshold = float(run.settings.get("code_threshold", DEFAULT_THRESHOLD))
        content = [i for i, u in enumerate(run.units) if not u.filler and not is_content_free(u.text)]
        spread = Spread.of(run.embeddings, code_vectors, content)
        model = CodeModel(code_vectors, spread, calibration)
        for theme_id, theme in run.themes.items():
            rows = run.members(theme_id)
            if not rows:
                theme.codes = []
                continue
            scores = confidences(run.units, run.embeddings, model, rows)
            mean = scores.mean(axis=0)
            order = np.argsort(-mean, kind="stable")[:N_CODES]
            theme.codes = [(code_names[i], round(float(mean[i]), 3)) for i in order]
            best, passed = scores.argmax(axis=1), scores.max(axis=1) >= threshold
            counts = Counter(int(c) for c, ok in zip(best, passed, strict=True) if ok)
            if counts:
                code, count = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
                if count / len(rows) > MAJORITY:
                    shares[theme_id] = (count / len(rows), code_names[code])
    _suggest_labels(run, shares)


def calibration_of(run: ThemeRun) -> Calibration | None:
    """The coding calibration a run was fitted with (``settings["code_calibration"]``), if any."""
    from thememine.themes.coding import Calibration

    data = run.settings.get("code_calibration")
    return Calibration.from_dict(data) if isinstance(data, dict) else None


def _suggest_labels(run: ThemeRun, shares: dict[int, tuple[float, str]]) -> None:
    """Each code names at most one theme, the one with the largest share coded with it; other
    themes take their keywords."""
    pairs = sorted(
        ((share, theme_id, name) for theme_id, (share, name) in shares.items()), key=lambda p: (-p[0], p[1])
    )
    named: dict[int, str] = {}
    used: set[str] = set()
    for _, theme_id, name in pairs:
        if name not in used:
            named[theme_id] = name
            used.add(name)
    for theme_id, theme in run.themes.items():
        words = ", ".join(theme.keywords[:LABEL_KEYWORDS]) or f"Tema {theme_id}"
        theme.suggested_label = named.get(theme_id) or words
        if not theme.named:
            theme.label = theme.suggested_label


def new_themes(
    run: ThemeRun, labels: Sequence[int], rows: Sequence[int], parents: Sequence[int] = ()
) -> list[int]:
    """Turn cluster numbers for ``rows`` into new themes (ids after the run's highest), biggest first."""
    sizes = Counter(label for label in labels if label != UNASSIGNED)
    order = sorted(sizes, key=lambda label: (-sizes[label], label))
    ids: dict[int, int] = {}
    for label in order:
        ids[label] = run.next_id()
        run.themes[ids[label]] = Theme(id=ids[label], label="", parents=list(parents))
    for row, label in zip(rows, labels, strict=True):
        run.assignment[row] = ids.get(label, UNASSIGNED)
    return [ids[label] for label in order]
