"""Throughput of the default ``pseudonymise`` on the sample corpus (words per second).

    python benchmarks/bench_pseudonymise.py [--ner e5] [--repeat 3] [--markdown docs/pseudonymisation-speed.md]
    python benchmarks/bench_pseudonymise.py --against REV [--repeat 3] [--markdown docs/ner.md]

Three measurements, best of ``--repeat`` each:

1. **The command as a researcher runs it**: ``thememine pseudonymise corpora/sample --out OUT
   --key KEY`` in a fresh process, wall-clock time, start-up and writing included; also with
   ``--ner none`` (everything but the model).
2. **The steps inside one process** as the CLI runs them: reading and splitting, loading the NER
   model, detection (model, gazetteers, rules), rewriting with corpus-wide surrogates plus the leak
   check. Caches filled by the first repeat (gazetteers, the tokenizer's words) stay filled.
3. **A floor for the model**: the arithmetic the NER model must do on the sample (its matrix
   products, counted from the tokens it ran on) divided by the fastest matrix-product rate measured
   on this machine. No implementation of this model can run the sample faster than that.

With ``--against REV`` (a git revision) only the command is timed, this checkout's code and
REV's (its ``thememine/`` and ``models/``, extracted to a temporary folder) taking turns, fresh
processes, median of ``--repeat`` runs each: the old and the new path side by side, on the same
machine load.

Words are whitespace tokens of the transcripts' text. With ``--markdown FILE`` the figures replace
the part of FILE between the two ``bench_pseudonymise`` markers; the rest of FILE is kept.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import torch
from docblock import write_block

from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.pseudonymise import Detector
from thememine.pseudonymise.corpus import pseudonymise_corpus
from thememine.pseudonymise.keyfile import PASSPHRASE_ENV
from thememine.pseudonymise.load import load_tagger
from thememine.pseudonymise.surrogates import SurrogateMap

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"


def cli_seconds(ner: str, repeat: int) -> float:
    """Best wall-clock time of ``thememine pseudonymise`` on the sample, each run a fresh process."""
    return min(cli_run(ner, ROOT) for _ in range(repeat))


def cli_run(ner: str, source: Path) -> float:
    """Seconds of one ``thememine pseudonymise`` of the sample, in a fresh process, with the
    ``thememine`` package (and ``models/``) of the folder ``source``."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "thememine", "pseudonymise", str(SAMPLE)]
        command += ["--out", f"{tmp}/out", "--key", f"{tmp}/key", "--ner", ner]
        env = {**os.environ, PASSPHRASE_ENV: "benchmark passphrase", "PYTHONPATH": str(source)}
        env.pop("THEMEMINE_MODELS", None)
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=source, check=True, capture_output=True)
        return time.perf_counter() - started


def side_by_side(revision: str, ner: str, repeat: int) -> str:
    """The command with ``revision``'s code and with this checkout's, taking turns: a table."""
    times: dict[str, list[float]] = {revision: [], "this checkout": []}
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "thememine", "models"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        load_before = os.getloadavg()[0]
        for _ in range(repeat):
            times[revision].append(cli_run(ner, Path(tmp)))
            times["this checkout"].append(cli_run(ner, ROOT))
    words = sum(len(d.text.split()) for d in read_corpus([SAMPLE]).documents)
    old, new = (statistics.median(t) for t in times.values())
    return "\n".join(
        [
            f"`thememine pseudonymise corpora/sample --ner {ner}` ({words:,} words), fresh processes "
            f"taking turns, median of {repeat} each (runs: "
            + "; ".join(f"{k} {', '.join(f'{s:.1f}' for s in v)} s" for k, v in times.items())
            + f"); load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after.",
            "",
            "| code | seconds | words/s |",
            "|---|---|---|",
            f"| `{revision}` | {old:.2f} | {words / old:,.0f} |",
            f"| this checkout | {new:.2f} | **{words / new:,.0f}** ({old / new:.2f}×) |",
        ]
    )


def steps(ner: str, repeat: int, threads: int | None) -> tuple[dict[str, float], int, object]:
    """Best seconds per step inside one process, the corpus's word count, and the last tagger."""
    best: dict[str, float] = {}
    tagger = None
    words = 0
    for _ in range(repeat):
        times: dict[str, float] = {}
        started = time.perf_counter()
        corpus = read_corpus([SAMPLE])
        statements = split_corpus(corpus.documents, SplitOptions())
        times["read and split"] = time.perf_counter() - started
        started = time.perf_counter()
        tagger = load_tagger(ner)
        if threads and hasattr(tagger, "threads"):
            tagger.threads = threads
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
        words = sum(len(d.text.split()) for d in corpus.documents)
    return best, words, tagger


