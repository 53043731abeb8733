"""Our intrinsic attention against fastai's on the same weights and tokens (1e-4): the reference is fastai 1's
`intrinsic_attention` steps run on fastai 2.8.12's modules (tests/fixtures/fastai_attention/make_ref.py)."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from hf_ulmfit import ULMFiTForSequenceClassification
from hf_ulmfit.conversion.convert_fastai import convert
from hf_ulmfit.interpretation import integrated_gradients, intrinsic_attention

FIXTURE = Path(__file__).parents[1] / "fixtures" / "fastai_attention"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    config = json.loads((FIXTURE / "config.json").read_text())
    out = tmp_path_factory.mktemp("converted")
    convert(FIXTURE / "clas.safetensors", out, num_labels=config["n_class"], bptt=config["seq_len"],
            max_len=config["max_len"])
    model = ULMFiTForSequenceClassification.from_pretrained(out).eval()
    return model, config, load_file(str(FIXTURE / "attention.safetensors"))


def test_intrinsic_attention_matches_fastai(reference):
    model, config, ref = reference
    assert max(len(ref[f"doc{i}"]) for i in range(len(config["class_ids"]))) > config["seq_len"]  # BPT3C chunks
    for i, class_id in enumerate(config["class_ids"]):
        ours = intrinsic_attention(model, ref[f"doc{i}"], class_id)
        torch.testing.assert_close(ours.probabilities, ref[f"probs{i}"], atol=1e-5, rtol=0)
        torch.testing.assert_close(ours.scores, ref[f"attn{i}"], atol=1e-4, rtol=0)
        expected = int(ref[f"probs{i}"].argmax()) if class_id is None else class_id
        assert ours.class_id == expected and ours.method == "intrinsic_attention"


def test_integrated_gradients_on_the_converted_classifier_add_up(reference):
    model, _, ref = reference
    ours = integrated_gradients(model, ref["doc0"], steps=128)
    gap = float(ours.probabilities[ours.class_id]) - ours.baseline_probability
    assert abs(float(ours.scores.sum()) - gap) < 0.02 * max(abs(gap), 0.05)
