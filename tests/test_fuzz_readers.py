"""Every reader of a researcher's files, fed arbitrary bytes, text and structures.

Each must give a value or a plain thememine error (:class:`InputError`, or the key's and settings'
:class:`ThememineError`), never another exception: those reach the researcher as tracebacks.
Examples are few and kept small so that the suite stays fast; a found crash is fixed in the reader
and its input kept below as an ordinary test.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thememine.errors import ThememineError
from thememine.themes.model import ThemeRun

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON-like values: what a damaged or foreign file may hold where thememine expects its own shape.
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@contextmanager
def a_file(name: str, data: bytes) -> Iterator[Path]:
    """``data`` written to a file called ``name`` in a fresh folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def plain(read: Callable[[], Any]) -> None:
    """``read()`` gives a value or a plain thememine error; anything else fails the test."""
    with contextlib.suppress(ThememineError):
        read()


# ---------------------------------------------------------------------------------------------
# Transcripts: every format of thememine.ingest.readers


def _read(name: str, data: bytes) -> None:
    from thememine.ingest import read_document

    with a_file(name, data) as path:
        plain(lambda: read_document(path))


SUFFIXES = [".txt", ".docx", ".srt", ".vtt", ".json"]


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=400))
def test_any_bytes_in_any_format(suffix: str, data: bytes) -> None:
    _read("x" + suffix, data)


TRANSCRIPT_LINES = st.sampled_from(
    [
        "I: Hvordan gik det?",
        "Jens: Det gik godt, øh, bl.a. med jobcentret.",
        "[00:01:02] Mette: Ja.",
        "Interviewer:",
        "Dato: 3. marts 2025",
        "",
        "   ",
        "\t",
        "1",
        "00:00:01,000 --> 00:00:02,500",
        "00:00:03.000 --> 00:00:01.000 align:start",
        "00:00:xx,000 --> 00:00:02,000",
        "99:99:99,999 --> 00:00:00,000",
        "WEBVTT",
        "NOTE noget",
        "<v Mette>Hej",
        "<i>kursiv</i> &amp; {\\an8}",
        "-->",
    ]
)
TRANSCRIPT = st.lists(TRANSCRIPT_LINES | st.text(max_size=30), max_size=25).map("\n".join)


@FUZZ
@given(
    suffix=st.sampled_from([".txt", ".srt", ".vtt"]),
    text=TRANSCRIPT,
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_transcript_like_text(suffix: str, text: str, encoding: str) -> None:
    _read("x" + suffix, text.encode(encoding, "replace"))


SEGMENT = st.fixed_dictionaries(
    {},
    optional={
        "text": st.text(max_size=30) | SCALARS,
        "start": SCALARS,
        "end": SCALARS,
        "speaker": JSONISH,
        "timestamp": JSONISH,
        "words": JSONISH,
    },
)
WHISPER = (
    JSONISH
    | st.lists(SEGMENT, max_size=5)
    | st.fixed_dictionaries({"segments": st.lists(SEGMENT, max_size=5)}, optional={"text": JSONISH})
    | st.fixed_dictionaries({"chunks": st.lists(SEGMENT, max_size=5) | JSONISH})
)


@FUZZ
@given(payload=WHISPER)
def test_whisper_structures(payload: Any) -> None:
    _read("x.json", json.dumps(payload).encode())


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XML_BITS = st.sampled_from(
    [
        b'<?xml version="1.0"?>',
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">',
        b"<w:body>",
        b"<w:p><w:r><w:t>Hej</w:t></w:r></w:p>",
        b"<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>",
        b"</w:body></w:document>",
        b"<Types/>",
        b"&amp;",
        b"<",
    ]
)
ZIP_MEMBERS = st.dictionaries(
    st.sampled_from(
        ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "project.qde", "sources/a.txt", "x"]
    ),
    st.lists(XML_BITS, max_size=6).map(b"".join) | st.binary(max_size=60),
    max_size=4,
)


