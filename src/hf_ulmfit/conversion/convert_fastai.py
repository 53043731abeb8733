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
"""Convert fastai AWD-LSTM models (fastai 1 or 2, language model or classifier, forward or backward) into a
transformers folder: config, safetensors weights, tokenizer and a model card recording the source.

    python -m hf_ulmfit.convert_fastai WEIGHTS --out DIR [--vocab FILE] [--sentencepiece FILE]
        [--target-vocab FILE] [--backwards] [--bptt N --max-len N --num-labels N --drop-mult X]

WEIGHTS is a state dict: `.safetensors`, or `.pth` as written by `learn.save` (a dict with `model`, maybe `opt`)
or `torch.save(model.state_dict())`, e.g. fastai 1's WikiText-103 `lstm_fwd.pth`. Sizes are inferred from the
tensor shapes (hidden 1150 for the WikiText-103 fastai 1 model, 1152 for fastai 2's) and the kind of model from
the keys. Nothing read runs code: `.pth` goes through `torch.load(weights_only=True)` (fastai 1 `learn.save` files
also hold the optimizer's `opt_func`, a Python object: such names are replaced by an inert placeholder, and only
the tensors of `model` are kept), `.pkl` vocabularies through `safe_pickle.load_plain`, and SentencePiece models
are decoded as data. `--vocab`, the vocabulary and special-token order are described in `fastai_vocab`.

Key layout, fastai 2 (LM = `SequentialRNN(AWD_LSTM, LinearDecoder)`, classifier =
`SequentialRNN(SentenceEncoder, PoolingLinearClassifier)`, whose encoder keys carry an extra `module.`):
    0.encoder.weight                      embedding           -> ulmfit.embeddings.weight
    0.encoder_dp.emb.weight               same tensor again   -> (dropped)
    0.rnns.{i}.module.weight_ih_l0        LSTM i input matrix -> ulmfit.rnns.{i}.weight_ih_l0
    0.rnns.{i}.weight_hh_l0_raw           LSTM i hidden matrix (before weight drop) -> ulmfit.rnns.{i}.weight_hh_l0
    0.rnns.{i}.module.bias_{ih,hh}_l0     LSTM i biases       -> ulmfit.rnns.{i}.bias_{ih,hh}_l0
    (`_reverse` variants of the four for bidirectional encoders)
    1.decoder.{weight,bias}               LM decoder          -> decoder.{weight,bias}
    1.layers.{b}.0.*                      block b BatchNorm1d -> classifier.layers.{b}.0.*
    1.layers.{b}.{1|2}.weight             block b Linear (index 1 when that block's dropout is 0) -> .2.weight

fastai 1 (1.0.x, checked against fastai/fastai1 `text/learner.py`, `text/models/awd_lstm.py`, `layers.py`):
the language model (`get_language_model`) has exactly the fastai 2 names above. The classifier
(`get_text_classifier`) is `SequentialRNN(MultiBatchEncoder, PoolingLinearClassifier)`: the encoder keys are
`0.module.*` as in fastai 2, but the head is one flat `nn.Sequential` of `bn_drop_lin` blocks
[BatchNorm1d, Dropout (only when p > 0), Linear (with a bias), ReLU (all blocks but the last)], so its keys are
`1.layers.{j}.{weight,bias,running_mean,running_var,num_batches_tracked}` with j counting modules across blocks
(0 BN, 2 Linear, 4 BN, 6 Linear with the default dropouts). Our head, like fastai 2's, has Linear layers without
bias; each fastai 1 Linear bias b is moved into the BatchNorm shift before it (beta += d with W d = b, exact
whenever W has full row rank, as with fastai's sizes; refused otherwise), which gives the same outputs in eval
mode (in training, dropout then acts on the moved bias too). fastai 1 classifiers read documents in chunks of bptt=70 and pool the last max_len=1400
tokens by default (fastai 2: 72 and 1440); those defaults are used when a fastai 1 layout is recognised.
"""

import argparse
import pickle
import re
from pathlib import Path

import torch

from ..model_card import write_model_card
from ..models.ulmfit.configuration_ulmfit import ULMFiTConfig
from ..models.ulmfit.modeling_ulmfit import ULMFiTForCausalLM, ULMFiTForSequenceClassification
from ..models.ulmfit.tokenization_ulmfit import number_tokens
from ..training.vocab_transfer import transfer_vocab
from ..utils import atomic_path, file_sha256, first_line
from .fastai_vocab import (
    build_sentencepiece_tokenizer,
    build_word_tokenizer,
    check_vocab,
    read_vocab,
    special_order,
    special_token_ids,
)
from .sentencepiece_model import read_model

