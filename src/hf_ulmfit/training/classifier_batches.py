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
"""Classifier batches: documents of similar length together (fastai's sortish order in training, longest first in
evaluation) and padded to the longest of their batch."""

from collections.abc import Sequence

import torch
from torch.utils.data import Sampler

from .documents import check_not_empty


class SortishSampler(Sampler[int]):
    """fastai's `SortishSampler`: a random order in which chunks of `batch_size * 50` documents are sorted by
    length (longest first), so that batches hold documents of similar length; batches are then shuffled, the one
    with the longest document first (an out-of-memory error shows at once). Same order on every process. Like
    fastai's training loader it drops the last incomplete batch (when there is a full one): BatchNorm cannot train
    on a batch of one document."""

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int = 0, chunk_batches: int = 50):
        self.lengths = torch.as_tensor(list(lengths))
        self.batch_size, self.seed, self.chunk_batches = batch_size, seed, chunk_batches
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        n = len(self.lengths)
        return n if n <= self.batch_size else n - n % self.batch_size

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        order = torch.randperm(len(self.lengths), generator=generator)
        chunk = self.batch_size * self.chunk_batches
        sorted_chunks = []
        for piece in order.split(chunk):
            sorted_chunks.append(piece[torch.argsort(self.lengths[piece], descending=True, stable=True)])
        batches = list(torch.cat(sorted_chunks).split(self.batch_size))
        if len(batches) > 1 and len(batches[-1]) < self.batch_size:
            batches.pop()
        longest = max(range(len(batches)), key=lambda i: int(self.lengths[batches[i]].max()))
        batches[0], batches[longest] = batches[longest], batches[0]
        rest = torch.randperm(len(batches) - 1, generator=generator) + 1
        for i in [0, *rest.tolist()]:
            yield from batches[i].tolist()


class SortedSampler(Sampler[int]):
    """Longest documents first (evaluation: the order does not matter, padding does)."""

    def __init__(self, lengths: Sequence[int]):
        self.order = torch.argsort(torch.as_tensor(list(lengths)), descending=True, stable=True).tolist()

    def __len__(self) -> int:
        return len(self.order)

    def __iter__(self):
        return iter(self.order)


class ClassifierCollator:
    """Dynamic padding of tokenized documents to the longest in the batch, with `attention_mask` and `labels`.

    `padding_side` is where padding goes ("left" as fastai pads classifier batches, or "right"); the ULMFiT
    classifier reads either the same way. A `label` column becomes `labels`.
    """

    def __init__(self, pad_token_id: int, padding_side: str = "left"):
        if padding_side not in ("left", "right"):
            raise ValueError(f"padding_side must be 'left' or 'right', got {padding_side!r}.")
        self.pad_token_id, self.padding_side = pad_token_id, padding_side

    def __call__(self, features: list[dict]) -> dict[str, torch.Tensor]:
        ids = [torch.as_tensor(f["input_ids"], dtype=torch.long) for f in features]
        check_not_empty((len(x) for x in ids), "This batch")
        width = max(len(x) for x in ids)
        input_ids = torch.full((len(ids), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, x in enumerate(ids):
            cols = slice(width - len(x), width) if self.padding_side == "left" else slice(0, len(x))
            input_ids[row, cols] = x
            attention_mask[row, cols] = 1
        batch = {"input_ids": input_ids, "attention_mask": attention_mask}
        key = "labels" if "labels" in features[0] else "label" if "label" in features[0] else None
        if key is not None:
            batch["labels"] = torch.as_tensor([f[key] for f in features])
        return batch



__all__ = ["SortishSampler", "SortedSampler", "ClassifierCollator"]
