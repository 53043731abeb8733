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
"""Tokens back into the words a person reads, each with the summed score of its tokens: SentencePiece pieces
joined into words ("▁" starts one), fastai's xxmaj / xxup applied to the word after them, xxrep / xxwrep expanded,
and the markers that stand for no word (xxbos, xxeos, xxpad, xxfld) left out with their scores."""

from dataclasses import dataclass, field

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
)

SILENT = (BOS, EOS, PAD, FLD)


@dataclass
class Word:
    """A word as read, its score and the positions of the tokens it was made of (markers included)."""

    text: str
    score: float
    tokens: list[int] = field(default_factory=list)


@dataclass
class _Pending:
    """Markers waiting for the word they change: case, repetition, and their tokens' scores."""

    case: str | None = None
    repeat: str | None = None
    count: int | None = None
    score: float = 0.0
    tokens: list[int] = field(default_factory=list)


def _finish(word: Word, case: str | None, repeat: str | None, count: int | None) -> Word:
    text = word.text
    if case == TK_MAJ:
        text = text[:1].upper() + text[1:]
    elif case == TK_UP:
        text = text.upper()
    if repeat == TK_REP and count:
        text = text * count
    elif repeat == TK_WREP and count:
        text = " ".join([text] * count)
    return Word(text, word.score, word.tokens)


def merge_words(tokens: list[str], scores, subword: bool) -> list[Word]:
    """`tokens` (as `convert_ids_to_tokens` gives them) and one score per token into words. `subword`: the
    tokenizer is a SentencePiece one (pieces without "▁" continue the word before them); otherwise each token
    is a word."""
    scores = [float(s) for s in scores]
    if len(scores) != len(tokens):
        raise ValueError(f"{len(tokens)} tokens but {len(scores)} scores.")
    words: list[Word] = []
    modes: list[tuple] = []  # the markers each word carries, applied once the word is complete
    pending = _Pending()
    open_word = False  # whether the next piece may continue the last word
    for i, (token, score) in enumerate(zip(tokens, scores, strict=True)):
        if token in SILENT:
            open_word = False
            continue
        if token in (TK_MAJ, TK_UP, TK_REP, TK_WREP):
            if token in (TK_MAJ, TK_UP):
                pending.case = token
            else:
                pending.repeat = token
            pending.score += score
            pending.tokens.append(i)
            open_word = False
            continue
        text = token.replace(SPACE_MARK, "") if subword else token.replace(SPACE_MARK, " ")
        if pending.repeat and pending.count is None and text.isdigit():
            pending.count = int(text)
            pending.score += score
            pending.tokens.append(i)
            continue
        if subword and text == "":  # a bare "▁": the next piece starts a word
            pending.score += score
            pending.tokens.append(i)
            open_word = False
            continue
        starts = not (subword and open_word and not token.startswith(SPACE_MARK)) or token in SPECIAL_TOKENS
        if starts or not words:
            words.append(Word(text, score + pending.score, [*pending.tokens, i]))
            modes.append((pending.case, pending.repeat, pending.count))
            pending = _Pending()
        else:
            words[-1].text += text
            words[-1].score += score
            words[-1].tokens.append(i)
        open_word = subword and token not in SPECIAL_TOKENS
    return [_finish(word, *mode) for word, mode in zip(words, modes, strict=True)]
