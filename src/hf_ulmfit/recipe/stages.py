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
"""What the three ULMFiT stages share: their `HfArgumentParser` dataclasses and the steps the stage scripts in
`examples/` (`pretrain_lm.py`, `finetune_lm.py`, `train_classifier.py`) put together: loading data, a new or
pretrained model and tokenizer, the trainer, and training, evaluating and saving.

Each stage writes a folder that the Auto classes load (also with `trust_remote_code=True`): config, safetensors
weights, tokenizer, model card (README.md), `eval_results.json` and PNG plots of the training curves (and of the
LR finder when asked).
"""

import dataclasses
import logging
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from datasets import Dataset
from transformers import AutoConfig, AutoTokenizer, HfArgumentParser
from transformers.utils import logging as hf_logging

from ..deploy.endpoint_handler import write_endpoint_handler
from ..models.ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTTokenizerFast
from ..training.documents import tokenize_documents
from ..training.lr_finder import find_lr
from ..training.metrics import classification_metrics, compute_lm_metrics, preprocess_lm_logits, regression_metrics
from ..training.plots import save_training_curves
from ..training.token_store import TokenStore
from ..training.trainer import ULMFiTTrainer
from ..training.training_args import ULMFiTTrainingArguments
from ..training.vocabulary import train_subword_tokenizer, train_tokenizer
from ..utils import SaveError, check_saved_folder, read_json
from .saving import (
    STAGING,
    check_free_space,
    check_writable,
    commit_folder,
    new_staging,
    redirected_output,
    rescue,
    write_results,
)
from .text_sources import encode_labels, judge_labels, label_names, load_texts

logger = logging.getLogger(__name__)


@dataclass
class ModelArguments:
    """What to start from and, for a new model, its sizes."""

    model_name_or_path: str | None = field(
        default=None,
        metadata={"help": "Stage 2 and 3: the previous stage's folder (or Hub id). Stage 3 without it trains from "
                  "scratch (the no-pretraining baseline)."},
    )
    embedding_size: int = field(default=400, metadata={"help": "New models: embedding size."})
    hidden_size: int = field(default=1152, metadata={"help": "New models: LSTM hidden size."})
    num_hidden_layers: int = field(default=3, metadata={"help": "New models: number of LSTM layers."})
    drop_mult: float = field(default=0.5, metadata={"help": "Multiplier of all AWD-LSTM dropouts."})
    max_len: int = field(default=1440, metadata={"help": "Classifier: pool over the last max_len tokens."})
    classifier_hidden_sizes: list[int] = field(default_factory=lambda: [50], metadata={"help": "Classifier head."})
    max_vocab: int = field(default=60000, metadata={"help": "New vocabularies: at most this many tokens."})
    min_freq: int = field(default=3, metadata={"help": "New vocabularies: keep tokens seen this often."})
    subword_vocab_size: int | None = field(
        default=None, metadata={"help": "Stage 1: a unigram subword vocabulary of this size instead of words."}
    )
    keep_vocab: bool = field(
        default=False, metadata={"help": "Stage 2: keep the pretrained vocabulary instead of the target corpus's."}
    )
    problem_type: str = field(
        default="single_label_classification",
        metadata={"help": "Stage 3: single_label_classification (a class per text), or regression (a number per "
                  "text: one output, MSE loss, MSE / MAE / Pearson metrics).",
                  "choices": ["single_label_classification", "regression"]},
    )
    lr_find: bool = field(default=False, metadata={"help": "Run the LR finder first and save lr_find.png."})
    overwrite_output_dir: bool = field(
        default=False,
        metadata={"help": "Replace a model already in output_dir, once the new one is saved (docs/errors.md)."},
    )


