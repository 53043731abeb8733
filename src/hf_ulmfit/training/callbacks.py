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
"""Gradual unfreezing (ULMFiT section 3.2) as a `TrainerCallback`."""

import logging
import math

from torch import nn
from transformers import TrainerCallback

logger = logging.getLogger(__name__)


def stage_starts(stages: list[float], unit: str, update_steps_per_epoch: int) -> list[int]:
    """The first optimizer step of each unfreezing stage; stage lengths are in epochs or steps."""
    per_unit = update_steps_per_epoch if unit == "epoch" else 1
    ends = [0]
    for length in stages:
        ends.append(ends[-1] + length)
    starts = [math.ceil(end * per_unit - 1e-9) for end in ends[:-1]]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise ValueError(
            f"unfreeze_stages {stages} ({unit}s) leave a stage without an optimizer step at "
            f"{update_steps_per_epoch} steps per epoch; lengthen the stages."
        )
    return starts


def trainable_groups(stage: int, num_stages: int, num_groups: int) -> int:
    """How many top layer groups train in `stage`: fastai's freeze_to(-(stage + 1)), everything in the last stage."""
    return num_groups if stage == num_stages - 1 else stage + 1


def freeze_to(model: nn.Module, num_trainable: int, train_bn: bool = True) -> None:
    """Train only the top `num_trainable` of `model.layer_groups()` (fastai's `freeze_to(-num_trainable)`).

    With `train_bn`, BatchNorm layers stay trainable in frozen groups, as in fastai.
    """
    groups = model.layer_groups()
    for index, group in enumerate(groups):
        trainable = index >= len(groups) - num_trainable
        for module in group:
            for param in module.parameters():
                param.requires_grad_(trainable)
            if train_bn and not trainable:
                for sub in module.modules():
                    if isinstance(sub, nn.modules.batchnorm._BatchNorm):
                        sub.requires_grad_(True)


class GradualUnfreezingCallback(TrainerCallback):
    """Start with the top layer group trainable and unfreeze one more group at each stage boundary.

    `ULMFiTTrainer` adds this callback itself when `unfreeze_stages` is set. The stage is derived from the global
    step, so resuming from a checkpoint (even mid-stage) restores the right frozen set.

    Args:
        stages: length of each stage in `unit`s.
        unit: `"epoch"` or `"step"`.
        train_bn: keep BatchNorm layers trainable in frozen groups.
    """

    def __init__(self, stages: list[float], unit: str = "epoch", train_bn: bool = True):
        self.stages, self.unit, self.train_bn = list(stages), unit, train_bn
        self.starts: list[int] | None = None
        self.current_stage: int | None = None

    def check_groups(self, model: nn.Module) -> None:
        num_groups = len(model.layer_groups())
        if len(self.stages) > num_groups:
            raise ValueError(
                f"unfreeze_stages has {len(self.stages)} stages but {type(model).__name__} has only {num_groups} layer "
                f"groups (one more group is unfrozen per stage)."
            )

    def set_steps_per_epoch(self, update_steps_per_epoch: int) -> None:
        self.starts = stage_starts(self.stages, self.unit, update_steps_per_epoch)

    def _apply(self, model: nn.Module, step: int) -> None:
        stage = sum(1 for start in self.starts if start <= step) - 1
        if stage == self.current_stage:
            return
        self.current_stage = stage
        num_groups = len(model.layer_groups())
        trainable = trainable_groups(stage, len(self.stages), num_groups)
        freeze_to(model, trainable, self.train_bn)
        logger.info(f"Gradual unfreezing: stage {stage} from step {step}, top {trainable}/{num_groups} groups train.")

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if self.starts is None:
            raise RuntimeError("GradualUnfreezingCallback needs set_steps_per_epoch() before training.")
        self.current_stage = None
        self._apply(model, state.global_step)

    def on_step_begin(self, args, state, control, model=None, **kwargs):
        self._apply(model, state.global_step)

    def on_train_end(self, args, state, control, model=None, **kwargs):
        # Leave the model fully trainable, as after fastai's final `unfreeze()`.
        freeze_to(model, len(model.layer_groups()), self.train_bn)
        self.current_stage = None


__all__ = ["GradualUnfreezingCallback", "freeze_to", "stage_starts", "trainable_groups"]
