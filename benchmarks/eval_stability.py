"""How stable are the themes? Seeds, leaving an interview out, gold themes and time, old fit beside new.

    python benchmarks/eval_stability.py [--old /tmp/tm-fit-old] [--scale 10000] [--repeat 2]
        [--markdown docs/themes.md]

Statements come from ``thememine ingest corpora/sample`` (default split options, as in
``eval_themes.py``), embedded with the e5 embedder through the default embedding cache (so a rerun
does not embed again). Each fit runs in a fresh process that imports ``thememine`` from the
checkout under test (``--old``: a checkout of the fit before consensus, e.g. a git worktree; the
current one otherwise), on the same statements and embeddings. Reported per fit:

- mean pairwise adjusted Rand index (ARI) of the themes across seeds 42, 1 and 2;
- ARI of the other statements' themes when the focus group (``corpora/sample/fokusgruppe``) is
  left out, seed 42, and the mean of the same when each jobcenter interview is left out in turn
  (with the seeds, the measures by which the fit's parameters are chosen);
- ARI against the gold themes of ``corpora/sample_gold`` (seed 42), the share of statements with
  content left unassigned, the number of themes, and the seconds per fit (mean of the three seeds,
  after a warm-up fit that pays for imports and compilation);
- for a fit that stores one, the per-theme stability (min / median / max).

ARIs are computed on the statements with content (not filler-only); unassigned statements count as
one cluster of their own. ``--scale N`` also times one fit of N synthetic statements per checkout
with ``bench_themes_scale.py`` (its worker, in a fresh process each), old and new alternating,
``--repeat`` times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import fields
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from docblock import write_block  # noqa: E402

SAMPLE = ROOT / "corpora" / "sample"
LEFT_OUT = "fokusgruppe"  # the document group (folder) left out
LEFT_OUT_EACH = "jobcenter"  # each document of this group is left out in turn
SEEDS = (42, 1, 2)
CODEBOOK = "samarbejde_da"  # the codebook of the measure (run --codebook samarbejde_da)


def prepare(folder: Path) -> None:
    """Statements and embeddings of the sample corpus, with gold themes, written to ``folder``."""
    from gold import GOLD, load_gold

    from thememine.embed import EmbeddingCache, default_cache_dir, embed_texts, load_embedder
    from thememine.ingest import SplitOptions, read_corpus, split_corpus
    from thememine.themes.codebook import shipped_codebook
    from thememine.themes.coding import embed_codebook
    from thememine.themes.fit import content_mask
    from thememine.themes.fitting import units_from

    corpus = read_corpus([SAMPLE])
    units = units_from(split_corpus(corpus.documents, SplitOptions()), corpus.documents)
    embedder = load_embedder("e5")
    cache = EmbeddingCache(default_cache_dir())
    vectors = embed_texts([u.text for u in units], embedder, cache, progress=False).vectors
    gold = load_gold(GOLD)
    np.save(folder / "embeddings.npy", vectors)
    texts = embed_codebook(
        shipped_codebook(CODEBOOK), lambda t: embed_texts(t, embedder, cache, progress=False).vectors
    )
    np.savez(
        folder / "codebook.npz",
        descriptions=texts.descriptions,
        examples=texts.examples,
        owners=np.asarray(texts.owners, dtype=np.int64),
    )
    data = {
        "units": [u.to_dict() for u in units],
        "content": content_mask(units),
        "gold": [gold.get((u.doc_id, u.start, u.end)) for u in units],
        "embedder": embedder.id,
    }
    (folder / "sample.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def prepared(folder: Path) -> tuple[dict[str, Any], list[Any], np.ndarray, Any]:
    """What :func:`prepare` wrote, read with the importable ``thememine``: the sample's data (gold,
    content mask), its units, their embeddings and the codebook's texts."""
    from thememine.themes import coding
    from thememine.themes.model import Unit

    data = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
    known = {f.name for f in fields(Unit)}
    units = [Unit(**{k: v for k, v in u.items() if k in known}) for u in data["units"]]
    book = np.load(folder / "codebook.npz")
    texts = coding.CodeTexts(book["descriptions"], book["examples"], tuple(int(o) for o in book["owners"]))
    return data, units, np.load(folder / "embeddings.npy"), texts


