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
"""`ulmfit`: the package's commands, one sub-command per job.

One command with sub-commands rather than a script per job, as `transformers` and `hf` do: one name to remember,
`ulmfit --help` lists every job, and each sub-command's `--help` its options. A sub-command's module is imported
only when it runs, so `ulmfit --help` is quick. The same code runs as `python -m hf_ulmfit.serve`,
`python -m hf_ulmfit.export`, `python -m hf_ulmfit.convert_fastai` and the scripts in `examples/`.
"""

import importlib
import sys

from ..cli import run_script

# sub-command: (module with `main(argv)`, what it does)
COMMANDS = {
    "pretrain": ("hf_ulmfit.commands.pretrain_lm", "stage 1: a vocabulary and a language model from general text"),
    "finetune": ("hf_ulmfit.commands.finetune_lm", "stage 2: the language model fine-tuned on the task's text"),
    "train-classifier": ("hf_ulmfit.commands.train_classifier", "stage 3: a classifier on the fine-tuned encoder"),
    "convert-fastai": ("hf_ulmfit.conversion.convert_fastai", "a fastai model (v1 or v2) as a saved folder"),
    "export": ("hf_ulmfit.deploy.onnx_export", "ONNX of a saved folder, checked against PyTorch"),
    "serve": ("hf_ulmfit.serve.__main__", "an HTTP service over a saved classifier, with dynamic batching"),
    "explain": ("hf_ulmfit.commands.explain", "per-word importance pages and an evaluation report"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name:<{width}}  {what}" for name, (_, what) in COMMANDS.items()]
    return "\n".join(["usage: ulmfit COMMAND [ARGS...]   (ulmfit COMMAND --help for its options)", "", "commands:",
                      *lines])


def main(argv: list[str] | None = None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return None
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"ulmfit: error: no command {name!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    sys.argv[0] = f"ulmfit {name}"  # what argparse's usage lines and the one-line errors name
    return run_script(importlib.import_module(COMMANDS[name][0]).main, rest)


__all__ = ["COMMANDS", "main"]
