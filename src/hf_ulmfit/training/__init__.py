"""The ULMFiT recipe as a `transformers.Trainer`: arguments, trainer, the data it reads (token stream, length-grouped
batches), schedules, gradual unfreezing, metrics, LR finder, vocabulary building and transfer, training plots."""

from .callbacks import GradualUnfreezingCallback, freeze_to
from .classifier_batches import ClassifierCollator, SortedSampler, SortishSampler
from .documents import tokenize_documents
from .lm_stream import LMStreamDataset
from .lr_finder import LRFinderResult, find_lr
from .metrics import classification_metrics, compute_lm_metrics, preprocess_lm_logits
from .schedules import ULMFiTScheduler, one_cycle_momentum, one_cycle_multiplier, stlr_multiplier
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