def worker(folder: Path, guided: bool) -> None:
    """Fits on the prepared sample with the importable ``thememine`` (``guided``: by the codebook,
    as ``run --codebook`` does, where that checkout can); prints one JSON line."""
    import thememine
    from thememine.themes import coding
    from thememine.themes.fitting import fit_run as plain_fit
    from thememine.themes.model import Unit

    _, units, vectors, texts = prepared(folder)
    guided = guided and hasattr(coding, "guide")

    def fit_run(these: list[Unit], matrix: np.ndarray, seed: int) -> Any:
        """A fit as the pipeline makes it: the code model measured on these statements alone."""
        if not guided:
            return plain_fit(these, matrix, seed)
        from thememine.embed.base import normalise_rows
        from thememine.themes.fit import content_mask

        unit_rows = normalise_rows(matrix)
        rows = coding.content_rows(these, content_mask(these))
        model = coding.code_model(texts, unit_rows, rows)
        guide = coding.guide(these, unit_rows, model, rows)
        return plain_fit(these, matrix, seed, guide=guide)

    fit_run(units[:200], vectors[:200], 42)  # warm-up: imports and numba's compilation
    runs, seconds = {}, []
    for seed in SEEDS:
        started = time.perf_counter()
        runs[seed] = fit_run(units, vectors, seed)
        seconds.append(time.perf_counter() - started)
    kept = [i for i, u in enumerate(units) if u.group != LEFT_OUT]
    without = fit_run([units[i] for i in kept], vectors[kept], 42)
    each = []
    for doc in sorted({u.doc_id for u in units if u.group == LEFT_OUT_EACH}):
        rows = [i for i, u in enumerate(units) if u.doc_id != doc]
        each.append(
            {"rows": rows, "assignment": fit_run([units[i] for i in rows], vectors[rows], 42).assignment}
        )
    main = runs[42]
    stability = [getattr(t, "stability", None) for t in main.themes.values()]
    print(
        json.dumps(
            {
                "module": thememine.__file__,
                "assignments": {str(s): r.assignment for s, r in runs.items()},
                "left_out": {"rows": kept, "assignment": without.assignment},
                "left_out_each": each,
                "themes": len(main.themes),
                "unassigned": main.unassigned_share,
                "seconds": seconds,
                "method": main.settings.get("method", "") + (" + codebook" if guided else ""),
                "stability": [s for s in stability if s is not None],
            }
        ),
        flush=True,
    )


def run_worker(folder: Path, checkout: Path | None, guided: bool) -> dict[str, Any]:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    command = [sys.executable, __file__, "--worker", str(folder), *(["--guided"] if guided else [])]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"worker failed ({checkout or 'current'}):\n{done.stderr[-3000:]}")
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


def ari(a: list[int], b: list[int]) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


