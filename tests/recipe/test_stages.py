"""The three stages end to end on tiny data, the Hub upload (patched client), and the clear errors."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from huggingface_hub import ModelCard
from transformers import pipeline

from hf_ulmfit import ULMFiTTrainingArguments
from hf_ulmfit.commands.finetune_lm import finetune_lm
from hf_ulmfit.commands.pretrain_lm import main as pretrain_main
from hf_ulmfit.commands.train_classifier import train_classifier
from hf_ulmfit.recipe.stages import DataArguments, ModelArguments

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

WORDS = "the a film movie plot actor story scene music end good great fine bad awful dull".split()
SIZES = dict(embedding_size=16, hidden_size=24, num_hidden_layers=2, max_len=32, min_freq=1,
             classifier_hidden_sizes=[8])


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def reviews(n, seed):
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(n):
        label = i % 2
        words = [WORDS[j] for j in torch.randint(0, 10, (12,), generator=gen)]
        words += ["great", "good"] if label else ["awful", "dull"]
        rows.append({"text": " ".join(words).capitalize() + ".", "label": ["neg", "pos"][label]})
    return rows


def args(out, **overrides):
    values = dict(output_dir=str(out), per_device_train_batch_size=4, per_device_eval_batch_size=8, bptt=8,
                  num_train_epochs=1, save_strategy="no", report_to="none", disable_tqdm=True, logging_steps=5)
    return ULMFiTTrainingArguments(**{**values, **overrides})


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    (root / "general.txt").write_text("\n".join(" ".join(WORDS[k % 4 :: 1 + k % 3] * 3) for k in range(30)) + "\n\n")
    return {
        "general": str(root / "general.txt"),
        "train": write_jsonl(root / "train.jsonl", reviews(24, 0)),
        "test": write_jsonl(root / "test.jsonl", reviews(8, 1)),
        "root": root,
    }


class FakeHub:
    """Stands in for transformers' HfApi: records what would be uploaded."""

    def __init__(self):
        self.uploads = []

    def create_repo(self, repo_id, **kwargs):
        return SimpleNamespace(repo_id=repo_id)

    def upload_folder(self, repo_id, folder_path, ignore_patterns=(), **kwargs):
        from fnmatch import fnmatch
        from pathlib import Path

        files = sorted(p.name for p in Path(folder_path).iterdir()
                       if p.is_file() and not any(fnmatch(p.name, pattern) for pattern in ignore_patterns))
        self.uploads.append({"repo_id": repo_id, "files": files,
                             "card": (Path(folder_path) / "README.md").read_text()})


