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
"""fastai vocabularies (`itos`) and SentencePiece models, read safely and turned into ULMFiT tokenizers.

A fastai model's token ids are positions in its `itos`. The converter keeps those ids exactly (no rows are
permuted), so a model's outputs do not change; the special-token ids in the config and the tokenizer are looked
up by name in that `itos`. The special tokens come first, in an order that changed between fastai versions:

    fastai 1.0 (WikiText-103 `itos_wt103.pkl`): xxunk xxpad xxbos xxfld xxmaj xxup xxrep xxwrep
    later fastai 1.0:                           xxunk xxpad xxbos xxeos xxfld xxmaj xxup xxrep xxwrep
    fastai 2:                                   xxunk xxpad xxbos xxeos xxfld xxrep xxwrep xxup xxmaj

so pad is 1 and bos 2 in all of them, and eos is 3 or absent. Both versions pad a vocabulary to a multiple of 8
with repeated `xxfake` (fastai's `make_vocab` / v1 `Vocab.create`); the repeats are renamed `xxfake1`, ... so every
id keeps a token of its own.

SentencePiece models (fastai's `SentencePieceTokenizer`, e.g. the fastai_ulmfit project's `spm/spm.model`)
split text into pieces; fastai 2 then numbers the pieces with its own vocabulary (`Numericalize`, e.g.
`lm_vocab.pkl`), unknown pieces -> xxunk, while fastai 1's `SPProcessor` uses the SentencePiece ids directly.
So with a SentencePiece model the `itos` comes from `--vocab` when given, else from the model's own pieces.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

from ..models.ulmfit.tokenization_ulmfit import (
    BOS,
    EOS,
    FLD,
    PAD,
    SPACE_MARK,
    SPECIAL_TOKENS,
    TK_MAJ,
    TK_REP,
    TK_UP,
    TK_WREP,
    UNK,
    ULMFiTTokenizerFast,
    build_backend,
    build_normalizer,
    number_tokens,
)
from .safe_pickle import load_plain
from .sentencepiece_model import BYTE, NORMAL, USER_DEFINED, SentencePieceModel

SPECIAL_ORDERS = {
    "fastai v2": tuple(SPECIAL_TOKENS),
    "fastai v1": (UNK, PAD, BOS, EOS, FLD, TK_MAJ, TK_UP, TK_REP, TK_WREP),
    "fastai v1 (no xxeos)": (UNK, PAD, BOS, FLD, TK_MAJ, TK_UP, TK_REP, TK_WREP),
}


@dataclass
class Vocabulary:
    itos: list[str]
    labels: list | None  # a classifier's label names, when the file holds them
    source: Path


def read_vocab(path: str | Path) -> Vocabulary:
    """Read an `itos` from `.pkl` (a pickled list, e.g. `itos_wt103.pkl`, or fastai 2's classifier `dls.vocab`:
    [tokens, labels]) or `.json` (a list, or a {token: id} mapping). Pickles are read without running code."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No vocabulary file at {path}.")
    if path.suffix == ".pkl":
        obj = load_plain(path)
    elif path.suffix == ".json":
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            raise ValueError(f"{path} is not valid UTF-8 JSON: {err}") from err
    else:
        raise ValueError(f"{path}: vocabularies are read from .pkl or .json files (a SentencePiece model is .model).")
    labels = None
    if isinstance(obj, dict):  # {token: id}, as in a tokenizers vocab.json
        if sorted(obj.values()) != list(range(len(obj))):
            raise ValueError(f"{path} maps tokens to ids that are not 0..{len(obj) - 1} exactly once each.")
        obj = sorted(obj, key=obj.get)
    elif isinstance(obj, (list, tuple)) and len(obj) == 2 and all(isinstance(o, (list, tuple)) for o in obj):
        obj, labels = obj  # fastai 2 `dls.vocab` of a classifier: [text vocabulary, label vocabulary]
        labels = list(labels)
    if not isinstance(obj, (list, tuple)) or not obj or not all(isinstance(t, str) and t for t in obj):
        raise ValueError(f"{path} does not hold a vocabulary: expected a non-empty list of non-empty strings.")
    return Vocabulary(list(obj), labels, path)


def special_order(itos: list[str]) -> str:
    """Which fastai version's special-token order `itos` starts with ("custom" when none)."""
    for name, order in SPECIAL_ORDERS.items():
        if tuple(itos[: len(order)]) == order:
            return name
    return "custom"


def find_special(itos: list[str], name: str, prefer_pieces: bool = False) -> int | None:
    """Id of a fastai special token: `name`, or SentencePiece's `▁name` (preferred when `prefer_pieces`: fastai 2
    writes `xxbos` into the text, so a SentencePiece model sees the piece `▁xxbos`)."""
    candidates = [SPACE_MARK + name, name] if prefer_pieces else [name, SPACE_MARK + name]
    return next((itos.index(c) for c in candidates if c in itos), None)