@dataclass
class DataArguments:
    """Where the text (and labels) come from."""

    train_files: list[str] | None = field(
        default=None, metadata={"help": "Local .txt/.json/.jsonl/.csv/.tsv files (optionally compressed)."}
    )
    validation_files: list[str] | None = field(default=None, metadata={"help": "Local evaluation files."})
    dataset_name: str | None = field(default=None, metadata={"help": "A Hub dataset name or local dataset folder."})
    dataset_config_name: str | None = field(default=None, metadata={"help": "The dataset's configuration."})
    train_split: str = field(default="train", metadata={"help": "Split of dataset_name to train on."})
    validation_split: str | None = field(default=None, metadata={"help": "Split of dataset_name to evaluate on."})
    text_column: str = field(default="text", metadata={"help": "Column holding the text."})
    label_column: str = field(default="label", metadata={"help": "Stage 3: column holding the label."})
    validation_fraction: float = field(
        default=0.1, metadata={"help": "Held out from the training data when no evaluation data is given."}
    )
    max_train_samples: int | None = field(default=None, metadata={"help": "Use at most this many training texts."})
    max_eval_samples: int | None = field(default=None, metadata={"help": "Use at most this many evaluation texts."})
    backwards: bool = field(default=False, metadata={"help": "Read text right to left (backward model)."})
    token_store: str | None = field(
        default=None,
        metadata={"help": "Stages 1 and 2: a corpus tokenized once by examples/tokenize_corpus.py (its train/ and "
                  "validation/ stores and tokenizer), read memory-mapped instead of the text files."},
    )


# The paper's gradual unfreezing for classifiers (`--gradual_unfreezing true`): the head for an epoch, then one more
# layer group per epoch, everything for the last two, each stage at a smaller top rate.
PAPER_UNFREEZE_STAGES, PAPER_UNFREEZE_LR_FACTORS = [1.0, 1.0, 1.0, 2.0], [1.0, 0.5, 0.25, 0.05]


@dataclass
class ClassifierTrainingArguments(ULMFiTTrainingArguments):
    """Stage 3's defaults, the best recipe measured from the shipped LM (docs/transfer.md, docs/replication.md):
    every layer trains from the start for 5 epochs, the top layer group at 2e-2 and each lower one at the rate
    divided by 2.6, STLR, batches of 32, stretched to at least `min_train_steps` optimizer steps. It beat the
    paper's gradual unfreezing on IMDb, SST-2 and TREC-6; `--gradual_unfreezing true` gives the paper's schedule (stages
    1+1+1+2 epochs at 2e-2 x 1, 0.5, 0.25, 0.05) and `--unfreeze_stages` any other."""

    learning_rate: float = field(default=2e-2, metadata={"help": "Learning rate (of the top layer group)."})
    lr_decay_factor: float = field(default=2.6, metadata={"help": "Each lower layer group's LR is divided by this."})
    lr_schedule: str = field(default="stlr", metadata={"help": "stlr, one_cycle or transformers."})
    gradual_unfreezing: bool = field(
        default=False,
        metadata={"help": "The paper's gradual unfreezing: unfreeze_stages 1 1 1 2 and unfreeze_lr_factors 1 0.5 "
                  "0.25 0.05 unless given. Giving unfreeze_stages turns it on too."},
    )
    num_train_epochs: float = field(default=5.0, metadata={"help": "Epochs (without gradual unfreezing)."})
    per_device_train_batch_size: int = field(default=32, metadata={"help": "Documents per training batch."})
    min_train_steps: int = field(
        default=80,
        metadata={"help": "Few labelled texts give few optimizer steps per epoch: every stage (or epoch count) is "
                  "stretched by one whole factor until the run has at least this many steps; 0 turns it off."},
    )

    def __post_init__(self):
        if self.gradual_unfreezing and self.unfreeze_stages is None:
            self.unfreeze_stages = list(PAPER_UNFREEZE_STAGES)
            if self.unfreeze_lr_factors is None:
                self.unfreeze_lr_factors = list(PAPER_UNFREEZE_LR_FACTORS)
        self.gradual_unfreezing = self.unfreeze_stages is not None  # saved training_args say what ran
        super().__post_init__()


