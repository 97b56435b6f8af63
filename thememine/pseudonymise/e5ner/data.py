"""NER data in IOB2 (Universal NER's format), word-to-token alignment, and entity-level scoring.

Each sentence is tokenised from its raw ``# text = …`` line, so the model sees the tokenisation it
gets on running text; a word is represented by the token that covers its first character
("first sub-token" labelling), and the other tokens are ignored in the loss. Scoring is
conlleval's (and seqeval's default): exact span and type, micro-averaged over types.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer

log = logging.getLogger(__name__)

ENTITY_TYPES = ("PER", "LOC", "ORG")
LABELS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")
LABEL_IDS = {label: i for i, label in enumerate(LABELS)}
IGNORE = -100  # label id the loss skips

Span = tuple[str, int, int]  # (type, start, end): word or character indices, end exclusive


@dataclass(frozen=True)
class Sentence:
    """One annotated sentence: its text, its words and their IOB2 tags."""

    text: str
    words: list[str]
    tags: list[str]

    @property
    def aligned_text(self) -> str:
        """``text`` if every word is found in it, else the words joined by spaces."""
        return self.text if word_spans(self.text, self.words) is not None else " ".join(self.words)

    def char_entities(self) -> list[Span]:
        """The gold entities as character spans in :attr:`aligned_text`."""
        spans = word_spans(self.aligned_text, self.words) or []
        return [(kind, spans[s][0], spans[e - 1][1]) for kind, s, e in entities(self.tags)]


@dataclass(frozen=True)
class EncodedSentence:
    """A sentence as token ids, a label id per token, and the token of each word."""

    ids: list[int]
    labels: list[int]
    word_tokens: list[int | None]


@dataclass(frozen=True)
class Scores:
    """Entity-level precision, recall and F1 with their counts."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    gold: int


def read_iob2(path: Path) -> list[Sentence]:
    """Sentences of a Universal NER file; tags other than PER/LOC/ORG become ``O``."""
    sentences: list[Sentence] = []
    rows: list[tuple[str, str]] = []
    text: str | None = None
    other: Counter[str] = Counter()

    def flush() -> None:
        if rows:
            words = [word for word, _ in rows]
            sentences.append(
                Sentence(text if text is not None else " ".join(words), words, [t for _, t in rows])
            )

    with open(path, encoding="utf-8") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            if not line:
                flush()
                rows, text = [], None
            elif line.startswith("# text = "):
                text = line[len("# text = ") :]
            elif not line.startswith("#"):
                columns = line.split("\t")
                tag = columns[2]
                if tag not in LABEL_IDS:
                    other[tag] += 1
                    tag = "O"
                rows.append((columns[1], tag))
    flush()
    if other:
        log.info("read_iob2: tags read as O: %s", dict(other))
    return sentences


def word_spans(text: str, words: Sequence[str]) -> list[tuple[int, int]] | None:
    """Character spans of ``words`` found left to right in ``text``; ``None`` if one is missing."""
    spans = []
    at = 0
    for word in words:
        start = text.find(word, at)
        if start < 0:
            return None
        spans.append((start, start + len(word)))
        at = start + len(word)
    return spans


def first_tokens(
    offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]], length: int
) -> list[int | None]:
    """For each character span, the first token covering one of its characters (or ``None``)."""
    token_at = [-1] * length
    for t, (start, end) in enumerate(offsets):
        for c in range(start, end):
            if token_at[c] < 0:
                token_at[c] = t
    found: list[int | None] = []
    for start, end in spans:
        token = next((token_at[c] for c in range(start, end) if token_at[c] >= 0), None)
        found.append(token)
    return found


def encode_sentence(tokenizer: E5Tokenizer, sentence: Sentence) -> EncodedSentence:
    """Token ids with first-sub-token labels."""
    text = sentence.aligned_text
    spans = word_spans(text, sentence.words) or []
    ids, offsets = tokenizer.encode_with_offsets(text)
    tokens = first_tokens(offsets, spans, len(text))
    labels = [IGNORE] * len(ids)
    for token, tag in zip(tokens, sentence.tags, strict=True):
        if token is not None and labels[token] == IGNORE:
            labels[token] = LABEL_IDS[tag]
    return EncodedSentence(ids, labels, tokens)


def entities(tags: Sequence[str]) -> list[Span]:
    """Entities in an IOB2 tag sequence; an ``I-X`` after ``O`` or another type starts one."""
    found: list[Span] = []
    start, kind = 0, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, tag_kind = tag.partition("-")
        begins = prefix in ("B", "O") or (prefix == "I" and tag_kind != kind)
        if begins and kind:
            found.append((kind, start, i))
            kind = ""
        if prefix in ("B", "I") and begins:
            start, kind = i, tag_kind
    return found


def score_entities(gold: Iterable[Iterable[Span]], predicted: Iterable[Iterable[Span]]) -> dict[str, Scores]:
    """Exact-match P/R/F1 per entity type and over all (key ``ALL``), text by text."""
    hits: Counter[str] = Counter()
    n_predicted: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        gold_set, predicted_set = set(gold_spans), set(predicted_spans)
        n_gold.update(kind for kind, _, _ in gold_set)
        n_predicted.update(kind for kind, _, _ in predicted_set)
        hits.update(kind for kind, _, _ in gold_set & predicted_set)
    kinds = [*ENTITY_TYPES, *sorted((set(n_gold) | set(n_predicted)) - set(ENTITY_TYPES))]
    result = {kind: _scores(hits[kind], n_predicted[kind], n_gold[kind]) for kind in kinds}
    result["ALL"] = _scores(sum(hits.values()), sum(n_predicted.values()), sum(n_gold.values()))
    return result


def score_tags(gold: Iterable[Sequence[str]], predicted: Iterable[Sequence[str]]) -> dict[str, Scores]:
    """Entity-level scores of IOB2 tag sequences."""
    return score_entities((entities(g) for g in gold), (entities(p) for p in predicted))


def _scores(hits: int, predicted: int, gold: int) -> Scores:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, hits, predicted, gold)


def format_scores(scores: dict[str, Scores]) -> str:
    """One line: ``PER P=… R=… F1=…`` per type and overall."""
    return "  ".join(f"{k} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}" for k, s in scores.items())