@pytest.fixture(scope="module")
def stages(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    # Stage 1 through its command line, as a user runs it.
    pretrain_main(["--embedding_size", "16", "--hidden_size", "24", "--num_hidden_layers", "2", "--max_len", "32",
                   "--min_freq", "1", "--train_files", data["general"], "--validation_fraction", "0.2",
                   "--output_dir", str(out / "lm1"), "--learning_rate", "1e-2", "--per_device_train_batch_size", "4",
                   "--per_device_eval_batch_size", "8", "--bptt", "8", "--num_train_epochs", "1",
                   "--save_strategy", "no", "--report_to", "none", "--disable_tqdm", "true", "--logging_steps", "5"])
    finetune_lm(ModelArguments(**SIZES, model_name_or_path=str(out / "lm1")),
                DataArguments(train_files=[data["train"]], validation_files=[data["test"]]),
                args(out / "lm2", unfreeze_stages=[1, 1]))
    hub = FakeHub()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("transformers.trainer.hf_api", lambda: hub)
        metrics = train_classifier(
            ModelArguments(**SIZES, model_name_or_path=str(out / "lm2")),
            DataArguments(train_files=[data["train"]], validation_files=[data["test"]]),
            args(out / "clas", unfreeze_stages=[1, 1, 1, 1], push_to_hub=True, hub_model_id="me/tiny-clas"),
        )
    return out, metrics, hub


def test_scripts_parse_their_arguments():
    from hf_ulmfit.recipe.stages import parse_stage_args

    model_args, data_args, training_args = parse_stage_args(
        ["--model_name_or_path", "lm", "--train_files", "a.jsonl", "b.txt", "--output_dir", "out", "--bptt", "40",
         "--unfreeze_stages", "1", "1", "--backwards"]
    )  # fmt: skip
    assert model_args.model_name_or_path == "lm" and data_args.train_files == ["a.jsonl", "b.txt"]
    assert training_args.bptt == 40 and training_args.unfreeze_stages == [1, 1] and data_args.backwards


def test_each_stage_writes_a_complete_folder(stages):
    out, metrics, _ = stages
    for name in ("lm1", "lm2", "clas"):
        files = {p.name for p in (out / name).iterdir()}
        assert {"config.json", "model.safetensors", "tokenizer.json", "README.md", "training_curves.png"} <= files
        assert not any(f.endswith((".bin", ".pkl", ".pt", ".pth")) for f in files)
    assert 0.0 <= metrics["eval_accuracy"] <= 1.0 and "eval_f1" in metrics
    # Discriminative rates are for fine-tuning: stage 1 (from random weights) trains all groups at one rate.
    factors = {name: json.loads((out / name / "training_args.json").read_text())["lr_decay_factor"]
               for name in ("lm1", "lm2", "clas")}
    assert factors == {"lm1": 1.0, "lm2": 2.6, "clas": 2.6}
    lm_card = ModelCard.load(out / "lm2" / "README.md")
    assert lm_card.data.base_model == str(out / "lm1") and lm_card.data.pipeline_tag == "text-generation"


def test_push_uploads_exactly_the_model_folder(stages):
    out, _, hub = stages
    (upload,) = hub.uploads
    assert upload["repo_id"] == "me/tiny-clas"
    assert upload["files"] == [
        "README.md", "config.json", "configuration_ulmfit.py", "eval_results.json", "handler.py", "model.safetensors",
        "modeling_ulmfit.py", "tokenization_ulmfit.py", "tokenizer.json", "tokenizer_config.json",
        "training_args.json", "training_curves.png",
    ]
    card = ModelCard(upload["card"])
    assert card.data.base_model == str(out / "lm2") and card.data.library_name == "transformers"
    assert "me/tiny-clas" in card.text and "| unfreeze_stages | [1, 1, 1, 1] |" in card.text
    metric_types = {m["type"] for m in card.data.to_dict()["model-index"][0]["results"][0]["metrics"]}
    assert {"accuracy", "f1"} <= metric_types


def test_pipeline_loads_the_classifier(stages):
    out, _, _ = stages
    for remote in (False, True):
        classifier = pipeline("text-classification", model=str(out / "clas"), trust_remote_code=remote)
        predictions = classifier(["A great good film.", "An awful dull plot."])
        assert {p["label"] for p in predictions} <= {"neg", "pos"}
    generator = pipeline("text-generation", model=str(out / "lm2"))
    assert generator("The film", max_new_tokens=3, do_sample=False)[0]["generated_text"].startswith("The film")


def test_scratch_baseline_and_clear_errors(data, stages, tmp_path):
    out, _, _ = stages
    scratch = train_classifier(ModelArguments(**SIZES), DataArguments(train_files=[data["train"]],
                               validation_files=[data["test"]]), args(tmp_path / "scratch"))
    assert "eval_accuracy" in scratch
    assert json.loads((tmp_path / "scratch" / "training_args.json").read_text())["lr_decay_factor"] == 1.0
    # Random weights have nothing to protect: scratch trains every layer at one rate, even when asked to unfreeze.
    from hf_ulmfit.recipe.stages import ClassifierTrainingArguments

    train_classifier(ModelArguments(**SIZES), DataArguments(train_files=[data["train"]], validation_files=[data["test"]]),
                     ClassifierTrainingArguments(output_dir=str(tmp_path / "scratch-defaults"), bptt=8,
                                                 per_device_train_batch_size=4, report_to="none", save_strategy="no",
                                                 disable_tqdm=True, gradual_unfreezing=True))  # fmt: skip
    saved = json.loads((tmp_path / "scratch-defaults" / "training_args.json").read_text())
    # The from-scratch baseline's recipe (RANDOM_WEIGHTS_RECIPE) where stage 3's defaults were kept; 24 texts at
    # batch 4: its 10 epochs are 60 steps, stretched 2x to reach min_train_steps (80)
    assert saved["unfreeze_stages"] is None and not saved["gradual_unfreezing"]
    assert saved["lr_decay_factor"] == 1.0 and saved["num_train_epochs"] == 20
    assert saved["learning_rate"] == 1e-2 and saved["lr_schedule"] == "one_cycle"
    with pytest.raises(ValueError, match="already holds a saved model"):
        train_classifier(ModelArguments(**SIZES), DataArguments(train_files=[data["train"]]),
                         args(tmp_path / "scratch"))
    bert = tmp_path / "bert"
    bert.mkdir()
    (bert / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ValueError, match="not a ULMFiT model"):
        finetune_lm(ModelArguments(model_name_or_path=str(bert)), DataArguments(train_files=[data["train"]]),
                    args(tmp_path / "x"))
    with pytest.raises(ValueError, match="no column 'body'"):
        train_classifier(ModelArguments(**SIZES), DataArguments(train_files=[data["train"]], text_column="body"),
                         args(tmp_path / "y"))
    odd = write_jsonl(data["root"] / "odd.jsonl", [{"text": "fine film", "label": "meh"}])
    with pytest.raises(ValueError, match=r"labels the model was not trained with: \['meh'\]"):
        train_classifier(ModelArguments(**SIZES, model_name_or_path=str(out / "lm2")),
                         DataArguments(train_files=[data["train"]], validation_files=[odd]), args(tmp_path / "z"))


def test_forward_backward_ensemble(data, stages, tmp_path):
    from transformers import AutoTokenizer

    from hf_ulmfit.deploy.inference import ensemble_probabilities

    out, _, _ = stages
    train_classifier(ModelArguments(**SIZES), DataArguments(train_files=[data["train"]], backwards=True),
                     args(tmp_path / "bwd"))
    assert AutoTokenizer.from_pretrained(tmp_path / "bwd").backwards
    texts = ["A great good film.", "An awful dull plot.", "Fine."]
    each, mean, labels = ensemble_probabilities([str(out / "clas"), str(tmp_path / "bwd")], texts)
    assert labels == ["neg", "pos"] and mean.shape == (3, 2)
    torch.testing.assert_close(mean, (each[0] + each[1]) / 2)
    torch.testing.assert_close(mean.sum(-1), torch.ones(3))
    with pytest.raises(ValueError, match="reads text forwards"):
        train_classifier(ModelArguments(**SIZES, model_name_or_path=str(out / "lm2")),
                         DataArguments(train_files=[data["train"]], backwards=True), args(tmp_path / "mixed"))


def test_stock_trainer_fine_tunes_a_saved_folder(stages, tmp_path):
    """A generic transformers fine-tuning loop, nothing ULMFiT-specific, on our folder."""
    from datasets import Dataset
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
    )

    out, _, _ = stages
    model = AutoModelForSequenceClassification.from_pretrained(out / "clas", trust_remote_code=True)
    tokenizer = AutoTokenizer.from_pretrained(out / "clas", trust_remote_code=True)
    texts = [r["text"] for r in reviews(16, 5)]
    data = Dataset.from_dict({"text": texts, "label": [i % 2 for i in range(16)]})
    data = data.map(lambda b: tokenizer(b["text"]), batched=True, remove_columns=["text"])
    before = model.classifier.layers[-1][-1].weight.detach().clone()
    trainer = Trainer(model=model, args=TrainingArguments(output_dir=str(tmp_path), per_device_train_batch_size=4,
                                                          max_steps=3, report_to="none", save_strategy="no"),
                      train_dataset=data, data_collator=DataCollatorWithPadding(tokenizer))
    result = trainer.train()
    assert torch.isfinite(torch.tensor(result.training_loss))
    assert not torch.equal(model.classifier.layers[-1][-1].weight, before)


