"""fastai 1 files, built from the fastai 2 fixture (real fastai 1 files cannot be downloaded here).

What is built, from fastai 1.0.x (`text/learner.py`, `layers.py`, `text/transform.py`):
- the WikiText-103 language model `lstm_fwd.pth`: a bare state dict with fastai 2's LM key names plus the stale
  `0.rnns.{i}.module.weight_hh_l0` copies, written by torch 0.4 (legacy, non-zip serialization);
- `itos_wt103.pkl`: a pickled list of strings whose special tokens come first as
  xxunk xxpad xxbos xxfld xxmaj xxup xxrep xxwrep (later 1.0 releases put xxeos after xxbos);
- `learn.save` files: {"model": state dict, "opt": {..., "opt_func": functools.partial(torch.optim.Adam, ...)}};
- classifier heads: one flat nn.Sequential of [BatchNorm1d, Dropout (p > 0 only), Linear with bias, ReLU] blocks.
The fastai 2 weights are permuted into the fastai 1 token order (and given head biases that cancel a BatchNorm
shift), so the fastai 1 files compute the fixture's outputs, with ids relabelled.
"""

import functools
import pickle

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

from hf_ulmfit import ULMFiTForSequenceClassification
from hf_ulmfit.conversion.convert_fastai import convert, convert_state_dict, infer_config, main
from hf_ulmfit.conversion.fastai_vocab import SPECIAL_ORDERS

ATOL = 1e-5
V2, V1, V1_EARLY = (list(SPECIAL_ORDERS[k]) for k in ("fastai v2", "fastai v1", "fastai v1 (no xxeos)"))


def fastai1_vocab(order: list[str], size: int) -> tuple[list[str], torch.Tensor, list[str]]:
    """A fastai 1 itos for the fixture's `size` rows, and P with fastai 1 row j = fastai 2 row P[j]."""
    v2_itos = V2 + [f"word{i}" for i in range(len(V2), size)]
    itos = order + v2_itos[len(V2) :]
    itos += ["xxfake"] * (size - len(itos))
    unused = iter(i for i, tok in enumerate(v2_itos) if tok not in itos)  # xxeos when the order has none
    perm = torch.tensor([v2_itos.index(tok) if tok in v2_itos else next(unused) for tok in itos])
    return itos, perm, v2_itos


def fastai1_lm(lm: dict[str, torch.Tensor], perm: torch.Tensor, gen: torch.Generator) -> dict[str, torch.Tensor]:
    out = {k: (v[perm] if k.endswith(("encoder.weight", "emb.weight", "decoder.weight", "decoder.bias")) else v)
           for k, v in lm.items()}  # fmt: skip
    for i in range(3):  # the dropped copy fastai 1 saves beside `_raw`; ignored, so random here
        out[f"0.rnns.{i}.module.weight_hh_l0"] = torch.randn(lm[f"0.rnns.{i}.weight_hh_l0_raw"].shape, generator=gen)
    return out


@pytest.fixture(scope="module")
def v2_lm(fastai_small):
    return load_file(str(fastai_small["dir"] / "lm.safetensors"))


@pytest.mark.parametrize("order", [V1_EARLY, V1], ids=["wt103-order", "later-v1-order"])
def test_wikitext103_layout_converts_with_its_vocabulary(fastai_small, v2_lm, tmp_path, order):
    ref = fastai_small["outputs"]
    itos, perm, _ = fastai1_vocab(order, fastai_small["config"]["vocab_size"])
    torch.save(fastai1_lm(v2_lm, perm, torch.Generator().manual_seed(0)), tmp_path / "lstm_fwd.pth",
               _use_new_zipfile_serialization=False)  # fmt: skip
    (tmp_path / "itos_wt103.pkl").write_bytes(pickle.dumps(itos))
    out = tmp_path / "wt103-fwd"
    main([str(tmp_path / "lstm_fwd.pth"), "--vocab", str(tmp_path / "itos_wt103.pkl"), "--out", str(out)])

    model = AutoModelForCausalLM.from_pretrained(out, trust_remote_code=True).eval()
    inverse = torch.argsort(perm)
    with torch.no_grad():
        logits = model(inverse[ref["lm_input"]]).logits
    torch.testing.assert_close(logits, ref["lm_logits"][..., perm], atol=ATOL, rtol=0)
    # ids stay fastai 1's: the special tokens are found by name
    eos = 3 if "xxeos" in order else None
    assert (model.config.pad_token_id, model.config.bos_token_id, model.config.eos_token_id) == (1, 2, eos)
    tokenizer = AutoTokenizer.from_pretrained(out, trust_remote_code=True)
    ids = tokenizer("Word12 word40").input_ids
    assert ids == [2, itos.index("xxmaj"), itos.index("word12"), itos.index("word40")]
    assert tokenizer.pad_token_id == 1 and tokenizer.eos_token_id == eos and len(tokenizer) == len(itos)
    card = (out / "README.md").read_text()
    assert "lstm_fwd.pth" in card and "itos_wt103.pkl" in card and order_name(order) in card


def order_name(order: list[str]) -> str:
    return next(name for name, value in SPECIAL_ORDERS.items() if list(value) == order)


def test_wikitext103_sizes_are_inferred():
    # fastai 1's WikiText-103 model: embedding 400, hidden 1150 (fastai 2: 1152), 3 layers; a small vocabulary here
    sizes = [(400, 1150), (1150, 1150), (1150, 400)]
    state = {"0.encoder.weight": torch.empty(64, 400), "1.decoder.bias": torch.empty(64)}
    for i, (n_in, n_out) in enumerate(sizes):
        state[f"0.rnns.{i}.module.weight_ih_l0"] = torch.empty(4 * n_out, n_in)
        state[f"0.rnns.{i}.weight_hh_l0_raw"] = torch.empty(4 * n_out, n_out)
        state[f"0.rnns.{i}.module.bias_ih_l0"] = state[f"0.rnns.{i}.module.bias_hh_l0"] = torch.empty(4 * n_out)
    config = infer_config(*convert_state_dict(state))
    assert (config.embedding_size, config.hidden_size, config.num_hidden_layers) == (400, 1150, 3)


