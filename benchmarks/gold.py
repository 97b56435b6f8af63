"""Gold theme labels for the sample corpus, for scoring themes (ARI/NMI) and zero-shot coding.

    python benchmarks/gold.py [GOLD_CSV] [--markdown]

Prints how many statements each gold theme has. ``corpora/sample_gold/gold_themes.csv`` has one row
per non-filler statement of ``thememine ingest corpora/sample`` (default split options):
``doc_id,start,end,theme,code,note``, where ``start:end`` are offsets into the original
transcript text, ``theme`` is a code id of the shipped codebook ``samarbejde_da`` or ``other``, and
``code`` is the theme when it is a code, else empty. See ``corpora/sample_gold/GOLD.md``.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

GOLD = Path(__file__).resolve().parent.parent / "corpora" / "sample_gold" / "gold_themes.csv"
OTHER = "other"
COLUMNS = ["doc_id", "start", "end", "theme", "code", "note"]

Key = tuple[str, int, int]


def load_gold(path: Path = GOLD) -> dict[Key, str]:
    """The gold theme of each statement, keyed by ``(doc_id, start, end)``."""
    gold: dict[Key, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{path}: the header must be {','.join(COLUMNS)}, not {reader.fieldnames}")
        for row in reader:
            key = (row["doc_id"], int(row["start"]), int(row["end"]))
            theme = row["theme"].strip()
            if not theme:
                raise ValueError(f"{path}, line {reader.line_num}: no theme")
            if row["code"] != ("" if theme == OTHER else theme):
                raise ValueError(
                    f"{path}, line {reader.line_num}: code must equal theme (or be empty for other)"
                )
            if key in gold:
                raise ValueError(f"{path}, line {reader.line_num}: statement {key} appears twice")
            gold[key] = theme
    return gold


def theme_counts(gold: Mapping[Key, str]) -> list[tuple[str, int]]:
    """Statements per theme, most frequent first (ties by name)."""
    return sorted(Counter(gold.values()).items(), key=lambda item: (-item[1], item[0]))


def markdown_table(gold: Mapping[Key, str]) -> str:
    total = len(gold)
    lines = ["| theme | statements | share |", "| --- | ---: | ---: |"]
    lines += [f"| `{theme}` | {count} | {count / total:.1%} |" for theme, count in theme_counts(gold)]
    lines.append(f"| **all** | **{total}** | 100% |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=GOLD, help="gold CSV (default: %(default)s)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    gold = load_gold(args.gold)
    if args.markdown:
        print(markdown_table(gold))
        return
    for theme, count in theme_counts(gold):
        print(f"{theme:30} {count:4}")
    print(f"{'all':30} {len(gold):4}  ({len({doc for doc, _, _ in gold})} documents)")


if __name__ == "__main__":
    main()
