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
"""Per-token importance for a ULMFiT classifier's prediction, with respect to the word vectors: fastai's intrinsic
attention and integrated gradients. Both differentiate the model's own forward in eval mode, so a document longer
than `bptt` is read in BPT3C chunks with the gradient carried through the state, and a token before the pooled
window (longer than `max_len`) gets its true importance through the state it leaves behind."""

from contextlib import contextmanager
from dataclasses import dataclass

import torch

from ..scoring import REGRESSION, problem_type, scores

METHODS = ("intrinsic_attention", "integrated_gradients")


@dataclass
class Attribution:
    """Scores for the tokens `input_ids` (xxbos included) towards class `class_id`; `probabilities` are the model's
    for the whole text. Intrinsic attention is >= 0 with maximum 1; integrated gradients are signed and add up to
    about `probabilities[class_id] - baseline_probability` (the all-padding text's)."""

    input_ids: list[int]
    scores: torch.Tensor
    probabilities: torch.Tensor
    class_id: int
    method: str
    baseline_probability: float | None = None


@contextmanager
def gradient_mode(model):
    """Eval mode (every dropout off, BatchNorm's running statistics, the state carried with its gradient) with
    gradients on. cuDNN's LSTM refuses backward in eval mode (fastai 1 switched to train mode with the dropouts
    off instead), so cuDNN is off here: the numbers are the same."""
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
            yield
    finally:
        model.train(was_training)


def class_probabilities(model, logits: torch.Tensor) -> torch.Tensor:
    """Softmax for single-label models, sigmoid for multi-label ones; regression has no class to explain."""
    if problem_type(model.config) == REGRESSION:
        raise ValueError("A regression model has no class probabilities to explain.")
    return scores(logits, model.config)


def _ids(model, input_ids) -> torch.Tensor:
    ids = torch.as_tensor(input_ids, dtype=torch.long, device=model.device).reshape(1, -1)
    if ids.shape[1] == 0:
        raise ValueError("There is no token to explain.")
    return ids


def _choose_class(probabilities: torch.Tensor, class_id: int | None) -> int:
    if class_id is None:
        return int(probabilities.argmax())
    if not 0 <= class_id < probabilities.shape[-1]:
        raise ValueError(f"class_id must lie in [0, {probabilities.shape[-1]}), got {class_id}.")
    return int(class_id)


def intrinsic_attention(model, input_ids, class_id: int | None = None) -> Attribution:
    """fastai's `intrinsic_attention` (fastai 1's `TextClassificationInterpretation`; fastai 2 dropped it): the
    absolute gradient of the class probability (the predicted class unless `class_id`) with respect to each
    token's word vector (embedding dropout skipped), summed over the features and divided by its maximum."""
    ids = _ids(model, input_ids)
    with gradient_mode(model):
        embeds = model.ulmfit.embeddings(ids).detach().requires_grad_(True)
        probabilities = class_probabilities(model, model(inputs_embeds=embeds).logits)[0]
        class_id = _choose_class(probabilities, class_id)
        (grad,) = torch.autograd.grad(probabilities[class_id], embeds)
    scores = grad[0].abs().sum(-1)
    # A text whose tokens do not move the prediction at all stays all zero instead of 0 / 0.
    scores = scores / scores.max().clamp_min(torch.finfo(scores.dtype).tiny)
    return Attribution(ids[0].tolist(), scores.detach().cpu(), probabilities.detach().cpu(), class_id,
                       "intrinsic_attention")


def integrated_gradients(model, input_ids, class_id: int | None = None, steps: int = 32,
                         batch_size: int = 32) -> Attribution:
    """Integrated gradients over the word vectors from a baseline of padding vectors (the padding token's
    embedding at every position): (x - baseline) times the mean gradient at `steps` midpoints of the straight
    path, summed over the features. The path points run as batches of `batch_size` documents."""
    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps and batch_size must be >= 1, got {steps} and {batch_size}.")
    ids = _ids(model, input_ids)
    with gradient_mode(model):
        embeddings = model.ulmfit.embeddings
        x = embeddings(ids).detach()[0]
        baseline = embeddings.weight[model.config.pad_token_id].detach().expand_as(x)
        with torch.no_grad():
            ends = class_probabilities(model, model(inputs_embeds=torch.stack([x, baseline])).logits)
        probabilities = ends[0]
        class_id = _choose_class(probabilities, class_id)
        alphas = (torch.arange(steps, device=x.device, dtype=x.dtype) + 0.5) / steps
        total = torch.zeros_like(x)
        for part in alphas.split(batch_size):
            path = (baseline + part[:, None, None] * (x - baseline)).requires_grad_(True)
            chosen = class_probabilities(model, model(inputs_embeds=path).logits)[:, class_id]
            (grad,) = torch.autograd.grad(chosen.sum(), path)
            total += grad.sum(0)
    scores = ((x - baseline) * total / steps).sum(-1)
    return Attribution(ids[0].tolist(), scores.detach().cpu(), probabilities.cpu(), class_id,
                       "integrated_gradients", float(ends[1, class_id]))


def attribute(model, input_ids, method: str = "intrinsic_attention", class_id: int | None = None,
              steps: int = 32) -> Attribution:
    """One of `METHODS` by name."""
    if method == "intrinsic_attention":
        return intrinsic_attention(model, input_ids, class_id)
    if method == "integrated_gradients":
        return integrated_gradients(model, input_ids, class_id, steps=steps)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
