"""One writer per output folder: the lock names its holder, refuses a second run, and reports a stale lock."""

import json
import logging
import os
import socket
import subprocess
import sys

import pytest

from hf_ulmfit.recipe.output_lock import LOCK_FILE, FolderInUseError, OutputLock

HOLD = """
import sys, time
from hf_ulmfit.recipe.output_lock import OutputLock
with OutputLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def test_the_lock_names_its_holder_and_goes_with_it(tmp_path):
    with OutputLock(tmp_path):
        holder = json.loads((tmp_path / LOCK_FILE).read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname() and holder["started"]
        with pytest.raises(FolderInUseError, match=rf"in use by another run \(pid {os.getpid()} on host "):
            with OutputLock(tmp_path):
                pass
    assert not (tmp_path / LOCK_FILE).exists()
    with OutputLock(tmp_path):  # free again
        pass


def test_another_process_holding_the_folder_is_refused_until_it_ends(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderInUseError, match=rf"pid {holder.pid} on host"):
            with OutputLock(tmp_path):
                pass
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    with OutputLock(tmp_path):
        pass


def test_a_stale_lock_is_reported_and_taken_over(tmp_path, caplog):
    (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": 999999, "host": "gone", "started": "yesterday"}))
    with caplog.at_level(logging.WARNING), OutputLock(tmp_path):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()
    assert "left by a run that no longer holds it (pid 999999 on host gone, started yesterday" in caplog.text


def test_a_folder_the_lock_made_goes_if_the_run_left_it_empty(tmp_path):
    with OutputLock(tmp_path / "refused"):
        pass
    assert not (tmp_path / "refused").exists()
    with OutputLock(tmp_path / "kept"):
        (tmp_path / "kept" / "config.json").write_text("{}")
    assert [p.name for p in (tmp_path / "kept").iterdir()] == ["config.json"]
