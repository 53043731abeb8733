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
LENGTHS = "lengths.bin"  # while writing only: each document's length, int64


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
        self.dtype = dtype = np.dtype(self.header["dtype"])
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

    def read(self, positions: np.ndarray) -> np.ndarray:
        """The ids at `positions` (a 1-D int array), one `pread` per run of consecutive positions.

        The training stream reads through here rather than through the memory map: the pages a memory map touches
        count in the process's RSS (1.3 MB per random touch on Linux 6.18 / ext4, which maps large page-cache folios
        whole), so a few batches of random rows made the RSS grow towards the store's size (docs/benchmarks.md).
        Read this way, the pages stay in the kernel's page cache, shared and reclaimable."""
        out = np.empty(len(positions), dtype=self.dtype)
        if not len(positions):
            return out
        breaks = np.flatnonzero(np.diff(positions) != 1) + 1
        size, fd = out.itemsize, self._file()
        for start, end in zip([0, *breaks.tolist()], [*breaks.tolist(), len(positions)], strict=True):
            out[start:end] = np.frombuffer(os.pread(fd, (end - start) * size, int(positions[start]) * size), out.dtype)
        return out

    def _file(self) -> int:
        if getattr(self, "_fd", None) is None:
            self._fd = os.open(self.path / TOKENS, os.O_RDONLY)
        return self._fd

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)

    # Pickled (DataLoader workers, spawn) as its path: pickling the memory maps would copy the corpus.
    def __getstate__(self) -> dict:
        return {"path": str(self.path)}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])


class StoreAppender:
    """Writes a store folder document chunk by document chunk: ids go to `tokens.bin` and lengths to `lengths.bin`
    as they come, so memory stays flat and a writer that was interrupted can go on from a `position()` it recorded
    (`resume_from`: whatever was written after it, a chunk cut short, is cut off). `finish()` turns the lengths
    into `offsets.npy` and writes `header.json`.

    With `bos_token_id`, every document must start with it and hold at least one more token; the header then
    records it, and the stream trusts it instead of reading every document's first token at start-up."""

    def __init__(self, folder: str | os.PathLike, vocab_size: int, bos_token_id: int | None = None,
                 resume_from: dict | None = None):  # fmt: skip
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.vocab_size, self.bos_token_id = vocab_size, bos_token_id
        self.dtype = ids_dtype(vocab_size)
        self.num_tokens = int((resume_from or {}).get("num_tokens", 0))
        self.num_documents = int((resume_from or {}).get("num_documents", 0))
        for name, size in ((TOKENS, self.num_tokens * self.dtype.itemsize), (LENGTHS, self.num_documents * 8)):
            file = self.folder / name
            file.touch()
            if file.stat().st_size < size:
                raise ValueError(f"{file} holds {file.stat().st_size} bytes, fewer than the {size} its recorded "
                                 "position says were written: the partial store is damaged; delete it and start again.")
            os.truncate(file, size)
        self._tokens, self._lengths = open(self.folder / TOKENS, "ab"), open(self.folder / LENGTHS, "ab")

    def append(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        ids, lengths = np.asarray(ids), np.asarray(lengths, dtype=np.int64)
        if len(ids) and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"token ids outside [0, {self.vocab_size}) while writing {self.folder}.")
        if int(lengths.sum()) != len(ids):
            raise ValueError(f"document lengths sum to {int(lengths.sum())}, not {len(ids)} ids.")
        if self.bos_token_id is not None:
            self._check_bos(ids, lengths)
        self._tokens.write(ids.astype(self.dtype, copy=False).tobytes())
        self._lengths.write(lengths.tobytes())
        self.num_tokens += len(ids)
        self.num_documents += len(lengths)

    def _check_bos(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        starts = np.cumsum(lengths) - lengths
        bad = np.flatnonzero(lengths < 2)
        if len(bad):
            raise ValueError(f"{self.folder}: documents {(bad + self.num_documents)[:10].tolist()} hold no token "
                             f"besides the bos id {self.bos_token_id}.")
        bad = np.flatnonzero(ids[starts] != self.bos_token_id)
        if len(bad):
            raise ValueError(f"{self.folder}: documents {(bad + self.num_documents)[:10].tolist()} do not start "
                             f"with the bos id {self.bos_token_id}.")

    def position(self) -> dict:
        """What is on disk so far (flushed and synced), to record for a resume."""
        for f in (self._tokens, self._lengths):
            f.flush()
            os.fsync(f.fileno())
        return {"num_tokens": self.num_tokens, "num_documents": self.num_documents}

    def finish(self, **header) -> None:
        self.position()
        self._tokens.close(), self._lengths.close()
        offsets = np.lib.format.open_memmap(self.folder / OFFSETS, mode="w+", dtype=np.int64,
                                            shape=(self.num_documents + 1,))
        offsets[0] = 0
        if self.num_documents:  # a block of lengths at a time: nothing per document in memory either
            lengths = np.memmap(self.folder / LENGTHS, dtype=np.int64, mode="r")
            total, block = 0, 1 << 20
            for start in range(0, self.num_documents, block):
                ends = np.cumsum(lengths[start : start + block]) + total
                offsets[start + 1 : start + 1 + len(ends)] = ends
                total = int(ends[-1])
            del lengths
        offsets.flush()
        del offsets
        bos = {} if self.bos_token_id is None else {"bos_token_id": self.bos_token_id}
        meta = {"format": FORMAT, "version": 1, "dtype": self.dtype.name, "vocab_size": self.vocab_size,
                "num_tokens": self.num_tokens, "num_documents": self.num_documents, **bos, **header}  # fmt: skip
        (self.folder / f".{HEADER}.tmp").write_text(json.dumps(meta, indent=2) + "\n")
        os.replace(self.folder / f".{HEADER}.tmp", self.folder / HEADER)  # whole or absent: a store with one is complete
        (self.folder / LENGTHS).unlink()


def write_token_store(
    path: str | os.PathLike,
    chunks: Iterable[tuple[np.ndarray, np.ndarray]],
    vocab_size: int,
    bos_token_id: int | None = None,
    **header,
) -> TokenStore:
    """Write a token store from `(ids, lengths)` chunks: the flat ids of some documents and each one's length, so
    that a corpus larger than memory streams through. `bos_token_id`: see `StoreAppender`. Extra keyword arguments
    go into the header (sources, split). The folder appears complete or not at all."""
    with atomic_path(path, folder=True) as tmp:
        appender = StoreAppender(tmp, vocab_size, bos_token_id)
        for ids, lengths in chunks:
            appender.append(ids, lengths)
        appender.finish(**header)
    return TokenStore(path)


def dataset_chunks(tokenized, batch_size: int = 10_000) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """`(ids, lengths)` chunks of a tokenized `datasets.Dataset` (its `input_ids` column), read from Arrow without a
    Python int per token."""
    import pyarrow.compute as pc  # present wherever a datasets.Dataset is

    table = tokenized.with_format("arrow")
    for start in range(0, len(tokenized), batch_size):
        column = table[start : start + batch_size]["input_ids"]
        yield pc.list_flatten(column).to_numpy(), pc.list_value_length(column).to_numpy()


__all__ = ["StoreAppender", "TokenStore", "write_token_store", "dataset_chunks", "ids_dtype"]
