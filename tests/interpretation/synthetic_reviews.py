"""Synthetic reviews in which two words decide the label (the trained fixture in conftest.py learns them)."""

import random

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
