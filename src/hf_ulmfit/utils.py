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
model."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | os.PathLike, folder: bool = False) -> Iterator[Path]:
    """A temporary sibling of `path` (a file, or a folder with `folder=True`) to write into; when the block ends
    without an error it replaces `path`, so a reader never sees a half-written file or folder. On an error it is
    removed and `path` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp's private mode would outlive the rename
    else:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
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


def is_classifier(model_or_config) -> bool:
    """Whether a ULMFiT model, or the config of a saved folder, is a sequence classifier (else a language model)."""
    if hasattr(model_or_config, "config"):  # a model: its class says it, whatever its config was loaded from
        return "ForSequenceClassification" in type(model_or_config).__name__
    return any("ForSequenceClassification" in name for name in model_or_config.architectures or [])


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


__all__ = ["atomic_path", "check_saved_folder", "is_classifier"]