@FUZZ
@given(members=ZIP_MEMBERS)
def test_docx_zips(members: dict[str, bytes]) -> None:
    _read("x.docx", _zip(members))


def test_a_real_docx_with_damaged_bytes(tmp_path: Path) -> None:
    from tests.conftest import make_docx

    data = make_docx(tmp_path / "ok.docx", [("I: ", "Hej."), ("Jens: ", "Hej med dig.")]).read_bytes()

    @FUZZ
    @given(at=st.integers(0, len(data) - 1), byte=st.integers(0, 255))
    def damaged(at: int, byte: int) -> None:
        _read("x.docx", data[:at] + bytes([byte]) + data[at + 1 :])

    damaged()


# ---------------------------------------------------------------------------------------------
# The key file


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


B64ISH = st.binary(max_size=20).map(_b64) | SCALARS
ENVELOPE = st.fixed_dictionaries(
    {"format": st.just("thememine-key") | SCALARS},
    optional={
        "version": SCALARS,
        "kdf": st.fixed_dictionaries(
            {},
            optional={
                "name": SCALARS,
                "n": st.sampled_from([2, 4, 16, 3, 0, -4]) | SCALARS,  # small: each try runs scrypt
                "r": st.integers(-2, 3) | SCALARS,
                "p": st.integers(-2, 3) | SCALARS,
                "salt": B64ISH,
            },
        )
        | JSONISH,
        "cipher": st.fixed_dictionaries({}, optional={"name": SCALARS, "nonce": B64ISH}) | JSONISH,
        "data": B64ISH,
    },
)


@FUZZ
@given(blob=st.binary(max_size=200) | ENVELOPE.map(lambda e: json.dumps(e).encode()))
def test_key_files(blob: bytes) -> None:
    from thememine.pseudonymise.keyfile import read_key

    with a_file("study.key", blob) as path:
        plain(lambda: read_key(path, "korrekt hest batteri"))


# ---------------------------------------------------------------------------------------------
# Codebooks, pseudonymisation settings and review decisions


@FUZZ
@given(
    suffix=st.sampled_from([".yaml", ".csv", ".qdc"]),
    data=st.binary(max_size=300)
    | JSONISH.map(lambda v: yaml.safe_dump(v).encode())
    | st.lists(st.lists(st.text(max_size=10), max_size=4).map(";".join), max_size=5).map(
        lambda rows: "\n".join(["name;description;examples", *rows]).encode()
    )
    | st.lists(
        st.sampled_from(["<CodeBook>", "<Codes>", '<Code name="a">', "</Code>", "<Code/>", '<Code name="">']),
        max_size=12,
    ).map(lambda parts: "".join(parts).encode()),
)
def test_codebooks(suffix: str, data: bytes) -> None:
    from thememine.themes.codebook import load_codebook

    with a_file("book" + suffix, data) as path:
        plain(lambda: load_codebook(path))


TOML_BITS = st.sampled_from(
    ['participants = [["Anne", "A"]]', "participants = [1]", 'allow = ["x"]', "allow = 3", "[deny]",
     'PERSON = ["a"]', "FOO = 1", "[thresholds]", "PERSON = 0.5", "PERSON = 7", "x = ", '"']
)  # fmt: skip


@FUZZ
@given(
    data=st.binary(max_size=200)
    | st.lists(TOML_BITS, max_size=6).map(lambda lines: "\n".join(lines).encode())
)
def test_pseudonymise_settings(data: bytes) -> None:
    from thememine.pseudonymise.config import load_config

    with a_file("settings.toml", data) as path:
        plain(lambda: load_config(path))


@FUZZ
@given(
    data=st.binary(max_size=200)
    | st.lists(
        st.lists(
            st.text(max_size=8) | st.sampled_from(["reject", "confirm", "add", "PERSON"]), max_size=4
        ).map(",".join),
        max_size=5,
    ).map(lambda rows: "\n".join(["text,label,decision", *rows]).encode())
)
def test_review_decisions(data: bytes) -> None:
    from thememine.pseudonymise.config import load_review_decisions

    with a_file("review.csv", data) as path:
        plain(lambda: load_review_decisions(path))


