"""From statements and embeddings to a theme run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from thememine.embed.base import normalise_rows
from thememine.ingest.model import Document, Statement
from thememine.themes.describe import describe, new_themes
from thememine.themes.fit import centred, content_mask, fit_clusters, guided, reduce_outliers
from thememine.themes.model import UNASSIGNED, Matrix, ThemeRun, Unit
from thememine.themes.neutral import keyword_text


def units_from(statements: Sequence[Statement], documents: Sequence[Document] = ()) -> list[Unit]:
    """Statements as theme units, with their document's group."""
    groups = {d.id: d.group or "" for d in documents}
    return [
        Unit(
            s.id,
            s.doc_id,
            s.speaker,
            s.start,
            s.end,
            s.text,
            groups.get(s.doc_id, ""),
            s.filler,
            s.surrogates,
            role=s.role,
        )
        for s in statements
    ]


def fit_run(
    units: Sequence[Unit],
    embeddings: Matrix,
    seed: int = 42,
    code_vectors: Matrix | None = None,
    code_names: Sequence[str] = (),
    include_interviewer: bool = False,
    extra: Mapping[str, Any] | None = None,
    guide: Matrix | None = None,
) -> ThemeRun:
    """Candidate themes for ``units``: clustered, outliers reduced, described.

    The interviewer's statements form no theme unless ``include_interviewer``. ``extra`` settings join the
    run's settings before its themes are described (a coding calibration names themes after codes).
    ``guide``, with a codebook: each statement's code confidences (one row per unit,
    :func:`~thememine.themes.coding.guide`), clustered beside its embedding (:func:`~thememine.themes.fit.guided`).
    """
    if len(units) != len(embeddings):
        raise ValueError("one embedding per statement is needed")
    mask = content_mask(units, include_interviewer)
    rows = [i for i, keep in enumerate(mask) if keep]
    vectors = normalise_rows(embeddings)
    if guide is not None and len(guide) != len(units):
        raise ValueError("one row of code confidences per statement is needed")
    space = guided(vectors[rows], None if guide is None else guide[rows])
    found = fit_clusters([keyword_text(units[i]) for i in rows], space, seed)
    labels, settings = found.labels, found.settings
    before = sum(1 for label in labels if label == UNASSIGNED)
    labels = reduce_outliers(centred(space), labels)
    run = ThemeRun(list(units), vectors, [UNASSIGNED] * len(units), [0.0] * len(units), {})
    if found.runs is not None:  # kept, so that a decision's stability needs no runs made again
        run.ensemble = found.runs.labels.astype(np.int16)
    new_themes(run, labels, rows)
    for row, label in zip(rows, labels, strict=True):  # a theme keeps its cluster's stability
        if label != UNASSIGNED:
            run.themes[run.assignment[row]].stability = found.stability.get(label)
    run.settings = {
        **settings.to_dict(),
        "statements": len(units),
        "with_content": len(rows),
        "include_interviewer": include_interviewer,
        "outliers_before_reduction": before,
        "outliers_after_reduction": sum(1 for label in labels if label == UNASSIGNED),
        "guided_by_codebook": guide is not None,
        **(extra or {}),
    }
    describe(run, code_vectors, code_names)
    return run
