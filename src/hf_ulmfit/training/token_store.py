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
"""A tokenized corpus on disk, written once and memory-mapped by every training run: the ids of all documents as
one flat `uint16`/`uint32` array (`tokens.bin`), the document boundaries (`offsets.npy`, `num_documents + 1`
positions into it) and a small JSON header (`header.json`: dtype, counts, vocabulary size, sources)."""

import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..utils import atomic_path

FORMAT = "hf_ulmfit.token_store"
HEADER, TOKENS, OFFSETS = "header.json", "tokens.bin", "offsets.npy"


def ids_dtype(vocab_size: int) -> np.dtype:
    """The smallest unsigned integer type that holds every id of the vocabulary."""
    return np.dtype(np.uint16 if vocab_size <= 2**16 else np.uint32)


class TokenStore:
    """A token store folder, memory-mapped: `tokens` and `offsets` are read from disk as they are indexed.

    Document `i` is `tokens[offsets[i]:offsets[i + 1]]`."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        header_file = self.path / HEADER
        if not header_file.is_file():
            raise ValueError(f"{self.path} is not a token store: it has no {HEADER}.")
        try:
            self.header = json.loads(header_file.read_text())
        except json.JSONDecodeError as err:
            raise ValueError(f"{header_file}: not valid JSON ({err}).") from None
        if self.header.get("format") != FORMAT:
            raise ValueError(f"{header_file}: format is {self.header.get('format')!r}, expected {FORMAT!r}.")
        self.offsets = np.load(self.path / OFFSETS, mmap_mode="r")
        num_tokens = int(self.header["num_tokens"])
        if len(self.offsets) != self.header["num_documents"] + 1 or int(self.offsets[-1]) != num_tokens:
            raise ValueError(f"{self.path / OFFSETS} does not match {header_file} (damaged or half-copied store).")
        dtype = np.dtype(self.header["dtype"])
        expected = num_tokens * dtype.itemsize
        if (self.path / TOKENS).stat().st_size != expected:
            raise ValueError(f"{self.path / TOKENS} holds {(self.path / TOKENS).stat().st_size} bytes, "
                             f"{HEADER} says {expected} ({num_tokens} {dtype} ids): damaged or half-copied store.")
        # np.memmap refuses an empty file; an empty store has no documents to read anyway
        self.tokens = np.memmap(self.path / TOKENS, dtype=dtype, mode="r") if num_tokens else np.zeros(0, dtype)

    @property
    def vocab_size(self) -> int:
        return int(self.header["vocab_size"])

    @property
    def num_tokens(self) -> int:
        return int(self.header["num_tokens"])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def document(self, index: int) -> np.ndarray:
        return np.asarray(self.tokens[self.offsets[index] : self.offsets[index + 1]])

    def lengths(self) -> np.ndarray:
        return np.diff(np.asarray(self.offsets))


def write_token_store(
    path: str | os.PathLike, chunks: Iterable[tuple[np.ndarray, np.ndarray]], vocab_size: int, **header
) -> TokenStore:
    """Write a token store from `(ids, lengths)` chunks: the flat ids of some documents and each one's length, so
    that a corpus larger than memory streams through. Extra keyword arguments go into the header (sources, split).
    The folder appears complete or not at all."""
    dtype = ids_dtype(vocab_size)
    lengths_seen: list[np.ndarray] = []
    num_tokens = 0
    with atomic_path(path, folder=True) as tmp:
        with open(tmp / TOKENS, "wb") as out:
            for ids, lengths in chunks:
                ids = np.asarray(ids)
                if len(ids) and (ids.min() < 0 or ids.max() >= vocab_size):
                    raise ValueError(f"token ids outside [0, {vocab_size}) while writing {path}.")
                if int(np.sum(lengths)) != len(ids):
                    raise ValueError(f"document lengths sum to {int(np.sum(lengths))}, not {len(ids)} ids.")
                out.write(ids.astype(dtype, copy=False).tobytes())
                lengths_seen.append(np.asarray(lengths, dtype=np.int64))
                num_tokens += len(ids)
        all_lengths = np.concatenate(lengths_seen) if lengths_seen else np.zeros(0, np.int64)
        np.save(tmp / OFFSETS, np.concatenate([[0], np.cumsum(all_lengths)]).astype(np.int64))
        meta = {"format": FORMAT, "version": 1, "dtype": dtype.name, "vocab_size": vocab_size,
                "num_tokens": num_tokens, "num_documents": len(all_lengths), **header}  # fmt: skip
        (tmp / HEADER).write_text(json.dumps(meta, indent=2) + "\n")
    return TokenStore(path)


def dataset_chunks(tokenized, batch_size: int = 10_000) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """`(ids, lengths)` chunks of a tokenized `datasets.Dataset` (its `input_ids` column), read from Arrow without a
    Python int per token."""
    import pyarrow.compute as pc  # present wherever a datasets.Dataset is

    table = tokenized.with_format("arrow")
    for start in range(0, len(tokenized), batch_size):
        column = table[start : start + batch_size]["input_ids"]
        yield pc.list_flatten(column).to_numpy(), pc.list_value_length(column).to_numpy()


__all__ = ["TokenStore", "write_token_store", "dataset_chunks", "ids_dtype"]
