"""Person names from the gazetteer, to lift recall beyond what the model finds.

Finds first names (also in lower case, as speech-to-text writes them: "mette"), full names
("Mette Kjærgaard Holm"), possessives ("Mettes"; "Jens'" keeps its apostrophe outside the span, and
rewriting keeps the ending grammatical), hyphenated first names ("Lise-Lotte") and names after a
title ("dr. Henrik Vestergaard"). Names that are also everyday words ("Hans", "Per", "Bo") score low
unless a full name or a title supports them.
"""

from __future__ import annotations

import re
from typing import ClassVar

from thememine.pseudonymise.detection import PERSON, Detection
from thememine.pseudonymise.gazetteer import Names, names
from thememine.pseudonymise.ordinary import Kind, opens_sentence, word_kind

_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_TITLE_ABBREVIATIONS = frozenset(["dr", "hr", "frk", "fr", "prof"])  # followed by "." or ". "
_TITLE_WORDS = frozenset(
    ["doktor", "overlæge", "læge", "fru", "professor", "pastor", "psykolog", "psykiater"]
)  # by " "


class NameGazetteerRecognizer:
    """Person names by gazetteer, with scores that reflect how sure a name alone can be."""

    name: ClassVar[str] = "names"
    label: ClassVar[str] = PERSON

    def __init__(self, gazetteer: Names | None = None) -> None:
        self.names = gazetteer or names()

    def _base(self, word: str) -> str | None:
        """The name in a word, possessive ``s`` removed ("Mettes" → "Mette"), or ``None``."""
        if self._is_name(word):
            return word
        if word.endswith("s") and len(word) > 3 and self._is_name(word[:-1]):
            return word[:-1]
        return None

    def _is_name(self, word: str) -> bool:
        parts = word.split("-")
        if len(parts) > 1:
            return all(self.names.is_first(part) for part in parts)
        return self.names.is_name(word)

    def _is_first(self, word: str) -> bool:
        return all(self.names.is_first(part) for part in word.split("-"))

    def analyze(self, text: str) -> list[Detection]:
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        detections: list[Detection] = []
        i = 0
        while i < len(tokens):
            start, _, word = tokens[i]
            base = self._base(word)
            titled = i > 0 and self._titled(text, tokens[i - 1], start)
            if base is None and not (titled and word[0].isupper()):
                i += 1
                continue
            capital = word[0].isupper()
            # a capitalised run: "Mette Kjærgaard Holm", "Henrik Vestergaard"
            j = i
            if capital:
                while j + 1 < len(tokens):
                    nxt_start, _, nxt = tokens[j + 1]
                    gap = text[tokens[j][1] : nxt_start]
                    if (
                        gap != " "
                        or not nxt[0].isupper()
                        or not (self._base(nxt) or self._plausible_surname(nxt))
                    ):
                        break
                    j += 1
            span_end = tokens[j][1]
            if j == i and base is not None and base != word:
                span_end = start + len(base)  # the possessive "s" stays outside
            elif j > i and self._base(tokens[j][2]) not in (None, tokens[j][2]):
                span_end = tokens[j][1] - 1
            score, why = self._score(text, start, word, base, titled, j - i + 1)
            if score > 0:
                detections.append(Detection(PERSON, start, span_end, score, self.name, why))
            i = j + 1
        return detections

    @staticmethod
    def _titled(text: str, previous: tuple[int, int, str], start: int) -> bool:
        """A title just before the name: "dr. Henrik", "overlæge Henrik" (not "læge. Og")."""
        title = previous[2].lower()
        gap = text[previous[1] : start]
        if title in _TITLE_ABBREVIATIONS:
            return gap in (". ", ".", " ")
        return title in _TITLE_WORDS and gap == " "

    def _plausible_surname(self, word: str) -> bool:
        """An unknown capitalised word after a first name that looks like a surname."""
        return len(word) > 2 and not self.names.is_ambiguous(word) and word[1:].islower()

    def _score(
        self, text: str, start: int, word: str, base: str | None, titled: bool, length: int
    ) -> tuple[float, str]:
        initial = opens_sentence(text, start)
        ambiguous = base is not None and self.names.is_ambiguous(base)
        first = base is not None and self._is_first(base)
        if titled:
            return 0.9, "name after a title"
        if length == 1 and word_kind(word) is Kind.FUNCTION:
            # "De", "Dem", "Deres": the polite pronoun is written with a capital inside a sentence,
            # so the rare first name "De" would be a candidate wherever someone is addressed
            # politely (hundreds of times in one interview), and replaced everywhere under a
            # lower threshold. A function word alone is never taken for a name.
            return 0.0, ""
        if length >= 2 and first:
            return (0.75 if ambiguous else 0.9), "full name from the gazetteer"
        if length >= 2:
            return 0.6, "run of capitalised names"
        if not word[0].isupper():
            if first and not ambiguous and word.islower():
                return 0.55, "lower-case first name (speech-to-text)"
            return 0.0, ""
        if first:
            if ambiguous:
                return (0.2 if initial else 0.45), "first name that is also a word"
            return (0.65 if initial else 0.75), "first name from the gazetteer"
        if ambiguous:
            return (0.15 if initial else 0.3), "last name that is also a word"
        return (0.45 if initial else 0.55), "last name from the gazetteer"
