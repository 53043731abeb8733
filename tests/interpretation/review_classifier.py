"""A classifier of real reviews in a few minutes on one core, for the slow deletion test: the shipped English LM's
encoder with a new head, 40 AdamW steps of 32 reviews of the examples' IMDb sample cut to their first 60 words,
in float32 so that every CPU trains the same one (about 0.66 accuracy)."""

import gzip
import json
import random
from pathlib import Path

import torch

from hf_ulmfit import ULMFiTForSequenceClassification, ULMFiTTokenizerFast

REPO = Path(__file__).resolve().parents[2]
SHIPPED_LM = REPO / "pretrained" / "awd-lstm-small-en"
WORDS = 60
LABELS = ["neg", "pos"]


def imdb_sample(split: str) -> tuple[list[str], list[int]]:
    """The `split` ("train" or "test") reviews of examples/data, cut to WORDS words, and their label ids."""
    with gzip.open(REPO / "examples" / "data" / f"imdb_{split}_sample.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [" ".join(row["text"].split()[:WORDS]) for row in rows], [LABELS.index(row["label"]) for row in rows]


def train_review_classifier(steps: int = 40, seed: int = 0):
    """The classifier in eval mode, with its tokenizer."""
    tokenizer = ULMFiTTokenizerFast.from_pretrained(SHIPPED_LM)
    torch.manual_seed(seed)
    model = ULMFiTForSequenceClassification.from_pretrained(
        SHIPPED_LM, num_labels=2, id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})
    texts, labels = imdb_sample("train")
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
    rng = random.Random(seed)
    model.train()
    for _ in range(steps):
        rows = rng.sample(range(len(texts)), 32)
        batch = tokenizer([texts[i] for i in rows], padding=True, return_tensors="pt")
        loss = model(**batch, labels=torch.tensor([labels[i] for i in rows])).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval(), tokenizer
