"""Synthetic reviews in which two words decide the label, and the tiny classifier trained on them in seconds (the
`trained` fixture in conftest.py; benchmarks/faithfulness.py trains the same one)."""

import random

import torch

from hf_ulmfit import ULMFiTConfig, ULMFiTForSequenceClassification, ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import SPECIAL_TOKENS

FILLER = "the a film movie plot actor story scene music end and was it this of".split()
DECISIVE = {0: ["awful", "dull"], 1: ["great", "superb"]}
LABELS = ["neg", "pos"]


def review(rng: random.Random, label: int, length: int = 14) -> str:
    words = [rng.choice(FILLER) for _ in range(length)]
    for word in DECISIVE[label]:
        words.insert(rng.randrange(len(words) + 1), word)
    return " ".join(words).capitalize() + "."


def reviews(n: int, seed: int) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    labels = [i % 2 for i in range(n)]
    return [review(rng, label) for label in labels], labels


def train_classifier(steps: int = 60, seed: int = 0):
    """A 2-layer classifier (embeddings 16, hidden 24) after `steps` Adam steps of 32 of 256 reviews; in eval
    mode, with its tokenizer."""
    itos = SPECIAL_TOKENS + FILLER + [w for words in DECISIVE.values() for w in words] + ["."]
    tokenizer = ULMFiTTokenizerFast.from_vocab(itos)
    config = ULMFiTConfig(vocab_size=len(itos), embedding_size=16, hidden_size=24, num_hidden_layers=2, bptt=8,
                          max_len=64, drop_mult=0.1, classifier_hidden_sizes=[16], num_labels=2,
                          id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})
    torch.manual_seed(seed)
    model = ULMFiTForSequenceClassification(config.for_classifier(drop_mult=0.1))
    texts, labels = reviews(256, seed=0)
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    targets = torch.tensor(labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for step in range(steps):
        rows = torch.randperm(len(texts), generator=torch.Generator().manual_seed(step))[:32]
        loss = model(input_ids=batch["input_ids"][rows], attention_mask=batch["attention_mask"][rows],
                     labels=targets[rows]).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval(), tokenizer
