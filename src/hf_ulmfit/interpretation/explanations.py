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
"""A text's explanation: the classifier's prediction, the importance of each word for it, the page that shows it."""

from dataclasses import dataclass
from pathlib import Path

from ..utils import atomic_path
from .attribution import Attribution, attribute
from .html_page import explanation_html, page
from .words import Word, merge_words


@dataclass
class Explanation:
    text: str
    words: list[Word]
    label: str
    probability: float
    attribution: Attribution


def is_subword(tokenizer) -> bool:
    """Whether the tokenizer cuts words into SentencePiece pieces (unigram or BPE), not fastai's word level."""
    return type(tokenizer.backend_tokenizer.model).__name__ in ("Unigram", "BPE")


def words_of(tokenizer, input_ids: list[int], scores) -> list[Word]:
    """The words a person reads, with scores. A backward model's tokens are read back in reading order."""
    tokens, scores = tokenizer.convert_ids_to_tokens(input_ids), list(scores)
    if not getattr(tokenizer, "backwards", False):
        return merge_words(tokens, scores, is_subword(tokenizer))
    last = len(tokens) - 1
    words = merge_words(tokens[::-1], scores[::-1], is_subword(tokenizer))
    return [Word(w.text, w.score, sorted(last - i for i in w.tokens)) for w in words]


def explain(model, tokenizer, text: str, method: str = "intrinsic_attention", class_id: int | None = None,
            steps: int = 32) -> Explanation:
    """Why `model` gives `text` its class (or `class_id`): per-word importance by `method`."""
    input_ids = tokenizer(text)["input_ids"]
    attribution = attribute(model, input_ids, method, class_id, steps)
    words = words_of(tokenizer, input_ids, attribution.scores.tolist())
    label = model.config.id2label[attribution.class_id]
    return Explanation(text, words, label, float(attribution.probabilities[attribution.class_id]), attribution)


def write_page(explanation: Explanation, path: str | Path) -> Path:
    """An HTML page of one explanation."""
    body = "<h1>Why did the classifier say that?</h1>\n" + explanation_html(
        explanation.words, explanation.label, explanation.probability, explanation.attribution.method
    )
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(page(f"{explanation.label}: {explanation.text[:60]}", body), encoding="utf-8")
    return path
