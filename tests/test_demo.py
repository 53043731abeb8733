"""The README's main job, in its --smoke size: the same code path as `make demo`, in seconds."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_smoke_runs_the_three_stages_and_the_baseline(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--smoke", "--output_dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for row in ("1. LM pretraining", "2. LM fine-tuning", "3. ULMFiT classifier", "same classifier from scratch"):
        assert row in out
    assert "One of the best films" in out and "'label': '" in out  # the pipeline at the end
    for stage in ("lm-general", "lm-imdb", "classifier", "classifier-scratch"):
        files = {p.name for p in (tmp_path / stage).iterdir()}
        assert {"config.json", "model.safetensors", "tokenizer.json", "README.md", "training_curves.png"} <= files
