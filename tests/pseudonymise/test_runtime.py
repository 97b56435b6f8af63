"""The encoder at run time: ONNX Runtime graphs exported from the transformers models, and cached."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from transformers import BertForTokenClassification, BertModel

from thememine.errors import ThememineError
from thememine.pseudonymise.e5ner.data import LABELS
from thememine.pseudonymise.e5ner.model import FromEmbeddings, Q4Embedding, TorchEncoder, bert_config
from thememine.pseudonymise.e5ner.runtime import (
    GRAPH_FOLDER,
    OnnxEncoder,
    cached_graph,
    embed_rows,
    export_graph,
    pack_4bit,
    pad_ids,
)
from thememine.pseudonymise.e5ner.tagger import default_model_dir
from thememine.pseudonymise.e5ner.weights import E5Config, Q4Matrix

SHAPE = E5Config(hidden=32, layers=2, heads=4, ffn=64, vocab=40, max_positions=64)
SHIPPED = (default_model_dir() / "model.safetensors").is_file()


def _words(rows: int = SHAPE.vocab, columns: int = SHAPE.hidden, seed: int = 0) -> Q4Matrix:
    """A random 4-bit table of ``rows`` word embeddings (Q4_0 blocks of 32)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (rows * columns // 32, 18), dtype=np.uint8)
    scales = rng.uniform(0.01, 0.1, len(blocks)).astype(np.float16)
    blocks[:, :2] = np.frombuffer(scales.tobytes(), np.uint8).reshape(-1, 2)
    return Q4Matrix(blocks.tobytes(), rows, columns)


def _tiny(kind: str, words: Q4Matrix) -> torch.nn.Module:
    """A small random BERT (``mean``: the encoder, ``logits``: a tagger) with ``words`` 4-bit."""
    torch.manual_seed(0)
    config = bert_config(SHAPE, LABELS if kind == "logits" else None)
    model = (
        BertForTokenClassification(config) if kind == "logits" else BertModel(config, add_pooling_layer=False)
    )
    model.set_input_embeddings(Q4Embedding(words))
    torch.nn.Module.eval(model)
    return FromEmbeddings(model, kind)


def _batch(lengths: list[int], seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return pad_ids([rng.integers(4, SHAPE.vocab, n).tolist() for n in lengths], pad=1, bos=0, eos=2)


@pytest.mark.parametrize("kind", ["mean", "logits"])
def test_the_graph_computes_what_pytorch_computes_at_any_batch_and_length(tmp_path: Path, kind: str) -> None:
    words = _words()
    module = _tiny(kind, words)
    probe, _ = _batch([5])
    graph = tmp_path / "tiny.onnx"
    graph.write_bytes(export_graph(module, probe, words))
    onnx, reference = OnnxEncoder(graph, words), TorchEncoder(module.model, kind)
    for lengths in ([3], [7, 2, 12], [30] * 4):
        ids, mask = _batch(lengths, seed=len(lengths))
        got, expected = onnx(ids, mask, threads=1), reference(ids, mask)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-5)


def _with_4bit_layers(module: torch.nn.Module, seed: int = 2) -> list[Q4Matrix]:
    """Give each of ``module``'s encoder layers 4-bit weights (Q4_0-exact); returns the matrices."""
    matrices = []
    linears = [
        m for name, m in module.named_modules() if ".encoder." in name and isinstance(m, torch.nn.Linear)
    ]
    for offset, linear in enumerate(linears):
        rows, columns = linear.weight.shape
        matrix = _words(rows, columns, seed=seed + offset)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(matrix.dequantised()))
        matrices.append(matrix)
    return matrices


def test_packed_blocks_are_the_weights_in_matmulnbits_order() -> None:
    matrix = _words(3, 64)
    blocks, scales = matrix.packed()
    assert blocks.shape == (3, 2, 16) and scales.shape == (6,)
    # MatMulNBits: byte j of a block holds weight 2j (low nibble) and 2j + 1 (high); zero point 8
    weights = np.stack([blocks & 0x0F, blocks >> 4], axis=3).reshape(3, 2, 32).astype(np.float32) - 8
    np.testing.assert_array_equal((weights * scales.reshape(3, 2, 1)).reshape(3, 64), matrix.dequantised())


