import json

import numpy as np
import pytest
import torch

from hf_ulmfit.training.lm_stream import LMStreamDataset
from hf_ulmfit.training.token_store import StoreAppender, TokenStore, ids_dtype, write_token_store

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


def reference_batches(docs, dataset):
    """The stream as it was built before it was read lazily: the epoch's whole stream in memory (torch's permutation
    of the documents, same seed), padded, viewed as rows, cut at the dataset's batch bounds."""
    stream = torch.tensor([t for doc in docs for t in doc])
    if dataset.shuffle:
        order = torch.randperm(len(docs), generator=torch.Generator().manual_seed(dataset.seed * 1_000_003 + dataset.epoch))
        stream = torch.tensor([t for d in order.tolist() for t in docs[d]])
    rows, length = dataset.num_rows, dataset.row_length
    padded = torch.full((rows * length + 1,), dataset.pad_token_id, dtype=torch.long)
    padded[: len(stream)] = stream
    targets = padded[1:].clone()
    targets[len(stream) - 1 :] = -100
    mine = slice(dataset.process_index * dataset.batch_size, (dataset.process_index + 1) * dataset.batch_size)
    inputs, targets = padded[:-1].view(rows, length)[mine], targets.view(rows, length)[mine]
    start = 0
    for index in range(len(dataset)):
        width = dataset[index]["input_ids"].shape[1]
        yield inputs[:, start : start + width], targets[:, start : start + width]
        start += width
    assert start == length


def random_documents(num_docs=300, seed=0):
    """Documents of 1 to 40 real tokens after xxbos: many documents per row and per batch, some of one token."""
    rng = np.random.default_rng(seed)
    return [[BOS, *rng.integers(4, 100, rng.integers(1, 41)).tolist()] for _ in range(num_docs)]


LAYOUTS = [dict(shuffle=False), dict(seed=3), dict(seed=1, variable_bptt=True),
           dict(seed=1, num_processes=2, process_index=1), dict(seed=2, num_processes=3, process_index=0),
           dict(seed=2, num_processes=3, process_index=2, variable_bptt=True)]


@pytest.mark.parametrize("docs", [DOCS, random_documents()], ids=["six", "random"])
@pytest.mark.parametrize("kwargs", LAYOUTS, ids=lambda kw: "-".join(f"{k}{v}" for k, v in kw.items()))
def test_stream_batches_from_a_store_equal_those_from_lists_and_the_materialised_stream(tmp_path, docs, kwargs):
    store = store_of(tmp_path / "s", docs, chunk=7)
    without_bos = [doc[1:] for doc in docs]  # the list path prepends xxbos itself
    size = dict(batch_size=2, bptt=3) if docs is DOCS else dict(batch_size=3, bptt=7)
    lists = LMStreamDataset(without_bos, bos_token_id=BOS, **size, **kwargs)
    mapped = LMStreamDataset(store, bos_token_id=BOS, **size, **kwargs)
    if docs is not DOCS:  # the last row is padded
        assert lists.num_rows * lists.row_length + 1 > store.num_tokens
    for epoch in range(2):
        lists.set_epoch(epoch), mapped.set_epoch(epoch)
        assert len(lists) == len(mapped)
        reference = list(reference_batches(docs, mapped))
        for a, b, (inputs, targets) in zip(lists, mapped, reference, strict=True):
            assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
            assert torch.equal(b["input_ids"], inputs) and torch.equal(b["shift_labels"], targets)


class Spy:
    """Records the positions a store was asked for, through `read` (the stream's path) or its memory map."""

    def __init__(self, store):
        self.read = set()
        read, tokens = store.read, store.tokens

        def recorded_read(positions):
            self.read.update(np.asarray(positions).tolist())
            return read(positions)

        class Tokens:
            def __len__(_):
                return len(tokens)

            def __getitem__(_, positions):
                self.read.update(np.asarray(positions).ravel().tolist())
                return tokens[positions]

        store.read, store.tokens = recorded_read, Tokens()