def test_serve_example_classifies_jsonl_in_input_order(stages, tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("serve", EXAMPLES / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    out, _, _ = stages
    texts = ["A great good film.", "Awful.", "An awful dull plot, the end."]
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts])
    serve.main([str(out / "clas"), "--input", source, "--batch_size", "2"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3 and all(set(r["scores"]) == {"neg", "pos"} for r in rows)
    from hf_ulmfit.deploy.inference import predict_probabilities

    expected, _ = predict_probabilities(str(out / "clas"), texts, batch_size=8)
    assert [r["scores"]["pos"] for r in rows] == pytest.approx(expected[:, 1].tolist(), abs=1e-5)


def test_classifier_script_defaults_are_the_measured_recipe():
    from hf_ulmfit.recipe.stages import ClassifierTrainingArguments, parse_stage_args

    _, _, training_args = parse_stage_args(["--output_dir", "out"], training_class=ClassifierTrainingArguments)
    assert (training_args.num_train_epochs, training_args.lr_schedule, training_args.lr_decay_factor) == (5, "stlr", 2.6)
    assert training_args.unfreeze_stages is None and not training_args.gradual_unfreezing  # every layer from the start
    assert training_args.learning_rate == 2e-2 and training_args.per_device_train_batch_size == 32
    _, _, paper = parse_stage_args(["--output_dir", "out", "--gradual_unfreezing", "true"],
                                   training_class=ClassifierTrainingArguments)
    assert paper.unfreeze_stages == [1, 1, 1, 2] and paper.unfreeze_lr_factors == [1, 0.5, 0.25, 0.05]
    assert paper.num_train_epochs == 5
    _, _, own = parse_stage_args(["--output_dir", "out", "--unfreeze_stages", "1", "3"],
                                 training_class=ClassifierTrainingArguments)  # stages alone turn unfreezing on
    assert own.gradual_unfreezing and own.unfreeze_stages == [1, 3] and own.unfreeze_lr_factors is None
    assert own.num_train_epochs == 4
    _, _, generic = parse_stage_args(["--output_dir", "out"])  # the LM stages keep ULMFiTTrainingArguments' own
    assert generic.lr_decay_factor == 2.6


def _weights(folder):
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def test_same_seed_same_classifier_and_resume_continues_the_interrupted_run(data, stages, tmp_path):
    import shutil

    lm = str(stages[0] / "lm2")

    def run(out, **overrides):
        return train_classifier(
            ModelArguments(**SIZES, model_name_or_path=lm),
            DataArguments(train_files=[data["train"]], validation_files=[data["test"]]),
            args(out, max_steps=8, save_strategy="steps", save_steps=4, **overrides),
        )

    run(tmp_path / "a")
    run(tmp_path / "b")  # the same seed: the same head, the same steps
    first, second = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    assert all(torch.equal(first[k], second[k]) for k in first)
    # BatchNorm counted its 8 training batches from zero (from_pretrained once left the counter uninitialised).
    assert first["classifier.layers.0.0.num_batches_tracked"].item() == 8
    # An interrupted run: only its step-4 checkpoint exists. Resuming continues from it, leaves it untouched and
    # ends where the uninterrupted run ended.
    (tmp_path / "c").mkdir()
    shutil.copytree(tmp_path / "a" / "checkpoint-4", tmp_path / "c" / "checkpoint-4")
    saved = tmp_path / "c" / "checkpoint-4" / "model.safetensors"
    before = saved.stat().st_mtime_ns
    run(tmp_path / "c", resume_from_checkpoint=str(tmp_path / "c" / "checkpoint-4"))
    assert saved.stat().st_mtime_ns == before
    resumed = _weights(tmp_path / "c")
    assert all(torch.allclose(first[k].float(), resumed[k].float(), atol=1e-6) for k in first)


def test_a_missing_matplotlib_costs_the_plot_not_the_model(data, stages, tmp_path, monkeypatch, caplog):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    train_classifier(
        ModelArguments(**SIZES, model_name_or_path=str(stages[0] / "lm2")),
        DataArguments(train_files=[data["train"]], validation_files=[data["test"]]), args(tmp_path / "clas"),
    )  # fmt: skip
    files = {p.name for p in (tmp_path / "clas").iterdir()}
    assert {"model.safetensors", "config.json", "README.md"} <= files and "training_curves.png" not in files
    assert "matplotlib is not installed" in caplog.text


def test_serve_refuses_a_folder_without_a_trained_classifier_head(stages, data, tmp_path, capsys):
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("serve", EXAMPLES / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    out, _, _ = stages
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "A great film."}])
    with pytest.raises(SystemExit) as exit_:
        serve.main([str(out / "lm2"), "--input", source])
    assert exit_.value.code == 2
    err = capsys.readouterr()
    assert "holds a language model (ULMFiTForCausalLM), not a trained classifier" in err.err and not err.out
    # a classifier's config over a language model's weights: the head would be random
    headless = tmp_path / "headless"
    shutil.copytree(out / "lm2", headless)
    shutil.copy(out / "clas" / "config.json", headless / "config.json")
    with pytest.raises(SystemExit):
        serve.main([str(headless), "--input", source])
    assert "holds no trained classifier head" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        serve.main([str(out / "clas"), "--input", source, "--batch_size", "0"])
    assert "--batch_size must be at least 1" in capsys.readouterr().err


