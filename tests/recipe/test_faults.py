"""Fault injection on tiny models: a full disk, a read-only folder, SIGTERM / SIGKILL then resume, two runs on one
folder, and an overwrite followed by a failing run. After each: the previous model and every completed checkpoint
still load, and nothing half-written looks finished (docs/errors.md, "What survives which fault")."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from test_stages import SIZES, args, reviews, write_jsonl
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

from hf_ulmfit.commands.pretrain_lm import main as pretrain_main
from hf_ulmfit.commands.train_classifier import train_classifier
from hf_ulmfit.recipe.output_lock import LOCK_FILE, FolderInUseError, OutputLock
from hf_ulmfit.recipe.stages import DataArguments, ModelArguments
from hf_ulmfit.training.trainer import ULMFiTTrainer
from hf_ulmfit.utils import SaveError

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(HERE.parents[1] / "src")}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults-data")
    words = "the a film movie plot actor story scene music end good great fine bad awful dull".split()
    (root / "general.txt").write_text("\n".join(" ".join(words[k % 5 :: 1 + k % 3] * 4) for k in range(40)) + "\n")
    return {"root": root, "general": str(root / "general.txt"), "train": write_jsonl(root / "train.jsonl", reviews(24, 0)),
            "test": write_jsonl(root / "test.jsonl", reviews(8, 1))}  # fmt: skip


def classifier_run(data, out, **overrides):
    model = {key: overrides.pop(key) for key in ("overwrite_output_dir",) if key in overrides}
    train = overrides.pop("train_files", [data["train"]])
    return train_classifier(ModelArguments(**SIZES, **model),
                            DataArguments(train_files=train, validation_files=[data["test"]]),
                            args(out, max_steps=6, **overrides))  # fmt: skip


@pytest.fixture(scope="module")
def old_model(data, tmp_path_factory):
    """A classifier saved by a run that went well: what every failing run below must leave loadable."""
    out = tmp_path_factory.mktemp("old") / "clas"
    classifier_run(data, out, save_strategy="steps", save_steps=2)
    return out


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None), hidden ones included."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def assert_loads(folder: Path, causal: bool = False) -> None:
    auto = AutoModelForCausalLM if causal else AutoModelForSequenceClassification
    auto.from_pretrained(folder)
    AutoTokenizer.from_pretrained(folder)


def assert_checkpoints_load(folder: Path, causal: bool = False) -> list[str]:
    names = sorted(p.name for p in folder.glob("checkpoint-*"))
    for name in names:
        assert (folder / name / "trainer_state.json").is_file() and (folder / name / "optimizer.pt").is_file()
        (AutoModelForCausalLM if causal else AutoModelForSequenceClassification).from_pretrained(folder / name)
    return names


def copy_of(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)
    return to


# ---- A disk of our own: a small tmpfs (root only) ----


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of 24 MB mounted for the test and unmounted after it; skipped where the tests cannot mount."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk needs a tmpfs, which only root can mount here")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True,
                          text=True)  # fmt: skip
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs ({made.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, keep: int = 0) -> None:
    """Fill the file system of `disk` to the last byte, then give back `keep` bytes."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    os.truncate(disk / "filler", max(0, (disk / "filler").stat().st_size - keep))


def test_a_full_disk_at_the_final_save_keeps_the_old_model_and_rescues_the_new_weights(
    data, old_model, small_disk, tmp_path, monkeypatch
):
    out = copy_of(old_model, small_disk / "clas")
    before = snapshot(out)
    rescue_root = tmp_path / "rescue"
    rescue_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(rescue_root))
    evaluate = ULMFiTTrainer.evaluate

    def evaluate_then_fill(self, *a, **k):  # the disk fills up while the run evaluates
        metrics = evaluate(self, *a, **k)
        fill(small_disk)
        return metrics

    monkeypatch.setattr(ULMFiTTrainer, "evaluate", evaluate_then_fill)
    with pytest.raises(SaveError, match=r"Could not save the model in .*clas .*saved in (\S+) instead") as error:
        classifier_run(data, out, overwrite_output_dir=True)
    (rescued,) = rescue_root.glob("hf_ulmfit-rescued-clas-*")
    assert str(rescued) in str(error.value)
    assert_loads(rescued)  # the trained weights, and their tokenizer
    (small_disk / "filler").unlink()
    assert snapshot(out) == before  # the old model, its results and its checkpoints, byte for byte
    assert_loads(out)
    assert assert_checkpoints_load(out) == ["checkpoint-2", "checkpoint-4", "checkpoint-6"]


