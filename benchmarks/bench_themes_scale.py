"""Time and memory of theme fitting (``fit_run``) on synthetic corpora of 1,000 to 100,000 statements.

    python benchmarks/bench_themes_scale.py [--sizes 1000 10000 100000] [--timeout 1800]
        [--profile-size 10000] [--markdown docs/themes-scale.md]

Statements are synthetic: each is 1-3 sentences drawn from the statements of ``corpora/sample``
(as ``thememine ingest`` writes them), with a 384-d embedding drawn around one of 40 theme
centres (8 families of 5 related themes, sizes from large to small) plus Gaussian noise, or, for
10 % background statements, pointing anywhere; 8 % are filler-only statements of the sample
corpus. Sentences of a theme come from its own small pool, so its keywords are consistent.
Everything is seeded.

Each size runs in a fresh process, so that the peak RSS (``ru_maxrss``) is that size's alone.
The process first fits 200 statements (imports, numba's JIT compilation of UMAP and HDBSCAN),
then times ``fit_run`` on the full set, with a wall-clock time per step. A size that takes
longer than ``--timeout`` seconds is stopped and reported as such. ``--profile-size`` runs one
more fit of that size under cProfile and prints the functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from docblock import write_block

from thememine.runfolder import STATEMENTS_FILE
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
WARM_UP = 200  # statements in the warm-up fit (≥ 60, so that it goes through UMAP + HDBSCAN)
SEED = 42
DATE = "2026-11-23"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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

    Module functions are patched where fit.py and consensus.py look them up; k-means is patched on
    its class (consensus.py imports it inside its functions), so the micro-clusters' k-means is in
    "k-means (all runs)" too.
    """
    from sklearn.cluster import KMeans

    from thememine.themes import consensus, describe, fit, fitting

    steps: dict[str, float] = {}
    KMeans.fit = _timed(steps, "k-means (all runs)", KMeans.fit)  # type: ignore[method-assign]
    fit.neighbours = _timed(steps, "nearest neighbours", fit.neighbours)
    consensus.spectral_coordinates = _timed(steps, "spectral coordinates", consensus.spectral_coordinates)
    consensus.micro_clusters = _timed(steps, "micro-clusters", consensus.micro_clusters)
    consensus.consensus = _timed(steps, "co-association and cut", consensus.consensus)
    consensus.stability = _timed(steps, "stability per theme", consensus.stability)
    fitting.content_mask = _timed(steps, "content mask", fitting.content_mask)
    fitting.reduce_outliers = _timed(steps, "reduce outliers", fitting.reduce_outliers)
    describe.theme_keywords = _timed(steps, "describe: keywords", describe.theme_keywords)
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


def compile_nn_descent(vectors: np.ndarray) -> None:
    """Have numba compile pynndescent, as a UMAP fit of more than ``EXACT_NEIGHBOURS`` statements would.

    Up to that size neighbours are found exactly (by UMAP below 4,096 points, by fit.py above), so
    the 200-statement warm-up fit does not compile NN-descent; this forces it on the same small
    data, with the settings fit.py uses.
    """
    from umap import UMAP

    UMAP(
        n_neighbors=15,
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        random_state=SEED,
        low_memory=True,
        n_jobs=1,
        force_approximation_algorithm=True,
    ).fit(vectors)


