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
"""Loading text (and labels) for the ULMFiT stages from local files or the Hub, with clear errors."""

import logging
from collections.abc import Sequence
from pathlib import Path

from datasets import ClassLabel, Dataset, IterableDataset, concatenate_datasets, load_dataset

from ..training.documents import is_blank
from .file_checks import check_local_file

logger = logging.getLogger(__name__)

# Local file endings and the `datasets` builder that reads them (compressed variants are read transparently).
BUILDERS = {".txt": "text", ".json": "json", ".jsonl": "json", ".csv": "csv", ".tsv": "csv"}
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")


def builder_for(path: Path) -> tuple[str, dict]:
    """The `datasets` builder name and its options for a local file."""
    suffixes = [s for s in path.suffixes if s not in COMPRESSIONS]
    suffix = suffixes[-1].lower() if suffixes else ""
    if suffix not in BUILDERS:
        raise ValueError(f"Cannot read {path}: use a {'/'.join(BUILDERS)} file (optionally {'/'.join(COMPRESSIONS)}).")
    return BUILDERS[suffix], ({"delimiter": "\t"} if suffix == ".tsv" else {})


def load_split(source: str, split: str = "train", config_name: str | None = None, keep_columns=()) -> Dataset:
    """One split: `source` is a local file (read whole, whatever `split` says), a local dataset folder, or a Hub
    dataset name (e.g. "imdb", which needs a connection). A local file is checked first (`file_checks`): a bad
    one is an error naming the file, the line and the cause."""
    path = Path(source)
    if path.is_file():
        builder, options = builder_for(path)
        check_local_file(path, keep_columns)
        return load_dataset(builder, data_files={"data": str(path)}, split="data", **options)
    return load_dataset(source, config_name, split=split)


def stream_split(source: str, split: str = "train", config_name: str | None = None) -> IterableDataset:
    """One split read as it is iterated (datasets' `IterableDataset`, never converted to Arrow on disk): a local
    file (checked line by line first, as `load_split` does) or a dataset name / folder."""
    path = Path(source)
    if path.is_file():
        builder, options = builder_for(path)
        check_local_file(path)
        return load_dataset(builder, data_files={"data": str(path)}, split="data", streaming=True, **options)
    return load_dataset(source, config_name, split=split, streaming=True)


def load_texts(sources: Sequence[str], text_column: str, split: str = "train", config_name: str | None = None,
               keep_columns: Sequence[str] = ()) -> Dataset:
    """Concatenate `sources` (see `load_split`), keep `text_column` (+ `keep_columns`), drop empty texts."""
    parts = []
    for source in sources:
        part = load_split(source, split, config_name, keep_columns)
        missing = [c for c in (text_column, *keep_columns) if c not in part.column_names]
        if missing:
            raise ValueError(f"{source} has no column {missing[0]!r} (columns: {part.column_names}).")
        parts.append(part.select_columns([text_column, *keep_columns]))
    if not parts:
        raise ValueError("No training data: give train files or a dataset name.")
    data = concatenate_datasets(parts) if len(parts) > 1 else parts[0]
    kept = data.filter(lambda batch: [not is_blank(t) for t in batch[text_column]], batched=True)
    names = ", ".join(map(str, sources))
    if len(kept) == 0:
        raise ValueError(f"{names}: every {text_column!r} is empty, blank or null ({len(data)} rows): no texts.")
    if len(kept) < len(data):
        logger.warning(f"{names}: {len(data) - len(kept)} of {len(data)} rows have an empty, blank or null "
                       f"{text_column!r} and are left out.")
    return kept


def label_names(dataset: Dataset, label_column: str) -> list[str]:
    """The labels in id order: a `ClassLabel`'s names, else the sorted distinct values of the column."""
    feature = dataset.features[label_column]
    if isinstance(feature, ClassLabel):
        return list(feature.names)
    return [str(v) for v in sorted(set(dataset[label_column]))]


def encode_labels(dataset: Dataset, label_column: str, label2id: dict[str, int], name: str) -> Dataset:
    """Map `label_column` to ids in a `labels` column; unseen labels are an error that names them."""
    feature = dataset.features[label_column]
    names = feature.names if isinstance(feature, ClassLabel) else None
    values = [names[v] if names else str(v) for v in dataset[label_column]]
    unseen = sorted(set(values) - set(label2id))
    if unseen:
        raise ValueError(
            f"The {name} data has labels the model was not trained with: {unseen[:10]} (known: {sorted(label2id)})."
        )
    return dataset.remove_columns(label_column).add_column("labels", [label2id[v] for v in values])
