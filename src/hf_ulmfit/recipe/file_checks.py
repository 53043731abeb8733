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


def kind_of(value) -> str:
    """A label's type as far as ordering goes: 1 and 0.5 are both numbers, "1" is not."""
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


def check_text(record: dict, text_column: str | None, where: str) -> None:
    """A text must be a string (or null / missing: an empty row, left out with a warning)."""
    value = record.get(text_column) if text_column else None
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: {text_column!r} must be a string, got {type(value).__name__} ({value!r:.40}).")


def locate(paths, column: str, wanted) -> tuple[str, object] | None:
    """("FILE, line N", value) of the first JSON Lines record among `paths` whose `column` satisfies
    `wanted(value)` (None when no local JSON Lines file has one): an error found in the loaded data can name its
    line."""
    for path in map(Path, paths):
        if not path.is_file() or not {".json", ".jsonl"} & {s.lower() for s in path.suffixes}:
            continue
        for number, line in text_lines(raw_lines(path), str(path)):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break  # one JSON document, not JSON Lines: no line to name
            if isinstance(record, dict) and wanted(record.get(column)):
                return f"{path}, line {number}", record[column]
    return None


def check_local_file(path: Path, keep_columns=(), text_column: str | None = None) -> None:
    """Encoding, emptiness and, for JSON Lines, each record: a text that is not a string, a kept column (a label)
    that is missing or null, or of mixed types (1 and "1" cannot be ordered)."""
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
    missing: dict[str, int] = {}
    for number, line in lines:
        if not line.strip():
            continue
        seen = True
        if suffix not in (".json", ".jsonl"):
            continue
        record = json_record(line, number, str(path))
        check_text(record, text_column, f"{path}, line {number}")
        for column in keep_columns:
            value = record.get(column)
            if value is None:
                if column in record:
                    raise ValueError(f"{path}, line {number}: {column!r} is null: every row needs one.")
                missing.setdefault(column, number)  # an error if other rows have it (else: no such column)
                continue
            first = types.setdefault(column, (kind_of(value), number))
            if first[0] != kind_of(value):
                raise ValueError(
                    f"{path}, line {number}: {column!r} is {kind_of(value)} ({value!r}) but "
                    f"{first[0]} on line {first[1]}: use one type for every {column!r}."
                )
    if not seen:
        raise ValueError(f"{path} is empty: it holds no texts.")
    for column, number in missing.items():
        if column in types:
            raise ValueError(f"{path}, line {number}: no {column!r}, which line {types[column][1]} has: every row "
                             "needs one.")