def scores(result: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    content = [i for i, keep in enumerate(data["content"]) if keep]
    by_seed = {int(s): a for s, a in result["assignments"].items()}
    pairs = [
        ari([by_seed[a][i] for i in content], [by_seed[b][i] for i in content])
        for a, b in combinations(SEEDS, 2)
    ]

    def kept_ari(left_out: dict[str, Any]) -> float:
        position = {row: k for k, row in enumerate(left_out["rows"])}
        others = [i for i in content if i in position]
        return ari([by_seed[42][i] for i in others], [left_out["assignment"][position[i]] for i in others])

    each = [kept_ari(x) for x in result.get("left_out_each", [])]
    gold_rows = [i for i, g in enumerate(data["gold"]) if g is not None]
    gold = ari([data["gold"][i] for i in gold_rows], [by_seed[42][i] for i in gold_rows])
    return {
        "seed_pairs": pairs,
        "seeds": float(np.mean(pairs)),
        "left_out": kept_ari(result["left_out"]),
        "left_out_each": each,
        "gold": gold,
        "themes": result["themes"],
        "unassigned": result["unassigned"],
        "seconds": float(np.mean(result["seconds"])),
        "method": result["method"],
        "stability": result["stability"],
        "module": result["module"],
    }


def scale(n: int, checkouts: dict[str, Path | None], repeat: int) -> dict[str, list[dict[str, Any]]]:
    """Fit seconds of ``n`` synthetic statements per checkout, alternating, ``repeat`` times each."""
    sys.path.insert(0, str(HERE))
    from bench_themes_scale import sample_statements

    found: dict[str, list[dict[str, Any]]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory() as scratch:
        texts = Path(scratch) / "texts.json"
        texts.write_text(json.dumps(sample_statements(Path(scratch))), encoding="utf-8")
        for _ in range(repeat):
            for name, checkout in checkouts.items():
                env = dict(os.environ)
                if checkout is not None:
                    env["PYTHONPATH"] = str(checkout)
                command = [sys.executable, str(HERE / "bench_themes_scale.py"), "--worker", str(n)]
                done = subprocess.run(
                    [*command, "--texts", str(texts)], capture_output=True, text=True, env=env, check=False
                )
                result: dict[str, Any] = {}
                for line in done.stdout.splitlines():
                    if line.startswith("{"):
                        result.update(json.loads(line))
                if "fit_s" not in result:
                    raise SystemExit(f"bench worker failed ({name}):\n{done.stderr[-3000:]}")
                found[name].append(result)
                print(
                    f"{n:,} {name}: fit {result['fit_s']:.1f} s, {result['themes']} themes", file=sys.stderr
                )
    return found


def table(found: dict[str, dict[str, Any]], scaled: dict[str, list[dict[str, Any]]], n: int) -> str:
    names = list(found)
    lines = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]

    def row(title: str, cell: Any) -> None:
        lines.append(f"| {title} | " + " | ".join(cell(found[name]) for name in names) + " |")

    row("method", lambda r: r["method"])
    row(f"mean pairwise ARI, seeds {', '.join(map(str, SEEDS))}", lambda r: f"**{r['seeds']:.3f}**")
    row("  (each pair: 42-1, 42-2, 1-2)", lambda r: " / ".join(f"{x:.2f}" for x in r["seed_pairs"]))
    row("ARI of the other statements, focus group left out", lambda r: f"**{r['left_out']:.3f}**")
    row(
        f"ARI of the other statements, each {LEFT_OUT_EACH} interview left out (mean; each)",
        lambda r: (
            f"**{np.mean(r['left_out_each']):.3f}** ("
            + " / ".join(f"{x:.2f}" for x in r["left_out_each"])
            + ")"
        ),
    )
    row("ARI against the gold themes (seed 42)", lambda r: f"{r['gold']:.3f}")
    row("themes (seed 42)", lambda r: str(r["themes"]))
    row("unassigned, of statements with content (seed 42)", lambda r: f"{r['unassigned']:.1%}")
    row("fit s, 702 statements (mean of 3 seeds)", lambda r: f"{r['seconds']:.1f}")
    if scaled:
        lines.append(
            f"| fit s, {n:,} synthetic statements (`bench_themes_scale.py`) | "
            + " | ".join(
                " / ".join(f"{x['fit_s']:.1f}" for x in scaled.get(name, [])) or "–" for name in names
            )
            + " |"
        )
        lines.append(
            f"| themes; ARI against the planted themes ({n:,}) | "
            + " | ".join(
                f"{scaled[name][0]['themes']}; {scaled[name][0]['ari']:.2f}" if name in scaled else "–"
                for name in names
            )
            + " |"
        )
    row(
        "theme stability min / median / max (seed 42)",
        lambda r: (
            " / ".join(f"{x:.2f}" for x in np.quantile(r["stability"], [0, 0.5, 1]))
            if r["stability"]
            else "–"
        ),
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, default=None, help="a checkout of the fit to compare with")
    ap.add_argument("--scale", type=int, default=0, help="also time a fit of this many synthetic statements")
    ap.add_argument("--repeat", type=int, default=1, help="timed fits per checkout at --scale")
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--guided", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.guided)
        return 0
    # (checkout, guided by the codebook): the current checkout both ways, the old one as it fits
    checkouts: dict[str, tuple[Path | None, bool]] = {}
    if args.old:
        checkouts["before"] = (args.old.resolve(), True)
    checkouts["now, without a codebook"] = (None, False)
    checkouts[f"now, with --codebook {CODEBOOK}"] = (None, True)
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        prepare(folder)
        data = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
        found = {}
        for name, (checkout, guided) in checkouts.items():
            found[name] = scores(run_worker(folder, checkout, guided), data)
            print(f"{name}: {found[name]['module']}", file=sys.stderr)
    plain = {name: checkout for name, (checkout, guided) in checkouts.items() if not guided or checkout}
    scaled = scale(args.scale, plain, args.repeat) if args.scale else {}
    load_end = os.getloadavg()
    content = sum(data["content"])
    text = "\n".join(
        [
            "# Themes: stability",
            "",
            "Written by `benchmarks/eval_stability.py` (run by hand, 2 CPU cores shared with other jobs; "
            f"load average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end).",
            "",
            f"Sample corpus: {len(data['units'])} statements, {content} with content; embedder "
            f"{data['embedder']}. Each column is a fresh process importing that checkout's `thememine`.",
            "",
            table(found, scaled, args.scale),
        ]
    )
    print(text)
    if args.markdown:
        write_block(args.markdown, "eval_stability", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
