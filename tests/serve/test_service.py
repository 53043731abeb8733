"""The real HTTP service on a loopback port: every endpoint, every error, start-up refusals, graceful shutdown."""

import json
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch
from serve_process import Server, environment

from hf_ulmfit.utils import load_classifier

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

TEXTS = ["good film", "a dull plot", "the great bad film"]
STOPPED = -signal.SIGTERM  # uvicorn re-raises the signal once it has shut down cleanly
LONG = " ".join(["good", "film", "bad", "plot"] * 400)  # 1600 tokens and xxbos; no repeats for xxrep to fold


def expected_scores(folder, text: str) -> dict[str, float]:
    """The scores by problem type, computed here from the model's logits."""
    model, tokenizer = load_classifier(folder)
    with torch.no_grad():
        logits = model(**tokenizer(text, return_tensors="pt")).logits[0]
    kind = model.config.problem_type
    values = logits.sigmoid() if kind == "multi_label_classification" else logits if kind == "regression" else logits.softmax(-1)
    return {model.config.id2label[i]: float(v) for i, v in enumerate(values)}


@pytest.fixture(scope="module")
def server(tiny_folders):
    running = Server(tiny_folders["single_label_classification"], "--max_texts", "4", "--max_body_bytes", "20000")
    yield running
    assert running.stop() == STOPPED


def test_predict_texts_and_text(server, tiny_folders):
    status, body = server.request("POST", "/predict", {"texts": TEXTS})
    assert status == 200 and body["model"] == "single_label_classification" and len(body["revision"]) == 12
    for text, prediction in zip(TEXTS, body["predictions"], strict=True):
        expected = expected_scores(tiny_folders["single_label_classification"], text)
        assert prediction["scores"] == pytest.approx(expected, abs=1e-5)
        assert prediction["label"] == max(expected, key=expected.get) and prediction["labels"] == [prediction["label"]]
    status, one = server.request("POST", "/predict", {"text": TEXTS[1]})
    # alone or in a padded batch: the same result, to float rounding (oneDNN's kernels depend on the batch size)
    alone, batched = one["predictions"][0], body["predictions"][1]
    assert status == 200 and alone["label"] == batched["label"]
    assert alone["scores"] == pytest.approx(batched["scores"], abs=1e-6)


def test_blank_text_gets_an_empty_result(server):
    status, body = server.request("POST", "/predict", {"texts": ["good", "  ", ""]})
    assert status == 200
    assert body["predictions"][1:] == [{"label": None, "labels": [], "scores": {}}] * 2
    assert body["predictions"][0]["label"] in ("neg", "pos")


def test_health_metadata_and_schema(server):
    assert server.request("GET", "/health") == (200, {"status": "ready"})
    status, meta = server.request("GET", "/metadata")
    assert status == 200
    assert meta["labels"] == ["neg", "pos"] and meta["problem_type"] == "single_label_classification"
    assert (meta["tokenizer_direction"], meta["max_length"], meta["backend"]) == ("forward", 1440, "fp32")
    assert meta["max_texts"] == 4 and meta["agreement_with_fp32"] is None
    status, schema = server.request("GET", "/openapi.json")
    assert status == 200 and {"/predict", "/health", "/metadata"} <= set(schema["paths"])
    assert {"413", "422", "400"} <= set(schema["paths"]["/predict"]["post"]["responses"])


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"raw": b'{"texts": ["good"'}, 400, "not valid JSON"),
        ({"raw": b'{"text": "caf\xe9"}'}, 400, "not valid UTF-8"),
        ({"body": {"texts": "good"}}, 422, "texts: Input should be a valid list"),
        ({"body": {"texts": ["good", 3]}}, 422, "texts.1: Input should be a valid string"),
        ({"body": {"text": ["good"]}}, 422, "text: Input should be a valid string"),
        ({"body": {"texts": []}}, 422, "'texts' is empty"),
        ({"body": {}}, 422, "give exactly one of 'texts'"),
        ({"body": {"text": "a", "texts": ["b"]}}, 422, "give exactly one of 'texts'"),
        ({"body": ["good"]}, 422, "valid dictionary"),
        ({"body": {"text": "good", "labels": 1}}, 422, "labels: Extra inputs are not permitted"),
        ({"body": {"text": "good", "truncate": "no"}}, 422, "truncate: Input should be a valid boolean"),
        ({"body": {"texts": ["good"] * 5}}, 413, "5 texts in one request, more than the limit of 4"),
        ({"body": {"text": LONG, "truncate": False}}, 413, "Text 0 has 1601 tokens, more than the limit of 1440"),
        ({"raw": json.dumps({"text": "good " * 5000}).encode()}, 413, "more than the limit of 20000"),
        ({"raw": b'{"text": "good"}', "content_type": "text/plain"}, 415, "Content-Type: application/json"),
    ],
)
def test_bad_requests_get_one_json_error_and_the_server_stays_up(server, kwargs, status, message):
    got, body = server.request("POST", "/predict", **kwargs)
    assert got == status and set(body) == {"error"} and message in body["error"], body
    assert server.request("GET", "/health")[0] == 200


