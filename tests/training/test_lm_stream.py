"""The language-model token stream: contiguous rows, every token a target once, shuffling, processes."""

from collections import Counter

import pytest
import torch
from ddp_common import lm_documents

from hf_ulmfit.training.lm_stream import STREAM_LR_SCALE, LMStreamDataset

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