def test_overwrite_leaves_exactly_the_new_models_files(stages, data, tmp_path):
    import shutil

    out, _, _ = stages
    folder = tmp_path / "reused"
    shutil.copytree(out / "lm2", folder)  # a language model's folder, with its generation_config.json
    (folder / "checkpoint-3").mkdir()
    (folder / "notes.txt").write_text("mine")
    train_classifier(ModelArguments(**SIZES, model_name_or_path=str(out / "lm2"), overwrite_output_dir=True),
                     DataArguments(train_files=[data["train"]], validation_files=[data["test"]]), args(folder))
    fresh = tmp_path / "fresh"
    train_classifier(ModelArguments(**SIZES, model_name_or_path=str(out / "lm2")),
                     DataArguments(train_files=[data["train"]], validation_files=[data["test"]]), args(fresh))
    assert {p.name for p in folder.iterdir()} == {p.name for p in fresh.iterdir()} | {"notes.txt"}


def test_a_corpus_tokenized_once_trains_the_same_model_as_its_text_files(data, tmp_path):
    from tokenize_corpus import main as tokenize_main

    sizes = ["--embedding_size", "16", "--hidden_size", "24", "--num_hidden_layers", "2", "--min_freq", "1"]
    split = ["--validation_fraction", "0.2", "--seed", "3"]
    train = ["--learning_rate", "1e-2", "--per_device_train_batch_size", "4", "--per_device_eval_batch_size", "8",
             "--bptt", "8", "--num_train_epochs", "1", "--save_strategy", "no", "--report_to", "none",
             "--disable_tqdm", "true"]
    texts = ["--train_files", data["general"]]
    tokenize_main([*sizes, *texts, *split, "--output_dir", str(tmp_path / "corpus")])
    from_texts = pretrain_main([*sizes, *texts, *split, *train, "--output_dir", str(tmp_path / "a")])
    from_store = pretrain_main([*sizes, "--token_store", str(tmp_path / "corpus"), *split, *train,
                                "--output_dir", str(tmp_path / "b")])
    assert from_store["eval_loss"] == pytest.approx(from_texts["eval_loss"], abs=1e-6)
    assert all(torch.equal(w, _weights(tmp_path / "b")[k]) for k, w in _weights(tmp_path / "a").items())

    # Stage 2 on a store tokenized with the pretrained folder's vocabulary keeps it; another vocabulary is refused.
    tokenize_main(["--model_name_or_path", str(tmp_path / "a"), "--train_files", data["train"], *split,
                   "--output_dir", str(tmp_path / "target")])
    finetune_lm(ModelArguments(model_name_or_path=str(tmp_path / "a"), keep_vocab=True),
                DataArguments(token_store=str(tmp_path / "target")), args(tmp_path / "lm2"))
    tokenize_main([*sizes, "--train_files", data["train"], *split, "--output_dir", str(tmp_path / "other")])
    with pytest.raises(ValueError, match="another vocabulary"):
        finetune_lm(ModelArguments(model_name_or_path=str(tmp_path / "a"), keep_vocab=True),
                    DataArguments(token_store=str(tmp_path / "other")), args(tmp_path / "lm3"))


