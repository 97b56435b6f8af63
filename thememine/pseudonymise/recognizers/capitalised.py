"""Capitalised words inside a sentence that nothing recognised: candidates for the review.

Danish writes common nouns in lower case, so a capitalised word mid-sentence is most often a
proper name. These candidates score low (below every default threshold): they are never replaced
on their own, but the review lists them so a researcher can catch a name the model missed.
"""

from __future__ import annotations

import re
from typing import ClassVar

from thememine.data import spacy_stop_words
from thememine.pseudonymise.detection import PERSON, Detection
from thememine.pseudonymise.ordinary import opens_sentence

_WORD = re.compile(r"(?<![\w.@/-])[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?(?![\w@])")
SCORE = 0.2


class CapitalisedRecognizer:
    name: ClassVar[str] = "capitalised"

    def analyze(self, text: str) -> list[Detection]:
        found = []
        for match in _WORD.finditer(text):
            if opens_sentence(text, match.start()) or match.group().casefold() in spacy_stop_words():
                continue
            found.append(Detection(PERSON, match.start(), match.end(), SCORE, self.name, "capitalised word"))
        return found
