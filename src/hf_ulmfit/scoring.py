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
"""How a saved ULMFiT classifier turns texts into scores, by its `problem_type`: softmax for single-label, sigmoid
with a threshold for multi-label, the raw value for regression; texts batched by length under a token budget.

This one file is the scoring of the whole package (the HTTP service, `examples/serve.py`, the interpretation
code) and is also copied as `handler.py` into every saved classifier folder, where Hugging Face Inference Endpoints
load `EndpointHandler`. It therefore imports only torch and transformers, never `hf_ulmfit`.
"""

from collections.abc import Callable, Sequence

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

SINGLE_LABEL, MULTI_LABEL, REGRESSION = "single_label_classification", "multi_label_classification", "regression"
DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_BATCH_TOKENS = 16384  # padded tokens per forward: bounds the activations' memory

# (input_ids, attention_mask) -> logits (batch, num_labels): the model's own forward or another backend's.
Forward = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def is_classifier(model_or_config) -> bool:
    """Whether a ULMFiT model, or the config of a saved folder, is a sequence classifier (else a language model)."""
    if hasattr(model_or_config, "config"):  # a model: its class says it, whatever its config was loaded from
        return "ForSequenceClassification" in type(model_or_config).__name__
    return any("ForSequenceClassification" in name for name in model_or_config.architectures or [])


def problem_type(config) -> str:
    """The config's problem type; when unset, transformers' rule (one label is regression)."""
    return config.problem_type or (REGRESSION if config.num_labels == 1 else SINGLE_LABEL)


def labels_of(config) -> list[str]:
    """The label names in column order."""
    return [str(config.id2label[i]) for i in range(config.num_labels)]


def scores(logits: torch.Tensor, config) -> torch.Tensor:
    """Per-label scores (batch, num_labels) of `logits` by the problem type: probabilities or raw values."""
    kind = problem_type(config)
    if kind == MULTI_LABEL:
        return logits.float().sigmoid()
    if kind == REGRESSION:
        return logits.float()
    return logits.float().softmax(-1)


