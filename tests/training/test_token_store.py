import json

import numpy as np
import pytest
import torch

from hf_ulmfit.training.lm_stream import LMStreamDataset
from hf_ulmfit.training.token_store import TokenStore, ids_dtype, write_token_store

BOS = 2
DOCS = [[BOS, 5, 6, 7], [BOS, 8, 9], [BOS, 10, 11, 12, 13, 14], [BOS, 15], [BOS, 16, 17, 18, 19], [BOS, 20, 21]]


def store_of(path, docs, vocab_size=100, chunk=2):
    chunks = [(np.concatenate(docs[i : i + chunk]), np.array([len(d) for d in docs[i : i + chunk]]))
              for i in range(0, len(docs), chunk)]
    return write_token_store(path, chunks, vocab_size, split="train")


def test_round_trip_and_smallest_dtype(tmp_path):
    store = store_of(tmp_path / "s", DOCS)
    assert len(store) == len(DOCS) and store.num_tokens == sum(map(len, DOCS))
    assert [store.document(i).tolist() for i in range(len(store))] == DOCS
    assert store.tokens.dtype == np.uint16 and isinstance(store.tokens, np.memmap)
    assert ids_dtype(70_000) == np.uint32
    assert json.loads((tmp_path / "s" / "header.json").read_text())["split"] == "train"


def test_stream_batches_from_a_store_equal_those_from_lists(tmp_path):
    store = store_of(tmp_path / "s", DOCS)
    without_bos = [doc[1:] for doc in DOCS]  # the list path prepends xxbos itself
    for kwargs in (dict(shuffle=False), dict(seed=3), dict(seed=1, variable_bptt=True),
                   dict(seed=1, num_processes=2, process_index=1)):
        lists = LMStreamDataset(without_bos, batch_size=2, bptt=3, bos_token_id=BOS, **kwargs)
        mapped = LMStreamDataset(store, batch_size=2, bptt=3, bos_token_id=BOS, **kwargs)
        for epoch in range(2):
            lists.set_epoch(epoch), mapped.set_epoch(epoch)
            assert len(lists) == len(mapped)
            for a, b in zip(lists, mapped, strict=True):
                assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_store_without_bos_or_with_an_empty_document_is_refused(tmp_path):
    with pytest.raises(ValueError, match="do not start with the bos id"):
        LMStreamDataset(store_of(tmp_path / "a", [[BOS, 5, 6], [7, 8]]), batch_size=1, bptt=2, bos_token_id=BOS)
    with pytest.raises(ValueError, match="1 empty documents"):
        LMStreamDataset(store_of(tmp_path / "b", [[BOS, 5, 6], [BOS]]), batch_size=1, bptt=2, bos_token_id=BOS)


def test_bad_ids_leave_no_folder_and_damage_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"outside \[0, 10\)"):
        store_of(tmp_path / "bad", DOCS, vocab_size=10)
    assert not (tmp_path / "bad").exists()
    store_of(tmp_path / "s", DOCS)
    with open(tmp_path / "s" / "tokens.bin", "r+b") as f:
        f.truncate(6)
    with pytest.raises(ValueError, match="tokens.bin holds 6 bytes"):
        TokenStore(tmp_path / "s")
    with pytest.raises(ValueError, match="is not a token store"):
        TokenStore(tmp_path)
