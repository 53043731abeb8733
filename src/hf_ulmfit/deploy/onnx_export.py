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
"""Export a saved ULMFiT model for deployment.

    python -m hf_ulmfit.export DIR [--format onnx] [--out FILE] [--opset N]

A classifier becomes `(input_ids, attention_mask) -> logits`; a language model becomes its next-token step
`(input_ids, h_0, c_0, ..., h_{L-1}, c_{L-1}) -> (logits, h_0', c_0', ...)`, so a runtime can generate with the
state as its cache. Batch size and sequence length are dynamic in both.

ONNX only: torch 2.13's `torch.export` (and the dynamo ONNX exporter built on it) fixes the sequence length of
an LSTM to the traced one, so the TorchScript-based ONNX exporter is used.

Exported graphs are eval-mode and read a whole document in one pass (in eval mode the state carried across
`bptt` chunks makes chunking invisible), so their outputs equal `model(...)` up to float rounding. The
`attention_mask` must mark one contiguous block of real tokens per row, as the model itself requires.
"""

import argparse
from pathlib import Path

import torch
from torch import nn
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

from ..utils import atomic_path, check_saved_folder, is_classifier


class ClassifierGraph(nn.Module):
    """`ULMFiTForSequenceClassification` as `(input_ids, attention_mask) -> logits`: the model's own forward, which
    reads a whole document in one pass when traced."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.eval()  # the exporter restores this mode afterwards, on the wrapped model too

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=True).logits


class LMStepGraph(nn.Module):
    """`ULMFiTForCausalLM` as a step function with the LSTM state passed in and out as flat tensors."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.eval()  # the exporter restores this mode afterwards, on the wrapped model too

    def forward(self, input_ids: torch.Tensor, *flat_state: torch.Tensor):
        state = tuple(zip(flat_state[0::2], flat_state[1::2], strict=True))
        out = self.model(input_ids=input_ids, state=state, use_cache=True, return_dict=True)
        return (out.logits, *[t for pair in out.state for t in pair])


def example_inputs(model, batch_size: int = 2, length: int = 7) -> tuple[torch.Tensor, ...]:
    """Inputs that trace the graph for `model` (the dynamic axes cover any other size)."""
    input_ids = torch.full((batch_size, length), model.config.bos_token_id or 0, dtype=torch.long)
    if is_classifier(model):
        return input_ids, torch.ones_like(input_ids)
    return (input_ids, *[t for pair in model.ulmfit.zero_state(batch_size) for t in pair])


def graph_for(model) -> tuple[nn.Module, list[str], list[str]]:
    """The exportable module for `model`, with its input and output names."""
    if is_classifier(model):
        return ClassifierGraph(model), ["input_ids", "attention_mask"], ["logits"]
    layers = range(model.config.num_hidden_layers)
    state_in = [f"{kind}_{i}" for i in layers for kind in ("h", "c")]
    return LMStepGraph(model), ["input_ids", *state_in], ["logits", *[f"{n}_out" for n in state_in]]


def _dynamic_axes(input_names: list[str], output_names: list[str]) -> dict[str, dict[int, str]]:
    token_axes = {0: "batch", 1: "length"}
    names = [*input_names, *output_names]
    return {n: token_axes if n in ("input_ids", "attention_mask", "logits") else {1: "batch"} for n in names}


def export(model, out: str | Path, fmt: str = "onnx", opset: int = 18) -> Path:
    """Write `model` as an ONNX file; returns the path written."""
    if fmt != "onnx":
        raise ValueError(f"Unknown export format {fmt!r}: 'onnx' is supported.")
    graph, input_names, output_names = graph_for(model)
    inputs = example_inputs(model)
    out = Path(out)
    with torch.no_grad(), atomic_path(out) as tmp:
        torch.onnx.export(
            graph, inputs, str(tmp), input_names=input_names, output_names=output_names, opset_version=opset,
            dynamic_axes=_dynamic_axes(input_names, output_names), dynamo=False,
        )  # fmt: skip
    return out


def load_saved_model(folder: str | Path):
    """Load a saved ULMFiT folder as the head its config names (classifier or causal LM)."""
    check_saved_folder(folder, tokenizer=False)  # the graph needs no tokenizer
    config = AutoConfig.from_pretrained(folder)
    if config.model_type != "ulmfit":
        raise ValueError(f"{folder} holds a {config.model_type!r} model, not a ULMFiT model.")
    auto = AutoModelForSequenceClassification if is_classifier(config) else AutoModelForCausalLM
    return auto.from_pretrained(folder).eval()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="a saved ULMFiT model folder")
    parser.add_argument("--format", choices=["onnx"], default="onnx")
    parser.add_argument("--out", help="output file (default: FOLDER/model.onnx)")
    parser.add_argument("--opset", type=int, default=18, help="ONNX opset")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = parser.parse_args(argv)
    model = load_saved_model(args.folder)
    out = args.out or Path(args.folder) / "model.onnx"
    print(f"Wrote {export(model, out, args.format, args.opset)}")


if __name__ == "__main__":
    main()
