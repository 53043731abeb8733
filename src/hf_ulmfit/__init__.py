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
"""hf_ulmfit: ULMFiT (AWD-LSTM transfer learning) as Hugging Face transformers models.

Rooms, bottom to top (a room imports only the ones below it; docs/architecture.md draws them):
    models/ulmfit/  configuration, modeling, tokenization: the files copied into every saved folder
    model_card.py, utils.py   shared by the rooms above
    training/       ULMFiTTrainer and what it needs: arguments, data, schedules, unfreezing, metrics, LR finder
    conversion/     fastai weights, vocabularies and SentencePiece models into saved folders
    deploy/         ONNX export, batch inference and ensembles of saved folders
    interpretation/ per-word importance of a classifier's prediction, HTML pages and evaluation reports
    recipe/         the three ULMFiT stages over files or Hub datasets
"""

import importlib

from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    AutoTokenizer,
)

from .models.ulmfit import (
    LSTMState,
    ULMFiTCausalLMOutput,
    ULMFiTConfig,
    ULMFiTForCausalLM,
    ULMFiTForSequenceClassification,
    ULMFiTModel,
    ULMFiTModelOutput,
    ULMFiTPreTrainedModel,
    ULMFiTSequenceClassifierOutput,
    ULMFiTTokenizerFast,
)

# The training names load on first use, as transformers' own top-level names do: inference (the models, Auto
# classes, pipelines) never pays for the trainer, datasets or accelerate (tests/test_package.py checks it).
_TRAINING_NAMES = (
    "ClassifierCollator",
    "GradualUnfreezingCallback",
    "LMStreamDataset",
    "LRFinderResult",
    "SortedSampler",
    "SortishSampler",
    "TokenStore",
    "ULMFiTScheduler",
    "ULMFiTTrainer",
    "ULMFiTTrainingArguments",
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
)

def __getattr__(name: str):
    if name in _TRAINING_NAMES:
        value = getattr(importlib.import_module(".training", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_TRAINING_NAMES})


# In-process Auto classes, and auto_map + copied source files in saved folders (for trust_remote_code).
AutoConfig.register(ULMFiTConfig.model_type, ULMFiTConfig, exist_ok=True)
AutoModel.register(ULMFiTConfig, ULMFiTModel, exist_ok=True)
AutoModelForCausalLM.register(ULMFiTConfig, ULMFiTForCausalLM, exist_ok=True)
AutoModelForSequenceClassification.register(ULMFiTConfig, ULMFiTForSequenceClassification, exist_ok=True)
ULMFiTConfig.register_for_auto_class()
ULMFiTModel.register_for_auto_class("AutoModel")
ULMFiTForCausalLM.register_for_auto_class("AutoModelForCausalLM")
ULMFiTForSequenceClassification.register_for_auto_class("AutoModelForSequenceClassification")
AutoTokenizer.register(ULMFiTConfig, fast_tokenizer_class=ULMFiTTokenizerFast, exist_ok=True)

__all__ = [
    "ULMFiTTokenizerFast",
    "ULMFiTConfig",
    "ULMFiTPreTrainedModel",
    "ULMFiTModel",
    "ULMFiTForCausalLM",
    "ULMFiTForSequenceClassification",
    "ULMFiTModelOutput",
    "ULMFiTCausalLMOutput",
    "ULMFiTSequenceClassifierOutput",
    "LSTMState",
    *_TRAINING_NAMES,
]