def results(row_scores: torch.Tensor, config, threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """One result per row of `scores(...)`: `label` (the best one; None for regression or a multi-label text with
    no label at or above `threshold`), `labels` (every label it has, best first) and `scores` (label -> score)."""
    kind, names = problem_type(config), labels_of(config)
    out = []
    for row in row_scores.tolist():
        by_label = dict(zip(names, row, strict=True))
        if kind == REGRESSION:
            chosen = []
        elif kind == MULTI_LABEL:
            chosen = sorted((n for n in names if by_label[n] >= threshold), key=by_label.__getitem__, reverse=True)
        else:
            chosen = [max(names, key=by_label.__getitem__)]
        out.append({"label": chosen[0] if chosen else None, "labels": chosen, "scores": by_label})
    return out


class TextTooLong(ValueError):
    """A text over the token limit where cutting it was refused."""


def empty_result() -> dict:
    """The result of a blank text: nothing to classify, so no label and no scores."""
    return {"label": None, "labels": [], "scores": {}}


def nonblank(texts: Sequence[str]) -> list[int]:
    """Indices of the texts that hold more than white space."""
    return [i for i, text in enumerate(texts) if text.strip()]


def place(kept_results: Sequence[dict], kept: Sequence[int], n: int) -> list[dict]:
    """`n` results in input order: `kept_results` at the indices `kept`, an empty result everywhere else."""
    out = [empty_result() for _ in range(n)]
    for i, result in zip(kept, kept_results, strict=True):
        out[i] = result
    return out


LONG_TEXTS = ("cut", "refuse", "keep")


def encode(tokenizer, texts: Sequence[str], long_texts: str = "cut", max_length: int | None = None) -> list[list[int]]:
    """Token ids of `texts`. A text longer than `max_length` tokens (default: the tokenizer's `model_max_length`)
    is cut to it ("cut"; the tokenizer drops the end its reading direction reaches last), refused ("refuse":
    `TextTooLong`, naming the text) or kept whole ("keep": the model reads it `bptt` tokens at a time)."""
    if long_texts not in LONG_TEXTS:
        raise ValueError(f"long_texts must be one of {LONG_TEXTS}, got {long_texts!r}.")
    limit = max_length or tokenizer.model_max_length
    ids = tokenizer(list(texts))["input_ids"] if texts else []
    long = [] if long_texts == "keep" else [i for i, row in enumerate(ids) if len(row) > limit]
    if long and long_texts == "refuse":
        raise TextTooLong(f"Text {long[0]} has {len(ids[long[0]])} tokens, more than the limit of {limit}.")
    if long:
        cut = tokenizer([texts[i] for i in long], truncation=True, max_length=limit)["input_ids"]
        for i, row in zip(long, cut, strict=True):
            ids[i] = row
    return ids


def length_batches(lengths: Sequence[int], max_batch_tokens: int | None = DEFAULT_MAX_BATCH_TOKENS,
                   max_batch_size: int | None = None) -> list[list[int]]:
    """Indices of `lengths` sorted by length and cut into batches of at most `max_batch_size` rows whose padded
    size (rows x longest) stays within `max_batch_tokens` (a longer text alone is a batch of its own); None
    leaves that bound out."""
    batches, current = [], []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        full = max_batch_size is not None and len(current) == max_batch_size
        too_big = max_batch_tokens is not None and (len(current) + 1) * lengths[i] > max_batch_tokens
        if current and (full or too_big):
            batches.append(current)
            current = []
        current.append(i)
    return [*batches, current] if current else batches


@torch.no_grad()
def classify_ids(forward: Forward, tokenizer, ids: Sequence[list[int]], config,
                 max_batch_tokens: int | None = DEFAULT_MAX_BATCH_TOKENS, max_batch_size: int | None = None
                 ) -> torch.Tensor:
    """Scores (N, num_labels) of token id lists, in input order, computed in length-sorted batches."""
    out = torch.empty(len(ids), config.num_labels)
    for rows in length_batches([len(row) for row in ids], max_batch_tokens, max_batch_size):
        batch = tokenizer.pad({"input_ids": [ids[i] for i in rows]}, return_tensors="pt")
        out[rows] = scores(forward(batch["input_ids"], batch["attention_mask"]), config).cpu()
    return out


def classify_texts(forward: Forward, tokenizer, texts: Sequence[str], config, threshold: float = DEFAULT_THRESHOLD,
                   long_texts: str = "cut", max_batch_tokens: int | None = DEFAULT_MAX_BATCH_TOKENS,
                   max_batch_size: int | None = None) -> list[dict]:
    """One result per text (see `results`), in input order; a blank text gets an empty result."""
    kept, every = nonblank(texts), encode(tokenizer, texts, long_texts)
    ids = [every[i] for i in kept]
    row_scores = classify_ids(forward, tokenizer, ids, config, max_batch_tokens, max_batch_size)
    return place(results(row_scores, config, threshold), kept, len(texts))


def model_forward(model) -> Forward:
    """A model's own forward as a `Forward`, on the model's device."""

    def forward(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return model(input_ids=input_ids.to(model.device), attention_mask=attention_mask.to(model.device)).logits

    return forward


def load_trained_classifier(folder, **from_pretrained_kwargs):
    """The trained classifier saved in `folder`, in eval mode; a clear error for a language model's folder or a
    classifier whose head did not load (from_pretrained would give it random weights, its scores would mean
    nothing)."""
    config = AutoConfig.from_pretrained(folder, **from_pretrained_kwargs)
    if not is_classifier(config):
        raise ValueError(
            f"{folder} holds a language model ({', '.join(config.architectures or ['no architectures'])}), not a "
            "trained classifier: classify with a folder saved by `ulmfit train-classifier` "
            "(examples/train_classifier.py)."
        )
    model, info = AutoModelForSequenceClassification.from_pretrained(
        folder, output_loading_info=True, **from_pretrained_kwargs
    )
    if info["missing_keys"]:
        raise ValueError(
            f"{folder} holds no trained classifier head: its weights lack {sorted(info['missing_keys'])[:4]} "
            f"({len(info['missing_keys'])} in all)."
        )
    return model.eval()


class EndpointHandler:
    """Hugging Face Inference Endpoints' custom handler: `EndpointHandler(path)({"inputs": text or [texts],
    "parameters": {"threshold": 0.5, "truncate": true}})` gives one result per text (see `results`; a blank text gets an empty one)."""

    def __init__(self, path: str = ""):
        self.model = load_trained_classifier(path, trust_remote_code=True)
        self.tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=True)
        self.forward = model_forward(self.model)

    def __call__(self, data: dict) -> list[dict]:
        inputs, parameters = data.get("inputs"), data.get("parameters") or {}
        texts = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ValueError("'inputs' must be a string or a list of strings.")
        long_texts = "cut" if parameters.get("truncate", True) else "refuse"
        return classify_texts(self.forward, self.tokenizer, texts, self.model.config,
                              parameters.get("threshold", DEFAULT_THRESHOLD), long_texts)
