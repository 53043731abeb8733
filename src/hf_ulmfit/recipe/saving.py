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
"""A stage's final folder, saved so that nothing trained is lost and nothing half-written looks finished.

Everything the stage writes (weights, config, tokenizer, model code, card, plots, results) goes first into
`OUTPUT_DIR/.hf_ulmfit-saving/`, on the same file system as the folder. Only when all of it is written and flushed
is it renamed into the folder, file by file (renames need no space and cannot half-happen), the results last: the
old model, if any, is replaced at that point and not before. The results files are removed first, so a folder
caught in the middle of that never looks finished. When saving fails the trained weights are saved again
elsewhere (the system's temporary folder) and the error names where (`rescue`)."""

import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..training.trainer import CHECKPOINT_STAGING_GLOB
from ..utils import SaveError, failure_cause, fsync_tree

logger = logging.getLogger(__name__)

STAGING = ".hf_ulmfit-saving"
# What a stage writes into output_dir: a new model replaces these, so the folder holds exactly the new model.
MODEL_FILES = (
    "config.json", "generation_config.json", "model.safetensors", "model.safetensors.index.json", "model-*.safetensors",
    "pytorch_model*.bin", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "*_ulmfit.py",
    "README.md", "training_args.bin", "training_args.json", "training_curves.png", "lr_find.png",
    "eval_results.json", "train_results.json", "all_results.json", "trainer_state.json",
)  # fmt: skip
RESULT_FILES = ("eval_results.json", "train_results.json", "all_results.json")  # written last: "this run finished"
MARGIN = 8 << 20  # tokenizer, card, plots and model code, generously


def check_writable(folder: Path) -> None:
    """A clear error now, not after training, for a folder the run could not save into."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".hf_ulmfit-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise ValueError(f"{folder} is not writable ({err.strerror or err}): the model could not be saved there; "
                         "choose another --output_dir.") from None


def bytes_needed(model, training_args) -> int:
    """About how much the run writes at least: the final weights, and one checkpoint (weights and AdamW's two
    moments) when it checkpoints."""
    weights = sum(t.numel() * t.element_size() for t in (*model.parameters(), *model.buffers()))
    checkpoint = 3 * weights + MARGIN if training_args.save_strategy != "no" else 0
    return weights + MARGIN + checkpoint


def check_free_space(folder: Path, model, training_args) -> None:
    """Refuse before training a folder whose disk cannot hold what the run will save."""
    need, free = bytes_needed(model, training_args), shutil.disk_usage(folder).free
    if free < need:
        raise ValueError(f"{folder} has {megabytes(free)} free; this run saves about {megabytes(need)} (the model"
                         f"{' and a checkpoint with its optimizer state' if training_args.save_strategy != 'no' else ''}"
                         "): free some space or choose another --output_dir.")


def megabytes(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def new_staging(out: Path) -> Path:
    """The empty folder the final model is built in, inside `out`. The lock is held: anything staged that is
    already there was left by a run that died, and is removed."""
    clear_leftovers(out)
    staging = out / STAGING
    staging.mkdir()
    return staging


def clear_leftovers(out: Path) -> None:
    for path in [out / STAGING, *out.glob(CHECKPOINT_STAGING_GLOB)]:
        if path.is_dir():
            logger.warning(f"Removing {path}, left half-written by a run that died.")
            shutil.rmtree(path)


@contextmanager
def redirected_output(trainer, folder: Path):
    """The trainer's `output_dir` is `folder` inside the block: `save_model`, `create_model_card` and
    `push_to_hub` write (and upload) the staged folder, never the live one."""
    saved = trainer.args.output_dir
    trainer.args.output_dir = str(folder)
    try:
        yield
    finally:
        trainer.args.output_dir = saved


def write_results(folder: Path, metrics: dict, split: str = "eval") -> None:
    """`{split}_results.json`, as `Trainer.save_metrics` writes it."""
    (folder / f"{split}_results.json").write_text(json.dumps(metrics, indent=4, sort_keys=True))


def commit_folder(staging: Path, out: Path, drop_checkpoints_except: set[str] | None = None) -> None:
    """Move the complete staged folder into `out`: results files out first, then every other staged file in (each
    rename replaces the old file of that name), the old model's other files away, then the results.
    `drop_checkpoints_except` (a set of names) also removes the old `checkpoint-*` folders not in it."""
    fsync_tree(staging)
    names = sorted(p.name for p in staging.iterdir())
    results = [name for name in names if name in RESULT_FILES]
    for name in RESULT_FILES:
        (out / name).unlink(missing_ok=True)
    for name in names:
        if name not in results:
            os.replace(staging / name, out / name)
    for pattern in MODEL_FILES:
        for path in out.glob(pattern):
            if path.name not in names and path.is_file():
                path.unlink()
    if drop_checkpoints_except is not None:
        for path in out.glob("checkpoint-*"):
            if path.is_dir() and path.name not in drop_checkpoints_except:
                shutil.rmtree(path)
    for name in results:
        os.replace(staging / name, out / name)
    staging.rmdir()
    fsync_tree(out, recurse=False)


def rescue(trainer, out: Path, error: BaseException) -> SaveError:
    """Save the trained model and tokenizer in a new folder of the system's temporary folder (else beside `out`)
    after the save into `out` failed with `error`; the error to raise names where they are."""
    if not trainer.args.should_save:  # the process that writes (rank 0) rescues
        return SaveError(f"Could not save the model in {out} ({failure_cause(error, out)}).")
    shutil.rmtree(out / STAGING, ignore_errors=True)  # a partial save may be what filled the disk
    cause = failure_cause(error, out)
    last = None
    for parent in (tempfile.gettempdir(), out.parent):
        folder = None
        try:
            folder = Path(tempfile.mkdtemp(prefix=f"hf_ulmfit-rescued-{out.name}-", dir=parent))
            trainer.model.save_pretrained(folder)
            if trainer.processing_class is not None:
                trainer.processing_class.save_pretrained(folder)
        except Exception as err:  # noqa: BLE001 - whatever stops this save too, try the next place
            last = err
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        return SaveError(f"Could not save the model in {out} ({cause}); the trained weights and tokenizer are "
                         f"saved in {folder} instead: load them from there or move them into place.")
    return SaveError(f"Could not save the model in {out} ({cause}) nor anywhere else ({failure_cause(last, out.parent)}): "
                     "only the checkpoints already in the folder, if any, remain.")


__all__ = ["MODEL_FILES", "RESULT_FILES", "STAGING", "SaveError", "bytes_needed", "check_free_space",
           "check_writable", "commit_folder", "new_staging", "redirected_output", "rescue", "write_results"]
