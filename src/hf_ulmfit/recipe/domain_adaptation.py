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
"""Stage 2 inside stage 3: before a classifier is trained from a pretrained LM, the LM's vocabulary is extended
with the task's frequent words and the LM is fine-tuned briefly on the task's texts (docs/transfer.md).

A word the LM never saw is `xxunk` to it, and stage 3 keeps the LM's vocabulary: the classifier cannot tell such
words apart, while TF-IDF and fastText use every word of the training set. The share of unknown tokens is measured
first; the adaptation follows fastai's rule for target vocabularies (frequent words kept with a minimum count, new
rows at the mean embedding, the tied decoder with them), then a short target-task LM fine-tuning (the new rows
first, then every layer) on the labelled texts and any unlabelled `--lm_files`.
"""

import logging
import math
import tempfile
import time
from dataclasses import dataclass, field

from datasets import Dataset, concatenate_datasets

from ..models.ulmfit import ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTTokenizerFast
from ..models.ulmfit.tokenization_ulmfit import FAKE
from ..training.training_args import ULMFiTTrainingArguments
from ..training.vocab_transfer import transfer_vocab
from ..training.vocabulary import count_tokens, extend_tokenizer, unknown_share
from .stages import ClassifierTrainingArguments, DataArguments, ModelArguments, lm_trainer
from .text_sources import load_texts

logger = logging.getLogger(__name__)

MODES = ("auto", "off", "vocab", "lm", "both")


@dataclass
class DomainAdaptedClassifierArguments(ClassifierTrainingArguments):
    """Stage 3's arguments with the domain adaptation before it (the defaults of `ulmfit train-classifier`)."""

    domain_adaptation: str = field(
        default="auto",
        metadata={"help": "From a pretrained LM: 'both' extends the vocabulary with the task's words and fine-tunes "
                  "the LM on the task's texts first, 'vocab' or 'lm' does one of them, 'off' neither; 'auto' is "
                  "'both' when at least adapt_min_unknown_share of the training tokens are unknown to the LM.",
                  "choices": list(MODES)},
    )  # fmt: skip
    # The shipped LM reads 3.4-4.0% of IMDb's labelled draws as xxunk, 7.1% of SST-2's and TREC-6's, 12.7% of
    # MPQA's (docs/transfer.md): the bar keeps in-domain IMDb as measured and adapts the three others.
    adapt_min_unknown_share: float = field(
        default=0.05, metadata={"help": "'auto' adapts from this share of unknown training tokens up."}
    )
    lm_files: list[str] | None = field(
        default=None, metadata={"help": "Unlabelled texts of the task's domain for the LM fine-tuning (never test text)."}
    )
    adapt_lm_epochs: list[float] = field(
        default_factory=lambda: [1.0, 4.0],
        metadata={"help": "LM fine-tuning: epochs training the embeddings and decoder alone (the new rows), then "
                  "every layer; stretched or cut to adapt_lm_min_steps..adapt_lm_max_steps optimizer steps."},
    )  # fmt: skip
    adapt_lm_min_steps: int = field(default=100, metadata={"help": "LM fine-tuning: at least this many steps."})
    adapt_lm_max_steps: int = field(default=600, metadata={"help": "LM fine-tuning: at most this many steps."})
    adapt_lm_learning_rate: float = field(
        default=2e-2, metadata={"help": "LM fine-tuning: the top group's rate; every layer then trains at a tenth."}
    )
    adapt_lm_drop_mult: float = field(default=0.3, metadata={"help": "LM fine-tuning: multiplier of the dropouts."})
    adapt_lm_batch_size: int = field(default=32, metadata={"help": "LM fine-tuning: rows of bptt tokens a batch."})

    def __post_init__(self):
        if self.domain_adaptation not in MODES:
            raise ValueError(f"--domain_adaptation must be one of {', '.join(MODES)}, got {self.domain_adaptation!r}.")
        if len(self.adapt_lm_epochs) != 2 or min(self.adapt_lm_epochs) <= 0:
            raise ValueError(f"--adapt_lm_epochs takes two epoch counts > 0 (embeddings alone, then every layer), "
                             f"got {self.adapt_lm_epochs}.")  # fmt: skip
        if not 0 < self.adapt_lm_min_steps <= self.adapt_lm_max_steps:
            raise ValueError(f"Need 0 < --adapt_lm_min_steps <= --adapt_lm_max_steps, got {self.adapt_lm_min_steps} "
                             f"and {self.adapt_lm_max_steps}.")  # fmt: skip
        super().__post_init__()


