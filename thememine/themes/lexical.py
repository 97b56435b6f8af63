"""The words a statement shares with each code: TF-IDF evidence beside the embeddings.

A small encoder like multilingual-e5-small places a statement by its overall meaning and can miss
the one domain word that decides its code ("tavshedspligt", "samtykke", "brobygning"). Here each
code is one document, the terms (:func:`~thememine.themes.keywords.terms`: content lemmas and
two-word phrases, stop words and fillers out) of its ``name: description`` and its examples, and a
statement's score for a code is the dot product of the statement's TF-IDF vector with the code's
TF-IDF vector of unit length. A term's IDF is measured over the corpus's statements, so that a word
every statement uses ("borger", "kommune") counts for little. The scores are standardised per code
over the corpus, as the embeddings' cosines are (:class:`~thememine.themes.coding.Spread`), so the
two add on one scale.

The statement's side is not scaled to unit length, as BM25 sums over the query's terms: a cosine
divides by the statement's length, so a short statement with one word in a code's document ("Mindst
tre. Fire, hvis man tæller ..." and "tælle", "en ret vigtig forskel" and "ret") scored as high as a
statement that is about the code, whatever the word's sense, and on the sample's codes.csv a single
shared word could reach 7 standard deviations. Summed, a statement's score for a code only grows
with each word it shares with it, and one word is worth that word's weight and no more. On the
codebook's held-out examples and the development corpus it does as well as the cosine, and the
largest score one shared word reaches there falls from 4.9 to 3.0 standard deviations
(docs/themes.md, "Words beside the embeddings"). TF-IDF and BM25 scores did about as well on the
held-out examples before; this needs no length settings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from thememine.themes.keywords import terms
from thememine.themes.model import Matrix

MIN_SPREAD = 1e-9  # below this spread over the corpus a code's lexical scores are all zero


@lru_cache(maxsize=1 << 12)
def _terms(text: str) -> tuple[str, ...]:
    """:func:`terms`, kept for the codebook's texts: calibrating recounts each code's document once
    per held-out example."""
    return tuple(terms(text))


def _counts(documents: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> sp.csr_matrix:
    """Term counts of ``documents`` (lists of terms) over ``vocabulary``; unknown terms dropped."""
    rows, columns, values = [], [], []
    for row, found in enumerate(documents):
        for term, count in Counter(found).items():
            column = vocabulary.get(term)
            if column is not None:
                rows.append(row)
                columns.append(column)
                values.append(count)
    return sp.csr_matrix(
        (np.asarray(values, dtype=np.float64), (rows, columns)), shape=(len(documents), len(vocabulary))
    )


@dataclass(frozen=True)
class CorpusTerms:
    """The corpus's statements as terms: their vocabulary and each term's inverse document frequency.

    Built once per corpus; codes built from different examples (each held out in turn while
    calibrating) share it.
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    statements: sp.csr_matrix  # the statements' TF-IDF rows, not scaled (:meth:`weighted`)

    @classmethod
    def of(cls, texts: Sequence[str], also: Sequence[str] = ()) -> CorpusTerms:
        """The probabilistic IDF of BM25, ``log(1 + (n - df + 0.5) / (df + 0.5))``, over the ``n``
        statements ``texts``; the terms of ``also`` (the codebook's texts) join the vocabulary
        without being counted, so that two codebook texts can share a word the corpus lacks.

        Unlike scikit-learn's smoothed IDF (at least 1), it takes a word used in half the
        statements to almost nothing; on the codebook's held-out examples it did a little better
        and varied less with the weight (docs/themes.md)."""
        documents = [terms(text) for text in texts]
        vocabulary: dict[str, int] = {}
        for found in [*documents, *(terms(text) for text in also)]:
            for term in found:
                vocabulary.setdefault(term, len(vocabulary))
        counts = _counts(documents, vocabulary)
        frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
        idf = np.log(1 + (len(texts) - frequency + 0.5) / (frequency + 0.5))
        return cls(vocabulary, idf, _tf_idf(counts, idf))

    def weighted(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The TF-IDF rows of ``texts``, not scaled to unit length (the module's docstring says why)."""
        return _tf_idf(_counts([terms(text) for text in texts], self.vocabulary), self.idf)


def _tf_idf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Each term's count times its IDF."""
    return sp.csr_matrix(counts.multiply(idf[None, :]))


def _unit(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """TF-IDF rows of unit length (a row without a known term stays zero): the codes' documents,
    so that a code with many examples does not score higher than one with few."""
    rows = _tf_idf(counts, idf)
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    scale: sp.csr_matrix = sp.diags(1 / np.where(norms > 0, norms, 1.0)) @ rows
    return sp.csr_matrix(scale)


@dataclass(frozen=True)
class CodeTerms:
    """Each code's TF-IDF document, and its scores' mean and spread over the corpus."""

    corpus: CorpusTerms
    codes: sp.csr_matrix  # codes × vocabulary, unit rows
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def of(cls, corpus: CorpusTerms, documents: Sequence[Sequence[str]]) -> CodeTerms:
        """``documents``: per code, its texts (``name: description`` and examples)."""
        rows = [sum((_terms(text) for text in texts), ()) for texts in documents]
        codes = _unit(_counts(rows, corpus.vocabulary), corpus.idf)
        sims = np.asarray((corpus.statements @ codes.T).todense())
        std = sims.std(axis=0) if len(sims) > 1 else np.ones(len(documents))
        return cls(corpus, codes, sims.mean(axis=0), np.where(std > MIN_SPREAD, std, np.inf))

    def standardised(self, texts: Sequence[str]) -> np.ndarray:
        """``len(texts) × codes``: each text's TF-IDF vector dotted with each code's unit vector,
        standardised per code."""
        sims = np.asarray((self.corpus.weighted(texts) @ self.codes.T).todense())
        z: Matrix = (sims - self.mean) / self.std
        return z
