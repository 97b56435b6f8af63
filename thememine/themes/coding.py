"""Codebook guidance: names for themes, and zero-shot coding of every statement.

A code is represented by one vector: the mean of its description's embedding (name and
description) and its examples' mean embedding, so that a code with good examples is pulled
towards how people actually speak about it. A statement's score for a code is the cosine
similarity of their vectors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from thememine.embed.base import normalise_rows
from thememine.themes.codebook import Codebook
from thememine.themes.fit import centred
from thememine.themes.model import Matrix, Unit

TOP = 3  # codes written per statement
DEFAULT_THRESHOLD = 0.25  # centred cosine; on the sample corpus ~15 % of statements pass, 56 % of them rightly (docs/themes.md)

Embed = Callable[[Sequence[str]], Matrix]


def code_vectors(codebook: Codebook, embed: Embed) -> Matrix:
    """One normalised vector per code, in codebook order."""
    descriptions = [f"{code.name}: {code.description}".strip() for code in codebook.codes]
    examples = [example for code in codebook.codes for example in code.examples]
    vectors = normalise_rows(embed([*descriptions, *examples]))
    out = []
    at = len(descriptions)
    for i, code in enumerate(codebook.codes):
        parts = [vectors[i]]
        if code.examples:
            parts.append(normalise_rows(vectors[at : at + len(code.examples)].mean(axis=0, keepdims=True))[0])
            at += len(code.examples)
        out.append(np.mean(parts, axis=0))
    return normalise_rows(np.asarray(out, dtype=np.float32))


@dataclass(frozen=True)
class CodeScore:
    statement: int  # index into the units
    code: int  # index into the codebook
    score: float
    rank: int


def zero_shot(embeddings: Matrix, codes: Matrix, top: int = TOP) -> list[list[CodeScore]]:
    """The ``top`` codes of each statement, best first; scores are cosines after taking out the
    statements' mean direction (see :func:`~thememine.themes.fit.centred`), from -1 to 1."""
    mean = normalise_rows(embeddings).mean(axis=0)
    sims = centred(embeddings, mean) @ centred(codes, mean).T
    found = []
    for row, scores in enumerate(sims):
        order = np.argsort(-scores, kind="stable")[:top]
        found.append(
            [CodeScore(row, int(c), round(float(scores[c]), 4), rank + 1) for rank, c in enumerate(order)]
        )
    return found


def codes_csv(
    units: Sequence[Unit],
    scored: Sequence[Sequence[CodeScore]],
    codebook: Codebook,
    threshold: float = DEFAULT_THRESHOLD,
    mask: Sequence[bool] | None = None,
) -> str:
    """``codes.csv``: per statement its best codes, their scores, and whether they pass the threshold.

    Statements left out by ``mask`` (filler-only) are not coded.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["statement_id", "doc_id", "speaker", "start", "end", "rank", "code_id", "code", "score", "coded"]
    )
    for i, (unit, rows) in enumerate(zip(units, scored, strict=True)):
        if mask is not None and not mask[i]:
            continue
        for s in rows:
            code = codebook.codes[s.code]
            coded = "yes" if s.score >= threshold else "no"
            writer.writerow(
                [
                    unit.id,
                    unit.doc_id,
                    unit.speaker or "",
                    unit.start,
                    unit.end,
                    s.rank,
                    code.id,
                    code.name,
                    s.score,
                    coded,
                ]
            )
    return out.getvalue()
