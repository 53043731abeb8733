"""The baselines of the quality reports: TF-IDF + logistic regression, and fastText."""

import sys
from itertools import product

import pytest

from hf_ulmfit.recipe.baselines import (
    FASTTEXT_EPOCHS,
    FASTTEXT_LRS,
    FastTextClassifier,
    fasttext_accuracy,
    fasttext_words,
    tfidf_accuracy,
    tfidf_logistic_regression,
)

POS = ["a wonderful moving film", "great acting and a wonderful story", "I loved it, great fun", "superb and great"]
NEG = ["a dull boring mess", "awful acting, boring story", "I hated it, dull and awful", "terrible and boring"]


def test_learns_separable_words_and_scores_held_out_texts():
    texts, labels = POS + NEG, ["pos"] * 4 + ["neg"] * 4
    accuracy = tfidf_accuracy(texts, labels, ["great wonderful fun", "boring awful mess", "dull"], ["pos", "neg", "pos"])
    assert accuracy == 2 / 3  # the third label is deliberately wrong


def test_chooses_c_by_cross_validation_and_handles_a_class_seen_once():
    model = tfidf_logistic_regression(POS + NEG, ["pos"] * 4 + ["neg"] * 4)
    assert model.named_steps["logisticregression"].C in (0.1, 1.0, 10.0, 100.0)
    single = tfidf_logistic_regression(POS + NEG[:1], ["pos"] * 4 + ["neg"])  # no 2-fold split exists for "neg"
    assert list(single.predict(["a dull boring mess"])) == ["neg"]


def test_fasttext_learns_separable_words_and_tunes_on_a_held_out_tenth():
    pytest.importorskip("fasttext", reason="the fastText baseline needs the bench extra (fasttext-numpy2-wheel)")
    texts, labels = (POS + NEG) * 5, (["pos"] * 4 + ["neg"] * 4) * 5
    model = FastTextClassifier(texts, labels, seed=0)
    assert (model.epoch, model.lr) in set(product(FASTTEXT_EPOCHS, FASTTEXT_LRS))
    assert model.predict(["Great, wonderful fun!", "boring awful mess"]) == ["pos", "neg"]
    accuracy = fasttext_accuracy(texts, labels, ["great wonderful fun", "boring awful mess", "dull"], ["pos", "neg", "pos"])
    assert accuracy == 2 / 3  # the third label is deliberately wrong


def test_fasttext_words_lowercases_and_splits_punctuation():
    assert fasttext_words("Great, wonderful\nFUN!") == "great , wonderful fun !"


def test_missing_fasttext_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "fasttext", None)  # import fasttext raises ImportError
    with pytest.raises(ImportError, match=r"hf_ulmfit\[bench\]"):
        FastTextClassifier(POS + NEG, ["pos"] * 4 + ["neg"] * 4)
