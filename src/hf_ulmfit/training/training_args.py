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
"""`ULMFiTTrainingArguments`: `TrainingArguments` with the ULMFiT recipe's knobs and fastai's defaults."""

from dataclasses import dataclass, field

from transformers import TrainingArguments

SCHEDULES = ("stlr", "one_cycle", "transformers")
UNFREEZE_UNITS = ("epoch", "step")


@dataclass
class ULMFiTTrainingArguments(TrainingArguments):
    r"""
    [`TrainingArguments`] for [`ULMFiTTrainer`]. The optimizer defaults are fastai's Adam as text learners run it
    (betas (0.9, 0.99), eps 1e-5, decoupled weight decay 0.01, none on biases and BatchNorm); the schedule defaults
    to the paper's slanted triangular learning rate.

    Where the trainer differs from fastai's text learners (none of the three changed accuracy in a side-by-side run
    with fastai over 8 seeds; docs/model.md, "Training: where we differ from fastai"):

    - Gradient clipping: `max_grad_norm` keeps `Trainer`'s default 1.0 (fastai's text learners do not clip; it
      clipped 43% of the steps of a demo-sized classifier run). Clipping guards the high learning rates of
      training from scratch and of half precision; `max_grad_norm=0` turns it off, as fastai.
    - AR/TAR: only `ULMFiTForCausalLM` adds them to its loss (`config.ar_alpha`, `config.tar_beta`); the
      classifier's loss is the task loss alone, as every transformers model's is (fastai's `RNNRegularizer` also
      runs for classifiers), so that the stock `Trainer`, pipelines and `run_classification.py` see the same loss.
    - Adam state across unfreezing stages: one optimizer runs the whole training, so the groups trained in earlier
      stages keep their moments when more groups are unfrozen (fastai's `freeze_to` clears the optimizer state);
      a group unfrozen later starts with empty state, as in fastai. One optimizer is what `Trainer` checkpoints
      and resumes.

    lr_decay_factor (`float`, defaults to 2.6):
        Discriminative fine-tuning: the top layer group gets `learning_rate`, each lower group the one above divided
        by this factor.
    lr_schedule (`str`, defaults to `"stlr"`):
        `"stlr"` (slanted triangular, Howard & Ruder 2018 eq. 3), `"one_cycle"` (fastai's `fit_one_cycle` with cyclic
        momentum) or `"transformers"` (the scheduler named by `lr_scheduler_type`). All keep the groups' ratios.
    stlr_cut_frac (`float`, defaults to 0.1), stlr_ratio (`float`, defaults to 32):
        Fraction of the steps spent increasing the learning rate, and how much smaller the lowest rate is.
    one_cycle_pct_start (`float`, defaults to 0.25), one_cycle_div (`float`, defaults to 25),
    one_cycle_div_final (`float`, defaults to 1e5), one_cycle_moms (`list[float]`, defaults to `[0.8, 0.7, 0.8]`):
        fastai's one-cycle: warm-up fraction, start = lr / div, end = lr / div_final, and Adam's beta1 going from the
        first to the second momentum during warm-up and back during annealing.
    unfreeze_stages (`list[float]`, *optional*):
        Gradual unfreezing: the length of each stage in `unfreeze_unit`s. Stage i trains the top i + 1 layer groups
        (fastai's `freeze_to(-(i + 1))`), the last stage trains all of them; e.g. `[1, 1, 1, 1]` for the classifier
        recipe, `[1, 10]` for fine-tuning a language model. Sets `num_train_epochs` (or `max_steps`) to the total.
    unfreeze_unit (`str`, defaults to `"epoch"`):
        `"epoch"` or `"step"` (optimizer steps): the unit of `unfreeze_stages`.
    unfreeze_restart_schedule (`bool`, defaults to `True`):
        Restart the learning-rate schedule at every stage, as calling fastai's `fit_one_cycle` once per stage does.
        When `False` one schedule spans the whole run (as it always does with `lr_schedule="transformers"`).
    unfreeze_lr_factors (`list[float]`, *optional*):
        One multiplier of `learning_rate` per stage (e.g. `[1, 0.5, 0.25, 0.05]` for fastai's IMDb recipe 2e-2,
        1e-2, 5e-3, 1e-3); all 1 when omitted.
    train_bn (`bool`, defaults to `True`):
        Keep BatchNorm layers trainable in frozen groups (fastai's `train_bn`).
    wd_bn_bias (`bool`, defaults to `False`):
        Apply weight decay to biases and BatchNorm parameters too (fastai's `wd_bn_bias`).
    bptt (`int`, *optional*):
        Tokens per row and batch of the language-model stream; the model's `config.bptt` when omitted.
    variable_bptt (`bool`, defaults to `False`):
        The paper's variable-length BPTT: each batch length is drawn as N(bptt, 5) (N(bptt / 2, 5) with probability
        0.05), and the learning rate of that batch is scaled by length / bptt.
    hub_strategy (`str`, defaults to `"end"`):
        With `push_to_hub`, upload the finished folder only: safetensors, JSON and code, no pickle (the Trainer's
        other strategies also upload checkpoints, whose optimizer and RNG states are pickles).
    sortish_sampling (`bool`, defaults to `True`):
        Classifier data: group documents of similar length in training batches (fastai's `SortishSampler`) and sort
        evaluation data by length, so that little padding is read.
    """

    learning_rate: float = field(default=1e-2, metadata={"help": "Learning rate of the top layer group."})
    weight_decay: float = field(default=0.01, metadata={"help": "Decoupled weight decay (fastai's default)."})
    adam_beta1: float = field(default=0.9, metadata={"help": "Adam beta1 (replaced by the momentum of one_cycle)."})
    adam_beta2: float = field(default=0.99, metadata={"help": "Adam beta2 (fastai's sqr_mom)."})
    adam_epsilon: float = field(default=1e-5, metadata={"help": "Adam epsilon (fastai's default)."})
    lr_decay_factor: float = field(default=2.6, metadata={"help": "Each lower layer group's LR is divided by this."})
    lr_schedule: str = field(default="stlr", metadata={"help": f"One of {SCHEDULES}."})
    stlr_cut_frac: float = field(default=0.1, metadata={"help": "STLR: fraction of steps increasing the LR."})
    stlr_ratio: float = field(default=32.0, metadata={"help": "STLR: ratio of the largest to the smallest LR."})
    one_cycle_pct_start: float = field(default=0.25, metadata={"help": "One-cycle: warm-up fraction."})
    one_cycle_div: float = field(default=25.0, metadata={"help": "One-cycle: the LR starts at lr / div."})
    one_cycle_div_final: float = field(default=1e5, metadata={"help": "One-cycle: the LR ends at lr / div_final."})
    one_cycle_moms: list[float] = field(
        default_factory=lambda: [0.8, 0.7, 0.8], metadata={"help": "One-cycle: Adam beta1 start, middle, end."}
    )
    unfreeze_stages: list[float] | None = field(
        default=None, metadata={"help": "Gradual unfreezing: length of each stage (see unfreeze_unit)."}
    )
    unfreeze_unit: str = field(default="epoch", metadata={"help": f"Unit of unfreeze_stages: {UNFREEZE_UNITS}."})
    unfreeze_restart_schedule: bool = field(default=True, metadata={"help": "Restart the LR schedule every stage."})
    unfreeze_lr_factors: list[float] | None = field(
        default=None, metadata={"help": "Multiplier of learning_rate for each unfreezing stage."}
    )
    train_bn: bool = field(default=True, metadata={"help": "Keep BatchNorm trainable in frozen groups."})
    wd_bn_bias: bool = field(default=False, metadata={"help": "Also decay biases and BatchNorm parameters."})
    bptt: int | None = field(default=None, metadata={"help": "LM stream: tokens per batch row (config.bptt)."})
    variable_bptt: bool = field(default=False, metadata={"help": "LM stream: the paper's variable-length BPTT."})
    sortish_sampling: bool = field(default=True, metadata={"help": "Classifier: length-grouped batches."})
    hub_strategy: str = field(
        default="end",
        metadata={"help": "push_to_hub uploads the final folder only (Trainer's checkpoint pushes carry pickles)."},
    )

    def __post_init__(self):
        self._check_ulmfit_fields()
        if self.unfreeze_stages is not None:
            total = sum(self.unfreeze_stages)
            if self.unfreeze_unit == "epoch":
                if self.max_steps > 0:
                    raise ValueError(
                        "unfreeze_stages in epochs sets the run's length; do not also set max_steps (or give the "
                        "stages in steps with unfreeze_unit='step')."
                    )
                self.num_train_epochs = float(total)
            else:
                self.max_steps = int(total)
            # Frozen parameters get no gradient; DDP has to be told that some parameters are unused.
            if self.ddp_find_unused_parameters is None:
                self.ddp_find_unused_parameters = True
        super().__post_init__()

    def _check_ulmfit_fields(self):
        if not self.lr_decay_factor > 0:
            raise ValueError(f"lr_decay_factor must be > 0 (fastai uses 2.6), got {self.lr_decay_factor}.")
        if self.lr_schedule not in SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {SCHEDULES}, got {self.lr_schedule!r}.")
        if not 0 < self.stlr_cut_frac < 1 or self.stlr_ratio < 1:
            raise ValueError(
                f"STLR needs 0 < stlr_cut_frac < 1 and stlr_ratio >= 1, got {self.stlr_cut_frac} and {self.stlr_ratio}."
            )
        if not 0 < self.one_cycle_pct_start < 1 or self.one_cycle_div <= 0 or self.one_cycle_div_final <= 0:
            raise ValueError("one-cycle needs 0 < one_cycle_pct_start < 1 and positive one_cycle_div(_final).")
        if len(self.one_cycle_moms) != 3:
            raise ValueError(f"one_cycle_moms needs three values (start, middle, end), got {self.one_cycle_moms}.")
        if self.unfreeze_unit not in UNFREEZE_UNITS:
            raise ValueError(f"unfreeze_unit must be one of {UNFREEZE_UNITS}, got {self.unfreeze_unit!r}.")
        stages = self.unfreeze_stages
        if stages is not None:
            if not stages or any(length <= 0 for length in stages):
                raise ValueError(f"unfreeze_stages must list positive stage lengths, got {stages}.")
            if self.unfreeze_unit == "step" and any(int(length) != length for length in stages):
                raise ValueError(f"unfreeze_stages in steps must be whole numbers, got {stages}.")
        factors = self.unfreeze_lr_factors
        if factors is not None:
            if stages is None or len(factors) != len(stages):
                raise ValueError(
                    f"unfreeze_lr_factors ({factors}) needs one factor per entry of unfreeze_stages ({stages})."
                )
            if any(f <= 0 for f in factors):
                raise ValueError(f"unfreeze_lr_factors must be positive, got {factors}.")
            if self.lr_schedule == "transformers":
                raise ValueError("unfreeze_lr_factors needs lr_schedule 'stlr' or 'one_cycle'.")
        if self.bptt is not None and self.bptt < 1:
            raise ValueError(f"bptt must be a positive number of tokens, got {self.bptt}.")


__all__ = ["ULMFiTTrainingArguments"]
