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
"""`ULMFiTTrainer`: the ULMFiT recipe (Howard & Ruder 2018) as a `transformers.Trainer`.

Discriminative learning rates over the model's `layer_groups()`, STLR / one-cycle schedules, gradual unfreezing,
AR/TAR (from the model's loss), the stateful language-model stream and length-grouped classifier batches. The
Trainer's own machinery (logging, evaluation, checkpoints and resume, mixed precision, DDP) is left as it is.
"""

import glob
import math
import os
import shutil
from collections.abc import Sequence

import torch
from accelerate.data_loader import DataLoaderShard
from torch import nn
from torch.utils.data import DataLoader
from transformers import Trainer
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, rotate_checkpoints

from ..model_card import recipe_from_args, write_model_card
from ..models.ulmfit.modeling_ulmfit import ULMFiTForCausalLM
from ..utils import SaveError, failure_cause, fsync_tree, replace_folder
from .callbacks import GradualUnfreezingCallback
from .classifier_batches import ClassifierCollator, SortedSampler, SortishSampler
from .documents import check_not_empty, document_ids, document_lengths
from .lm_stream import STREAM_LR_SCALE, STREAM_STEP, LMStreamDataset, stream_batch_sampler, unwrap_batch
from .schedules import ULMFiTScheduler
from .token_store import TokenStore
from .training_args import ULMFiTTrainingArguments

STREAM_STATE_FILE = "ulmfit_stream_state_{}.pt"
# A checkpoint is written into `.checkpoint-N.partial/checkpoint-N` and renamed to `checkpoint-N` once complete:
# transformers' resume (and `get_last_checkpoint`) only sees `checkpoint-N` folders, so never a half-written one.
CHECKPOINT_STAGING, CHECKPOINT_STAGING_GLOB = ".{}.partial", f".{PREFIX_CHECKPOINT_DIR}-*.partial"


def discriminative_param_groups(
    model: nn.Module, learning_rate: float, lr_decay_factor: float, weight_decay: float, wd_bn_bias: bool = False
) -> list[dict]:
    """Optimizer parameter groups over all parameters (frozen or not), bottom layer group first.

    Layer group i of n gets `learning_rate / lr_decay_factor ** (n - 1 - i)`; each layer group is split into a
    weight-decayed part and a part without decay (biases and BatchNorm, unless `wd_bn_bias`). Every group carries
    its `layer_group` index.
    """
    if lr_decay_factor <= 0:
        raise ValueError(f"lr_decay_factor must be > 0, got {lr_decay_factor}.")
    layer_groups = model.layer_groups()
    seen: set[int] = set()
    param_groups = []
    for index, modules in enumerate(layer_groups):
        lr = learning_rate / lr_decay_factor ** (len(layer_groups) - 1 - index)
        decay, no_decay = [], []
        for module in modules:
            for sub in module.modules():
                is_bn = isinstance(sub, nn.modules.batchnorm._BatchNorm)
                for name, param in sub.named_parameters(recurse=False):
                    if id(param) in seen:  # tied weights appear twice
                        continue
                    seen.add(id(param))
                    exempt = (is_bn or name.startswith("bias")) and not wd_bn_bias
                    (no_decay if exempt else decay).append(param)
        for params, wd in ((decay, weight_decay), (no_decay, 0.0)):
            if params:
                param_groups.append({"params": params, "lr": lr, "weight_decay": wd, "layer_group": index})
    missing = [name for name, param in model.named_parameters() if id(param) not in seen]
    if missing:
        raise ValueError(f"{type(model).__name__}.layer_groups() leaves parameters out: {missing[:5]}.")
    return param_groups


