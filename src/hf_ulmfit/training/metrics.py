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
"""Metrics for `ULMFiTTrainer`: accuracy for the language model (perplexity is added by the trainer itself),
accuracy / F1 for classifiers through `evaluate`, computed locally when `evaluate` cannot load a metric (offline),
and MSE / MAE / Pearson's r for a regression head."""

import logging
from collections.abc import Callable, Sequence

import numpy as np
import torch
from transformers import EvalPrediction

logger = logging.getLogger(__name__)


def preprocess_lm_logits(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Pass as `preprocess_logits_for_metrics`: keep the predicted ids, not the (batch, length, vocab) logits."""
    return logits.argmax(-1)


def compute_lm_metrics(eval_pred: EvalPrediction) -> dict[str, float]:
    """Next-token accuracy over the targets that are not ignored (-100); use with `preprocess_lm_logits`."""
    predictions, labels = np.asarray(eval_pred.predictions), np.asarray(eval_pred.label_ids)
    keep = labels != -100
    return {"accuracy": float((predictions[keep] == labels[keep]).mean())}


def _local_accuracy(predictions: np.ndarray, references: np.ndarray) -> dict[str, float]:
    return {"accuracy": float((predictions == references).mean())}


def _local_f1(predictions: np.ndarray, references: np.ndarray, average: str = "binary") -> dict[str, float]:
    """F1 as scikit-learn (and evaluate's `f1`) defines it for `binary` (positive label 1), `macro` and `micro`."""
    if average == "micro":  # single-label: micro F1 is accuracy
        return {"f1": float((predictions == references).mean())}
    classes = [1] if average == "binary" else sorted(set(references.tolist()) | set(predictions.tolist()))
    scores = []
    for c in classes:
        tp = np.sum((predictions == c) & (references == c))
        denominator = np.sum(predictions == c) + np.sum(references == c)
        scores.append(2 * tp / denominator if denominator else 0.0)
    return {"f1": float(np.mean(scores))}


_LOCAL = {"accuracy": _local_accuracy, "f1": _local_f1}


def _load_metric(name: str) -> Callable:
    """`evaluate`'s metric `name` as a function of (predictions, references, **kwargs), or the local fallback."""
    import evaluate

    try:
        metric = evaluate.load(name)
    except (OSError, ConnectionError) as error:  # offline, or the Hub unreachable
        if name not in _LOCAL:
            raise
        logger.warning(f"evaluate could not load {name!r} ({error}); computing it locally.")
        return _LOCAL[name]
    return lambda predictions, references, **kwargs: metric.compute(
        predictions=predictions, references=references, **kwargs
    )


def classification_metrics(metrics: Sequence[str] = ("accuracy", "f1"), f1_average: str = "macro") -> Callable:
    """A `compute_metrics` for single-label classifiers: `evaluate` metrics by Hub name (or a local script path);
    accuracy and F1 fall back to local implementations when `evaluate` cannot load them."""
    loaded = {name: _load_metric(name) for name in metrics}

    def compute(eval_pred: EvalPrediction) -> dict[str, float]:
        logits = eval_pred.predictions[0] if isinstance(eval_pred.predictions, tuple) else eval_pred.predictions
        predictions, references = np.asarray(logits).argmax(-1), np.asarray(eval_pred.label_ids)
        results = {}
        for name, fn in loaded.items():
            kwargs = {"average": f1_average} if name.rsplit("/", 1)[-1].removesuffix(".py") == "f1" else {}
            results.update(fn(predictions, references, **kwargs))
        return results

    return compute


def regression_metrics(eval_pred: EvalPrediction) -> dict[str, float]:
    """A `compute_metrics` for a one-output regression: mean squared and absolute error, and Pearson's r between
    predictions and targets (0 when either is constant), computed here (no download)."""
    logits = eval_pred.predictions[0] if isinstance(eval_pred.predictions, tuple) else eval_pred.predictions
    predictions = np.asarray(logits, dtype=np.float64).reshape(-1)
    targets = np.asarray(eval_pred.label_ids, dtype=np.float64).reshape(-1)
    errors = predictions - targets
    spread = predictions.std() * targets.std()
    pearson = float(((predictions - predictions.mean()) * (targets - targets.mean())).mean() / spread) if spread else 0.0
    return {"mse": float((errors**2).mean()), "mae": float(np.abs(errors).mean()), "pearson": pearson}


__all__ = ["classification_metrics", "compute_lm_metrics", "preprocess_lm_logits", "regression_metrics"]
