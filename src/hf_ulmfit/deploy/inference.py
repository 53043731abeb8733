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
"""Batch inference over a saved classifier, and forward + backward ensembles (the paper's bidirectional result):
average the scores of several ULMFiT classifiers over the same texts. A backward model's tokenizer reverses the
tokens itself. Scores follow each model's problem type (`hf_ulmfit.scoring`)."""

from collections.abc import Sequence

import torch

from ..scoring import classify_ids, encode, labels_of, model_forward
from ..utils import load_classifier


def predict_probabilities(folder: str, texts: Sequence[str], batch_size: int = 32) -> tuple[torch.Tensor, list[str]]:
    """Scores (N, C) of the classifier saved in `folder` (class probabilities, or raw values for regression), and
    its labels in column order. Texts are batched by length (little padding) and returned in input order; long
    texts are read whole, as in training."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    model, tokenizer = load_classifier(folder)
    ids = encode(tokenizer, texts, long_texts="keep")
    # batch_size rows whatever their length: the model reads long texts bptt tokens at a time
    row_scores = classify_ids(model_forward(model), tokenizer, ids, model.config, None, batch_size)
    return row_scores, labels_of(model.config)


def ensemble_probabilities(folders: Sequence[str], texts: Sequence[str], batch_size: int = 32):
    """Each model's scores and their mean; every model must have the same labels in the same order."""
    results = [predict_probabilities(folder, texts, batch_size) for folder in folders]
    labels = results[0][1]
    for folder, (_, other) in zip(folders, results, strict=True):
        if other != labels:
            raise ValueError(f"{folder} has labels {other}, but {folders[0]} has {labels}: they cannot be averaged.")
    each = [probabilities for probabilities, _ in results]
    return each, torch.stack(each).mean(0), labels
