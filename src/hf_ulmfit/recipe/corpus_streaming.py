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
"""Tokenizing a corpus that should not be converted in one go (`examples/tokenize_corpus.py --streaming`): its texts
are read as they are iterated (datasets' `IterableDataset`), a chunk of documents at a time, tokenized (in
`num_proc` processes) and appended to the train and validation token stores. The stores grow in a hidden
`.NAME.partial` folder beside the output, with `progress.json` recording after every chunk where each source's
reading stands and how much each store holds; a run that was interrupted continues from there when started again
with the same arguments, and the folder becomes the output when every source is done.

Without validation sources, document i of the training sources (counted from 0 over all of them, blank texts not
counted) is a validation document when floor((i + 1) * f) > floor(i * f), f the validation fraction: every
(1/f)-th document (f = 0.005: documents 199, 399, ...), the same split on every run and every machine.
"""

import copy
import hashlib
import json
import logging
import math
import multiprocessing
import os
import shutil
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..training.documents import encode_texts, is_blank
from ..training.token_store import HEADER, LENGTHS, StoreAppender
from .text_sources import stream_split

logger = logging.getLogger(__name__)

PROGRESS = "progress.json"
SPLITS = ("train", "validation")


@dataclass(frozen=True)
class Source:
    """One source to stream into one store: a local file, a local dataset folder or a Hub dataset name."""

    store: str  # "train" or "validation"
    name: str
    split: str = "train"  # the dataset's split (local files have one)


def is_validation(index: int, fraction: float) -> bool:
    """The streaming split rule (see the module docstring), in exact arithmetic: `0.005` is 1/200."""
    f = Fraction(repr(float(fraction)))
    return math.floor((index + 1) * f) > math.floor(index * f)


class ChunkEncoder:
    """A chunk of texts to flat ids and lengths (blank texts dropped), in this process or in a pool's worker; the
count of dropped texts is recorded in the stores' header (`blank_texts`)."""

    def __init__(self, tokenizer, bos_token_id: int | None):
        self.tokenizer, self.bos_token_id = tokenizer, bos_token_id

    def __call__(self, item: tuple[list, dict]) -> tuple[np.ndarray, np.ndarray, int, dict]:
        texts, state = item
        kept = [text for text in texts if not is_blank(text)]
        ids = encode_texts(self.tokenizer, kept, self.bos_token_id) if kept else []
        # a text of nothing the tokenizer keeps is dropped too: one odd document must not stop a long run
        ids = [doc for doc in ids if len(doc) > (self.bos_token_id is not None)]
        lengths = np.array([len(doc) for doc in ids], dtype=np.int64)
        flat = np.fromiter((t for doc in ids for t in doc), dtype=np.int64, count=int(lengths.sum()))
        return flat, lengths, len(texts) - len(ids), state


_WORKER_ENCODER: ChunkEncoder | None = None


def _start_worker(encoder: ChunkEncoder) -> None:
    global _WORKER_ENCODER
    _WORKER_ENCODER = encoder


def _encode_in_worker(item):
    return _WORKER_ENCODER(item)


def ordered_map(pool, chunks: Iterator, window: int) -> Iterator:
    """The pool's encodings of `chunks`, in order, with at most `window` chunks read ahead (`Pool.imap` would read
    the whole corpus into its task queue)."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(_encode_in_worker, (chunk,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def text_chunks(dataset, text_column: str, size: int, where: str) -> Iterator[tuple[list, dict]]:
    """Lists of `size` texts, each with the dataset's state right after its last text (to resume from)."""
    texts = []
    for example in dataset:
        if text_column not in example:
            raise ValueError(f"{where} has no {text_column!r} column (columns: {sorted(example)}).")
        texts.append(example[text_column])
        if len(texts) == size:
            yield texts, copy.deepcopy(dataset.state_dict())
            texts = []
    if texts:
        yield texts, copy.deepcopy(dataset.state_dict())


def write_progress(folder: Path, progress: dict) -> None:
    """Replace progress.json at once: a kill leaves the previous record or the new one, never half of one."""
    tmp = folder / f".{PROGRESS}.tmp"
    tmp.write_text(json.dumps(progress, indent=1))
    os.replace(tmp, folder / PROGRESS)


def _load_progress(folder: Path, arguments: dict) -> dict | None:
    path = folder / PROGRESS
    if not path.is_file():
        return None
    progress = json.loads(path.read_text())
    if progress["arguments"] != arguments:
        raise ValueError(f"{folder} holds an interrupted run with other arguments ({progress['arguments']}); rerun "
                         "with those arguments to continue it, or delete the folder to start again.")
    return progress


