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
"""Forward + backward ensembles (the paper's bidirectional result): average the class probabilities of several
ULMFiT classifiers over the same texts. A backward model's tokenizer reverses the tokens itself."""

from collections.abc import Sequence

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils.logging import tqdm

from ..utils import check_saved_folder, is_classifier


def load_classifier(folder: str):
    """The trained classifier saved in `folder`; a clear error for a language model's folder or a classifier whose
    head did not load (from_pretrained would give it random weights and predictions would mean nothing)."""
    check_saved_folder(folder)
    config = AutoConfig.from_pretrained(folder)
    if not is_classifier(config):
        raise ValueError(
            f"{folder} holds a language model ({', '.join(config.architectures or ['no architectures'])}), not a "
            "trained classifier: classify with a folder saved by examples/train_classifier.py."
        )
    model, info = AutoModelForSequenceClassification.from_pretrained(folder, output_loading_info=True)
    if info["missing_keys"]:
        raise ValueError(
            f"{folder} holds no trained classifier head: its weights lack {sorted(info['missing_keys'])[:4]} "
            f"({len(info['missing_keys'])} in all)."
        )
    return model.eval()


@torch.no_grad()
def predict_probabilities(folder: str, texts: Sequence[str], batch_size: int = 32) -> tuple[torch.Tensor, list[str]]:
    """Class probabilities (N, C) of the classifier saved in `folder`, and its labels in column order. Texts are
    batched by length (little padding) and returned in input order."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    model = load_classifier(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    encoded = tokenizer(list(texts))["input_ids"]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    probabilities = torch.empty(len(encoded), model.config.num_labels)
    for start in tqdm(range(0, len(order), batch_size), desc=f"Classifying with {folder}"):
        rows = order[start : start + batch_size]
        batch = tokenizer.pad({"input_ids": [encoded[i] for i in rows]}, return_tensors="pt")
        probabilities[rows] = model(**batch).logits.float().softmax(-1)
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    return probabilities, labels


def ensemble_probabilities(folders: Sequence[str], texts: Sequence[str], batch_size: int = 32):
    """Each model's probabilities and their mean; every model must have the same labels in the same order."""
    results = [predict_probabilities(folder, texts, batch_size) for folder in folders]
    labels = results[0][1]
    for folder, (_, other) in zip(folders, results, strict=True):
        if other != labels:
            raise ValueError(f"{folder} has labels {other}, but {folders[0]} has {labels}: they cannot be averaged.")
    each = [probabilities for probabilities, _ in results]
    return each, torch.stack(each).mean(0), labels
