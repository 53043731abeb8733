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
"""The language-model token stream: all documents (shuffled each epoch) form one stream of tokens, `xxbos`
starting every document. The stream is cut into `rows = batch_size * num_processes` contiguous rows (row j continues where row j - 1 ends),
each process owns `batch_size` consecutive rows, and batch i holds the next `bptt` tokens of each of its rows, so
the recurrent state can be carried from batch to batch. Targets are the inputs shifted by one (`shift_labels`):
every token but the stream's first is a target exactly once per epoch (the last row is padded, with ignored
targets, when the stream does not divide evenly).

Nothing per token is built: a batch reads just its tokens from the documents (a `TokenStore` on disk, or the
in-memory documents) through the epoch's document order (`epoch_order`), so memory and start-up time do not grow
with a token store's size and each process reads only its own rows.
"""

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import BatchSampler, Dataset, SequentialSampler

from .documents import check_not_empty
from .epoch_order import EpochOrder, FlatDocuments, read_rows
from .token_store import TokenStore

# Keys a stream batch carries besides the model inputs; `ULMFiTTrainer` removes them before the forward.
STREAM_STEP = "stream_step"  # index of the batch in its epoch: 0 resets the carried state
STREAM_LR_SCALE = "stream_lr_scale"  # variable BPTT: length / bptt, the batch's learning-rate scale


def _split_lengths(total: int, weights: torch.Tensor) -> torch.Tensor:
    """Integer lengths >= 1 summing to `total`, proportional to `weights` (largest-remainder rounding)."""
    extra = total - len(weights)
    share = weights / weights.sum() * extra
    lengths = share.floor().long()
    leftover = extra - int(lengths.sum())
    lengths[torch.argsort(share - lengths, descending=True)[:leftover]] += 1
    return lengths + 1


def _documents_stream(documents: Sequence[Sequence[int]], bos_token_id: int | None) -> FlatDocuments:
    """In-memory documents as flat ids and offsets, `bos_token_id` prepended where missing."""
    docs = [list(doc) for doc in documents]
    # xxbos alone is an empty text too
    check_not_empty((len(doc) - (bos_token_id is not None and doc[:1] == [bos_token_id]) for doc in docs),
                    "The token stream")
    if bos_token_id is not None:
        docs = [doc if doc[0] == bos_token_id else [bos_token_id, *doc] for doc in docs]
    tokens = np.fromiter((t for doc in docs for t in doc), dtype=np.int64)
    return FlatDocuments(tokens, np.concatenate([[0], np.cumsum([len(d) for d in docs], dtype=np.int64)]))


def _check_store(store: TokenStore, bos_token_id: int | None) -> TokenStore:
    """Refuse a store with empty documents, or (with `bos_token_id`) documents not starting with it. A store whose
    writer checked the same bos id says so in its header: then nothing is read, so start-up does not grow with the
    corpus (examples/tokenize_corpus.py writes such stores)."""
    if bos_token_id is not None and store.header.get("bos_token_id") == bos_token_id:
        return store
    lengths = store.lengths()
    minimum = int(bos_token_id is not None)  # xxbos alone is an empty text too
    if (lengths <= minimum).any():  # the list only on failure: one Python int per document otherwise
        check_not_empty((lengths - minimum).tolist(), f"The token store {store.path}")
    if bos_token_id is not None:
        missing = np.flatnonzero(store.tokens[np.asarray(store.offsets[:-1])] != bos_token_id)
        if len(missing):
            raise ValueError(f"{len(missing)} documents of the token store {store.path} do not start with the "
                             f"bos id {bos_token_id} (documents {missing[:10].tolist()}): tokenize it again.")
    return store


