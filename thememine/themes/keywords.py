"""Theme keywords a Danish researcher can read: lemmas and two-word phrases, ranked by c-TF-IDF.

Words are lower-cased and lemmatised with spaCy's Danish lookup table ("borgerne" → "borger"),
read once from the ``spacy-lookups-data`` package into a plain dict (faster than a spaCy
pipeline, and spaCy itself need not be imported). Stop words, interview fillers ("øh", "altså",
"ikke også", "i forhold til") and pseudonymisation tags ("[PERSON_3]") are dropped, and so are
bracketed annotations, numbers and one-letter words. Two content words next to each other in
the same clause also make a bigram ("koordinerende sagsbehandler").

:func:`terms` is the analyzer; :func:`danish_vectorizer` wraps it for BERTopic, and
:func:`theme_keywords` ranks keywords without BERTopic, with the same c-TF-IDF, so that keywords
can be recomputed after the researcher merges, splits or moves statements.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from thememine.data import read_lines

if TYPE_CHECKING:
    from bertopic.representation import MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

REDUCE_FREQUENT_WORDS = False  # square roots of term frequencies lift rare words in small themes
LARGE_CORPUS = 5_000  # statements; from here on the vocabulary is capped
MAX_TERMS = 50_000  # the vocabulary cap for large corpora: the commonest terms are kept
CANDIDATES = 30  # keywords considered by the diversity step, as in BERTopic

_TAG = re.compile(r"\[?\b[A-ZÆØÅ]+_\d+\b\]?")  # [PERSON_3], also with its brackets lost
_ANNOTATION = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")  # (griner), [pause], [utydeligt]
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|[\d_]+|[^\w\s]+")  # a word, a number, punctuation
_HESITATION = re.compile(r"(?:[æøeua]+h+m*|h+m+|m+h?m*)")  # øh, øhm, æh, hmm, mm: no clause break
_BREAK = " | "


class KeywordEncoder(Protocol):
    """Anything that embeds short texts, as sentence-transformers' ``encode`` does."""

    def encode(self, texts: list[str], /) -> ArrayLike: ...


@cache
def _lemma_table() -> dict[str, str]:
    """spaCy's Danish lemma lookup table (``spacy-lookups-data``, MIT), form → lemma."""
    import spacy_lookups_data

    path = Path(str(spacy_lookups_data.da["lemma_lookup"]))
    if not path.exists():
        path = path.with_name(path.name + ".gz")  # the package ships the table gzipped
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as file:
        table: dict[str, str] = json.load(file)
    return table


@cache
def _corrections() -> dict[str, str]:
    """Forms the lookup table lemmatises to the rarer word (``lemma_corrections_da.tsv``)."""
    return dict(line.split("\t")[:2] for line in read_lines("lemma_corrections_da.tsv"))


@cache
def _headwords() -> frozenset[str]:
    return frozenset(_lemma_table().values())


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(line for line in read_lines("stopwords_da.txt") if " " not in line)


@cache
def _phrases() -> re.Pattern[str]:
    """Multi-word fillers from the stop-word file, longest first, as one pattern."""
    phrases = sorted((line for line in read_lines("stopwords_da.txt") if " " in line), key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=1 << 20)
def lemmatise(word: str) -> str:
    """The lemma of a lower-case Danish word ("sagsbehandlerne" → "sagsbehandler").

    The table knows no part of speech, so a word that is a lemma itself keeps its form
    ("sagsbehandler", not the verb "sagsbehandle"; "tvang", not "tvinge"; "viden", not "vide").
    Unknown compounds take the lemma of their longest known tail when it only loses an ending
    ("jobcenteret" → "jobcenter").
    A present participle stays as written ("koordinerende", not "koordinere"), so that phrases
    read naturally, and so does a word in -t that the table takes for an imperative ("svært",
    "fast", not "sværte", "faste"). A few forms whose table lemma is the rarer word are corrected
    ("talte" → "tale", not "tælle"; ``lemma_corrections_da.tsv``).
    """
    return _corrections().get(word) or _table_lemma(word)


