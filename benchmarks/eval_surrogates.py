"""How faithful are the names-style surrogates? Apparent origin of persons, kind of workplaces.

    python benchmarks/eval_surrogates.py [--corpus hard sample] [--keys 20]
        [--markdown docs/pseudonymisation.md] [--block surrogates]

For each corpus (``corpora/hard``, ``corpora/sample``) the CLI pseudonymises it once in the names
style (``python -m thememine pseudonymise CORPUS --out TMP --key TMP2/… --style names``), which
fixes which persons, places and workplaces were found. The surrogates are then drawn again with
``--keys`` fresh secrets (the key's entities, without their drawn values, in a ``SurrogateMap``
of the measured thememine), so that one lucky draw does not decide. Per key it counts:

- **persons whose surrogate changed origin**: the original's name parts say one origin
  ("Ahmad Rahimi": Muslim) and the surrogate's parts say another or a mix ("Jørgen Bay",
  "Mohamad Paaske"); and surrogates that mix origins their original did not;
- **workplaces**: those written as a tag, those whose surrogate lost a word that says the kind of
  institution ("Jobcenter" of "Jobcenter Horsens"), and workplaces with no place in their name
  ("Fontænehuset", also when detected as a place; a company of ``institutions_da.tsv``, "Bygma")
  that became a town.

The origin of a name is read from this checkout's data files, whatever thememine is measured:
``names_da.csv`` (a first or last name of its Muslim list is Muslim as a first or last name) corrected by ``name_origins_da.tsv``
(shared names such as "Maria" say nothing; Turkish and Asian names of the Danish list; names of
the Danish list that read as of another European origin, "Jürgen", "Antonio", so that "Klavs" →
"Antonio" counts as a changed origin). The kind
words are the ``type`` rows of ``institutions_da.tsv``. To measure another checkout, put it first
on ``PYTHONPATH``; the figures say which one was measured.
"""

from __future__ import annotations

import argparse
import base64
import csv
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docblock import write_block
from eval_shareable import measured_code

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "thememine" / "data"
CORPORA = {"hard": ROOT / "corpora" / "hard", "sample": ROOT / "corpora" / "sample"}
PASSPHRASE = "benchmark-only-fictional"
DECISIVE = ("danish", "muslim", "asian", "european")
PARTS = re.compile(r"[\s\-]+")
PARTICLE = re.compile(r"^(?:el|al|abu|bin|ibn|de|da|di|du|le|la|van|von)-?$", re.IGNORECASE)


# ----- reference data ---------------------------------------------------------------------------
def _data_rows(name: str, delimiter: str) -> list[dict[str, str]]:
    lines = [
        line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter=delimiter))


def origins() -> tuple[dict[str, str], dict[str, str]]:
    """Origin by lower-case first name and by lower-case last name."""
    rows = _data_rows("names_da.csv", ",")
    curated = {row["name"].casefold(): row["origin"] for row in _data_rows("name_origins_da.tsv", "\t")}
    muslim = {
        (row["name"].strip().casefold(), row["first_name"]) for row in rows if row["ethnicity"] == "muslim"
    }
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for row in rows:
        name = row["name"].strip().casefold()
        table = first if row["first_name"] == "True" else last
        table[name] = curated.get(name, "muslim" if (name, row["first_name"]) in muslim else "danish")
    return first, last


def kind_words() -> frozenset[str]:
    return frozenset(row["word"] for row in _data_rows("institutions_da.tsv", "\t") if row["kind"] == "type")


def companies() -> frozenset[str]:
    return frozenset(
        row["word"] for row in _data_rows("institutions_da.tsv", "\t") if row["kind"] == "company"
    )


def towns() -> frozenset[str]:
    return frozenset(row["name"].casefold() for row in _data_rows("places_da.tsv", "\t"))


def name_origins(name: str, first: dict[str, str], last: dict[str, str]) -> set[str]:
    """The decisive origins of a person's name parts: first word as a first name, last word as a
    last name, a name alone and middle names as either."""
    words = [w for w in name.split() if not PARTICLE.match(w)]
    found = set()
    for position, word in enumerate(words):
        for part in PARTS.split(re.sub(r"^(?:el|al|abu|bin|ibn)-", "", word, flags=re.IGNORECASE).casefold()):
            if not part:
                continue
            if len(words) > 1 and position == 0:
                origin = first.get(part)
            elif len(words) > 1 and position == len(words) - 1:
                origin = last.get(part)
            else:
                origin = first.get(part) or last.get(part)
            if origin in DECISIVE:
                found.add(origin)
    return found


# ----- measuring --------------------------------------------------------------------------------
@dataclass
class Counts:
    persons: int = 0
    persons_with_origin: int = 0
    changed_origin: int = 0
    mixed: int = 0
    workplaces: int = 0
    tags: int = 0
    lost_kind: int = 0
    unnamed_as_town: int = 0  # workplaces with no place in their name that became a town
    examples: list[str] | None = None