def special_token_ids(itos: list[str], sentencepiece: bool = False) -> dict[str, int | None]:
    """pad/bos/eos ids for the config; xxpad must exist (fastai pads with it, and the embedding keeps its row)."""
    pad = find_special(itos, PAD)
    if pad is None:
        raise ValueError("The vocabulary has no 'xxpad': it is not a fastai vocabulary.")
    return {
        "pad_token_id": pad,
        "bos_token_id": find_special(itos, BOS, prefer_pieces=sentencepiece),
        "eos_token_id": find_special(itos, EOS, prefer_pieces=sentencepiece),
    }


def check_vocab(itos: list[str], vocab_size: int, source: str) -> None:
    """The vocabulary must number exactly the rows of the weights and be usable as a tokenizer vocabulary."""
    if len(itos) != vocab_size:
        raise ValueError(
            f"{source} has {len(itos)} tokens but the weights have {vocab_size} rows: it is not the vocabulary "
            "these weights were trained with."
        )
    number_tokens(itos, source)


def _special_kwargs(itos: list[str], sentencepiece: bool, unk_id: int) -> dict:
    """The tokenizer's special tokens by name (absent ones None) and fastai's `xxbos` first."""
    names: dict = {"add_bos_token": True}
    for kind, token in (("pad", PAD), ("bos", BOS), ("eos", EOS)):  # fastai pads with xxpad itself, even under SentencePiece
        index = find_special(itos, token, prefer_pieces=sentencepiece and kind != "pad")
        names[f"{kind}_token"] = None if index is None else itos[index]
    names["unk_token"] = itos[unk_id]
    return names


def build_word_tokenizer(itos: list[str], **kwargs) -> ULMFiTTokenizerFast:
    """A word-level ULMFiT tokenizer (fastai's rules + spaCy-style words) numbering tokens as `itos` does,
    whatever its special-token order."""
    unk = find_special(itos, UNK)
    if unk is None:
        raise ValueError("The vocabulary has no 'xxunk': it is not a fastai vocabulary.")
    backend = build_backend(itos, unk_token=itos[unk], check_order=False)
    return ULMFiTTokenizerFast.from_backend(backend, **_special_kwargs(itos, False, unk), **kwargs)


def build_sentencepiece_tokenizer(spm: SentencePieceModel, itos: list[str] | None = None, **kwargs):
    """A subword ULMFiT tokenizer from a SentencePiece unigram model: fastai's rules, then the model's
    normalization and pieces. Ids are positions in `itos` (fastai 2's vocabulary over pieces, unknown pieces ->
    xxunk) or, without it, the SentencePiece ids (fastai 1).

    Pieces missing from `itos` (fastai dropped them as rare) cannot be produced: the text is split around them
    into known pieces, where fastai would emit the piece and number it xxunk."""

    from ..models.ulmfit.tokenization_ulmfit import ULMFiTTokenizerFast

    if spm.model_type != "unigram":
        raise ValueError(
            f"Only SentencePiece unigram models are converted (fastai's default); this one is {spm.model_type}."
        )
    if itos is None:
        itos, unk = list(spm.pieces), spm.unk_id
    else:
        unk = find_special(itos, UNK)
    if unk is None:
        raise ValueError("Neither the vocabulary nor the SentencePiece model has an unknown token (xxunk / <unk>).")
    usable = {
        p: s for p, s, t in zip(spm.pieces, spm.scores, spm.types, strict=True) if t in (NORMAL, USER_DEFINED, BYTE)
    }
    # tokens SentencePiece never emits (fastai's bare special tokens, xxfake, control pieces) score far below any
    # real piece, so they are never chosen over one
    floor = min(usable.values(), default=0.0) - 1000.0
    names = list(number_tokens(itos, "vocabulary"))
    backend = Tokenizer(
        models.Unigram([(tok, usable.get(tok, floor)) for tok in names], unk_id=unk, byte_fallback=spm.byte_fallback)
    )
    steps = [build_normalizer()]
    if spm.precompiled_charsmap:
        steps.append(normalizers.Precompiled(spm.precompiled_charsmap))
    if spm.remove_extra_whitespaces:
        steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    backend.normalizer = normalizers.Sequence(steps)
    prepend = "always" if spm.add_dummy_prefix else "never"
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement=SPACE_MARK, prepend_scheme=prepend)
    backend.decoder = decoders.Metaspace(replacement=SPACE_MARK, prepend_scheme=prepend)
    return ULMFiTTokenizerFast.from_backend(backend, **_special_kwargs(itos, True, unk), **kwargs)
