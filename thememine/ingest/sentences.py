"""A Danish sentence splitter for transcribed speech that keeps exact offsets.

It splits after ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets) when the next
word starts with a capital letter, a digit or an opening quote, unless the full stop closes a
known abbreviation ("bl.a.", "f.eks.", "jf.", "nr.", "kl.", "stk.", "ca." …) or a single capital
initial ("Jens K. Ravn"). A lowercase word after a full stop never starts a new sentence
("den 3. marts", "2. th."), so in doubt it splits less, never more.
"""

from __future__ import annotations

import re
from functools import cache

from thememine.data import read_lines

_BOUNDARY = re.compile(r"(?:[.!?…]+)[\"'»”’)\]]*(?=\s+(\S))")
_WORD_BEFORE = re.compile(r"([\wæøåÆØÅ.§-]+)$")


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(read_lines("abbreviations_da.txt"))


def _starts_sentence(char: str) -> bool:
    return char.isupper() or char.isdigit() or char in "\"'«»„“”‘-–§(["


def _closes_abbreviation(text: str, start: int, period_at: int) -> bool:
    match = _WORD_BEFORE.search(text, start, period_at + 1)
    if not match:
        return False
    token = match.group(1).lower()
    if token in _abbreviations():
        return True
    word = token.rstrip(".")
    # a single capital initial: "Henrik V. Jensen"
    return len(word) == 1 and text[period_at - 1].isupper()


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text[start:end]``, whitespace trimmed, nothing dropped."""
    end = len(text) if end is None else end
    spans = []
    begin = start
    while begin < end and text[begin].isspace():
        begin += 1
    for match in _BOUNDARY.finditer(text, start, end):
        if match.end() >= end:
            break
        next_char = match.group(1)
        if not _starts_sentence(next_char):
            continue
        punctuation = text[match.start() : match.end()].rstrip("\"'»”’)]")
        if punctuation == "." and _closes_abbreviation(text, begin, match.start()):
            continue
        spans.append((begin, match.end()))
        begin = match.end()
        while begin < end and text[begin].isspace():
            begin += 1
    stop = end
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    if stop > begin:
        spans.append((begin, stop))
    return spans