def stretch_for_few_examples(training_args: ClassifierTrainingArguments, num_examples: int) -> None:
    """At 100 labelled reviews and batch 32, 5 epochs are 20 optimizer steps, and one draw in three of the paper's
    recipe did not learn (docs/transfer.md); multiply the epochs of every stage by the smallest whole factor that
    gives `min_train_steps` steps. Runs set in steps (`max_steps`, `unfreeze_unit='step'`) are left alone."""
    minimum = getattr(training_args, "min_train_steps", 0)
    if not minimum or training_args.max_steps > 0 or training_args.unfreeze_unit == "step":
        return
    batch = training_args.train_batch_size * training_args.world_size * training_args.gradient_accumulation_steps
    steps = training_args.num_train_epochs * math.ceil(num_examples / batch)
    if steps >= minimum:
        return
    factor = math.ceil(minimum / steps)
    if training_args.unfreeze_stages is not None:
        training_args.unfreeze_stages = [length * factor for length in training_args.unfreeze_stages]
    training_args.num_train_epochs *= factor
    logger.info(f"{num_examples} training texts: {steps:g} optimizer steps < min_train_steps {minimum}; every "
                f"stage {factor}x longer ({training_args.num_train_epochs:g} epochs).")


# The from-scratch baseline's recipe: every layer at one rate with fastai's one-cycle, for twice the ULMFiT
# recipe's epochs (docs/transfer.md).
RANDOM_WEIGHTS_RECIPE = dict(gradual_unfreezing=False, learning_rate=1e-2, lr_schedule="one_cycle",
                             lr_decay_factor=1.0, num_train_epochs=10.0)  # fmt: skip


def as_command_line(options: dict) -> list[str]:
    """`{"learning_rate": 1e-2}` as `["--learning_rate", "0.01"]`."""
    return [item for key, value in options.items() for item in (f"--{key}", str(value).lower()
            if isinstance(value, bool) else str(value))]  # fmt: skip


