"""append_result: the row an experiment script appends, with what is needed to reproduce it."""

import json
import sys
import time

from hf_ulmfit.recipe.results import append_result


def test_rows_are_appended_with_their_command_commit_and_versions(tmp_path, monkeypatch, capsys):
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"accuracy": 0.5}) + "\n")
    monkeypatch.setattr(sys, "argv", ["ignored", "run", "imdb", "--labels", "100"])
    script = tmp_path / "examples" / "evaluate_transfer.py"  # outside any checkout: no commit to name
    script.parent.mkdir()
    started = time.perf_counter() - 2.0
    row = append_result(results, {"accuracy": 0.75, "tag": "a"}, started, script)
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert rows == [{"accuracy": 0.5}, row]
    assert row["command"] == "python examples/evaluate_transfer.py run imdb --labels 100"
    assert row["accuracy"] == 0.75 and row["tag"] == "a" and row["wall_s"] >= 2.0
    assert row["commit"] == "" and row["threads"] >= 1
    assert set(row["versions"]) == {"torch", "transformers", "hf_ulmfit"} and row["date"].endswith("UTC")
    assert json.loads(capsys.readouterr().out) == row


def test_no_git_gives_an_empty_commit(tmp_path, monkeypatch):
    from hf_ulmfit.recipe import results

    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable to find
    assert results.head_commit(__file__) == ""