_RNN_KEY = re.compile(r"^rnns\.(\d+)\.(?:module\.)?((?:weight|bias)_(?:ih|hh)_l0(?:_reverse)?)(_raw)?$")
_HEAD_KEY = re.compile(r"^1\.layers\.(\d+)\.(\d+)\.(\w+)$")
_FLAT_HEAD_KEY = re.compile(r"^1\.layers\.(\d+)\.(\w+)$")  # fastai 1's one flat nn.Sequential
_BATCHNORM_KEYS = {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
FASTAI1_CLASSIFIER_DEFAULTS = {"bptt": 70, "max_len": 1400}  # fastai 1 get_text_classifier(bptt=70, max_len=70*20)
_MAX_OPAQUE_GLOBALS = 32
# What fastai 1's `learn.save` puts in its optimizer state besides tensors (`opt_func`, numpy learning rates):
# stood in for by `_Opaque`, never imported. Any other name is refused.
_OPTIMIZER_GLOBAL_PREFIXES = ("torch.optim.", "fastai.", "numpy.")


def _encoder_prefix(state_dict: dict[str, torch.Tensor]) -> str:
    if "0.module.encoder.weight" in state_dict:
        return "0.module."
    if "0.encoder.weight" in state_dict:
        return "0."
    raise ValueError(
        "These weights are not a fastai AWD-LSTM: no '0.encoder.weight' (language model) or "
        f"'0.module.encoder.weight' (classifier) key. First keys: {sorted(state_dict)[:6]}"
    )


def convert_state_dict(state_dict: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], str]:
    """Map fastai 1 or 2 keys to ours. Returns the new state dict and the kind, "lm" or "classifier"."""
    prefix = _encoder_prefix(state_dict)
    kind = "classifier" if prefix == "0.module." else "lm"
    out: dict[str, torch.Tensor] = {}
    flat_head: dict[int, dict[str, torch.Tensor]] = {}
    for key, tensor in state_dict.items():
        if key.startswith(prefix):
            inner = key[len(prefix) :]
            if inner == "encoder.weight":
                out["ulmfit.embeddings.weight"] = tensor
            elif inner == "encoder_dp.emb.weight":
                continue
            elif match := _RNN_KEY.match(inner):
                layer, name, raw = match.groups()
                if name.startswith("weight_hh") and not raw:
                    continue  # fastai keeps a stale copy of the dropped matrix beside `_raw`
                out[f"ulmfit.rnns.{layer}.{name}"] = tensor
            else:
                raise ValueError(f"Unknown fastai encoder key {key!r} (only AWD-LSTM encoders convert, not QRNN).")
        elif kind == "lm" and key in ("1.decoder.weight", "1.decoder.bias"):
            out[key[2:]] = tensor
        elif kind == "classifier" and (match := _HEAD_KEY.match(key)):
            block, index, name = match.groups()
            is_linear = name == "weight" and tensor.dim() == 2
            out[f"classifier.layers.{block}.{2 if is_linear else index}.{name}"] = tensor
        elif kind == "classifier" and (match := _FLAT_HEAD_KEY.match(key)):
            index, name = match.groups()
            flat_head.setdefault(int(index), {})[name] = tensor
        else:
            raise ValueError(f"Unknown fastai {kind} key {key!r}.")
    if flat_head:
        if any(k.startswith("classifier.") for k in out):
            raise ValueError("The classifier head mixes fastai 1 (1.layers.j.*) and fastai 2 (1.layers.b.k.*) keys.")
        out.update(_fastai1_head(flat_head))
    return out, kind


