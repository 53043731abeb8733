"""Tokenization takes linear time on every input: adversarial texts cost about as much per character as prose.

Times are compared as a ratio within one run (never against a fixed number of seconds): a quadratic rule makes
the adversarial texts below tens to hundreds of times slower per character than ordinary text of the same length.
"""

import time

import pytest

from hf_ulmfit import ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab

SIZE = 6_000  # characters per text: quadratic rules cost seconds here, linear ones a tenth of a second
FACTOR = 20  # measured at most about 5x ordinary text per character

ADVERSARIAL = {
    "repeated word": "ha ",
    "two repeated words": "ha ho ",
    "repeated capitals": "AB ",
    "repeated character": "a",
    "repeated pair of characters": "ab",
    "punctuation run": "!?",
    "dots": ".",
    "parentheses": ")",
    "whitespace run": " \n\t",
    "commas between letters": "a,b,",
    "hyphens between letters": "a-b-",
    "slashes": "a/b/",
    "dotted host names": "www.a",
    "arithmetic": "1+2+",
    "emoji": "\U0001f600\U0001f601",
    "html entities": "&amp;",
}


def per_char(tokenizer, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        tokenizer(text)
        best = min(best, time.perf_counter() - start)
    return best / len(text)


@pytest.fixture(scope="module")
def tokenizer():
    return ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in ["the", "movie", "was", "good", "ha", "a"]}))


def test_adversarial_texts_cost_about_as_much_per_character_as_prose(tokenizer):
    ordinary = per_char(tokenizer, ("The movie was good, wasn't it? I liked it. " * SIZE)[:SIZE], repeats=3)
    slow = {}
    for name, unit in ADVERSARIAL.items():
        text = (unit * SIZE)[:SIZE]
        ratio = per_char(tokenizer, text, repeats=2) / ordinary
        if ratio > FACTOR:
            slow[name] = round(ratio)
    # one long token without spaces, made of every kind of character above
    mixed = ("".join(ADVERSARIAL.values()).replace(" ", "").replace("\n", "").replace("\t", "") * SIZE)[:SIZE]
    ratio = per_char(tokenizer, mixed, repeats=2) / ordinary
    if ratio > FACTOR:
        slow["one long token"] = round(ratio)
    assert not slow, f"time per character relative to ordinary text (at most {FACTOR}): {slow}"
