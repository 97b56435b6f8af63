"""Do the themes depend on accidents of pseudonymisation? Two keys, one seed, the whole pipeline.

    python benchmarks/eval_theme_trust.py [--corpus corpora/sample] [--embedder e5] [--markdown docs/themes.md]

Runs ``thememine run CORPUS --style names --codebook samarbejde_da --seed 42`` twice, with two new
keys (so only the surrogate names, fake numbers and the date shift differ), and reads what a
researcher would read:

- **ARI between the two keys**: the adjusted Rand index of the two runs' theme assignments over
  the statements with content (``assignments.csv``; unassigned counts as one cluster);
- **surrogate keywords**: theme keywords (``themes.yaml``) that are a surrogate of that run's key
  (a fake first name, last name, town …), summed over both runs;
- **header statements in themes**: statements whose text is a header line ("Dato: …",
  "Varighed: …", "Interview 3 – …") and that sit in a theme;
- **interviewer statements in themes**: statements whose role is ``interviewer`` that sit in a
  theme (they are left out of fitting by default).

The sample's gold and the codebook's examples are not used to tune anything here.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docblock import write_block

from thememine.pseudonymise.keyfile import read_key
from thememine.runfolder import ASSIGNMENTS_FILE, STATEMENTS_FILE, THEMES_FILE

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "benchmark-only-fictional"
HEADER = re.compile(
    r"^\s*(?:dato|tid|varighed|sted|deltagere|interview(?:\s+\d+)?\s*[–-]|interviewer\s*:)", re.IGNORECASE
)


def run(corpus: Path, out: Path, key: Path, embedder: str, cache: Path) -> float:
    command = [
        sys.executable, "-m", "thememine", "run", str(corpus), "--out", str(out), "--key", str(key),
        "--style", "names", "--codebook", "samarbejde_da", "--seed", "42", "--embedder", embedder,
        "--cache", str(cache), "--force", "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "THEMEMINE_KEY_PASSPHRASE": PASSPHRASE, "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cache.parent, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"thememine run failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def assignments(out: Path) -> dict[str, int]:
    with (out / ASSIGNMENTS_FILE).open(encoding="utf-8-sig", newline="") as handle:
        return {row["statement_id"]: int(row["theme_id"]) for row in csv.DictReader(handle)}


def statements(out: Path) -> list[dict[str, object]]:
    lines = (out / STATEMENTS_FILE).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def surrogate_words(key: Path) -> set[str]:
    """Every word of every surrogate the key hands out (names, fake towns and streets)."""
    mapping = read_key(key, PASSPHRASE)["mapping"]
    words: set[str] = set()
    for entity in mapping["entities"]:
        for value in (
            entity.get("first"),
            entity.get("last"),
            entity.get("fake"),
            *entity.get("parts", {}).values(),
        ):
            if value:
                words.update(w.casefold() for w in re.findall(r"[^\W\d_]{3,}", value))
    return words


def keywords(out: Path) -> list[str]:
    data = yaml.safe_load((out / THEMES_FILE).read_text(encoding="utf-8"))
    return [str(k).casefold() for theme in data.get("themes", []) for k in theme.get("keywords", [])]


def measure(corpus: Path, embedder: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "cache").mkdir()
        outs, seconds = [], []
        for n in (1, 2):
            out, key = work / f"run{n}", work / f"key{n}" / "study.key"
            seconds.append(run(corpus, out, key, embedder, work / "cache"))
            outs.append((out, key))
        (a_out, _), (b_out, _) = outs
        a, b = assignments(a_out), assignments(b_out)
        rows = statements(a_out)
        content = [str(r["id"]) for r in rows if not r.get("filler")]
        common = [i for i in content if i in a and i in b]
        ari = adjusted_rand_score([a[i] for i in common], [b[i] for i in common])
        surrogate_keywords = sorted(
            {k for out, key in outs for k in keywords(out) if k in surrogate_words(key)}
        )
        header = [r for r in rows if HEADER.match(str(r["text"])) and a.get(str(r["id"]), -1) != -1]
        interviewer = [r for r in rows if r.get("role") == "interviewer" and a.get(str(r["id"]), -1) != -1]
        return {
            "statements": len(rows),
            "compared": len(common),
            "ari_keys": ari,
            "surrogate_keywords": surrogate_keywords,
            "header_in_themes": len(header),
            "header_statements": sum(1 for r in rows if HEADER.match(str(r["text"]))),
            "interviewer_in_themes": len(interviewer),
            "interviewer_statements": sum(1 for r in rows if r.get("role") == "interviewer"),
            "themes": len(set(a.values()) - {-1}),
            "seconds": seconds,
        }


def markdown(result: dict[str, object], corpus: Path, embedder: str) -> str:
    import thememine  # the code measured: PYTHONPATH may point at another checkout

    code = Path(thememine.__file__).resolve().parent.parent
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=code, capture_output=True, text=True)
    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} by `benchmarks/eval_theme_trust.py` on `{corpus.name}` "
            f"(thememine from `{code}`, commit {commit.stdout.strip()}, embedder {embedder}, seed 42, `--style names --codebook samarbejde_da`).",
            "",
            "| figure | value | target |",
            "|---|---|---|",
            f"| ARI between two keys ({result['compared']} statements with content) | {result['ari_keys']:.3f} | ≥ 0.9 |",
            f"| surrogate keywords (both runs) | {len(result['surrogate_keywords'])} {result['surrogate_keywords'] or ''} | 0 |",  # type: ignore[arg-type]
            f"| header statements in themes | {result['header_in_themes']} of {result['header_statements']} header-like statements | 0 |",
            f"| interviewer statements in themes | {result['interviewer_in_themes']} of {result['interviewer_statements']} | 0 |",
            f"| themes | {result['themes']} | |",
            f"| run time, two runs (s) | {', '.join(f'{s:.0f}' for s in result['seconds'])} | |",  # type: ignore[attr-defined]
        ]
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "sample")
    ap.add_argument("--embedder", default="e5")
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args()
    result = measure(args.corpus.resolve(), args.embedder)
    text = markdown(result, args.corpus, args.embedder)
    print(text)
    if args.markdown:
        write_block(args.markdown, "theme-trust", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
