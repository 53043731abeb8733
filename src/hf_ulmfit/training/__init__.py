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
"""The ULMFiT recipe as a `transformers.Trainer`: arguments, trainer, the data it reads (token stream, length-grouped
batches), schedules, gradual unfreezing, metrics, LR finder, vocabulary building and transfer, training plots."""

from .callbacks import GradualUnfreezingCallback, freeze_to
from .classifier_batches import ClassifierCollator, SortedSampler, SortishSampler
from .documents import tokenize_documents
from .lm_stream import LMStreamDataset
from .lr_finder import LRFinderResult, find_lr
from .metrics import classification_metrics, compute_lm_metrics, preprocess_lm_logits
from .schedules import ULMFiTScheduler, one_cycle_momentum, one_cycle_multiplier, stlr_multiplier
from .token_store import TokenStore, write_token_store
from .trainer import ULMFiTTrainer, discriminative_param_groups
from .training_args import ULMFiTTrainingArguments
from .vocab_transfer import transfer_vocab
from .vocabulary import train_subword_tokenizer, train_tokenizer

__all__ = [
    "ULMFiTTrainer",
    "ULMFiTTrainingArguments",
    "ULMFiTScheduler",
    "GradualUnfreezingCallback",
    "LMStreamDataset",
    "TokenStore",
    "write_token_store",
    "SortishSampler",
    "SortedSampler",
    "ClassifierCollator",
    "LRFinderResult",
    "classification_metrics",
    "compute_lm_metrics",
    "discriminative_param_groups",
    "find_lr",
    "freeze_to",
    "one_cycle_momentum",
    "one_cycle_multiplier",
    "preprocess_lm_logits",
    "stlr_multiplier",
    "tokenize_documents",
    "train_subword_tokenizer",
    "train_tokenizer",
    "transfer_vocab",
]
