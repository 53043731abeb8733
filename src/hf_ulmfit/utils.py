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
"""Small helpers every room shares: writing files and folders atomically (and saying why a save failed), checking
a saved folder before loading it, telling a classifier from a language model, what the CPU is and whether it
computes in bf16 natively."""

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
    without an error it is flushed to disk and replaces `path`, so a reader never sees a half-written file or
    folder. On an error it is removed and `path` is left as it was. A folder that already exists is moved aside,
    not deleted, until the new one is in its place (it is back where it was if that rename fails)."""
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
        fsync_tree(tmp)
        if folder and path.exists():
            replace_folder(tmp, path)
        else:
            os.replace(tmp, path)
        fsync_tree(path.parent, recurse=False)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def replace_folder(new: str | os.PathLike, path: str | os.PathLike) -> None:
    """Put folder `new` where folder `path` is; the old folder is removed only once the new one is in place."""
    path = Path(path)
    aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
    aside.rmdir()
    os.replace(path, aside)
    try:
        os.replace(new, path)
    except OSError:
        os.replace(aside, path)
        raise
    shutil.rmtree(aside, ignore_errors=True)


class SaveError(OSError):
    """A model or checkpoint could not be saved where asked; the message says why, and what is safe."""


def first_line(error: BaseException) -> str:
    """An error's message up to its first line break: what a one-line report has room for."""
    return (str(error).strip().splitlines() or [""])[0]


def failure_cause(error: BaseException, folder: str | os.PathLike) -> str:
    """One line for why a save into `folder` failed, with the space left there (torch's writer says only
    'enforce fail at inline_container.cc' when the disk is full)."""
    text = first_line(error)
    cause = f"{type(error).__name__}: {text}" if text else type(error).__name__
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return cause
    return f"{cause}; {free / 2**20:.1f} MB free there"


def fsync_tree(path: str | os.PathLike, recurse: bool = True) -> None:
    """Flush a file, or a folder's entries (and, with `recurse`, everything in it) to disk: a rename that makes a
    folder visible is worth nothing after a power cut if its files were still only in the page cache."""
    path = Path(path)
    if recurse and path.is_dir():
        for child in path.iterdir():
            fsync_tree(child)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # a folder some systems do not let one open: its entries are flushed with the files
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a file system without fsync on folders (some network ones): nothing more can be done
    finally:
        os.close(fd)


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, read a megabyte at a time (corpora and weights can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_saved_folder(folder: str | os.PathLike, tokenizer: bool = True) -> None:
    """A clear error, naming the file and the cause, for a saved folder that would not load or would load wrong:
    a local path that does not exist (transformers takes it for a malformed Hub id), no or damaged config.json,
    tokenizer.json or weights (transformers reports a bare JSONDecodeError, or a safetensors header error
    without the path), weights whose sizes are not the config's, a tokenizer with another vocabulary size than
    the embedding. A Hub id is left to transformers."""
    name, folder = os.fspath(folder), Path(folder)
    if not folder.is_dir():
        # not a Hub id ("name" or "owner/name"): a path, or a name inside a local folder ("runs/missing")
        local = folder.exists() or folder.is_absolute() or name.startswith((".", "~")) or name.count("/") > 1
        if local or (name.count("/") == 1 and folder.parent.is_dir()):
            raise ValueError(f"{name}: no such model folder.")
        return  # a Hub name: transformers downloads and checks it
    if not (folder / "config.json").is_file():
        raise ValueError(f"{folder} has no config.json: it is not a saved model folder.")
    config = read_json(folder / "config.json")
    if config.get("model_type") != "ulmfit":
        return  # the caller says it is not a ULMFiT model
    for path in sorted(folder.glob("*.safetensors")):
        check_weights(path, config)
    if tokenizer:
        if not (folder / "tokenizer.json").is_file():
            raise ValueError(f"{folder} has no tokenizer.json: copy the tokenizer files saved with the model.")
        size = tokenizer_size(read_json(folder / "tokenizer.json"))
        if config.get("vocab_size") not in (None, size):
            raise ValueError(f"{folder / 'tokenizer.json'} has {size} tokens but the model's embedding has "
                             f"{config['vocab_size']} rows (config.json vocab_size): the tokenizer is not the one "
                             "saved with these weights.")


def read_json(path: Path) -> dict:
    """A saved JSON file, or an error naming it and where it breaks (a truncated copy, a full disk)."""
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err.msg} at line {err.lineno} column {err.colno}): save or "
                         "copy it again.") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text ({err.reason}): save or copy it again.") from None


def tokenizer_size(data: dict) -> int:
    """The number of ids a tokenizer.json gives (its vocabulary and added tokens): `len(tokenizer)`."""
    vocab = data.get("model", {}).get("vocab") or {}
    ids = list(vocab.values()) if isinstance(vocab, dict) else list(range(len(vocab)))
    ids += [token["id"] for token in data.get("added_tokens") or []]
    return max(ids) + 1 if ids else 0


def check_weights(path: Path, config: dict) -> None:
    """`path` is a readable safetensors file whose tensors have the sizes a ULMFiT model of `config` has."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), "pt") as f:
            shapes = {key: list(f.get_slice(key).get_shape()) for key in f.keys()}
    except Exception as err:  # noqa: BLE001 - safetensors raises several types for a damaged file
        raise ValueError(f"{path}: not a readable safetensors file ({err}); save or copy it again.") from None
    expected = expected_shapes(config)  # {} when the config does not build: from_pretrained reports that
    for key, shape in shapes.items():
        if key in expected and expected[key] != shape:
            raise ValueError(f"{path} does not fit {path.parent / 'config.json'}: {key} is {shape} in the weights but "
                             f"{expected[key]} for the config: the two come from different models.")


def expected_shapes(config: dict) -> dict[str, list[int]]:
    """The tensor shapes of the ULMFiT model `config` describes (built on the meta device: no memory); {} for a
    config that does not build."""
    import torch

    from .models.ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification

    values = {k: v for k, v in config.items() if k not in ("architectures", "model_type", "transformers_version")}
    try:
        built = ULMFiTConfig(**values)
        model_class = ULMFiTForSequenceClassification if is_classifier(built) else ULMFiTForCausalLM
        with torch.device("meta"):
            model = model_class(built)
    except Exception:  # noqa: BLE001 - a config that does not build is for from_pretrained to report
        return {}
    return {key: list(tensor.shape) for key, tensor in model.state_dict().items()}


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


__all__ = ["BF16_FLAGS", "SaveError", "atomic_path", "check_saved_folder", "cpu_description", "cpu_flags",
           "cpu_has_native_bf16", "failure_cause", "file_sha256", "first_line", "fsync_tree", "is_classifier",
           "load_classifier", "read_json", "replace_folder", "tokenizer_size"]
