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
"""The baseline every quality report puts beside a ULMFiT classifier: TF-IDF + logistic regression.

scikit-learn is in the `bench` extra (`pip install hf_ulmfit[bench]`), never a runtime dependency of the models.
"""

from collections.abc import Sequence

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
    predictions = model.predict(list(test_texts))
    return sum(p == t for p, t in zip(predictions, test_labels, strict=True)) / len(test_labels)


__all__ = ["tfidf_logistic_regression", "tfidf_accuracy"]