@pytest.mark.parametrize("rank", [0, 1])
def test_each_process_reads_only_its_own_rows_of_the_store(tmp_path, rank):
    store = store_of(tmp_path / "s", random_documents(), chunk=50)
    dataset = LMStreamDataset(store, batch_size=2, bptt=5, bos_token_id=BOS, shuffle=False, num_processes=2,
                              process_index=rank)
    spy = Spy(dataset.documents)
    [dataset[i] for i in range(len(dataset))]
    # unshuffled, the stream is the stored order: rows 2 * rank and 2 * rank + 1, and the next token (a target)
    first, last = 2 * rank * dataset.row_length, (2 * rank + 2) * dataset.row_length
    assert spy.read == set(range(first, min(last + 1, store.num_tokens)))


def test_a_store_pickles_as_its_path_and_a_stream_rebuilds_its_order(tmp_path):
    import pickle

    store = store_of(tmp_path / "s", random_documents(), chunk=50)
    dataset = LMStreamDataset(store, batch_size=2, bptt=5, bos_token_id=BOS, seed=4)
    first = dataset[3]
    blob = pickle.dumps(dataset)
    assert len(blob) < store.num_tokens  # neither the tokens nor the epoch's order travel
    again = pickle.loads(blob)
    assert isinstance(again.documents.tokens, np.memmap)
    assert all(torch.equal(first[k], again[3][k]) for k in first)


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


def test_a_writer_given_the_bos_id_checks_it_and_the_stream_then_reads_nothing_at_start_up(tmp_path):
    chunks = [(np.concatenate(DOCS), np.array([len(d) for d in DOCS]))]
    store = write_token_store(tmp_path / "s", chunks, 100, bos_token_id=BOS)
    assert store.header["bos_token_id"] == BOS
    spy = Spy(store)
    store.offsets = np.asarray(store.offsets)
    dataset = LMStreamDataset(store, batch_size=2, bptt=3, bos_token_id=BOS, shuffle=False)
    assert spy.read == set()  # nothing per document or per token before the first batch
    dataset[0]
    assert spy.read == set(range(0, 4)) | set(range(dataset.row_length, dataset.row_length + 4))
    with pytest.raises(ValueError, match=r"documents \[1\] do not start with the bos id 2"):
        write_token_store(tmp_path / "b", [(np.array([BOS, 5, 6, 7, 8]), np.array([3, 2]))], 100, bos_token_id=BOS)
    with pytest.raises(ValueError, match=r"documents \[2\] hold no token besides the bos id"):
        write_token_store(tmp_path / "c", [(np.array([BOS, 5]), [2]), (np.array([BOS, 6, BOS]), [2, 1])], 100,
                          bos_token_id=BOS)
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_an_appender_resumes_from_its_recorded_position_and_cuts_what_came_after(tmp_path):
    folder = tmp_path / "partial"
    first = StoreAppender(folder, 100, bos_token_id=BOS)
    first.append(np.concatenate(DOCS[:2]), [len(d) for d in DOCS[:2]])
    recorded = first.position()
    first.append(np.concatenate(DOCS[2:4]), [len(d) for d in DOCS[2:4]])  # written, never recorded: a kill here
    first._tokens.flush()
    again = StoreAppender(folder, 100, bos_token_id=BOS, resume_from=recorded)
    again.append(np.concatenate(DOCS[2:]), [len(d) for d in DOCS[2:]])
    again.finish(split="train")
    store = TokenStore(folder)
    assert [store.document(i).tolist() for i in range(len(store))] == DOCS
    assert not (folder / "lengths.bin").exists()
    with pytest.raises(ValueError, match="partial store is damaged"):
        StoreAppender(tmp_path / "other", 100, resume_from={"num_tokens": 5, "num_documents": 1})
