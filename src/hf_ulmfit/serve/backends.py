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
"""The service's compute backends, chosen at start: PyTorch fp32, bf16 autocast (only where the CPU computes bf16
natively), dynamic int8 (Linear and LSTM weights) and ONNX Runtime on `hf_ulmfit.export`'s graph. Each is a
`scoring.Forward`, so the batching and scoring around it are the same; `agreement` measures one against fp32."""

import copy
import random
import tempfile
import warnings
from pathlib import Path

import torch
from torch import nn

from ..deploy.onnx_export import export
from ..scoring import REGRESSION, Forward, classify_ids, model_forward, problem_type, results
from ..utils import BF16_FLAGS, cpu_has_native_bf16

BACKENDS = ("fp32", "bf16", "int8", "onnx")


def bf16_forward(model) -> Forward:
    if not cpu_has_native_bf16():
        raise ValueError(
            f"The bf16 backend needs a CPU that computes bf16 natively ({' or '.join(BF16_FLAGS)} in /proc/cpuinfo); "
            "on this one it would be emulated and slower than fp32."
        )

    def forward(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return model(input_ids=input_ids, attention_mask=attention_mask).logits.float()

    return forward


def int8_forward(model) -> Forward:
    with warnings.catch_warnings():  # torch 2.13 deprecates the quantized tensors it still builds here
        warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*", category=UserWarning)
        quantized = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {nn.Linear, nn.LSTM}, dtype=torch.qint8)
    return model_forward(quantized)


def onnx_forward(model, folder: str | Path) -> Forward:
    """ONNX Runtime on FOLDER/model.onnx (`python -m hf_ulmfit.export FOLDER`), exported to a temporary file when
    the folder has none."""
    try:
        import onnxruntime
    except ImportError:
        raise ValueError("The onnx backend needs onnxruntime: pip install 'hf_ulmfit[export]'.") from None
    path = Path(folder) / "model.onnx"
    if not path.is_file():
        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on Python-level checks, which run on the host
            session = onnxruntime.InferenceSession(str(export(model, Path(tmp) / "model.onnx")),
                                                   providers=["CPUExecutionProvider"])  # fmt: skip
    else:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    def forward(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        feeds = {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()}
        return torch.from_numpy(session.run(["logits"], feeds)[0])

    return forward


def build_forward(name: str, model, folder: str | Path) -> Forward:
    """The `Forward` of backend `name` for `model` (loaded from `folder`); a ValueError with the reason where the
    backend cannot run here."""
    if name == "fp32":
        return model_forward(model)
    if name == "bf16":
        return bf16_forward(model)
    if name == "int8":
        return int8_forward(model)
    if name == "onnx":
        return onnx_forward(model, folder)
    raise ValueError(f"Unknown backend {name!r}: one of {', '.join(BACKENDS)}.")


def probe_texts(tokenizer, n: int = 32, seed: int = 0) -> list[list[int]]:
    """`n` token id lists of 4 to 256 random vocabulary words (special tokens left out): inputs on which to
    compare backends, the same on every start."""
    rng = random.Random(seed)
    words = sorted(i for token, i in tokenizer.get_vocab().items() if not token.startswith("xx"))  # a fixed order
    bos = tokenizer.bos_token_id
    return [[bos, *rng.choices(words, k=rng.randint(4, 256))] for _ in range(n)]


def agreement(forward: Forward, reference: Forward, tokenizer, config, ids: list[list[int]]) -> dict:
    """How closely `forward` follows `reference` on `ids`: the largest score difference and, for classifiers, the
    share of texts given the same labels (at the default multi-label threshold)."""
    ours = classify_ids(forward, tokenizer, ids, config)
    theirs = classify_ids(reference, tokenizer, ids, config)
    out = {"texts": len(ids), "max_score_difference": float((ours - theirs).abs().max())}
    if problem_type(config) != REGRESSION:
        same = [a["labels"] == b["labels"] for a, b in zip(results(ours, config), results(theirs, config), strict=True)]
        out["same_labels"] = sum(same) / len(same)
    return out
