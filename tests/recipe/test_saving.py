"""The final folder's commit: complete before it is visible, results last, the old model replaced only then."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab
from hf_ulmfit.recipe import saving
from hf_ulmfit.recipe.saving import STAGING, bytes_needed, check_free_space, commit_folder, rescue


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir() if p.is_file()}


def test_commit_moves_results_last_and_the_old_models_files_away(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("config.json", "model.safetensors", "generation_config.json", "eval_results.json", "notes.txt"):
        (out / name).write_text("old")
    for name in ("checkpoint-3", "checkpoint-8"):
        (out / name).mkdir()
    staging = out / STAGING
    staging.mkdir()
    for name in ("config.json", "model.safetensors", "eval_results.json", "README.md"):
        (staging / name).write_text("new")
    order = []
    replace = os.replace

    def recording(src, dst):
        order.append((Path(dst).name, (out / "eval_results.json").exists()))
        replace(src, dst)

    monkeypatch.setattr(saving.os, "replace", recording)
    commit_folder(staging, out, drop_checkpoints_except={"checkpoint-8"})
    # the old results go first (a folder in the middle of a commit never looks finished), the new ones come last
    assert [name for name, _ in order][-1] == "eval_results.json"
    assert not any(results for _, results in order)
    assert files(out) == {"config.json": "new", "model.safetensors": "new", "eval_results.json": "new",
                          "README.md": "new", "notes.txt": "old"}  # fmt: skip
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["checkpoint-8"]


def test_free_space_is_checked_before_training(tmp_path, monkeypatch):
    model = ULMFiTForCausalLM(ULMFiTConfig(vocab_size=50, embedding_size=8, hidden_size=12, num_hidden_layers=2))
    no_checkpoints, checkpoints = SimpleNamespace(save_strategy="no"), SimpleNamespace(save_strategy="steps")
    weights = sum(p.numel() * 4 for p in model.parameters()) + sum(b.numel() * b.element_size() for b in model.buffers())
    assert bytes_needed(model, no_checkpoints) == weights + saving.MARGIN
    assert bytes_needed(model, checkpoints) == 4 * weights + 2 * saving.MARGIN
    monkeypatch.setattr(saving.shutil, "disk_usage", lambda _: SimpleNamespace(free=saving.MARGIN))
    with pytest.raises(ValueError, match=r"has 8\.0 MB free; this run saves about [\d.]+ MB \(the model and a "
                                         r"checkpoint with its optimizer state\): free some space"):
        check_free_space(tmp_path, model, checkpoints)


def test_a_failed_save_rescues_the_weights_and_names_where(tmp_path, monkeypatch):
    tok = ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in ["good", "bad"]}))
    model = ULMFiTForCausalLM(ULMFiTConfig(vocab_size=len(tok), embedding_size=8, hidden_size=12,
                                           num_hidden_layers=2))  # fmt: skip
    trainer = SimpleNamespace(model=model, processing_class=tok, args=SimpleNamespace(should_save=True))
    monkeypatch.setattr(saving.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    out = tmp_path / "runs" / "lm"
    (out / STAGING).mkdir(parents=True)
    error = rescue(trainer, out, OSError(28, "No space left on device"))
    (rescued,) = (tmp_path / "tmp").iterdir()
    assert str(error).startswith(f"Could not save the model in {out} (OSError: [Errno 28] No space left on device; ")
    assert f"saved in {rescued} instead" in str(error) and not (out / STAGING).exists()
    assert ULMFiTForCausalLM.from_pretrained(rescued).config.vocab_size == len(tok)
    assert ULMFiTTokenizerFast.from_pretrained(rescued).get_vocab() == tok.get_vocab()