@pytest.mark.parametrize("kind", ["mean", "logits"])
def test_a_graph_with_4bit_layers_computes_what_pytorch_computes(tmp_path: Path, kind: str) -> None:
    words = _words()
    module = _tiny(kind, words)
    matrices = _with_4bit_layers(module)
    probe, _ = _batch([5])
    graph = tmp_path / "packed.onnx"
    graph.write_bytes(export_graph(module, probe, words, packed=matrices))
    ops = [node.op_type for node in onnx.load(str(graph)).graph.node]
    assert ops.count("MatMulNBits") == len(matrices) == SHAPE.layers * 6
    encoder, reference = OnnxEncoder(graph, words), TorchEncoder(module.model, kind)
    for lengths in ([3], [7, 2, 12]):
        ids, mask = _batch(lengths, seed=len(lengths))
        np.testing.assert_allclose(encoder(ids, mask, threads=1), reference(ids, mask), atol=1e-5)


def test_only_weights_that_are_exactly_a_4bit_matrix_are_packed(tmp_path: Path) -> None:
    words = _words()
    module = _tiny("mean", words)
    matrices = _with_4bit_layers(module)
    probe, _ = _batch([5])
    plain = export_graph(module, probe, words)
    # one matrix changed by a rounding step (a fine-tuned weight): its MatMul stays float32
    changed = _words(*matrices[0].shape, seed=99)
    packed = onnx.load_from_string(pack_4bit(plain, [changed, *matrices[1:]]))
    ops = [node.op_type for node in packed.graph.node]
    assert ops.count("MatMulNBits") == len(matrices) - 1
    assert onnx.load_from_string(pack_4bit(plain, [])).graph.node == onnx.load_from_string(plain).graph.node


def test_rows_are_dequantised_as_the_torch_embedding_does() -> None:
    words = _words()
    ids = np.array([[0, 5, 5, 39], [7, 0, 1, 1]])
    np.testing.assert_array_equal(embed_rows(words, ids), Q4Embedding(words)(torch.from_numpy(ids)).numpy())


def test_a_graph_is_exported_once_and_kept_under_its_weights_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_CACHE_DIR", str(tmp_path))
    words = _words()
    builds: list[str] = []

    def build() -> torch.nn.Module:
        builds.append("built")
        return _tiny("mean", words)

    probe, _ = _batch([4])
    first = cached_graph("tiny", "weights-a", build, probe, words)
    again = cached_graph("tiny", "weights-a", build, probe, words)
    other = cached_graph("tiny", "weights-b", build, probe, words)
    assert first == again != other and len(builds) == 2
    assert first.parent == tmp_path / GRAPH_FOLDER and first.is_file() and other.is_file()
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_cache_that_cannot_be_written_still_gives_a_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("THEMEMINE_CACHE_DIR", str(blocked))
    words = _words()
    probe, _ = _batch([4])
    graph = cached_graph("tiny", "weights", lambda: _tiny("mean", words), probe, words)
    assert graph.is_file() and not graph.is_relative_to(blocked)
    ids, mask = _batch([3, 6])
    assert OnnxEncoder(graph, words)(ids, mask).shape == (2, SHAPE.hidden)


def test_a_damaged_graph_says_how_to_recover(tmp_path: Path) -> None:
    graph = tmp_path / "damaged.onnx"
    graph.write_bytes(b"not a graph")
    ids, mask = _batch([3])
    with pytest.raises(ThememineError, match="Delete the file"):
        OnnxEncoder(graph, _words())(ids, mask)


LOADS_LIGHT = """
import sys
from thememine.pseudonymise.e5ner import load_e5_tagger
from thememine.embed import load_embedder
(found,) = load_e5_tagger().tag(["Jeg hedder Mette Hansen og bor i Aarhus."])
assert {e.label for e in found} == {"PER", "LOC"}, found
assert load_embedder("e5").encode(["en sætning"]).shape == (1, 384)
print(" ".join(sorted(m for m in ("torch", "transformers") if m in sys.modules)))
"""


@pytest.mark.slow
@pytest.mark.skipif(not SHIPPED, reason="the shipped NER model is not in the package")
def test_once_the_graphs_are_cached_neither_torch_nor_transformers_is_imported() -> None:
    from thememine.embed import load_embedder
    from thememine.pseudonymise.e5ner import load_e5_tagger

    load_e5_tagger(), load_embedder("e5")  # export the graphs into this session's cache
    done = subprocess.run([sys.executable, "-c", LOADS_LIGHT], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
