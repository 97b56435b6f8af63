"""The identifier gold of ``corpora/hard``, ``corpora/heldout`` and ``corpora/sample`` agrees with the transcripts.

Every gold form occurs in its document as written, every document has gold and every gold
document exists, every input format is in the hard and the held-out corpus, and no mention of a gold name or
identifier in a document is left out of that document's gold (it lies inside a listed form or a
listed trap).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from thememine.ingest import Document, read_corpus

from .conftest import ROOT

CORPORA = {
    "hard": (ROOT / "corpora" / "hard", ROOT / "corpora" / "hard_gold" / "gold.yaml"),
    "heldout": (ROOT / "corpora" / "heldout", ROOT / "corpora" / "heldout_gold" / "gold.yaml"),
    "sample": (ROOT / "corpora" / "sample", ROOT / "corpora" / "sample_gold" / "identifiers.yaml"),
}
FORMATS = {".txt", ".docx", ".srt", ".vtt", ".json"}


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_shareable", ROOT / "benchmarks" / "eval_shareable.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


BENCH = _module()


@cache
def _documents(name: str) -> dict[str, Document]:
    folder = CORPORA[name][0]
    corpus = read_corpus([folder])
    assert not corpus.skipped, corpus.skipped
    return {Path(doc.path).relative_to(folder).as_posix(): doc for doc in corpus.documents}


@cache
def _gold(name: str) -> object:
    return BENCH.load_gold(CORPORA[name][1])


def _speakers(doc: Document) -> str:
    return "\n".join(turn.speaker or "" for turn in doc.turns)


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_gold_documents_are_the_corpus(name: str) -> None:
    gold = _gold(name)
    assert set(gold.documents) == set(_documents(name))  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "size"), [("hard", 12), ("heldout", 8)])
def test_hard_corpus_has_every_format_and_the_hard_cases(name: str, size: int) -> None:
    docs = _documents(name)
    assert len(docs) >= size
    assert {Path(rel).suffix for rel in docs} == FORMATS
    gold = _gold(name)
    # the names in folder and file names are really there, and belong to gold persons
    for written in gold.path_names:  # type: ignore[attr-defined]
        assert any(written in rel for rel in docs), written
    labels = {ident.label for doc in gold.documents.values() for ident in doc.identifiers}  # type: ignore[attr-defined]
    assert {"person", "cpr", "phone", "address", "date", "email", "place", "workplace"} <= labels


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_every_gold_form_occurs_in_its_document(name: str) -> None:
    docs = _documents(name)
    missing = []
    for rel, doc_gold in _gold(name).documents.items():  # type: ignore[attr-defined]
        text = docs[rel].text + "\n" + _speakers(docs[rel])
        forms = [i.form for i in doc_gold.identifiers] + doc_gold.traps + doc_gold.optional
        missing += [(rel, form) for form in forms if not BENCH.whole(form).search(text)]
    assert not missing


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_every_person_form_belongs_to_one_declared_person(name: str) -> None:
    gold = _gold(name)
    for doc_gold in gold.documents.values():  # type: ignore[attr-defined]
        for ident in doc_gold.identifiers:
            assert (ident.label == "person") == (ident.person is not None), ident
            if ident.person:
                assert ident.person in gold.persons  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_no_mention_is_left_out_of_the_gold(name: str) -> None:
    """Every whole-word mention of any gold form or name part lies inside a listed form or trap."""
    gold = _gold(name)
    docs = _documents(name)
    searched = gold.leak_forms()  # type: ignore[attr-defined]
    uncovered = []
    for rel, doc_gold in gold.documents.items():  # type: ignore[attr-defined]
        text = docs[rel].text
        listed = [i.form for i in doc_gold.identifiers] + doc_gold.optional
        covered = [m.span() for form in listed for m in BENCH.whole(form, re.IGNORECASE).finditer(text)]
        covered += [m.span() for trap in doc_gold.traps for m in BENCH.whole(trap).finditer(text)]
        for form in searched:
            for match in BENCH.whole(form, re.IGNORECASE).finditer(text):
                if not any(a <= match.start() and match.end() <= b for a, b in covered):
                    uncovered.append(
                        (rel, match.group(), text[max(0, match.start() - 30) : match.end() + 30])
                    )
    assert not uncovered


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_no_trap_is_a_gold_identifier(name: str) -> None:
    """Traps are matched case-sensitively: "hans" (his) may be a trap, "Hans" (a name) may not."""
    gold = _gold(name)
    identifiers = {i.form for doc in gold.documents.values() for i in doc.identifiers}  # type: ignore[attr-defined]
    assert not gold.traps() & identifiers  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Det var hans idé med en praktik.", ""),  # the whole trap
        ("Det var hans id…", ""),  # the report cut the quote inside the trap "hans idé"
        ("Det var hans i…", ""),
        ("og hans…", ""),  # cut right after the trap's first word
        ("Det var Hans…", "Hans"),  # written like the name: it may be the name, so it counts
        ("Det var hans kone.", "hans"),  # no trap and no cut: the benchmark counts it
        ("Det var johans…", "johans"),  # no trap starts inside a word
    ],
)
def test_a_trap_the_report_cuts_short_is_blanked_out_unless_it_may_be_a_name(text: str, left: str) -> None:
    masked = BENCH.mask_traps(text, {"hans idé", "Hans bror"}, {"Hans", "Hans Overgaard"})
    assert len(masked) == len(text)
    hans = [word for word in re.findall(r"\w+", masked) if word.casefold().endswith("hans")]
    assert hans == ([left] if left else [])


@pytest.mark.slow
@pytest.mark.parametrize("style", ["tags", "names"])
def test_the_hard_corpus_is_shareable(style: str, tmp_path: Path) -> None:
    """The whole pipeline on the hard corpus, read as the benchmark reads it: no damaged word, no
    lost trap, every possessive kept, every statement restored exactly, and no gold identifier in
    the documents. The hard corpus is seen material (docs/shareable.md): this guards what was
    reached, it does not measure it."""
    (tmp_path / "cache").mkdir()
    result = BENCH.evaluate("hard", style, tmp_path, tmp_path / "cache")
    assert result.crashed is None, result.crashed
    assert result.damaged_hits == 0 and not result.damaged_forms
    assert sum(result.trap_lost.values()) == 0
    assert result.possessive_kept == result.possessive_total > 0
    assert result.roundtrip_exact == result.roundtrip_total > 0
    assert not result.name_leaks
    leaked = {form for forms in result.leak_forms.values() for form in forms}
    # "Hans": the pronoun, capitalised, where the report cuts a quote short right after it, so
    # that it may as well be the name (see docs/shareable.md); a cut "hans" is blanked out
    assert leaked <= {"hans"}, leaked
    documents = "\n".join(
        p.read_text(encoding="utf-8") for p in (tmp_path / f"hard-{style}-out").glob("documents/*")
    )
    for form in (
        "Mette",
        "Kirsten",
        "Dalby",
        "Bjerre",
        "el-Hassan",
        "170468-1234",
        "23-45-67-89",
        "nørregade 45",
    ):
        assert form.casefold() not in documents.casefold(), form
