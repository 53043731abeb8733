"""The README's main job, in its --smoke size: the same code path as `make demo`, in seconds (from a tiny LM
pretrained here instead of the shipped one)."""

import os
import subprocess
import sys
from pathlib import Path

from hf_ulmfit import ULMFiTTrainingArguments
from hf_ulmfit.commands.pretrain_lm import pretrain_lm
from hf_ulmfit.recipe.stages import DataArguments, ModelArguments

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = ROOT / "examples" / "data" / "wikitext2_sample.txt.gz"


def test_demo_smoke_prints_ulmfit_beside_both_baselines(tmp_path):
    pretrain_lm(
        ModelArguments(embedding_size=16, hidden_size=24, num_hidden_layers=2, max_vocab=500),
        DataArguments(train_files=[str(SAMPLE)], max_train_samples=200, validation_fraction=0.05),
        ULMFiTTrainingArguments(output_dir=str(tmp_path / "lm"), max_steps=2, per_device_train_batch_size=8, bptt=20,
                                report_to="none", save_strategy="no", eval_strategy="no"),
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--smoke", "--model", str(tmp_path / "lm"),
         "--output_dir", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for row in ("ULMFiT (shipped LM, fine-tuned)", "same classifier from scratch", "TF-IDF + logistic regression",
                "fastText (bigrams, tuned on a tenth)"):
        assert row in out
    assert "One of the best films" in out and "'label': '" in out  # the pipeline at the end
    for stage in ("lm-imdb", "classifier", "classifier-scratch"):
        files = {p.name for p in (tmp_path / "demo" / stage).iterdir()}
        assert {"config.json", "model.safetensors", "tokenizer.json", "README.md", "training_curves.png"} <= files


def test_demo_refuses_a_folder_without_a_model(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--model", str(tmp_path), "--output_dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "holds no pretrained model" in result.stderr
