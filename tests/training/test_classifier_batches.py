"""Classifier batches: fastai's sortish order, longest first in evaluation, dynamic padding."""

import pytest
import torch

from hf_ulmfit.training.classifier_batches import ClassifierCollator, SortedSampler, SortishSampler


def test_sortish_sampler_groups_lengths_and_reshuffles():
    lengths = torch.randint(1, 200, (500,), generator=torch.Generator().manual_seed(0)).tolist()
    sampler = SortishSampler(lengths, batch_size=10, seed=0, chunk_batches=5)
    order = list(sampler)
    assert sorted(order) == list(range(500))
    assert lengths[order[0]] == max(lengths)  # the longest batch comes first
    batches = [order[i : i + 10] for i in range(0, 500, 10)]
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 40  # random batches of 10 would spread over ~160
    sampler.set_epoch(1)
    assert list(sampler) != order
    assert list(SortedSampler([3, 9, 1])) == [1, 0, 2]


@pytest.mark.parametrize(("side", "expected"), [("left", [[1, 5, 6], [7, 8, 9]]), ("right", [[5, 6, 1], [7, 8, 9]])])
def test_classifier_collator_pads_dynamically(side, expected):
    batch = ClassifierCollator(pad_token_id=1, padding_side=side)(
        [{"input_ids": [5, 6], "label": 0}, {"input_ids": [7, 8, 9], "label": 1}]
    )
    assert batch["input_ids"].tolist() == expected
    assert batch["attention_mask"].tolist() == [[int(t != 1) for t in row] for row in expected]
    assert batch["labels"].tolist() == [0, 1]


def test_sortish_sampler_drops_the_incomplete_batch_like_fastai():
    sampler = SortishSampler(list(range(1, 24)), batch_size=10)
    order = list(sampler)
    assert len(order) == len(sampler) == 20 and len(set(order)) == 20
    assert sorted(SortishSampler([3, 1, 2], batch_size=10)) == [0, 1, 2]  # no full batch: keep what there is


def test_classifier_collator_refuses_empty_documents():
    with pytest.raises(ValueError, match="empty documents"):
        ClassifierCollator(pad_token_id=1)([{"input_ids": [5]}, {"input_ids": []}])