def matmul_rate(threads: int, int8: bool = False) -> float:
    """The fastest matrix-product rate (operations/s) measured here on the encoder's shapes.

    float32 (``torch.nn.functional.linear``), or with ``int8`` PyTorch's dynamically quantised
    8-bit linear layer (fbgemm), the fastest integer products PyTorch offers on this CPU.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    fastest = 0.0
    try:
        for rows in (512, 2048, 8192):
            for n_in, n_out in ((384, 384), (384, 1536), (1536, 384)):
                a = torch.randn(rows, n_in)
                layer = torch.nn.Sequential(torch.nn.Linear(n_in, n_out, bias=False))
                if int8:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # the eager quantisation API is deprecated
                        layer = torch.ao.quantization.quantize_dynamic(layer, {torch.nn.Linear}, torch.qint8)
                with torch.inference_mode():
                    for _ in range(3):
                        layer(a)
                    runs, started = 0, time.perf_counter()
                    while time.perf_counter() - started < 0.5:
                        layer(a)
                        runs += 1
                seconds = (time.perf_counter() - started) / runs
                fastest = max(fastest, 2 * rows * n_in * n_out / seconds)
    finally:
        torch.set_num_threads(previous)
    return fastest


def model_flops(tagger: object) -> tuple[int, float]:
    """Tokens the model ran on in one pass over the sample, and the FLOPs of its matrix products."""
    shape = tagger.shape  # type: ignore[attr-defined]
    tokens, pairs = tagger.tokens_tagged, tagger.token_pairs  # type: ignore[attr-defined]
    h, labels, layers = shape.hidden, len(tagger.labels), shape.layers  # type: ignore[attr-defined]
    per_token = layers * (4 * h * h + 2 * h * shape.ffn) + h * labels  # multiply-adds
    attention = layers * 2 * h * pairs  # scores and weighted values
    return tokens, 2.0 * (tokens * per_token + attention)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ner", default="e5")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument(
        "--threads", type=int, default=None, help="torch threads for the model (default: all cores)"
    )
    ap.add_argument("--against", default=None, metavar="REV", help="time REV's code beside this checkout's")
    args = ap.parse_args(argv)
    threads = args.threads or os.cpu_count() or 1
    if args.against:
        table = side_by_side(args.against, args.ner, args.repeat)
        print(table)
        if args.markdown:
            dated = f"Written by `benchmarks/bench_pseudonymise.py --against` ({date.today().isoformat()}).\n\n{table}"
            write_block(args.markdown, "bench_pseudonymise_against", dated)
        return 0

    load_before = os.getloadavg()[0]
    cold = cli_seconds(args.ner, args.repeat)
    cold_plain = cli_seconds("none", args.repeat)
    best, words, tagger = steps(args.ner, args.repeat, args.threads)
    total = sum(best.values())
    lines = [
        f"Sample corpus: 7 transcripts, {words:,} words. NER: `{args.ner}`, {threads} torch thread(s), "
        f"best of {args.repeat} runs each; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after.",
        "",
        "**The command as a researcher runs it** (a fresh process each time: start-up, reading, "
        "detection, rewriting, the leak check, writing the output, the encrypted key and the review):",
        "",
        "| command | seconds | words/s |",
        "|---|---|---|",
        f"| `thememine pseudonymise corpora/sample` (default, `--ner {args.ner}`) | {cold:.2f} "
        f"| **{words / cold:,.0f}** |",
        f"| the same with `--ner none` (rules and gazetteers only) | {cold_plain:.2f} "
        f"| {words / cold_plain:,.0f} |",
        "",
        "**The steps inside one process** (warm: the gazetteers and the tokenizer's words stay loaded "
        "after the first repeat):",
        "",
        "| step | seconds | words/s |",
        "|---|---|---|",
        *(f"| {step} | {seconds:.2f} | {words / seconds:,.0f} |" for step, seconds in best.items()),
        f"| all steps | {total:.2f} | {words / total:,.0f} |",
    ]
    tagged = getattr(tagger, "sentences_tagged", 0)
    if tagged:
        seen = tagger.sentences_seen  # type: ignore[attr-defined]
        tokens, flops = model_flops(tagger)  # the last repeat's tagger: one pass over the sample
        rate, rate8 = matmul_rate(threads), matmul_rate(threads, int8=True)
        floor, floor8 = flops / rate, flops / rate8
        budget = words / 5000
        lines += [
            "",
            f"**A floor for the model.** It ran on {tagged} of {seen} sentences "
            f"({tagged / seen:.0%}; the others have no capitalised word that could start a name): "
            f"{tokens:,} tokens, {flops / 1e9:,.0f} GFLOP of matrix products. The fastest float32 "
            f"matrix products measured on this machine ({threads} thread(s), the encoder's shapes) run "
            f"at {rate / 1e9:,.0f} GFLOP/s, so the model alone needs at least **{floor:.1f} s**, "
            f"against {best['detect']:.1f} s for all of detection now. At 5,000 words/s the whole "
            f"command would have {budget:.1f} s for the sample; without the model it takes "
            f"{cold_plain:.1f} s. Model floor plus the rest: at best "
            f"**{words / (floor + cold_plain):,.0f} words/s** for this model on this machine. With "
            f"8-bit integer products instead (PyTorch's dynamic quantisation, {rate8 / 1e9:,.0f} "
            f"GOP/s at best here, and not lossless: see below) the floor is {floor8:.1f} s, at best "
            f"{words / (floor8 + cold_plain):,.0f} words/s.",
        ]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        dated = f"Written by `benchmarks/bench_pseudonymise.py` ({date.today().isoformat()}).\n\n{text}"
        write_block(args.markdown, "bench_pseudonymise", dated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
