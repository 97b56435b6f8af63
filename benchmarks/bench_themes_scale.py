"""Time and memory of theme fitting (``fit_run``) on synthetic corpora of 1,000 to 100,000 statements.

    python benchmarks/bench_themes_scale.py [--sizes 1000 10000 100000] [--timeout 1800]
        [--profile-size 10000] [--threads 1] [--markdown docs/themes-scale.md]

Statements are synthetic: each is 1-3 sentences drawn from the statements of ``corpora/sample``
(as ``thememine ingest`` writes them), with a 384-d embedding drawn around one of 40 theme
centres (8 families of 5 related themes, sizes from large to small) plus Gaussian noise, or, for
10 % background statements, pointing anywhere; 8 % are filler-only statements of the sample
corpus. Sentences of a theme come from its own small pool, so its keywords are consistent.
Everything is seeded.

Each size runs in a fresh process, so that the peak RSS (``ru_maxrss``) is that size's alone.
The process first fits 200 statements (imports, and the whole consensus on exact neighbours), and,
for sizes whose neighbours NN-descent finds, runs one NN-descent search on them (numba compiles
pynndescent, or loads what thememine's cache folder kept of it). Then it times ``fit_run`` on the
full set, with a wall-clock time per step (neighbours, spectral coordinates, micro-clusters, the
runs' k-means, co-association and cut, stability, description), and the warnings it raised. A
size that takes longer than ``--timeout`` seconds is stopped and reported as such.
``--profile-size`` runs one more fit of that size under cProfile and prints the functions with the
most cumulative time. ``--threads`` limits BLAS and OpenMP (k-means) to that many threads, to tell
their threads' cost on a shared machine.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import itertools
import json
import os
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from docblock import write_block

from thememine.runfolder import STATEMENTS_FILE
from thememine.themes.consensus import AMG_FROM, ATOMS, MOST_CLUSTERS, NEIGHBOURS, RUNS, cluster_range
from thememine.themes.fit import EXACT_NEIGHBOURS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
DIM = 384
THEMES = 40
FAMILIES = 8  # themes come in families of related ones: their centres share a direction
FAMILY_WEIGHT = 0.6  # centre = 0.6 · family direction + 0.8 · own direction (cosine 0.36 within a family)
NOISE = 0.16  # per dimension: noise of norm ≈ 3.1 against a centre of norm 1 (cosine ≈ 0.3 to it)
BACKGROUND = 0.10  # share of content statements in no theme (random directions)
FILLER = 0.08  # share of filler-only statements (the sample corpus has 57 of 702)
POOL = 25  # sentences per theme
WARM_UP = 200  # statements in the warm-up fit (at least fit.SMALL, so that it goes through the consensus)
SEED = 42
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Rows of the step table; NESTED ones hold time that other rows count too.
NEIGHBOURS_STEP = "nearest neighbours"
SPECTRAL = "spectral coordinates"
MICRO = f"micro-clusters (k-means into {ATOMS:,})"
KMEANS_RUNS = f"k-means of the {RUNS} runs"
CO_ASSOCIATION = "co-association and cut"
CLUSTERING = "clustering (neighbours to stability)"
KEYWORDS = "describe: keywords"
NESTED = (CLUSTERING, KEYWORDS)
THREAD_LIMITS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")  # set by --threads


def sample_statements(folder: Path) -> dict[str, list[str]]:
    """Sentences of the sample corpus's content statements, and its filler-only statements."""
    from thememine.io import read_jsonl
    from thememine.pipeline import ingest

    ingest([SAMPLE], folder / "ingest")
    rows = read_jsonl(folder / "ingest" / STATEMENTS_FILE)
    sentences = sorted(
        {part for row in rows if not row["filler"] for part in _SENTENCE_END.split(row["text"]) if part}
    )
    fillers = sorted({row["text"] for row in rows if row["filler"]})
    return {"sentences": sentences, "fillers": fillers}


