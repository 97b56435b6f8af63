"""Codebook guidance: zero-shot coding of every statement, and how sure each code is.

A code is one vector: the mean of its description's embedding and its examples' mean embedding,
so that a code with good examples is pulled towards how people actually speak about it. The
description's embedding is itself a mix: mostly the whole ``name: description``, a quarter
(:data:`SENTENCE_WEIGHT`) the mean of its sentences embedded one by one, because a long
description embedded whole is dominated by its first words, and each sentence names one facet of
the code (:func:`embed_codebook`); statements the researcher has put in a theme named after the code count as
examples too (:func:`examples_from_run`). Nearest examples (k-NN) were tried instead and ranked
the codebook's own held-out examples worse, and so did fine-tuning the encoder's top layers on the
examples, as SetFit does (docs/themes.md).

A statement's score for a code is worked out in three steps:

1. the cosine of statement and code after taking out the statements' mean direction
   (:func:`~thememine.themes.fit.centred`);
2. standardised per code over the corpus's statements (a code close to everything no longer
   wins everywhere), plus :data:`LEXICAL_WEIGHT` times the words the statement shares with the
   code's description and examples, standardised the same way (:mod:`thememine.themes.lexical`:
   a small encoder can miss the one domain word, "tavshedspligt", "brobygning", that decides a
   code), then averaged with the statement's neighbours in its document (up to
   :data:`CONTEXT` statements either side, weight :data:`CONTEXT_WEIGHT` halving with each step),
   because a statement is coded as part of the passage it belongs to;
3. turned into a confidence from 0 to 1, the estimated chance that the code is right, by a
   logistic curve fitted on the codebook's own examples, each held out in turn and coded with the
   codes built from the others (:func:`calibrate`). A code passes at :data:`DEFAULT_THRESHOLD`.

Because step 2 measures each code against its own spread over the corpus, the bar a code's cosine
must reach differs per code (:meth:`CodeModel.thresholds`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from thememine.embed.base import normalise_rows
from thememine.themes.fit import centred
from thememine.themes.keywords import is_content_free
from thememine.themes.lexical import CodeTerms, CorpusTerms
from thememine.themes.model import CONFIRMED, INTERVIEWER, Codebook, Matrix, ThemeRun, Unit
from thememine.themes.neutral import keyword_text

TOP = 3  # codes written per statement
DEFAULT_THRESHOLD = 0.5  # confidence: a code passes when it is estimated right more often than not
DESCRIPTION_WEIGHT = 0.5  # of a code's vector; the examples' mean has the rest (chosen on held-out examples)
SENTENCE_WEIGHT = 0.25  # of a description's vector: its sentences' mean (chosen on held-out examples)
MIN_SENTENCE = 10  # characters; a shorter piece of a description ("Fx.") is not a sentence of its own
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
CONTEXT = 2  # neighbouring statements either side that are read with a statement
CONTEXT_WEIGHT = 0.5  # of the nearest neighbour, halved for each step further away
MIN_SPREAD = 1e-3  # below this spread over the corpus a code's scores are not standardised
# Of the lexical score (standardised TF-IDF sum over the statement's terms, lexical.py) added to
# the embeddings' standardised score: the best mean reciprocal rank of held-out codebook examples
# among 0.1-0.5, leave-one-out and 8-fold ×10 averaged (docs/themes.md); it stayed the best of
# 0.2-0.4 when the statement's side stopped being scaled to unit length.
LEXICAL_WEIGHT = 0.3
# Of the interviewer's question, read with an answer that lies beyond its CONTEXT neighbours (as
# close as the nearest neighbour). The codebook's examples have no questions; chosen on the
# development corpus corpora/dev (benchmarks/dev_coding.py: 0, 0.25, 0.5, 0.75, 1 tried), not on
# the sample's gold. codes.csv reads it; the fit's guide does not (see guide()).
QUESTION_WEIGHT = 0.5

Embed = Callable[[Sequence[str]], Matrix]


def _code_vector(description: Matrix, examples: Matrix) -> Matrix:
    combined = description[None]
    if len(examples):
        mean = normalise_rows(examples.mean(axis=0, keepdims=True))
        combined = DESCRIPTION_WEIGHT * combined + (1 - DESCRIPTION_WEIGHT) * mean
    row: Matrix = normalise_rows(combined)[0]
    return row


@dataclass(frozen=True)
class CodeTexts:
    """A codebook's texts embedded: one description row per code, and the example rows with their code."""

    descriptions: Matrix
    examples: Matrix
    owners: tuple[int, ...]  # code index of each example row
    # the texts themselves, for the lexical score; empty when only vectors are known
    description_texts: tuple[str, ...] = ()
    example_texts: tuple[str, ...] = ()

    @property
    def has_texts(self) -> bool:
        return len(self.description_texts) == len(self.descriptions) and len(self.example_texts) == len(
            self.owners
        )

    def documents(self, skip: int | None = None) -> list[list[str]]:
        """Per code its ``name: description`` and example texts; ``skip`` leaves one example out."""
        found = [[text] for text in self.description_texts]
        for i, (owner, text) in enumerate(zip(self.owners, self.example_texts, strict=True)):
            if i != skip:
                found[owner].append(text)
        return found

    def vectors(self, skip: int | None = None) -> Matrix:
        """One normalised vector per code, in codebook order; ``skip`` leaves one example row out."""
        owners = np.asarray(self.owners, dtype=int)
        keep = np.ones(len(owners), dtype=bool)
        if skip is not None:
            keep[skip] = False
        return np.asarray(
            [
                _code_vector(self.descriptions[c], self.examples[(owners == c) & keep])
                for c in range(len(self.descriptions))
            ],
            dtype=np.float32,
        )

    def with_examples(
        self, extra: Mapping[int, Matrix], texts: Mapping[int, Sequence[str]] | None = None
    ) -> CodeTexts:
        """More example rows (statements the researcher gave a code), by code index, with their
        texts (in the same order; without them they add no words to the lexical score)."""
        rows = [m for m in extra.values() if len(m)]
        if not rows:
            return self
        owners = [c for c, m in extra.items() for _ in range(len(m))]
        added = [
            (list(texts[c]) if texts is not None and c in texts else [""] * len(m)) for c, m in extra.items()
        ]
        return CodeTexts(
            self.descriptions,
            np.vstack([self.examples.reshape(-1, self.descriptions.shape[1]), *rows]).astype(np.float32),
            (*self.owners, *owners),
            self.description_texts,
            (*self.example_texts, *(t for found in added for t in found)) if self.has_texts else (),
        )


