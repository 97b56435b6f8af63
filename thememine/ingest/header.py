"""Header lines: the document metadata at the top of a transcript, before the dialogue begins.

Three kinds of line make a header, in any order and with blank lines between them:

- a keyed line, ``Dato: 14. marts 2025`` (keys in ``header_keys_da.txt``), also several on one
  line (``Dato: 20. marts 2025. Varighed: 47 min.``) or after a title (``Interview 8 –
  sygeplejerske, Dato: 1. april 2025``);
- a title line: one that opens with a title word (``Interview 1 – sagsbehandler``, ``Samtale med
  beboer``; words in ``header_titles_da.txt``), or any short line right before a keyed line;
- a role line, ``Interviewer: NN`` or ``Moderator: Anne Holm``: a role label whose value is a short
  name, next to another header line.

The header ends at the first other line. A document that would be all header has none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from thememine.data import read_lines, spacy_stop_words
from thememine.ingest.labels import LabelCandidate, is_generic_label
from thememine.ingest.model import HeaderLine

MAX_TITLE_CHARS = 150  # a title is one short line, never a paragraph of speech
MAX_UNTITLED_CHARS = 100  # a line without a title word counts as a title only right before a key
MAX_ROLE_VALUE_CHARS = 60  # "Interviewer: NN", "Moderator: Anne Holm (AH)"
_TRAILING = " \t,;\r\n\f\v\u00a0"  # left off the end of an entry
_GREETINGS = frozenset({"tak", "hej", "velkommen", "goddag", "farvel"})
_INITIALS = re.compile(r"^(?:[A-ZÆØÅ]\.)+$")
_NAME_TOKEN = re.compile(r"^(?:[A-ZÆØÅ0-9(\[\"'«].*|og|&|/|[-–—])$")


@dataclass(frozen=True)
class Line:
    """A line of the text: ``start:end`` its content (leading timestamps left out), and the
    speaker label at its start, if one was accepted."""

    start: int
    end: int
    label: LabelCandidate | None = None


@cache
def _key_pattern() -> re.Pattern[str]:
    keys = sorted(read_lines("header_keys_da.txt"), key=len, reverse=True)
    alternatives = "|".join(re.escape(key).replace(r"\ ", r"\s+") for key in keys)
    return re.compile(rf"(?<!\w)(?P<key>{alternatives})[ \t]*:(?=\s|$)", re.IGNORECASE)


@cache
def _title_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(word) for word in read_lines("header_titles_da.txt"))
    return re.compile(rf"(?:{words})(?=[\s\d,.:;–—-]|$)", re.IGNORECASE)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return start, end


@cache
def _not_names() -> frozenset[str]:
    return spacy_stop_words() | frozenset(read_lines("fillers_da.txt")) | _GREETINGS


def _is_title(text: str, start: int, end: int, before_key: bool) -> bool:
    piece = text[start:end]
    if not piece or "?" in piece or len(piece) > MAX_TITLE_CHARS:
        return False
    if _title_pattern().match(piece):
        return True
    return before_key and len(piece) <= MAX_UNTITLED_CHARS and not piece.rstrip().endswith((".", "!", "…"))


def _keyed(text: str, start: int, end: int, first: bool) -> list[HeaderLine] | None:
    """Entries of a keyed line, a title included before its first key; ``None`` if it is not one."""
    keys = list(_key_pattern().finditer(text, start, end))
    if not keys:
        return None
    entries = []
    if keys[0].start() > start:
        title_start, title_end = _trim(text, start, keys[0].start())
        if not _is_title(text, title_start, title_end, before_key=first):
            return None
        entries.append(HeaderLine(None, title_start, title_end, title_start))
    for match, following in zip(keys, [*keys[1:], None], strict=True):
        stop = following.start() if following is not None else end
        entry_start, entry_end = _trim(text, match.start(), stop)
        value_start = match.end()
        while value_start < entry_end and text[value_start] in " \t":
            value_start += 1
        entries.append(HeaderLine(match.group("key"), entry_start, entry_end, min(value_start, entry_end)))
    return entries


def _role(text: str, line: Line) -> list[HeaderLine] | None:
    """A role line (``Interviewer: NN``): a role label and a short, name-like value."""
    label = line.label
    if label is None or not is_generic_label(label.label):
        return None
    value_start, value_end = _trim(text, label.content, line.end)
    value = text[value_start:value_end]
    if not value or len(value) > MAX_ROLE_VALUE_CHARS or value.endswith(("?", "!", "…")):
        return None
    tokens = value.replace(",", " ").split()
    if not all(_NAME_TOKEN.match(token) for token in tokens):
        return None
    if value.endswith(".") and not _INITIALS.match(tokens[-1]):
        return None  # a sentence, not a name ("Tak.")
    if any(token[0].isupper() and token.strip(".,!()").casefold() in _not_names() for token in tokens):
        return None  # "Mm", "Ja", "Velkommen" are speech
    return [HeaderLine(label.label, label.start, value_end, value_start)]


def find_header(text: str, lines: Sequence[Line]) -> tuple[int, list[HeaderLine]]:
    """How many ``lines`` from the top are header lines, and their entries (offsets into ``text``)."""
    found: list[HeaderLine] = []
    count = 0
    titles = 0
    keyed_seen = False
    filled = [i for i, line in enumerate(lines) if _trim(text, line.start, line.end)[1] > line.start]
    for n, i in enumerate(filled):
        line = lines[i]
        start, end = _trim(text, line.start, line.end)
        following = lines[filled[n + 1]] if n + 1 < len(filled) else None
        next_keyed = (
            following is not None
            and following.label is None
            and _keyed(text, following.start, following.end, first=False) is not None
        )
        entries = None
        if line.label is None:
            entries = _keyed(text, start, end, first=not found)
            if entries is not None:
                keyed_seen = True
            elif not keyed_seen and titles < 2 and _is_title(text, start, end, before_key=next_keyed):
                entries = [HeaderLine(None, start, end, start)]
                titles += 1
        elif found or next_keyed:
            entries = _role(text, line)
        if entries is None:
            break
        found.extend(entries)
        count = i + 1
    if count == 0 or len(filled) == 0 or filled[-1] < count:
        return 0, []  # no header, or nothing but header: then it is the transcript
    return count, found
