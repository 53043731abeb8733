"""Scores by problem type, length-sorted batches under a token budget, truncation, blank texts."""

from types import SimpleNamespace

import pytest
import torch

from hf_ulmfit.scoring import TextTooLong, classify_ids, encode, length_batches, place, problem_type, results, scores


def config(num_labels: int, kind: str | None):
    return SimpleNamespace(num_labels=num_labels, problem_type=kind, id2label={i: f"L{i}" for i in range(num_labels)})


def test_scores_by_problem_type():
    logits = torch.tensor([[2.0, 0.0, -1.0]])
    assert torch.allclose(scores(logits, config(3, "single_label_classification")), logits.softmax(-1))
    assert torch.allclose(scores(logits, config(3, None)), logits.softmax(-1))
    assert torch.allclose(scores(logits, config(3, "multi_label_classification")), logits.sigmoid())
    assert torch.equal(scores(logits[:, :1], config(1, None)), logits[:, :1])  # transformers' rule: 1 label regresses
    assert problem_type(config(1, None)) == "regression"


def test_results_by_problem_type():
    multi = results(torch.tensor([[0.9, 0.2, 0.6], [0.1, 0.2, 0.3]]), config(3, "multi_label_classification"), 0.5)
    assert multi[0] == {"label": "L0", "labels": ["L0", "L2"], "scores": pytest.approx({"L0": 0.9, "L1": 0.2, "L2": 0.6})}
    assert multi[1]["label"] is None and multi[1]["labels"] == []
    single = results(torch.tensor([[0.3, 0.7]]), config(2, "single_label_classification"))
    assert single[0]["label"] == "L1" and single[0]["labels"] == ["L1"]
    regression = results(torch.tensor([[3.5]]), config(1, "regression"))
    assert regression == [{"label": None, "labels": [], "scores": {"L0": 3.5}}]


def test_length_batches_are_sorted_and_bounded():
    lengths = [5, 1, 9, 3, 3, 20, 2]
    batches = length_batches(lengths, max_batch_tokens=10)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths)
    assert all(len(b) * max(lengths[i] for i in b) <= 10 or len(b) == 1 for b in batches)
    assert [len(b) for b in length_batches([1] * 7, max_batch_tokens=100, max_batch_size=3)] == [3, 3, 1]
    assert [len(b) for b in length_batches([50] * 5, max_batch_tokens=None, max_batch_size=4)] == [4, 1]


def test_classify_ids_keeps_input_order():
    tokenizer = SimpleNamespace(pad=lambda batch, return_tensors: _pad(batch["input_ids"]))
    seen = []

    def forward(input_ids, attention_mask):  # logit = the row's length, so order is visible
        seen.append(input_ids.shape)
        return attention_mask.sum(1, keepdim=True).float()

    out = classify_ids(forward, tokenizer, [[1] * 4, [1], [1] * 2], config(1, "regression"), max_batch_tokens=4)
    assert out.flatten().tolist() == [4.0, 1.0, 2.0]
    assert seen == [torch.Size([2, 2]), torch.Size([1, 4])]  # sorted by length, each within 4 padded tokens


def _pad(rows):
    longest = max(map(len, rows))
    ids = torch.tensor([r + [0] * (longest - len(r)) for r in rows])
    return {"input_ids": ids, "attention_mask": (torch.arange(longest) < torch.tensor([[len(r)] for r in rows])).long()}


def test_encode_cuts_refuses_or_keeps_long_texts(tiny_tokenizer):
    long = " ".join(["good", "bad"] * 10)  # xxbos + 20 tokens
    assert [len(r) for r in encode(tiny_tokenizer, ["good", long], max_length=8)] == [2, 8]
    with pytest.raises(TextTooLong, match="Text 1 has 21 tokens, more than the limit of 8"):
        encode(tiny_tokenizer, ["good", long], "refuse", max_length=8)
    assert [len(r) for r in encode(tiny_tokenizer, ["good", long], "keep", max_length=8)] == [2, 21]
    assert encode(tiny_tokenizer, []) == []


def test_place_fills_blanks_with_empty_results():
    assert place([{"label": "a"}], [1], 3) == [{"label": None, "labels": [], "scores": {}}, {"label": "a"},
                                                {"label": None, "labels": [], "scores": {}}]  # fmt: skip


@pytest.fixture
def tiny_tokenizer():
    from hf_ulmfit import ULMFiTTokenizerFast
    from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab

    return ULMFiTTokenizerFast.from_vocab(make_vocab({"good": 5, "bad": 5}))