def adapt_to_domain(lm: ULMFiTForCausalLM, tokenizer: ULMFiTTokenizerFast, train: Dataset,
                    model_args: ModelArguments, data_args: DataArguments,
                    args: DomainAdaptedClassifierArguments) -> tuple[ULMFiTTokenizerFast, dict]:
    """Measures the share of `train`'s tokens unknown to `tokenizer`, then adapts `lm` (in place) as
    `args.domain_adaptation` says (nothing for other classifier arguments); returns the tokenizer the classifier
    reads with and what was done (for the logs, the card and result rows)."""
    started = time.perf_counter()
    column = data_args.text_column
    counts = train_counts = count_tokens(train, tokenizer.backend_tokenizer, num_proc=1, text_column=column,
                                         show_progress=False)  # fmt: skip
    known = tokenizer.get_vocab()  # a new dict at every call of tokenizer.vocab: taken once
    report = {"unknown_token_share": round(unknown_share(train_counts, known), 4)}
    mode = args.domain_adaptation if isinstance(args, DomainAdaptedClassifierArguments) else "off"
    if mode == "auto":
        mode = "both" if report["unknown_token_share"] >= args.adapt_min_unknown_share else "off"
    report["domain_adaptation"] = mode
    if mode == "off":
        logger.info(f"Domain adaptation: {report}")
        return tokenizer, report
    texts = train.select_columns([column])
    if args.lm_files:  # the vocabulary and the LM fine-tuning read every text the LM is given
        unlabelled = load_texts(args.lm_files, column)
        texts = concatenate_datasets([texts, unlabelled.select_columns([column])])
        more = count_tokens(unlabelled, tokenizer.backend_tokenizer, num_proc=1, text_column=column,
                            show_progress=False)  # fmt: skip
        counts = {token: counts.get(token, 0) + more.get(token, 0) for token in {**counts, **more}}
    word_level = type(tokenizer.backend_tokenizer.model).__name__ == "WordLevel"
    if mode in ("vocab", "both") and word_level:
        extended = extend_tokenizer(tokenizer, counts, min_freq=model_args.min_freq, max_vocab=model_args.max_vocab)
        transfer_vocab(lm, tokenizer.convert_ids_to_tokens(range(len(tokenizer))),
                       extended.convert_ids_to_tokens(range(len(extended))))  # fmt: skip
        now_known = extended.get_vocab()
        report["new_tokens"] = sum(t not in known and not t.startswith(FAKE) for t in now_known)
        tokenizer = extended  # the same rules: the words counted before are the words now
        report["unknown_token_share_after"] = round(unknown_share(train_counts, now_known), 4)
    if mode in ("lm", "both"):
        report.update(finetune_on_task(lm, tokenizer, texts, column, sum(counts.values()), args))
    report["adaptation_s"] = round(time.perf_counter() - started, 1)
    logger.info(f"Domain adaptation: {report}")
    return tokenizer, report


def finetune_on_task(lm: ULMFiTForCausalLM, tokenizer: ULMFiTTokenizerFast, texts: Dataset, column: str,
                     num_tokens: int, args: DomainAdaptedClassifierArguments) -> dict:
    """A short stage 2 (`recipe.stages.lm_trainer`) on `texts` (about `num_tokens` tokens): the top layer group
    (embeddings and tied decoder, where new rows are) at `adapt_lm_learning_rate`, then every layer at a tenth of
    it with discriminative rates, STLR, for `lm_steps` optimizer steps."""
    bptt = lm.config.bptt
    rows = min(args.adapt_lm_batch_size, num_tokens // (2 * bptt))  # a few short texts fill fewer rows
    if rows < 1:
        logger.warning(f"The task's texts hold {num_tokens} tokens, too few for one LM batch: no LM fine-tuning.")
        return {"lm_steps": 0}
    steps = lm_steps(math.ceil(num_tokens / (rows * bptt)), args)
    lm.config.drop_mult = args.adapt_lm_drop_mult
    with tempfile.TemporaryDirectory() as scratch:  # nothing of this stage is saved but the encoder it trains
        lm_args = ULMFiTTrainingArguments(
            output_dir=scratch, seed=args.seed, bf16=args.bf16, use_cpu=args.use_cpu, report_to="none",
            disable_tqdm=args.disable_tqdm, save_strategy="no", eval_strategy="no", logging_steps=10,
            per_device_train_batch_size=rows, learning_rate=args.adapt_lm_learning_rate,
            lr_decay_factor=args.lr_decay_factor, lr_schedule="stlr", max_grad_norm=args.max_grad_norm,
            unfreeze_unit="step", unfreeze_stages=[float(s) for s in steps], unfreeze_lr_factors=[1.0, 0.1],
        )  # fmt: skip
        result = lm_trainer(lm, tokenizer, lm_args, texts, None, column).train()
    return {"lm_steps": sum(steps), "lm_train_loss": round(result.training_loss, 4)}


def classifier_from_lm(lm: ULMFiTForCausalLM, fields: dict) -> ULMFiTForSequenceClassification:
    """A classifier on `lm`'s encoder as it is in memory, with a new head and fastai's classifier dropouts (what
    `ULMFiTForSequenceClassification.from_pretrained` makes of a saved LM), `fields` set in its configuration."""
    model = ULMFiTForSequenceClassification(lm.config.for_classifier(**fields))
    model.ulmfit.load_state_dict(lm.ulmfit.state_dict())
    return model


def lm_steps(steps_per_epoch: int, args: DomainAdaptedClassifierArguments) -> list[int]:
    """Optimizer steps of the two LM stages: `adapt_lm_epochs` scaled as a whole into
    `adapt_lm_min_steps..adapt_lm_max_steps` (a few short texts give few steps an epoch; many unlabelled ones,
    too many for a step before the classifier)."""
    wanted = [epochs * steps_per_epoch for epochs in args.adapt_lm_epochs]
    total = sum(wanted)
    scale = min(max(1.0, args.adapt_lm_min_steps / total), args.adapt_lm_max_steps / total)
    return [max(1, math.ceil(steps * scale)) for steps in wanted]


__all__ = ["DomainAdaptedClassifierArguments", "adapt_to_domain", "classifier_from_lm", "finetune_on_task", "lm_steps"]
