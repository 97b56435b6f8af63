"""Choosing how codes are built, on the codebook's own examples only (cross-validation).

    python benchmarks/cv_coding.py [--repeats 3] [--markdown docs/themes.md]

The gold codes of the sample corpus (``corpora/sample_gold``) are not read here: they are the
evaluation set, and every choice of method and setting is made on this script's figures. The
training material is the shipped codebook ``samarbejde_da`` (12 codes, 8 examples each). An
example is held out, the codes are built from the description and the other examples, and the
held-out example is ranked among the codes as a statement is (centred cosine, standardised per code
over the sample corpus's statements, which are read without their gold codes). Two splits:
leave-one-example-out, and stratified 8-fold repeated with three seeds (one example per code in
each fold; a learned head is trained once per fold). Reported: top-1, top-3 and mean reciprocal
rank (MRR) of the held-out example's own code.

Variants:

- ``mean vector (before)``: description and examples' mean, weighted equally, the description
  embedded whole;
- ``sentences w``: the description row mixes in its sentences' mean with weight ``w``
  (:data:`thememine.themes.coding.SENTENCE_WEIGHT`);
- ``learned map``: a linear map of the embeddings, ``x -> x + x A``, ``A`` starting at zero,
  trained on the examples (each against its code built without it) and the description's
  sentences with a softmax over codes (temperature :data:`MAP_TEMPERATURE`), penalised by
  :data:`MAP_PENALTY` ``* |A|²`` per training text, :data:`MAP_STEPS` full-batch Adam steps;
- ``sentences 0.25 + words w``: today's code vectors, plus ``w`` times the lexical score
  (:mod:`thememine.themes.lexical`: the held-out example's TF-IDF vector, not scaled to unit
  length, dotted with each code's unit TF-IDF vector of its ``name: description`` and training
  examples, IDF over the sample's statements, standardised per code over them). The weight with the best mean MRR (leave-one-out and 8-fold) is
  :data:`thememine.themes.coding.LEXICAL_WEIGHT`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docblock import write_block

from thememine.embed import EmbeddingCache, embed_texts, load_embedder
from thememine.embed.base import normalise_rows
from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.themes.codebook import shipped_codebook
from thememine.themes.coding import (
    DESCRIPTION_WEIGHT,
    LEXICAL_WEIGHT,
    SENTENCE_WEIGHT,
    CodeTexts,
    description_sentences,
    embed_codebook,
)
from thememine.themes.fit import content_mask
from thememine.themes.fitting import units_from
from thememine.themes.lexical import CodeTerms, CorpusTerms

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"
FOLDS = 8
REPEATS = 3
MAP_TEMPERATURE = 10.0
MAP_PENALTY = 3.0
MAP_STEPS = 100
MAP_RATE = 0.01
LEXICAL_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5)

Scorer = Callable[[np.ndarray], np.ndarray]  # held-out example rows -> standardised score per code
Method = Callable[[np.ndarray, np.ndarray], Scorer]  # (training example rows, their codes) -> scorer
Chosen = Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]  # training -> held-out indices -> scores


def centred(rows: np.ndarray, centre: np.ndarray) -> np.ndarray:
    return normalise_rows(normalise_rows(rows) - centre)


def standardised(corpus: np.ndarray, codes: np.ndarray) -> Scorer:
    """Centred cosine to each code, standardised per code over the corpus (as the coding does)."""
    centre = normalise_rows(corpus).mean(axis=0)
    sims = centred(corpus, centre) @ centred(codes, centre).T
    mean, std = sims.mean(axis=0), sims.std(axis=0)
    return lambda rows: (centred(rows, centre) @ centred(codes, centre).T - mean) / std


def code_rows(descriptions: np.ndarray, examples: np.ndarray, owners: np.ndarray) -> np.ndarray:
    k = len(descriptions)
    rows = [
        DESCRIPTION_WEIGHT * descriptions[c]
        + (1 - DESCRIPTION_WEIGHT) * normalise_rows(examples[owners == c].mean(axis=0, keepdims=True))[0]
        for c in range(k)
    ]
    return normalise_rows(np.asarray(rows))


def prototypes(corpus: np.ndarray, descriptions: np.ndarray) -> Method:
    return lambda x, y: standardised(corpus, code_rows(descriptions, x, y))


def train_map(
    corpus: np.ndarray,
    descriptions: np.ndarray,
    sentences: np.ndarray,
    sentence_owners: np.ndarray,
    examples: np.ndarray,
    owners: np.ndarray,
) -> np.ndarray:
    """The learned map's ``A`` (module docstring), trained on ``examples`` and the sentences."""
    import torch

    torch.set_num_threads(1)

    def unit(t: torch.Tensor) -> torch.Tensor:
        return t / t.norm(dim=-1, keepdim=True).clamp_min(1e-9)

    k, d = descriptions.shape
    as_t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
    ex, desc, sent = as_t(examples), as_t(descriptions), as_t(sentences)
    codes = torch.tensor(owners)
    one_hot = torch.nn.functional.one_hot(codes, k).double()
    counts = one_hot.sum(0)
    centre = as_t(normalise_rows(corpus).mean(axis=0))
    a = torch.zeros(d, d, dtype=torch.float64, requires_grad=True)
    step = torch.optim.Adam([a], lr=MAP_RATE)
    targets = torch.cat([codes, torch.tensor(sentence_owners)])
    w = DESCRIPTION_WEIGHT
    for _ in range(MAP_STEPS):
        step.zero_grad()
        f = lambda v: unit(v + v @ a)  # noqa: E731
        c = f(centre[None])[0]
        e, dd, ss = f(ex), f(desc), f(sent)
        sums = one_hot.T @ e
        codes_all = unit(w * dd + (1 - w) * unit(sums / counts[:, None]))
        without = unit((sums[codes] - e) / (counts[codes] - 1).clamp_min(1)[:, None])
        own = unit(w * dd[codes] + (1 - w) * without)  # each example's code built without it
        logits = torch.cat([unit(e - c), unit(ss - c)]) @ unit(codes_all - c).T
        logits = logits.clone()
        logits[torch.arange(len(codes)), codes] = (unit(e - c) * unit(own - c)).sum(1)
        loss = torch.nn.functional.cross_entropy(MAP_TEMPERATURE * logits, targets)
        (loss + MAP_PENALTY * (a**2).sum() / len(targets)).backward()
        step.step()
    matrix: np.ndarray = a.detach().numpy()
    return matrix