class LMStreamDataset(Dataset):
    """The batches of one process's rows of the language-model stream; item i is batch i of the current epoch.

    Args:
        documents: token ids of each document, or a `TokenStore` (its documents start with `bos_token_id`).
        batch_size: rows of this process (the per-device batch size).
        bptt: tokens per row and batch.
        bos_token_id: prepended to documents that do not start with it (`None`: documents are used as given).
        pad_token_id: input id at the padded end of the stream (its targets are ignored).
        num_processes, process_index: the data-parallel layout; process p owns rows `[p * batch_size, (p+1) * batch_size)`.
        shuffle: shuffle the document order every epoch (seeded by `seed` and the epoch, identically on all processes).
        variable_bptt: the paper's variable-length BPTT (see `ULMFiTTrainingArguments.variable_bptt`); the number of
            batches per epoch stays fixed, the lengths are drawn per epoch and rescaled to cover each row exactly.
    """

    def __init__(
        self,
        documents: Sequence[Sequence[int]] | TokenStore,
        batch_size: int,
        bptt: int,
        bos_token_id: int | None = None,
        pad_token_id: int = 1,
        num_processes: int = 1,
        process_index: int = 0,
        shuffle: bool = True,
        seed: int = 0,
        variable_bptt: bool = False,
    ):
        if batch_size < 1 or bptt < 1:
            raise ValueError(f"batch_size and bptt must be positive, got {batch_size} and {bptt}.")
        if not 0 <= process_index < num_processes:
            raise ValueError(f"process_index {process_index} is outside [0, {num_processes}).")
        if isinstance(documents, TokenStore):
            self.documents = _check_store(documents, bos_token_id)
        else:
            self.documents = _documents_stream(documents, bos_token_id)
        self.num_tokens = self.documents.num_tokens
        self.batch_size, self.bptt = batch_size, bptt
        self.num_processes, self.process_index = num_processes, process_index
        self.pad_token_id = pad_token_id
        self.shuffle, self.seed, self.variable_bptt = shuffle, seed, variable_bptt

        self.num_rows = batch_size * num_processes
        self.row_length = math.ceil((self.num_tokens - 1) / self.num_rows)
        if self.num_tokens - 1 < self.num_rows * bptt:
            raise ValueError(
                f"The token stream ({self.num_tokens} tokens) is shorter than one batch: {self.num_rows} rows "
                f"(batch size {batch_size} x {num_processes} processes) of bptt {bptt} tokens need "
                f"{self.num_rows * bptt + 1}. Use more text, a smaller batch size or a smaller bptt."
            )
        self.num_batches = math.ceil(self.row_length / bptt)
        self.epoch = 0
        self._built_epoch = None

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.num_batches

    def _generator(self) -> torch.Generator:
        return torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)

    def _order(self) -> EpochOrder:
        if not self.shuffle:
            return EpochOrder(self.documents.offsets)
        # torch's permutation, as before the stream was read lazily: the same seed gives the same batches
        order = torch.randperm(len(self.documents), generator=self._generator()).numpy()
        return EpochOrder(self.documents.offsets, order)

    def stream(self) -> torch.Tensor:
        """The epoch's whole token stream (documents in this epoch's order), built in memory: for tests and small
        corpora; training reads only each batch's tokens."""
        positions = np.arange(self.num_tokens, dtype=np.int64)
        return torch.from_numpy(read_rows(self.documents, self._order(), positions, self.pad_token_id))

    def _build(self) -> None:
        self._epoch_order = self._order()
        if self.variable_bptt:
            generator = self._generator()
            base = torch.where(torch.rand(self.num_batches, generator=generator) < 0.95, self.bptt, self.bptt / 2)
            drawn = (base + 5 * torch.randn(self.num_batches, generator=generator)).clamp(min=1.0)
            lengths = _split_lengths(self.row_length, drawn)
        else:
            lengths = torch.full((self.num_batches,), self.bptt)
            lengths[-1] = self.row_length - self.bptt * (self.num_batches - 1)
        self._bounds = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(lengths, 0)]).tolist()
        self._built_epoch = self.epoch

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if not 0 <= index < self.num_batches:
            raise IndexError(f"batch {index} of a {self.num_batches}-batch epoch")
        if self._built_epoch != self.epoch:
            self._build()
        start, end = self._bounds[index], self._bounds[index + 1]
        # Row r is stream[r * row_length : (r + 1) * row_length]; a batch reads its columns plus one for the targets.
        first_row = self.process_index * self.batch_size
        rows = np.arange(first_row, first_row + self.batch_size, dtype=np.int64)[:, None] * self.row_length
        positions = rows + np.arange(start, end + 1, dtype=np.int64)
        window = torch.from_numpy(read_rows(self.documents, self._epoch_order, positions, self.pad_token_id))
        targets = window[:, 1:].clone()
        targets[torch.from_numpy(positions[:, 1:] >= self.num_tokens)] = -100  # past the stream's last token
        batch = {
            "input_ids": window[:, :-1],
            "shift_labels": targets,
            STREAM_STEP: torch.tensor(index),
        }
        if self.variable_bptt:
            batch[STREAM_LR_SCALE] = torch.tensor((end - start) / self.bptt)
        return batch

    def __getstate__(self) -> dict:
        # DataLoader workers rebuild the epoch's order instead of receiving it (a store travels as its path)
        return {**self.__dict__, "_built_epoch": None, "_epoch_order": None}


def unwrap_batch(items: list) -> dict:
    """Collate for a loader whose every item already is a batch."""
    return items[0]


def stream_batch_sampler(dataset: LMStreamDataset) -> BatchSampler:
    """One dataset item per batch, in order (a batch sampler, so that accelerate can skip batches on resume)."""
    return BatchSampler(SequentialSampler(dataset), batch_size=1, drop_last=False)


__all__ = ["LMStreamDataset", "stream_batch_sampler", "unwrap_batch", "STREAM_STEP", "STREAM_LR_SCALE"]