def test_unknown_route_and_method(server):
    assert server.request("GET", "/nowhere") == (404, {"error": "Not Found"})
    assert server.request("GET", "/predict") == (405, {"error": "Method Not Allowed"})


def test_a_long_text_is_cut_to_max_length_by_default(server, tiny_folders):
    status, body = server.request("POST", "/predict", {"text": LONG})
    expected = expected_scores(tiny_folders["single_label_classification"], " ".join(LONG.split()[:1439]))
    assert status == 200 and body["predictions"][0]["scores"] == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("problem_type", ["multi_label_classification", "regression"])
def test_multi_label_and_regression_scores(tiny_folders, problem_type):
    folder = tiny_folders[problem_type]
    running = Server(folder, "--threshold", "0.499")
    try:
        status, body = running.request("POST", "/predict", {"texts": TEXTS})
        meta = running.request("GET", "/metadata")[1]
    finally:
        assert running.stop() == STOPPED
    assert status == 200 and meta["problem_type"] == problem_type
    for text, prediction in zip(TEXTS, body["predictions"], strict=True):
        expected = expected_scores(folder, text)
        assert prediction["scores"] == pytest.approx(expected, abs=1e-5)
        if problem_type == "regression":
            assert prediction["label"] is None and prediction["labels"] == []
        else:  # each label on its own at the threshold, not one softmax over them
            chosen = sorted((n for n, s in expected.items() if s >= 0.499), key=expected.get, reverse=True)
            assert prediction["labels"] == chosen and prediction["label"] == (chosen[0] if chosen else None)
            assert sum(expected.values()) > 1.2  # three sigmoids near 0.5, which a softmax would not give


@pytest.mark.parametrize(("folder", "message", "options"), [
    ("lm", "holds a language model", []),
    ("lm", "holds a language model", ["--workers", "2"]),  # checked in a child process before the workers start
    ("missing", "missing", []),
])
def test_a_folder_without_a_trained_classifier_is_refused_at_start(tiny_folders, tmp_path, folder, message, options):
    path = tiny_folders.get(folder, tmp_path / "missing")
    result = subprocess.run([sys.executable, "-m", "hf_ulmfit.serve", str(path), "--port", "1", *options],
                            capture_output=True, text=True, env=environment(), timeout=300)  # fmt: skip
    assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_untrained_head_is_refused(tiny_folders, tmp_path):
    import shutil

    folder = shutil.copytree(tiny_folders["lm"], tmp_path / "headless")
    config = json.loads((folder / "config.json").read_text())
    config["architectures"] = ["ULMFiTForSequenceClassification"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="holds no trained classifier head"):
        load_classifier(folder)


def test_sigterm_finishes_the_request_in_flight(tiny_folders):
    running = Server(tiny_folders["single_label_classification"])
    body = json.dumps({"texts": TEXTS}).encode()
    head = (f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    with socket.create_connection(("127.0.0.1", running.port), timeout=60) as client:
        client.sendall(head + body[:10])  # the request is in flight: its body is still coming
        time.sleep(0.5)  # let the server read the headers before the signal
        running.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        with pytest.raises(OSError):  # no new connection once shutting down
            socket.create_connection(("127.0.0.1", running.port), timeout=5).close()
        client.sendall(body[10:])
        reply = b""
        while chunk := client.recv(65536):
            reply += chunk
    assert running.process.wait(timeout=60) == STOPPED
    status_line, _, payload = reply.partition(b"\r\n\r\n")
    assert status_line.startswith(b"HTTP/1.1 200") and len(json.loads(payload)["predictions"]) == 3
    running.stop()


@pytest.mark.slow
def test_two_workers_serve_the_same_model(tiny_folders):
    running = Server(tiny_folders["regression"], "--workers", "2")
    try:
        answers = [running.request("POST", "/predict", {"text": "good film"}) for _ in range(6)]
        meta = running.request("GET", "/metadata")
    finally:
        assert running.stop() in (0, STOPPED)
    assert {status for status, _ in answers} == {200} and meta[0] == 200
    expected = expected_scores(tiny_folders["regression"], "good film")
    assert all(body["predictions"][0]["scores"] == pytest.approx(expected, abs=1e-5) for _, body in answers)
