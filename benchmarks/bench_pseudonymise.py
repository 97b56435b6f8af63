"""Throughput of the default ``pseudonymise`` on the sample corpus (words per second).

    python benchmarks/bench_pseudonymise.py [--ner e5] [--repeat 3] [--markdown docs/pseudonymisation-speed.md]

Times each step of ``thememine pseudonymise corpora/sample`` as the CLI runs it: reading and
splitting the transcripts, loading the NER model (once per run), detection (model, gazetteers,
rules) and rewriting with corpus-wide surrogates plus the leak check. Words are whitespace tokens
of the transcripts' text. Reports the best of ``--repeat`` runs, and the share of sentences the
NER model was run on (sentences without a capitalised word that could start a name skip it).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.pseudonymise import Detector
from thememine.pseudonymise.corpus import pseudonymise_corpus
from thememine.pseudonymise.ner import load_tagger
from thememine.pseudonymise.surrogates import SurrogateMap

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ner", default="e5")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument(
        "--threads", type=int, default=None, help="torch threads for the model (default: all cores)"
    )
    args = ap.parse_args(argv)

    load_before = os.getloadavg()[0]
    best: dict[str, float] = {}
    tagged = seen = 0
    for _ in range(args.repeat):
        times: dict[str, float] = {}
        started = time.perf_counter()
        corpus = read_corpus([SAMPLE])
        statements = split_corpus(corpus.documents, SplitOptions())
        times["read and split"] = time.perf_counter() - started
        started = time.perf_counter()
        tagger = load_tagger(args.ner)
        if args.threads and hasattr(tagger, "threads"):
            tagger.threads = args.threads
        times["load NER model"] = time.perf_counter() - started
        detector = Detector(tagger=tagger)
        started = time.perf_counter()
        analyses = detector.analyze_many([d.text for d in corpus.documents])
        times["detect"] = time.perf_counter() - started
        started = time.perf_counter()
        pseudonymise_corpus(corpus.documents, statements, detector, SurrogateMap("names"), analyses)
        times["rewrite and leak check"] = time.perf_counter() - started
        for step, seconds in times.items():
            best[step] = min(best.get(step, seconds), seconds)
        tagged = getattr(tagger, "sentences_tagged", 0)
        seen = getattr(tagger, "sentences_seen", 0)
    words = sum(len(d.text.split()) for d in corpus.documents)
    total = sum(best.values())
    steady = total - best["load NER model"]
    lines = [
        f"Sample corpus: {len(corpus.documents)} transcripts, {words:,} words. NER: `{args.ner}`, "
        f"{args.threads or os.cpu_count()} torch thread(s). "
        f"Best of {args.repeat} runs; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after.",
        "",
        "| step | seconds | words/s |",
        "|---|---|---|",
        *(f"| {step} | {seconds:.2f} | {words / seconds:,.0f} |" for step, seconds in best.items()),
        f"| **all steps** | {total:.2f} | **{words / total:,.0f}** |",
        f"| **all but the one-off model load** | {steady:.2f} | **{words / steady:,.0f}** |",
    ]
    if seen:
        lines += [
            "",
            f"The NER model ran on {tagged} of {seen} sentences ({tagged / seen:.0%}) in the last run.",
        ]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(
            "# Pseudonymisation: speed\n\nWritten by `benchmarks/bench_pseudonymise.py` (run by hand, "
            f"2 CPU cores, {date.today().isoformat()}).\n\n" + text + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
