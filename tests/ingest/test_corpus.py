"""A corpus: folders, file lists, ids, groups, and bad files that are skipped with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_docx
from thememine.errors import InputError
from thememine.ingest import document_id, read_corpus, read_document


def write(path: Path, text: str = "I: Hej.\nJens: Hej med dig.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folder_is_read_recursively_with_groups_and_stable_ids(tmp_path: Path) -> None:
    write(tmp_path / "jobcenter" / "01 Jens.txt")
    write(tmp_path / "psykiatri" / "sub" / "02.txt")
    write(tmp_path / "03.txt")
    write(tmp_path / "README.md", "# not a transcript")
    write(tmp_path / ".hidden.txt")
    write(tmp_path / "jobcenter" / "~$01 Jens.docx", "lock file")
    corpus = read_corpus([tmp_path])
    assert corpus.skipped == []
    assert [(d.id, d.group) for d in corpus.documents] == [
        ("03", None),
        ("jobcenter__01_Jens", "jobcenter"),
        ("psykiatri__sub__02", "psykiatri"),
    ]
    assert len(corpus.ignored) == 3
    again = read_corpus([tmp_path])
    assert [d.id for d in again.documents] == [d.id for d in corpus.documents]
    assert [d.sha256 for d in again.documents] == [d.sha256 for d in corpus.documents]


def test_same_stem_in_two_formats_gets_two_ids(tmp_path: Path) -> None:
    write(tmp_path / "a.txt")
    write(tmp_path / "a.srt", "1\n00:00:01,000 --> 00:00:02,000\nHej.\n")
    ids = [d.id for d in read_corpus([tmp_path]).documents]
    assert ids == ["a", "a_txt"]


def test_list_of_files_relative_to_their_common_folder(tmp_path: Path) -> None:
    a = write(tmp_path / "jobcenter" / "a.txt")
    b = write(tmp_path / "psykiatri" / "b.txt")
    corpus = read_corpus([a, b])
    assert [(d.id, d.group) for d in corpus.documents] == [
        ("jobcenter__a", "jobcenter"),
        ("psykiatri__b", "psykiatri"),
    ]


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("a.txt", "a"),
        ("jobcenter/Interview 1 (final).docx", "jobcenter__Interview_1_final"),
        ("ø/æ å.txt", "ø__æ_å"),
    ],
)
def test_document_id(relative: str, expected: str) -> None:
    assert document_id(Path(relative)) == expected


def test_bad_files_are_skipped_and_the_good_one_read(tmp_path: Path) -> None:
    write(tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03PNG\x00\xff" * 50)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "weird.xyz").write_bytes(b"hello")
    (tmp_path / "latin.txt").write_bytes(b"I: \x81\x8d\x90 hm\n")
    corpus = read_corpus([tmp_path, tmp_path / "missing.txt"])
    assert [d.id for d in corpus.documents] == ["good"]
    reasons = {Path(s.path).name: s.reason for s in corpus.skipped}
    assert set(reasons) == {
        "empty.txt",
        "binary.txt",
        "broken.docx",
        "notes.pdf",
        "weird.xyz",
        "latin.txt",
        "missing.txt",
    }
    assert "is empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "not a readable Word document" in reasons["broken.docx"]
    assert "export the transcript as .docx or .txt" in reasons["notes.pdf"]
    assert "unknown file type (.xyz)" in reasons["weird.xyz"]
    assert "cannot be decoded" in reasons["latin.txt"]
    assert "does not exist" in reasons["missing.txt"]


def test_docx_with_only_whitespace_is_empty(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "blank.docx", [("", "   "), ("", "")])
    with pytest.raises(InputError, match="contains no text"):
        read_document(path)


def test_reading_never_changes_the_input(tmp_path: Path) -> None:
    source = write(tmp_path / "in" / "a.txt")
    before = {p: p.read_bytes() for p in (tmp_path / "in").rglob("*")}
    read_corpus([tmp_path / "in"])
    assert {p: p.read_bytes() for p in (tmp_path / "in").rglob("*")} == before
    assert source.exists()


def test_a_reader_crash_skips_only_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from thememine.ingest import readers

    def broken(path: Path, data: bytes) -> object:
        raise RuntimeError("secret transcript text must not be shown")

    monkeypatch.setitem(readers.READERS, ".srt", ("srt", broken))
    write(tmp_path / "a.txt")
    write(tmp_path / "b.srt", "1\n00:00:01,000 --> 00:00:02,000\nHej.\n")
    corpus = read_corpus([tmp_path])
    assert [d.id for d in corpus.documents] == ["a"]
    assert len(corpus.skipped) == 1
    assert "unexpected RuntimeError" in corpus.skipped[0].reason
    assert "secret" not in corpus.skipped[0].reason


def test_links_to_folders_and_broken_links_are_listed_as_skipped(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "01.txt")
    write(tmp_path / "elsewhere" / "02.txt")
    (root / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (root / "gone.txt").symlink_to(tmp_path / "nothing.txt")
    corpus = read_corpus([root])
    assert [d.id for d in corpus.documents] == ["01"]
    reasons = {Path(s.path).name: s.reason for s in corpus.skipped}
    assert reasons.keys() == {"linked", "gone.txt"}
    assert "link to a folder" in reasons["linked"] and "Copy the folder" in reasons["linked"]
    assert "leads nowhere" in reasons["gone.txt"]


def test_a_linked_file_is_still_read(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(tmp_path / "elsewhere" / "02.txt")
    root.mkdir()
    (root / "02.txt").symlink_to(tmp_path / "elsewhere" / "02.txt")
    corpus = read_corpus([root])
    assert [d.id for d in corpus.documents] == ["02"] and corpus.skipped == []