# ---------------------------------------------------------------------------------------------
# Run folders: statements, documents, the theme state, embeddings, decisions and their log


@FUZZ
@given(
    suffix=st.sampled_from([".jsonl", ".csv"]),
    data=st.binary(max_size=300)
    | st.lists(JSONISH.map(json.dumps), max_size=4).map(lambda lines: "\n".join(lines).encode()),
)
def test_statement_files(suffix: str, data: bytes) -> None:
    from thememine.themes.inputs import read_units

    with a_file("statements" + suffix, data) as path:
        plain(lambda: read_units(path))


@FUZZ
@given(corpus=st.binary(max_size=100) | JSONISH.map(lambda v: json.dumps(v).encode()), document=JSONISH)
def test_ingest_folders(corpus: bytes, document: Any) -> None:
    from thememine.ingest.store import load_documents, load_statements

    with a_file("corpus.json", corpus) as path:
        (path.parent / "documents").mkdir()
        (path.parent / "documents" / "a.json").write_text(json.dumps(document), encoding="utf-8")
        (path.parent / "statements.jsonl").write_text(json.dumps(document) + "\n", encoding="utf-8")
        plain(lambda: load_documents(path.parent))
        plain(lambda: load_statements(path.parent))


def _npy(array: Any) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


STATE = st.fixed_dictionaries(
    {"format": st.just("thememine-themes/1") | SCALARS},
    optional={
        "units": JSONISH,
        "assignment": JSONISH,
        "scores": JSONISH,
        "themes": JSONISH,
        "settings": JSONISH,
    },
)
EMBEDDINGS = (
    st.binary(max_size=200)
    | st.just(_npy(np.zeros((2, 3), dtype=np.float32)))
    | st.just(_npy(np.array(["a", "b"])))
    | st.just(_npy(np.array([np.nan])))
    | st.just(_npy(np.zeros((0,), dtype=np.float32)))
)


@FUZZ
@given(
    state=st.binary(max_size=100) | STATE.map(lambda s: json.dumps(s).encode()),
    embeddings=EMBEDDINGS,
    log=st.binary(max_size=100),
)
def test_theme_runs(state: bytes, embeddings: bytes, log: bytes) -> None:
    from thememine.runfolder import load_run, read_log

    with a_file("themes-state.json", state) as path:
        (path.parent / "embeddings.npy").write_bytes(embeddings)
        (path.parent / "decisions.log").write_bytes(log)
        plain(lambda: load_run(path.parent))
        plain(lambda: read_log(path.parent))


DECISIONS = st.fixed_dictionaries(
    {},
    optional={
        "themes": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "id": st.integers(-1, 6) | SCALARS,
                    "action": st.sampled_from(["confirm", "rename", "merge", "split", "delete", "", "x"])
                    | SCALARS,
                    "label": SCALARS,
                    "with": JSONISH,
                    "k": JSONISH,
                },
            )
            | JSONISH,
            max_size=4,
        )
        | JSONISH,
        "moves": JSONISH,
    },
)


@pytest.fixture(scope="module")
def theme_run(fitted: ThemeRun) -> ThemeRun:
    return fitted


def test_themes_yaml_decisions(theme_run: ThemeRun) -> None:
    from thememine.themes.decisions import read_decisions

    @FUZZ
    @given(
        data=st.binary(max_size=200) | DECISIONS.map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode())
    )
    def decisions(data: bytes) -> None:
        with a_file("themes.yaml", data) as path:
            plain(lambda: read_decisions(path, theme_run))

    decisions()


@FUZZ
@given(members=ZIP_MEMBERS | st.binary(max_size=100).map(lambda b: {"raw": b}))
def test_qdpx_projects(members: dict[str, bytes]) -> None:
    from thememine.exchange import read_qdpx

    data = members["raw"] if set(members) == {"raw"} else _zip(members)
    with a_file("project.qdpx", data) as path:
        plain(lambda: read_qdpx(path))