def parse_stage_args(argv: list[str] | None = None, training_class: type = ULMFiTTrainingArguments,
                     description: str | None = None):
    """`(ModelArguments, DataArguments, training_class)` from the command line, or from one JSON file given as the
    only argument (as transformers' example scripts do); also turns on progress logging. Stage 3 passes
    `ClassifierTrainingArguments` for its own defaults; `description` heads `--help`."""
    argv = sys.argv[1:] if argv is None else argv
    parser = HfArgumentParser((ModelArguments, DataArguments, training_class), description=description)
    if len(argv) == 1 and argv[0].endswith(".json"):
        parsed = parser.parse_json_file(json_file=argv[0])
    else:
        parsed = parser.parse_args_into_dataclasses(args=argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    hf_logging.set_verbosity_warning()
    return parsed


def load_stage_data(data_args: DataArguments, labelled: bool, seed: int) -> tuple[Dataset, Dataset]:
    """Training and evaluation texts (with the label column when `labelled`)."""
    keep = [data_args.label_column] if labelled else []
    column = data_args.text_column
    if data_args.train_files:
        train = load_texts(data_args.train_files, column, keep_columns=keep)
    elif data_args.dataset_name:
        train = load_texts([data_args.dataset_name], column, data_args.train_split, data_args.dataset_config_name,
                           keep)
    else:
        raise ValueError("No training data: pass --train_files or --dataset_name.")
    if data_args.validation_files:
        valid = load_texts(data_args.validation_files, column, keep_columns=keep)
    elif data_args.dataset_name and data_args.validation_split:
        valid = load_texts([data_args.dataset_name], column, data_args.validation_split,
                           data_args.dataset_config_name, keep)
    else:
        split = train.train_test_split(test_size=data_args.validation_fraction, seed=seed)
        train, valid = split["train"], split["test"]
    train, valid = _limit(train, data_args.max_train_samples, seed), _limit(valid, data_args.max_eval_samples, seed)
    return train, valid


def load_token_store(data_args: DataArguments) -> tuple[ULMFiTTokenizerFast, TokenStore, TokenStore]:
    """The tokenizer and the train and validation stores of a folder written by examples/tokenize_corpus.py."""
    folder = Path(data_args.token_store)
    if not (folder / "tokenizer.json").is_file():
        raise ValueError(f"{folder} is not a tokenized corpus: it has no tokenizer.json (examples/tokenize_corpus.py"
                         " writes one).")
    read_json(folder / "tokenizer.json")  # a damaged one: an error naming it, not a bare JSONDecodeError
    tokenizer = AutoTokenizer.from_pretrained(folder)
    train, valid = TokenStore(folder / "train"), TokenStore(folder / "validation")
    if train.vocab_size != len(tokenizer):
        raise ValueError(f"{folder / 'train'} was written for {train.vocab_size} ids, its tokenizer has {len(tokenizer)}.")
    if tokenizer.backwards != data_args.backwards:
        raise ValueError(f"{folder} was tokenized {'backwards' if tokenizer.backwards else 'forwards'}; pass "
                         f"{'--backwards' if tokenizer.backwards else 'no --backwards'} to train on it.")
    return tokenizer, train, valid


def _limit(data: Dataset, n: int | None, seed: int) -> Dataset:
    return data if n is None or n >= len(data) else data.shuffle(seed=seed).select(range(n))


def check_output_dir(training_args: ULMFiTTrainingArguments, overwrite: bool) -> Path:
    """Refuse to write over a saved model unless asked to, and a folder the run could not save into. The old model
    stays as it is until the new one replaces it at the very end (`saving.commit_folder`): a run that fails keeps
    it."""
    out = Path(training_args.output_dir)
    if (out / "config.json").is_file() and not overwrite:
        raise ValueError(f"{out} already holds a saved model; pass --overwrite_output_dir to replace it.")
    out.mkdir(parents=True, exist_ok=True)
    check_writable(out)
    return out


def load_pretrained_lm(path: str) -> tuple[ULMFiTForCausalLM, ULMFiTTokenizerFast]:
    """The language model and tokenizer of a previous stage, with a clear error for anything else."""
    check_saved_folder(path)
    try:
        config = AutoConfig.from_pretrained(path)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is not a saved model folder or Hub model: {error}") from error
    if config.model_type != ULMFiTConfig.model_type:
        raise ValueError(f"{path} holds a {config.model_type!r} model, not a ULMFiT model.")
    return ULMFiTForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def new_tokenizer(texts: Dataset, model_args: ModelArguments, data_args: DataArguments) -> ULMFiTTokenizerFast:
    """A vocabulary built on `texts`: fastai's word vocabulary, or a unigram subword one."""
    options = {"text_column": data_args.text_column, "backwards": data_args.backwards}
    if model_args.subword_vocab_size:
        return train_subword_tokenizer(texts, vocab_size=model_args.subword_vocab_size, **options)
    return train_tokenizer(texts, min_freq=model_args.min_freq, max_vocab=model_args.max_vocab, **options)


def train_all_groups_at_one_rate(training_args: ULMFiTTrainingArguments) -> None:
    """Discriminative learning rates and gradual unfreezing protect what pretrained layers know; a model trained
    from random weights trains every layer group from the start at `learning_rate` (as the paper's stage 1 and the
    no-pretraining baseline do). A classifier from random weights takes the from-scratch baseline's recipe
    (`RANDOM_WEIGHTS_RECIPE`) for every field left at stage 3's default, so the script, the demo and the reports
    train the same baseline."""
    if isinstance(training_args, ClassifierTrainingArguments):
        defaults = {f.name: f.default for f in dataclasses.fields(ClassifierTrainingArguments)}
        for key, value in RANDOM_WEIGHTS_RECIPE.items():
            if getattr(training_args, key) == defaults[key] != value:
                logger.info(f"Training from scratch: {key} {getattr(training_args, key)} -> {value} (the baseline's).")
                setattr(training_args, key, value)
    if training_args.lr_decay_factor != 1.0:
        logger.info(f"Training from scratch: lr_decay_factor {training_args.lr_decay_factor} -> 1 (one learning rate).")
        training_args.lr_decay_factor = 1.0
    if training_args.unfreeze_stages is not None:
        logger.info(f"Training from scratch: no gradual unfreezing; {training_args.num_train_epochs:g} epochs.")
        training_args.unfreeze_stages = training_args.unfreeze_lr_factors = None
        if isinstance(training_args, ClassifierTrainingArguments):
            training_args.gradual_unfreezing = False


def new_config(model_args: ModelArguments, data_args: DataArguments, vocab_size: int,
               bptt: int | None = None) -> ULMFiTConfig:
    """A language model's configuration for a new vocabulary, with the sizes of `model_args`."""
    return ULMFiTConfig(
        vocab_size=vocab_size, embedding_size=model_args.embedding_size, hidden_size=model_args.hidden_size,
        num_hidden_layers=model_args.num_hidden_layers, drop_mult=model_args.drop_mult,
        bptt=bptt or ULMFiTConfig.bptt, max_len=model_args.max_len, backwards=data_args.backwards,
    )  # fmt: skip


def check_direction(config: ULMFiTConfig, data_args: DataArguments) -> None:
    """A pretrained model continues in the direction it reads (`--backwards` or not)."""
    if config.backwards != data_args.backwards:
        raise ValueError(
            f"The pretrained model reads text {'backwards' if config.backwards else 'forwards'}; pass "
            f"{'--backwards' if config.backwards else 'no --backwards'} to continue it."
        )


def task_labels(train: Dataset, model_args: ModelArguments, data_args: DataArguments) -> list[str]:
    """The classes of the training data in id order (`[label_column]`, one output, for a regression), once
    `judge_labels` has found that they can make the model asked for."""
    regression = model_args.problem_type == "regression"
    judge_labels(train, data_args.label_column, data_args.train_files or [data_args.dataset_name], regression)
    return [data_args.label_column] if regression else label_names(train, data_args.label_column)


def classifier_fields(model_args: ModelArguments, training_args: ULMFiTTrainingArguments,
                      labels: list[str]) -> dict:
    """The configuration fields of a classifier for `labels` (or of a regression, `model_args.problem_type`):
    head sizes, dropouts, pooling span, chunk length."""
    fields = dict(
        num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
        problem_type=model_args.problem_type, drop_mult=model_args.drop_mult, max_len=model_args.max_len,
        classifier_hidden_sizes=model_args.classifier_hidden_sizes,
        classifier_dropouts=[0.1] * len(model_args.classifier_hidden_sizes),
    )  # fmt: skip
    if training_args.bptt:  # otherwise the pretrained model's (or the default) chunk length
        fields["bptt"] = training_args.bptt
    return fields


def lm_trainer(model, tokenizer, training_args, train: Dataset | TokenStore, valid: Dataset | TokenStore | None,
               text_column: str) -> ULMFiTTrainer:
    """A trainer for a language model on the token stream of `train`, evaluated on `valid` (perplexity, accuracy)
    when given; texts are tokenized here, token stores are read as they are."""
    train, valid = (data if data is None or isinstance(data, TokenStore) else
                    tokenize_documents(data, tokenizer, text_column) for data in (train, valid))  # fmt: skip
    return ULMFiTTrainer(
        model=model, args=training_args, train_dataset=train, eval_dataset=valid,
        processing_class=tokenizer, compute_metrics=compute_lm_metrics,
        preprocess_logits_for_metrics=preprocess_lm_logits,
    )  # fmt: skip


def classifier_trainer(model, tokenizer, training_args, train: Dataset, valid: Dataset,
                       data_args: DataArguments) -> ULMFiTTrainer:
    """A trainer for a classifier on labelled texts, evaluated with accuracy and F1 (a regression: MSE, MAE and
    Pearson's r); labels the model does not know are an error that names them."""
    label2id, regression = model.config.label2id, model.config.problem_type == "regression"

    def encode(data: Dataset, name: str) -> Dataset:
        data = encode_labels(data, data_args.label_column, label2id, name, regression)
        return data.map(lambda b: tokenizer(b[data_args.text_column]), batched=True,
                        remove_columns=[data_args.text_column])

    return ULMFiTTrainer(
        model=model, args=training_args, train_dataset=encode(train, "training"),
        eval_dataset=encode(valid, "evaluation"), processing_class=tokenizer,
        compute_metrics=regression_metrics if regression else classification_metrics(("accuracy", "f1")),
    )  # fmt: skip


def train_evaluate_save(trainer: ULMFiTTrainer, model_args: ModelArguments, data_args: DataArguments,
                        out: Path) -> dict[str, float]:
    """LR finder (optional), training (resumed from `--resume_from_checkpoint` when given), evaluation, then model,
    tokenizer, card, plots and metrics staged and moved into `out` together (`saving`), and uploaded with
    `push_to_hub`. The plots can fail without costing the model; a failed save (or checkpoint) saves the trained
    weights elsewhere and says where."""
    check_free_space(out, trainer.model, trainer.args)
    writer = trainer.args.should_save  # under torchrun one process writes the folder; the others take part in saving
    staging = new_staging(out) if writer else out / STAGING
    try:
        if model_args.lr_find:
            result = find_lr(trainer, plot_path=str(staging / "lr_find.png"))
            logger.info(f"LR finder: valley {result.valley:.2e}, steepest {result.steepest:.2e} (lr_find.png)")
        try:
            trainer.train(resume_from_checkpoint=trainer.args.resume_from_checkpoint)
        except SaveError as err:  # a checkpoint could not be written: the weights trained so far are kept
            raise rescue(trainer, out, err) from err
        try:
            metrics = trainer.evaluate()
            trainer.log_metrics("eval", metrics)
            save_stage_folder(trainer, staging, metrics, model_args, data_args)
            if writer:
                replacing = model_args.overwrite_output_dir and not trainer.args.resume_from_checkpoint
                commit_folder(staging, out, trainer.checkpoints_written if replacing else None)
        except Exception as err:  # the model is trained: whatever failed, it is not lost
            raise rescue(trainer, out, err) from err
    finally:
        if writer:
            shutil.rmtree(staging, ignore_errors=True)
    return metrics


def save_stage_folder(trainer: ULMFiTTrainer, staging: Path, metrics: dict[str, float], model_args: ModelArguments,
                      data_args: DataArguments) -> None:
    """Metrics, plots, model, tokenizer and card into `staging` (and the Hub, which gets exactly that folder)."""
    card = {"finetuned_from": model_args.model_name_or_path, "dataset": data_names(data_args)}
    if trainer.args.should_save:
        write_results(staging, metrics)
        plot_training_curves(trainer, staging)
        write_endpoint_handler(trainer.model, staging)  # Inference Endpoints' handler.py, uploaded with the model
    with redirected_output(trainer, staging):
        if trainer.args.push_to_hub:
            trainer.push_to_hub(model_name=trainer.hub_model_id.split("/")[-1], **card)  # saves, then uploads
        else:
            trainer.save_model()
            trainer.create_model_card(**card)


def plot_training_curves(trainer: ULMFiTTrainer, out: Path) -> None:
    """training_curves.png, or a log line: a plot is never worth the trained model."""
    try:
        save_training_curves(trainer.state.log_history, out / "training_curves.png")
    except ImportError:
        logger.warning(f"matplotlib is not installed: no training_curves.png in {out} (the model is saved).")
    except Exception:  # noqa: BLE001 - whatever breaks in plotting
        logger.exception(f"Could not draw {out / 'training_curves.png'} (the model is saved).")


def data_names(data_args: DataArguments) -> list[str]:
    """What the model card names as the training data: the Hub dataset, or the training files."""
    if data_args.dataset_name:
        return [data_args.dataset_name]
    return [Path(f).name for f in data_args.train_files or []]
