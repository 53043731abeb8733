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
"""Learning-rate finder (Smith 2015, fastai's `lr_find`) for a `ULMFiTTrainer`."""

import copy
import math
from dataclasses import dataclass

import torch

from .plots import save_lr_finder_plot


@dataclass
class LRFinderResult:
    """Learning rates (of the top layer group) and smoothed losses of the sweep, with fastai's suggestions."""

    learning_rates: list[float]
    losses: list[float]
    steepest: float
    valley: float
    plot_path: str | None = None


def _steepest(lrs: torch.Tensor, losses: torch.Tensor) -> float:
    """fastai's `steep`: where the loss falls fastest against log(lr)."""
    slopes = (losses[1:] - losses[:-1]) / (lrs[1:].log() - lrs[:-1].log())
    return float(lrs[slopes.argmin()])


def _valley(lrs: torch.Tensor, losses: torch.Tensor) -> float:
    """fastai's `valley`: in the longest decreasing stretch of the curve, a point about halfway down."""
    n = len(losses)
    run = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and run[i] < run[j] + 1:
                run[i] = run[j] + 1
            if run[max_end] < run[i]:
                max_end, max_start = i, i - run[i]
    sections = (max_end - max_start) / 3
    return float(lrs[max_start + int(sections) + int(sections / 2)])


def find_lr(
    trainer,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    smoothing: float = 0.98,
    stop_div: bool = True,
    plot_path: str | None = None,
) -> LRFinderResult:
    """Sweep the learning rate exponentially from `start_lr` to `end_lr` over `num_steps` training steps, keeping
    the discriminative ratios between layer groups, and suggest learning rates from the smoothed loss.

    The sweep stops early when the smoothed loss exceeds 4x its minimum (`stop_div`). Afterwards the model's
    weights, its frozen/trainable flags, the trainer's optimizer and scheduler, the carried LM state and the RNG
    are restored, so the sweep leaves no trace. Runs on one process. With `plot_path`, saves the curve as PNG
    (needs matplotlib).
    """
    if not 0 < start_lr < end_lr:
        raise ValueError(f"Need 0 < start_lr < end_lr, got {start_lr} and {end_lr}.")
    if num_steps < 10:
        raise ValueError(f"num_steps must be at least 10 to suggest anything, got {num_steps}.")
    model = trainer.model
    saved_weights = copy.deepcopy(model.state_dict())
    saved_flags = {name: p.requires_grad for name, p in model.named_parameters()}
    saved = (trainer.optimizer, trainer.lr_scheduler, dict(trainer._stream_state), model.training)
    saved_rng = torch.get_rng_state()

    lrs, losses = [], []
    try:
        trainer.optimizer = None
        optimizer = trainer.create_optimizer()
        ratios = [group["lr"] / trainer.args.learning_rate for group in optimizer.param_groups]
        loader = trainer.get_train_dataloader()
        batches = iter(loader)
        model.train()
        average, best = 0.0, math.inf
        for step in range(num_steps):
            try:
                batch = next(batches)
            except StopIteration:
                batches = iter(loader)
                batch = next(batches)
            lr = start_lr * (end_lr / start_lr) ** (step / (num_steps - 1))
            for group, ratio in zip(optimizer.param_groups, ratios, strict=True):
                group["lr"] = lr * ratio
            inputs = trainer._prepare_inputs(batch)
            with trainer.compute_loss_context_manager():
                loss = trainer.compute_loss(model, inputs)
            loss.backward()
            if trainer.args.max_grad_norm > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), trainer.args.max_grad_norm)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            average = smoothing * average + (1 - smoothing) * float(loss.detach())
            smoothed = average / (1 - smoothing ** (step + 1))
            lrs.append(lr)
            losses.append(smoothed)
            best = min(best, smoothed)
            if not math.isfinite(smoothed) or (stop_div and smoothed > 4 * best):
                break
    finally:
        model.load_state_dict(saved_weights)
        for name, param in model.named_parameters():
            param.requires_grad_(saved_flags[name])
        trainer.optimizer, trainer.lr_scheduler, trainer._stream_state, training = saved
        model.train(training)
        torch.set_rng_state(saved_rng)

    # Like fastai, leave out the first tenth and the last five points (warm-up noise, divergence).
    lo, hi = len(lrs) // 10, len(lrs) - 5
    if hi - lo < 3:
        lo, hi = 0, len(lrs)
    lr_tensor, loss_tensor = torch.tensor(lrs[lo:hi]), torch.tensor(losses[lo:hi])
    finite = torch.isfinite(loss_tensor)
    lr_tensor, loss_tensor = lr_tensor[finite], loss_tensor[finite]
    if len(lr_tensor) < 3:
        raise RuntimeError(f"The loss diverged after {len(lrs)} steps; lower end_lr or start_lr.")
    result = LRFinderResult(lrs, losses, _steepest(lr_tensor, loss_tensor), _valley(lr_tensor, loss_tensor))
    if plot_path is not None:
        save_lr_finder_plot(lrs, losses, result.steepest, result.valley, plot_path)
        result.plot_path = plot_path
    return result


__all__ = ["find_lr", "LRFinderResult"]
