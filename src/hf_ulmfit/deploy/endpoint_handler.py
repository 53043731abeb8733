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
"""`handler.py` in a saved classifier folder: Hugging Face Inference Endpoints' custom handler convention
(`EndpointHandler(path)`, `__call__({"inputs": ...})`). The file is `hf_ulmfit/scoring.py` itself, which imports
only torch and transformers, so the endpoint scores exactly as the service and `examples/serve.py` do."""

import inspect
import shutil
from pathlib import Path

from ..scoring import EndpointHandler
from ..utils import atomic_path, is_classifier

HANDLER_NAME = "handler.py"


def write_endpoint_handler(model, folder: str | Path) -> Path | None:
    """Write `handler.py` into `folder` where `model` is a classifier (a language model gets none); returns the
    path written, or None."""
    if not is_classifier(model):
        return None
    path = Path(folder) / HANDLER_NAME
    with atomic_path(path) as tmp:
        shutil.copyfile(inspect.getfile(EndpointHandler), tmp)  # the whole scoring module
    return path
