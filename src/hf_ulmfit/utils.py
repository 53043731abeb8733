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
"""Small helpers every room shares: writing files and folders atomically, telling a classifier from a language
model, what the CPU is and whether it computes in bf16 natively."""

import hashlib
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .scoring import is_classifier, load_trained_classifier


@contextmanager
def atomic_path(path: str | os.PathLike, folder: bool = False) -> Iterator[Path]:
    """A temporary sibling of `path` (a file, or a folder with `folder=True`) to write into; when the block ends
    without an error it replaces `path`, so a reader never sees a half-written file or folder. On an error it is
    removed and `path` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod((0o777 if folder else 0o666) & ~umask)  # mkdtemp's / mkstemp's private mode would outlive the rename
    try:
        yield tmp
        if folder and path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, read a megabyte at a time (corpora and weights can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_saved_folder(folder: str | os.PathLike, tokenizer: bool = True) -> None:
    """A clear error, naming the file, for a local saved folder whose weights cannot be read or which lacks its
    tokenizer (transformers reports a safetensors header error without the path, or asks for sentencepiece)."""
    from safetensors import safe_open

    folder = Path(folder)
    if not folder.is_dir():
        return  # a Hub name: transformers downloads and checks it
    for weights in sorted(folder.glob("*.safetensors")):
        try:
            with safe_open(str(weights), "pt"):
                pass
        except Exception as err:  # noqa: BLE001 - safetensors raises several types for a damaged file
            raise ValueError(f"{weights}: not a readable safetensors file ({err}); save or copy it again.") from None
    if tokenizer and not (folder / "tokenizer.json").is_file():
        raise ValueError(f"{folder} has no tokenizer.json: copy the tokenizer files saved with the model.")


def load_classifier(folder: str | os.PathLike):
    """The trained classifier saved in `folder` (eval mode) and its tokenizer: the one loader of the package's
    commands and service. Damaged weights, a missing tokenizer, a language model's folder or an untrained head are
    refused with the reason."""
    from transformers import AutoTokenizer

    check_saved_folder(folder)
    return load_trained_classifier(folder), AutoTokenizer.from_pretrained(folder)


# x86 flags of CPUs with bf16 arithmetic in hardware; elsewhere bf16 autocast is emulated and slower than float32.
BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def _read_cpuinfo() -> str:
    path = Path("/proc/cpuinfo")
    return path.read_text() if path.is_file() else ""  # Linux only; elsewhere nothing is known


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The flags of the CPU's `flags` lines in `cpuinfo` (the text of /proc/cpuinfo, read when None)."""
    text = _read_cpuinfo() if cpuinfo is None else cpuinfo
    return {flag for line in text.splitlines() if line.split(":", 1)[0].strip() == "flags"
            for flag in line.split(":", 1)[-1].split()}  # fmt: skip


def cpu_has_native_bf16(cpuinfo: str | None = None) -> bool:
    """Whether the CPU computes in bf16 natively (one of `BF16_FLAGS`), which makes bf16 autocast faster than
    float32 on it."""
    return any(flag in cpu_flags(cpuinfo) for flag in BF16_FLAGS)


def cpu_description(cpuinfo: str | None = None) -> str:
    """The CPU's model name (`platform.processor()` where /proc/cpuinfo has none), with the `BF16_FLAGS` it has in
    brackets: what a results table needs to say where it was measured."""
    text = _read_cpuinfo() if cpuinfo is None else cpuinfo
    name = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                 if line.split(":", 1)[0].strip() == "model name"), platform.processor())  # fmt: skip
    bf16 = [flag for flag in BF16_FLAGS if flag in cpu_flags(text)]
    return name + (f" ({', '.join(bf16)})" if bf16 else "")


__all__ = ["file_sha256", "BF16_FLAGS", "atomic_path", "check_saved_folder", "cpu_description", "cpu_flags", "cpu_has_native_bf16",
           "is_classifier", "load_classifier"]
