"""Surrogates made neutral for embeddings and keywords.

Themes must not depend on which fake name a key happened to draw: "Karin" and "Birte" mean the same
to a researcher, but not to an embedding model, and "vorupør" should never be a keyword. So before a
statement is embedded, every surrogate in it (known by its span, written by the pseudonymiser, or by
its tag ``[PERSON_3]``) becomes one fixed placeholder per label; before keywords are counted, it is
left out. The statement's own text, shown in quotes and exports, is untouched.
"""

from __future__ import annotations

import re

from thememine.themes.model import Unit

# One fixed word per label: neutral, and the same in every key and in both styles.
PLACEHOLDERS: dict[str, str] = {
    "PERSON": "NN",
    "LOCATION": "byen",
    "ORGANISATION": "arbejdspladsen",
    "ADDRESS": "adressen",
    "CPR": "cpr-nummeret",
    "PHONE": "telefonnummeret",
    "EMAIL": "mailadressen",
    "DATE": "datoen",
    "URL": "hjemmesiden",
    "CASE": "sagsnummeret",
}
_TAG = re.compile(r"\[(" + "|".join(PLACEHOLDERS) + r")_\d+(?:\.\d+)?\]")


def _replace(unit: Unit, placeholder: dict[str, str] | None) -> str:
    text = unit.text
    for start, end, label in sorted(unit.surrogates, reverse=True):
        if 0 <= start < end <= len(text):
            word = placeholder.get(label, "NN") if placeholder is not None else " "
            text = text[:start] + word + _ending(text[end:])
    text = _TAG_ENDING.sub(r"\1s", text)
    if placeholder is None:
        return _TAG.sub(" ", text)
    return _TAG.sub(lambda m: placeholder.get(m.group(1), "NN"), text)


_TAG_ENDING = re.compile(r"(" + _TAG.pattern + r")['’](?!\w)")


def _ending(rest: str) -> str:
    """A possessive apostrophe after a surrogate written as "s": "Lars'" and "Karins" are both "NNs"."""
    if rest[:1] in ("'", "’") and not rest[1:2].isalnum():
        return "s" + rest[1:]
    return rest


def embedding_text(unit: Unit) -> str:
    """The text to embed: every surrogate replaced by its label's placeholder ("NN" for a person)."""
    return _replace(unit, PLACEHOLDERS)


def keyword_text(unit: Unit) -> str:
    """The text to count keywords in: every surrogate left out."""
    return _replace(unit, None)
