"""Re-identification: put the originals back into a pseudonymised text, with the key."""

from __future__ import annotations

import re

from thememine.pseudonymise.detection import PERSON
from thememine.pseudonymise.surrogates import SurrogateMap


def reverse_table(mapping: SurrogateMap) -> dict[str, str]:
    """Surrogate text → original text, for every form an original was written in."""
    table: dict[str, str] = {}
    for entity in mapping.entities:
        for variant in entity.variants:
            surrogate = mapping.surrogate(entity.label, variant)
            table.setdefault(surrogate, variant)
        if entity.label == PERSON and mapping.style == "tags":
            table[entity.tag] = entity.canonical
    return table


def reidentify(text: str, mapping: SurrogateMap) -> tuple[str, int]:
    """The text with every surrogate replaced by its original; and how many were replaced."""
    table = reverse_table(mapping)
    if not table:
        return text, 0
    # a surrogate ending in a letter may carry a possessive ("Hannes"); a tag may be followed by anything
    alternatives = [
        re.escape(s) + (r"(?=(?:s|')?(?!\w))" if s[-1].isalnum() else "")
        for s in sorted(table, key=len, reverse=True)
    ]
    pattern = re.compile(r"(?<![\w\[])(?:" + "|".join(alternatives) + ")")
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return table[match.group()]

    return pattern.sub(swap, text), count
