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
"""Serve a saved ULMFiT classifier over HTTP.

    python -m hf_ulmfit.serve DIR [--host 127.0.0.1] [--port 8000] [--backend fp32|bf16|int8|onnx] [--workers N]

POST /predict {"texts": [...]} or {"text": "..."}; GET /health, GET /metadata, GET /openapi.json (docs/serving.md).
SIGTERM (or Ctrl-C) stops accepting connections, finishes the requests in flight, then exits.
"""

import argparse
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

from .backends import BACKENDS


def parse_args(argv: list[str] | None):
    from .app import ServeSettings

    defaults = ServeSettings(folder="")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="a saved ULMFiT classifier folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--backend", choices=BACKENDS, default=defaults.backend)
    parser.add_argument("--workers", type=int, default=1, help="processes, each with its own copy of the model")
    parser.add_argument("--threads", type=int, help="torch threads per process (default: torch's)")
    parser.add_argument("--max_texts", type=int, default=defaults.max_texts, help="texts per request (more: 413)")
    parser.add_argument("--max_wait_ms", type=float, default=defaults.max_wait_ms,
                        help="how long a text waits for others to join its batch")  # fmt: skip
    parser.add_argument("--max_batch_tokens", type=int, default=defaults.max_batch_tokens,
                        help="padded tokens per forward")  # fmt: skip
    parser.add_argument("--max_batch_size", type=int, default=defaults.max_batch_size, help="texts per forward")
    parser.add_argument("--threshold", type=float, default=defaults.threshold, help="multi-label threshold")
    parser.add_argument("--max_body_bytes", type=int, default=defaults.max_body_bytes)
    parser.add_argument("--log_level", default="warning", help="uvicorn's (info logs each request)")
    args = parser.parse_args(argv)
    for name in ("workers", "max_texts", "max_batch_tokens", "max_batch_size", "max_body_bytes"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}.")
    if args.max_wait_ms < 0:
        parser.error(f"--max_wait_ms must be at least 0, got {args.max_wait_ms}.")
    fields = set(asdict(defaults))
    return parser, args, ServeSettings(**{k: v for k, v in vars(args).items() if k in fields})


def main(argv: list[str] | None = None) -> None:
    parser, args, settings = parse_args(argv)
    try:
        import uvicorn

        from .app import SETTINGS_VARIABLE, Service, create_app, describe
    except ImportError as err:
        parser.error(f"{err.name} is not installed: pip install 'hf_ulmfit[serve]'.")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # quiet by default: the weights load in a blink
    try:  # the folder and the backend are checked here, before the server listens
        if args.workers == 1:
            service = Service(settings)
            name, revision, agreement = service.name, service.revision, service.agreement
        else:  # in a child process, so that the supervisor does not keep a copy of the model
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                name, revision, agreement = pool.submit(describe, settings).result()
    except (ValueError, OSError) as err:
        parser.error(str(err))
    print(f"Serving {name} (revision {revision}, {settings.backend}) on http://{args.host}:{args.port}",
          file=sys.stderr)  # fmt: skip
    if agreement is not None:
        print(f"{settings.backend} against fp32: {json.dumps(agreement)}", file=sys.stderr)
    options = {"host": args.host, "port": args.port, "log_level": args.log_level}
    if args.workers == 1:
        uvicorn.run(create_app(settings, service), **options)
        return
    os.environ[SETTINGS_VARIABLE] = json.dumps(asdict(settings))
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    uvicorn.run("hf_ulmfit.serve.app:app_from_environment", factory=True, workers=args.workers, **options)


if __name__ == "__main__":
    main()
