"""handler.py in a saved classifier folder loads and predicts in a process that cannot import hf_ulmfit, and gives
the same results as the package's scoring."""

import json
import subprocess
import sys
import textwrap

import pytest

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTTokenizerFast
from hf_ulmfit.deploy.endpoint_handler import write_endpoint_handler
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab
from hf_ulmfit.scoring import EndpointHandler

TEXTS = ["good film", "", "a bad dull plot"]

# Run with `python -I` (no PYTHONPATH, no user site) and an import hook that refuses hf_ulmfit even where it is
# installed, so the folder's own files and stock transformers + torch are all there is.
ISOLATED = textwrap.dedent("""
    import importlib.abc, json, sys

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "hf_ulmfit" or name.startswith("hf_ulmfit."):
                raise ImportError(f"{name} is blocked in this test")

    sys.meta_path.insert(0, Refuse())
    sys.path.insert(0, sys.argv[1])
    from handler import EndpointHandler

    handler = EndpointHandler(sys.argv[1])
    out = {"many": handler({"inputs": json.loads(sys.argv[2]), "parameters": {"threshold": 0.49}}),
           "one": handler({"inputs": "good film", "parameters": {"threshold": 0.49}})}
    assert not any(m.startswith("hf_ulmfit") for m in sys.modules)
    print(json.dumps(out))
""")


def save(folder, problem_type: str | None, num_labels: int = 3):
    """A tiny model saved with its tokenizer: a classifier of `problem_type` (num_labels=1: regression), or a
    language model where `problem_type` is "lm"."""
    tok = ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in ["good", "bad", "film", "dull", "plot"]}))
    config = ULMFiTConfig(vocab_size=len(tok), embedding_size=8, hidden_size=12, num_hidden_layers=2)
    if problem_type == "lm":
        model = ULMFiTForCausalLM(config)
    else:
        model = ULMFiTForSequenceClassification(config.for_classifier(num_labels=num_labels, problem_type=problem_type))
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return model


def assert_same(got: list[dict], expected: list[dict]) -> None:
    for a, b in zip(got, expected, strict=True):
        assert (a["label"], a["labels"]) == (b["label"], b["labels"])
        assert a["scores"] == pytest.approx(b["scores"], abs=1e-6)


@pytest.mark.parametrize(("problem_type", "num_labels"),
                         [("single_label_classification", 3), ("multi_label_classification", 3), (None, 1)])
def test_handler_predicts_without_hf_ulmfit(tmp_path, problem_type, num_labels):
    folder = tmp_path / "clas"
    model = save(folder, problem_type, num_labels)
    assert write_endpoint_handler(model, folder) == folder / "handler.py"
    result = subprocess.run([sys.executable, "-I", "-c", ISOLATED, str(folder), json.dumps(TEXTS)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path,
                            env={"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"})  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.splitlines()[-1])
    # the package's scoring on the same folder, in this process
    assert_same(got["many"], EndpointHandler(str(folder))({"inputs": TEXTS, "parameters": {"threshold": 0.49}}))
    assert got["many"][1] == {"label": None, "labels": [], "scores": {}}
    assert_same(got["one"], got["many"][:1])  # alone or padded in a batch: the same up to float rounding
    if num_labels == 1:
        assert got["many"][0]["label"] is None and list(got["many"][0]["scores"]) == ["LABEL_0"]


def test_no_handler_for_a_language_model(tmp_path):
    model = save(tmp_path / "lm", "lm")
    assert write_endpoint_handler(model, tmp_path / "lm") is None and not (tmp_path / "lm" / "handler.py").exists()


def test_handler_refuses_bad_inputs(tmp_path):
    save(tmp_path / "clas", "single_label_classification")
    handler = EndpointHandler(str(tmp_path / "clas"))
    with pytest.raises(ValueError, match="'inputs' must be a string or a list of strings"):
        handler({"inputs": [1]})