def load_stream_state(checkpoint: str, stream: LMStreamDataset) -> tuple | None:
    """This process's rows of the carried state saved in `checkpoint` by every process of the run that wrote it.

    The saved states are put back together into the state of all rows of the stream, and this process takes its
    own: a run resumed with another number of processes continues every row exactly, as long as the stream is cut
    into the same rows (per-device batch size x processes unchanged)."""
    # loaded on the CPU: a CPU process of a gloo group has the device "cpu:0", which torch.load refuses
    own = os.path.join(checkpoint, STREAM_STATE_FILE.format(stream.process_index))
    if os.path.isfile(own):  # the same layout: this process's own file is enough (--save_on_each_node, own disks)
        saved = torch.load(own, weights_only=True, map_location="cpu")
        layout = ("num_rows", "row_length", "process_index", "batch_size")
        if isinstance(saved, dict) and all(saved.get(key) == getattr(stream, key) for key in layout):
            return saved["state"]
    files = glob.glob(os.path.join(checkpoint, STREAM_STATE_FILE.format("*")))
    if not files:
        return None
    files.sort(key=lambda f: int(f.rsplit("_", 1)[1].split(".")[0]))
    saved = [torch.load(f, weights_only=True, map_location="cpu") for f in files]
    if not all(isinstance(s, dict) for s in saved):
        raise ValueError(f"{checkpoint}: a {STREAM_STATE_FILE.format('N')} without its stream layout; it was not "
                         "saved by this version of ULMFiTTrainer.")
    layout = {(s["num_rows"], s["row_length"]) for s in saved}
    if layout != {(stream.num_rows, stream.row_length)}:
        rows, length = sorted(layout)[0]
        raise ValueError(
            f"{checkpoint} continues a token stream of {rows} rows of {length} tokens; this run cuts "
            f"{stream.num_rows} rows of {stream.row_length} (per-device batch size x processes differ): resume "
            "with as many rows in all, or start a new run from the checkpoint's weights."
        )
    whole = [tuple(torch.cat(parts, dim=1) for parts in zip(*pairs, strict=True))
             for pairs in zip(*(s["state"] for s in saved), strict=True)]  # fmt: skip
    if whole[0][0].shape[1] != stream.num_rows:
        raise ValueError(f"{checkpoint} holds the state of {whole[0][0].shape[1]} of the stream's {stream.num_rows} "
                         f"rows: a process's {STREAM_STATE_FILE.format('N')} is missing.")
    mine = slice(stream.process_index * stream.batch_size, (stream.process_index + 1) * stream.batch_size)
    return tuple((h[:, mine], c[:, mine]) for h, c in whole)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


