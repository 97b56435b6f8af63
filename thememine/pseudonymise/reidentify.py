"""Re-identification: put the originals back into a pseudonymised text, with the key."""

from __future__ import annotations

import re

from thememine.pseudonymise.rewrite import _possessive_fix
from thememine.pseudonymise.surrogates import SurrogateMap


def reverse_table(mapping: SurrogateMap) -> dict[str, str]:
    """Surrogate text → original text, for every form an original was written in."""
    table: dict[str, str] = {}
    for entity in mapping.entities:
        for variant in list(entity.variants):
            surrogate = mapping.surrogate(entity.label, variant)
            table.setdefault(surrogate, variant)
    return table


def reidentify(text: str, mapping: SurrogateMap) -> tuple[str, int]:
    """The text with every surrogate replaced by its original; and how many were replaced."""
    table = reverse_table(mapping)
    if not table:
        return text, 0
    # a surrogate ending in a letter may carry a possessive ("Hannes", "Lars'"), restored grammatically
    alternatives = [re.escape(s) for s in sorted(table, key=len, reverse=True)]
    pattern = re.compile(r"(?<![\w\[])(" + "|".join(alternatives) + r")((?:s|')(?!\w))?(?!\w)")
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        surrogate, suffix = match.group(1), match.group(2) or ""
        if (
            surrogate[-1].isalnum()
            and match.group(2) is None
            and match.end() < len(text)
            and text[match.end()].isalnum()
        ):
            return match.group()
        count += 1
        original = table[surrogate]
        if suffix and surrogate[-1].isalnum():
            fixed, _ = _possessive_fix(original, suffix)
            suffix = fixed or suffix
        return original + suffix

    return pattern.sub(swap, text), count
