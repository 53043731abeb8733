"""New vocabularies: fastai's vocabulary from counted tokens (in several processes), a corpus or a dataset, and
subword vocabularies."""

import pytest

from hf_ulmfit import ULMFiTTokenizerFast, train_subword_tokenizer, train_tokenizer
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import SPECIAL_TOKENS, make_vocab
from hf_ulmfit.training.vocabulary import count_tokens, extend_tokenizer, unknown_share


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


def test_unknown_share_counts_words_the_vocabulary_lacks_without_xxbos():
    counts = {"xxbos": 10, "the": 6, "film": 2, "zeugma": 2}
    assert unknown_share(counts, {"xxbos": 2, "the": 9, "film": 10}) == pytest.approx(2 / 10)
    assert unknown_share({"xxbos": 3}, {"xxbos": 2}) == 0.0


def test_extend_tokenizer_appends_frequent_new_words_and_keeps_every_old_id():
    tokenizer = train_tokenizer(["the film was good . the plot was dull ."] * 3, min_freq=1, num_proc=1,
                                show_progress=False, backwards=True)  # fmt: skip
    old = tokenizer.get_vocab()
    texts = ["the zeugma was good", "a zeugma , a zeugma", "the quokka was dull", "the quokka", "once rare"]
    counts = count_tokens(texts, tokenizer.backend_tokenizer, num_proc=1, show_progress=False)
    extended = extend_tokenizer(tokenizer, counts, min_freq=2)

    real = [t for t in tokenizer.convert_ids_to_tokens(range(len(tokenizer))) if not t.startswith("xxfake")]
    # Old ids unchanged; then the new words seen twice or more, most frequent first ("zeugma" 3, "a" and "quokka" 2,
    # ties in order of first occurrence); "once" and "rare" stay unknown.
    assert extended.convert_ids_to_tokens(range(len(real) + 3)) == [*real, "zeugma", "a", "quokka"]
    assert "once" not in extended.vocab and "rare" not in extended.vocab
    assert len(extended) % 8 == 0 and extended.backwards  # fastai's padding; the options are kept
    ids = extended("the zeugma", add_special_tokens=False)["input_ids"]
    assert extended.convert_ids_to_tokens(ids) == ["zeugma", "the"]  # backwards: read right to left
    assert unknown_share(counts, extended.vocab) < unknown_share(counts, tokenizer.vocab)
    assert len(extend_tokenizer(tokenizer, counts, min_freq=2, max_vocab=len(old) - 7)) == len(old)  # never shrinks


def test_extend_tokenizer_refuses_a_subword_vocabulary(tmp_path):
    pytest.importorskip("sentencepiece")
    subword = train_subword_tokenizer(["the film was good and the plot was dull"] * 20, vocab_size=30)
    with pytest.raises(ValueError, match="word-level"):
        extend_tokenizer(subword, {"film": 3})
