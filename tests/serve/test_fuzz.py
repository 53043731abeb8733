"""schemathesis against the live service's OpenAPI schema: every generated request (schema-valid and not) gets a
documented, non-5xx answer in time, and schema-valid ones are accepted."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from serve_process import Server, environment

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

# 413 is the service's answer to a body or a list over its limits, which the schema states as maxItems.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = [400, 405, 413, 415, 422]
"""


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(tiny_folders, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    server = Server(tiny_folders["multi_label_classification"], "--max_texts", "8")
    try:
        command = [shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis")),
                   "--config-file", str(config), "run", f"{server.url}/openapi.json", "--checks", "all",
                   "--max-examples", "200", "--request-timeout", "30", "--generation-deterministic"]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment(), cwd=tmp_path)
        health = server.request("GET", "/health")
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Tested: 3" in result.stdout and "No issues found" in result.stdout  # all three operations
    assert health == (200, {"status": "ready"})  # still up after the fuzzing