def _table_lemma(word: str) -> str:
    """:func:`lemmatise` from the lookup table alone, without the corrections."""
    table = _lemma_table()
    lemma = table.get(word)
    if lemma is None:
        for split in range(3, len(word) - 3):
            tail = table.get(word[split:])
            if tail is not None:  # an ending comes off; a tail that changes otherwise is no guide
                return word[:split] + tail if len(tail) < len(word) - split else word
        return word
    if word in _headwords() or word == lemma + "nde" or (word.endswith("t") and lemma == word + "e"):
        return word
    return lemma


@lru_cache(maxsize=1 << 20)
def _content(token: str) -> str | None:
    """The lemma of a content word; "" for a hesitation, which joins the words around it; None
    for anything that ends a run of content words (a stop word, a one-letter word, punctuation)."""
    if not token[0].isalpha():
        return None
    if _HESITATION.fullmatch(token):
        return ""
    lemma = lemmatise(token)
    stop = _stop_words()
    if len(token) < 2 or token in stop or lemma in stop:
        return None
    return lemma


def _clauses(text: str) -> list[list[str]]:
    """The content lemmas of a text, in runs of words that stand next to each other."""
    if "_" in text:
        text = _TAG.sub(_BREAK, text)
    text = _ANNOTATION.sub(_BREAK, text).lower()
    text = _phrases().sub(_BREAK, text)
    clauses: list[list[str]] = []
    run: list[str] = []
    for token in _TOKEN.findall(text):
        lemma = _content(token)
        if lemma:
            run.append(lemma)
        elif lemma is None and run:
            clauses.append(run)
            run = []
    if run:
        clauses.append(run)
    return clauses


def terms(text: str) -> list[str]:
    """The keyword terms of a text: content lemmas and bigrams of neighbouring ones.

    This is the analyzer of :func:`danish_vectorizer`.
    """
    found: list[str] = []
    for clause in _clauses(text):
        found.extend(clause)
        found.extend(f"{first} {second}" for first, second in pairwise(clause))
    return found


@lru_cache(maxsize=1 << 18)  # asked of each statement by the fit and again by zero-shot coding
def is_content_free(text: str) -> bool:
    """True when nothing is left once stop words, fillers, tags and annotations are removed."""
    return not _clauses(text)


def danish_vectorizer(n_docs: int) -> CountVectorizer:
    """A CountVectorizer for BERTopic's ``vectorizer_model`` that counts :func:`terms`.

    BERTopic fits the vectorizer on one joined document per theme, so ``min_df`` counts themes,
    not statements, and anything above 1 would drop the words that set a theme apart. Large
    corpora (``n_docs`` ≥ :data:`LARGE_CORPUS`) instead keep only the :data:`MAX_TERMS` commonest
    terms, which drops typos and one-off phrases first. Fit BERTopic with ``language="danish"``:
    with its default, English, BERTopic deletes "æ", "ø", "å" and all punctuation beforehand.
    """
    from sklearn.feature_extraction.text import CountVectorizer  # slow to import: only when fitting

    max_features = MAX_TERMS if n_docs >= LARGE_CORPUS else None
    return CountVectorizer(analyzer=terms, min_df=1, max_features=max_features)


def keyword_ctfidf() -> ClassTfidfTransformer:
    """BERTopic's ``ctfidf_model`` with the weighting :func:`theme_keywords` uses."""
    from bertopic.vectorizers import ClassTfidfTransformer

    return ClassTfidfTransformer(reduce_frequent_words=REDUCE_FREQUENT_WORDS)


def keyword_representation(diversity: float = 0.3) -> MaximalMarginalRelevance:
    """BERTopic's ``representation_model``: maximal marginal relevance over keyword embeddings.

    BERTopic only applies it when it was given an ``embedding_model`` (a sentence-transformers
    model or a ``bertopic.backend.BaseEmbedder``); otherwise it warns and keeps the c-TF-IDF words.
    """
    from bertopic.representation import MaximalMarginalRelevance

    return MaximalMarginalRelevance(diversity=diversity, top_n_words=10)


def _ctfidf(counts: sp.csr_matrix, reduce_frequent_words: bool) -> sp.csr_matrix:
    """c-TF-IDF as BERTopic computes it: l1-normalised term frequency per theme, times
    log(1 + average number of words per theme / frequency of the word over all themes)."""
    counts = sp.csr_matrix(counts, dtype=np.float64)
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    totals = np.asarray(counts.sum(axis=1)).ravel()
    average = int(totals.mean())  # BERTopic truncates the average
    idf = np.log(average / np.maximum(frequency, 1.0) + 1)
    scaled: sp.csr_matrix = sp.diags(1.0 / np.where(totals > 0, totals, 1.0)) @ counts
    if reduce_frequent_words:
        scaled.data = np.sqrt(scaled.data)
    return sp.csr_matrix(scaled @ sp.diags(idf))


