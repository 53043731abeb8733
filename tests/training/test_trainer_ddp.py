import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from ddp_lm_stream import PER_DEVICE_BATCH_SIZE, make_trainer

from hf_ulmfit.training.token_store import TokenStore

TESTS = Path(__file__).resolve().parents[1]  # the helper scripts live at the top of tests/


@pytest.mark.slow  # ~60 s: two processes each import torch and transformers
def test_two_processes_read_contiguous_rows_and_match_one_process_and_resume_on_a_token_store(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        str(TESTS / "ddp_lm_stream.py"), str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    assert [json.loads((tmp_path / f"continuity_{r}.json").read_text()) for r in range(2)] == [True, True]
    distributed = json.loads((tmp_path / "losses.json").read_text())
    assert distributed["world_size"] == 2

    single = make_trainer(str(tmp_path / "single"), 2 * PER_DEVICE_BATCH_SIZE)
    single.train()
    losses = [log["loss"] for log in single.state.log_history if "loss" in log]
    assert len(losses) == 6
    assert distributed["losses"] == pytest.approx(losses, rel=1e-4)
    # Same weights too: the frozen groups of stage one stayed frozen on both processes.
    weights = torch.load(tmp_path / "weights.pt")
    for name, value in single.model.state_dict().items():
        torch.testing.assert_close(weights[name], value, rtol=1e-4, atol=1e-6, msg=name)

    # From a token store: the same losses (each rank read its rows from the memory map), and a run resumed from
    # checkpoint 3 (mid-epoch) continues with the uninterrupted run's losses.
    store = json.loads((tmp_path / "store_losses.json").read_text())
    full = {int(step): loss for step, loss in store["full"].items()}
    resumed = {int(step): loss for step, loss in store["resumed"].items()}
    assert [full[step] for step in sorted(full)] == pytest.approx(losses, rel=1e-4)
    assert sorted(resumed) == list(range(1, 7))  # steps 1-3 from the checkpoint's history
    assert [resumed[step] for step in (4, 5, 6)] == pytest.approx([full[step] for step in (4, 5, 6)], rel=1e-6)
    assert sorted(p.name for p in (tmp_path / "store_run" / "checkpoint-3").glob("ulmfit_stream_state_*")) == [
        "ulmfit_stream_state_0.pt", "ulmfit_stream_state_1.pt"]

    # One process with the doubled batch cuts the same rows: it resumes the two-process checkpoint, each row
    # continuing with its carried state (both processes' states put together).
    one = make_trainer(str(tmp_path / "one"), 2 * PER_DEVICE_BATCH_SIZE, TokenStore(tmp_path / "store"))
    one.train(resume_from_checkpoint=str(tmp_path / "store_run" / "checkpoint-3"))
    got = {log["step"]: log["loss"] for log in one.state.log_history if "loss" in log}
    assert [got[step] for step in (4, 5, 6)] == pytest.approx([full[step] for step in (4, 5, 6)], rel=1e-4)
