from collections import Counter

import pytest
import torch
from datasets import Dataset
from ddp_common import lm_documents, tiny_tokenizer

from hf_ulmfit.data import (
    STREAM_LR_SCALE,
    ClassifierCollator,
    LMStreamDataset,
    SortedSampler,
    SortishSampler,
    tokenize_documents,
)

DOCS = lm_documents(num_docs=17)["input_ids"]


def _rows(dataset):
    """Each row's inputs and targets over the epoch, concatenated batch after batch."""
    batches = [dataset[i] for i in range(len(dataset))]
    inputs = torch.cat([b["input_ids"] for b in batches], dim=1)
    targets = torch.cat([b["shift_labels"] for b in batches], dim=1)
    return inputs, targets


def _stream(docs, order):
    return torch.tensor([t for d in order for t in docs[d]])


def test_stream_rows_are_contiguous_and_every_token_is_a_target_once():
    dataset = LMStreamDataset(DOCS, batch_size=3, bptt=5, bos_token_id=2, shuffle=False)
    stream = _stream(DOCS, range(len(DOCS)))
    inputs, targets = _rows(dataset)
    assert inputs.shape == (3, dataset.row_length)
    # Row j continues where row j - 1 ends: the rows read back to back are the stream.
    flat_inputs, flat_targets = inputs.flatten(), targets.flatten()
    real = flat_targets != -100
    assert torch.equal(flat_inputs[: len(stream) - 1], stream[:-1])
    assert torch.equal(flat_targets[real], stream[1:])
    assert int(real.sum()) == len(stream) - 1
    # Batches are bptt wide but the last.
    assert [dataset[i]["input_ids"].shape[1] for i in range(len(dataset))][:-1] == [5] * (len(dataset) - 1)


def test_stream_order_is_shuffled_per_epoch_and_the_same_on_every_process():
    dataset = LMStreamDataset(DOCS, batch_size=2, bptt=4, seed=3)
    first = dataset.stream()
    dataset.set_epoch(1)
    second = dataset.stream()
    assert not torch.equal(first, second)
    assert Counter(first.tolist()) == Counter(second.tolist()) == Counter(_stream(DOCS, range(len(DOCS))).tolist())
    # Documents stay whole, each starting with xxbos.
    starts = (second == 2).nonzero().flatten().tolist() + [len(second)]
    pieces = sorted(second[a:b].tolist() for a, b in zip(starts, starts[1:], strict=False))
    assert pieces == sorted(list(d) for d in DOCS)
    again = LMStreamDataset(DOCS, batch_size=2, bptt=4, seed=3)
    again.set_epoch(1)
    assert torch.equal(again.stream(), second)


@pytest.mark.parametrize("num_processes", [2, 3])
def test_each_process_reads_its_own_rows_of_the_global_stream(num_processes):
    whole = LMStreamDataset(DOCS, batch_size=2 * num_processes, bptt=4, seed=1)
    global_inputs, global_targets = _rows(whole)
    for rank in range(num_processes):
        part = LMStreamDataset(DOCS, batch_size=2, bptt=4, seed=1, num_processes=num_processes, process_index=rank)
        assert len(part) == len(whole)
        inputs, targets = _rows(part)
        assert torch.equal(inputs, global_inputs[2 * rank : 2 * rank + 2])
        assert torch.equal(targets, global_targets[2 * rank : 2 * rank + 2])


def test_variable_bptt_covers_each_row_exactly_with_a_fixed_number_of_batches():
    dataset = LMStreamDataset(DOCS, batch_size=2, bptt=8, variable_bptt=True, shuffle=False)
    fixed = LMStreamDataset(DOCS, batch_size=2, bptt=8, shuffle=False)
    assert len(dataset) == len(fixed)
    lengths = [dataset[i]["input_ids"].shape[1] for i in range(len(dataset))]
    assert sum(lengths) == dataset.row_length and min(lengths) >= 1 and len(set(lengths)) > 1
    assert [float(dataset[i][STREAM_LR_SCALE]) for i in range(len(dataset))] == pytest.approx([n / 8 for n in lengths])
    assert torch.equal(_rows(dataset)[0], _rows(fixed)[0])


def test_stream_bad_input():
    with pytest.raises(ValueError, match="shorter than one batch"):
        LMStreamDataset([[2, 5, 6, 7]], batch_size=2, bptt=4)
    with pytest.raises(ValueError, match="hold no token"):
        LMStreamDataset([[2, 5, 6], [2], []], batch_size=1, bptt=1, bos_token_id=2)


def test_tokenize_documents_adds_xxbos_and_rejects_bad_input():
    tokenizer = tiny_tokenizer()
    docs = tokenize_documents(Dataset.from_dict({"text": ["w1 w2", "w3"]}), tokenizer, bos_token_id=2)
    assert docs["input_ids"] == [[2, 5, 6], [2, 7]]
    with pytest.raises(ValueError, match="no 'text' column"):
        tokenize_documents(Dataset.from_dict({"body": ["w1"]}), tokenizer)
    with pytest.raises(ValueError, match="empty"):
        tokenize_documents(Dataset.from_dict({"text": ["w1", "  "]}), tokenizer)


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
