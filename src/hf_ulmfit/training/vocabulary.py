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
"""New ULMFiT vocabularies from a corpus: fastai's word vocabulary (tokens counted in several processes) or a
subword one. Training-only code, so it lives here and not in the tokenizer file saved folders carry."""

import math
import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers.utils.logging import tqdm

from ..models.ulmfit.tokenization_ulmfit import (
    BOS,
    FAKE,
    SPECIAL_TOKENS,
    UNK,
    ULMFiTTokenizerFast,
    as_text,
    build_backend,
    build_normalizer,
    check_itos,
    count_words,
    make_vocab,
)


def _batches(corpus, batch_size: int, text_column: str):
    if hasattr(corpus, "column_names") and hasattr(corpus, "select"):  # a datasets.Dataset
        for start in range(0, len(corpus), batch_size):
            yield corpus[start : start + batch_size][text_column]
        return
    batch = []
    for item in corpus:
        batch.append(item)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


_WORKER_BACKENDS: dict[str, Tokenizer] = {}


def _count_chunk(args) -> tuple[int, dict[str, int]]:
    """One worker's job: the counts of a chunk of texts (the backend is rebuilt once per worker)."""
    backend_json, texts = args
    if backend_json not in _WORKER_BACKENDS:
        _WORKER_BACKENDS.clear()
        _WORKER_BACKENDS[backend_json] = Tokenizer.from_str(backend_json)
    return len(texts), count_words(_WORKER_BACKENDS[backend_json], texts)


def count_tokens(
    corpus,
    backend: Tokenizer | None = None,
    num_proc: int | None = None,
    batch_size: int = 1000,
    text_column: str = "text",
    show_progress: bool = True,
) -> dict[str, int]:
    """Token counts over `corpus` (texts, lists of tokens, or a `datasets.Dataset` column), in order of first
    occurrence. Texts get fastai's rules and word splitting (with `xxbos`), in `num_proc` processes."""
    backend_json = (backend or build_backend(SPECIAL_TOKENS)).to_str()
    num_proc = num_proc or os.cpu_count() or 1
    total = len(corpus) if hasattr(corpus, "__len__") else None
    counts: dict[str, int] = {}
    jobs = ((backend_json, batch) for batch in _batches(corpus, batch_size, text_column))
    with tqdm(total=total, desc="Counting tokens", unit="doc", disable=not show_progress) as bar:
        if num_proc == 1:
            results = map(_count_chunk, jobs)
        else:
            pool = ProcessPoolExecutor(num_proc)
            results = pool.map(_count_chunk, jobs)  # in order, so first occurrences stay in corpus order
        try:
            for n_docs, chunk in results:
                for tok, n in chunk.items():
                    counts[tok] = counts.get(tok, 0) + n
                bar.update(n_docs)
        finally:
            if num_proc != 1:
                pool.shutdown()
    return counts


def train_tokenizer(
    corpus,
    min_freq: int = 3,
    max_vocab: int = 60000,
    num_proc: int | None = None,
    text_column: str = "text",
    show_progress: bool = True,
    lowercase: bool = True,
    mark_case: bool = True,
    **kwargs,
) -> ULMFiTTokenizerFast:
    """Count tokens over `corpus` (texts, token lists or a `datasets.Dataset`) and build fastai's vocabulary
    with [`make_vocab`] semantics; `kwargs` go to [`ULMFiTTokenizerFast.from_vocab`]."""
    backend = build_backend(SPECIAL_TOKENS, lowercase=lowercase, mark_case=mark_case)
    counts = count_tokens(corpus, backend, num_proc, text_column=text_column, show_progress=show_progress)
    itos = make_vocab(counts, min_freq=min_freq, max_vocab=max_vocab)
    return ULMFiTTokenizerFast.from_vocab(itos, lowercase=lowercase, mark_case=mark_case, **kwargs)


def train_subword_tokenizer(
    corpus,
    vocab_size: int = 30000,
    model: str = "unigram",
    lowercase: bool = True,
    mark_case: bool = True,
    text_column: str = "text",
    add_eos_token: bool = False,
    **kwargs,
) -> ULMFiTTokenizerFast:
    """fastai's SentencePiece path: the same rules, then a unigram or BPE model trained on `corpus` over
    words marked with "▁" (no word splitter needed), fastai's special tokens as ids 0-8."""
    if model not in ("unigram", "bpe"):
        raise ValueError(f"model must be 'unigram' or 'bpe', got {model!r}.")
    backend = Tokenizer(models.Unigram() if model == "unigram" else models.BPE(unk_token=UNK))
    backend.normalizer = build_normalizer(lowercase=lowercase, mark_case=mark_case)
    backend.pre_tokenizer = pre_tokenizers.Metaspace()
    backend.decoder = decoders.Metaspace()
    if model == "unigram":
        trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, unk_token=UNK)
    else:
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS)
    texts = (as_text(t) for batch in _batches(corpus, 1000, text_column) for t in batch)
    backend.train_from_iterator(texts, trainer=trainer, length=len(corpus) if hasattr(corpus, "__len__") else None)
    return ULMFiTTokenizerFast.from_backend(backend, add_eos_token=add_eos_token, **kwargs)


def unknown_share(counts: Mapping[str, int], vocab: Mapping[str, int]) -> float:
    """The share of the tokens counted in `counts` (`count_tokens`) that `vocab` lacks, i.e. that the tokenizer
    reads as `xxunk`; the `xxbos` that starts every text is left out, so short texts are not flattered."""
    total = sum(n for token, n in counts.items() if token != BOS)
    return sum(n for token, n in counts.items() if token not in vocab) / total if total else 0.0


def extend_tokenizer(tokenizer: ULMFiTTokenizerFast, counts: Mapping[str, int], min_freq: int = 3,
                     max_vocab: int = 60000) -> ULMFiTTokenizerFast:
    """`tokenizer` with the tokens of `counts` it lacks appended, most frequent first, those seen at least
    `min_freq` times, up to `max_vocab` tokens in all (fastai's `make_vocab` rule for a target vocabulary); its own
    tokens keep their ids (the `xxfake` padding moves to the new end), its rules and options are kept."""
    if type(tokenizer.backend_tokenizer.model).__name__ != "WordLevel":
        raise ValueError("Only word-level ULMFiT vocabularies are extended; a subword vocabulary has no unknown words.")
    old = [token for token in tokenizer.convert_ids_to_tokens(range(len(tokenizer))) if not token.startswith(FAKE)]
    # The old tokens rank first whatever their count here; make_vocab then adds the new ones by frequency.
    known = tokenizer.get_vocab()  # built anew at every call: once here
    ranked = {**dict.fromkeys(old, math.inf), **{t: n for t, n in counts.items() if t not in known}}
    itos = make_vocab(ranked, min_freq=min_freq, max_vocab=max(max_vocab, len(old)))
    backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    backend.model = models.WordLevel(vocab=check_itos(itos), unk_token=UNK)
    return ULMFiTTokenizerFast.from_backend(backend, add_eos_token=tokenizer.add_eos_token,
                                            padding_side=tokenizer.padding_side, backwards=tokenizer.backwards,
                                            model_max_length=tokenizer.model_max_length)  # fmt: skip


__all__ = ["count_tokens", "extend_tokenizer", "train_tokenizer", "train_subword_tokenizer", "unknown_share"]