def fastai1_classifier(clas: dict[str, torch.Tensor], last_dropout: bool, gen) -> dict[str, torch.Tensor]:
    """The fixture's classifier with fastai 1's flat head: block b's Linear gets a bias W d and its BatchNorm shift
    loses d, which leaves the function unchanged (fastai 1 Linears have biases, fastai 2's do not)."""
    out = {k: v for k, v in clas.items() if not k.startswith("1.")}
    index = 0
    for block in (0, 1):
        weight = clas[f"1.layers.{block}.2.weight"]
        shift = torch.randn(weight.shape[1], generator=gen)
        for name in ("weight", "bias", "running_mean", "running_var"):
            out[f"1.layers.{index}.{name}"] = clas[f"1.layers.{block}.0.{name}"]
        out[f"1.layers.{index}.bias"] = out[f"1.layers.{index}.bias"] - shift
        out[f"1.layers.{index}.num_batches_tracked"] = torch.tensor(1000)
        linear = index + (2 if block == 0 or last_dropout else 1)  # no Dropout module when p == 0
        out[f"1.layers.{linear}.weight"], out[f"1.layers.{linear}.bias"] = weight, weight @ shift
        index = linear + 2  # then ReLU, then the next block's BatchNorm
    return out


@pytest.mark.parametrize("last_dropout", [True, False])
def test_classifier_learn_save_with_optimizer(fastai_small, tmp_path, last_dropout):
    clas = load_file(str(fastai_small["dir"] / "clas.safetensors"))
    state = fastai1_classifier(clas, last_dropout, torch.Generator().manual_seed(1))
    opt = {"opt_state": {"state": {}, "param_groups": []}, "lr": np.array([1e-3, 2e-3]), "wd": [0.01],
           "opt_func": functools.partial(torch.optim.Adam, betas=(0.9, 0.99)), "true_wd": True, "bn_wd": True}  # fmt: skip
    torch.save({"model": state, "opt": opt}, tmp_path / "clas.pth")
    cfg = fastai_small["config"]
    model = convert(tmp_path / "clas.pth", tmp_path / "out", bptt=cfg["seq_len"], max_len=cfg["max_len"]).eval()
    assert isinstance(model, ULMFiTForSequenceClassification)
    with torch.no_grad():
        logits = torch.cat([model(fastai_small["outputs"][f"clas_doc{i}"][None]).logits for i in range(cfg["n_docs"])])
    torch.testing.assert_close(logits, fastai_small["outputs"]["clas_logits"], atol=ATOL, rtol=0)
    assert "Linear biases were moved" in (tmp_path / "out" / "README.md").read_text()


def test_classifier_gets_fastai1_chunking_defaults(fastai_small, tmp_path):
    clas = load_file(str(fastai_small["dir"] / "clas.safetensors"))
    torch.save(fastai1_classifier(clas, True, torch.Generator().manual_seed(2)), tmp_path / "clas.pth")
    config = convert(tmp_path / "clas.pth", tmp_path / "out").config
    assert (config.bptt, config.max_len) == (70, 1400)
    assert config.classifier_hidden_sizes == fastai_small["config"]["lin_ftrs"]


def test_head_bias_that_cannot_move_is_refused(fastai_small, tmp_path):
    clas = load_file(str(fastai_small["dir"] / "clas.safetensors"))
    state = fastai1_classifier(clas, True, torch.Generator().manual_seed(3))
    state["1.layers.6.weight"] = torch.zeros_like(state["1.layers.6.weight"])  # rank 0: W d = b has no solution
    torch.save(state, tmp_path / "clas.pth")
    with pytest.raises(ValueError, match="does not have full row rank"):
        convert(tmp_path / "clas.pth", tmp_path / "out")
    assert not (tmp_path / "out").exists()


class _Payload:
    """Unpickling this calls open(marker, "w"): harmless, but it proves code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("where", ["vocab", "weights", "optimizer"])
def test_pickles_that_would_run_code_are_refused(fastai_small, v2_lm, tmp_path, where):
    marker = tmp_path / "code-ran"
    itos, perm, _ = fastai1_vocab(V1_EARLY, fastai_small["config"]["vocab_size"])
    (tmp_path / "itos.pkl").write_bytes(pickle.dumps(itos[:-1] + [_Payload(marker)] if where == "vocab" else itos))
    state: dict = dict(v2_lm)
    if where == "weights":
        state["1.decoder.bias"] = _Payload(marker)
    saved = {"model": state, "opt": {"opt_func": _Payload(marker)}} if where == "optimizer" else state
    torch.save(saved, tmp_path / "lm.pth")
    with pytest.raises(ValueError, match="would run code|asks to import builtins.open"):
        convert(tmp_path / "lm.pth", tmp_path / "out", vocab=tmp_path / "itos.pkl")
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_fastai_objects_in_a_vocabulary_pickle_are_refused_clearly(fastai_small, tmp_path):
    # a fastai Vocab object (here any object) needs an import: refused, with the plain-list advice
    (tmp_path / "vocab.pkl").write_bytes(pickle.dumps(functools.partial(print)))
    with pytest.raises(ValueError, match=r"vocab.pkl is not a plain-data pickle.*functools.*pickle.dump\(list"):
        convert(fastai_small["dir"] / "lm.safetensors", tmp_path / "out", vocab=tmp_path / "vocab.pkl")
