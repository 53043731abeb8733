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
from .file_checks import check_local_file, locate

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


def load_split(source: str, split: str = "train", config_name: str | None = None, keep_columns=(),
               text_column: str | None = None) -> Dataset:
    """One split: `source` is a local file (read whole, whatever `split` says), a local dataset folder, or a Hub
    dataset name (e.g. "imdb", which needs a connection). A local file is checked first (`file_checks`): a bad
    one is an error naming the file, the line and the cause."""
    path = Path(source)
    if path.is_file():
        builder, options = builder_for(path)
        check_local_file(path, keep_columns, text_column)
        return load_dataset(builder, data_files={"data": str(path)}, split="data", **options)
    if not path.exists() and set(path.suffixes) & {*BUILDERS, *COMPRESSIONS}:
        raise ValueError(f"{source}: no such file.")  # not a dataset name ("Dataset ... doesn't exist on the Hub")
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
        part = load_split(source, split, config_name, keep_columns, text_column)
        missing = [c for c in (text_column, *keep_columns) if c not in part.column_names]
        if missing:
            raise ValueError(f"{source} has no column {missing[0]!r} (columns: {part.column_names}).")
        check_columns(part, source, text_column, keep_columns)
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


def check_columns(part: Dataset, source: str, text_column: str, keep_columns: Sequence[str]) -> None:
    """What the line checks cannot see in CSV files and datasets: a text column that is not text (a CSV column of
    numbers), a kept column (a label) with a null row."""
    feature = part.features[text_column]
    if getattr(feature, "dtype", "string") not in ("string", "large_string", "null"):
        raise ValueError(f"{source}: {text_column!r} must hold strings, but it holds {feature.dtype} values "
                         f"(row 1: {part[0][text_column]!r:.40}).")
    for column in keep_columns:
        nulls = [i for i, value in enumerate(part[column]) if value is None]
        if nulls:
            raise ValueError(f"{source}, row {nulls[0] + 1}: {column!r} is null ({len(nulls)} rows): every row "
                             "needs one.")


def label_names(dataset: Dataset, label_column: str) -> list[str]:
    """The labels in id order: a `ClassLabel`'s names, else the sorted distinct values of the column."""
    feature = dataset.features[label_column]
    if isinstance(feature, ClassLabel):
        return list(feature.names)
    return [str(v) for v in sorted(set(dataset[label_column]))]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _first_not_number(values):
    return next((v for v in values if not _is_number(v)), None)


def _is_fractional(value) -> bool:
    return isinstance(value, float) and not value.is_integer()


def judge_labels(dataset: Dataset, label_column: str, sources: Sequence[str], regression: bool = False) -> None:
    """Refuse, before any weight is touched, labels that cannot make the model asked for: fewer than two classes,
    numbers with fractions (continuous: a regression, not 37 classes) unless `regression`, and anything but a number
    for a regression. Errors name the file and line (JSON Lines) or the files."""
    values, names = dataset[label_column], ", ".join(map(str, sources))
    if regression:
        wrong = _first_not_number(values)
        if wrong is not None:
            where, wrong = locate(sources, label_column, lambda v: v is not None and not _is_number(v)) or (names, wrong)
            raise ValueError(f"{where}: {label_column!r} is {wrong!r}, not a number: a regression "
                             "(--problem_type regression) needs a number for every text.")
        return
    fractional = next((v for v in values if _is_fractional(v)), None)
    if fractional is not None:
        where, fractional = locate(sources, label_column, _is_fractional) or (names, fractional)
        raise ValueError(
            f"{where}: {label_column!r} is {fractional!r}: the labels look continuous ({len(set(values))} distinct "
            f"numbers in {len(values)} rows). Pass --problem_type regression to predict a number, or give classes."
        )
    feature = dataset.features[label_column]
    distinct = sorted({feature.names[v] if isinstance(feature, ClassLabel) else str(v) for v in values})
    if len(distinct) < 2:
        raise ValueError(f"{names}: every {label_column!r} is {distinct[0]!r} ({len(values)} rows): a classifier needs "
                         "at least two labels.")


def encode_labels(dataset: Dataset, label_column: str, label2id: dict[str, int], name: str,
                  regression: bool = False) -> Dataset:
    """Map `label_column` to ids in a `labels` column (the numbers themselves, as floats, for a regression); unseen
    labels are an error that names them."""
    if regression:
        values = dataset[label_column]
        wrong = _first_not_number(values)
        if wrong is not None:
            raise ValueError(f"The {name} data has a {label_column!r} that is not a number: {wrong!r}.")
        return dataset.remove_columns(label_column).add_column("labels", [float(v) for v in values])
    feature = dataset.features[label_column]
    names = feature.names if isinstance(feature, ClassLabel) else None
    values = [names[v] if names else str(v) for v in dataset[label_column]]
    unseen = sorted(set(values) - set(label2id))
    if unseen:
        raise ValueError(
            f"The {name} data has labels the model was not trained with: {unseen[:10]} (known: {sorted(label2id)})."
        )
    return dataset.remove_columns(label_column).add_column("labels", [label2id[v] for v in values])