def test_a_backward_corpus_from_a_forward_models_vocabulary(data, stages, tmp_path):
    from tokenize_corpus import main as tokenize_main
    from transformers import AutoTokenizer

    from hf_ulmfit.training.token_store import TokenStore

    out, _, _ = stages
    common = ["--train_files", data["train"], "--validation_fraction", "0.2", "--seed", "3"]
    tokenize_main(["--model_name_or_path", str(out / "lm2"), *common, "--output_dir", str(tmp_path / "fwd")])
    tokenize_main(["--model_name_or_path", str(out / "lm2"), *common, "--backwards", "--output_dir",
                   str(tmp_path / "bwd")])  # fmt: skip
    assert AutoTokenizer.from_pretrained(tmp_path / "bwd").backwards
    forward, backward = TokenStore(tmp_path / "fwd" / "train"), TokenStore(tmp_path / "bwd" / "train")
    assert len(forward) == len(backward) > 0
    bos = AutoTokenizer.from_pretrained(tmp_path / "fwd").bos_token_id
    for i in range(len(forward)):  # the same words right to left: the tokenizer's xxbos last, the stream's first
        words = forward.document(i).tolist()
        assert words[0] == bos and backward.document(i).tolist() == [bos, *words[:0:-1], bos]
    with pytest.raises(ValueError, match="reads backwards; pass --backwards"):
        tokenize_main(["--model_name_or_path", str(tmp_path / "bwd"), *common, "--output_dir", str(tmp_path / "x")])


