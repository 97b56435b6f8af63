"""Choose a named-entity tagger from an option value (``--ner``).

The one module that knows every kind of tagger, as :mod:`thememine.embed.load` is for embedders:
the taggers import :mod:`.ner` for its records, and nothing they import comes back here.
"""

from __future__ import annotations

from pathlib import Path

from thememine.errors import ThememineError
from thememine.pseudonymise.ner import SpacyTagger, Tagger


def load_tagger(spec: str) -> Tagger | None:
    """A tagger from an option value: ``e5`` (the shipped Danish model, installed with the package,
    or ``e5:FOLDER``), ``spacy:FOLDER`` or ``dacy:FOLDER`` (a pipeline on disk), or ``none``.
    """
    kind, _, rest = spec.partition(":")
    if kind == "none":
        return None
    if kind == "e5":
        from thememine.pseudonymise.e5ner import load_e5_tagger

        return load_e5_tagger(Path(rest) if rest else None)
    if kind in ("spacy", "dacy") and rest:
        return SpacyTagger(Path(rest))
    raise ThememineError(
        f"Unknown NER model {spec!r}. Use 'e5' (the shipped model), 'spacy:FOLDER' or 'dacy:FOLDER' "
        "for a pipeline on disk, or 'none'."
    )
