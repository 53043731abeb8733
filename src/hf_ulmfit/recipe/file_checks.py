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
"""Local text files read line by line before `datasets` sees them: a bad file is one `ValueError` that names the
file, the line and the cause (datasets and pyarrow report these deep inside, often without the line)."""

import bz2
import gzip
import json
import lzma
from collections.abc import Iterator
from pathlib import Path

OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def raw_lines(path: Path) -> Iterator[bytes]:
    """The file's lines as bytes, decompressed (.zst files are left to `datasets`: no line checks)."""
    opener = OPENERS.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as f:
            yield from f
    except (OSError, EOFError, lzma.LZMAError) as err:
        raise ValueError(f"{path}: cannot be read ({err}).") from None


def text_lines(lines, where: str) -> Iterator[tuple[int, str]]:
    """(line number, text) for UTF-8 byte lines; a clear error at the first line that is not UTF-8."""
    for number, line in enumerate(lines, 1):
        try:
            yield number, line.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{where}, line {number}: not valid UTF-8 ({err.reason} at byte {err.start} of the line)."
            ) from None


def json_record(line: str, number: int, where: str) -> dict:
    """One JSON Lines record (an object); a clear error otherwise."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}, line {number}: not valid JSON ({err.msg} at column {err.colno}).") from None
    if not isinstance(record, dict):
        raise ValueError(f"{where}, line {number}: a JSON Lines record must be an object, got {type(record).__name__}.")
    return record


def check_local_file(path: Path, keep_columns=()) -> None:
    """Encoding, emptiness and, for JSON Lines, each record and the type of each kept column (labels of mixed
    types such as 1 and "1" cannot be ordered)."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (*OPENERS, ".zst")]
    suffix = suffixes[-1] if suffixes else ""
    if path.suffix.lower() == ".zst":
        return
    lines = text_lines(raw_lines(path), str(path))
    if suffix == ".json":  # one JSON document (an array, {"data": [...]}) or JSON Lines
        text = "".join(line for _, line in lines)
        try:
            json.loads(text)
            return
        except json.JSONDecodeError:
            lines = enumerate(text.splitlines(keepends=True), 1)
    seen = False
    types: dict[str, tuple[type, int]] = {}
    for number, line in lines:
        if not line.strip():
            continue
        seen = True
        if suffix not in (".json", ".jsonl"):
            continue
        record = json_record(line, number, str(path))
        for column in keep_columns:
            value = record.get(column)
            if value is None:
                continue
            first = types.setdefault(column, (type(value), number))
            if first[0] is not type(value):
                raise ValueError(
                    f"{path}, line {number}: {column!r} is {type(value).__name__} ({value!r}) but "
                    f"{first[0].__name__} on line {first[1]}: use one type for every {column!r}."
                )
    if not seen:
        raise ValueError(f"{path} is empty: it holds no texts.")
