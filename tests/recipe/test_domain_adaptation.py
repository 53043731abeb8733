"""Domain adaptation before stage 3: the unknown-token share, the vocabulary extension, the short LM fine-tuning,
and the classifier script's default that runs them (tiny models)."""

import json

import pytest
import torch
from datasets import Dataset
from transformers import AutoTokenizer, pipeline

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, train_tokenizer
from hf_ulmfit.commands.train_classifier import train_classifier
from hf_ulmfit.recipe.domain_adaptation import (
    DomainAdaptedClassifierArguments,
    adapt_to_domain,
    classifier_from_lm,
    lm_steps,
)
from hf_ulmfit.recipe.stages import ClassifierTrainingArguments, DataArguments, ModelArguments

GENERAL = ["the film was good and the plot was fine", "the actor was bad and the music was dull"] * 10
# The task's own words ("quokka", "zeugma") are unknown to an LM trained on GENERAL.
TASK = [{"text": f"the {word} was {mood}", "label": label} for word in ("quokka", "zeugma", "film")
        for mood, label in (("good", "pos"), ("fine", "pos"), ("bad", "neg"), ("dull", "neg"))] * 4  # fmt: skip


def tiny_lm_and_tokenizer():
    tokenizer = train_tokenizer(GENERAL, min_freq=1, num_proc=1, show_progress=False)
    torch.manual_seed(0)
    lm = ULMFiTForCausalLM(ULMFiTConfig(vocab_size=len(tokenizer), embedding_size=16, hidden_size=24,
                                        num_hidden_layers=2, bptt=8))  # fmt: skip
    return lm, tokenizer


def adaptation_args(tmp_path, **overrides):
    values = dict(output_dir=str(tmp_path / "clas"), report_to="none", save_strategy="no", disable_tqdm=True,
                  per_device_train_batch_size=4, adapt_lm_batch_size=4, adapt_lm_min_steps=6, adapt_lm_max_steps=12)
    return DomainAdaptedClassifierArguments(**{**values, **overrides})


def test_lm_steps_scale_the_two_stages_into_the_step_budget(tmp_path):
    args = adaptation_args(tmp_path, adapt_lm_epochs=[1.0, 4.0], adapt_lm_min_steps=100, adapt_lm_max_steps=600)
    assert lm_steps(50, args) == [50, 200]  # 5 epochs of 50 steps fit the budget
    assert lm_steps(10, args) == [20, 80]  # a few short texts: stretched to 100 steps, the ratio kept
    assert lm_steps(1000, args) == [120, 480]  # many unlabelled texts: cut to 600


def test_bad_adaptation_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="--domain_adaptation must be one of auto, off, vocab, lm, both"):
        adaptation_args(tmp_path, domain_adaptation="always")
    with pytest.raises(ValueError, match="--adapt_lm_epochs takes two epoch counts > 0"):
        adaptation_args(tmp_path, adapt_lm_epochs=[0.0, 3.0])
    with pytest.raises(ValueError, match="adapt_lm_min_steps <= --adapt_lm_max_steps"):
        adaptation_args(tmp_path, adapt_lm_min_steps=20, adapt_lm_max_steps=10)


def test_vocab_extension_adds_the_task_words_at_the_mean_embedding(tmp_path):
    lm, tokenizer = tiny_lm_and_tokenizer()
    old_weight = lm.get_input_embeddings().weight.detach().clone()
    train = Dataset.from_list(TASK)
    new_tokenizer, report = adapt_to_domain(lm, tokenizer, train, ModelArguments(min_freq=3), DataArguments(),
                                            adaptation_args(tmp_path, domain_adaptation="vocab"))  # fmt: skip

    # One word in four, in two thirds of the 48 texts ("quokka" and "zeugma"): 32 of 192 tokens.
    assert report["unknown_token_share"] == pytest.approx(32 / 192, abs=1e-4)
    assert report["unknown_token_share_after"] == 0.0 and report["new_tokens"] == 2
    assert report["domain_adaptation"] == "vocab" and "lm_steps" not in report
    weight = lm.get_input_embeddings().weight.detach()
    assert lm.get_output_embeddings().weight is lm.get_input_embeddings().weight  # the decoder grew with it
    for word in ("quokka", "zeugma"):
        torch.testing.assert_close(weight[new_tokenizer.convert_tokens_to_ids(word)], old_weight.mean(0))
    for word in ("the", "film", "dull"):  # known words keep their ids and rows
        assert new_tokenizer.convert_tokens_to_ids(word) == tokenizer.convert_tokens_to_ids(word)
        torch.testing.assert_close(weight[tokenizer.convert_tokens_to_ids(word)],
                                   old_weight[tokenizer.convert_tokens_to_ids(word)])  # fmt: skip


