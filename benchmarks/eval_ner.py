"""Score the shipped NER model on Universal NER Danish-DDT dev and measure its speed.

    python benchmarks/eval_ner.py DATA_DIR [--model thememine/models/ner-da-e5] [--threads 2] [--json OUT]

Entity-level precision, recall and F1 (exact span and type) per label, three ways:

* ``gold words``: each dev sentence, words as the treebank splits them, a word read at its first
  token: the usual protocol, comparable with published figures;
* ``tag() sentences``: ``E5NerTagger.tag`` on each raw sentence, character spans compared: what
  the pseudonymiser gets from a sentence;
* ``tag() running text``: the dev sentences joined into one text (about 60,000 characters) and
  tagged in windows, as a transcript is.

Speed is words per second of ``tag()`` on the running text and on the sentences in batches,
tokenisation included, on ``--threads`` threads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from thememine.pseudonymise.e5ner import load_e5_tagger
from thememine.pseudonymise.e5ner.data import Scores, encode_sentence, read_iob2, score_entities, score_tags
from thememine.pseudonymise.e5ner.model import predict_word_tags
from thememine.pseudonymise.e5ner.tagger import default_model_dir, open_model_folder, token_classifier_from

DEV = "da_ddt-ud-dev.iob2"


def table(results: dict[str, dict[str, Scores]]) -> str:
    lines = ["| protocol | label | P | R | F1 | gold |", "|---|---|---|---|---|---|"]
    for protocol, scores in results.items():
        for label, s in scores.items():
            lines.append(
                f"| {protocol} | {label} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.gold} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", type=Path, help="Universal NER Danish-DDT folder")
    ap.add_argument("--model", type=Path, default=None, help=f"model folder (default {default_model_dir()})")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    started = time.time()
    tagger = load_e5_tagger(args.model)
    tagger.threads = args.threads
    torch.set_num_threads(args.threads)
    print(f"loaded in {time.time() - started:.1f}s")
    dev = read_iob2(args.data_dir / DEV)
    n_words = sum(len(s.words) for s in dev)
    texts = [s.aligned_text for s in dev]

    results: dict[str, dict[str, Scores]] = {}
    encoded = [encode_sentence(tagger.tokenizer, s) for s in dev]
    results["gold words"] = score_tags(
        [s.tags for s in dev],
        predict_word_tags(token_classifier_from(open_model_folder(args.model)), tagger.tokenizer, encoded),
    )

    tagger.tag(texts[:32])  # warm-up
    started = time.time()
    tagged = tagger.tag(texts)
    sentence_seconds = time.time() - started
    results["tag() sentences"] = score_entities(
        [s.char_entities() for s in dev], [[(e.label, e.start, e.end) for e in found] for found in tagged]
    )

    running = ""
    gold: list[tuple[str, int, int]] = []
    for sentence, text in zip(dev, texts, strict=True):
        if running:
            running += " "
        gold += [
            (kind, len(running) + start, len(running) + end) for kind, start, end in sentence.char_entities()
        ]
        running += text
    started = time.time()
    (found,) = tagger.tag([running])
    running_seconds = time.time() - started
    results["tag() running text"] = score_entities([gold], [[(e.label, e.start, e.end) for e in found]])

    print(table(results))
    speed = {
        "running text": n_words / running_seconds,
        "sentences": n_words / sentence_seconds,
    }
    print(
        f"speed on {args.threads} threads, {len(dev)} sentences, {n_words} words, {len(running)} characters:\n"
        f"  tag() running text: {speed['running text']:.0f} words/s ({running_seconds:.1f}s)\n"
        f"  tag() sentences, batched: {speed['sentences']:.0f} words/s ({sentence_seconds:.1f}s)"
    )
    if args.json:
        figures = {
            "scores": {
                p: {k: {"p": s.precision, "r": s.recall, "f1": s.f1, "gold": s.gold} for k, s in r.items()}
                for p, r in results.items()
            },
            "words_per_second": speed,
            "threads": args.threads,
            "words": n_words,
        }
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