def test_few_labelled_texts_stretch_every_stage_to_the_minimum_number_of_steps(tmp_path):
    from hf_ulmfit.recipe.stages import ClassifierTrainingArguments, stretch_for_few_examples

    def stretched(num_examples, **options):
        training_args = ClassifierTrainingArguments(output_dir=str(tmp_path), use_cpu=True, **options)
        stretch_for_few_examples(training_args, num_examples)
        return training_args.unfreeze_stages, training_args.num_train_epochs

    assert stretched(100) == (None, 20)  # 4 steps per epoch: 20 steps -> 80
    assert stretched(500) == (None, 5)  # 16 steps per epoch: 80 steps already
    assert stretched(100, min_train_steps=0) == (None, 5)
    assert stretched(100, gradual_unfreezing=True) == ([4, 4, 4, 8], 20)
    assert stretched(100, num_train_epochs=10) == (None, 20)  # 10 epochs of 4 steps -> 2x
    assert stretched(100, unfreeze_stages=[3, 3, 3, 3], unfreeze_unit="step",
                     unfreeze_lr_factors=[1, 1, 1, 1]) == ([3, 3, 3, 3], 5)  # fmt: skip


def test_continuous_labels_train_a_regression_when_asked_and_are_refused_otherwise(data, tmp_path):
    from transformers import AutoConfig, AutoModelForSequenceClassification

    rows = [{**row, "label": (0.9 if row["label"] == "pos" else 0.1) + i / 100} for i, row in enumerate(reviews(24, 0))]
    scores = write_jsonl(tmp_path / "scores.jsonl", rows)
    held_out = write_jsonl(tmp_path / "held_out.jsonl", rows[:8])
    with pytest.raises(ValueError, match=r"scores\.jsonl, line 1: 'label' is 0\.1: the labels look continuous \(21 "
                                         r"distinct numbers in 21 rows\)\. Pass --problem_type regression"):
        train_classifier(ModelArguments(**SIZES), DataArguments(train_files=[scores]), args(tmp_path / "refused"))
    assert not (tmp_path / "refused").exists()  # refused before anything was written
    one = write_jsonl(tmp_path / "one.jsonl", [{"text": "a fine film", "label": "pos"}] * 6)
    with pytest.raises(ValueError, match=r"one\.jsonl: every 'label' is 'pos' \(5 rows\): a classifier needs at least two"):
        train_classifier(ModelArguments(**SIZES), DataArguments(train_files=[one]), args(tmp_path / "refused"))
    out = tmp_path / "regression"
    metrics = train_classifier(ModelArguments(**SIZES, problem_type="regression"),
                               DataArguments(train_files=[scores], validation_files=[held_out]), args(out))
    assert {"eval_mse", "eval_mae", "eval_pearson"} <= set(metrics) and -1 <= metrics["eval_pearson"] <= 1
    config = AutoConfig.from_pretrained(out)
    assert config.problem_type == "regression" and config.num_labels == 1
    model = AutoModelForSequenceClassification.from_pretrained(out)
    assert model(input_ids=torch.tensor([[2, 5, 6]])).logits.shape == (1, 1)
    card = (out / "README.md").read_text()
    assert "Predicts one number per text, `label` (regression" in card and "| eval_mse |" in card
    assert {m["type"] for m in ModelCard(card).data.to_dict()["model-index"][0]["results"][0]["metrics"]} >= {"mse",
                                                                                                               "pearson"}


def test_a_tokenizer_shorter_than_the_embedding_is_refused(stages, data, tmp_path):
    import shutil

    from hf_ulmfit import ULMFiTTokenizerFast
    from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab

    folder = tmp_path / "lm"
    shutil.copytree(stages[0] / "lm2", folder)
    ULMFiTTokenizerFast.from_vocab(make_vocab({"film": 5})).save_pretrained(folder)
    with pytest.raises(ValueError, match=r"lm/tokenizer\.json has \d+ tokens but the model's embedding has \d+ rows"):
        train_classifier(ModelArguments(**SIZES, model_name_or_path=str(folder)),
                         DataArguments(train_files=[data["train"]]), args(tmp_path / "clas"))
