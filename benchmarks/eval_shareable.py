"""How shareable is the pseudonymised output? Leaks, damaged words, pseudonym consistency, round trip.

    python benchmarks/eval_shareable.py [--corpus hard heldout sample] [--style tags names] [-v]
        [--markdown docs/shareable.md] [--block shareable]

For each corpus (``corpora/hard`` with ``corpora/hard_gold/gold.yaml``, ``corpora/sample`` with
``corpora/sample_gold/identifiers.yaml``; ``corpora/heldout`` with ``corpora/heldout_gold/gold.yaml``
only when asked for, as it is held out) and each surrogate style, runs the whole pipeline as a
researcher would (``python -m thememine run CORPUS --out TMP --key TMP2/… --force``, fake ``hash``
embedder, shipped codebook) and measures, from the files in the output folder only:

- **leaks**: every gold identifier form, every name part (3 letters or more) of a gold person's
  full name and the names in folder and file names, searched case-insensitively as a whole word in
  the content of every output file (inside the ``.qdpx`` too) and in every file and folder name;
  trap words are blanked out first, so "hans" (his) is not a leak of "Hans", also where the report
  cuts a quote short inside a trap phrase ("Det var hans i…" for "hans idé");
- **damage**: replaced forms in the key, and replaced spans in ``review.csv``, that match no gold
  identifier (possessive endings ignored); and trap words/phrases that did not survive (fewer
  whole-word, case-sensitive occurrences in the output documents than in the input);
- **consistency**: how many key entities hold the forms of one gold person (more than one means
  several pseudonyms for one person); whether possessive mentions keep an ending in the output;
- **round trip**: ``reidentify`` of every output statement gives back the original statement.

It uses only the CLI, ``thememine.ingest`` (``read_corpus``, ``split_corpus``), the key format
(``read_key``: ``payload["mapping"]``, ``payload["documents"]``), ``review.csv`` and
``reidentify``. Whatever ``thememine`` Python imports is measured: to measure another checkout,
put it first on ``PYTHONPATH`` (the benchmark prints which one it measured, and its commit).

The gold material is for EVALUATION ONLY (see the GOLD.md files): never train or tune on it.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from thememine.runfolder import STATEMENTS_FILE

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {
    "hard": (ROOT / "corpora" / "hard", ROOT / "corpora" / "hard_gold" / "gold.yaml"),
    "heldout": (ROOT / "corpora" / "heldout", ROOT / "corpora" / "heldout_gold" / "gold.yaml"),
    "sample": (ROOT / "corpora" / "sample", ROOT / "corpora" / "sample_gold" / "identifiers.yaml"),
}
STYLES = ("tags", "names")
CLASSES = ("person", "place", "workplace", "address", "cpr", "phone", "email", "date", "case", "url")
PASSPHRASE = "benchmark-only-fictional"
# output files that hold numbers only (embeddings); every other file's content is searched
BINARY = (".npy",)
UNESCAPE = (".html", ".htm", ".xml", ".qde", ".qdc")
WORD_PARTS = re.compile(r"[\s\-]+")
CUT = "…"  # how the report ends a quote or label it cut short


# ----- gold -------------------------------------------------------------------------------------
@dataclass
class Identifier:
    label: str
    form: str
    person: str | None = None


@dataclass
class DocGold:
    path: str  # relative to the corpus folder, with "/"
    identifiers: list[Identifier] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)


@dataclass
class Gold:
    corpus: str
    persons: dict[str, str]  # key → full name
    path_names: dict[str, str]  # name written in a folder or file name → person key
    documents: dict[str, DocGold]

    def person_forms(self) -> dict[str, set[str]]:
        """Every form of each person, casefolded, over all documents (and path names)."""
        forms: dict[str, set[str]] = {key: {_norm(name)} for key, name in self.persons.items()}
        for doc in self.documents.values():
            for ident in doc.identifiers:
                if ident.person:
                    forms[ident.person].add(_norm(ident.form))
        for name, key in self.path_names.items():
            forms[key].add(_norm(name))
        return forms

    def leak_forms(self) -> dict[str, str]:
        """Form (casefolded) → class, for the leak search."""
        forms: dict[str, str] = {}
        for doc in self.documents.values():
            for ident in doc.identifiers:
                forms.setdefault(_norm(ident.form), ident.label)
        names = [*self.persons.values(), *self.path_names]
        for name in names:
            forms.setdefault(_norm(name), "person")
            for part in WORD_PARTS.split(name):
                if len(re.sub(r"\W", "", part)) >= 3:
                    forms.setdefault(_norm(part), "person")
        return forms

    def written_forms(self) -> set[str]:
        """Every identifier form, full name and name part exactly as written (case kept)."""
        forms = {ident.form for doc in self.documents.values() for ident in doc.identifiers}
        for name in [*self.persons.values(), *self.path_names]:
            forms |= {name, *(part for part in WORD_PARTS.split(name) if part)}
        return forms

    def traps(self) -> set[str]:
        return {trap for doc in self.documents.values() for trap in doc.traps}

    def accepted(self) -> set[str]:
        """Forms whose replacement is no damage: identifiers, name parts, optional forms."""
        accepted = set(self.leak_forms())
        for doc in self.documents.values():
            accepted |= {_norm(form) for form in doc.optional}
        return accepted


def load_gold(path: Path) -> Gold:
    """Read a gold YAML file (format: the GOLD.md beside it)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    persons = {str(k): str(v) for k, v in (data.get("persons") or {}).items()}
    path_names = {str(k): str(v) for k, v in (data.get("path_names") or {}).items()}
    documents: dict[str, DocGold] = {}
    for rel, entry in (data.get("documents") or {}).items():
        doc = DocGold(str(rel))
        for key, value in (entry or {}).items():
            if key == "persons":
                for person, forms in value.items():
                    if person not in persons:
                        raise ValueError(f"{path}: {rel}: person {person!r} is not under persons:")
                    doc.identifiers += [Identifier("person", str(form), str(person)) for form in forms]
            elif key in CLASSES:
                doc.identifiers += [Identifier(key, str(form)) for form in value]
            elif key == "traps":
                doc.traps = [str(t) for t in value]
            elif key == "optional":
                doc.optional = [str(t) for t in value]
            else:
                raise ValueError(f"{path}: {rel}: unknown key {key!r}")
        documents[doc.path] = doc
    for key in path_names.values():
        if key not in persons:
            raise ValueError(f"{path}: path name person {key!r} is not under persons:")
    return Gold(str(data.get("corpus", "")), persons, path_names, documents)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def whole(form: str, flags: int = 0) -> re.Pattern[str]:
    """``form`` as a whole word (or phrase): no letter or digit right before or after it."""
    return re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)", flags)


