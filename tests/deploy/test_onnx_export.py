"""Deployment export: ONNX (checked with onnxruntime) and torch.export, outputs equal to PyTorch to 1e-4."""

import json

import pytest
import torch

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification
from hf_ulmfit.deploy.onnx_export import export, load_saved_model, main

ort = pytest.importorskip("onnxruntime")
CONFIG = dict(vocab_size=30, embedding_size=8, hidden_size=10, bptt=4, max_len=9)


def batch(rows, width, seed):
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, 30, (rows, width), generator=gen)
    mask = torch.ones_like(ids)
    mask[0, width - 3 :] = 0  # right padding
    mask[-1, :2] = 0  # left padding
    return ids, mask


@pytest.fixture(scope="module")
def clas_folder(tmp_path_factory):
    torch.manual_seed(0)
    model = ULMFiTForSequenceClassification(ULMFiTConfig(**CONFIG, num_labels=3).for_classifier())
    folder = tmp_path_factory.mktemp("clas")
    model.save_pretrained(folder)
    return folder


def test_onnx_classifier_cli_matches_pytorch(clas_folder):
    main([str(clas_folder)])
    session = ort.InferenceSession(str(clas_folder / "model.onnx"))
    model = load_saved_model(clas_folder)
    for rows, width in [(3, 20), (1, 8), (4, 40)]:  # dynamic batch and length, documents longer than max_len
        ids, mask = batch(rows, width, seed=width)
        (logits,) = session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
        with torch.no_grad():
            torch.testing.assert_close(torch.from_numpy(logits), model(ids, attention_mask=mask).logits, atol=1e-4,
                                       rtol=0)


def test_onnx_lm_step_carries_state(tmp_path):
    torch.manual_seed(0)
    model = ULMFiTForCausalLM(ULMFiTConfig(**CONFIG)).eval()
    session = ort.InferenceSession(str(export(model, tmp_path / "lm.onnx")))
    names = [i.name for i in session.get_inputs()]
    ids = batch(2, 12, seed=1)[0]
    state = [t.numpy() for pair in model.ulmfit.zero_state(2) for t in pair]
    logits = []
    for part in (ids[:, :5], ids[:, 5:]):
        out = session.run(None, dict(zip(names, [part.numpy(), *state], strict=True)))
        logits.append(torch.from_numpy(out[0]))
        state = out[1:]
    with torch.no_grad():
        ref = model(ids)
    torch.testing.assert_close(torch.cat(logits, 1), ref.logits, atol=1e-4, rtol=0)
    torch.testing.assert_close(torch.from_numpy(state[-1]), ref.state[-1][1], atol=1e-4, rtol=0)


def test_refuses_other_models(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ValueError, match="not a ULMFiT model"):
        load_saved_model(tmp_path)
    with pytest.raises(ValueError, match="Unknown export format"):
        export(ULMFiTForCausalLM(ULMFiTConfig(**CONFIG)), tmp_path / "x.bin", fmt="tflite")
    assert not list(tmp_path.glob("*.bin")) and not list(tmp_path.glob(".*tmp"))