def description_sentences(description: str) -> list[str]:
    """The sentences of a code's description (pieces shorter than :data:`MIN_SENTENCE` dropped)."""
    return [s for s in SENTENCE_END.split(description.strip()) if len(s) >= MIN_SENTENCE]


def embed_codebook(codebook: Codebook, embed: Embed, sentence_weight: float = SENTENCE_WEIGHT) -> CodeTexts:
    """Embed every code's ``name: description``, the description's sentences and each of its
    examples (e5's ``query:`` side, like the statements: an example is a statement, so the two are
    compared as equals).

    A code's description row is ``name: description`` and its sentences' mean, weighted
    ``1 - sentence_weight`` and ``sentence_weight`` (0: the whole description alone). On the
    shipped codebook's examples, held out in turn, the sentences raised top-1 from 0.53 to 0.59
    and kept top-3 within one example in 96; on the sample gold they changed top-1 and top-3 by
    less than 0.01 (docs/themes.md).
    """
    descriptions = [f"{code.name}: {code.description}".strip() for code in codebook.codes]
    sentences = [
        description_sentences(code.description) if sentence_weight else [] for code in codebook.codes
    ]
    examples = [example for code in codebook.codes for example in code.examples]
    flat = [s for found in sentences for s in found]
    vectors = normalise_rows(embed([*descriptions, *flat, *examples]))
    rows = vectors[: len(descriptions)]
    at = len(descriptions)
    for c, found in enumerate(sentences):
        if found:
            mean = normalise_rows(vectors[at : at + len(found)].mean(axis=0, keepdims=True))[0]
            rows[c] = (1 - sentence_weight) * rows[c] + sentence_weight * mean
            at += len(found)
    owners = tuple(i for i, code in enumerate(codebook.codes) for _ in code.examples)
    return CodeTexts(
        normalise_rows(rows),
        vectors[len(descriptions) + len(flat) :],
        owners,
        tuple(descriptions),
        tuple(examples),
    )


