"""Tokens back into the words a person reads, scores summed."""

import pytest

from hf_ulmfit import ULMFiTTokenizerFast
from hf_ulmfit.interpretation.explanations import words_of
from hf_ulmfit.interpretation.words import merge_words


def as_pairs(words):
    return [(w.text, w.score) for w in words]


def test_word_level_markers_fold_into_the_next_word():
    tokens = ["xxbos", "xxmaj", "this", "is", "xxup", "great", "xxrep", "4", "!", "xxunk", "xxwrep", "3", "no", "\n"]
    words = merge_words(tokens, [2 ** i for i in range(len(tokens))], subword=False)
    assert as_pairs(words) == [("This", 6), ("is", 8), ("GREAT", 48), ("!!!!", 448), ("xxunk", 512),
                               ("no no no", 1024 + 2048 + 4096), ("\n", 8192)]
    assert words[0].tokens == [1, 2]  # xxbos stands for no word: left out with its score


def test_sentencepiece_pieces_join_into_words():
    tokens = ["xxbos", "▁", "xxmaj", "▁th", "i", "s", "▁", "a", "▁", "xxup", "▁g", "rea", "t", "▁", "xxrep", "▁", "3",
              "▁", "!", "▁mov", "ie", "xxunk", "▁ok"]
    words = merge_words(tokens, [1.0] * len(tokens), subword=True)
    assert [w.text for w in words] == ["This", "a", "GREAT", "!!!", "movie", "xxunk", "ok"]
    assert [w.score for w in words] == [5, 2, 5, 6, 2, 1, 1]
    assert sum(len(w.tokens) for w in words) == len(tokens) - 1  # every token but xxbos belongs to a word


def test_scores_must_match_tokens():
    with pytest.raises(ValueError, match="scores"):
        merge_words(["xxbos", "a"], [1.0], subword=False)


def test_a_backward_tokenizer_is_read_in_reading_order():
    itos = ["xxunk", "xxpad", "xxbos", "xxeos", "xxfld", "xxrep", "xxwrep", "xxup", "xxmaj", "good", "film", "a"]
    forward = ULMFiTTokenizerFast.from_vocab(itos)
    backward = ULMFiTTokenizerFast.from_vocab(itos, backwards=True)
    ids = backward("Good a film")["input_ids"]
    assert ids == forward("Good a film")["input_ids"][::-1]
    scores = [float(i) for i in range(len(ids))]  # position in the backward model's order
    words = words_of(backward, ids, scores)
    assert [w.text for w in words] == ["Good", "a", "film"]
    assert [w.score for w in words] == [scores[-3] + scores[-2], scores[1], scores[0]]
    assert words[0].tokens == [len(ids) - 3, len(ids) - 2]
