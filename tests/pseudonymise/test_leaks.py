"""The leak check over a whole output folder: contents, file names, archive members and names."""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from thememine.pseudonymise.leaks import FileLeak, Forms, check_folder, input_names
from thememine.pseudonymise.surrogates import SurrogateMap


@pytest.fixture
def mapping() -> SurrogateMap:
    key = SurrogateMap("tags")
    key.entity("PERSON", "Mette Holm")
    key.entity("PERSON", "Mette")
    key.entity("PERSON", "Bo")
    key.entity("PERSON", "Søren")
    key.entity("PHONE", "22 47 81 93")
    return key


def tag(mapping: SurrogateMap, canonical: str) -> tuple[str, int]:
    """The masking tag and id of an entity in the key."""
    entity = next(e for e in mapping.entities if e.canonical == canonical)
    return entity.tag, entity.id


def clean(folder: Path) -> Path:
    """An output folder holding pseudonymised files only."""
    (folder / "documents").mkdir(parents=True)
    (folder / "documents" / "doc01.json").write_text(
        json.dumps({"text": "I: Hvor bor du?\n[PERSON_1]: Jeg bor i [LOCATION_1]. Bogen ligger der."}),
        encoding="utf-8",
    )
    (folder / "statements.jsonl").write_text(
        '{"id": "doc01:0:0", "speaker": "[PERSON_1]"}\n', encoding="utf-8"
    )
    (folder / "assignments.csv").write_text("id,theme\ndoc01:0:0,1\n", encoding="utf-8")
    (folder / "themes.yaml").write_text("themes:\n- id: 1\n  label: borger, bolig\n", encoding="utf-8")
    (folder / "report.html").write_text("<p>Rapporten bor her &amp; der</p>", encoding="utf-8")
    with zipfile.ZipFile(folder / "out.qdpx", "w") as archive:
        archive.writestr("project.qde", "<Project><Source name='doc01'/></Project>")
        archive.writestr("Sources/0a1b.txt", "[PERSON_1]: Jeg bor i [LOCATION_1].")
    np.save(folder / "embeddings.npy", np.zeros((2, 4), dtype=np.float32))
    return folder


def where(leaks: list[FileLeak]) -> set[tuple[str, str | None, bool]]:
    return {(leak.file, leak.member, leak.in_name) for leak in leaks}


def test_a_clean_folder_has_no_leak(tmp_path: Path, mapping: SurrogateMap) -> None:
    check = check_folder(clean(tmp_path / "out"), mapping)
    assert check.leaks == [] and check.unread == [] and check.ok
    assert check.skipped == ["embeddings.npy"]  # numbers only, said so
    assert check.checked == 7  # five files, two archive members


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Jeg bor i byen og borger", []),  # "Bo" is no leak inside "bor", "borger"
        ("Bogen og Bornholm", []),
        ("Bo kom", ["Bo"]),
        ("bo kom", []),  # "Bo" is also a word (to live): a name only with a capital
        ("BO kom", ["BO"]),
        ("Bos mor", ["Bos"]),  # possessives
        ("Bo's mor", ["Bo's"]),
        ("Mettes bil", ["Mettes"]),
        ("interview_mette.txt", ["mette"]),  # an underscore separates words
        ("mette-holm", ["mette"]),
        ("Mette Holm kom", ["Mette Holm"]),  # the longest form, once
        ("ring 22 47 81 93", ["22 47 81 93"]),
        ("Metteline og Holmgaard", []),
    ],
)
def test_whole_words_and_possessives(mapping: SurrogateMap, text: str, found: list[str]) -> None:
    assert [text[start:end] for _, start, end in Forms(mapping).finditer(text)] == found


def test_a_name_in_a_file_or_folder_name(tmp_path: Path, mapping: SurrogateMap) -> None:
    out = clean(tmp_path / "out")
    (out / "documents" / "Mette Holm__doc01.json").write_text("{}", encoding="utf-8")
    (out / "Søren").mkdir()
    (out / "Søren" / "notes.txt").write_text("intet", encoding="utf-8")
    check = check_folder(out, mapping)
    (mette, mette_id), (soren, _) = tag(mapping, "Mette Holm"), tag(mapping, "Søren")
    assert where(check.leaks) == {
        (f"documents/{mette}__doc01.json", None, True),
        (soren, None, True),  # the folder, once, not again for each file in it
    }
    leak = next(leak for leak in check.leaks if leak.file.startswith("documents/"))
    assert "documents/Mette Holm__doc01.json"[leak.start : leak.end] == "Mette Holm"
    assert (leak.label, leak.entity) == ("PERSON", mette_id)
    assert check.per_file() == {soren: 1, f"documents/{mette}__doc01.json": 1}


