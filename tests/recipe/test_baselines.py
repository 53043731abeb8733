"""The TF-IDF + logistic regression baseline of the quality reports."""

from hf_ulmfit.recipe.baselines import tfidf_accuracy, tfidf_logistic_regression

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
