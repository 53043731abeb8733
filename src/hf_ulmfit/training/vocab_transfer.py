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
"""Vocabulary transfer (fastai's `match_embeds`): move a pretrained ULMFiT model onto a new vocabulary."""

import logging
from collections.abc import Mapping, Sequence

import torch
from torch import nn

logger = logging.getLogger(__name__)


def _token_list(vocab: Sequence[str] | Mapping[str, int], name: str) -> list[str]:
    """The tokens in id order, from a list (id -> token) or a mapping (token -> id, e.g. `tokenizer.get_vocab()`)."""
    if isinstance(vocab, Mapping):
        tokens = sorted(vocab, key=vocab.__getitem__)
        if [vocab[t] for t in tokens] != list(range(len(tokens))):
            raise ValueError(f"{name} must map its tokens to the ids 0..{len(tokens) - 1} without gaps.")
        return tokens
    tokens = list(vocab)
    if len(set(tokens)) != len(tokens):
        raise ValueError(f"{name} lists some tokens twice.")
    return tokens


def _matched_rows(old: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """Rows of `old` at `source` (index >= 0), the mean row of `old` where `source` is -1."""
    rows = old.mean(0, keepdim=True).expand(len(source), *old.shape[1:]).clone()
    shared = source >= 0
    rows[shared] = old[source[shared]]
    return rows


@torch.no_grad()
def transfer_vocab(
    model: nn.Module, old_vocab: Sequence[str] | Mapping[str, int], new_vocab: Sequence[str] | Mapping[str, int]
) -> nn.Module:
    """Resize `model` to `new_vocab`, copying the embedding (and untied decoder) rows and the decoder bias of the
    tokens both vocabularies share; new tokens get the mean row (and mean bias), as fastai's `match_embeds` does.

    `old_vocab` is the vocabulary the model was trained with, `new_vocab` the one of the new tokenizer; each is a
    list of tokens in id order or a mapping token -> id. Returns the model, changed in place (`config.vocab_size`
    included).
    """
    old_tokens, new_tokens = _token_list(old_vocab, "old_vocab"), _token_list(new_vocab, "new_vocab")
    embeddings = model.get_input_embeddings()
    if embeddings.num_embeddings != len(old_tokens):
        raise ValueError(
            f"The model has {embeddings.num_embeddings} embedding rows but old_vocab has {len(old_tokens)} tokens: "
            "old_vocab must be the vocabulary the model was trained with."
        )
    old_index = {token: i for i, token in enumerate(old_tokens)}
    source = torch.tensor([old_index.get(token, -1) for token in new_tokens], dtype=torch.long)

    decoder = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    old_weight = embeddings.weight.detach().clone()
    old_decoder_weight = None
    if decoder is not None and decoder.weight is not embeddings.weight:
        old_decoder_weight = decoder.weight.detach().clone()
    old_bias = decoder.bias.detach().clone() if decoder is not None and decoder.bias is not None else None

    model.resize_token_embeddings(len(new_tokens), mean_resizing=False)
    model.get_input_embeddings().weight.copy_(_matched_rows(old_weight, source))
    decoder = model.get_output_embeddings() if decoder is not None else None
    if old_decoder_weight is not None:
        decoder.weight.copy_(_matched_rows(old_decoder_weight, source))
    if old_bias is not None:
        decoder.bias.copy_(_matched_rows(old_bias, source))
    shared = int((source >= 0).sum())
    logger.info(f"Vocabulary transfer: {shared} of {len(new_tokens)} tokens shared, {len(new_tokens) - shared} new.")
    return model


__all__ = ["transfer_vocab"]
