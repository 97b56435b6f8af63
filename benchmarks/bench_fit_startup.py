"""What a fresh process pays to fit themes, with and without UMAP's compiled code kept on disk.

    python benchmarks/bench_fit_startup.py [--sizes 702 5000] [--runs 3] [--markdown docs/themes-scale.md]

Each run is a new Python process that imports thememine and clusters N synthetic statements
(``thememine.themes.fit.cluster``: UMAP, HDBSCAN, BERTopic), timed from process start to the end
of clustering. "kept" runs share one empty cache folder, so the first compiles and stores numba's
code and the later ones load it; "not kept" runs point ``$THEMEMINE_CACHE_DIR`` at a folder that
cannot be made, so every run compiles, as before ``thememine.themes.compiled``. The labels of the
last run of each kind are compared. 702 is the size of the sample corpus; UMAP uses pynndescent's
NN-descent from 4,096 statements on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from docblock import write_block

FIT = """
import json, sys
import numpy as np
from thememine.themes.fit import cluster

n = int(sys.argv[1])
rng = np.random.default_rng(0)
centres = rng.normal(size=(8, 384))
vectors = (centres[rng.integers(0, 8, n)] + rng.normal(size=(n, 384)) * 0.8).astype(np.float32)
texts = [f"borger sagsbehandler emne{i % 8} ord{i % 37}" for i in range(n)]
labels, _ = cluster(texts, vectors)
print(json.dumps(labels))
"""


def run(n: int, cache: str) -> tuple[float, list[int]]:
    env = {**os.environ, "THEMEMINE_CACHE_DIR": cache}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", FIT, str(n)], env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[702, 5000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            blocked = Path(tmp) / "file"
            blocked.write_text("not a folder", encoding="utf-8")
            plain = [run(n, str(blocked / "cache")) for _ in range(args.runs)]
            kept = [run(n, str(Path(tmp) / "cache")) for _ in range(args.runs)]
        same = plain[-1][1] == kept[-1][1]
        rows.append(
            f"| {n:,} | {' / '.join(f'{s:.1f}' for s, _ in plain)} | "
            f"{' / '.join(f'{s:.1f}' for s, _ in kept)} | {'yes' if same else 'NO'} |"
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            f"Written by `benchmarks/bench_fit_startup.py` ({date.today().isoformat()}, 2 CPU cores). "
            "Seconds from process start to the end of clustering, run by run:",
            "",
            "| statements | compiled code not kept | kept (the first run stores it) | same themes |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    print(text)
    if args.markdown:
        write_block(args.markdown, "bench_fit_startup", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
