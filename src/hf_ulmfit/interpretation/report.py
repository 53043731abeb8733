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
"""The report for an evaluation file: per-class precision / recall / F1, the confusion matrix (PNG beside the
page) and the top losses, each text coloured by importance. Predictions run in length-sorted batches without
gradients; importance is computed only for the top losses."""

import html
from pathlib import Path

import numpy as np
import torch

from ..scoring import REGRESSION, classify_ids, model_forward, problem_type
from ..training.plots import save_confusion_matrix
from ..utils import atomic_path
from .attribution import attribute
from .explanations import words_of
from .html_page import explanation_html, page, table


def predict(model, tokenizer, texts: list[str], batch_size: int = 32) -> tuple[torch.Tensor, list[list[int]]]:
    """Class probabilities (N, C) in input order, and each text's token ids."""
    if problem_type(model.config) == REGRESSION:
        raise ValueError("A regression model has no class probabilities to report on.")
    encoded = tokenizer(list(texts))["input_ids"]
    probabilities = classify_ids(model_forward(model), tokenizer, encoded, model.config, None, batch_size)
    return probabilities, encoded


def label_ids(model, labels: list) -> list[int]:
    """Labels as class ids: names from the model's `label2id`, or ids."""
    label2id, n = model.config.label2id, model.config.num_labels
    ids = []
    for label in labels:
        if str(label) in label2id:
            ids.append(int(label2id[str(label)]))
        elif isinstance(label, int) and 0 <= label < n:
            ids.append(label)
        else:
            raise ValueError(f"Label {label!r} is not one of the model's labels {sorted(label2id)} (or ids 0..{n - 1}).")
    return ids


def confusion_matrix(true: list[int], predicted: list[int], n: int) -> np.ndarray:
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true), np.asarray(predicted)), 1)
    return matrix


def per_class_scores(matrix: np.ndarray) -> list[tuple[float, float, float, int]]:
    """(precision, recall, F1, support) per class; 0 where a ratio has nothing to divide by."""
    rows = []
    for k in range(matrix.shape[0]):
        hit, predicted, support = matrix[k, k], matrix[:, k].sum(), matrix[k].sum()
        precision = hit / predicted if predicted else 0.0
        recall = hit / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append((float(precision), float(recall), float(f1), int(support)))
    return rows


def write_report(model, tokenizer, texts: list[str], labels: list, path: str | Path, top_n: int = 10,
                 method: str = "intrinsic_attention", steps: int = 32, batch_size: int = 32) -> dict:
    """The report page at `path` and its confusion matrix at `<stem>_confusion.png`; returns the numbers."""
    if model.config.problem_type == "multi_label_classification":
        raise ValueError("The report is for single-label classifiers.")
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"Need as many labels as texts (at least one); got {len(texts)} texts, {len(labels)} labels.")
    names = [model.config.id2label[i] for i in range(model.config.num_labels)]
    true = label_ids(model, labels)
    probabilities, encoded = predict(model, tokenizer, texts, batch_size)
    predicted = probabilities.argmax(1).tolist()
    losses = -probabilities[torch.arange(len(true)), torch.tensor(true)].clamp_min(1e-12).log()
    matrix = confusion_matrix(true, predicted, len(names))
    scores = per_class_scores(matrix)
    path = Path(path)
    png = save_confusion_matrix(matrix, names, path.with_name(f"{path.stem}_confusion.png"))

    accuracy = float(np.trace(matrix) / matrix.sum())
    body = [f"<h1>Evaluation report</h1>\n<p class=\"meta\">{len(texts)} texts · accuracy {accuracy:.4f} · "
            f"macro F1 {np.mean([s[2] for s in scores]):.4f}</p>",
            "<h2>Per class</h2>",
            table(["label", "precision", "recall", "F1", "support"], [[n, *s] for n, s in zip(names, scores, strict=True)]),
            "<h2>Confusion matrix</h2>",
            # A missing image is replaced by a note (the browser test checks the image loads).
            f'<img id="confusion" src="{html.escape(png.name)}" alt="confusion matrix" '
            "onerror=\"this.outerHTML='<p id=confusion-missing>confusion matrix image not found</p>'\">",
            f"<h2>Top losses</h2>\n<p class=\"meta\">The {min(top_n, len(texts))} texts with the largest loss; "
            "each coloured by what moved the model towards its prediction.</p>"]
    top = torch.argsort(losses, descending=True, stable=True)[:top_n].tolist()
    for i in top:
        attribution = attribute(model, encoded[i], method, predicted[i], steps)
        words = words_of(tokenizer, encoded[i], attribution.scores.tolist())
        block = explanation_html(words, names[predicted[i]], float(probabilities[i, predicted[i]]), method,
                                 true_label=names[true[i]], loss=float(losses[i]))
        body.append(f'<div class="case">{block}</div>')
    with atomic_path(path) as tmp:
        tmp.write_text(page("Evaluation report", "\n".join(body)), encoding="utf-8")
    return {
        "accuracy": accuracy,
        "per_class": dict(zip(names, scores, strict=True)),
        "confusion_matrix": matrix.tolist(),
        "top_losses": [(i, float(losses[i])) for i in top],
        "report": str(path),
        "confusion_png": str(png),
    }