def test_a_full_disk_at_a_checkpoint_keeps_the_earlier_ones_and_resume_continues(data, small_disk, tmp_path,
                                                                                 monkeypatch):
    out = small_disk / "clas"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    save = ULMFiTTrainer._save_checkpoint

    def save_then_fill(self, *a, **k):
        save(self, *a, **k)
        fill(small_disk)  # the first checkpoint fits, the second does not

    monkeypatch.setattr(ULMFiTTrainer, "_save_checkpoint", save_then_fill)
    with pytest.raises(SaveError, match=r"Could not write .*checkpoint-4 .*checkpoints before it are intact"):
        classifier_run(data, out, save_strategy="steps", save_steps=2)
    assert assert_checkpoints_load(out) == ["checkpoint-2"]
    assert not (out / "config.json").exists()  # no final folder that looks finished
    monkeypatch.undo()
    (small_disk / "filler").unlink()
    classifier_run(data, out, save_strategy="steps", save_steps=2, resume_from_checkpoint=str(out / "checkpoint-2"))
    assert_loads(out)


def test_a_disk_too_small_for_the_run_is_refused_before_training(data, small_disk, monkeypatch):
    fill(small_disk, keep=2 << 20)  # room for the lock, not for the model
    monkeypatch.setattr(ULMFiTTrainer, "train", lambda *a, **k: pytest.fail("trained on a full disk"))
    with pytest.raises(ValueError, match=r"has [\d.]+ MB free; this run saves about [\d.]+ MB"):
        classifier_run(data, small_disk / "clas")


def test_a_read_only_folder_is_refused_before_training_and_its_model_kept(data, old_model, small_disk, monkeypatch):
    out = copy_of(old_model, small_disk / "clas")
    before = snapshot(out)
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    if remounted.returncode:
        pytest.skip(f"cannot remount the tmpfs read-only ({remounted.stderr.strip()})")
    monkeypatch.setattr(ULMFiTTrainer, "train", lambda *a, **k: pytest.fail("trained into a read-only folder"))
    for folder in (out, small_disk / "new"):
        with pytest.raises(ValueError, match=r"is not writable \(Read-only file system\)"):
            classifier_run(data, folder, overwrite_output_dir=True)
    assert snapshot(out) == before and not (small_disk / "new").exists()
    assert_loads(out)


# ---- Two runs, one folder ----


def test_a_second_run_on_a_folder_in_use_refuses_to_start(data, old_model, tmp_path):
    out = copy_of(old_model, tmp_path / "clas")
    before = snapshot(out)
    with OutputLock(out):  # a first run, in this process
        with pytest.raises(FolderInUseError, match=rf"in use by another run \(pid {os.getpid()} on host "):
            classifier_run(data, out, overwrite_output_dir=True)
        # a second process, as a user starts it: one line, exit status 2, the folder untouched
        script = subprocess.run(
            [sys.executable, str(EXAMPLES / "train_classifier.py"), "--train_files", data["train"], "--output_dir",
             str(out), "--overwrite_output_dir", "--report_to", "none"],
            capture_output=True, text=True, env=ENV, timeout=300,
        )  # fmt: skip
    assert script.returncode == 2, script.stderr
    assert script.stderr.strip().startswith("train_classifier.py: error: ") and "in use by another run" in script.stderr
    assert "Traceback" not in script.stderr and len(script.stderr.strip().splitlines()) == 1
    assert snapshot(out) == before  # the first run's lock went with it
    assert_loads(out)


# ---- An overwrite, then a run that fails ----


