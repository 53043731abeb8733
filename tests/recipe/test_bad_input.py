"""Bad input gives one clear error naming the file, the line and the cause (issue 15, items 9 and 10)."""

import gzip
import importlib.util
import io
import json
import logging
import random
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from hf_ulmfit import ULMFiTConfig, ULMFiTForSequenceClassification, ULMFiTTokenizerFast
from hf_ulmfit.deploy.inference import predict_probabilities
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab
from hf_ulmfit.recipe.text_sources import load_texts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def serve_module():
    spec = importlib.util.spec_from_file_location("serve", EXAMPLES / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    return serve


def write(path: Path, data: bytes | str) -> str:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clas")
    tok = ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in ["good", "bad", "film"]}))
    config = ULMFiTConfig(vocab_size=len(tok), embedding_size=8, hidden_size=12, num_labels=2).for_classifier()
    ULMFiTForSequenceClassification(config).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.jsonl", "", r"empty\.jsonl is empty"),
        ("empty.txt", "\n\n  \n", r"empty\.txt is empty"),
        ("bad.jsonl", '{"text": "ok", "label": 1}\n{"text": "broken\n', r"bad\.jsonl, line 2: not valid JSON"),
        ("list.jsonl", '{"text": "ok", "label": 1}\n[1, 2]\n', r"list\.jsonl, line 2: .* must be an object"),
        ("mixed.jsonl", '{"text": "a", "label": 1}\n{"text": "b", "label": "1"}\n',
         r"mixed\.jsonl, line 2: 'label' is str \('1'\) but number on line 1"),
        ("blank.jsonl", '{"text": " ", "label": 1}\n{"text": null, "label": 0}\n{"text": "", "label": 1}\n',
         r"every 'text' is empty, blank or null \(3 rows\)"),
        ("latin1.txt", "caf\xe9 ok\n".encode("latin-1"), r"latin1\.txt, line 1: not valid UTF-8"),
        ("latin1.jsonl.gz", gzip.compress('{"text": "ok"}\n{"text": "caf\xe9"}\n'.encode("latin-1")),
         r"latin1\.jsonl\.gz, line 2: not valid UTF-8"),
        ("null.jsonl", '{"text": "a", "label": 1}\n{"text": "b", "label": null}\n',
         r"null\.jsonl, line 2: 'label' is null: every row needs one"),
        ("unlabelled.jsonl", '{"text": "a"}\n{"text": "b", "label": 0}\n',
         r"unlabelled\.jsonl, line 1: no 'label', which line 2 has"),
        ("number.jsonl", '{"text": "a", "label": 1}\n{"text": 3.5, "label": 0}\n',
         r"number\.jsonl, line 2: 'text' must be a string, got float \(3\.5\)"),
        ("numbers.csv", "text,label\n1,a\n2,b\n", r"numbers\.csv: 'text' must hold strings, but it holds int64"),
        ("null.csv", "text,label\ngood,pos\nbad,\n", r"null\.csv, row 2: 'label' is null \(1 rows\)"),
        ("missing.jsonl", None, r"missing\.jsonl: no such file"),
    ],
)
def test_bad_training_files(tmp_path, name, content, message):
    path = write(tmp_path / name, content) if content is not None else str(tmp_path / name)
    keep = ("label",) if name.endswith((".jsonl", ".jsonl.gz", ".csv")) else ()
    with pytest.raises(ValueError, match=message):
        load_texts([path], "text", keep_columns=keep)


def test_empty_and_null_texts_are_counted(tmp_path, caplog):
    rows = [{"text": "good film", "label": 1}, {"text": None, "label": 0}, {"text": "  ", "label": 1}]
    path = write(tmp_path / "some.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    with caplog.at_level(logging.WARNING):
        data = load_texts([path], "text", keep_columns=("label",))
    assert data["text"] == ["good film"]
    assert "2 of 3 rows have an empty, blank or null 'text' and are left out" in caplog.text


def serve_error(capsys, argv, stdin: bytes | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(stdin)))
    with pytest.raises(SystemExit) as exit_:
        serve_module().main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert not captured.out
    return captured.err


def test_serve_bad_input(classifier, tmp_path, capsys, monkeypatch):
    folder = str(classifier)
    bad = write(tmp_path / "bad.jsonl", '{"text": "good"}\n{"text": "bad"\n')
    assert "bad.jsonl, line 2: not valid JSON" in serve_error(capsys, [folder, "--input", bad])
    body = write(tmp_path / "body.jsonl", '{"body": "good"}\n')
    assert "body.jsonl, line 1: no 'text' field (fields: ['body'])" in serve_error(capsys, [folder, "--input", body])
    number = write(tmp_path / "number.jsonl", '{"text": 3}\n')
    assert "line 1: 'text' must be a string, got int" in serve_error(capsys, [folder, "--input", number])
    empty = write(tmp_path / "empty.jsonl", "\n")
    assert "empty.jsonl holds no texts" in serve_error(capsys, [folder, "--input", empty])
    err = serve_error(capsys, [folder], stdin=b"good\ncaf\xe9\n", monkeypatch=monkeypatch)
    assert "stdin, line 2: not valid UTF-8" in err
    assert "--batch_size must be at least 1" in serve_error(capsys, [folder, "--input", body, "--batch_size", "0"])


