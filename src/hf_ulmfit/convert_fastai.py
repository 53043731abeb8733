"""Convert fastai AWD-LSTM weights (language model or classifier) into a transformers folder.

    python -m hf_ulmfit.convert_fastai WEIGHTS --out DIR [--bptt N --max-len N --num-labels N]

WEIGHTS is a fastai 2.x state dict: `.safetensors`, or `.pth` as written by `learn.save` (a dict with `model`,
maybe `opt`) or `torch.save(model.state_dict())`. Sizes are inferred from the tensor shapes and the kind of model
(LM or classifier) from the keys. `.pth` files are read with `torch.load(weights_only=True)`: no code runs.

fastai 2.x key layout (LM = `SequentialRNN(AWD_LSTM, LinearDecoder)`, classifier =
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
"""

import argparse
import re
import shutil
import tempfile
from pathlib import Path

import torch

from .configuration_ulmfit import ULMFiTConfig
from .modeling_ulmfit import ULMFiTForCausalLM, ULMFiTForSequenceClassification

_RNN_KEY = re.compile(r"^rnns\.(\d+)\.(?:module\.)?((?:weight|bias)_(?:ih|hh)_l0(?:_reverse)?)(_raw)?$")
_HEAD_KEY = re.compile(r"^1\.layers\.(\d+)\.(\d+)\.(\w+)$")


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
    """Map fastai 2.x keys to ours. Returns the new state dict and the kind, "lm" or "classifier"."""
    prefix = _encoder_prefix(state_dict)
    kind = "classifier" if prefix == "0.module." else "lm"
    out: dict[str, torch.Tensor] = {}
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
                raise ValueError(f"Unknown fastai encoder key {key!r}.")
        elif kind == "lm" and key in ("1.decoder.weight", "1.decoder.bias"):
            out[key[2:]] = tensor
        elif kind == "classifier" and (match := _HEAD_KEY.match(key)):
            block, index, name = match.groups()
            is_linear = name == "weight" and tensor.dim() == 2
            out[f"classifier.layers.{block}.{2 if is_linear else index}.{name}"] = tensor
        else:
            raise ValueError(f"Unknown fastai {kind} key {key!r}.")
    return out, kind


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


def load_fastai_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a fastai state dict without running code (safetensors, or torch.load with weights_only=True)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No weights file at {path}.")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any reader failure means an unreadable or unsafe file
        raise ValueError(f"Could not read {path} as fastai weights (corrupt, or not a plain state dict): {err}") from err
    if isinstance(obj, dict) and isinstance(obj.get("model"), dict):
        obj = obj["model"]  # learn.save() stores {"model": state_dict, "opt": optimizer state}
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError(f"{path} does not hold a state dict (a mapping of names to tensors).")
    return obj


def convert(weights: str | Path, out: str | Path, num_labels: int | None = None, **config_overrides):
    """Convert a fastai weights file into a folder loadable with the Auto classes; returns the model.
    `num_labels`, when given, must match a classifier's output size."""
    state_dict, kind = convert_state_dict(load_fastai_weights(weights))
    config = infer_config(state_dict, kind, **config_overrides)
    if kind == "classifier" and num_labels is not None and num_labels != config.num_labels:
        raise ValueError(f"The classifier in {weights} has {config.num_labels} labels, not {num_labels}.")
    model_class = ULMFiTForCausalLM if kind == "lm" else ULMFiTForSequenceClassification
    model = model_class(config)
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing = [k for k in missing if not (k == "decoder.weight" and config.tie_word_embeddings)]
    if missing or unexpected:
        raise ValueError(f"Weights do not fit the inferred model: missing {missing}, unexpected {unexpected}.")
    model.eval()
    save_atomically(model, out)
    return model


def save_atomically(model, out: str | Path) -> None:
    """`save_pretrained` into a temporary sibling folder, then move it into place: never a half-written folder."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.save_pretrained(tmp)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", help="fastai state dict (.pth or .safetensors)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--bptt", type=int, help="classifier chunk length (default 72)")
    parser.add_argument("--max-len", type=int, help="classifier pooling span (default 1440)")
    parser.add_argument("--num-labels", type=int, help="check the classifier's number of labels")
    parser.add_argument("--drop-mult", type=float, help="dropout multiplier (default 0.5)")
    args = parser.parse_args(argv)
    overrides = {
        k: v for k, v in dict(bptt=args.bptt, max_len=args.max_len, drop_mult=args.drop_mult).items() if v is not None
    }
    try:
        model = convert(args.weights, args.out, num_labels=args.num_labels, **overrides)
    except (ValueError, FileNotFoundError) as err:
        parser.error(str(err))
    print(f"Wrote {type(model).__name__} ({model.num_parameters():,} parameters) to {args.out}")


if __name__ == "__main__":
    main()
