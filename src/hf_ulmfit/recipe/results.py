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
"""One result row of an experiment script, appended to its results.jsonl with what is needed to reproduce it."""

import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import torch
import transformers


def head_commit(script: str | Path) -> str:
    """The short git commit of the checkout that holds `script` ("" outside a git checkout or without git: a result
    row is not worth losing for it)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(script).resolve().parent,
                                capture_output=True, text=True)  # fmt: skip
    except OSError:
        return ""
    return commit.stdout.strip()


def append_result(results: str | Path, row: dict, started: float, script: str | Path,
                  indent: int | None = None, commit: str | None = None) -> dict:
    """Adds to `row` the wall time since `started` (a `time.perf_counter()` value), the command (`script`, a file
    one folder below the repository root such as examples/replicate.py, with this process's arguments), the
    date, the git commit of the script's checkout, the torch thread count and the library versions; appends it as
    one JSON line to `results` and prints it. Returns the row."""
    script = Path(script).resolve()
    # The script's checkout, not the working directory, as it was when the run started (`commit`) where the caller
    # took it then: a commit made during a long run does not name the code that made the row.
    commit = head_commit(script) if commit is None else commit
    row.update(
        wall_s=round(time.perf_counter() - started, 1),
        command=" ".join(["python", f"{script.parent.name}/{script.name}", *sys.argv[1:]]),
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        commit=commit,
        threads=torch.get_num_threads(),
        versions={"torch": torch.__version__, "transformers": transformers.__version__,
                  "hf_ulmfit": version("hf_ulmfit")},
    )  # fmt: skip
    with open(results, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row, indent=indent))
    return row
