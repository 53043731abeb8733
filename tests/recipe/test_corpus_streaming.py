"""`tokenize_corpus.py --streaming`: the same stores as the one-go path, the documented split rule, resumable."""

import json
import sys
from pathlib import Path

import pytest

from hf_ulmfit.recipe import corpus_streaming
from hf_ulmfit.recipe.corpus_streaming import is_validation
from hf_ulmfit.training.token_store import TokenStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path.insert(0, str(EXAMPLES))
from tokenize_corpus import main as tokenize_main  # noqa: E402

WORDS = "the a film movie plot actor story scene music end good great fine bad awful dull".split()


def texts(n, seed):
    import random

    rng = random.Random(seed)
    rows = [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 30))).capitalize() + "." for _ in range(n)]
    rows[3] = "   "  # blank texts are left out by both paths
    return rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    train, valid = root / "train.jsonl", root / "valid.jsonl"
    train.write_text("".join(json.dumps({"text": t, "id": i}) + "\n" for i, t in enumerate(texts(57, 0))))
    valid.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts(13, 1)))
    (root / "more.txt").write_text("\n".join(texts(21, 2)) + "\n")
    # a vocabulary built the one-go way; the streaming path takes a tokenizer
    tokenize_main(["--train_files", str(train), "--min_freq", "1", "--output_dir", str(root / "vocab")])
    return {"train": str(train), "valid": str(valid), "more": str(root / "more.txt"), "vocab": str(root / "vocab")}


def store_files(folder):
    files = {}
    for name in ("train", "validation"):
        header = json.loads((folder / name / "header.json").read_text())
        header.pop("streaming", None)
        files[name] = ((folder / name / "tokens.bin").read_bytes(), (folder / name / "offsets.npy").read_bytes(), header)
    return files, (folder / "tokenizer.json").read_text()


def documents(folder, name):
    store = TokenStore(folder / name)
    return [store.document(i).tolist() for i in range(len(store))]


@pytest.mark.parametrize("num_proc", [None, 2])
def test_streaming_writes_the_stores_of_the_one_go_path(corpus, tmp_path, num_proc):
    given = ["--model_name_or_path", corpus["vocab"], "--train_files", corpus["train"], corpus["more"],
             "--validation_files", corpus["valid"]]
    tokenize_main([*given, "--output_dir", str(tmp_path / "whole")])
    tokenize_main([*given, "--output_dir", str(tmp_path / "streamed"), "--streaming", "--chunk_documents", "4",
                   *(["--num_proc", str(num_proc)] if num_proc else [])])
    assert store_files(tmp_path / "streamed") == store_files(tmp_path / "whole")
    header = json.loads((tmp_path / "streamed" / "train" / "header.json").read_text())
    assert header["streaming"] == {"validation": "validation sources", "blank_texts": 3}
    assert header["bos_token_id"] == 2 and not (tmp_path / ".streamed.partial").exists()


def test_without_validation_files_every_nth_document_is_held_out(corpus, tmp_path):
    given = ["--model_name_or_path", corpus["vocab"], "--train_files", corpus["train"], corpus["more"]]
    tokenize_main([*given, "--validation_fraction", "0.1", "--output_dir", str(tmp_path / "whole")])
    tokenize_main([*given, "--validation_fraction", "0.1", "--output_dir", str(tmp_path / "streamed"),
                   "--streaming", "--chunk_documents", "6"])
    whole = documents(tmp_path / "whole", "train") + documents(tmp_path / "whole", "validation")
    # the one-go path shuffles its split (seeded); the stream's order is the files' order: the same documents
    streamed_train, streamed_valid = documents(tmp_path / "streamed", "train"), documents(tmp_path / "streamed", "validation")
    assert sorted(streamed_train + streamed_valid) == sorted(whole)
    assert len(whole) == 57 + 21 - 2 and len(streamed_valid) == 7  # documents 9, 19, ..., 69 of 76
    ordered = iter(streamed_train), iter(streamed_valid)
    in_order = [next(ordered[is_validation(i, 0.1)]) for i in range(len(whole))]
    assert sorted(in_order) == sorted(whole) and in_order[9] == streamed_valid[0] and in_order[10] == streamed_train[9]


def test_the_split_rule():
    assert [i for i in range(1000) if is_validation(i, 0.005)] == [199, 399, 599, 799, 999]
    assert [i for i in range(30) if is_validation(i, 0.1)] == [9, 19, 29]
    assert sum(is_validation(i, 0.3) for i in range(100)) == 30


def test_an_interrupted_run_continues_where_it_stopped(corpus, tmp_path, monkeypatch):
    given = ["--model_name_or_path", corpus["vocab"], "--train_files", corpus["train"], corpus["more"],
             "--validation_fraction", "0.2", "--streaming", "--chunk_documents", "5"]
    tokenize_main([*given, "--output_dir", str(tmp_path / "uninterrupted")])

    real, calls = corpus_streaming.write_progress, []

    def killed_after(n):
        def write_progress(folder, progress):
            calls.append(progress["source"])
            if len(calls) == n:  # the chunk is on disk, its record is not: as if killed right there
                raise KeyboardInterrupt
            real(folder, progress)
        return write_progress

    for n in (4, 15):  # in the first file, then in the second
        calls.clear()
        monkeypatch.setattr(corpus_streaming, "write_progress", killed_after(n))
        with pytest.raises(KeyboardInterrupt):
            tokenize_main([*given, "--output_dir", str(tmp_path / "resumed")])
        assert (tmp_path / ".resumed.partial" / "progress.json").is_file() and not (tmp_path / "resumed").exists()
    assert calls[-1] == 1  # the second kill was in the second file
    monkeypatch.setattr(corpus_streaming, "write_progress", real)
    with pytest.raises(ValueError, match="interrupted run with other arguments"):
        tokenize_main([*given, "--validation_fraction", "0.3", "--output_dir", str(tmp_path / "resumed")])
    tokenize_main([*given, "--output_dir", str(tmp_path / "resumed")])
    assert store_files(tmp_path / "resumed") == store_files(tmp_path / "uninterrupted")
    assert not (tmp_path / ".resumed.partial").exists()


def test_texts_the_tokenizer_keeps_nothing_of_are_dropped_and_counted():
    from hf_ulmfit.recipe.corpus_streaming import ChunkEncoder

    def tokenizer(texts):  # "~" stands for what a tokenizer drops entirely
        return {"input_ids": [[2, *(5 for word in text.split() if word != "~")] for text in texts]}

    flat, lengths, dropped, state = ChunkEncoder(tokenizer, 2)((["a b", " ", "~", "c"], {"at": 4}))
    assert flat.tolist() == [2, 5, 5, 2, 5] and lengths.tolist() == [3, 2] and dropped == 2 and state == {"at": 4}