def test_damaged_folders(classifier, tmp_path):
    truncated = tmp_path / "truncated"
    shutil.copytree(classifier, truncated)
    weights = truncated / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"truncated/model\.safetensors: not a readable safetensors file"):
        predict_probabilities(str(truncated), ["good"])
    (truncated / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"model\.safetensors: not a readable safetensors file"):
        predict_probabilities(str(truncated), ["good"])
    untokenized = tmp_path / "untokenized"
    shutil.copytree(classifier, untokenized)
    (untokenized / "tokenizer.json").unlink()
    with pytest.raises(ValueError, match=r"untokenized has no tokenizer\.json"):
        predict_probabilities(str(untokenized), ["good"])


def test_classifier_batch_of_size_zero(classifier):
    model = ULMFiTForSequenceClassification.from_pretrained(classifier)
    with pytest.raises(ValueError, match=r"no documents \(a batch of size 0\)"):
        model(input_ids=torch.zeros(0, 4, dtype=torch.long))


def fuzz_texts(seed: int, n: int) -> list:
    """Random bytes, random code points (emoji, controls, surrogates-free), huge lines and repeats."""
    rng = random.Random(seed)
    texts: list = []
    for _ in range(n):
        kind = rng.randrange(5)
        size = rng.randrange(1, 400)
        if kind == 0:
            texts.append(bytes(rng.randrange(256) for _ in range(size)))
        elif kind == 1:
            chars = [rng.choice([rng.randrange(0x20), rng.randrange(0x80, 0xD800), rng.randrange(0x1F300, 0x1FAFF)])
                     for _ in range(size)]
            texts.append("".join(map(chr, chars)))
        elif kind == 2:
            texts.append(rng.choice(["ha ", "!", "\n", "😀", "A", "a,b", "\x00"]) * rng.randrange(1, 3000))
        elif kind == 3:
            texts.append("".join(rng.choice("aA .,!?'\"\n\t-/#😀é") for _ in range(size * 20)))
        else:
            texts.append(rng.choice([None, 3, 1.5, ["x"], {"a": 1}, b"\xff\xfe"]))
    return texts


def test_fuzz_raises_only_clear_errors(classifier, tmp_path, capsys, monkeypatch):
    tok = ULMFiTTokenizerFast.from_pretrained(classifier)
    for text in fuzz_texts(0, 120):
        try:
            ids = tok(text)["input_ids"]
        except (TypeError, ValueError) as err:
            assert "must be a string" in str(err) or "not valid UTF-8" in str(err), err
        else:
            assert (ids[0][0] if isinstance(text, list) else ids[0]) == 2  # a list is a batch of texts
    # files: serve.py's reader (JSONL and stdin) and the stages' loader
    serve = serve_module()
    for i, text in enumerate(fuzz_texts(1, 12)):
        raw = text if isinstance(text, bytes) else str(text).encode("utf-8", "surrogatepass")
        for name in (f"f{i}.jsonl", f"f{i}.txt"):
            path = write(tmp_path / name, raw)
            try:
                load_texts([path], "text")
            except ValueError as err:
                assert name in str(err), err
        monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(raw)))
        try:
            serve.read_texts(None, "text")
        except ValueError as err:
            assert "stdin" in str(err), err
        try:
            serve.read_texts(str(tmp_path / f"f{i}.jsonl"), "text")
        except ValueError as err:
            assert f"f{i}.jsonl" in str(err), err


