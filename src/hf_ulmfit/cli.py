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
"""How the command-line scripts end on an error: one line on stderr, the traceback only when asked for.

The package's own errors (`ValueError`, and `OSError` such as `SaveError`) say the file and the cause: they are
printed as `SCRIPT: error: MESSAGE` with exit status 2. Anything else is unexpected: one line with its type, a hint,
and exit status 1. `--debug` (on the scripts that take it) or `HF_ULMFIT_DEBUG=1` shows the full traceback instead
(the stage scripts take only the variable: their `--debug` is transformers' TrainingArguments.debug)."""

import os
import sys
from collections.abc import Callable
from pathlib import Path

DEBUG_ENV = "HF_ULMFIT_DEBUG"


def debugging(argv: list[str] | None = None) -> bool:
    """Whether the traceback was asked for: `HF_ULMFIT_DEBUG` set (and not 0), or `--debug` among the arguments."""
    argv = sys.argv[1:] if argv is None else argv
    return os.environ.get(DEBUG_ENV, "0") not in ("", "0") or "--debug" in argv


def run_script(main: Callable, argv: list[str] | None = None):
    """`main(argv)` as a script runs it: its result, or the one-line error and the exit status above."""
    try:
        return main(argv)
    except (ValueError, OSError) as err:
        if debugging(argv):
            raise
        print(f"{Path(sys.argv[0]).name}: error: {err}", file=sys.stderr)
        sys.exit(2)
    except Exception as err:  # noqa: BLE001 - not diagnosed by the package: say so and how to see more
        if debugging(argv):
            raise
        print(f"{Path(sys.argv[0]).name}: error: {type(err).__name__}: {err} (unexpected; run again with "
              f"{DEBUG_ENV}=1 for the traceback)", file=sys.stderr)
        sys.exit(1)


__all__ = ["DEBUG_ENV", "debugging", "run_script"]