def code_vectors(codebook: Codebook, embed: Embed) -> Matrix:
    """One normalised vector per code, in codebook order."""
    return embed_codebook(codebook, embed).vectors()


@dataclass(frozen=True)
class Calibration:
    """The logistic curve from a standardised score to the chance that the code is right."""

    slope: float
    intercept: float
    examples: int = 0  # held-out examples it was fitted on
    right: int = 0  # of them, coded with their own code first

    def confidence(self, z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.slope * np.asarray(z, dtype=np.float64) + self.intercept)))

    def z_at(self, confidence: float) -> float:
        """The standardised score at which the confidence is ``confidence``."""
        p = min(max(confidence, 1e-6), 1 - 1e-6)
        return float((np.log(p / (1 - p)) - self.intercept) / self.slope)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "slope": self.slope,
            "intercept": self.intercept,
            "examples": self.examples,
            "right": self.right,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, float | int]) -> Calibration:
        return cls(float(data["slope"]), float(data["intercept"]), int(data["examples"]), int(data["right"]))


# Without held-out examples to fit on: a code passes one standard deviation above its corpus mean.
UNCALIBRATED = Calibration(slope=2.0, intercept=-2.0)


@dataclass(frozen=True)
class Spread:
    """Each code's centred cosine over the corpus: its mean direction, mean and spread."""

    centre: Matrix  # the statements' mean direction
    mean: np.ndarray  # per code
    std: np.ndarray  # per code

    @classmethod
    def of(cls, embeddings: Matrix, codes: Matrix, rows: Sequence[int] | None = None) -> Spread:
        vectors = normalise_rows(embeddings)
        chosen = vectors if rows is None or not len(rows) else vectors[list(rows)]
        centre = chosen.mean(axis=0)
        sims = centred(chosen, centre) @ centred(codes, centre).T
        std = sims.std(axis=0) if len(chosen) > 1 else np.ones(len(codes))
        return cls(centre, sims.mean(axis=0), np.where(std > MIN_SPREAD, std, 1.0))

    def cosines(self, embeddings: Matrix, codes: Matrix) -> np.ndarray:
        return centred(embeddings, self.centre) @ centred(codes, self.centre).T

    def standardised(self, embeddings: Matrix, codes: Matrix) -> np.ndarray:
        z: np.ndarray = (self.cosines(embeddings, codes) - self.mean) / self.std
        return z


def calibrate(texts: CodeTexts, spread: Spread, corpus: CorpusTerms | None = None) -> Calibration:
    """Fit :class:`Calibration` on the codebook's examples, each held out and coded by the others.

    Each held-out example gives its best code's standardised score and whether that code is its
    own; a logistic regression of right on score is the curve. With ``corpus`` (the statements'
    terms) the score includes the lexical part, the held-out example's words left out of its
    code's document too. Too few examples, or all right or all wrong, give :data:`UNCALIBRATED`.
    """
    owners = texts.owners
    if len(owners) < 2 * len(texts.descriptions) or len(texts.descriptions) < 2:
        return UNCALIBRATED
    best, right = [], []
    for i, owner in enumerate(owners):
        z = spread.standardised(texts.examples[i : i + 1], texts.vectors(skip=i))[0]
        if corpus is not None:
            lexical = CodeTerms.of(corpus, texts.documents(skip=i))
            z = z + LEXICAL_WEIGHT * lexical.standardised([texts.example_texts[i]])[0]
        code = int(np.argmax(z))
        best.append(float(z[code]))
        right.append(code == owner)
    if all(right) or not any(right):
        return UNCALIBRATED
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0).fit(np.asarray(best)[:, None], np.asarray(right, dtype=int))
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    if slope <= 0:
        return UNCALIBRATED
    return Calibration(round(slope, 4), round(intercept, 4), len(owners), sum(right))