def mapped(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return normalise_rows(rows + rows @ matrix)


def learned_map(
    corpus: np.ndarray, descriptions: np.ndarray, sentences: np.ndarray, sentence_owners: np.ndarray
) -> Method:
    """The learned-map variant (module docstring), trained on each fold's training examples."""

    def method(x: np.ndarray, y: np.ndarray) -> Scorer:
        matrix = train_map(corpus, descriptions, sentences, sentence_owners, x, y)
        scorer = standardised(
            mapped(corpus, matrix), code_rows(mapped(descriptions, matrix), mapped(x, matrix), y)
        )
        return lambda rows: scorer(mapped(rows, matrix))

    return method


def splits(owners: np.ndarray, folds: int | None, seed: int) -> list[list[int]]:
    """Leave-one-out (``folds`` None) or stratified folds: each fold one example per code in turn."""
    if folds is None:
        return [[i] for i in range(len(owners))]
    order = np.random.default_rng(seed).permutation(len(owners))
    found: list[list[int]] = [[] for _ in range(folds)]
    for code in np.unique(owners):
        for j, i in enumerate(i for i in order if owners[i] == code):
            found[j % folds].append(int(i))
    return found


def on_rows(method: Method, examples: np.ndarray, owners: np.ndarray) -> Chosen:
    """A method of example rows as one of example indices (what :func:`cross_validate` takes)."""
    return lambda train: (lambda scorer: lambda test: scorer(examples[test]))(
        method(examples[train], owners[train])
    )


def with_lexical(
    method: Chosen, corpus: CorpusTerms, texts: CodeTexts, weight: float = LEXICAL_WEIGHT
) -> Chosen:
    """``method`` plus ``weight`` times the lexical score (:mod:`thememine.themes.lexical`): each
    code's document is its ``name: description`` and its training examples only."""

    def chosen(train: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        kept = set(int(i) for i in train)
        documents = [[text] for text in texts.description_texts]
        for i, (owner, text) in enumerate(zip(texts.owners, texts.example_texts, strict=True)):
            if i in kept:
                documents[owner].append(text)
        lexical, scorer = CodeTerms.of(corpus, documents), method(train)
        return lambda test: (
            scorer(test) + weight * lexical.standardised([texts.example_texts[i] for i in test])
        )

    return chosen


def cross_validate(
    method: Chosen, owners: np.ndarray, folds: int | None, seeds: Sequence[int]
) -> tuple[float, float, float]:
    """Mean top-1, top-3 and MRR of held-out examples over ``seeds``."""
    figures = []
    for seed in seeds:
        scores = np.zeros((len(owners), int(owners.max()) + 1))
        for test in splits(owners, folds, seed):
            train = np.setdiff1d(np.arange(len(owners)), test)
            scores[test] = method(train)(np.asarray(test))
        figures.append(rank_figures(scores, owners))
    top1, top3, mrr = np.mean(figures, axis=0)
    return float(top1), float(top3), float(mrr)


def rank_figures(scores: np.ndarray, owners: np.ndarray) -> tuple[float, float, float]:
    """Top-1, top-3 and mean reciprocal rank of each row's own code (``owners``) in ``scores``."""
    own = scores[np.arange(len(owners)), owners]
    rank = (scores > own[:, None]).sum(axis=1)
    return float(np.mean(rank == 0)), float(np.mean(rank < 3)), float(np.mean(1 / (rank + 1)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument(
        "--repeats", type=int, default=REPEATS, help="seeds of the 8-fold split (10 to choose a weight)"
    )
    args = ap.parse_args(argv)

    corpus = read_corpus([SAMPLE])
    units = units_from(split_corpus(corpus.documents, SplitOptions()), corpus.documents)
    embedder = load_embedder("e5")
    cache = EmbeddingCache()
    embed = lambda texts: embed_texts(texts, embedder, cache, progress=False).vectors  # noqa: E731
    vectors = normalise_rows(embed([u.text for u in units]))[np.asarray(content_mask(units))]
    book = shipped_codebook()
    owners = np.asarray(embed_codebook(book, embed, 0.0).owners)
    examples = embed_codebook(book, embed, 0.0).examples
    sentences = [(c, s) for c, code in enumerate(book.codes) for s in description_sentences(code.description)]
    sentence_rows = normalise_rows(embed([s for _, s in sentences]))
    sentence_owners = np.asarray([c for c, _ in sentences])

    variants: list[tuple[str, Chosen]] = []
    for weight in (0.0, 0.25, 0.5, 0.75):
        name = "mean vector (before)" if weight == 0 else f"sentences {weight}"
        method = prototypes(vectors, embed_codebook(book, embed, weight).descriptions)
        variants.append((name, on_rows(method, examples, owners)))
    variants.append(
        (
            "learned map",
            on_rows(
                learned_map(
                    vectors, embed_codebook(book, embed, 0.0).descriptions, sentence_rows, sentence_owners
                ),
                examples,
                owners,
            ),
        )
    )
    texts = embed_codebook(book, embed)
    statements = [u.text for u, keep in zip(units, content_mask(units), strict=True) if keep]
    terms = CorpusTerms.of(statements, also=[*texts.description_texts, *texts.example_texts])
    today = on_rows(prototypes(vectors, texts.descriptions), examples, owners)
    for weight in LEXICAL_WEIGHTS:
        variants.append(
            (f"sentences {SENTENCE_WEIGHT} + words {weight}", with_lexical(today, terms, texts, weight))
        )
    lines = [
        f"Codebook `{book.name}`: {len(book.codes)} codes, {len(owners)} examples, "
        f"{len(sentences)} description sentences; standardised over the sample corpus's "
        f"{len(vectors)} statements with content (no gold read). Embedder {embedder.id}.",
        "",
        f"| variant | leave-one-out top-1 | top-3 | MRR | {FOLDS}-fold ×{args.repeats} top-1 | top-3 | MRR | seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, method in variants:
        started = time.time()
        loo = cross_validate(method, owners, None, [0]) if name != "learned map" else None
        folds = cross_validate(method, owners, FOLDS, range(args.repeats))
        seconds = time.time() - started
        left = " | ".join(f"{v:.3f}" for v in loo) if loo else "– | – | –"
        lines.append(f"| {name} | {left} | " + " | ".join(f"{v:.3f}" for v in folds) + f" | {seconds:.0f} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        write_block(
            args.markdown,
            "cv_coding",
            "## Codebook coding: choices on the codebook's examples\n\nWritten by `benchmarks/cv_coding.py` "
            "(run by hand, 2 CPU cores).\n\n" + text,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
