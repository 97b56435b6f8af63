"""Codebook coding on the sample corpus against its gold codes: the first method and later ones, side by side.

    python benchmarks/eval_coding.py [--seed 42] [--markdown docs/themes.md]

The gold file (``corpora/sample_gold``) is the evaluation set only: nothing is fitted or chosen on
it here. The codebook's examples are the training material (the calibration is fitted on them,
each held out in turn). Reports, on every statement with a gold row:

- top-1 and top-3 accuracy on the statements whose gold theme is a code;
- the share of statements marked as coded at the default threshold, and the precision among them
  (a statement whose gold theme is ``other`` counts as wrongly coded);
- for a fit of themes, how many themes get a code's name under each method, and at what scores.

"old" is one vector per code compared by centred cosine, threshold 0.25 cosine, a theme named by
its centroid's closest code; "standardised" is :mod:`thememine.themes.coding` with each code's
description embedded whole (standardised per code, read in context, calibrated confidence,
threshold 0.5; a theme named only when most of its members are coded with the code); "sentences"
is the same with the description's sentences mixed in (:data:`~thememine.themes.coding.SENTENCE_WEIGHT`);
"learned map" is the head of ``benchmarks/cv_coding.py`` trained on all the examples, ranked only
(it is not calibrated, so it has no coded share); "sentences + words" adds the lexical score
(:mod:`thememine.themes.lexical`, weight :data:`~thememine.themes.coding.LEXICAL_WEIGHT`), today's
"words + question", today's coding, also reads each answer with the interviewer's question before
it, when that lies beyond the two neighbours either side (weight
:data:`~thememine.themes.coding.QUESTION_WEIGHT`; the codebook's examples have no questions, so it
was chosen on the development corpus, ``benchmarks/dev_coding.py``). Each was chosen on the
codebook's examples (``benchmarks/cv_coding.py``) or the development corpus before it was run
here. All are run with and without the interviewer's statements.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cv_coding import mapped, train_map
from docblock import write_block
from gold import GOLD, OTHER, load_gold

from thememine.embed import EmbeddingCache, embed_texts, load_embedder
from thememine.embed.base import normalise_rows
from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.themes.codebook import shipped_codebook
from thememine.themes.coding import (
    DEFAULT_THRESHOLD,
    LEXICAL_WEIGHT,
    QUESTION_WEIGHT,
    CodeTexts,
    Embed,
    code_model,
    code_units,
    content_rows,
    description_sentences,
    embed_codebook,
    zero_shot,
)
from thememine.themes.describe import name_themes
from thememine.themes.fit import centred, centroids, content_mask
from thememine.themes.fitting import fit_run, units_from
from thememine.themes.model import Codebook, Unit

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"
OLD_THRESHOLD = 0.25


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args(argv)

    corpus = read_corpus([SAMPLE])
    units = units_from(split_corpus(corpus.documents, SplitOptions()), corpus.documents)
    gold = load_gold(GOLD)
    embedder = load_embedder("e5")
    cache = EmbeddingCache()
    embed = lambda texts: embed_texts(texts, embedder, cache, progress=False).vectors  # noqa: E731
    vectors = embed([u.text for u in units])
    book = shipped_codebook()
    ids = [c.id for c in book.codes]
    texts = embed_codebook(book, embed)
    whole = embed_codebook(book, embed, 0.0)  # each description embedded whole, as before
    started = time.time()
    mapped = _mapped(book, embed, vectors, units)
    map_seconds = time.time() - started
    truth = {
        i: gold[(u.doc_id, u.start, u.end)] for i, u in enumerate(units) if (u.doc_id, u.start, u.end) in gold
    }

    lines = [
        f"Sample corpus: {len(units)} statements, {len(truth)} with a gold row. Codebook `{book.name}`: "
        f"{len(book.codes)} codes, {len(texts.owners)} examples. Embedder {embedder.id}.",
        "",
        "| method | statements | top-1 | top-3 | coded at default threshold | precision of coded |",
        "|---|---|---|---|---|---|",
    ]
    started = time.time()
    for interviewer in (True, False):
        mask = content_mask(units, include_interviewer=interviewer)
        rows = [i for i in truth if mask[i]]
        with_code = [i for i in rows if truth[i] != OTHER]
        old = zero_shot(vectors[rows], whole.vectors())
        old_by = {row: s for row, s in zip(rows, old, strict=True)}
        coded = content_rows(units, mask)
        # the embeddings alone: models made without the statements' texts have no lexical score
        standard, _ = code_units(
            units, vectors, whole, mask, model=code_model(whole, vectors, coded), question_weight=0.0
        )
        sentences, _ = code_units(
            units, vectors, texts, mask, model=code_model(texts, vectors, coded), question_weight=0.0
        )
        words, model = code_units(units, vectors, texts, mask, question_weight=0.0)
        new_by = {s[0].statement: s for s in words}
        asked, _ = code_units(units, vectors, texts, mask, model=model)  # today: QUESTION_WEIGHT
        map_scored, _ = code_units(units, mapped[0], mapped[1], mask, question_weight=0.0)
        who = "all speakers" if interviewer else "without the interviewer"
        for name, by, threshold in (
            ("old", old_by, OLD_THRESHOLD),
            ("standardised", {s[0].statement: s for s in standard}, DEFAULT_THRESHOLD),
            ("sentences", {s[0].statement: s for s in sentences}, DEFAULT_THRESHOLD),
            ("learned map", {s[0].statement: s for s in map_scored}, None),
            (f"sentences + words {LEXICAL_WEIGHT}", new_by, DEFAULT_THRESHOLD),
            (
                f"words + question {QUESTION_WEIGHT} (today)",
                {s[0].statement: s for s in asked},
                DEFAULT_THRESHOLD,
            ),
        ):
            top1 = np.mean([ids[by[i][0].code] == truth[i] for i in with_code])
            top3 = np.mean([truth[i] in {ids[s.code] for s in by[i]} for i in with_code])
            coded = "– | –"
            if threshold is not None:
                chosen = [i for i in rows if by[i][0].score >= threshold]
                right = [ids[by[i][0].code] == truth[i] for i in chosen]
                precision = np.mean(right) if chosen else float("nan")
                coded = f"{len(chosen) / len(rows):.1%} (≥ {threshold}) | {precision:.3f}"
            lines.append(
                f"| {name} ({who}) | {len(rows)} ({len(with_code)} with a code) | {top1:.3f} | {top3:.3f} "
                f"| {coded} |"
            )
        missing = sum(1 for i, keep in enumerate(mask) if keep and i not in new_by)
        if missing:
            lines.append(f"| (new: {missing} statements of the mask missing from codes.csv) | | | | | |")
    seconds = time.time() - started
    calibration = model.calibration
    lines += [
        "",
        f"Calibration (fitted on the {calibration.examples} held-out examples, {calibration.right} of them "
        f"coded with their own code first): slope {calibration.slope}, intercept {calibration.intercept}; "
        "per-code cosine thresholds at 0.5: "
        + ", ".join(f"{c} {t:.2f}" for c, t in zip(ids, model.thresholds(), strict=True))
        + f". Coding all the ways took {seconds:.1f} s; training the learned map {map_seconds:.1f} s.",
        "",
        "Precision of today's coding by threshold (without the interviewer):",
        "",
        "| threshold | coded | precision |",
        "|---|---|---|",
    ]
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        chosen = [i for i in rows if new_by[i][0].score >= threshold]
        precision = np.mean([ids[new_by[i][0].code] == truth[i] for i in chosen]) if chosen else float("nan")
        lines.append(f"| {threshold:.1f} | {len(chosen) / len(rows):.1%} | {precision:.3f} |")

    # theme names: one fit, labelled the old way and the new way
    code_vectors, names = texts.vectors(), [c.name for c in book.codes]
    run = fit_run(units, vectors, args.seed, code_vectors, names)
    content = [i for i, keep in enumerate(content_mask(units)) if keep]
    # as thememine's fit: theme names read the embeddings alone, with their own calibration
    run.settings["code_calibration"] = code_model(texts, vectors, content).calibration.to_dict()
    name_themes(run, code_vectors, names)
    mean = run.embeddings.mean(axis=0) / max(np.linalg.norm(run.embeddings.mean(axis=0)), 1e-9)
    middle = centroids(run.embeddings, run.assignment)
    old_pairs = []
    for theme_id in run.themes:
        sims = centred(code_vectors, mean) @ centred(middle[theme_id][None], mean)[0]
        old_pairs.append((float(sims.max()), theme_id, names[int(sims.argmax())]))
    used: set[str] = set()
    old_named = []
    for score, _, name in sorted(old_pairs, key=lambda p: -p[0]):
        if name not in used:
            used.add(name)
            old_named.append(score)
    new_named = [t for t in run.themes.values() if t.label in names]
    lines += [
        "",
        f"Themes of one fit (seed {args.seed}): {len(run.themes)}. Named after a code the old way: "
        f"{len(old_named)}, at centroid cosines {min(old_named):.2f}-{max(old_named):.2f}. The new way: "
        f"{len(new_named)}"
        + (
            " ("
            + "; ".join(f"{t.label}: score {t.codes[0][1]:.2f}, {t.size} statements" for t in new_named)
            + ")"
            if new_named
            else ""
        )
        + "; the others carry their keywords, with the best codes as suggestions.",
    ]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        write_block(
            args.markdown,
            "eval_coding",
            "## Codebook coding: old and new\n\nWritten by `benchmarks/eval_coding.py` (run by hand, 2 CPU "
            "cores).\n\n" + text,
        )
    return 0


def _mapped(
    book: Codebook, embed: Embed, vectors: np.ndarray, units: list[Unit]
) -> tuple[np.ndarray, CodeTexts]:
    """The statements and the codebook's texts in the space of the learned map, trained on all the
    examples and the descriptions' sentences (``benchmarks/cv_coding.py``)."""
    whole = embed_codebook(book, embed, 0.0)
    sentences = [(c, s) for c, code in enumerate(book.codes) for s in description_sentences(code.description)]
    content = normalise_rows(vectors)[np.asarray(content_mask(units))]
    matrix = train_map(
        content,
        whole.descriptions,
        normalise_rows(embed([s for _, s in sentences])),
        np.asarray([c for c, _ in sentences]),
        whole.examples,
        np.asarray(whole.owners),
    )
    texts = CodeTexts(mapped(whole.descriptions, matrix), mapped(whole.examples, matrix), whole.owners)
    return mapped(normalise_rows(vectors), matrix), texts


if __name__ == "__main__":
    raise SystemExit(main())