@dataclass(frozen=True)
class CodeModel:
    """What codes statements: the code vectors, their spread over the corpus and the calibration."""

    vectors: Matrix
    spread: Spread
    calibration: Calibration
    lexical: CodeTerms | None = None  # None: the embeddings alone (a run saved before, or no texts)

    def standardised(self, embeddings: Matrix, texts: Sequence[str]) -> np.ndarray:
        """``len(texts) × codes``: the standardised cosine, plus the weighted lexical score."""
        z = self.spread.standardised(embeddings, self.vectors)
        if self.lexical is not None:
            z = z + LEXICAL_WEIGHT * self.lexical.standardised(texts)
        return z

    def thresholds(self, confidence: float = DEFAULT_THRESHOLD) -> list[float]:
        """Per code, the centred cosine a statement (read alone, its words scoring the corpus's
        mean for the code) needs for ``confidence``."""
        z = self.calibration.z_at(confidence)
        return [round(float(m + z * s), 4) for m, s in zip(self.spread.mean, self.spread.std, strict=True)]


def code_model(
    texts: CodeTexts,
    embeddings: Matrix,
    rows: Sequence[int] | None = None,
    calibrated: bool = True,
    statements: Sequence[str] | None = None,
) -> CodeModel:
    """Code vectors for a corpus: spread measured over ``rows`` of ``embeddings`` (all if None).

    ``statements``: the text of each embedding row, surrogates left out
    (:func:`~thememine.themes.neutral.keyword_text`, so that the codes do not depend on the key);
    with them (and the codebook's texts) the model adds the lexical score, its IDF and spread
    measured over the same rows.
    """
    vectors = texts.vectors()
    spread = Spread.of(embeddings, vectors, rows)
    corpus = lexical = None
    if statements is not None and texts.has_texts:
        chosen = range(len(statements)) if rows is None or not len(rows) else rows
        codebook_texts = [*texts.description_texts, *texts.example_texts]
        corpus = CorpusTerms.of([statements[i] for i in chosen], also=codebook_texts)
        lexical = CodeTerms.of(corpus, texts.documents())
    return CodeModel(
        vectors, spread, calibrate(texts, spread, corpus) if calibrated else UNCALIBRATED, lexical
    )


def neighbours(
    units: Sequence[Unit], rows: Sequence[int], question_weight: float = 0.0
) -> list[list[tuple[int, float]]]:
    """For each of ``rows`` (positions in ``units``), its context: the rows up to :data:`CONTEXT`
    before and after it in the same document, with their weights.

    With ``question_weight``, a statement not the interviewer's also reads the interviewer's
    nearest statement before it among ``rows`` (the question it answers), with that weight, when
    it is further away than :data:`CONTEXT`. :func:`code_units` reads it at :data:`QUESTION_WEIGHT`
    (chosen on the development corpus, docs/themes.md)."""
    by_doc: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        by_doc.setdefault(units[row].doc_id, []).append(position)
    found: list[list[tuple[int, float]]] = [[] for _ in rows]
    for positions in by_doc.values():
        positions.sort(key=lambda p: (units[rows[p]].start, rows[p]))
        for at, position in enumerate(positions):
            for step in range(1, CONTEXT + 1):
                weight = CONTEXT_WEIGHT / 2 ** (step - 1)
                for other in (at - step, at + step):
                    if 0 <= other < len(positions):
                        found[position].append((positions[other], weight))
            if question_weight and units[rows[position]].role != INTERVIEWER:
                asked = next(
                    (b for b in range(at - 1, -1, -1) if units[rows[positions[b]]].role == INTERVIEWER), None
                )
                if asked is not None and at - asked > CONTEXT:
                    found[position].append((positions[asked], question_weight))
    return found


