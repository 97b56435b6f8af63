"""How much do the leave-one-interview-out figures move when the corpus barely changes?

    python benchmarks/eval_stability_noise.py [--old CHECKOUT] [--rounds 8] [--drop 0.01]
        [--markdown docs/themes.md]

``eval_stability.py`` reports one number per measure. On the sample corpus, small changes that
no measure should care about (five "Selv tak." statements becoming filler) moved the focus group
figure by 0.07, so one number cannot tell two fits apart by less than that. This script repeats the
leave-one-interview-out measures (focus group left out; each jobcenter interview left out, mean)
on ``--rounds`` copies of the sample, each without its own random ``--drop`` share of the
statements with content (seeded by the round), and reports their mean, spread and range, for the
current checkout and, with ``--old``, another one, alternating in fresh processes. Fits are
guided by the codebook, as ``run --codebook samarbejde_da`` fits. Round 0 drops nothing: it is
``eval_stability.py``'s figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from docblock import write_block  # noqa: E402
from eval_stability import CODEBOOK, LEFT_OUT, LEFT_OUT_EACH, ari, prepare, prepared  # noqa: E402


def worker(folder: Path, rounds: int, drop: float) -> None:
    """The leave-one-out ARIs of each round with the importable ``thememine``; one JSON line."""
    import thememine
    from thememine.embed.base import normalise_rows
    from thememine.themes import coding
    from thememine.themes.fit import content_mask
    from thememine.themes.fitting import fit_run

    data, units, vectors, texts = prepared(folder)
    content = [i for i, keep in enumerate(data["content"]) if keep]

    def assignment(rows: list[int]) -> dict[int, int]:
        these = [units[i] for i in rows]
        matrix = normalise_rows(vectors[rows])
        fitted = coding.content_rows(these, content_mask(these))
        guide = coding.guide(these, matrix, coding.code_model(texts, matrix, fitted), fitted)
        found = fit_run(these, vectors[rows], 42, guide=guide).assignment
        return dict(zip(rows, found, strict=True))

    def kept_ari(full: dict[int, int], part: dict[int, int]) -> float:
        others = [i for i in content if i in part and i in full]
        return ari([full[i] for i in others], [part[i] for i in others])

    found = []
    for r in range(rounds):
        dropped = set(
            np.random.default_rng(r).choice(content, round(drop * len(content)), replace=False).tolist()
        )
        if r == 0:
            dropped = set()
        present = [i for i in range(len(units)) if i not in dropped]
        full = assignment(present)
        group = kept_ari(full, assignment([i for i in present if units[i].group != LEFT_OUT]))
        each = [
            kept_ari(full, assignment([i for i in present if units[i].doc_id != doc]))
            for doc in sorted({u.doc_id for u in units if u.group == LEFT_OUT_EACH})
        ]
        found.append({"focus group": group, "jobcenter": float(np.mean(each))})
        print(f"round {r}: {found[-1]}", file=sys.stderr, flush=True)
    print(json.dumps({"module": thememine.__file__, "rounds": found}), flush=True)


def run_worker(folder: Path, checkout: Path | None, rounds: int, drop: float) -> dict[str, Any]:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    command = [
        sys.executable,
        __file__,
        "--worker",
        str(folder),
        "--rounds",
        str(rounds),
        "--drop",
        str(drop),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"worker failed ({checkout or 'current'}):\n{done.stderr[-3000:]}")
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


def summary(values: list[float]) -> str:
    return f"{np.mean(values):.3f} ± {np.std(values):.3f} ({min(values):.2f}-{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, default=None, help="a checkout of the fit to compare with")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--drop", type=float, default=0.01, help="share of the statements with content dropped")
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.rounds, args.drop)
        return 0
    checkouts: dict[str, Path | None] = {"now": None}
    if args.old:
        checkouts = {"before": args.old.resolve(), "now": None}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        prepare(folder)
        found = {
            name: run_worker(folder, checkout, args.rounds, args.drop) for name, checkout in checkouts.items()
        }
    lines = [
        "## Themes: how much the leave-one-out figures move",
        "",
        f"Written by `benchmarks/eval_stability_noise.py` (run by hand): {args.rounds} copies of the sample, "
        f"each without its own random {args.drop:.0%} of the statements with content (the first copy "
        f"without none), fitted with `--codebook {CODEBOOK}`; ARI of the other statements' themes "
        "when an interview is left out, mean ± standard deviation (range).",
        "",
        "| fit | focus group left out | each jobcenter interview left out (mean) |",
        "|---|---|---|",
    ]
    for name, result in found.items():
        rounds = result["rounds"]
        lines.append(
            f"| {name} | {summary([r['focus group'] for r in rounds])} | "
            f"{summary([r['jobcenter'] for r in rounds])} |"
        )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        write_block(args.markdown, "eval_stability_noise", "\n".join(lines[2:]))  # the page has its heading
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