def synthetic(
    n: int, texts: dict[str, list[str]], seed: int = SEED
) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """``n`` statements (as theme units), their embeddings (float32, unit length) and their planted
    themes (-1 for background and filler statements)."""
    from thememine.themes.model import Unit

    rng = np.random.default_rng(seed)
    sentences, fillers = texts["sentences"], texts["fillers"]

    def directions(k: int) -> np.ndarray:
        vectors = rng.standard_normal((k, DIM))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    family = directions(FAMILIES)[np.arange(THEMES) % FAMILIES]
    centres = FAMILY_WEIGHT * family + np.sqrt(1 - FAMILY_WEIGHT**2) * directions(THEMES)
    sizes = 1 / np.arange(1, THEMES + 1) ** 0.7  # the largest theme ~13 times the smallest
    pools = [rng.choice(len(sentences), POOL, replace=False) for _ in range(THEMES)]
    kind = rng.random(n)
    theme = rng.choice(THEMES, n, p=sizes / sizes.sum())
    embeddings = np.empty((n, DIM), dtype=np.float32)
    units = []
    for start in range(0, n, 10_000):  # in chunks, to keep float64 temporaries small
        end = min(n, start + 10_000)
        noise = rng.standard_normal((end - start, DIM)) * NOISE
        background = (kind[start:end] < FILLER + BACKGROUND)[:, None]
        noise = np.where(background, noise / NOISE, noise + centres[theme[start:end]])
        embeddings[start:end] = noise / np.linalg.norm(noise, axis=1, keepdims=True)
    for i in range(n):
        filler = bool(kind[i] < FILLER)
        if filler:
            text = fillers[rng.integers(len(fillers))]
        else:
            source = range(len(sentences)) if kind[i] < FILLER + BACKGROUND else pools[theme[i]]
            picked = rng.choice(source, rng.integers(1, 4), replace=False)
            text = " ".join(sentences[j] for j in picked)
        doc = i % max(5, n // 500)
        units.append(
            Unit(
                f"doc{doc}:{i}",
                f"doc{doc}",
                f"SPEAKER_0{i % 2}",
                0,
                len(text),
                text,
                ("borgere", "jobcenter", "psykiatri")[doc % 3],
                filler,
            )
        )
    truth = np.where(kind < FILLER + BACKGROUND, -1, theme)
    return units, embeddings, truth


def _timed(table: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            table[name] = table.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def instrument() -> dict[str, float]:
    """Wall-clock seconds per step of ``fit_run``, filled in as it runs.

    Module functions are patched where fitting.py, fit.py and consensus.py look them up. k-means is
    patched on its class (consensus.py imports it inside its functions) and booked as the runs'
    unless it runs inside ``micro_clusters``, whose row holds its own k-means.
    """
    from sklearn.cluster import KMeans

    from thememine.themes import consensus, describe, fit, fitting

    steps: dict[str, float] = {}
    in_micro_clusters = [False]
    plain_kmeans = KMeans.fit
    timed_kmeans = _timed(steps, KMEANS_RUNS, plain_kmeans)

    def kmeans(self: KMeans, *args: Any, **kwargs: Any) -> Any:
        return (plain_kmeans if in_micro_clusters[0] else timed_kmeans)(self, *args, **kwargs)

    make_micro_clusters = consensus.micro_clusters

    def micro_clusters(*args: Any, **kwargs: Any) -> Any:
        in_micro_clusters[0] = True
        try:
            return make_micro_clusters(*args, **kwargs)
        finally:
            in_micro_clusters[0] = False

    KMeans.fit = kmeans  # type: ignore[method-assign]
    fitting.content_mask = _timed(steps, "content mask", fitting.content_mask)
    fit.neighbours = _timed(steps, NEIGHBOURS_STEP, fit.neighbours)
    consensus.spectral_coordinates = _timed(steps, SPECTRAL, consensus.spectral_coordinates)
    consensus.micro_clusters = _timed(steps, MICRO, micro_clusters)
    consensus.consensus = _timed(steps, CO_ASSOCIATION, consensus.consensus)
    consensus.stability = _timed(steps, "stability per theme", consensus.stability)
    fitting.fit_clusters = _timed(steps, CLUSTERING, fitting.fit_clusters)
    fitting.reduce_outliers = _timed(steps, "reduce outliers", fitting.reduce_outliers)
    describe.theme_keywords = _timed(steps, KEYWORDS, describe.theme_keywords)
    fitting.describe = _timed(steps, "describe (keywords included)", fitting.describe)
    return steps


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def current_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def first_nn_descent(vectors: np.ndarray) -> tuple[float, float]:
    """Seconds of a first and a second NN-descent search of ``vectors``, as fit.py searches the
    neighbours of more than ``EXACT_NEIGHBOURS`` statements.

    Up to that size neighbours are found exactly, so the warm-up fit does not run NN-descent; this
    runs fit.py's own search on the same small data with the exact search turned off. The first
    search includes numba's compilation of pynndescent (or loading what thememine's cache folder
    kept of it); the second is the search alone.
    """
    from thememine.themes import fit

    exact = fit.EXACT_NEIGHBOURS
    fit.EXACT_NEIGHBOURS = 0
    try:
        seconds = []
        for _ in range(2):
            started = time.perf_counter()
            fit.neighbours(fit.centred(vectors), NEIGHBOURS + 1, SEED)
            seconds.append(time.perf_counter() - started)
    finally:
        fit.EXACT_NEIGHBOURS = exact
    return seconds[0], seconds[1]


def worker(n: int, texts_path: Path, profile: bool) -> None:
    """One size, in this (fresh) process: warm-up fit, then the timed fit. Prints JSON lines."""
    texts = json.loads(texts_path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    from thememine.themes.fitting import fit_run

    small_units, small_vectors, _ = synthetic(WARM_UP, texts, SEED + 1)
    fit_run(small_units, small_vectors, SEED)
    warm_fit = time.perf_counter() - started
    first = again = 0.0
    if n > EXACT_NEIGHBOURS:  # smaller fits never use NN-descent
        first, again = first_nn_descent(small_vectors)
    emit(warmup_s=warm_fit + first, warmup_fit_s=warm_fit, warmup_nndescent_s=first, nndescent_again_s=again)
    units, vectors, truth = synthetic(n, texts)
    emit(data_mb=current_mb(), peak_before_mb=peak_mb())
    steps = {} if profile else instrument()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        if profiler:
            profiler.enable()
        run = fit_run(units, vectors, SEED)
        if profiler:
            profiler.disable()
    seconds = time.perf_counter() - started
    if profiler:
        emit(**profile_of(profiler))
    from sklearn.metrics import adjusted_rand_score

    assigned = np.asarray(run.assignment)
    planted = np.array([not u.filler for u in units]) & (truth >= 0)
    emit(
        fit_s=seconds,
        ari=adjusted_rand_score(truth[planted], assigned[planted]),
        peak_mb=peak_mb(),
        method=run.settings["method"],
        themes=len(run.themes),
        unassigned=run.unassigned_share,
        outliers_before=run.settings["outliers_before_reduction"] / max(1, run.settings["with_content"]),
        warnings=_warnings(raised),
        settings={
            k: run.settings.get(k, "")
            for k in ("n_neighbors", "n_components", "runs", "clusters_per_run", "min_cluster_size")
        },
        steps=steps,
    )


def _warnings(raised: Sequence[warnings.WarningMessage]) -> dict[str, int]:
    """The warnings raised in the fit, each once, with how often: a line each, numbers in brackets
    (LOBPCG's residuals, for one) left out."""
    found: dict[str, int] = {}
    for warning in raised:
        text = " ".join(re.sub(r"\[[^\]]*\]", "[…]", str(warning.message)).split())
        line = f"{Path(warning.filename).name}: {warning.category.__name__}: {text[:240]}"
        found[line] = found.get(line, 0) + 1
    return found


def _function(key: tuple[str, int, str]) -> str:
    file, line, function = key
    return f"{Path(file).name}:{line}({function})"


def profile_of(profiler: cProfile.Profile) -> dict[str, Any]:
    """The profiled functions by cumulative time (the top 40, and all from 0.01 s), and the
    cumulative time of each function per caller (from 0.01 s): k-means is called both to make the
    micro-clusters and by the runs, and only its caller tells them apart."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    lines = sorted(
        ((cumulative, calls, _function(key)) for key, (_, calls, _, cumulative, _) in stats.items()),
        reverse=True,
    )
    by_caller = [
        [round(timing[3], 2), _function(key), _function(caller)]
        for key, (*_, callers) in stats.items()
        for caller, timing in callers.items()
        if timing[3] >= 0.01
    ]
    return {
        "profile": [[round(c, 2), n_calls, name] for c, n_calls, name in lines[:40]],
        "profile_all": [[round(c, 2), n_calls, name] for c, n_calls, name in lines if c >= 0.01],
        "profile_calls": by_caller,
    }


def run_size(
    n: int, texts_path: Path, timeout: float, profile: bool = False, threads: int = 0
) -> dict[str, Any]:
    """One size in a fresh process (its BLAS and OpenMP limited to ``threads``, unless 0); what it
    reported, and whether it finished."""
    command = [sys.executable, __file__, "--worker", str(n), "--texts", str(texts_path)]
    if profile:
        command.append("--profile")
    environment = {**os.environ, **dict.fromkeys(THREAD_LIMITS, str(threads))} if threads else None
    result: dict[str, Any] = {"n": n}
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)
        out, error, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as stopped:
        out = stopped.stdout.decode() if isinstance(stopped.stdout, bytes) else stopped.stdout or ""
        error, code = "", None
        result["stopped"] = f"stopped after {_duration(timeout)}"
    for line in out.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    if code:
        last = [line for line in error.splitlines() if line.strip()][-1:] or [f"exit code {code}"]
        result["stopped"] = f"failed: {last[0][:200]}"
    result["process_s"] = time.perf_counter() - started
    return result


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _row(result: dict[str, Any]) -> str:
    n = f"{result['n']:,}"
    warm = f"{result['warmup_s']:.1f}" if "warmup_s" in result else "–"
    if "fit_s" not in result:
        reason = result.get("stopped", "no result")
        return f"| {n} | – | – | – | {warm} | {reason} | – |"
    return (
        f"| {n} | {result['method']} | {result['themes']} | {result['unassigned']:.1%} | {warm} "
        f"| {result['fit_s']:.1f} | {result['peak_mb']:,.0f} |"
    )


def table(results: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| N | method | themes | unassigned | warm-up s | fit s | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    return "\n".join(lines + [_row(r) for r in results])


def step_table(results: Sequence[dict[str, Any]]) -> str:
    """Seconds per step of ``fit_run``, one column per size that finished."""
    done = [r for r in results if r.get("steps")]
    if not done:
        return ""
    names = list(dict.fromkeys(name for r in done for name in r["steps"]))
    lines = [
        "| step | " + " | ".join(f"{r['n']:,}" for r in done) + " |",
        "|---|" + "---|" * len(done),
    ]
    for name in names:
        cells = " | ".join(f"{r['steps'].get(name, 0.0):.2f}" for r in done)
        lines.append(f"| {name} | {cells} |")
    cells = " | ".join(f"{r['fit_s']:.2f}" for r in done)
    lines.append(f"| **fit_run, total** | {cells} |")
    return "\n".join(lines)


def profile_table(result: dict[str, Any], top: int = 15) -> str:
    lines = ["| cumulative s | calls | function |", "|---|---|---|"]
    for cumulative, calls, name in result.get("profile", [])[:top]:
        lines.append(f"| {cumulative:.2f} | {calls:,} | `{name}` |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per size (default 30 min)")
    parser.add_argument("--profile-size", type=int, default=0, help="also profile one fit of this size")
    parser.add_argument("--markdown", type=Path, help="write the results as a Markdown page")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="limit BLAS and OpenMP to this many threads (default: no limit)",
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.texts, args.profile)
        return
    load_start = os.getloadavg()
    results = []
    profiled: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        texts_path = Path(folder) / "texts.json"
        texts_path.write_text(json.dumps(sample_statements(Path(folder))), encoding="utf-8")
        for n in args.sizes:
            results.append(run_size(n, texts_path, args.timeout, threads=args.threads))
            print(_row(results[-1]), file=sys.stderr, flush=True)
        if args.profile_size:
            profiled = run_size(
                args.profile_size, texts_path, args.timeout, profile=True, threads=args.threads
            )
    load_end = os.getloadavg()
    loads = f"load average (1, 5, 15 min) {' '.join(f'{x:.1f}' for x in load_start)} at the start, " + (
        f"{' '.join(f'{x:.1f}' for x in load_end)} at the end"
    )
    print(table(results))
    print(f"\n{loads}")
    print("\n" + step_table(results))
    if profiled:
        print(f"\ncProfile, one fit of {args.profile_size:,} statements:", profile_summary(profiled))
        print("\n" + profile_table(profiled))
    if args.markdown:
        write_block(args.markdown, "bench_themes_scale", page(args, results, profiled, loads))


# Steps of a fit as they appear in cProfile: a pattern of "file:line(function)", one of its
# caller's (None: all callers), and the step's name. They do not nest, so their times do not overlap.
PROFILE_STEPS = [
    (r"fit\.py:\d+\(nearest_neighbours\)", None, "nearest neighbours, exactly (numpy matrix products)"),
    (r"pynndescent_\.py:\d+\(__init__\)", None, "nearest neighbours by NN-descent (pynndescent)"),
    (r"\(smoothed_aggregation_solver\)", None, "spectral coordinates: pyamg's multigrid hierarchy"),
    (
        r"lobpcg\.py:\d+\(lobpcg\)",
        None,
        "spectral coordinates: eigenvectors by LOBPCG (pyamg-preconditioned)",
    ),
    (r"\(eigsh\)", None, "spectral coordinates: eigenvectors by ARPACK"),
    (r"_kmeans\.py:\d+\(fit_predict\)", r"\(micro_clusters\)", f"micro-clusters: k-means into {ATOMS:,}"),
    (r"_kmeans\.py:\d+\(fit_predict\)", r"\(ensemble\)", f"k-means of the {RUNS} runs"),
    (r"\(co_association\)", None, "co-association matrix"),
    (r"\(_average_linkage\)", None, "average linkage of the co-association"),
    (r"consensus\.py:\d+\(stability\)", None, "stability per theme"),
    (r"\(content_mask\)", None, "content mask (which statements have content words)"),
    (r"\(reduce_outliers\)", None, "outlier reduction"),
    (r"describe\.py:\d+\(describe\)", None, "describe (keywords, quotes, shares)"),
]


def dominant_steps(profiled: dict[str, Any], top: int = 3) -> list[tuple[str, float]]:
    """The ``top`` steps of :data:`PROFILE_STEPS` with the most cumulative time in the profile."""
    found = []
    for pattern, caller, name in PROFILE_STEPS:
        if caller is None:
            times = [c for c, _, function in profiled.get("profile_all", []) if re.search(pattern, function)]
            seconds = max(times, default=0.0)
        else:
            seconds = sum(
                c
                for c, function, calling in profiled.get("profile_calls", [])
                if re.search(pattern, function) and re.search(caller, calling)
            )
        if seconds:
            found.append((name, seconds))
    return sorted(found, key=lambda pair: -pair[1])[:top]


def profile_summary(profiled: dict[str, Any]) -> str:
    if "fit_s" not in profiled:
        return f"{profiled.get('stopped', 'no result')}."
    total = profiled["fit_s"]
    steps = "; ".join(
        f"{name}, {seconds:.1f} s ({seconds / total:.0%})" for name, seconds in dominant_steps(profiled)
    )
    return f"{total:.1f} s under the profiler. The three steps with the most cumulative time: {steps}."


def _timed_fit(results: Sequence[dict[str, Any]], n: int) -> str:
    """The timed fit of ``n`` statements, beside the profiled one (the machine is shared)."""
    timed = next((r for r in results if r["n"] == n and "fit_s" in r), None)
    return f" The timed fit of the same size above took {timed['fit_s']:.1f} s." if timed else ""


def _per_size(done: Sequence[dict[str, Any]], step: str) -> str:
    """A step's seconds at each size, e.g. "0.1 / 2.3 / 40.2 s"."""
    return " / ".join(f"{r['steps'].get(step, 0.0):.1f}" for r in done) + " s"


def _capped() -> int:
    """The fewest statements from which runs make up to :data:`MOST_CLUSTERS` clusters, and no more."""
    return next(n for n in itertools.count(2) if cluster_range(n)[1] == MOST_CLUSTERS)


def notes(results: Sequence[dict[str, Any]]) -> list[str]:
    """What the figures say about where time goes, as bullet points."""
    done = [r for r in results if r.get("steps")]
    largest = done[-1]
    fit_s = largest["fit_s"]
    sizes = " / ".join(f"{r['n']:,}" for r in done)
    leaves = sorted(
        (name for name in largest["steps"] if name not in NESTED), key=lambda name: -largest["steps"][name]
    )
    top = "; ".join(
        f"{name}, {largest['steps'][name]:.1f} s ({largest['steps'][name] / fit_s:.0%})"
        for name in leaves[:3]
    )
    clustering = largest["steps"].get(CLUSTERING, 0.0)
    points = [
        f"""**Where the time goes** at {largest["n"]:,} statements ({fit_s:.1f} s): {top}. The
        clustering (neighbours to stability) took {clustering / fit_s:.0%} of the fit.""",
    ]
    if len(done) > 1:
        growth = "; ".join(
            f"{a['n']:,} → {b['n']:,} statements (×{b['n'] / a['n']:.0f}): {a['fit_s']:.1f} → "
            f"{b['fit_s']:.1f} s (×{b['fit_s'] / a['fit_s']:.1f})"
            for a, b in itertools.pairwise(done)
        )
        points.append(f"**Growth** of the fit: {growth}.")
    points += [
        f"""**Work on at most {ATOMS:,} points.** Above {ATOMS:,} statements the runs cluster
        {ATOMS:,} micro-clusters (weighted by their statements) instead of the statements, and from
        {_capped():,} statements on every run makes at most {MOST_CLUSTERS} clusters: beyond that a
        larger corpus gives the runs' k-means no more points and no more clusters, and the
        co-association matrix (at most {ATOMS:,} rows square) and its average linkage no more rows;
        finding the statements with the same labels in every run, before them, still goes over
        every statement. The runs' k-means took {_per_size(done, KMEANS_RUNS)}, the co-association
        and cut {_per_size(done, CO_ASSOCIATION)} at {sizes} statements. The neighbours
        ({_per_size(done, NEIGHBOURS_STEP)}), the spectral coordinates
        ({_per_size(done, SPECTRAL)}) and the micro-clusters ({_per_size(done, MICRO)}) work on
        every statement.""",
        _first_call(results),
        f"""**Memory.** Imports, synthetic data and the warm-up reach
        {" / ".join(f"{r['peak_before_mb']:,.0f}" for r in done)} MB at {sizes} statements; the
        fit of {largest["n"]:,} statements raised the peak by
        {largest["peak_mb"] - largest["peak_before_mb"]:,.0f} MB (about
        {(largest["peak_mb"] - largest["peak_before_mb"]) * 1024 / largest["n"]:.0f} kB per
        statement).""",
    ]
    return ["Notes:", "\n".join(textwrap.indent(_paragraph("- " + p), "  ")[2:] for p in points)]


def _first_call(results: Sequence[dict[str, Any]]) -> str:
    """The warm-up's figures (of every size that finished it, fit or not): what a fresh process
    pays before its first fit."""
    warmed = [r for r in results if "warmup_s" in r]
    text = f"""**First call.** A fresh process paid {_range([r["warmup_fit_s"] for r in warmed])} s
        for imports and the {WARM_UP}-statement fit."""
    searches = [r for r in warmed if r["n"] > EXACT_NEIGHBOURS]
    if not searches:
        return (
            text
            + f""" No size here is above {EXACT_NEIGHBOURS:,} statements, where the
        neighbours are found by NN-descent, whose numba code a fresh process compiles or loads."""
        )
    first = [r["warmup_nndescent_s"] for r in searches]
    again = [r["nndescent_again_s"] for r in searches]
    return (
        text
        + f""" Above {EXACT_NEIGHBOURS:,} statements it also pays for NN-descent's numba
        code: the first NN-descent search of {WARM_UP} statements took {_range(first)} s, the same
        search again {_range(again, 2)} s. thememine keeps pynndescent's compiled code in its
        cache folder where numba can (`thememine/themes/compiled.py`; filled by earlier runs on
        this machine): what the first search pays beyond the second is loading that code and
        compiling the functions numba cannot keep."""
    )


def _range(values: Sequence[float], digits: int = 1) -> str:
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return low if low == high else f"{low}-{high}"


def _paragraph(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=100, break_on_hyphens=False)


def _warm_up(result: dict[str, Any]) -> str:
    fit = f"{result['warmup_fit_s']:.1f} s for the {WARM_UP}-statement fit"
    if result["n"] <= EXACT_NEIGHBOURS:
        return fit
    return f"{fit} + {result['warmup_nndescent_s']:.1f} s for a first NN-descent search"


def _threads(args: argparse.Namespace) -> str:
    if args.threads:
        return f"""BLAS and OpenMP were limited to {args.threads} thread{"s" if args.threads > 1 else ""}
        (`--threads`, through {", ".join(THREAD_LIMITS)}); fit.py runs NN-descent with one job."""
    return """BLAS and OpenMP threads were not limited: k-means (OpenMP) and the matrix products
    (BLAS) may use every core; fit.py runs NN-descent with one job."""


def _settings(result: dict[str, Any]) -> str:
    """The fit's settings in words."""
    settings = result["settings"]
    if result["method"] != "consensus":
        return f"method {result['method']} (the runs agreed on fewer than two themes)"
    return (
        f"{settings['n_neighbors']} neighbours per statement, {settings['n_components']} spectral "
        f"coordinates, {settings['runs']} runs of {settings['clusters_per_run']} clusters, themes of "
        f"at least {settings['min_cluster_size']} statements"
    )


def page(
    args: argparse.Namespace, results: Sequence[dict[str, Any]], profiled: dict[str, Any], loads: str
) -> str:
    import platform
    from importlib.metadata import version

    command = ".venv/bin/python benchmarks/bench_themes_scale.py"
    if args.sizes != [1_000, 10_000, 100_000]:
        command += " --sizes " + " ".join(map(str, args.sizes))
    if args.timeout != 1800:
        command += f" --timeout {args.timeout:g}"
    if args.profile_size:
        command += f" --profile-size {args.profile_size}"
    if args.threads:
        command += f" --threads {args.threads}"
    command += f" --markdown {args.markdown}"
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("numpy", "scipy", "scikit-learn", "pyamg", "pynndescent", "numba")
    )
    blocks = [
        "# Themes: fitting at scale",
        _paragraph(
            f"Measured with `benchmarks/bench_themes_scale.py` (run by hand, {date.today().isoformat()}):"
        ),
        f"```sh\n{command}\n```",
        _paragraph(
            f"""**Machine.** {os.cpu_count()} CPU cores, Linux {platform.release()}, Python
            {platform.python_version()}; {packages}. The machine was shared with other jobs:
            {loads}. Times are wall-clock and would be lower on an idle machine. {_threads(args)}"""
        ),
        _paragraph(
            f"""**Data.** Synthetic and seeded: each statement is 1-3 sentences of the sample
            corpus's statements, with a 384-d unit embedding near one of {THEMES} planted theme
            centres ({FAMILIES} families of related themes; the largest theme ~13 times the
            smallest; Gaussian noise of {NOISE} per dimension, cosine ≈ 0.3 to its centre), or, for
            {BACKGROUND:.0%} of statements, pointing anywhere. {FILLER:.0%} are filler-only
            statements. The sentences of a theme come from its own pool of {POOL}."""
        ),
        _paragraph(
            f"""**Columns.** Each size runs in a fresh process. **Warm-up** is the first-call cost:
            importing thememine, scikit-learn and scipy and fitting {WARM_UP} statements (the whole
            consensus, on exact neighbours), plus, for sizes above {EXACT_NEIGHBOURS:,} statements,
            a first NN-descent search of those {WARM_UP} statements (below that size neighbours
            are found exactly and NN-descent is never run). pyamg, which finds the eigenvectors
            from {AMG_FROM:,} statements on, is first imported in the timed fit. **Fit** is the
            wall time of `fit_run` on all N statements after that. **Peak RSS** is the process's
            `ru_maxrss`: imports, synthetic data and warm-up included. **Unassigned** is the share
            of non-filler statements in no theme after outlier reduction."""
        ),
        table(results),
    ]
    stopped = [
        f"- {r['n']:,}: {r['stopped']} (warm-up {'done' if 'warmup_s' in r else 'not finished'})"
        for r in results
        if "fit_s" not in r
    ]
    if stopped:
        blocks.append("\n".join(stopped))
    details = [
        f"""- {r["n"]:,}: {_settings(r)}; {r["outliers_before"]:.1%} outliers before reduction; ARI {r["ari"]:.2f} against the planted themes (on the statements planted
        in one); warm-up {_warm_up(r)}; {r["data_mb"]:,.0f} MB resident
        before the fit ({r["peak_before_mb"]:,.0f} MB peak so far)."""
        for r in results
        if "fit_s" in r
    ]
    if details:
        blocks.append("Settings, quality and memory per size:")
        blocks.append("\n".join(textwrap.indent(_paragraph(d), "  ")[2:] for d in details))
        raised = [
            f"- {r['n']:,}: " + "; ".join(f"{text} ({count}×)" for text, count in r["warnings"].items())
            for r in results
            if r.get("warnings")
        ]
        blocks.append(
            "\n".join(
                [
                    "Warnings raised during the fit:",
                    "",
                    *(textwrap.indent(_paragraph(w), "  ")[2:] for w in raised),
                ]
            )
            if raised
            else "No warnings were raised during the fits."
        )
        blocks.append("## Where the time goes")
        blocks.append(
            _paragraph(
                f"""Wall-clock seconds per step of `fit_run`, timed by wrapping its functions and
                scikit-learn's `KMeans.fit`. The k-means that makes the micro-clusters counts in
                their row, not in the runs'; "{CLUSTERING}" holds the rows from neighbours to stability, and
                "{KEYWORDS}" counts in the row after it too:"""
            )
        )
        blocks.append(step_table(results))
    if details:
        blocks.extend(notes(results))
    if profiled:
        blocks.append(
            _paragraph(
                f"**cProfile of one fit of {args.profile_size:,} statements** (after the same warm-up): "
                + profile_summary(profiled)
                + _timed_fit(results, args.profile_size)
            )
        )
        if profiled.get("profile"):
            blocks.append(profile_table(profiled))
    return "\n\n".join(blocks) + "\n"


if __name__ == "__main__":
    main()