@lru_cache(maxsize=4096)
def _pattern(form: str) -> re.Pattern[str]:
    return whole(form)


def count_whole(form: str, text: str, flags: int = 0) -> int:
    return sum(1 for _ in whole(form, flags).finditer(text))


def mask_traps(text: str, traps: set[str], identifiers: set[str] = frozenset()) -> str:
    """Blank out trap occurrences (case-sensitive), longest first, so they are not taken for leaks.

    The report cuts long quotes with an ellipsis, also inside a trap phrase: "Det var hans i…" is
    the trap "hans idé" cut short, so the start of a trap right before an ellipsis is blanked out
    too. Not where that start is written exactly as a gold identifier form (``identifiers``):
    "Hans…" may be the trap "Hans bror" or the name Hans, and counts as a leak. A trap phrase may
    be folded over two lines ("hans\\n      liv" in ``themes.yaml``, which wraps long quotes).
    """
    for trap in sorted(traps, key=len, reverse=True):
        folded = r"\s+".join(re.escape(word) for word in trap.split())
        text = re.sub(r"(?<!\w)" + folded + r"(?!\w)", lambda m: re.sub(r"\S", " ", m.group()), text)
    for cut in reversed([m.start() for m in re.finditer(CUT, text)]):
        start = _cut_trap_start(text, cut, traps, identifiers)
        if start is not None:
            text = text[:start] + " " * (cut - start) + text[cut:]
    return text


def _cut_trap_start(text: str, cut: int, traps: set[str], identifiers: set[str]) -> int | None:
    """Where the longest trap cut short at ``cut`` (an ellipsis) begins, or ``None``."""
    best: int | None = None
    for trap in traps:
        for length in range(min(len(trap) - 1, cut), 0, -1):
            start = cut - length
            if best is not None and start >= best:
                break
            piece = text[start:cut]
            if piece == trap[:length] and not re.match(r"\w", text[start - 1 : start]):
                if piece not in identifiers:
                    best = start
                break
    return best


