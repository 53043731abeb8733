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
"""Tokenized documents, the unit both ULMFiT heads train on: tokenizing a text column, reading the `input_ids`
and lengths of a dataset, and the one check that no document is empty."""

from collections.abc import Callable, Iterable


def is_blank(text) -> bool:
    """A missing text or one of whitespace only: it tokenizes to `xxbos` alone."""
    return text is None or not str(text).strip()


def check_not_empty(lengths: Iterable[int], what: str) -> None:
    """Refuse documents that hold no token; `lengths` counts each document's real tokens, `what` names the data
    in the error ("The training dataset")."""
    empty = [i for i, n in enumerate(lengths) if n == 0]
    if empty:
        raise ValueError(
            f"{what} has {len(empty)} empty documents (rows {empty[:10]}): they hold no token; drop empty texts first."
        )


def tokenize_documents(
    dataset,
    tokenizer: Callable,
    text_column: str = "text",
    bos_token_id: int | None = None,
    num_proc: int | None = None,
):
    """Tokenize a `datasets.Dataset` of texts into an `input_ids` column (one list per document).

    `tokenizer` is any `PreTrainedTokenizerBase`-like callable returning `input_ids`. When `bos_token_id` is given,
    it is prepended to documents that do not already start with it (the stream needs `xxbos` between documents).
    """
    if text_column not in dataset.column_names:
        raise ValueError(f"The dataset has no {text_column!r} column (columns: {dataset.column_names}).")
    check_not_empty((0 if is_blank(text) else 1 for text in dataset[text_column]), f"Column {text_column!r}")

    def encode(batch):
        return {"input_ids": encode_texts(tokenizer, batch[text_column], bos_token_id)}

    return dataset.map(encode, batched=True, remove_columns=dataset.column_names, num_proc=num_proc)


def encode_texts(tokenizer: Callable, texts: list[str], bos_token_id: int | None = None) -> list[list[int]]:
    """The ids of each text, `bos_token_id` prepended where the tokenizer did not put it first."""
    ids = tokenizer(texts)["input_ids"]
    if bos_token_id is not None:
        ids = [doc if doc and doc[0] == bos_token_id else [bos_token_id, *doc] for doc in ids]
    return ids


def _has_input_ids(dataset, name: str) -> bool:
    """True for a `datasets.Dataset` (or anything with columns) that has `input_ids`; raises if it lacks them."""
    column_names = getattr(dataset, "column_names", None)
    if column_names is not None and "input_ids" not in column_names:
        raise ValueError(
            f"The {name} dataset has no 'input_ids' column (columns: {column_names}); tokenize it first, "
            "e.g. with hf_ulmfit.tokenize_documents(dataset, tokenizer)."
        )
    return column_names is not None


def document_ids(dataset, name: str) -> list:
    """The `input_ids` of every document of a tokenized dataset."""
    if _has_input_ids(dataset, name):
        return list(dataset["input_ids"])
    try:
        return [example["input_ids"] for example in dataset]
    except (KeyError, TypeError) as error:
        raise ValueError(f"Every example of the {name} dataset needs 'input_ids'.") from error


def document_lengths(dataset, name: str) -> list[int]:
    """The token count of every document. A `datasets.Dataset` answers from Arrow, without turning every id into a
    Python int (a copy of the whole corpus otherwise)."""
    if _has_input_ids(dataset, name) and hasattr(dataset, "with_format"):
        import pyarrow.compute  # present wherever a datasets.Dataset is

        column = dataset.with_format("arrow")["input_ids"]
        return [n or 0 for n in pyarrow.compute.list_value_length(column).to_pylist()]
    return [len(ids) for ids in document_ids(dataset, name)]


__all__ = ["tokenize_documents", "encode_texts", "document_ids", "document_lengths", "check_not_empty", "is_blank"]
