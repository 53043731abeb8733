"""examples/serve.py (batch inference): one output line per input line, blank lines included, with the input's
index or id, scores by problem type; and the shared loader's refusals in serve.py and explain.py."""

import importlib.util
import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from hf_ulmfit.deploy.inference import predict_probabilities
from hf_ulmfit.utils import load_classifier

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_serve(capsys, monkeypatch, argv, stdin: bytes | None = None) -> list[dict]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(stdin)))
    example("serve").main(argv)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def logits_of(folder, text: str) -> torch.Tensor:
    model, tokenizer = load_classifier(folder)
    with torch.no_grad():
        return model(**tokenizer(text, return_tensors="pt")).logits[0]


def test_stdin_blank_lines_keep_their_place(tiny_folders, capsys, monkeypatch):
    rows = run_serve(capsys, monkeypatch, [str(tiny_folders["single_label_classification"])],
                     stdin=b"good film\n\n  \nbad plot\n\n")  # fmt: skip
    assert [r["index"] for r in rows] == [0, 1, 2, 3, 4]
    assert [r["label"] is None for r in rows] == [False, True, True, False, True]
    assert rows[1] == {"index": 1, "label": None, "labels": [], "scores": {}}
    assert sum(rows[0]["scores"].values()) == pytest.approx(1)


def test_jsonl_ids_are_echoed(tiny_folders, tmp_path, capsys, monkeypatch):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a7", "text": "good"}\n\n{"text": "bad film"}\n{"id": 3, "text": ""}\n')
    rows = run_serve(capsys, monkeypatch, [str(tiny_folders["single_label_classification"]), "--input", str(source)])
    assert [(r["index"], r.get("id")) for r in rows] == [(0, "a7"), (1, None), (2, None), (3, 3)]
    assert [r["label"] is None for r in rows] == [False, True, False, True]


@pytest.mark.parametrize("problem_type", ["multi_label_classification", "regression"])
def test_multi_label_and_regression_scores(tiny_folders, capsys, monkeypatch, problem_type):
    folder = tiny_folders[problem_type]
    texts = ["good film", "a dull plot"]
    rows = run_serve(capsys, monkeypatch, [str(folder), "--threshold", "0.499"], stdin="\n".join(texts).encode())
    scores, labels = predict_probabilities(str(folder), texts)
    for text, row, batch_scores in zip(texts, rows, scores, strict=True):
        logits = logits_of(folder, text)
        expected = logits.sigmoid() if problem_type == "multi_label_classification" else logits
        assert list(row["scores"].values()) == pytest.approx(expected.tolist(), abs=1e-5)
        assert batch_scores.tolist() == pytest.approx(expected.tolist(), abs=1e-5)
        assert list(row["scores"]) == labels
        if problem_type == "regression":
            assert row["label"] is None
        else:
            assert row["labels"] == sorted((n for n, s in row["scores"].items() if s >= 0.499),
                                           key=row["scores"].get, reverse=True)  # fmt: skip


def test_a_language_model_is_refused_by_serve_and_explain(tiny_folders, capsys, monkeypatch):
    with pytest.raises(SystemExit):
        run_serve(capsys, monkeypatch, [str(tiny_folders["lm"])], stdin=b"good\n")
    assert "holds a language model" in capsys.readouterr().err
    with pytest.raises(ValueError, match="holds a language model"):  # explain.py used to explain its random head
        example("explain").main([str(tiny_folders["lm"]), "--text", "good film"])


def test_http_flag_hands_over_to_the_service(tiny_folders, capsys):
    with pytest.raises(SystemExit) as exit_:  # the service's own argument check answers, so it was reached
        example("serve").main([str(tiny_folders["single_label_classification"]), "--http", "--max_texts", "0"])
    assert exit_.value.code == 2 and "--max_texts must be at least 1, got 0" in capsys.readouterr().err


def test_a_long_text_is_read_whole(tiny_folders, capsys, monkeypatch):
    folder = tiny_folders["single_label_classification"]
    long = " ".join(["good", "film", "bad", "plot"] * 400)  # 1601 tokens, over model_max_length (1440)
    (row,) = run_serve(capsys, monkeypatch, [str(folder)], stdin=long.encode())
    assert list(row["scores"].values()) == pytest.approx(logits_of(folder, long).softmax(-1).tolist(), abs=1e-5)
