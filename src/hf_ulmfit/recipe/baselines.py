# Copyright 2026 The hf_ulmfit Authors. All rights reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""The baselines every quality report puts beside a ULMFiT classifier: TF-IDF + logistic regression, and fastText
(supervised, word bigrams), the tool a CPU user would pick instead.

scikit-learn and fastText (`fasttext-numpy2-wheel`, the build that runs with numpy 2) are in the `bench` extra
(`pip install hf_ulmfit[bench]`), never runtime dependencies of the models.
"""

import random
import re
import tempfile
from collections.abc import Sequence
from itertools import product
from pathlib import Path

# The regularisation strength is chosen by cross-validation on the labelled texts alone, so that the baseline is
# as strong as its family allows at every number of labels (a fixed C favours one label count).
C_GRID = (0.1, 1.0, 10.0, 100.0)


def tfidf_logistic_regression(train_texts: Sequence[str], train_labels: Sequence, seed: int = 0):
    """A fitted scikit-learn pipeline: word 1-2 gram TF-IDF with sublinear term frequency, then logistic regression
    with C picked by (up to) 5-fold cross-validation on the training texts."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GridSearchCV, StratifiedKFold
        from sklearn.pipeline import make_pipeline
    except ImportError as error:
        raise ImportError("The TF-IDF baseline needs scikit-learn: pip install 'hf_ulmfit[bench]'.") from error
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, random_state=seed),
    )
    fewest = min(list(train_labels).count(label) for label in set(train_labels))
    if fewest < 2:  # a class seen once cannot be split for cross-validation
        return pipeline.set_params(logisticregression__C=10.0).fit(train_texts, train_labels)
    folds = StratifiedKFold(n_splits=min(5, fewest), shuffle=True, random_state=seed)
    search = GridSearchCV(pipeline, {"logisticregression__C": list(C_GRID)}, cv=folds)
    return search.fit(list(train_texts), list(train_labels)).best_estimator_


def tfidf_accuracy(train_texts: Sequence[str], train_labels: Sequence, test_texts: Sequence[str],
                   test_labels: Sequence, seed: int = 0) -> float:
    """Test accuracy of `tfidf_logistic_regression` trained on the labelled texts."""
    model = tfidf_logistic_regression(train_texts, train_labels, seed)
    return accuracy(model.predict(list(test_texts)), test_labels)


def accuracy(predictions: Sequence, labels: Sequence) -> float:
    return sum(p == t for p, t in zip(predictions, labels, strict=True)) / len(labels)


# fastText's epochs and learning rate are chosen on a held-out tenth of the labelled texts, as its documentation
# tunes them (the defaults, 5 epochs at 0.1, underfit small training sets).
FASTTEXT_EPOCHS, FASTTEXT_LRS = (5, 10, 25, 50), (0.1, 0.25, 0.5, 1.0)
_WORDS = re.compile(r"\w+|[^\w\s]")


def fasttext_words(text: str) -> str:
    """fastText reads whitespace-separated tokens, one example a line: lowercased words and punctuation apart, as
    its example scripts prepare text."""
    return " ".join(_WORDS.findall(text.lower()))


class FastTextClassifier:
    """fastText supervised (word bigrams, one thread for reproducible runs) with `predict(texts) -> labels`; the
    epochs and learning rate that scored best on a seeded tenth of the training texts, then refit on all of them."""

    def __init__(self, train_texts: Sequence[str], train_labels: Sequence, seed: int = 0):
        try:
            import fasttext
        except ImportError as error:
            raise ImportError("The fastText baseline needs fastText: pip install 'hf_ulmfit[bench]' "
                              "(fasttext-numpy2-wheel).") from error  # fmt: skip
        self._fasttext, self.seed = fasttext, seed
        self.labels = sorted(set(train_labels), key=str)
        texts, labels = [fasttext_words(t) for t in train_texts], list(train_labels)
        order = list(range(len(texts)))
        random.Random(seed).shuffle(order)
        held = set(order[: max(1, len(order) // 10)])
        fit = [i for i in order if i not in held]
        scores = {}
        for epoch, lr in product(FASTTEXT_EPOCHS, FASTTEXT_LRS):
            model = self._fit([texts[i] for i in fit], [labels[i] for i in fit], epoch, lr)
            scores[epoch, lr] = accuracy(self._predict(model, [texts[i] for i in held]), [labels[i] for i in held])
        self.epoch, self.lr = max(scores, key=lambda key: (scores[key], -key[0]))  # ties: fewer epochs
        self.model = self._fit(texts, labels, self.epoch, self.lr)

    def _fit(self, texts: list[str], labels: list, epoch: int, lr: float):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "train.txt"
            path.write_text("".join(f"__label__{self.labels.index(y)} {x}\n" for x, y in zip(texts, labels,
                                    strict=True)), encoding="utf-8")  # fmt: skip
            return self._fasttext.train_supervised(str(path), epoch=epoch, lr=lr, wordNgrams=2, minCount=1,
                                                   thread=1, seed=self.seed, verbose=0)  # fmt: skip

    def _predict(self, model, texts: list[str]) -> list:
        predicted, _ = model.predict(texts)
        return [self.labels[int(p[0].removeprefix("__label__"))] for p in predicted]

    def predict(self, texts: Sequence[str]) -> list:
        return self._predict(self.model, [fasttext_words(t) for t in texts])


def fasttext_accuracy(train_texts: Sequence[str], train_labels: Sequence, test_texts: Sequence[str],
                      test_labels: Sequence, seed: int = 0) -> float:
    """Test accuracy of `FastTextClassifier` trained on the labelled texts."""
    return accuracy(FastTextClassifier(train_texts, train_labels, seed).predict(test_texts), test_labels)


__all__ = ["FastTextClassifier", "fasttext_accuracy", "tfidf_logistic_regression", "tfidf_accuracy"]
