"""Deletion test on a trained classifier: removing the k tokens a method ranks highest moves the predicted
probability more than removing k random tokens.

Integrated gradients pass it. fastai's intrinsic attention (the plain gradient magnitude, checked exact against
fastai and autograd elsewhere) does not on these small classifiers: the decisive words saturate the LSTM, so the
gradient at them is small, and its ranking moves the prediction less than random deletions (measured for 15 to 80
training steps and two model sizes). The strict xfail records that finding and fails once it no longer holds."""

import random

import pytest
import torch
from synthetic_reviews import reviews

from hf_ulmfit.interpretation.attribution import attribute, class_probabilities

K = 2


def probability(model, ids: list[int], class_id: int) -> float:
    with torch.no_grad():
        return float(class_probabilities(model, model(torch.tensor([ids])).logits)[0, class_id])


def without(ids: list[int], drop: set[int]) -> list[int]:
    return [t for i, t in enumerate(ids) if i not in drop]


SATURATED = pytest.mark.xfail(strict=True, reason="gradient saliency is small at saturating words (module docstring)")


@pytest.mark.parametrize("method", [pytest.param("intrinsic_attention", marks=SATURATED), "integrated_gradients"])
def test_deleting_the_top_k_tokens_moves_the_prediction_more_than_random_ones(trained, method):
    _, model, tokenizer = trained
    texts, labels = reviews(24, seed=1)  # unseen texts
    rng = random.Random(0)
    top_changes, random_changes, correct = [], [], 0
    for text, label in zip(texts, labels, strict=True):
        ids = tokenizer(text)["input_ids"]
        attribution = attribute(model, ids, method, steps=16)
        correct += attribution.class_id == label
        p = float(attribution.probabilities[attribution.class_id])
        candidates = range(1, len(ids))  # xxbos stays: every text starts with it
        ranked = sorted(candidates, key=lambda i: -float(attribution.scores[i]))
        top_changes.append(abs(p - probability(model, without(ids, set(ranked[:K])), attribution.class_id)))
        for _ in range(5):
            drop = set(rng.sample(list(candidates), K))
            random_changes.append(abs(p - probability(model, without(ids, drop), attribution.class_id)))
    assert correct >= 22  # the classifier learned the task, so there is something to find
    mean_top, mean_random = sum(top_changes) / len(top_changes), sum(random_changes) / len(random_changes)
    assert mean_top > 2 * mean_random, (mean_top, mean_random)
