"""Codebook coding on the development corpus: the interviewer's question and the words' weight.

    python benchmarks/dev_coding.py --corpus dev [--markdown docs/themes.md]

Choices the codebook's examples cannot settle are made here, on ``corpora/dev`` and its gold codes
``corpora/dev_gold`` (written for this purpose; see its GOLD.md). The one choice measured today is
``question_weight`` (:func:`thememine.themes.coding.neighbours`): an answer also reads the
interviewer's question before it, with that weight, when the question lies beyond its
:data:`~thememine.themes.coding.CONTEXT` neighbours. The codebook's examples have no questions,
so this could not be chosen on them. Each question weight is run with today's
:data:`~thememine.themes.coding.LEXICAL_WEIGHT` and with the words left out, for reference.

Only development corpora are listed in :data:`CORPORA`: the sample corpus's gold
(``corpora/sample_gold``) is the evaluation set, and sweeping settings on it would tune on it
(``benchmarks/eval_coding.py`` runs the chosen settings there once). Reports, on the informants'
statements with a gold row (the interviewer's statements are context, not coded):

- top-1 and top-3 accuracy on the statements whose gold code is a code (not ``other``);
- the share coded at :data:`~thememine.themes.coding.DEFAULT_THRESHOLD` and the precision among
  them (a statement whose gold theme is ``other`` counts as wrongly coded);
- against question weight 0 at the same words' weight, how many statements turn right and how
  many turn wrong at top-1 (a paired count, since the differences are small beside the set).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docblock import write_block
from gold import OTHER, load_gold

from thememine.embed import EmbeddingCache, embed_texts, load_embedder
from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.themes.codebook import shipped_codebook
from thememine.themes.coding import (
    CONTEXT,
    DEFAULT_THRESHOLD,
    LEXICAL_WEIGHT,
    code_model,
    code_units,
    content_rows,
    context_rows,
    embed_codebook,
    neighbours,
)
from thememine.themes.fit import content_mask
from thememine.themes.fitting import units_from
from thememine.themes.model import INTERVIEWER, Unit

ROOT = Path(__file__).resolve().parent.parent
# name -> (transcripts, gold CSV); development material only, never the evaluation gold
CORPORA = {"dev": (ROOT / "corpora" / "dev", ROOT / "corpora" / "dev_gold" / "gold_themes.csv")}
QUESTION_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
LEXICAL_WEIGHTS = (0.0, LEXICAL_WEIGHT)  # the words left out, and today's weight


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="dev")
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args(argv)

    folder, gold_csv = CORPORA[args.corpus]
    corpus = read_corpus([folder])
    units = units_from(split_corpus(corpus.documents, SplitOptions()), corpus.documents)
    gold = load_gold(gold_csv)
    embedder = load_embedder("e5")
    cache = EmbeddingCache()
    vectors = embed_texts([u.text for u in units], embedder, cache, progress=False).vectors
    book = shipped_codebook()
    ids = [c.id for c in book.codes]
    texts = embed_codebook(book, lambda batch: embed_texts(batch, embedder, cache, progress=False).vectors)
    truth = {
        i: gold[(u.doc_id, u.start, u.end)] for i, u in enumerate(units) if (u.doc_id, u.start, u.end) in gold
    }
    if len(truth) != len(gold):
        raise SystemExit(f"{len(gold) - len(truth)} gold rows match no statement: is the gold out of date?")
    mask = content_mask(units, include_interviewer=False)
    rows = [i for i in truth if mask[i]]
    with_code = [i for i in rows if truth[i] != OTHER]
    reached = _reading_a_question(units, rows)

    lines = [
        f"Development corpus `{args.corpus}`: {len(units)} statements, {len(truth)} informant statements "
        f"with a gold row, {len(rows)} of them with content words and so coded ({len(with_code)} with a "
        f"gold code). Codebook `{book.name}`: {len(book.codes)} codes. Embedder {embedder.id}. The question "
        f"is read by {reached} of the {len(rows)} (the others have it among their {CONTEXT} neighbours "
        "either side, or no question before them).",
        "",
        "| words' weight | question weight | top-1 | top-3 | coded at 0.5 | precision of coded "
        "| top-1 turned right / wrong vs. question 0 |",
        "|---|---|---|---|---|---|---|",
    ]
    for lexical in LEXICAL_WEIGHTS:
        # the words left out: a model made without the statements' texts; else code_units makes
        # today's (LEXICAL_WEIGHT) on the first question weight, and the others reuse it
        model = code_model(texts, vectors, content_rows(units, mask)) if lexical == 0 else None
        first: dict[int, bool] = {}
        for weight in QUESTION_WEIGHTS:
            scored, model = code_units(units, vectors, texts, mask, model=model, question_weight=weight)
            by = {s[0].statement: s for s in scored}
            right = {i: ids[by[i][0].code] == truth[i] for i in with_code}
            top3 = np.mean([truth[i] in {ids[s.code] for s in by[i]} for i in with_code])
            chosen = [i for i in rows if by[i][0].score >= DEFAULT_THRESHOLD]
            precision = np.mean([ids[by[i][0].code] == truth[i] for i in chosen]) if chosen else float("nan")
            if weight == 0.0:
                first, moved = right, "–"
            else:
                gained = sum(right[i] and not first[i] for i in with_code)
                lost = sum(first[i] and not right[i] for i in with_code)
                moved = f"+{gained} / −{lost}"
            lines.append(
                f"| {lexical} | {weight} | {np.mean(list(right.values())):.3f} | {top3:.3f} "
                f"| {len(chosen) / len(rows):.1%} | {precision:.3f} | {moved} |"
            )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        write_block(
            args.markdown,
            "dev_coding",
            "Written by `benchmarks/dev_coding.py --corpus dev` (run by hand, 2 CPU cores).\n\n" + text,
        )
    return 0


def _reading_a_question(units: list[Unit], rows: list[int]) -> int:
    """How many of ``rows`` read an interviewer's question beyond their neighbours: the statements
    ``question_weight`` can change at all."""
    around = context_rows(units, rows)
    found = neighbours(units, around, question_weight=1.0)
    plain = neighbours(units, around, question_weight=0.0)
    at = {row: position for position, row in enumerate(around)}
    return sum(len(found[at[i]]) > len(plain[at[i]]) for i in rows if units[i].role != INTERVIEWER)


if __name__ == "__main__":
    raise SystemExit(main())