def tokenizer_digest(tokenizer) -> str:
    return hashlib.sha256(tokenizer.backend_tokenizer.to_str().encode()).hexdigest()


def tokenize_streaming(
    out: str | os.PathLike,
    tokenizer,
    sources: list[Source],
    text_column: str = "text",
    validation_fraction: float = 0.1,
    config_name: str | None = None,
    header: dict | None = None,
    chunk_documents: int = 10_000,
    num_proc: int | None = None,
) -> Path:
    """Stream `sources` into `out`/train and `out`/validation token stores (and the tokenizer), resumably (see the
    module docstring). Training sources are split by the rule unless there are validation sources."""
    out = Path(out)
    partial = out.parent / f".{out.name}.partial"
    by_rule = not any(source.store == "validation" for source in sources)
    arguments = {"sources": [vars(s) for s in sources], "config_name": config_name, "text_column": text_column,
                 "validation_fraction": validation_fraction if by_rule else None, "header": header or {},
                 "tokenizer": tokenizer_digest(tokenizer)}  # fmt: skip
    progress = _load_progress(partial, arguments)
    if progress is None:  # nothing recorded: start afresh
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        tokenizer.save_pretrained(partial)
        progress = {"arguments": arguments, "source": 0, "source_state": None, "documents": 0, "blank": 0,
                    "train": {}, "validation": {}}  # fmt: skip
        write_progress(partial, progress)
    bos = tokenizer.bos_token_id
    stores = {name: StoreAppender(partial / name, len(tokenizer), bos, resume_from=progress[name])
              for name in SPLITS if not (partial / name / HEADER).is_file()}  # fmt: skip
    encoder = ChunkEncoder(tokenizer, bos)
    pool = multiprocessing.Pool(num_proc, _start_worker, (encoder,)) if num_proc and num_proc > 1 else None
    try:
        while progress["source"] < len(sources):
            source = sources[progress["source"]]
            dataset = stream_split(source.name, source.split, config_name)
            if progress["source_state"] is not None:
                dataset.load_state_dict(progress["source_state"])
            chunks = text_chunks(dataset, text_column, chunk_documents, source.name)
            encoded = ordered_map(pool, chunks, 2 * num_proc) if pool else map(encoder, chunks)
            for flat, lengths, blank, state in encoded:
                _append(stores, source.store, flat, lengths, progress, validation_fraction if by_rule else None)
                progress.update(source_state=state, blank=progress["blank"] + blank,
                                **{name: store.position() for name, store in stores.items()})
                write_progress(partial, progress)
                sizes = (f"{name} {store.num_documents} documents, {store.num_tokens} tokens" for name, store in stores.items())
                logger.info(f"{source.name}: {'; '.join(sizes)}")
            progress.update(source=progress["source"] + 1, source_state=None)
            write_progress(partial, progress)
    finally:
        if pool is not None:
            pool.terminate()
    rule = (f"document i of the training sources is a validation document when floor((i + 1) * "
            f"{validation_fraction}) > floor(i * {validation_fraction})" if by_rule else "validation sources")
    for name, store in stores.items():
        store.finish(split=name, **(header or {}), streaming={"validation": rule, "blank_texts": progress["blank"]})
    for name in SPLITS:  # a store finished just before an interruption kept its lengths
        (partial / name / LENGTHS).unlink(missing_ok=True)
    (partial / PROGRESS).unlink()
    if out.exists():
        shutil.rmtree(out)
    os.replace(partial, out)
    return out


def _append(stores: dict, store: str, flat: np.ndarray, lengths: np.ndarray, progress: dict,
            fraction: float | None) -> None:  # fmt: skip
    """Append a chunk's documents to `store`, or split them by the rule when `fraction` is given."""
    if store == "validation" or fraction is None:
        stores[store].append(flat, lengths)
        return
    first = progress["documents"]
    held_out = np.array([is_validation(first + k, fraction) for k in range(len(lengths))], dtype=bool)
    token_held_out = np.repeat(held_out, lengths)
    stores["train"].append(flat[~token_held_out], lengths[~held_out])
    stores["validation"].append(flat[token_held_out], lengths[held_out])
    progress["documents"] = first + len(lengths)


__all__ = ["Source", "is_validation", "tokenize_streaming"]