def in_context(values: np.ndarray, context: Sequence[Sequence[tuple[int, float]]]) -> np.ndarray:
    """Each row averaged with its context rows, weighted (the row itself has weight 1)."""
    out = np.array(values, dtype=np.float64, copy=True)
    for row, others in enumerate(context):
        if others:
            total = 1.0 + sum(w for _, w in others)
            out[row] = (values[row] + sum(w * values[o] for o, w in others)) / total
    return out


def context_rows(units: Sequence[Unit], rows: Sequence[int]) -> list[int]:
    """``rows`` and every other statement with content: an interviewer's question is not coded
    (when the mask leaves it out) but is still read as the context of the answers around it."""
    return sorted(
        set(rows) | {i for i, u in enumerate(units) if not u.filler and not is_content_free(u.text)}
    )


def confidences(
    units: Sequence[Unit],
    embeddings: Matrix,
    model: CodeModel,
    rows: Sequence[int],
    context: bool = True,
    question_weight: float = 0.0,
) -> np.ndarray:
    """Confidence of every code for each of ``rows``: ``len(rows) × codes``, from 0 to 1.

    Read in context, the standardised scores are averages and so spread less; they are
    standardised again over every statement with content (not only ``rows``) before the
    calibration, which was fitted on single texts.
    """
    if not len(rows):
        return np.zeros((0, len(model.vectors)))
    vectors = normalise_rows(embeddings)
    if not context:
        return model.calibration.confidence(
            model.standardised(vectors[list(rows)], [keyword_text(units[i]) for i in rows])
        )
    around = context_rows(units, rows)
    z = in_context(
        model.standardised(vectors[around], [keyword_text(units[i]) for i in around]),
        neighbours(units, around, question_weight),
    )
    if len(around) > 1:
        std = z.std(axis=0)
        z = (z - z.mean(axis=0)) / np.where(std > MIN_SPREAD, std, 1.0)
    at = {row: position for position, row in enumerate(around)}
    z = z[[at[row] for row in rows]]
    return model.calibration.confidence(z)


def guide(units: Sequence[Unit], embeddings: Matrix, model: CodeModel, rows: Sequence[int]) -> Matrix:
    """What a fit guided by the codebook reads beside each statement's embedding: the confidence
    of every code for ``rows`` (read in context, as they are coded), zero for the other units.

    From the embeddings alone: ``model`` is made without the statements' texts (no lexical score,
    and a calibration fitted without one). A run keeps its code vectors and that calibration, so
    :func:`run_guide` can make the same guide again when a theme is changed."""
    if model.lexical is not None:
        # its calibration was fitted on scores with the words: dropping them here would misread it
        raise ValueError("the fit's guide reads the embeddings alone: make its code model without statements")
    out = np.zeros((len(units), len(model.vectors)), dtype=np.float32)
    if len(rows):
        out[list(rows)] = confidences(units, embeddings, model, rows)
    return out


def run_guide(run: ThemeRun, codes: Matrix | None, rows: Sequence[int]) -> Matrix | None:
    """The guide a fit of ``run`` clustered with (None when it had none), made again from the
    code vectors saved with it and the calibration in its settings: the same input gives the same
    confidences, so a changed theme's stability is measured in the space it was fitted in."""
    calibration = run.settings.get("code_calibration")
    if not run.settings.get("guided_by_codebook") or codes is None or not isinstance(calibration, Mapping):
        return None
    model = CodeModel(codes, Spread.of(run.embeddings, codes, rows), Calibration.from_dict(calibration))
    return guide(run.units, run.embeddings, model, rows)


@dataclass(frozen=True)
class CodeScore:
    statement: int  # index into the units
    code: int  # index into the codebook
    score: float  # confidence from 0 to 1
    rank: int


