"""hf_ulmfit: ULMFiT (AWD-LSTM transfer learning) as Hugging Face transformers models."""

from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    AutoTokenizer,
)

from .callbacks import GradualUnfreezingCallback, freeze_to
from .configuration_ulmfit import ULMFiTConfig
from .data import ClassifierCollator, LMStreamDataset, SortedSampler, SortishSampler, tokenize_documents
from .lr_finder import LRFinderResult, find_lr
from .metrics import classification_metrics, compute_lm_metrics, preprocess_lm_logits
from .modeling_ulmfit import (
    ULMFiTCausalLMOutput,
    ULMFiTForCausalLM,
    ULMFiTForSequenceClassification,
    ULMFiTModel,
    ULMFiTModelOutput,
    ULMFiTPreTrainedModel,
)
from .schedules import ULMFiTScheduler, one_cycle_momentum, one_cycle_multiplier, stlr_multiplier
from .tokenization_ulmfit import ULMFiTTokenizerFast
from .trainer import ULMFiTTrainer, discriminative_param_groups
from .training_args import ULMFiTTrainingArguments
from .vocab_transfer import transfer_vocab

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
    "ULMFiTTrainer",
    "ULMFiTTrainingArguments",
    "ULMFiTScheduler",
    "GradualUnfreezingCallback",
    "LMStreamDataset",
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
    "transfer_vocab",
]
