"""examples/ship_pretrained.py: a stage-1 folder becomes a shipped LM (fp16 on disk, float32 when loaded), each
training segment logged once, a later checkpoint of the same segment replacing its row."""

import json
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

from hf_ulmfit import ULMFiTForCausalLM, ULMFiTTrainingArguments
from hf_ulmfit.commands.pretrain_lm import pretrain_lm
from hf_ulmfit.recipe.stages import DataArguments, ModelArguments

ROOT = Path(__file__).resolve().parents[1]


def ship(source, out, *extra):
    command = [sys.executable, str(ROOT / "examples" / "ship_pretrained.py"), str(source), "--out", str(out),
               "--command-file", str(ROOT / "examples" / "pretrain_small_en.sh"), "--threads", "1", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_ships_half_precision_weights_that_load_as_float32_and_logs_each_segment(tmp_path):
    pretrain_lm(
        ModelArguments(embedding_size=16, hidden_size=24, num_hidden_layers=2, max_vocab=300),
        DataArguments(train_files=[str(ROOT / "examples" / "data" / "wikitext2_sample.txt.gz")],
                      max_train_samples=120, validation_fraction=0.1),
        ULMFiTTrainingArguments(output_dir=str(tmp_path / "run"), max_steps=4, per_device_train_batch_size=4,
                                per_device_eval_batch_size=2, bptt=16, report_to="none", save_strategy="steps",
                                save_steps=2, eval_strategy="steps", eval_steps=2),
    )  # fmt: skip
    out = tmp_path / "shipped"
    checkpoint = ship(tmp_path / "run" / "checkpoint-2", out)
    assert checkpoint.returncode != 0 and "--wall-hours" in checkpoint.stderr  # no runtime recorded mid-run
    assert ship(tmp_path / "run" / "checkpoint-2", out, "--wall-hours", "0.01").returncode == 0
    assert ship(tmp_path / "run" / "checkpoint-4", out, "--wall-hours", "0.02", "--update-last").returncode == 0
    rows = [json.loads(line) for line in (out / "training_log.jsonl").open()]
    assert [(r["segment"], r["steps"], r["cpu_hours"]) for r in rows] == [(1, 4, 0.02)]
    assert ship(tmp_path / "run" / "checkpoint-4", out, "--wall-hours", "0.03").returncode == 0  # a new segment
    rows = [json.loads(line) for line in (out / "training_log.jsonl").open()]
    assert [r["segment"] for r in rows] == [1, 2] and rows[1]["valid_perplexity"] > 1
    assert all(t.dtype == torch.float16 for t in load_file(str(out / "model.safetensors")).values())
    model = ULMFiTForCausalLM.from_pretrained(out)
    original = ULMFiTForCausalLM.from_pretrained(tmp_path / "run" / "checkpoint-4")
    assert model.dtype == torch.float32
    torch.testing.assert_close(model.ulmfit.embeddings.weight, original.ulmfit.embeddings.weight, atol=1e-3, rtol=1e-3)
    card = (out / "README.md").read_text()
    assert "| 2 |" in card and "Total:" in card and (out / "training_curves.png").is_file()

    # A model trained from random weights on a GPU starts the log over, with GPU hours instead of CPU hours.
    assert ship(tmp_path / "run" / "checkpoint-4", out, "--wall-hours", "0.05", "--accelerator", "NVIDIA H200",
                "--from-scratch").returncode == 0
    rows = [json.loads(line) for line in (out / "training_log.jsonl").open()]
    assert [(r["segment"], r["gpu_hours"], r["accelerator"], "cpu_hours" in r) for r in rows] == [
        (1, 0.05, "NVIDIA H200", False)]
    assert "0.05 GPU (NVIDIA H200)" in (out / "README.md").read_text()
