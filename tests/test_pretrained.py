"""The shipped pretrained LM (`pretrained/awd-lstm-small-en`): within its size limit, documented, and loadable by
every Auto class, also in a process that cannot import hf_ulmfit."""

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

import hf_ulmfit.models.ulmfit  # registers the ULMFiT classes with the Auto classes (hf_ulmfit does)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "pretrained" / "awd-lstm-small-en"
FILES = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md",
         "training_log.jsonl", "training_curves.png", "configuration_ulmfit.py", "modeling_ulmfit.py",
         "tokenization_ulmfit.py"}  # fmt: skip


def test_folder_holds_the_model_its_card_and_log_within_25_mb():
    assert FILES <= {p.name for p in SHIPPED.iterdir()}
    assert sum(p.stat().st_size for p in SHIPPED.rglob("*") if p.is_file()) <= 25 * 1024 * 1024
    segments = [json.loads(line) for line in (SHIPPED / "training_log.jsonl").open(encoding="utf-8")]
    card = (SHIPPED / "README.md").read_text(encoding="utf-8")
    for row in segments:
        hours = row.get("cpu_hours") or row.get("gpu_hours")  # a GPU segment records GPU hours instead
        assert row["tokens"] > 0 and hours > 0 and row["valid_perplexity"] > 1 and row["command"]
        assert f"| {row['segment']} | {row['date']} |" in card
    assert "imdb" in card and "wikitext-2" in card and "no test text" in card


def test_loads_in_float32_and_continues_a_review():
    model = AutoModelForCausalLM.from_pretrained(SHIPPED).eval()
    tokenizer = AutoTokenizer.from_pretrained(SHIPPED)
    assert model.dtype == torch.float32
    ids = tokenizer("This movie was one of the worst", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, -1]
    top = tokenizer.convert_ids_to_tokens(logits.topk(20).indices.tolist())
    assert {"movies", "films", "movie", "film"} & set(top)  # a trained LM, not random weights


def test_every_auto_class_loads_it_without_hf_ulmfit(tmp_path):
    script = """
import sys
sys.modules["hf_ulmfit"] = None  # this process cannot import the package: only the folder's own code runs
from transformers import (AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification,
                          AutoTokenizer)
for cls in (AutoConfig, AutoTokenizer, AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification):
    extra = {"num_labels": 2} if cls is AutoModelForSequenceClassification else {}
    print(cls.__name__, type(cls.from_pretrained(sys.argv[1], trust_remote_code=True, **extra)).__name__)
"""
    result = subprocess.run([sys.executable, "-c", script, str(SHIPPED)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1"})  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    for line in ("AutoModel ULMFiTModel", "AutoModelForCausalLM ULMFiTForCausalLM",
                 "AutoModelForSequenceClassification ULMFiTForSequenceClassification"):
        assert line in result.stdout


def test_its_model_code_is_the_packages():
    """The folder's remote code is the package's current code (copy src/hf_ulmfit/models/ulmfit/*_ulmfit.py there
    after changing it): a user without hf_ulmfit runs what the tests test."""
    package = Path(hf_ulmfit.models.ulmfit.__file__).parent
    for name in ("configuration_ulmfit.py", "modeling_ulmfit.py", "tokenization_ulmfit.py"):
        assert (SHIPPED / name).read_text(encoding="utf-8") == (package / name).read_text(encoding="utf-8"), name