def best_codes(scores: np.ndarray, rows: Sequence[int], top: int = TOP) -> list[list[CodeScore]]:
    """The ``top`` codes of each row, best first."""
    found = []
    for row, values in zip(rows, scores, strict=True):
        order = np.argsort(-values, kind="stable")[:top]
        found.append(
            [CodeScore(row, int(c), round(float(values[c]), 4), rank + 1) for rank, c in enumerate(order)]
        )
    return found


def content_rows(units: Sequence[Unit], mask: Sequence[bool] | None = None) -> list[int]:
    """The statements that are coded: those ``mask`` keeps (all when None)."""
    return [i for i in range(len(units)) if mask is None or mask[i]]


def code_units(
    units: Sequence[Unit],
    embeddings: Matrix,
    texts: CodeTexts,
    mask: Sequence[bool] | None = None,
    top: int = TOP,
    model: CodeModel | None = None,
    question_weight: float = QUESTION_WEIGHT,
) -> tuple[list[list[CodeScore]], CodeModel]:
    """The ``top`` codes of each statement ``mask`` keeps, and the model that scored them (``model``,
    when it was already made for these statements); ``question_weight``: see :func:`neighbours`."""
    rows = content_rows(units, mask)
    model = (
        model
        if model is not None
        else code_model(texts, embeddings, rows, statements=[keyword_text(u) for u in units])
    )
    scores = confidences(units, embeddings, model, rows, question_weight=question_weight)
    return best_codes(scores, rows, top), model


def zero_shot(embeddings: Matrix, codes: Matrix, top: int = TOP) -> list[list[CodeScore]]:
    """The first method, kept for comparison: the ``top`` codes of each statement by centred cosine
    alone (no standardising, no context, no calibration); scores from -1 to 1."""
    mean = normalise_rows(embeddings).mean(axis=0)
    sims = centred(embeddings, mean) @ centred(codes, mean).T
    found = []
    for row, scores in enumerate(sims):
        order = np.argsort(-scores, kind="stable")[:top]
        found.append(
            [CodeScore(row, int(c), round(float(scores[c]), 4), rank + 1) for rank, c in enumerate(order)]
        )
    return found


def examples_from_run(run: ThemeRun, codebook: Codebook) -> dict[int, list[int]]:
    """Statements the researcher has given a code: the members of every confirmed or named theme
    whose label is a code's name (moved statements included), by code index."""
    index = {code.name.casefold(): i for i, code in enumerate(codebook.codes)}
    index.update({code.id.casefold(): i for i, code in enumerate(codebook.codes)})
    found: dict[int, list[int]] = {}
    for theme_id, theme in sorted(run.themes.items()):
        code = index.get(theme.label.strip().casefold())
        if code is not None and (theme.status == CONFIRMED or theme.named):
            found.setdefault(code, []).extend(run.members(theme_id))
    return found


def codes_csv(
    units: Sequence[Unit],
    scored: Sequence[Sequence[CodeScore]],
    codebook: Codebook,
    threshold: float = DEFAULT_THRESHOLD,
) -> str:
    """``codes.csv``: per coded statement its best codes, their confidence, whether the statement is
    coded with it, and the statement's text (to read it in a spreadsheet).

    Only the best code can be "yes": the confidence is calibrated on each held-out example's best
    code, and on the sample a second or third code above the threshold was right for 6 of 32
    statements (against 56 of 69 for the best; docs/themes.md). The others keep their scores, as
    suggestions.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "statement_id",
            "doc_id",
            "speaker",
            "start",
            "end",
            "rank",
            "code_id",
            "code",
            "score",
            "coded",
            "text",
        ]
    )
    for rows in scored:
        for s in rows:
            unit = units[s.statement]
            code = codebook.codes[s.code]
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
                    "yes" if s.rank == 1 and s.score >= threshold else "no",
                    unit.text,
                ]
            )
    return out.getvalue()
