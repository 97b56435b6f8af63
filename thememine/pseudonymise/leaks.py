"""The leak check: after rewriting, no original form may be left in the output.

Every original surface form in the key (and its possessive) is searched for, case-insensitively
and as a whole word, in every rewritten text. Hits are reported by label, document and offset,
never by the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from thememine.pseudonymise.surrogates import SurrogateMap

MIN_LENGTH = 2  # one-letter "names" would hit every "I" of the text


@dataclass(frozen=True)
class Leak:
    label: str
    entity: int
    doc_id: str
    start: int
    end: int


def find_leaks(mapping: SurrogateMap, texts: Mapping[str, str]) -> list[Leak]:
    """Every place in ``texts`` (doc id → rewritten text) where an original form still stands."""
    leaks = []
    for entity in mapping.entities:
        forms = sorted({v for v in entity.variants if len(v) >= MIN_LENGTH}, key=len, reverse=True)
        if not forms:
            continue
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?:s|'s|')?(?!\w)", re.IGNORECASE
        )
        for doc_id, text in texts.items():
            for match in pattern.finditer(text):
                leaks.append(Leak(entity.label, entity.id, doc_id, match.start(), match.end()))
    return sorted(leaks, key=lambda leak: (leak.doc_id, leak.start))


def leak_counts(leaks: Iterable[Leak]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for leak in leaks:
        counts[leak.label] = counts.get(leak.label, 0) + 1
    return counts
