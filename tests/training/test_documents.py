"""Tokenized documents: the `input_ids` column, xxbos, and the one empty-document check."""

import pytest
from datasets import Dataset
from ddp_common import tiny_tokenizer

from hf_ulmfit.training.documents import check_not_empty, document_lengths, is_blank, tokenize_documents


def test_tokenize_documents_adds_xxbos_and_rejects_bad_input():
    tokenizer = tiny_tokenizer()
    docs = tokenize_documents(Dataset.from_dict({"text": ["w1 w2", "w3"]}), tokenizer, bos_token_id=2)
    assert docs["input_ids"] == [[2, 5, 6], [2, 7]]
    with pytest.raises(ValueError, match="no 'text' column"):
        tokenize_documents(Dataset.from_dict({"body": ["w1"]}), tokenizer)
    with pytest.raises(ValueError, match="empty"):
        tokenize_documents(Dataset.from_dict({"text": ["w1", "  "]}), tokenizer)


def test_one_empty_document_check_and_lengths():
    assert is_blank(None) and is_blank(" \n") and not is_blank("a")
    check_not_empty([3, 1], "The training dataset")
    with pytest.raises(ValueError, match=r"The training dataset has 1 empty documents \(rows \[1\]\)"):
        check_not_empty([3, 0], "The training dataset")
    assert document_lengths(Dataset.from_dict({"input_ids": [[2, 5], [2]]}), "training") == [2, 1]
    assert document_lengths([{"input_ids": [2, 5, 6]}], "training") == [3]