class ULMFiTTrainer(Trainer):
    """A [`Trainer`] running the ULMFiT recipe for [`ULMFiTForCausalLM`] and [`ULMFiTForSequenceClassification`].

    Takes the arguments of [`Trainer`]; `args` must be [`ULMFiTTrainingArguments`]. Datasets hold tokenized
    documents (`input_ids`, see [`tokenize_documents`]); for the language model they are turned into the stateful
    token stream of [`LMStreamDataset`], for the classifier they are batched by length and padded dynamically
    ([`ClassifierCollator`], on the tokenizer's padding side, else on the left as fastai does).

    Logs add, next to `learning_rate` (the top group's), `learning_rate_group_{i}` for every layer group (bottom
    first) and, for the language model, the `lm_loss`, `ar_loss` and `tar_loss` parts of the training loss.
    """

    # What the card reports beside the recipe: the stage-3 script sets the domain adaptation's figures here.
    card_notes: dict | None = None

    def __init__(self, model=None, args=None, data_collator=None, train_dataset=None, eval_dataset=None, **kwargs):
        if model is None or not hasattr(model, "layer_groups"):
            raise ValueError("ULMFiTTrainer needs a model with layer_groups() (a ULMFiT LM or classifier).")
        if args is None:
            args = ULMFiTTrainingArguments(output_dir="trainer_output")
        if not isinstance(args, ULMFiTTrainingArguments):
            raise TypeError(f"ULMFiTTrainer needs ULMFiTTrainingArguments, got {type(args).__name__}.")
        self.is_stream_lm = isinstance(model, ULMFiTForCausalLM)
        if data_collator is None and not self.is_stream_lm:
            side = getattr(kwargs.get("processing_class"), "padding_side", "left")
            data_collator = ClassifierCollator(model.config.pad_token_id, side)
        self._unfreezer = None
        if args.unfreeze_stages is not None:
            self._unfreezer = GradualUnfreezingCallback(args.unfreeze_stages, args.unfreeze_unit, args.train_bn)
            self._unfreezer.check_groups(model)
        super().__init__(
            model=model, args=args, data_collator=data_collator, train_dataset=train_dataset,
            eval_dataset=eval_dataset, **kwargs,
        )  # fmt: skip
        if self._unfreezer is not None:
            self.add_callback(self._unfreezer)
        # Losses are per-batch means (fastai's); the Trainer divides them by the accumulation steps.
        self.model_accepts_loss_kwargs = False
        self._streams: dict = {}
        self._stream_state = {"train": None, "eval": None}
        self._loss_parts: dict[str, torch.Tensor] = {}
        self._loss_parts_count = 0
        self._group_lrs: list[float] = []
        self._checkpoint_staging: str | None = None
        self._push_pending = False
        self.checkpoints_written: set[str] = set()  # the checkpoint-N names this run saved
        self._check_datasets()

    # ---- Bad input, before training starts ----

    def _check_datasets(self) -> None:
        evals = self.eval_dataset if isinstance(self.eval_dataset, dict) else {"eval": self.eval_dataset}
        named = {"train": self.train_dataset, **evals}
        for name, dataset in named.items():
            if dataset is None:
                continue
            if self.is_stream_lm:
                batch_size = self._train_batch_size if name == "train" else self.args.eval_batch_size
                self._lm_stream(dataset, batch_size, shuffle=name == "train", name=name)
            else:
                check_not_empty(document_lengths(dataset, name), f"The {name} dataset")

    # ---- Language-model stream ----

    def _lm_stream(self, dataset, batch_size: int, shuffle: bool, name: str) -> LMStreamDataset:
        key = (id(dataset), batch_size, shuffle)
        if key not in self._streams:
            config = self.model.config
            stream = LMStreamDataset(
                dataset if isinstance(dataset, TokenStore) else document_ids(dataset, name),
                batch_size=batch_size,
                bptt=self.args.bptt or config.bptt,
                bos_token_id=config.bos_token_id,
                pad_token_id=config.pad_token_id,
                num_processes=self.args.world_size,
                process_index=self.args.process_index,
                shuffle=shuffle,
                seed=self.args.data_seed if self.args.data_seed is not None else self.args.seed,
                variable_bptt=self.args.variable_bptt and shuffle,
            )
            self._streams[key] = (dataset, stream)  # the dataset is kept so that its id stays unique
        return self._streams[key][1]

    def _stream_loader(self, dataset, batch_size: int, shuffle: bool, name: str) -> DataLoader:
        stream = self._lm_stream(dataset, batch_size, shuffle, name)
        # Each process already reads its own rows: the loader is not sharded by accelerate. DataLoaderShard keeps
        # `set_epoch` (the epoch's document order) when accelerate skips batches on resume.
        loader_cls = DataLoaderShard if shuffle else DataLoader
        return loader_cls(
            stream,
            batch_sampler=stream_batch_sampler(stream),
            collate_fn=unwrap_batch,
            num_workers=self.args.dataloader_num_workers,
            pin_memory=self.args.dataloader_pin_memory,
        )

    def get_train_dataloader(self) -> DataLoader:
        if not self.is_stream_lm:
            return super().get_train_dataloader()
        if self.train_dataset is None:
            raise ValueError("ULMFiTTrainer: training requires a train_dataset.")
        return self._stream_loader(self.train_dataset, self._train_batch_size, shuffle=True, name="train")

    def get_eval_dataloader(self, eval_dataset=None) -> DataLoader:
        if not self.is_stream_lm:
            return super().get_eval_dataloader(eval_dataset)
        if isinstance(eval_dataset, str):
            eval_dataset = self.eval_dataset[eval_dataset]
        eval_dataset = eval_dataset if eval_dataset is not None else self.eval_dataset
        if eval_dataset is None:
            raise ValueError("ULMFiTTrainer: evaluation requires an eval_dataset.")
        return self._stream_loader(eval_dataset, self.args.eval_batch_size, shuffle=False, name="eval")

    def get_test_dataloader(self, test_dataset) -> DataLoader:
        if self.is_stream_lm:
            return self._stream_loader(test_dataset, self.args.eval_batch_size, shuffle=False, name="test")
        # Predictions come back in dataset order: no length sorting here.
        return self._get_dataloader(
            dataset=test_dataset,
            description="test",
            batch_size=self.args.eval_batch_size,
            sampler_fn=super()._get_eval_sampler,
        )

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if STREAM_STEP not in inputs:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        inputs = dict(inputs)
        first = int(inputs.pop(STREAM_STEP)) == 0
        inputs.pop(STREAM_LR_SCALE, None)
        # Training and evaluation read different streams: each carries its own state, reset at its first batch.
        key = "train" if model.training else "eval"
        state = None if first else self._stream_state[key]
        outputs = model(**inputs, state=state, use_cache=True)
        self._stream_state[key] = outputs.state.detach()
        if model.training:
            self._record_loss_parts(outputs)
        return (outputs.loss, outputs) if return_outputs else outputs.loss

    def _record_loss_parts(self, outputs) -> None:
        for name in ("lm_loss", "ar_loss", "tar_loss"):
            value = getattr(outputs, name, None)
            if value is not None:
                self._loss_parts[name] = self._loss_parts.get(name, 0.0) + value.detach().float()
        self._loss_parts_count += 1

    def training_step(self, model, inputs, num_items_in_batch=None):
        scale = inputs.get(STREAM_LR_SCALE)
        if scale is not None:
            # Variable-length BPTT: this batch's learning rate is scaled by its length / bptt (the paper's rule).
            for group, lr in zip(self.optimizer.param_groups, self.lr_scheduler.get_last_lr(), strict=True):
                group["lr"] = lr * float(scale)
        return super().training_step(model, inputs, num_items_in_batch)

    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
        if STREAM_STEP not in inputs:
            return super().prediction_step(model, inputs, prediction_loss_only, ignore_keys)
        inputs = self._prepare_inputs(inputs)
        with torch.no_grad(), self.compute_loss_context_manager():
            loss, outputs = self.compute_loss(model, inputs, return_outputs=True)
        if prediction_loss_only or self.compute_metrics is None:
            return loss.detach(), None, None
        return loss.detach(), outputs.logits.detach(), inputs["shift_labels"]

    def evaluation_loop(
        self, dataloader, description, prediction_loss_only=None, ignore_keys=None, metric_key_prefix="eval"
    ):
        output = super().evaluation_loop(dataloader, description, prediction_loss_only, ignore_keys, metric_key_prefix)
        loss = output.metrics.get(f"{metric_key_prefix}_loss")
        if self.is_stream_lm and loss is not None:
            output.metrics[f"{metric_key_prefix}_perplexity"] = math.exp(min(loss, 100.0))
        return output

    # The stream position is the epoch and the step, both in the Trainer's own state: the document order is a
    # function of the seed and the epoch, and accelerate skips the batches already trained without reading them.
    # What else it takes to continue the stream exactly is saved here with the RNG, by every process: the carried
    # recurrent state of its rows, and the row layout it belongs to.
    def _train_stream(self) -> LMStreamDataset:
        return self._lm_stream(self.train_dataset, self._train_batch_size, shuffle=True, name="train")

    def _save_rng_state(self, output_dir: str) -> None:
        super()._save_rng_state(output_dir)
        state, stream = self._stream_state["train"], self._train_stream()
        if state is not None:
            # plain tuples and ints: `weights_only` loading accepts no other class
            saved = {"state": tuple(state), "num_rows": stream.num_rows, "row_length": stream.row_length,
                     "process_index": stream.process_index, "batch_size": stream.batch_size}  # fmt: skip
            torch.save(saved, os.path.join(output_dir, STREAM_STATE_FILE.format(self.args.process_index)))

    def _load_rng_state(self, checkpoint: str | None) -> None:
        super()._load_rng_state(checkpoint)
        if checkpoint is not None and self.is_stream_lm:
            state = load_stream_state(checkpoint, self._train_stream())
            if state is not None:
                self._stream_state["train"] = tuple(tuple(t.to(self.args.device) for t in pair) for pair in state)

    # ---- Classifier batches ----

    def _lengths(self, dataset) -> list[int] | None:
        tokenized = isinstance(dataset, Sequence) or hasattr(dataset, "column_names")
        if dataset is None or not tokenized:
            return None
        return document_lengths(dataset, "classifier")

    def _get_train_sampler(self, train_dataset=None):
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        lengths = self._lengths(dataset) if self.args.sortish_sampling else None
        if lengths is None:
            return super()._get_train_sampler(train_dataset)
        seed = self.args.data_seed if self.args.data_seed is not None else self.args.seed
        return SortishSampler(lengths, self._train_batch_size, seed=seed)

    def _get_eval_sampler(self, eval_dataset):
        lengths = self._lengths(eval_dataset) if self.args.sortish_sampling else None
        return SortedSampler(lengths) if lengths is not None else super()._get_eval_sampler(eval_dataset)

    # ---- Optimizer, schedule, unfreezing ----

    def create_optimizer(self, model=None):
        if self.optimizer is None:
            opt_model = self.accelerator.unwrap_model(model if model is not None else self.model)
            args = self.args
            groups = discriminative_param_groups(
                opt_model, args.learning_rate, args.lr_decay_factor, args.weight_decay, args.wd_bn_bias
            )
            # fastai's Adam: decoupled weight decay (true_wd); parameters without a gradient (frozen) are skipped.
            self.optimizer = torch.optim.AdamW(
                groups, lr=args.learning_rate, betas=(args.adam_beta1, args.adam_beta2), eps=args.adam_epsilon
            )
        return self.optimizer

    def set_initial_training_values(self, args, dataloader):
        values = super().set_initial_training_values(args, dataloader)
        if self._unfreezer is not None:
            self._unfreezer.set_steps_per_epoch(values[1])
        return values

    def create_scheduler(self, num_training_steps, optimizer=None):
        args = self.args
        if self.lr_scheduler is None and args.lr_schedule != "transformers":
            one_cycle = args.lr_schedule == "one_cycle"
            self.lr_scheduler = ULMFiTScheduler(
                optimizer if optimizer is not None else self.optimizer,
                args.lr_schedule,
                num_training_steps,
                stage_starts=self._unfreezer.starts if self._unfreezer is not None else None,
                stage_lr_factors=args.unfreeze_lr_factors,
                restart_per_stage=args.unfreeze_restart_schedule,
                cut_frac=args.stlr_cut_frac,
                ratio=args.stlr_ratio,
                pct_start=args.one_cycle_pct_start,
                div=args.one_cycle_div,
                div_final=args.one_cycle_div_final,
                moms=args.one_cycle_moms if one_cycle else None,
            )
            self._created_lr_scheduler = True
        return super().create_scheduler(num_training_steps, optimizer)

    # ---- Logging ----

    def _get_learning_rate(self) -> float:
        """The top layer group's learning rate (the `learning_rate` argument's); all groups are logged too."""
        by_group = {
            group["layer_group"]: group["lr"] for group in self.optimizer.param_groups if "layer_group" in group
        }
        if not by_group:
            return super()._get_learning_rate()
        self._group_lrs = [by_group[i] for i in sorted(by_group)]
        return self._group_lrs[-1]

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "learning_rate" in logs and self._group_lrs:
            logs.update({f"learning_rate_group_{i}": lr for i, lr in enumerate(self._group_lrs)})
        if "loss" in logs and self._loss_parts_count:
            logs.update({name: float(total) / self._loss_parts_count for name, total in self._loss_parts.items()})
            self._loss_parts, self._loss_parts_count = {}, 0
        super().log(logs, start_time)

    # ---- Checkpoints, whole or not at all ----

    def _get_output_dir(self, trial) -> str:
        return self._checkpoint_staging or super()._get_output_dir(trial)

    def _save_checkpoint(self, model, trial) -> None:
        """`Trainer._save_checkpoint` into a hidden staging folder, renamed to `checkpoint-N` when complete; a
        checkpoint that cannot be written (a full disk) is removed and reported as a `SaveError` naming it (the
        earlier checkpoints are left as they are). Rotation (`save_total_limit`) runs once the new one is in."""
        run_dir = super()._get_output_dir(trial)
        name = f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
        staging, final = os.path.join(run_dir, CHECKPOINT_STAGING.format(name)), os.path.join(run_dir, name)
        if self.args.should_save and os.path.isdir(staging):
            shutil.rmtree(staging)  # left by a run that died while saving this step
        self.accelerator.wait_for_everyone()
        self._checkpoint_staging = staging
        try:
            super()._save_checkpoint(model, trial)
        except (OSError, RuntimeError) as err:  # torch's writer raises RuntimeError on a full disk
            if self.args.should_save:
                shutil.rmtree(staging, ignore_errors=True)
            raise SaveError(f"Could not write {final} ({failure_cause(err, run_dir)}): it is removed, the "
                            "checkpoints before it are intact.") from err
        finally:
            self._checkpoint_staging = None
        self.accelerator.wait_for_everyone()
        if self.args.should_save:
            self._commit_checkpoint(os.path.join(staging, name), final)
            os.rmdir(staging)
            if self._push_pending:
                self._push_pending = False
                super()._push_from_checkpoint(final)
            rotate_checkpoints(output_dir=run_dir, save_total_limit=self.args.save_total_limit,
                               best_model_checkpoint=self.state.best_model_checkpoint, use_mtime=True)  # fmt: skip
        self.accelerator.wait_for_everyone()
        self.checkpoints_written.add(name)

    def _push_from_checkpoint(self, checkpoint_folder: str) -> None:
        if self._checkpoint_staging is not None:  # uploaded once renamed: the upload runs in the background
            self._push_pending = True
            return
        super()._push_from_checkpoint(checkpoint_folder)

    def _commit_checkpoint(self, staged: str, final: str) -> None:
        best = self.state.best_model_checkpoint
        if best is not None and os.path.abspath(best) == os.path.abspath(staged):
            self.state.best_model_checkpoint = final  # the state names the folder where it will be
            self.state.save_to_json(os.path.join(staged, "trainer_state.json"))
        fsync_tree(staged)
        if os.path.isdir(final):  # the same step saved again (a resumed run): the old one goes once this is in
            replace_folder(staged, final)
        else:
            os.replace(staged, final)
        fsync_tree(os.path.dirname(final), recurse=False)

    def _save(self, output_dir: str | None = None, state_dict=None) -> None:
        """`Trainer._save`, with the training arguments as JSON instead of a pickled `training_args.bin`."""
        super()._save(output_dir, state_dict)
        folder = output_dir or self.args.output_dir
        pickled = os.path.join(folder, "training_args.bin")
        if self.args.should_save and os.path.exists(pickled):
            os.remove(pickled)
            with open(os.path.join(folder, "training_args.json"), "w", encoding="utf-8") as f:
                f.write(self.args.to_json_string())

    def create_model_card(
        self,
        language: str | None = "en",
        license: str | None = None,
        tags: str | list[str] | None = None,
        model_name: str | None = None,
        finetuned_from: str | None = None,
        tasks: str | list[str] | None = None,
        dataset_tags: str | list[str] | None = None,
        dataset: str | list[str] | None = None,
        dataset_args: str | list[str] | None = None,
    ) -> None:
        """Write the ULMFiT model card (`model_cards/` templates) to `output_dir/README.md`: architecture, the
        recipe from the training arguments, and the latest evaluation metrics. `Trainer.push_to_hub` calls this
        with its keyword arguments; `tasks` and `dataset_args` are not used by the template."""
        if not self.is_world_process_zero():
            return
        evals = [log for log in self.state.log_history if any(k.startswith("eval_") for k in log)]
        metrics = {k: v for k, v in (evals[-1] if evals else {}).items() if k.startswith("eval_")}
        write_model_card(
            self.args.output_dir, self.model, repo_id=getattr(self, "hub_model_id", None), model_name=model_name,
            base_model=finetuned_from, datasets=_as_list(dataset_tags or dataset), metrics=metrics,
            recipe=recipe_from_args(self.args), language=language, license=license, extra_tags=_as_list(tags),
            domain_adaptation=self.card_notes,
        )  # fmt: skip


__all__ = ["CHECKPOINT_STAGING_GLOB", "ULMFiTTrainer", "discriminative_param_groups", "load_stream_state"]