@pytest.mark.parametrize("fault", ["missing train file", "bad JSON line", "unseen label", "failure during training"])
def test_a_failing_overwrite_keeps_the_previous_model_and_its_checkpoints(data, old_model, tmp_path, monkeypatch,
                                                                          fault):
    out = copy_of(old_model, tmp_path / "clas")
    before = snapshot(out)
    train = [data["train"]]
    if fault == "missing train file":
        train, message = [str(tmp_path / "missing.jsonl")], "missing.jsonl: no such file"
    elif fault == "bad JSON line":
        train = [str(tmp_path / "bad.jsonl")]
        Path(train[0]).write_text(Path(data["train"]).read_text() + '{"text": "cut sho\n')
        message = r"bad\.jsonl, line 25: not valid JSON"
    elif fault == "unseen label":
        rows = [{**row, "label": "meh"} if i == 0 else row for i, row in enumerate(reviews(8, 1))]
        data = {**data, "test": write_jsonl(tmp_path / "odd.jsonl", rows)}
        message = r"labels the model was not trained with: \['meh'\]"
    else:
        step = ULMFiTTrainer.training_step

        def fail_at_step_3(self, *a, **k):
            if self.state.global_step == 3:
                raise RuntimeError("out of memory (injected)")
            return step(self, *a, **k)

        monkeypatch.setattr(ULMFiTTrainer, "training_step", fail_at_step_3)
        message = "out of memory"
    with pytest.raises((ValueError, RuntimeError), match=message):
        classifier_run(data, out, train_files=train, overwrite_output_dir=True, save_strategy="steps", save_steps=2)
    after = snapshot(out)
    if fault == "failure during training":  # its completed checkpoint-2 replaced the old one, whole
        assert {k for k in after if not k.startswith("checkpoint-2/")} == {k for k in before
                                                                          if not k.startswith("checkpoint-2/")}
        after = {k: v for k, v in after.items() if not k.startswith("checkpoint-2/")}
        before = {k: v for k, v in before.items() if not k.startswith("checkpoint-2/")}
    assert after == before  # nothing staged is left either
    assert_loads(out)
    assert assert_checkpoints_load(out) == ["checkpoint-2", "checkpoint-4", "checkpoint-6"]


# ---- SIGTERM / SIGKILL, then resume ----


LM_ARGS = ["--embedding_size", "16", "--hidden_size", "24", "--num_hidden_layers", "2", "--min_freq", "1",
           "--validation_fraction", "0.2", "--learning_rate", "1e-2", "--per_device_train_batch_size", "4",
           "--per_device_eval_batch_size", "8", "--bptt", "8", "--max_steps", "10", "--save_strategy", "steps",
           "--save_steps", "2", "--report_to", "none", "--disable_tqdm", "true"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("signal_name", "when"), [("SIGTERM", "step"), ("SIGKILL", "save")])
def test_a_killed_run_resumes_to_the_weights_of_an_uninterrupted_one(data, tmp_path, signal_name, when):
    common = [*LM_ARGS, "--train_files", data["general"]]
    pretrain_main([*common, "--output_dir", str(tmp_path / "whole")])
    step = random.choice([3, 5, 7] if when == "step" else [4, 6, 8])  # mid-epoch; for "save", a checkpoint step
    out = tmp_path / "killed"
    killed = subprocess.run([sys.executable, str(HERE / "fault_run.py"), signal_name, when, str(step), "--", *common,
                             "--output_dir", str(out)], capture_output=True, text=True, env=ENV, timeout=300)  # fmt: skip
    assert killed.returncode == -getattr(signal, signal_name), killed.stderr
    # the checkpoint killed mid-save is not among the checkpoints; its staging folder is
    assert (out / f".checkpoint-{step}.partial").is_dir() == (when == "save")
    shutil.rmtree(out / f".checkpoint-{step}.partial", ignore_errors=True)
    done = assert_checkpoints_load(out, causal=True)
    last = step - 1 if when == "step" else step - 2
    assert done[-1] == f"checkpoint-{last}" and len(done) == last // 2
    assert not (out / "config.json").exists()
    dead = json.loads((out / LOCK_FILE).read_text())["pid"]  # the stale lock, naming the killed run
    resumed = subprocess.run([sys.executable, str(EXAMPLES / "pretrain_lm.py"), *common, "--output_dir", str(out),
                              "--resume_from_checkpoint", str(out / f"checkpoint-{last}")],
                             capture_output=True, text=True, env=ENV, timeout=300)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert f"was left by a run that no longer holds it (pid {dead} on host" in resumed.stderr
    whole, again = load_file(tmp_path / "whole" / "model.safetensors"), load_file(out / "model.safetensors")
    assert all(torch.allclose(whole[k], again[k], atol=1e-6) for k in whole), f"killed at step {step}"
    assert_loads(out, causal=True)
    assert not (out / LOCK_FILE).exists() and not (out / ".hf_ulmfit-saving").exists()
