"""The package as a whole: its public names, the rooms and which way they import, the installed package list, and
the two `python -m` entry points."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hf_ulmfit

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(hf_ulmfit.__file__).parent
# Rooms bottom to top: a module may import its own room and the rooms below it, never one above it.
SHARED = {"utils", "model_card", "scoring"}
# conversion, deploy and interpretation sit side by side: none imports another.
# recipe and serve sit side by side too.
LEVEL = {"models": 0, "shared": 1, "training": 2, "conversion": 3, "deploy": 3, "interpretation": 3, "recipe": 4,
         "serve": 4, "entry points": 5}

PUBLIC = [
    "ULMFiTTokenizerFast", "ULMFiTConfig", "ULMFiTPreTrainedModel", "ULMFiTModel", "ULMFiTForCausalLM",
    "ULMFiTForSequenceClassification", "ULMFiTModelOutput", "ULMFiTCausalLMOutput", "ULMFiTTrainer",
    "ULMFiTTrainingArguments", "ULMFiTScheduler", "GradualUnfreezingCallback", "LMStreamDataset", "SortishSampler",
    "SortedSampler", "ClassifierCollator", "LRFinderResult", "classification_metrics", "compute_lm_metrics",
    "discriminative_param_groups", "find_lr", "freeze_to", "one_cycle_momentum", "one_cycle_multiplier",
    "preprocess_lm_logits", "stlr_multiplier", "tokenize_documents", "transfer_vocab",
]  # fmt: skip


def room_of(module: str) -> str:
    """The room of a dotted module name below `hf_ulmfit`."""
    parts = module.split(".")
    if parts[0] in ("models", "training", "conversion", "deploy", "interpretation", "recipe", "serve"):
        return parts[0]
    return "shared" if parts[0] in SHARED else "entry points"


def test_every_public_name_still_imports():
    assert set(PUBLIC) <= set(hf_ulmfit.__all__)
    for name in hf_ulmfit.__all__:
        assert getattr(hf_ulmfit, name) is not None, name


def test_no_module_imports_a_room_above_it():
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        here = room_of(module)
        package = module.split(".")[:-1]  # the package a relative import starts from
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                target = next((n.removeprefix("hf_ulmfit.") for n in names if n.startswith("hf_ulmfit.")), None)
                if target is None:
                    continue
            else:
                continue
            there = room_of(target)
            assert LEVEL[there] < LEVEL[here] or there == here, f"{module} ({here}) imports {target} ({there})"


def test_pyproject_lists_every_package_folder():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    folders = {
        ".".join(["hf_ulmfit", *p.parent.relative_to(PACKAGE).parts]) for p in PACKAGE.rglob("__init__.py")
    }
    assert set(listed) == folders | {"hf_ulmfit.model_cards"}


def test_python_m_entry_points():
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for module, words in (("hf_ulmfit.convert_fastai", "--vocab"), ("hf_ulmfit.export", "--opset"),
                          ("hf_ulmfit.serve", "--max_wait_ms")):
        result = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, env=env,
                                timeout=300)  # fmt: skip
        assert result.returncode == 0 and words in result.stdout, result.stderr[-2000:]


def test_inference_does_not_import_the_training_stack():
    """`import hf_ulmfit`, a model and a pipeline leave the trainer and datasets unloaded (their names load on
    first use). accelerate is not asserted: transformers' modeling_utils imports it whenever it is installed."""
    code = (
        "import sys, hf_ulmfit, torch\n"
        "from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline\n"
        "clas = AutoModelForSequenceClassification.from_pretrained(sys.argv[1], num_labels=2)\n"
        "pipe = pipeline('text-classification', model=clas, tokenizer=AutoTokenizer.from_pretrained(sys.argv[1]))\n"
        "pipe('A fine film.')\n"
        "print('loaded:', [m for m in ('transformers.trainer', 'datasets', 'hf_ulmfit.training') if m in sys.modules])\n"
        "hf_ulmfit.ULMFiTTrainer\n"
        "print('transformers.trainer' in sys.modules)\n"
    )
    folder = Path(__file__).resolve().parents[1] / "pretrained" / "awd-lstm-small-en"
    result = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    loaded, trainer_on_use = result.stdout.strip().splitlines()[-2:]
    assert loaded == "loaded: []"
    assert trainer_on_use == "True"


def test_the_lazy_names_are_public_names_of_the_training_room():
    import hf_ulmfit.training

    assert set(hf_ulmfit._TRAINING_NAMES) <= set(hf_ulmfit.training.__all__)


def test_the_ulmfit_command_is_installed_and_lists_every_job():
    script = Path(sys.executable).parent / "ulmfit"  # pip install . puts it beside the interpreter
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    from hf_ulmfit.commands import COMMANDS

    assert all(f"  {name} " in result.stdout for name in COMMANDS)


@pytest.mark.parametrize("name", ["pretrain", "finetune", "train-classifier", "convert-fastai", "export", "serve",
                                  "explain"])
def test_every_ulmfit_sub_command_has_a_help(name, capsys, monkeypatch):
    from hf_ulmfit.commands import main

    monkeypatch.setattr(sys, "argv", ["ulmfit"])
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ulmfit {name}") and len(out.splitlines()) > 3


def test_an_unknown_ulmfit_sub_command_is_one_error(capsys):
    from hf_ulmfit.commands import main

    with pytest.raises(SystemExit) as exit_:
        main(["train"])
    assert exit_.value.code == 2 and "no command 'train'" in capsys.readouterr().err
