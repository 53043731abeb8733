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
"""Read pickles of plain data (fastai vocabularies such as `itos_wt103.pkl`) without running code.

A pickle can name any importable callable and call it while loading (`__reduce__`), so `pickle.load` on a
downloaded file is arbitrary code execution. Plain lists, tuples, dicts, strings and numbers need no importable
name at all, so `load_plain` refuses every `find_class` lookup: a pickle that would import anything (a fastai
`Vocab` or `CategoryMap` object, numpy arrays, a payload calling `os.system`) fails before any of it runs.
Tensors are not accepted here; weights go through `torch.load(weights_only=True)` instead.
"""

import io
import pickle
from pathlib import Path

from ..utils import first_line

_PLAIN_TYPES = (str, int, float, bool, type(None))


class PlainDataUnpickler(pickle.Unpickler):
    """An unpickler that builds only built-in containers and scalars (they need no `find_class`)."""

    def __init__(self, file, source: str):
        super().__init__(file)
        self.source = source

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(
            f"{self.source} is not a plain-data pickle: it asks to import {module}.{name}, and loading it would "
            "run code. Only lists/dicts of strings and numbers are read. If it is a fastai object (Vocab, "
            "CategoryMap), save its plain list instead, e.g. pickle.dump(list(vocab.itos), f)."
        )


def _check_plain(obj, source: str, depth: int = 0) -> None:
    if depth > 4:
        raise ValueError(f"{source} nests containers too deeply for a vocabulary.")
    if isinstance(obj, _PLAIN_TYPES):
        return
    if isinstance(obj, (list, tuple)):
        for item in obj:
            _check_plain(item, source, depth + 1)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _check_plain(key, source, depth + 1)
            _check_plain(value, source, depth + 1)
    else:  # bytes, sets, ...: built without imports but never part of a vocabulary
        raise ValueError(f"{source} holds a {type(obj).__name__}; only lists/dicts of strings and numbers are read.")


def load_plain(path: str | Path):
    """Unpickle `path` if it holds only lists, tuples and dicts of strings and numbers; raise ValueError otherwise."""
    path = Path(path)
    data = path.read_bytes()
    try:
        obj = PlainDataUnpickler(io.BytesIO(data), str(path)).load()
    except pickle.UnpicklingError as err:
        raise ValueError(str(err)) from err
    except Exception as err:  # noqa: BLE001 - truncated or non-pickle bytes raise many types
        raise ValueError(f"Could not read {path} as a pickle: {first_line(err)}") from err
    _check_plain(obj, str(path))
    return obj