def _fastai1_head(modules: dict[int, dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """fastai 1's flat head (see the module docstring) as our blocks, Linear biases moved into BatchNorm shifts."""
    blocks: list[dict] = []
    for index in sorted(modules):
        params = modules[index]
        if "running_mean" in params and set(params) <= _BATCHNORM_KEYS:
            blocks.append({"at": index, "bn": params})
        elif params.get("weight", torch.empty(0)).dim() == 2 and set(params) <= {"weight", "bias"} and blocks:
            if "linear" in blocks[-1]:
                raise ValueError(f"fastai 1 classifier layer 1.layers.{index}: two Linear layers in one block.")
            blocks[-1]["linear"] = params
        else:
            raise ValueError(
                f"Unexpected fastai 1 classifier layer 1.layers.{index} with {sorted(params)}: each block must be "
                "BatchNorm1d then Linear."
            )
    out = {}
    for b, block in enumerate(blocks):
        if "linear" not in block:
            raise ValueError(f"The fastai 1 classifier block at 1.layers.{block['at']} has no Linear layer.")
        bn, linear = dict(block["bn"]), block["linear"]
        if "bias" in linear:
            bn["bias"] = bn["bias"] + _shift_for_bias(linear["weight"], linear["bias"], f"1.layers.{block['at']}")
        out.update({f"classifier.layers.{b}.0.{name}": t for name, t in bn.items()})
        out[f"classifier.layers.{b}.2.weight"] = linear["weight"]
    return out


def _shift_for_bias(weight: torch.Tensor, bias: torch.Tensor, where: str) -> torch.Tensor:
    """d with weight @ d == bias, so that Linear(x + d) without bias equals Linear(x) with it."""
    w, b = weight.double(), bias.double()
    shift = torch.linalg.pinv(w) @ b
    if (w @ shift - b).abs().max() > 1e-9 * max(1.0, float(b.abs().max())):
        raise ValueError(
            f"The Linear bias of the fastai 1 classifier block at {where} cannot be moved into its BatchNorm (the "
            f"{tuple(weight.shape)} weight does not have full row rank), and our head has no Linear biases."
        )
    return shift.to(weight.dtype)


def infer_config(state_dict: dict[str, torch.Tensor], kind: str, **overrides) -> ULMFiTConfig:
    """Sizes from the shapes of a state dict in our layout (see `convert_state_dict`); the rest from `overrides`
    or fastai's defaults for that kind of model."""
    vocab_size, embedding_size = state_dict["ulmfit.embeddings.weight"].shape
    layers = sorted({int(k.split(".")[2]) for k in state_dict if k.startswith("ulmfit.rnns.")})
    bidirectional = any(k.endswith("_reverse") for k in state_dict)
    directions = 2 if bidirectional else 1
    hidden = state_dict["ulmfit.rnns.0.weight_hh_l0"].shape[1] * directions if len(layers) > 1 else embedding_size
    values = dict(
        vocab_size=vocab_size,
        embedding_size=embedding_size,
        hidden_size=hidden,
        num_hidden_layers=len(layers),
        bidirectional=bidirectional,
    )
    if kind == "lm":
        weight = state_dict.get("decoder.weight")
        values["tie_word_embeddings"] = weight is None or torch.equal(weight, state_dict["ulmfit.embeddings.weight"])
        values["output_bias"] = "decoder.bias" in state_dict
        config = ULMFiTConfig(**{**values, **overrides})
    else:
        linears = sorted(
            (int(k.split(".")[2]), t) for k, t in state_dict.items() if k.startswith("classifier.") and t.dim() == 2
        )
        values["classifier_hidden_sizes"] = [t.shape[0] for _, t in linears[:-1]]
        values["num_labels"] = linears[-1][1].shape[0]
        values["classifier_dropouts"] = [0.1] * len(values["classifier_hidden_sizes"])
        config = ULMFiTConfig(**values).for_classifier(**overrides)
    return config


class _Opaque:
    """Stands in for every Python object a checkpoint names beside its tensors (fastai 1's `learn.save` stores the
    optimizer's `opt_func`, e.g. `functools.partial(torch.optim.Adam, ...)`). It accepts any arguments and does
    nothing, so the named code is never imported or run; such objects are then discarded with the optimizer."""

    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


def _torch_load(path: Path):
    """`torch.load(weights_only=True)`, with the optimizer objects it refuses replaced by `_Opaque` (one retry per
    name); a file naming anything else (a payload that would run code) is refused."""
    opaque: list[str] = []
    for _ in range(_MAX_OPAQUE_GLOBALS):
        try:
            with torch.serialization.safe_globals([(_Opaque, name) for name in opaque]):
                return torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as err:
            # torch names the refused global in its message: "Unsupported global: GLOBAL module.name was not ..."
            match = re.search(r"GLOBAL (\S+) was not an allowed global", str(err))
            if match is None or match.group(1) in opaque:
                raise
            name = match.group(1)
            if not (name == "functools.partial" or name.startswith(_OPTIMIZER_GLOBAL_PREFIXES)):
                raise ValueError(
                    f"it asks to import {name}, and loading it would run code; only tensors and fastai optimizer "
                    "settings are read"
                ) from None
            opaque.append(name)
    raise ValueError(f"it names more than {_MAX_OPAQUE_GLOBALS} Python objects besides its tensors")


def load_fastai_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a fastai state dict without running code (safetensors, or torch.load with weights_only=True)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No weights file at {path}.")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        obj = _torch_load(path)
    except Exception as err:  # noqa: BLE001 - any reader failure means an unreadable or unsafe file
        raise ValueError(
            f"Could not read {path} as fastai weights (corrupt, or not a plain state dict): "
            f"{first_line(err) or type(err).__name__}"
        ) from err
    if isinstance(obj, dict) and isinstance(obj.get("model"), dict):
        obj = obj["model"]  # learn.save() stores {"model": state_dict, "opt": optimizer state}
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError(f"{path} does not hold a state dict (a mapping of names to tensors).")
    return obj


def convert(
    weights: str | Path,
    out: str | Path,
    num_labels: int | None = None,
    *,
    vocab: str | Path | None = None,
    sentencepiece: str | Path | None = None,
    target_vocab: str | Path | None = None,
    backwards: bool = False,
    **config_overrides,
):
    """Convert a fastai weights file into a folder loadable with the Auto classes; returns the model.

    Args:
        weights: the fastai state dict (see the module docstring).
        out: the folder to write (replaced when it exists; written completely or not at all).
        num_labels: when given, must match a classifier's output size.
        vocab: the model's `itos` (`.pkl` or `.json`); writes a tokenizer and sets the special-token ids.
        sentencepiece: the SentencePiece `.model` the text was split with; writes a subword tokenizer, numbered
            by `vocab` when given, else by the SentencePiece ids.
        target_vocab: remap the embedding (and decoder) rows to this `itos` with fastai's rule.
        backwards: the model reads text right to left (fastai's `backwards=True`); recorded in the config.
        config_overrides: `ULMFiTConfig` fields (bptt, max_len, drop_mult, ...).
    """
    raw = load_fastai_weights(weights)
    state_dict, kind = convert_state_dict(raw)
    fastai1_head = any(_FLAT_HEAD_KEY.match(k) for k in raw)
    vocab_size = state_dict["ulmfit.embeddings.weight"].shape[0]
    sources = [("weights", Path(weights))]
    spm = read_model(sentencepiece) if sentencepiece else None
    own = read_vocab(vocab) if vocab else None
    itos = own.itos if own else (list(spm.pieces) if spm else None)
    if itos is not None:
        check_vocab(itos, vocab_size, str(vocab or sentencepiece))
    target = read_vocab(target_vocab) if target_vocab else None
    if target is not None and itos is None:
        raise ValueError(
            "--target-vocab needs the model's own vocabulary (--vocab or --sentencepiece) to know which row belongs "
            "to which token."
        )
    final_itos = target.itos if target is not None else itos

    order = special_order(final_itos) if final_itos is not None else None
    overrides = special_token_ids(final_itos, sentencepiece=spm is not None) if final_itos is not None else {}
    if kind == "classifier" and (fastai1_head or (order or "").startswith("fastai v1")):
        overrides.update(FASTAI1_CLASSIFIER_DEFAULTS)
    overrides = {**overrides, "backwards": backwards, **config_overrides}
    config = infer_config(state_dict, kind, **overrides)
    if kind == "classifier" and num_labels is not None and num_labels != config.num_labels:
        raise ValueError(f"The classifier in {weights} has {config.num_labels} labels, not {num_labels}.")
    labels = own.labels if own else None
    if kind == "classifier" and labels is not None:
        if len(labels) != config.num_labels:
            raise ValueError(f"{vocab} names {len(labels)} labels but the classifier has {config.num_labels}.")
        config.id2label = {i: str(label) for i, label in enumerate(labels)}
        config.label2id = {str(label): i for i, label in enumerate(labels)}

    model_class = ULMFiTForCausalLM if kind == "lm" else ULMFiTForSequenceClassification
    model = model_class(config)
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing = [k for k in missing if not (k == "decoder.weight" and config.tie_word_embeddings)]
    if missing or unexpected:
        raise ValueError(f"Weights do not fit the inferred model: missing {missing}, unexpected {unexpected}.")
    model.eval()
    notes = []
    if target is not None:
        # tokens named as the tokenizer names them (repeated xxfake numbered), so both lists are unique
        old, new = list(number_tokens(itos, str(vocab or sentencepiece))), list(number_tokens(target.itos, str(target_vocab)))
        transfer_vocab(model, old, new)
        shared = len(set(old) & set(new))
        notes.append(
            f"Remapped to `{target.source.name}`: {shared} of {len(new)} tokens kept their rows, the others got the "
            "mean row (fastai's rule)."
        )
        sources.append(("target vocabulary", target.source))

    tokenizer = None
    if spm is not None:  # a backward model's tokenizer reverses the token order itself
        tokenizer = build_sentencepiece_tokenizer(spm, final_itos if (own or target) else None, backwards=backwards)
        sources.append(("SentencePiece model", Path(sentencepiece)))
    elif final_itos is not None:
        tokenizer = build_word_tokenizer(final_itos, backwards=backwards)
    if own is not None:
        sources.append(("vocabulary", own.source))
    if tokenizer is not None and len(tokenizer) != config.vocab_size:
        raise ValueError(f"The tokenizer has {len(tokenizer)} tokens but the model {config.vocab_size}.")
    if fastai1_head:
        notes.append(
            "fastai 1 classifier head: its Linear biases were moved into the BatchNorm shifts before them "
            "(same outputs in eval mode)."
        )
    source = conversion_notes(sources, order, config, _describe_tokenizer(tokenizer, spm), notes)
    with atomic_path(out, folder=True) as tmp:
        model.save_pretrained(tmp)
        if tokenizer is not None:
            tokenizer.save_pretrained(tmp)
        write_model_card(tmp, model, model_name=Path(out).name, source=source, converted_from="fastai",
                         extra_tags=["fastai"])
    return model


def _describe_tokenizer(tokenizer, spm) -> str:
    if tokenizer is None:
        return "none (no `--vocab` given): token ids are fastai's, text must be numericalized elsewhere"
    if spm is not None:
        return f"SentencePiece unigram ({len(spm.pieces)} pieces) after fastai's rules, `{type(tokenizer).__name__}`"
    return f"fastai's rules and word splitting over the vocabulary, `{type(tokenizer).__name__}`"


def conversion_notes(sources: list[tuple[str, Path]], special_order: str | None, config, tokenizer: str,
                     notes: list[str]) -> str:
    """The model card's Source section: the files converted (with SHA-256), special tokens, tokenizer, notes."""
    rows = "\n".join(f"| {role} | `{path.name}` | `{file_sha256(path)}` |" for role, path in sources)
    specials = f"pad {config.pad_token_id}, bos {config.bos_token_id}, eos {config.eos_token_id}" + (
        f" ({special_order} order)" if special_order else ""
    )
    lines = [f"- Special token ids: {specials}", f"- Tokenizer: {tokenizer}", *(f"- {note}" for note in notes)]
    return (
        "Converted with `python -m hf_ulmfit.convert_fastai` from:\n\n| Role | File | SHA-256 |\n|---|---|---|\n"
        f"{rows}\n\n" + "\n".join(lines)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", help="fastai state dict (.pth or .safetensors)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--vocab", help="the model's vocabulary (itos): .pkl list or .json; writes a tokenizer")
    parser.add_argument("--sentencepiece", help="SentencePiece .model the text was split with (subword tokenizer)")
    parser.add_argument("--target-vocab", help="remap the embedding rows to this vocabulary (fastai's rule)")
    parser.add_argument("--backwards", action="store_true", help="a backward model (trained on reversed text)")
    parser.add_argument("--bptt", type=int, help="classifier chunk length (default 72; 70 for fastai 1)")
    parser.add_argument("--max-len", type=int, help="classifier pooling span (default 1440; 1400 for fastai 1)")
    parser.add_argument("--num-labels", type=int, help="check the classifier's number of labels")
    parser.add_argument("--drop-mult", type=float, help="dropout multiplier (default 0.5)")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = parser.parse_args(argv)
    overrides = {
        k: v for k, v in dict(bptt=args.bptt, max_len=args.max_len, drop_mult=args.drop_mult).items() if v is not None
    }
    model = convert(  # `python -m hf_ulmfit.convert_fastai` ends its errors in one line (hf_ulmfit.cli)
        args.weights,
        args.out,
        num_labels=args.num_labels,
        vocab=args.vocab,
        sentencepiece=args.sentencepiece,
        target_vocab=args.target_vocab,
        backwards=args.backwards,
        **overrides,
    )
    print(f"Wrote {type(model).__name__} ({model.num_parameters():,} parameters) to {args.out}")


if __name__ == "__main__":
    main()
