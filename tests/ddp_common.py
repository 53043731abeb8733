"""Tiny models, tokenizer and corpora shared by the trainer tests and the torchrun scripts they launch."""

import random

import torch
from datasets import Dataset
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification

SPECIALS = ["xxunk", "xxpad", "xxbos", "xxeos"]
WORDS = [f"w{i}" for i in range(40)]


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    """WordLevel + whitespace with fastai's specials at ids 0-3 (xxunk, xxpad, xxbos, xxeos)."""
    vocab = {token: i for i, token in enumerate(SPECIALS + WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="xxunk"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="xxunk", pad_token="xxpad", bos_token="xxbos", eos_token="xxeos"
    )


def tiny_config(**overrides) -> ULMFiTConfig:
    values = {
        "vocab_size": len(SPECIALS) + len(WORDS),
        "embedding_size": 8,
        "hidden_size": 12,
        "num_hidden_layers": 3,
        "bptt": 6,
        "max_len": 24,
    }
    return ULMFiTConfig(**{**values, **overrides})


def tiny_lm(seed: int = 0, **overrides) -> ULMFiTForCausalLM:
    torch.manual_seed(seed)
    return ULMFiTForCausalLM(tiny_config(**overrides))


def tiny_classifier(seed: int = 0, **overrides) -> ULMFiTForSequenceClassification:
    torch.manual_seed(seed)
    return ULMFiTForSequenceClassification(tiny_config(num_labels=2, **overrides).for_classifier())


def lm_documents(num_docs: int = 24, seed: int = 0) -> Dataset:
    """Documents of ids (xxbos first) of varied lengths; document d holds consecutive word ids from a random start."""
    rng = random.Random(seed)
    docs = []
    for _ in range(num_docs):
        start, length = rng.randrange(len(WORDS)), rng.randrange(5, 30)
        docs.append([2] + [4 + (start + k) % len(WORDS) for k in range(length)])
    return Dataset.from_dict({"input_ids": docs})


def lm_store(path, num_docs: int = 24, seed: int = 0):
    """`lm_documents` written as a token store (the way examples/tokenize_corpus.py writes one), in chunks of 5."""
    import numpy as np

    from hf_ulmfit.training.token_store import write_token_store

    docs = lm_documents(num_docs, seed)["input_ids"]
    chunks = ((np.concatenate(docs[i : i + 5]), [len(d) for d in docs[i : i + 5]]) for i in range(0, len(docs), 5))
    return write_token_store(path, chunks, tiny_config().vocab_size, bos_token_id=2)


def classifier_documents(num_docs: int = 32, seed: int = 0) -> Dataset:
    """Label 1 documents use the upper half of the words, label 0 the lower half."""
    rng = random.Random(seed)
    ids, labels = [], []
    for _ in range(num_docs):
        label = rng.randrange(2)
        words = range(4 + 20 * label, 24 + 20 * label)
        ids.append([2] + [rng.choice(words) for _ in range(rng.randrange(3, 40))])
        labels.append(label)
    return Dataset.from_dict({"input_ids": ids, "label": labels})