def test_a_name_in_a_json_value_also_escaped(tmp_path: Path, mapping: SurrogateMap) -> None:
    out = clean(tmp_path / "out")
    raw = json.dumps({"replacements_per_document": {"Mette Holm__doc01": 3}, "by": "Søren"})  # \u00f8
    assert "Søren" not in raw
    (out / "audit.json").write_text(raw, encoding="utf-8")
    check = check_folder(out, mapping)
    expected = {("audit.json", tag(mapping, "Mette Holm")[1]), ("audit.json", tag(mapping, "Søren")[1])}
    assert len(check.leaks) == 2 and {(leak.file, leak.entity) for leak in check.leaks} == expected
    spans = sorted(raw[leak.start : leak.end] for leak in check.leaks)
    assert spans == ["Mette Holm", "S\\u00f8ren"]  # offsets into the file as written


def test_html_entities_are_decoded(tmp_path: Path, mapping: SurrogateMap) -> None:
    out = clean(tmp_path / "out")
    (out / "report.html").write_text("<p>Bo&#x27;s &amp; S&oslash;ren</p>", encoding="utf-8")
    check = check_folder(out, mapping)
    expected = {("report.html", tag(mapping, "Bo")[1]), ("report.html", tag(mapping, "Søren")[1])}
    assert len(check.leaks) == 2 and {(leak.file, leak.entity) for leak in check.leaks} == expected


def test_inside_a_qdpx_member_and_in_a_member_name(tmp_path: Path, mapping: SurrogateMap) -> None:
    out = clean(tmp_path / "out")
    with zipfile.ZipFile(out / "out.qdpx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", "<Project><Source name='doc01'/></Project>")
        archive.writestr("Sources/0a1b.txt", "[PERSON_1]: Jeg ringede til Mette i går.")
        archive.writestr("Sources/Søren.txt", "[PERSON_1]: Jeg bor i [LOCATION_1].")
    check = check_folder(out, mapping)
    soren = tag(mapping, "Søren")[0]
    assert where(check.leaks) == {
        ("out.qdpx", "Sources/0a1b.txt", False),
        ("out.qdpx", f"Sources/{soren}.txt", True),
    }
    assert check.per_file() == {"out.qdpx:Sources/0a1b.txt": 1, f"out.qdpx:Sources/{soren}.txt": 1}


def test_the_inputs_names_that_hold_a_form(tmp_path: Path, mapping: SurrogateMap) -> None:
    corpus = tmp_path / "corpus"
    sources = [str(corpus / "MetteHolm.txt"), str(corpus / "jobcenter" / "a.txt")]
    names = input_names([corpus], sources)
    assert {"MetteHolm.txt", "MetteHolm", "jobcenter", "a.txt", "corpus"} <= set(names)
    out = clean(tmp_path / "out")
    (out / "documents" / "MetteHolm.json").write_text("{}", encoding="utf-8")
    assert check_folder(out, mapping).leaks == []  # "Mette" is glued to "Holm": no whole word
    check = check_folder(out, mapping, names)
    assert where(check.leaks) == {(f"documents/{tag(mapping, 'Mette Holm')[0]}.json", None, True)}
    assert check_folder(clean(tmp_path / "again"), mapping, names).leaks == []  # "jobcenter" holds no form


def test_unreadable_archives_fail_the_check_and_leaks_hold_no_text(
    tmp_path: Path, mapping: SurrogateMap
) -> None:
    out = clean(tmp_path / "out")
    (out / "out.qdpx").write_bytes(b"not a zip file, says Mette")
    (out / "Mette.txt").write_text("Mette", encoding="utf-8")
    check = check_folder(out, mapping)
    assert check.unread == ["out.qdpx: BadZipFile"] and not check.ok
    assert len(check.leaks) == 2
    assert "Mette" not in json.dumps([asdict(leak) for leak in check.leaks]) + json.dumps(check.to_audit())


def test_an_empty_key_finds_nothing(tmp_path: Path) -> None:
    out = clean(tmp_path / "out")
    (out / "Mette.txt").write_text("Mette", encoding="utf-8")
    assert check_folder(out, SurrogateMap("tags")).leaks == []