def _lexical(ranked: list[tuple[str, float]], top_n: int) -> list[tuple[str, float]]:
    """Drop a keyword whose words all belong to a higher-ranked keyword."""
    kept: list[tuple[str, float]] = []
    for term, score in ranked:
        words = set(term.split())
        if not any(words <= set(other.split()) for other, _ in kept):
            kept.append((term, score))
        if len(kept) == top_n:
            break
    return kept


def _cosine(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    result: NDArray[np.float64] = a @ b.T
    return result


def _mmr(
    ranked: list[tuple[str, float]], top_n: int, diversity: float, embedder: KeywordEncoder
) -> list[tuple[str, float]]:
    """Maximal marginal relevance as BERTopic applies it: keywords close to the theme (the
    embedding of all candidates joined) and far from those already chosen, kept in c-TF-IDF order."""
    if len(ranked) <= 1:
        return ranked[:top_n]
    words = [term for term, _ in ranked]
    vectors = np.asarray(embedder.encode([*words, " ".join(words)]), dtype=np.float64)
    to_theme = _cosine(vectors[:-1], vectors[-1:]).ravel()
    between = _cosine(vectors[:-1], vectors[:-1])
    chosen = [int(np.argmax(to_theme))]
    left = [index for index in range(len(words)) if index != chosen[0]]
    while left and len(chosen) < top_n:
        redundancy = between[np.ix_(left, chosen)].max(axis=1)
        relevance = (1 - diversity) * to_theme[left] - diversity * redundancy
        chosen.append(left.pop(int(np.argmax(relevance))))
    return [ranked[index] for index in sorted(chosen)]


def theme_keywords(
    docs_per_theme: Mapping[int, Sequence[str]],
    top_n: int = 10,
    diversity: float = 0.3,
    embedder: KeywordEncoder | None = None,
    *,
    reduce_frequent_words: bool = REDUCE_FREQUENT_WORDS,
) -> dict[int, list[tuple[str, float]]]:
    """The ``top_n`` keywords of each theme with their c-TF-IDF scores, best first.

    Scores match BERTopic's with :func:`danish_vectorizer` and :func:`keyword_ctfidf`, except
    that statements are counted one by one, so no bigram spans two statements. With
    ``diversity`` > 0 keywords are made diverse: by maximal marginal relevance when an
    ``embedder`` is given, else by dropping a keyword whose words all belong to a higher-ranked
    one ("sagsbehandler" after "koordinerende sagsbehandler"). Themes without content words get
    an empty list.
    """
    themes = sorted(docs_per_theme)
    docs = [doc for theme in themes for doc in docs_per_theme[theme]]
    result: dict[int, list[tuple[str, float]]] = {theme: [] for theme in themes}
    vectorizer = danish_vectorizer(len(docs))
    try:
        per_doc = vectorizer.fit_transform(docs)
    except ValueError:  # empty vocabulary: nothing but fillers and stop words
        return result
    owner = np.repeat(np.arange(len(themes)), [len(docs_per_theme[theme]) for theme in themes])
    membership = sp.csr_matrix(
        (np.ones(len(docs)), (owner, np.arange(len(docs)))), shape=(len(themes), len(docs))
    )
    scores = _ctfidf(membership @ per_doc, reduce_frequent_words)
    vocabulary = vectorizer.get_feature_names_out()
    for row, theme in enumerate(themes):
        start, end = scores.indptr[row], scores.indptr[row + 1]
        pairs = [
            (str(vocabulary[index]), float(value))
            for index, value in zip(scores.indices[start:end], scores.data[start:end], strict=True)
            if value > 0
        ]
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
        if diversity <= 0:
            result[theme] = pairs[:top_n]
        elif embedder is not None:
            result[theme] = _mmr(pairs[: max(CANDIDATES, top_n)], top_n, diversity, embedder)
        else:
            result[theme] = _lexical(pairs, top_n)
    return result
