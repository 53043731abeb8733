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
"""`python -m hf_ulmfit.export DIR ...`: the ONNX export's command line, kept at this name for scripts that call
it; the export lives in `hf_ulmfit.deploy.onnx_export`."""

from .cli import run_script
from .deploy.onnx_export import export, load_saved_model, main

__all__ = ["export", "load_saved_model", "main"]

if __name__ == "__main__":
    run_script(main)
