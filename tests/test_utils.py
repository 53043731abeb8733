"""Helpers every room shares: atomic writes, telling a classifier from a language model."""

import pytest

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification
from hf_ulmfit.utils import atomic_path, is_classifier


def test_atomic_path_replaces_a_file_or_folder_whole_or_not_at_all(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "stale.json").write_text("{}")
    with atomic_path(folder, folder=True) as tmp:
        (tmp / "config.json").write_text("{}")
    assert [p.name for p in folder.iterdir()] == ["config.json"]


def test_is_classifier_for_models_and_saved_configs(tmp_path):
    config = ULMFiTConfig(vocab_size=16, embedding_size=4, hidden_size=6)
    lm, clas = ULMFiTForCausalLM(config), ULMFiTForSequenceClassification(config.for_classifier(num_labels=2))
    assert not is_classifier(lm) and is_classifier(clas)
    clas.save_pretrained(tmp_path)
    assert is_classifier(ULMFiTConfig.from_pretrained(tmp_path)) and not is_classifier(config)
