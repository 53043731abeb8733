"""Saved folders: safetensors + config only, Auto classes in-process, trust_remote_code in a fresh process."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
import torch
from safetensors import safe_open
from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTModel

CONFIG = dict(vocab_size=30, embedding_size=8, hidden_size=10, bptt=4, max_len=9)
X = torch.randint(4, 30, (2, 11), generator=torch.Generator().manual_seed(0))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    torch.manual_seed(0)
    lm = ULMFiTForCausalLM(ULMFiTConfig(**CONFIG)).eval()
    clas = ULMFiTForSequenceClassification(ULMFiTConfig(**CONFIG, num_labels=3).for_classifier()).eval()
    root = tmp_path_factory.mktemp("saved")
    lm.save_pretrained(root / "lm")
    clas.save_pretrained(root / "clas")
    return root, lm, clas


def test_folder_contents(saved):
    root, _, _ = saved
    for name in ("lm", "clas"):
        files = {p.name for p in (root / name).iterdir()}
        assert {"config.json", "model.safetensors", "configuration_ulmfit.py", "modeling_ulmfit.py"} <= files
        assert not any(f.endswith((".bin", ".pt", ".pth", ".pkl")) for f in files)
    config = json.loads((root / "lm" / "config.json").read_text())
    assert config["model_type"] == "ulmfit"
    assert config["auto_map"]["AutoModelForCausalLM"] == "modeling_ulmfit.ULMFiTForCausalLM"
    with safe_open(root / "lm" / "model.safetensors", "pt") as f:
        keys = set(f.keys())
    assert "ulmfit.embeddings.weight" in keys and "decoder.weight" not in keys  # the tied weight is stored once


def test_auto_classes_in_process(saved):
    root, lm, clas = saved
    assert isinstance(AutoConfig.from_pretrained(root / "lm"), ULMFiTConfig)
    assert isinstance(AutoModel.from_pretrained(root / "lm"), ULMFiTModel)
    lm2 = AutoModelForCausalLM.from_pretrained(root / "lm").eval()
    assert lm2.decoder.weight is lm2.ulmfit.embeddings.weight
    clas2 = AutoModelForSequenceClassification.from_pretrained(root / "clas").eval()
    with torch.no_grad():
        torch.testing.assert_close(lm2(X).logits, lm(X).logits)
        torch.testing.assert_close(clas2(X).logits, clas(X).logits)


def test_config_that_disagrees_with_weights_is_refused(saved):
    root, _, _ = saved
    with pytest.raises(RuntimeError, match="ignore_mismatched_sizes"):
        AutoModelForCausalLM.from_pretrained(root / "lm", hidden_size=12)


REMOTE = textwrap.dedent(
    """
    import sys, torch
    class Block:  # make sure nothing can import hf_ulmfit in this process
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "hf_ulmfit":
                raise ImportError("hf_ulmfit must not be imported here")
    sys.meta_path.insert(0, Block())
    from transformers import AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification
    # An LM folder starts a classifier or a bare encoder too (transformers' run_classification.py does the first).
    assert type(AutoModel.from_pretrained(sys.argv[1], trust_remote_code=True)).__name__ == "ULMFiTModel"
    new_head = AutoModelForSequenceClassification.from_pretrained(sys.argv[1], trust_remote_code=True, num_labels=3)
    assert type(new_head).__name__ == "ULMFiTForSequenceClassification"
    lm = AutoModelForCausalLM.from_pretrained(sys.argv[1], trust_remote_code=True).eval()
    clas = AutoModelForSequenceClassification.from_pretrained(sys.argv[2], trust_remote_code=True).eval()
    x = torch.load(sys.argv[3])
    with torch.no_grad():
        out = {"lm": lm(x).logits, "clas": clas(x).logits,
               "gen": lm.generate(x[:, :5], max_new_tokens=4, do_sample=False, pad_token_id=1)}
    torch.save(out, sys.argv[4])
    assert not any(m.startswith("hf_ulmfit") for m in sys.modules)
    """
)


def test_trust_remote_code_in_fresh_process(saved, tmp_path):
    root, lm, clas = saved
    torch.save(X, tmp_path / "x.pt")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf_home")}
    result = subprocess.run(
        [sys.executable, "-c", REMOTE, str(root / "lm"), str(root / "clas"), str(tmp_path / "x.pt"),
         str(tmp_path / "out.pt")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = torch.load(tmp_path / "out.pt")
    with torch.no_grad():
        torch.testing.assert_close(out["lm"], lm(X).logits)
        torch.testing.assert_close(out["clas"], clas(X).logits)
        assert torch.equal(out["gen"], lm.generate(X[:, :5], max_new_tokens=4, do_sample=False, pad_token_id=1))