@pytest.mark.parametrize(
    ("rows", "regression", "message"),
    [
        ([{"text": "a", "label": "pos"}] * 3, False, r"every 'label' is 'pos' \(3 rows\): a classifier needs at least two"),
        ([{"text": "a", "label": 1}, {"text": "b", "label": 0.37}, {"text": "c", "label": 2.5}], False,
         r"labels\.jsonl, line 2: 'label' is 0\.37: the labels look continuous \(3 distinct numbers in 3 rows\)\. "
         r"Pass --problem_type regression"),
        ([{"text": "a", "label": "high"}, {"text": "b", "label": "low"}], True,
         r"labels\.jsonl, line 1: 'label' is 'high', not a number: a regression"),
    ],
)
def test_labels_that_cannot_make_the_model_asked_for(tmp_path, rows, regression, message):
    from hf_ulmfit.recipe.text_sources import judge_labels

    path = write(tmp_path / "labels.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match=message):
        judge_labels(load_texts([path], "text", keep_columns=("label",)), "label", [path], regression)


def test_whole_numbers_are_classes_and_fractions_a_regression(tmp_path):
    from hf_ulmfit.recipe.text_sources import judge_labels

    rows = [{"text": t, "label": v} for t, v in [("a", 1.0), ("b", 2.0), ("c", 1.0)]]
    path = write(tmp_path / "stars.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    judge_labels(load_texts([path], "text", keep_columns=("label",)), "label", [path])
    rows = [{"text": t, "label": v} for t, v in [("a", 0.25), ("b", 3), ("c", 0.5)]]
    path = write(tmp_path / "scores.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    judge_labels(load_texts([path], "text", keep_columns=("label",)), "label", [path], regression=True)


def test_load_errors_name_the_file_and_the_cause(classifier, tmp_path):
    from hf_ulmfit.utils import check_saved_folder

    def damaged(name, change):
        folder = tmp_path / name
        shutil.copytree(classifier, folder)
        change(folder)
        return folder

    with pytest.raises(ValueError, match=r"nowhere/model: no such model folder"):
        check_saved_folder(tmp_path / "nowhere" / "model")
    check_saved_folder("someone/some-model")  # a Hub id is left to transformers
    cut = damaged("cut", lambda f: (f / "tokenizer.json").write_text((f / "tokenizer.json").read_text()[:200]))
    with pytest.raises(ValueError, match=r"cut/tokenizer\.json: not valid JSON \(.* at line \d+ column \d+\): save or copy"):
        check_saved_folder(cut)
    no_config = damaged("no-config", lambda f: (f / "config.json").unlink())
    with pytest.raises(ValueError, match=r"no-config has no config\.json: it is not a saved model folder"):
        check_saved_folder(no_config)

    def other_sizes(folder):
        config = json.loads((folder / "config.json").read_text())
        (folder / "config.json").write_text(json.dumps({**config, "embedding_size": 10}))

    with pytest.raises(ValueError, match=r"sizes/model\.safetensors does not fit \S+sizes/config\.json: \S+ is \[\d+, 8\] in "
                                         r"the weights but \[\d+, 10\] for the config"):
        check_saved_folder(damaged("sizes", other_sizes))

    def short_vocab(folder):  # weights and config of a model with 8 more rows than the tokenizer has tokens
        rows = len(ULMFiTTokenizerFast.from_pretrained(folder)) + 8
        config = ULMFiTConfig(vocab_size=rows, embedding_size=8, hidden_size=12, num_labels=2).for_classifier()
        ULMFiTForSequenceClassification(config).save_pretrained(folder)

    short = damaged("short", short_vocab)
    with pytest.raises(ValueError, match=r"short/tokenizer\.json has \d+ tokens but the model's embedding has \d+ rows"):
        check_saved_folder(short)
    with pytest.raises(ValueError, match=r"short/tokenizer\.json has \d+ tokens"):  # serve.py's and ensemble.py's loader
        predict_probabilities(str(short), ["good"])


def test_scripts_print_one_line_and_the_traceback_only_when_asked(classifier, tmp_path, capsys, monkeypatch):
    from hf_ulmfit.cli import run_script

    def explain_main(argv):
        spec = importlib.util.spec_from_file_location("explain", EXAMPLES / "explain.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main(argv)

    damaged = tmp_path / "damaged"
    shutil.copytree(classifier, damaged)
    (damaged / "model.safetensors").write_bytes(b"garbage")
    monkeypatch.delenv("HF_ULMFIT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        run_script(explain_main, [str(damaged), "--text", "good"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "error: " in err and "damaged/model.safetensors: not a readable safetensors file" in err

    def broken(argv):
        raise KeyError("a bug")

    with pytest.raises(SystemExit) as exit_:
        run_script(broken, [])
    assert exit_.value.code == 1
    assert "error: KeyError: 'a bug' (unexpected; run again with HF_ULMFIT_DEBUG=1 for the traceback)" in capsys.readouterr().err
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        run_script(explain_main, [str(damaged), "--text", "good", "--debug"])
    monkeypatch.setenv("HF_ULMFIT_DEBUG", "1")
    with pytest.raises(KeyError):
        run_script(broken, [])


def test_ensemble_names_the_line_of_a_label_the_models_lack(classifier, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("ensemble", EXAMPLES / "ensemble.py")
    ensemble = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ensemble)
    rows = [{"text": "good film", "label": "LABEL_1"}, {"text": "bad film", "label": "neutral"}]
    test = write(tmp_path / "test.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match=r"test\.jsonl, line 2: 'label' is 'neutral', which the models were not trained "
                                         r"with \(their labels: \['LABEL_0', 'LABEL_1'\]\)"):
        ensemble.main([str(classifier), str(classifier), "--test_file", test])
