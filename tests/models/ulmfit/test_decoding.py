"""Decoding gives readable text (also for the new tokens of a generation, which the pipeline appends to the prompt);
model_max_length is fastai's classifier max_len."""

import pytest
import torch
from transformers import pipeline

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab

WORDS = ["the", "movie", "was", "good", "a", "i", "think", "it", "is", ".", "!"]


@pytest.fixture(scope="module")
def tok():
    return ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in WORDS}))


def ids(tok, tokens):
    return tok.convert_tokens_to_ids(tokens)


def test_continuation_starts_with_a_space(tok):
    prompt = "The movie was"
    new = ids(tok, ["a", "xxunk", "xxmaj", "good", "movie", "."])
    assert prompt + tok.decode(new, skip_special_tokens=True) == "The movie was a Good movie ."
    assert prompt + tok.decode(new) == "The movie was a xxunk Good movie ."
    assert tok.decode(tok("The movie was GOOD")["input_ids"], skip_special_tokens=True) == "The movie was GOOD"


def test_case_marks_apply_to_the_next_word_and_other_specials_go(tok):
    tokens = ["xxbos", "xxup", "good", "xxmaj", "movie", "xxunk", "xxfld", "xxeos", "xxpad", "xxmaj"]
    assert tok.decode(ids(tok, tokens), skip_special_tokens=True) == "GOOD Movie"
    assert tok.decode(ids(tok, tokens)) == "xxbos GOOD Movie xxunk xxfld xxeos xxpad xxmaj"
    # a case mark before another special token has no word to apply to
    assert tok.decode(ids(tok, ["xxbos", "xxmaj", "xxunk", "movie"]), skip_special_tokens=True) == "movie"


def test_text_generation_pipeline_separates_words(tok):
    torch.manual_seed(0)
    model = ULMFiTForCausalLM(ULMFiTConfig(vocab_size=len(tok), embedding_size=8, hidden_size=12)).eval()
    with torch.no_grad():  # the model says "good" after anything
        model.get_output_embeddings().bias.copy_(torch.full((len(tok),), -10.0))
        model.get_output_embeddings().bias[tok.convert_tokens_to_ids("good")] = 10.0
    generator = pipeline("text-generation", model=model, tokenizer=tok)
    out = generator("I think it is", max_new_tokens=3, do_sample=False)[0]["generated_text"]
    assert out == "I think it is good good good"
    assert not any(word in out.split() for word in ("xxunk", "xxbos", "xxpad", "xxfake"))


def test_model_max_length_is_fastai_max_len_and_truncation_uses_it(tok, tmp_path):
    long_text = "the movie was good . " * 400  # 2,000 tokens
    assert tok.model_max_length == 1440
    assert len(tok(long_text)["input_ids"]) == 2001  # nothing is cut unless asked
    assert len(tok(long_text, truncation=True)["input_ids"]) == 1440
    tok.save_pretrained(tmp_path)
    assert ULMFiTTokenizerFast.from_pretrained(tmp_path).model_max_length == 1440