def test_off_auto_and_other_arguments_measure_but_leave_the_lm_alone(tmp_path):
    train = Dataset.from_list(TASK)
    for args in (adaptation_args(tmp_path, domain_adaptation="off"),
                 adaptation_args(tmp_path, adapt_min_unknown_share=0.5),  # auto: 17% unknown is below the bar
                 ClassifierTrainingArguments(output_dir=str(tmp_path / "c"), report_to="none")):  # fmt: skip
        lm, tokenizer = tiny_lm_and_tokenizer()
        before = {k: v.clone() for k, v in lm.state_dict().items()}
        same, report = adapt_to_domain(lm, tokenizer, train, ModelArguments(), DataArguments(), args)
        assert same is tokenizer and report == {"unknown_token_share": pytest.approx(1 / 6, abs=1e-4),
                                                "domain_adaptation": "off"}  # fmt: skip
        assert all(torch.equal(before[k], v) for k, v in lm.state_dict().items())


def test_both_extends_then_fine_tunes_the_lm_on_the_task_and_lm_files(tmp_path):
    lm, tokenizer = tiny_lm_and_tokenizer()
    unlabelled = tmp_path / "unlabelled.txt"
    unlabelled.write_text("the wombat was good\n" * 5)
    rnn_before = [p.detach().clone() for p in lm.ulmfit.rnns.parameters()]
    new_tokenizer, report = adapt_to_domain(lm, tokenizer, Dataset.from_list(TASK), ModelArguments(min_freq=3),
                                            DataArguments(), adaptation_args(tmp_path, lm_files=[str(unlabelled)]))
    assert report["domain_adaptation"] == "both"  # auto: 17% unknown is above the default bar (5%)
    assert {"quokka", "zeugma", "wombat"} <= set(new_tokenizer.vocab) and report["new_tokens"] == 3
    assert 6 <= report["lm_steps"] <= 13 and report["lm_train_loss"] > 0
    assert all(not torch.equal(a, b) for a, b in zip(rnn_before, lm.ulmfit.rnns.parameters(), strict=True))  # all trained
    classifier = classifier_from_lm(lm, dict(num_labels=2, id2label={0: "neg", 1: "pos"},
                                             label2id={"neg": 0, "pos": 1}, drop_mult=0.5))  # fmt: skip
    for name, value in lm.ulmfit.state_dict().items():
        torch.testing.assert_close(classifier.ulmfit.state_dict()[name], value)
    assert classifier.config.num_labels == 2 and classifier.config.drop_mult == 0.5
    assert classifier.config.vocab_size == len(new_tokenizer)


def test_train_classifier_adapts_by_default_and_reports_the_unknown_share(tmp_path):
    lm, tokenizer = tiny_lm_and_tokenizer()
    lm.save_pretrained(tmp_path / "lm")
    tokenizer.save_pretrained(tmp_path / "lm")
    rows = tmp_path / "train.jsonl"
    rows.write_text("".join(json.dumps(row) + "\n" for row in TASK))
    metrics = train_classifier(ModelArguments(model_name_or_path=str(tmp_path / "lm"), min_freq=3,
                                              classifier_hidden_sizes=[8]),
                               DataArguments(train_files=[str(rows)], validation_files=[str(rows)]),
                               adaptation_args(tmp_path, bptt=8, num_train_epochs=1, min_train_steps=0))  # fmt: skip
    assert metrics["domain_adaptation"] == "both" and metrics["unknown_token_share"] == pytest.approx(1 / 6, abs=1e-4)
    assert "eval_accuracy" in metrics
    card = (tmp_path / "clas" / "README.md").read_text()
    assert "16.7% of the training texts' tokens were unknown to the language model's vocabulary, 0.0% after" in card
    saved = AutoTokenizer.from_pretrained(tmp_path / "clas")
    assert saved.convert_ids_to_tokens(saved("the quokka")["input_ids"]) == ["xxbos", "the", "quokka"]
    classifier = pipeline("text-classification", model=str(tmp_path / "clas"))
    assert classifier("the zeugma was good")[0]["label"] in {"neg", "pos"}
