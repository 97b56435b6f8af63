"""Re-identification: put the originals back into a pseudonymised text, with the key."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from thememine.limits import load_json
from thememine.pseudonymise.detection import ORGANISATION
from thememine.pseudonymise.rewrite import _possessive_fix
from thememine.pseudonymise.surrogates import SurrogateMap


def reverse_table(mapping: SurrogateMap) -> dict[str, str]:
    """Surrogate text → original text, for every form an original was written in."""
    table: dict[str, str] = {}
    for entity in mapping.entities:
        for variant in list(entity.variants):
            surrogate = mapping.surrogate(entity.label, variant)
            table.setdefault(surrogate, variant)
            if entity.label == ORGANISATION and mapping.style == "names":
                # before workplaces had surrogates of their own, the names style gave them tags
                # ([ORGANISATION_2]): output made with an older version of the same key holds them
                table.setdefault(entity.variant_tag(variant), variant)
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


_HINT = "Give the JSON file thememine wrote, unchanged"


def reidentify_file(path: Path, text: str, mapping: SurrogateMap) -> tuple[str, int]:
    """:func:`reidentify` on a file's ``text``, read as what its name says it is.

    In JSON (``.json``) and JSON lines (``.jsonl``) a line break inside a string is written
    ``\\n``, so a surrogate right after one would look like a longer word: their strings are
    re-identified one by one and the file written again (without escaping non-ASCII letters). Any
    other file is text.
    """
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        total, lines = 0, []
        for line in text.splitlines():
            if line.strip():
                restored, count = _in_strings(load_json(line, path, _HINT), mapping)
                line = json.dumps(restored, ensure_ascii=False)
                total += count
            lines.append(line)
        return "\n".join(lines) + ("\n" if text.endswith("\n") else ""), total
    if suffix == ".json":
        restored, count = _in_strings(load_json(text, path, _HINT), mapping)
        indent = 2 if "\n " in text else None
        return json.dumps(restored, ensure_ascii=False, indent=indent) + (
            "\n" if text.endswith("\n") else ""
        ), count
    return reidentify(text, mapping)


def _in_strings(value: Any, mapping: SurrogateMap) -> tuple[Any, int]:
    """``value`` (parsed JSON) with every string in it, keys too, re-identified; and the count."""
    if isinstance(value, str):
        return reidentify(value, mapping)
    if isinstance(value, list):
        done = [_in_strings(item, mapping) for item in value]
        return [item for item, _ in done], sum(count for _, count in done)
    if isinstance(value, dict):
        out, total = {}, 0
        for key, item in value.items():
            new_key, key_count = reidentify(key, mapping)
            out[new_key], count = _in_strings(item, mapping)
            total += key_count + count
        return out, total
    return value, 0
