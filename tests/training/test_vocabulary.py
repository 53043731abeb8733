"""New vocabularies: fastai's vocabulary from counted tokens (in several processes), a corpus or a dataset, and
subword vocabularies."""

import pytest

from hf_ulmfit import ULMFiTTokenizerFast, train_subword_tokenizer, train_tokenizer
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import SPECIAL_TOKENS, make_vocab
from hf_ulmfit.training.vocabulary import count_tokens


def test_vocab_builder_reproduces_fastai_vocab(fastai_tokens):
    rows, itos = fastai_tokens
    counts = count_tokens([row["tokens"] for row in rows], num_proc=2, batch_size=300, show_progress=False)
    assert make_vocab(counts, min_freq=3, max_vocab=60000) == itos


def test_train_tokenizer_and_train_new_from_iterator():
    texts = ["The movie was good.", "the movie was bad!", "A movie, the end."] * 3
    tok = train_tokenizer(texts, num_proc=1, show_progress=False)
    vocab = tok.convert_ids_to_tokens(list(range(len(tok))))
    assert vocab[:9] == SPECIAL_TOKENS and len(vocab) % 8 == 0
    assert {"movie", "the", "xxmaj", "."} <= set(vocab)
    assert tok("zebra")["input_ids"] == [2, 0]  # unknown word -> xxunk
    retrained = tok.train_new_from_iterator(
        [["zebra runs", "a zebra"], ["the zebra"]], vocab_size=100, show_progress=False
    )
    assert "zebra" in retrained.get_vocab() and "movie" not in retrained.get_vocab()
    assert retrained("the zebra")["input_ids"][0] == 2


def test_vocab_from_dataset():
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": ["good film", "good"] * 4})
    tok = train_tokenizer(ds, num_proc=1, show_progress=False)
    assert tok.convert_tokens_to_ids("good") == 9  # the most frequent word comes right after the specials


@pytest.mark.parametrize("model", ["unigram", "bpe"])
def test_subword_tokenizer(tmp_path, model):
    texts = ["The movie was good, the acting was great!!!", "I didn't like the MOVIE at all."] * 20
    tok = train_subword_tokenizer(texts, vocab_size=120, model=model)
    assert tok.convert_tokens_to_ids(SPECIAL_TOKENS) == list(range(9))
    ids = tok("The movie was GREAT")["input_ids"]
    assert ids[0] == 2 and tok.decode(ids, skip_special_tokens=True) == "The movie was GREAT"
    tok.save_pretrained(tmp_path)
    assert ULMFiTTokenizerFast.from_pretrained(tmp_path)("The movie was GREAT")["input_ids"] == ids