def pseudonymise(corpus: Path, work: Path) -> dict[str, Any]:
    from thememine.pseudonymise.keyfile import read_key

    key = work / "key" / "corpus.key"
    key.parent.mkdir()
    command = [
        sys.executable, "-m", "thememine", "pseudonymise", str(corpus), "--out", str(work / "out"),
        "--key", str(key), "--style", "names",
    ]  # fmt: skip
    env = {**os.environ, "THEMEMINE_KEY_PASSPHRASE": PASSPHRASE}
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"pseudonymise failed on {corpus}:\n{done.stderr[-2000:]}")
    return read_key(key, PASSPHRASE)["mapping"]


def measure(mapping: dict[str, Any], secret: bytes) -> Counts:
    """Draw every surrogate again with ``secret`` and count what changed the reading."""
    from thememine.pseudonymise.surrogates import SurrogateMap

    fresh = {
        **mapping,
        "style": "names",
        "secret": base64.b64encode(secret).decode("ascii"),
        "entities": [
            {**e, "first": None, "last": None, "fake": None, "parts": {}} for e in mapping["entities"]
        ],
    }
    surrogates = SurrogateMap.from_payload(fresh, "names")
    drawn = {
        (e.label, e.id): [surrogates.surrogate(e.label, v) for v in e.variants]
        for e in list(surrogates.entities)
    }
    first, last = origins()
    kinds, places, firms = kind_words(), towns(), companies()
    counts = Counts(examples=[])
    workplace_forms = {
        " ".join(v.split()).casefold()
        for e in surrogates.entities
        if e.label == "ORGANISATION"
        for v in e.variants
    }
    for entity in surrogates.entities:
        fakes = drawn[(entity.label, entity.id)]
        if entity.label == "PERSON":
            counts.persons += 1
            original = max(entity.variants, key=lambda v: len(v.split()))
            fake = fakes[entity.variants.index(original)]
            said, shown = name_origins(original, first, last), name_origins(fake, first, last)
            counts.persons_with_origin += bool(said)
            if said and shown and shown != said:
                counts.changed_origin += 1
                counts.examples.append(f"{original} → {fake}")
            if len(shown) > len(said) and len(shown) > 1:
                counts.mixed += 1
        elif entity.label in ("ORGANISATION", "LOCATION"):
            form = " ".join(entity.canonical.split())
            words = [w.casefold() for w in form.split()]
            has_place = (
                any(w in places or w.rstrip("s") in places for w in words) or form.casefold() in places
            )
            workplace = entity.label == "ORGANISATION" or (
                not has_place
                and (
                    form.casefold() in workplace_forms
                    or form.casefold() in firms
                    or re.search(r"(huset|gården|hjemmet|stedet|centret|skolen|klubben)$", form.casefold())
                )
            )
            if not workplace:
                continue
            counts.workplaces += 1
            fake = fakes[0]
            if fake.startswith("["):
                counts.tags += 1
                continue
            fake_words = {w.casefold() for w in fake.split()}
            if any(w in kinds and w not in fake_words for w in words):
                counts.lost_kind += 1
            if not has_place and fake.casefold() in places:
                counts.unnamed_as_town += 1
                counts.examples.append(f"{form} → {fake}")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", choices=sorted(CORPORA), default=["hard", "sample"])
    parser.add_argument("--keys", type=int, default=20, help="fresh secrets to draw surrogates with")
    parser.add_argument("--markdown", type=Path, help="write the figures into this page (between markers)")
    parser.add_argument(
        "--block", default="surrogates", help="marker name in the page (default: %(default)s)"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print the persons and workplaces counted"
    )
    args = parser.parse_args()
    lines = [
        "| corpus | persons | with an origin | changed origin | mixed origins | workplaces | as a tag | "
        "kind word lost | no place, became a town |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in args.corpus:
        with tempfile.TemporaryDirectory(prefix="thememine-surrogates-") as work:
            mapping = pseudonymise(CORPORA[name], Path(work))
        runs = [measure(mapping, bytes([n]) * 32) for n in range(args.keys)]
        total = {
            field: sum(getattr(run, field) for run in runs)
            for field in Counts.__dataclass_fields__
            if field != "examples"
        }
        if args.verbose:
            for example in sorted({e for run in runs for e in run.examples or []}):
                print(f"  {name}: {example}")
        per_key = {field: value / len(runs) for field, value in total.items()}
        lines.append(
            f"| {name} | {per_key['persons']:.0f} | {per_key['persons_with_origin']:.0f} | "
            f"{per_key['changed_origin']:.2f} | {per_key['mixed']:.2f} | {per_key['workplaces']:.0f} | "
            f"{per_key['tags']:.2f} | {per_key['lost_kind']:.2f} | {per_key['unnamed_as_town']:.2f} |"
        )
    text = "\n".join(
        [
            "**Surrogate fidelity (names style)**",
            "",
            f"Written by `benchmarks/eval_surrogates.py`; {measured_code()}. Mean per key over "
            f"{args.keys} keys; persons and workplaces as found by one run of the detectors.",
            "",
            *lines,
        ]
    )
    print(text)
    if args.markdown:
        write_block(args.markdown, args.block, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
