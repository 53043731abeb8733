"""Tiny saved folders for the service's tests: a classifier of each problem type and a language model."""

import pytest

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab

WORDS = ["good", "bad", "film", "plot", "great", "dull", "the", "a"]
PROBLEMS = {
    "single_label_classification": {"neg": 0, "pos": 1},
    "multi_label_classification": {"funny": 0, "sad": 1, "long": 2},
    "regression": {"stars": 0},
}


def save_tiny(folder, problem_type: str | None):
    """A tiny model saved with its tokenizer (and its code, for trust_remote_code): a classifier of
    `problem_type`, or a language model for None."""
    tok = ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in WORDS}))
    config = ULMFiTConfig(vocab_size=len(tok), embedding_size=8, hidden_size=12, num_hidden_layers=2)
    if problem_type is None:
        ULMFiTForCausalLM(config).save_pretrained(folder)
    else:
        label2id = PROBLEMS[problem_type]
        config = config.for_classifier(num_labels=len(label2id), problem_type=problem_type, label2id=label2id,
                                       id2label={i: n for n, i in label2id.items()})  # fmt: skip
        ULMFiTForSequenceClassification(config).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_folders(tmp_path_factory):
    """problem type (or "lm") -> a saved folder."""
    root = tmp_path_factory.mktemp("tiny")
    folders = {p: save_tiny(root / p, p) for p in PROBLEMS}
    folders["lm"] = save_tiny(root / "lm", None)
    return folders