def worker(n: int, texts_path: Path, profile: bool) -> None:
    """One size, in this (fresh) process: warm-up fit, then the timed fit. Prints JSON lines."""
    texts = json.loads(texts_path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    from thememine.themes.fitting import fit_run

    small_units, small_vectors, _ = synthetic(WARM_UP, texts, SEED + 1)
    fit_run(small_units, small_vectors, SEED)
    middle = time.perf_counter()
    if n > EXACT_NEIGHBOURS:  # smaller fits never use NN-descent
        compile_nn_descent(small_vectors)
    ended = time.perf_counter()
    emit(warmup_s=ended - started, warmup_fit_s=middle - started, warmup_nndescent_s=ended - middle)
    units, vectors, truth = synthetic(n, texts)
    emit(data_mb=current_mb(), peak_before_mb=peak_mb())
    steps = {} if profile else instrument()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    run = fit_run(units, vectors, SEED)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler:
        lines = []
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        for (file, line, function), (_, calls, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
            lines.append((cumulative, calls, f"{Path(file).name}:{line}({function})"))
        lines.sort(reverse=True)
        emit(
            profile=[[round(c, 2), n_calls, name] for c, n_calls, name in lines[:40]],
            profile_all=[[round(c, 2), n_calls, name] for c, n_calls, name in lines if c >= 0.01],
        )
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
        settings={
            k: run.settings.get(k, "")
            for k in ("n_neighbors", "min_cluster_size", "min_samples", "cluster_selection")
        },
        steps=steps,
    )


def run_size(n: int, texts_path: Path, timeout: float, profile: bool = False) -> dict[str, Any]:
    """One size in a fresh process; what it reported, and whether it finished."""
    command = [sys.executable, __file__, "--worker", str(n), "--texts", str(texts_path)]
    if profile:
        command.append("--profile")
    result: dict[str, Any] = {"n": n}
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
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
            results.append(run_size(n, texts_path, args.timeout))
            print(_row(results[-1]), file=sys.stderr, flush=True)
        if args.profile_size:
            profiled = run_size(args.profile_size, texts_path, args.timeout, profile=True)
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


# Steps of a fit as they appear in cProfile (a substring of "file:line(function)"), and their names.
PROFILE_STEPS = [
    ("(optimize_layout_euclidean)", "UMAP layout optimisation (stochastic gradient descent over the epochs)"),
    ("umap_.py:257(nearest_neighbors)", "UMAP nearest neighbours (NN-descent)"),
    ("(spectral_layout)", "UMAP spectral initialisation"),
    ("(fuzzy_simplicial_set)", "UMAP fuzzy neighbour graph"),
    ("hdbscan_.py:1202(fit)", "HDBSCAN"),
    ("(_extract_topics)", "BERTopic keywords (c-TF-IDF)"),
    ("(_save_representative_docs)", "BERTopic representative documents"),
    ("describe.py:58(describe)", "describe (keywords, quotes, shares)"),
    ("(content_mask)", "content mask (which statements have content words)"),
    ("(reduce_outliers)", "outlier reduction"),
]


def dominant_steps(profiled: dict[str, Any], top: int = 3) -> list[tuple[str, float]]:
    """The ``top`` steps of :data:`PROFILE_STEPS` with the most cumulative time in the profile."""
    found = []
    for pattern, name in PROFILE_STEPS:
        times = [c for c, _, function in profiled.get("profile_all", []) if pattern in function]
        if times:
            found.append((name, max(times)))
    return sorted(found, key=lambda pair: -pair[1])[:top]


def profile_summary(profiled: dict[str, Any]) -> str:
    if "fit_s" not in profiled:
        return f"{profiled.get('stopped', 'no result')}."
    total = profiled["fit_s"]
    steps = "; ".join(
        f"{name}, {seconds:.1f} s ({seconds / total:.0%})" for name, seconds in dominant_steps(profiled)
    )
    return f"{total:.1f} s under the profiler. The three steps with the most cumulative time: {steps}."


def notes(results: Sequence[dict[str, Any]]) -> list[str]:
    """What the figures say about where time goes, as bullet points."""
    done = [r for r in results if "fit_s" in r]
    largest = done[-1]
    umap_share = largest["steps"].get("UMAP", 0.0) / largest["fit_s"]
    hdbscan = largest["steps"].get("HDBSCAN (all fits)", 0.0)
    bertopic_extra = sum(
        largest["steps"].get(name, 0.0)
        for name in ("BERTopic: c-TF-IDF keywords", "BERTopic: representative docs")
    )
    compile_s = [r["warmup_nndescent_s"] for r in done if r["n"] > EXACT_NEIGHBOURS]
    first_big = next((r for r in done if r["n"] > EXACT_NEIGHBOURS), None)
    nn_descent = (
        f"""Above {EXACT_NEIGHBOURS:,} statements it pays another {min(compile_s):.0f}-{max(compile_s):.0f}
        s while numba compiles pynndescent's NN-descent, again in every process (its functions take
        the distance function as an argument, which numba cannot cache): at {first_big["n"]:,}
        statements {first_big["warmup_s"]:.0f} s of warm-up, against {first_big["fit_s"]:.0f} s for
        the fit."""
        if first_big
        else f"""No size here is above {EXACT_NEIGHBOURS:,} statements, where pynndescent's NN-descent
        would add its compilation, again in every process."""
    )
    added = largest["peak_mb"] - largest["peak_before_mb"]
    points = [
        f"""**UMAP dominates**: {umap_share:.0%} of the fit at {largest["n"]:,} statements. It is
        seeded, so numba runs it on one thread; its layout optimisation runs 500 epochs up to
        10,000 statements and 200 above (UMAP's default), so a corpus just above 10,000 statements
        runs fewer epochs than one just below.""",
        f"""**First call.** A fresh process pays the warm-up once: about
        {min(r["warmup_fit_s"] for r in done):.0f}-{max(r["warmup_fit_s"] for r in done):.0f} s
        for imports and UMAP's numba code (compiled the first time on a machine, then loaded from
        thememine's cache folder). {nn_descent}""",
        f"""**HDBSCAN runs twice**: fit.py fits it once to see whether the stable ("eom") clusters
        make one blob, then BERTopic fits the chosen model again on the same data, even when that
        is "eom" again. At {largest["n"]:,} statements the two fits took {hdbscan:.1f} s
        ({hdbscan / largest["fit_s"]:.0%} of the fit).""",
        f"""**Discarded work**: BERTopic's own keywords and representative documents
        ({bertopic_extra:.1f} s at {largest["n"]:,}) are recomputed by `describe`; the Danish
        analyzer runs over every text three times (content mask, BERTopic's vectorizer,
        `theme_keywords`). Both grow linearly and stay small next to UMAP.""",
        f"""**Memory.** Imports and the warm-up alone reach about {done[0]["peak_before_mb"]:,.0f}
        MB; the fit of {largest["n"]:,} statements raised the peak by {added:,.0f} MB (about
        {added * 1024 / largest["n"]:.0f} kB per statement).""",
    ]
    return ["Notes:", "\n".join(textwrap.indent(_paragraph("- " + p), "  ")[2:] for p in points)]


def _paragraph(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=100, break_on_hyphens=False)


def _warm_up(result: dict[str, Any]) -> str:
    fit = f"{result['warmup_fit_s']:.1f} s for the {WARM_UP}-statement fit"
    if result["n"] <= EXACT_NEIGHBOURS:
        return fit
    return f"{fit} + {result['warmup_nndescent_s']:.1f} s compiling NN-descent"


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
    command += f" --markdown {args.markdown}"
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("bertopic", "umap-learn", "pynndescent", "hdbscan", "scikit-learn")
    )
    blocks = [
        "# Themes: fitting at scale",
        _paragraph(f"Measured with `benchmarks/bench_themes_scale.py` (run by hand, {DATE}):"),
        f"```sh\n{command}\n```",
        _paragraph(
            f"""**Machine.** {os.cpu_count()} CPU cores, Linux {platform.release()}, Python
            {platform.python_version()}; {packages}. The machine was shared with other jobs:
            {loads}. Times are wall-clock and would be lower on an idle machine; UMAP runs
            single-threaded here (fit.py seeds it), so the second core helps little."""
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
            importing thememine, BERTopic, UMAP and HDBSCAN and fitting {WARM_UP} statements (numba
            compiles UMAP's code, or loads it from thememine's cache folder), plus, for sizes above
            {EXACT_NEIGHBOURS:,} statements, compiling pynndescent's NN-descent, which UMAP uses
            only there (below, neighbours are found exactly, so the small fit does not compile
            it). **Fit** is the wall time of `fit_run` on all N statements
            after that. **Peak RSS** is the process's `ru_maxrss`: imports, synthetic data and
            warm-up included. **Unassigned** is the share of non-filler statements in no theme
            after outlier reduction."""
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
        f"""- {r["n"]:,}: UMAP n_neighbors {r["settings"]["n_neighbors"]}, HDBSCAN min_cluster_size
        {r["settings"]["min_cluster_size"]}, min_samples {r["settings"]["min_samples"]}, cluster
        selection {r["settings"]["cluster_selection"] or "–"}; {r["outliers_before"]:.1%} outliers
        before reduction; ARI {r["ari"]:.2f} against the planted themes (on the statements planted
        in one); warm-up {_warm_up(r)}; {r["data_mb"]:,.0f} MB resident
        before the fit ({r["peak_before_mb"]:,.0f} MB peak so far)."""
        for r in results
        if "fit_s" in r
    ]
    if details:
        blocks.append("Settings, quality and memory per size:")
        blocks.append("\n".join(textwrap.indent(_paragraph(d), "  ")[2:] for d in details))
        blocks.append("## Where the time goes")
        blocks.append(
            _paragraph(
                """Wall-clock seconds per step of `fit_run`, timed by wrapping its functions and the
                UMAP, HDBSCAN and BERTopic methods it calls; a nested step also counts in its
                parent, so the rows do not add up:"""
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
            )
        )
        if profiled.get("profile"):
            blocks.append(profile_table(profiled))
    return "\n\n".join(blocks) + "\n"


if __name__ == "__main__":
    main()
