"""Theme quality on the sample corpus against its gold themes, and zero-shot coding accuracy.

    python benchmarks/eval_themes.py [--embedder e5] [--seed 42] [--markdown docs/themes.md]

Statements come from ``thememine ingest corpora/sample`` (default split options), each scored
where the gold file has a row (every non-filler statement). Reports:

- ARI and NMI of thememine's themes against the gold themes (unassigned statements count as one
  cluster of their own), next to plain BERTopic defaults on the same embeddings (only the seed of
  UMAP fixed), and thememine's share of unassigned statements;
- zero-shot coding with the shipped codebook ``samarbejde_da``: top-1 and top-3 accuracy on the
  statements whose gold theme is a code, and for a range of thresholds the share of statements
  marked as coded and the top-1 precision among them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docblock import write_block
from gold import GOLD, OTHER, load_gold

from thememine.embed import EmbeddingCache, embed_texts, load_embedder
from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.themes.codebook import shipped_codebook
from thememine.themes.coding import code_vectors, zero_shot
from thememine.themes.fitting import fit_run, units_from

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"


def bertopic_defaults(texts: Sequence[str], vectors: np.ndarray, seed: int) -> list[int]:
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed, n_jobs=1
    )
    model = BERTopic(umap_model=umap_model, language="multilingual", verbose=False)
    topics, _ = model.fit_transform(list(texts), embeddings=vectors)
    return [int(t) for t in topics]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="e5")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--cache", type=Path, default=None, help="embedding cache (default: a fresh temporary one)"
    )
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args(argv)

    corpus = read_corpus([SAMPLE])
    statements = split_corpus(corpus.documents, SplitOptions())
    units = units_from(statements, corpus.documents)
    gold = load_gold(GOLD)
    embedder = load_embedder(args.embedder)
    with tempfile.TemporaryDirectory() as scratch:
        cache = EmbeddingCache(args.cache or Path(scratch))
        started = time.time()
        vectors = embed_texts([u.text for u in units], embedder, cache, progress=False).vectors
        embed_seconds = time.time() - started
        book = shipped_codebook()
        codes = code_vectors(book, lambda texts: embed_texts(texts, embedder, cache, progress=False).vectors)

    started = time.time()
    run = fit_run(units, vectors, args.seed)
    fit_seconds = time.time() - started
    rows = [i for i, u in enumerate(units) if (u.doc_id, u.start, u.end) in gold]
    truth = [gold[(units[i].doc_id, units[i].start, units[i].end)] for i in rows]
    ours = [run.assignment[i] for i in rows]
    plain_all = bertopic_defaults([units[i].text for i in rows], vectors[rows], args.seed)

    def scores(predicted: Sequence[int]) -> tuple[float, float, int, float]:
        clusters = len(set(predicted) - {-1})
        unassigned = sum(1 for p in predicted if p == -1) / len(predicted)
        return (
            adjusted_rand_score(truth, predicted),
            normalized_mutual_info_score(truth, predicted),
            clusters,
            unassigned,
        )

    # zero-shot coding: statements whose gold theme is a code
    coded_rows = [i for i in rows if gold[(units[i].doc_id, units[i].start, units[i].end)] != OTHER]
    scored = zero_shot(vectors[coded_rows], codes)
    ids = [c.id for c in book.codes]
    expected = [gold[(units[i].doc_id, units[i].start, units[i].end)] for i in coded_rows]
    top1 = np.mean([ids[s[0].code] == e for s, e in zip(scored, expected, strict=True)])
    top3 = np.mean([e in {ids[c.code] for c in s} for s, e in zip(scored, expected, strict=True)])
    all_scored = zero_shot(vectors[rows], codes)
    all_truth = [gold[(units[i].doc_id, units[i].start, units[i].end)] for i in rows]

    lines = [
        f"Sample corpus: {len(units)} statements, {len(rows)} with a gold theme "
        f"({len(set(truth))} gold themes incl. `other`). Embedder: {embedder.id}. Seed {args.seed}.",
        f"Embedding took {embed_seconds:.1f} s ({'the cache given' if args.cache else 'cold cache'}); "
        f"thememine's fit {fit_seconds:.1f} s.",
        "",
        "| system | ARI | NMI | themes | unassigned |",
        "|---|---|---|---|---|",
    ]
    for name, predicted in (("thememine", ours), ("BERTopic defaults", plain_all)):
        ari, nmi, k, unassigned = scores(predicted)
        lines.append(f"| {name} | {ari:.3f} | {nmi:.3f} | {k} | {unassigned:.1%} |")
    lines += [
        "",
        f"Zero-shot coding with `{book.name}` ({len(book.codes)} codes) on the {len(coded_rows)} statements "
        f"whose gold theme is a code: **top-1 accuracy {top1:.3f}, top-3 accuracy {top3:.3f}** "
        f"(chance: {1 / len(book.codes):.3f} / {3 / len(book.codes):.3f}).",
        "",
        "| threshold | statements coded (of all with gold) | top-1 precision among them |",
        "|---|---|---|",
    ]
    for threshold in (0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45):
        chosen = [(s, t) for s, t in zip(all_scored, all_truth, strict=True) if s[0].score >= threshold]
        precision = np.mean([ids[s[0].code] == t for s, t in chosen]) if chosen else float("nan")
        lines.append(f"| {threshold:.2f} | {len(chosen) / len(rows):.1%} | {precision:.3f} |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        write_block(
            args.markdown,
            "eval_themes",
            "# Themes: quality on the sample corpus\n\n"
            "Written by `benchmarks/eval_themes.py` (run by hand, 2 CPU cores). Gold themes: "
            "`corpora/sample_gold/` (one annotator; see its GOLD.md).\n\n" + text,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
