"""Embeddings written for the researcher's own analyses: vectors in input order, ids beside them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from thememine.embed.export import check_out, export_embeddings, ids_csv, ids_path
from thememine.embed.hashing import HashEmbedder
from thememine.errors import OutputError, ThememineError
from thememine.themes.model import INTERVIEWER, Unit
from thememine.themes.neutral import embedding_text


def unit(n: int, text: str, **fields: object) -> Unit:
    return Unit(f"doc01:{n}:0", "doc01", "IP", 0, len(text), text, **fields)  # type: ignore[arg-type]


UNITS = [
    unit(0, "Jeg ringede til Signe på jobcentret.", surrogates=((16, 21, "PERSON"),)),
    unit(1, "Vi holdt et netværksmøde i går.", group="psykiatri", role=INTERVIEWER),
    unit(2, "Samtykket kom først efter tre uger."),
]


@pytest.mark.parametrize(
    ("vectors", "ids"),
    [
        ("out/vectors.npy", "out/vectors.ids.csv"),
        ("out/run.v2.npy", "out/run.v2.ids.csv"),
        ("out/VEKTORER.NPY", "out/VEKTORER.NPY.ids.csv"),
    ],
)
def test_the_ids_file_sits_beside_the_vectors(vectors: str, ids: str) -> None:
    assert ids_path(Path(vectors)) == Path(ids)


def test_vectors_in_input_order_of_the_texts_themes_embed(tmp_path: Path) -> None:
    out = tmp_path / "analyse" / "vectors.npy"
    files = export_embeddings(UNITS, out, "hash", tmp_path / "cache", progress=False)
    saved = np.load(out, allow_pickle=False)
    assert saved.dtype == np.float32 and saved.shape == (3, HashEmbedder().dim)
    expected = HashEmbedder().encode([embedding_text(u) for u in UNITS])
    np.testing.assert_array_equal(saved, expected)
    # the pseudonym is embedded as its placeholder, as `thememine themes` embeds it
    assert not np.array_equal(saved[0], HashEmbedder().encode([UNITS[0].text])[0])
    rows = list(csv.DictReader(io.StringIO(files.ids.read_text(encoding="utf-8"))))
    assert [r["row"] for r in rows] == ["0", "1", "2"]
    assert [r["id"] for r in rows] == [u.id for u in UNITS]
    assert rows[1] == {
        "row": "1",
        "id": "doc01:1:0",
        "doc_id": "doc01",
        "group": "psykiatri",
        "speaker": "IP",
        "role": "interviewer",
    }
    assert files.embedder == HashEmbedder().id


def test_a_second_export_takes_every_vector_from_the_cache(tmp_path: Path) -> None:
    first = export_embeddings(UNITS, tmp_path / "a.npy", "hash", tmp_path / "cache", progress=False)
    again = export_embeddings(UNITS, tmp_path / "b.npy", "hash", tmp_path / "cache", progress=False)
    assert (first.embedded.computed, again.embedded.computed, again.embedded.cached) == (3, 0, 3)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"))


def test_ids_with_commas_quotes_and_line_breaks_stay_one_cell() -> None:
    awkward = [Unit('a;b,"c"\nd', "doc", None, 0, 1, "x"), Unit("plain", "doc", None, 0, 1, "y")]
    rows = list(csv.reader(io.StringIO(ids_csv(awkward))))
    assert [row[1] for row in rows[1:]] == ['a;b,"c"\nd', "plain"]


def test_existing_files_are_replaced_only_with_force(tmp_path: Path) -> None:
    out = tmp_path / "vectors.npy"
    export_embeddings(UNITS, out, "hash", tmp_path / "cache", progress=False)
    before = out.read_bytes()
    with pytest.raises(OutputError, match="--force"):
        export_embeddings(UNITS[:1], out, "hash", tmp_path / "cache", progress=False)
    assert out.read_bytes() == before
    out.unlink()  # the ids file alone also counts: it may be the researcher's own
    ids_path(out).write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match=r"vectors\.ids\.csv already exists"):
        check_out(out)
    export_embeddings(UNITS[:1], out, "hash", tmp_path / "cache", progress=False, force=True)
    assert np.load(out).shape[0] == 1


@pytest.mark.parametrize(
    ("name", "problem"),
    [("vectors.csv", "ending in .npy"), ("vectors", "ending in .npy"), ("folder.npy", "is a folder")],
)
def test_plain_errors_for_the_output(tmp_path: Path, name: str, problem: str) -> None:
    (tmp_path / "folder.npy").mkdir()
    with pytest.raises(OutputError, match=problem):
        export_embeddings(UNITS, tmp_path / name, "hash", tmp_path / "cache", progress=False)


def test_no_statements_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(ThememineError, match="no statements"):
        export_embeddings([], tmp_path / "v.npy", "hash", progress=False)
    assert not (tmp_path / "v.npy").exists()