# ----- the output folder as a researcher would share it -----------------------------------------
def _readable(name: str, data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    lower = name.lower()
    if lower.endswith((".json", ".jsonl")):
        # undo \u escapes, so "Søndergaard" is found however the JSON was written
        try:
            if lower.endswith(".jsonl"):
                rows = [json.loads(line) for line in text.splitlines() if line.strip()]
                text = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
            else:
                text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    if lower.endswith(UNESCAPE):
        text = html.unescape(text)
    return text


def shared_texts(out: Path) -> tuple[dict[str, str], list[str]]:
    """Content of every output file (and .qdpx member) by name, and every file and folder name."""
    contents: dict[str, str] = {}
    names: list[str] = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        names.append(path.name)
        if not path.is_file() or path.suffix.lower() in BINARY:
            continue
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    names += [part for part in member.split("/") if part]
                    if not member.endswith("/"):
                        contents[f"{rel}!{member}"] = _readable(member, archive.read(member))
            continue
        contents[rel] = _readable(rel, data)
    return contents, names


# ----- one run ----------------------------------------------------------------------------------
@dataclass
class Result:
    corpus: str
    style: str
    seconds: float = 0.0
    crashed: str | None = None
    leak_forms: dict[str, set[str]] = field(default_factory=dict)  # class → leaked forms
    leak_hits: Counter[str] = field(default_factory=Counter)  # class → occurrences
    gold_forms: Counter[str] = field(default_factory=Counter)  # class → forms searched
    name_leaks: set[str] = field(default_factory=set)  # forms in output file/folder names
    damaged_forms: dict[str, str] = field(default_factory=dict)  # form → label
    damaged_hits: int | None = None
    replaced_hits: int | None = None
    trap_lost: Counter[str] = field(default_factory=Counter)
    trap_total: int = 0
    multi: dict[str, int] = field(default_factory=dict)  # person → entities holding its forms
    persons: int = 0
    possessive_kept: int = 0
    possessive_total: int = 0
    possessive_lost: list[str] = field(default_factory=list)
    roundtrip_exact: int = 0
    roundtrip_total: int = 0
    roundtrip_bad: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_pipeline(corpus: Path, out: Path, key: Path, style: str, cache: Path) -> tuple[int, str, float]:
    command = [
        sys.executable, "-m", "thememine", "run", str(corpus), "--out", str(out), "--key", str(key),
        "--style", style, "--embedder", "hash", "--codebook", "samarbejde_da", "--cache", str(cache),
        "--force", "--quiet", "--allow-leaks",
    ]  # fmt: skip
    env = {**os.environ, "THEMEMINE_KEY_PASSPHRASE": PASSPHRASE}
    start = time.perf_counter()
    # not cwd=ROOT: "python -m" puts the working folder first on sys.path, before PYTHONPATH
    done = subprocess.run(command, cwd=cache.parent, env=env, capture_output=True, text=True, check=False)
    return done.returncode, done.stderr + done.stdout, time.perf_counter() - start


def pipeline_code(work: Path) -> str:
    """The thememine package the pipeline subprocess imports (run from the same folder)."""
    probe = [
        sys.executable,
        "-c",
        "import thememine, pathlib; print(pathlib.Path(thememine.__file__).parent)",
    ]
    done = subprocess.run(probe, cwd=work, capture_output=True, text=True, check=True)
    return str(Path(done.stdout.strip()).resolve())


def _relative(path: str, corpus: Path) -> str:
    full = Path(path) if Path(path).is_absolute() else ROOT / path
    try:
        return full.resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _gold_match(text: str, accepted: set[str], numbers: list[str]) -> bool:
    """Whether a replaced text is a gold identifier, part of one, or gold identifiers only.

    Possessive endings are ignored; a span that holds a gold identifier and more words ("Signe Ja",
    "Mette og Jobcentret") is not a match: the extra words are damage.
    """
    norm = _norm(text)
    candidates = {norm, norm.rstrip("'"), norm[:-1] if norm.endswith("s") else norm}
    longest_first = sorted(accepted, key=len, reverse=True)
    for cand in candidates:
        if not cand:
            continue
        if cand in accepted:
            return True
        inside = whole(cand)
        if any(inside.search(form) for form in accepted):
            return True
        rest = cand
        for form in longest_first:
            if form in rest:
                rest = _pattern(form).sub(" ", rest)
        if not re.search(r"\w", re.sub(r"(?<=\s)s(?!\w)|'", " ", rest)):
            return True
    digits = re.sub(r"\D", "", text)
    return len(digits) >= 6 and any(digits in number for number in numbers)


def evaluate(name: str, style: str, work: Path, cache: Path) -> Result:
    from thememine.ingest import SplitOptions, read_corpus, split_corpus
    from thememine.pseudonymise.keyfile import read_key

    corpus, gold_path = CORPORA[name]
    gold = load_gold(gold_path)
    result = Result(name, style)
    out, key = work / f"{name}-{style}-out", work / f"{name}-{style}-key" / "study.key"
    code, log, result.seconds = run_pipeline(corpus, out, key, style, cache)
    if code != 0 or not (out / STATEMENTS_FILE).exists():
        result.crashed = "\n".join(log.strip().splitlines()[-8:])
        return result

    # leaks
    contents, names = shared_texts(out)
    leak_forms = gold.leak_forms()
    traps = gold.traps()
    identifiers = gold.written_forms()
    masked = {file: mask_traps(text, traps, identifiers) for file, text in contents.items()}
    for form, label in leak_forms.items():
        result.gold_forms[label] += 1
        pattern = whole(form, re.IGNORECASE)
        hits = sum(len(pattern.findall(text)) for text in masked.values())
        in_names = [n for n in names if pattern.search(n)]
        if in_names:
            result.name_leaks.add(form)
        if hits or in_names:
            result.leak_forms.setdefault(label, set()).add(form)
            result.leak_hits[label] += hits + len(in_names)

    # the key and the original corpus
    payload = read_key(key, PASSPHRASE)
    entities: list[dict[str, Any]] = payload["mapping"]["entities"]
    documents: dict[str, str] = payload.get("documents", {})
    original = read_corpus([corpus])
    by_rel = {_relative(doc.path, corpus): doc for doc in original.documents}
    new_to_rel = {new: _relative(path, corpus) for new, path in documents.items()}
    if set(new_to_rel.values()) != set(by_rel):
        result.notes.append("the key's document list does not match the corpus")

    # damage: replaced forms and spans that are no gold identifier
    accepted = gold.accepted()
    numbers = [re.sub(r"\D", "", f) for f in accepted if len(re.sub(r"\D", "", f)) >= 6]
    for entity in entities:
        for variant in entity["variants"]:
            if not _gold_match(variant, accepted, numbers):
                result.damaged_forms[variant] = entity["label"]
    review = key.parent / "review.csv"
    if review.exists():
        with review.open(encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.DictReader(handle) if row.get("status") == "replaced"]
        result.replaced_hits = len(rows)
        result.damaged_hits = sum(1 for row in rows if not _gold_match(row["text"], accepted, numbers))
    else:
        result.notes.append("no review.csv beside the key")

    # damage: traps that did not survive
    for new_id, rel in new_to_rel.items():
        doc_gold = gold.documents.get(rel)
        out_doc = out / "documents" / f"{new_id}.json"
        if doc_gold is None or rel not in by_rel or not out_doc.exists():
            continue
        before, after = by_rel[rel].text, json.loads(out_doc.read_text(encoding="utf-8"))["text"]
        for trap in dict.fromkeys(doc_gold.traps):
            n_in, n_out = count_whole(trap, before), count_whole(trap, after)
            result.trap_total += n_in
            if n_out < n_in:
                result.trap_lost[trap] += n_in - n_out

    # consistency: key entities per gold person
    person_forms = gold.person_forms()
    result.persons = len(person_forms)
    for person, forms in person_forms.items():
        holding = [e for e in entities if any(_norm(v) in forms for v in e["variants"])]
        result.multi[person] = len(holding)

    # round trip and possessives, statement by statement
    try:
        from thememine.pseudonymise.reidentify import reidentify
        from thememine.pseudonymise.surrogates import SurrogateMap

        mapping = SurrogateMap.from_payload(payload["mapping"])
    except (ImportError, AttributeError, KeyError, TypeError) as err:
        result.notes.append(f"reidentify unavailable: {type(err).__name__}: {err}")
        mapping = None
    originals = {
        (doc.id, s.turn, s.index): s
        for doc in original.documents
        for s in split_corpus([doc], SplitOptions())
    }
    rel_to_old = {_relative(doc.path, corpus): doc.id for doc in original.documents}
    possessives = _possessive_forms(gold)
    with (out / STATEMENTS_FILE).open(encoding="utf-8") as handle:
        statements = [json.loads(line) for line in handle if line.strip()]
    for row in statements:
        rel = new_to_rel.get(row["doc_id"], "")
        source = originals.get((rel_to_old.get(rel, ""), row["turn"], row["index"]))
        result.roundtrip_total += 1
        if source is None:
            result.roundtrip_bad.append((row["id"], "(no original statement)", row["text"]))
            continue
        if mapping is not None:
            restored = reidentify(row["text"], mapping)[0]
            if restored == source.text:
                result.roundtrip_exact += 1
            else:
                result.roundtrip_bad.append((row["id"], source.text, restored))
        _check_possessives(source.text, row["text"], possessives.get(rel, []), result)
    return result


def _possessive_forms(gold: Gold) -> dict[str, list[str]]:
    """Per document, the person forms that are possessives of another form of the same person."""
    forms = gold.person_forms()
    found: dict[str, list[str]] = {}
    for rel, doc in gold.documents.items():
        for ident in doc.identifiers:
            stem = _norm(ident.form)[:-1]
            if ident.person and ident.form[-1:] in ("s", "'") and stem in forms[ident.person]:
                found.setdefault(rel, []).append(ident.form)
    return found


def _check_possessives(before: str, after: str, forms: list[str], result: Result) -> None:
    """Each replaced possessive mention must still end in -s or an apostrophe before the next word."""
    for form in forms:
        for match in re.finditer(r"(?<!\w)" + re.escape(form) + r"\s+(\w+)", before):
            following = match.group(1)
            nth = sum(1 for m in whole(following).finditer(before) if m.start() < match.start(1))
            spots = list(whole(following).finditer(after))
            if nth >= len(spots):
                continue
            token = after[: spots[nth].start()].rstrip().rsplit(None, 1)[-1:]
            if not token or token[0] == form:
                continue  # not replaced (a leak, counted there)
            result.possessive_total += 1
            if re.search(r"(s|'|s\]|\]s)$", token[0]):
                result.possessive_kept += 1
            else:
                result.possessive_lost.append(f"{form} {following} → {token[0]} {following}")


# ----- report -----------------------------------------------------------------------------------
def _cell(forms: int, total: int, hits: int) -> str:
    return f"{forms}/{total} ({hits})" if total else "–"


def tables(results: list[Result]) -> str:
    classes = [c for c in CLASSES if any(r.gold_forms[c] for r in results)]
    lines = [
        "Leaked gold identifiers: distinct forms found / forms searched (occurrences), per class.",
        "",
        "| corpus | style | " + " | ".join(classes) + " | all | in file names |",
        "|---|---|" + "---:|" * (len(classes) + 2),
    ]
    for r in results:
        if r.crashed:
            lines.append(f"| {r.corpus} | {r.style} | crashed |" + " |" * (len(classes) + 1))
            continue
        cells = [_cell(len(r.leak_forms.get(c, ())), r.gold_forms[c], r.leak_hits[c]) for c in classes]
        leaked = sum(len(v) for v in r.leak_forms.values())
        cells.append(_cell(leaked, sum(r.gold_forms.values()), sum(r.leak_hits.values())))
        cells.append(str(len(r.name_leaks)))
        lines.append(f"| {r.corpus} | {r.style} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| corpus | style | damaged forms in key | damaged spans / replaced | traps lost | "
        "persons with >1 pseudonym | possessives kept | round trip exact | seconds |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.crashed:
            lines.append(f"| {r.corpus} | {r.style} | crashed | | | | | | {r.seconds:.0f} |")
            continue
        spans = "n/a" if r.damaged_hits is None else f"{r.damaged_hits}/{r.replaced_hits}"
        multi = sum(1 for n in r.multi.values() if n > 1)
        share = r.roundtrip_exact / r.roundtrip_total if r.roundtrip_total else 0.0
        lines.append(
            f"| {r.corpus} | {r.style} | {len(r.damaged_forms)} | {spans} | "
            f"{sum(r.trap_lost.values())}/{r.trap_total} | {multi}/{r.persons} | "
            f"{r.possessive_kept}/{r.possessive_total} | {share:.1%} "
            f"({r.roundtrip_exact}/{r.roundtrip_total}) | {r.seconds:.0f} |"
        )
    return "\n".join(lines)


def details(results: list[Result], limit: int = 60) -> str:
    """What leaked and what was damaged, by run (the material is fictional, so forms are printed)."""

    def listing(items: list[str]) -> str:
        shown = ", ".join(items[:limit])
        return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "") or "none"

    lines: list[str] = []
    for r in results:
        lines.append(f"**{r.corpus}, {r.style}**")
        lines.append("")
        if r.crashed:
            lines += ["Crashed:", "", "```text", r.crashed, "```", ""]
            continue
        for label in CLASSES:
            if r.leak_forms.get(label):
                lines.append(f"- leaked {label}: {listing(sorted(r.leak_forms[label]))}")
        if r.name_leaks:
            lines.append(f"- in output file names: {listing(sorted(r.name_leaks))}")
        damaged = [f"{form} ({label})" for form, label in sorted(r.damaged_forms.items())]
        lines.append(f"- damaged (replaced, not an identifier): {listing(damaged)}")
        lost = [f"{trap} ×{n}" for trap, n in sorted(r.trap_lost.items())]
        lines.append(f"- traps lost: {listing(lost)}")
        multi = [f"{p} ({n})" for p, n in sorted(r.multi.items()) if n > 1]
        never = [p for p, n in sorted(r.multi.items()) if n == 0]
        lines.append(f"- persons with several pseudonyms (key entities): {listing(multi)}")
        if never:
            lines.append(f"- persons with no key entity at all: {listing(never)}")
        if r.possessive_lost:
            lines.append(f"- possessive ending lost: {listing(r.possessive_lost)}")
        bad = [f"`{sid}`" for sid, _, _ in r.roundtrip_bad]
        lines.append(f"- statements not restored exactly: {listing(bad)}")
        for sid, want, got in r.roundtrip_bad[:3]:
            lines.append(f"  - `{sid}`: original «{want}» ≠ restored «{got}»")
        lines += [f"- note: {note}" for note in r.notes]
        lines.append("")
    return "\n".join(lines)


def measured_code() -> str:
    """Where the measured thememine comes from, and its commit (with + if that tree has changes)."""
    import thememine

    package = Path(thememine.__file__).resolve().parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(package), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = "+ uncommitted changes in thememine/" if git("status", "--porcelain", "--", ".") else "clean"
    return f"thememine from `{package}`, commit {commit} ({dirty})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", choices=sorted(CORPORA), default=["hard", "sample"])
    parser.add_argument("--style", nargs="+", choices=STYLES, default=list(STYLES))
    parser.add_argument("--markdown", type=Path, help="write the figures into this page (between markers)")
    parser.add_argument("--block", default="shareable", help="marker name in the page (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="keep the output and key folders here (for inspection)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print leaked forms and damaged words")
    args = parser.parse_args()

    where = measured_code()
    print(where, file=sys.stderr)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="tm-shareable-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        import thememine

        here = str(Path(thememine.__file__).resolve().parent)
        there = pipeline_code(work)
        if here != there:
            print(
                f"The pipeline would import thememine from {there}, this script from {here}.", file=sys.stderr
            )
            return 2
        for name in args.corpus:
            for style in args.style:
                print(f"{name} / {style} …", file=sys.stderr)
                results.append(evaluate(name, style, work, work / "cache"))
    text = tables(results)
    print(text)
    if args.verbose:
        print()
        print(details(results))
    if args.markdown:
        from docblock import write_block

        stamp = time.strftime("%Y-%m-%d")
        write_block(
            args.markdown,
            args.block,
            f"Measured {stamp} by `benchmarks/eval_shareable.py` on {where}.\n\n"
            + text
            + "\n\n"
            + details(results),
        )
    return 1 if any(r.crashed for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
