"""Helpers every room shares: atomic writes, telling a classifier from a language model, the CPU's bf16."""

import os
import stat
from pathlib import Path

import pytest

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification
from hf_ulmfit.utils import atomic_path, cpu_description, cpu_flags, cpu_has_native_bf16, is_classifier


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
    umask = os.umask(0o022)
    try:  # the file gets the mode a plain open() would give, not the temporary file's private 0600
        with atomic_path(tmp_path / "new" / "page.html") as tmp:  # a missing folder is made
            tmp.write_text("<p>")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new" / "page.html").stat().st_mode) == 0o644

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "stale.json").write_text("{}")
    with atomic_path(folder, folder=True) as tmp:
        (tmp / "config.json").write_text("{}")
    assert [p.name for p in folder.iterdir()] == ["config.json"]



def test_a_folder_is_replaced_only_once_the_new_one_is_in_place(tmp_path, monkeypatch):
    """The old folder is moved aside, not deleted, until the new one has its name: a rename that fails puts it back."""
    from hf_ulmfit import utils

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("old")
    replace = os.replace

    def failing_second(src, dst):
        if Path(src).name.startswith(".model.") and not Path(src).name.startswith(".model.old."):
            raise OSError(28, "No space left on device")
        replace(src, dst)

    monkeypatch.setattr(utils.os, "replace", failing_second)
    with pytest.raises(OSError, match="No space left"), atomic_path(folder, folder=True) as tmp:
        (tmp / "config.json").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["model"] and (folder / "config.json").read_text() == "old"


def test_is_classifier_for_models_and_saved_configs(tmp_path):
    config = ULMFiTConfig(vocab_size=16, embedding_size=4, hidden_size=6)
    lm, clas = ULMFiTForCausalLM(config), ULMFiTForSequenceClassification(config.for_classifier(num_labels=2))
    assert not is_classifier(lm) and is_classifier(clas)
    clas.save_pretrained(tmp_path)
    assert is_classifier(ULMFiTConfig.from_pretrained(tmp_path)) and not is_classifier(config)


# Two cores of one CPU as /proc/cpuinfo lists them (trimmed); "bf16" alone in a model name must not count as a flag.
CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480C bf16-ready
flags\t\t: fpu sse2 avx2 avx512f {flags}

processor\t: 1
model name\t: Intel(R) Xeon(R) Platinum 8480C bf16-ready
flags\t\t: fpu sse2 avx2 avx512f {flags}
"""


@pytest.mark.parametrize(("flags", "native", "suffix"), [("avx512_bf16", True, " (avx512_bf16)"),
                                                         ("amx_bf16 amx_tile", True, " (amx_bf16)"), ("avx512_vnni", False, "")])
def test_native_bf16_and_the_cpu_description_come_from_the_flags_lines(flags, native, suffix):
    cpuinfo = CPUINFO.format(flags=flags)
    assert cpu_flags(cpuinfo) == {"fpu", "sse2", "avx2", "avx512f", *flags.split()}
    assert cpu_has_native_bf16(cpuinfo) is native
    assert cpu_description(cpuinfo) == "Intel(R) Xeon(R) Platinum 8480C bf16-ready" + suffix


def test_a_machine_without_cpuinfo_has_no_flags_and_is_named_by_platform(monkeypatch):
    monkeypatch.setattr("platform.processor", lambda: "arm")
    assert cpu_flags("") == set() and not cpu_has_native_bf16("") and cpu_description("") == "arm"
