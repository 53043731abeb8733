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
"""Learning-rate (and momentum) schedules of ULMFiT: slanted triangular and fastai's one-cycle.

The shape functions return a multiplier of the peak learning rate; `ULMFiTScheduler` applies it to every parameter
group's initial learning rate, so the discriminative ratios between layer groups are kept.
"""

import math
from bisect import bisect_right

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler


def stlr_multiplier(step: int, total_steps: int, cut_frac: float = 0.1, ratio: float = 32.0) -> float:
    """Slanted triangular learning rate (Howard & Ruder 2018, eq. 3) as a fraction of the peak rate at `step`."""
    cut = max(1, math.floor(total_steps * cut_frac))  # at least one warm-up step, so that short runs are defined
    if step < cut:
        p = step / cut
    else:
        p = 1 - (step - cut) / (cut * (1 / cut_frac - 1))
    # When total_steps * cut_frac is not whole, the formula reaches p = 0 a little early: stay at the floor then.
    p = max(p, 0.0)
    return (1 + p * (ratio - 1)) / ratio


def _cos_anneal(start: float, end: float, pos: float) -> float:
    """fastai's `SchedCos`: cosine from `start` (pos 0) to `end` (pos 1)."""
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def _combined_cos(pos: float, pct: float, start: float, middle: float, end: float) -> float:
    """fastai's `combined_cos`: cosine from start to middle over the first `pct`, then to end."""
    if pos < pct:
        return _cos_anneal(start, middle, pos / pct)
    return _cos_anneal(middle, end, (pos - pct) / (1 - pct))


def one_cycle_multiplier(
    step: int, total_steps: int, pct_start: float = 0.25, div: float = 25.0, div_final: float = 1e5
) -> float:
    """fastai's `fit_one_cycle` learning rate as a fraction of `lr_max`: lr/div -> lr -> lr/div_final, cosine."""
    return _combined_cos(step / total_steps, pct_start, 1 / div, 1.0, 1 / div_final)


def one_cycle_momentum(
    step: int, total_steps: int, pct_start: float = 0.25, moms: tuple[float, float, float] = (0.8, 0.7, 0.8)
) -> float:
    """fastai's cyclic momentum (Adam's beta1) for `fit_one_cycle`: moms[0] -> moms[1] -> moms[2], cosine."""
    return _combined_cos(step / total_steps, pct_start, *moms)


class ULMFiTScheduler(LRScheduler):
    """STLR or one-cycle over one or several stages (gradual unfreezing), applied to all parameter groups.

    Args:
        optimizer: the optimizer; each group's initial learning rate is its peak.
        schedule: `"stlr"` or `"one_cycle"`.
        total_steps: optimizer steps of the whole run.
        stage_starts: the first step of every stage (`[0]` without gradual unfreezing).
        stage_lr_factors: a multiplier of the peak learning rate per stage (all 1 when omitted).
        restart_per_stage: run the schedule once per stage (fastai calls `fit_one_cycle` per stage) instead of once
            over the whole run.
        cut_frac, ratio: STLR parameters.
        pct_start, div, div_final, moms: one-cycle parameters; `moms` sets Adam's beta1 (omit it to leave beta1).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: str,
        total_steps: int,
        stage_starts: list[int] | None = None,
        stage_lr_factors: list[float] | None = None,
        restart_per_stage: bool = True,
        cut_frac: float = 0.1,
        ratio: float = 32.0,
        pct_start: float = 0.25,
        div: float = 25.0,
        div_final: float = 1e5,
        moms: tuple[float, float, float] | None = (0.8, 0.7, 0.8),
        last_epoch: int = -1,
    ):
        if schedule not in ("stlr", "one_cycle"):
            raise ValueError(f"ULMFiTScheduler runs 'stlr' or 'one_cycle', not {schedule!r}.")
        stage_starts = list(stage_starts) if stage_starts is not None else [0]
        if stage_starts[0] != 0 or any(b <= a for a, b in zip(stage_starts, stage_starts[1:], strict=False)):
            raise ValueError(f"stage_starts must start at 0 and increase, got {stage_starts}.")
        if stage_starts[-1] >= total_steps:
            raise ValueError(f"The last stage starts at step {stage_starts[-1]}, beyond the run's {total_steps} steps.")
        self.schedule = schedule
        self.total_steps = total_steps
        self.stage_starts = stage_starts
        self.stage_lr_factors = list(stage_lr_factors) if stage_lr_factors is not None else [1.0] * len(stage_starts)
        self.restart_per_stage = restart_per_stage
        self.cut_frac, self.ratio = cut_frac, ratio
        self.pct_start, self.div, self.div_final = pct_start, div, div_final
        self.moms = tuple(moms) if moms is not None else None
        super().__init__(optimizer, last_epoch)

    def stage_at(self, step: int) -> int:
        return bisect_right(self.stage_starts, step) - 1

    def _position(self, step: int) -> tuple[int, int, int]:
        """(stage, step within the schedule, length of the schedule) for a global step."""
        stage = self.stage_at(step)
        if not self.restart_per_stage:
            return stage, step, self.total_steps
        start = self.stage_starts[stage]
        end = self.stage_starts[stage + 1] if stage + 1 < len(self.stage_starts) else self.total_steps
        return stage, step - start, end - start

    def multiplier(self, step: int) -> float:
        stage, local, length = self._position(step)
        if self.schedule == "stlr":
            shape = stlr_multiplier(local, length, self.cut_frac, self.ratio)
        else:
            shape = one_cycle_multiplier(local, length, self.pct_start, self.div, self.div_final)
        return self.stage_lr_factors[stage] * shape

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if self.moms is not None:
            # Like torch's OneCycleLR, the momentum is set where the learning rate is computed.
            _, local, length = self._position(step)
            beta1 = one_cycle_momentum(local, length, self.pct_start, self.moms)
            for group in self.optimizer.param_groups:
                group["betas"] = (beta1, group["betas"][1])
        mult = self.multiplier(step)
        return [base_lr * mult for base_lr in self.base_lrs]


__all__ = [
    "stlr_multiplier",
    "one_cycle_multiplier",
    "one_cycle_momentum",
    "ULMFiTScheduler",
]
