"""Small-scale replication of the ULMFiT paper's claims on a CPU (docs/replication.md).

Every step is one command; each appends its result (metrics, wall time, command, versions) to
RUN_DIR/results.jsonl, and `report` turns that file into the tables and plots of docs/replication/:

    python examples/replicate.py prepare                      # data subsets under RUN_DIR/data
    python examples/replicate.py lm wt2 --direction fwd       # stage 1: WikiText-2, from scratch
    python examples/replicate.py lm imdb --direction fwd      # stage 2: IMDb review text (no test labels)
    python examples/replicate.py lm trec --direction fwd      # stage 2: TREC question text
    python examples/replicate.py clas imdb --labels 100 --variant ulmfit --seed 0
    python examples/replicate.py ensemble imdb --labels 100 --seed 0   # after the fwd and bwd `clas` runs
    python examples/replicate.py report

The model is a quarter-width AWD-LSTM (embedding 100, hidden 300, 3 layers, vocabularies of at most 12,000
words) so that every stage fits in minutes to half an hour on one CPU thread; the paper's is 400/1152/3 with a
WikiText-103 vocabulary. `--help` on each command lists the variants (the paper's ablations).
"""

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

import torch
import transformers

from hf_ulmfit import ULMFiTForCausalLM, ULMFiTTrainer, ULMFiTTrainingArguments, tokenize_documents
from hf_ulmfit.deploy.inference import ensemble_probabilities
from hf_ulmfit.recipe.results import append_result
from hf_ulmfit.recipe.stages import PAPER_UNFREEZE_LR_FACTORS, DataArguments, ModelArguments
from hf_ulmfit.recipe.text_sources import load_texts
from hf_ulmfit.training.metrics import compute_lm_metrics, preprocess_lm_logits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare_data import trec  # noqa: E402
from prepare_data import write as write_jsonl  # noqa: E402

from hf_ulmfit.commands.finetune_lm import finetune_lm  # noqa: E402
from hf_ulmfit.commands.pretrain_lm import pretrain_lm  # noqa: E402
from hf_ulmfit.commands.train_classifier import train_classifier  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SIZES = dict(embedding_size=100, hidden_size=300, num_hidden_layers=3, max_vocab=12000, min_freq=3)
LM_TEXTS = 8000  # IMDb reviews (training + unlabelled) for stage 2
TEST_REVIEWS = 1000  # IMDb test reviews every classifier is scored on
# Stage-3 recipe (fastai's IMDb notebook with the paper's STLR): top rate 2e-2, then halved, quartered and /20 as
# each unfreezing stage adds a layer group; batch size and stage lengths by the number of labels.
CLAS_LR, CLAS_LR_FACTORS = 2e-2, PAPER_UNFREEZE_LR_FACTORS
VARIANTS = {
    "ulmfit": "stages 1+2, gradual unfreezing, discriminative LR (/2.6), STLR (the paper's method)",
    "scratch": "no pretraining: random encoder, vocabulary of the labelled texts, all layers at one LR, STLR",
    "scratch_long": "the scratch baseline with 3 times the epochs (a random encoder needs longer to take off)",
    "ulmfit_long": "the ulmfit recipe with 3 times the epochs in every unfreezing stage (the same budget as scratch_long)",
    "no_stage2": "stage 1 only (no target-task LM fine-tuning), then the ulmfit classifier recipe",
    "flat_lr": "the ulmfit recipe with one LR for every layer group (no discriminative fine-tuning)",
    "constant_lr": "the ulmfit recipe with a constant LR per unfreezing stage instead of STLR",
    "no_unfreezing": "the ulmfit recipe with every layer trainable from the start (discriminative LR, STLR)",
}


def run_dir(args) -> Path:
    return Path(args.run_dir)


def data_dir(args) -> Path:
    return run_dir(args) / "data"


def lm_dir(args, corpus: str, direction: str) -> Path:
    return run_dir(args) / f"lm-{corpus}-{direction}"


def clas_dir(args, task: str, labels: str, variant: str, direction: str, seed: int) -> Path:
    return run_dir(args) / "clas" / f"{task}-{labels}-{variant}-{direction}-s{seed}"


BATCH = dict(per_device_train_batch_size=64, per_device_eval_batch_size=64, bptt=70)


def training_args(output_dir: Path, seed: int, **overrides) -> ULMFiTTrainingArguments:
    values = dict(output_dir=str(output_dir), **BATCH, logging_steps=20, eval_strategy="no", save_strategy="no",
                  report_to="none", seed=seed, disable_tqdm=True)
    return ULMFiTTrainingArguments(**{**values, **overrides})


def record(args, row: dict, started: float) -> None:
    append_result(run_dir(args) / "results.jsonl", row, started, __file__, indent=1)


# ---- prepare ----


def read_jsonl_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def prepare(args) -> None:
    """WikiText-2 as text files (its `<unk>` becomes fastai's xxunk), a fixed sample of IMDb text for stage 2
    (training + unlabelled reviews, never test), a fixed 1,000-review test sample, TREC-6 as JSON lines."""
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is missing: the replication reads WikiText-2, IMDb and TREC from there.")
    out = data_dir(args)
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "valid", "test"):
        lines = (SHARED / "wikitext-2" / f"{split}.txt").read_text(encoding="utf-8").splitlines()
        lines = [line.strip().replace("<unk>", "xxunk") for line in lines if line.strip()]
        write_jsonl([{"text": line} for line in lines], out / f"wt2.{split}.jsonl")
    rng = random.Random(0)
    imdb = SHARED / "imdb"
    texts = [row["text"] for name in ("train", "unsup") for row in read_jsonl_gz(imdb / f"{name}.jsonl.gz")]
    rng.shuffle(texts)
    write_jsonl([{"text": t} for t in texts[:LM_TEXTS]], out / "imdb_lm.train.jsonl")
    write_jsonl([{"text": t} for t in texts[LM_TEXTS : LM_TEXTS + 200]], out / "imdb_lm.valid.jsonl")
    test = read_jsonl_gz(imdb / "test.jsonl.gz")
    rng.shuffle(test)
    write_jsonl([{"text": r["text"], "label": r["label"]} for r in test[:TEST_REVIEWS]], out / "imdb.test.jsonl")
    write_jsonl([{"text": r["text"], "label": r["label"]} for r in read_jsonl_gz(imdb / "train.jsonl.gz")],
                out / "imdb.train.jsonl")
    for split in ("train", "test"):
        write_jsonl(trec(SHARED / "trec" / f"TREC.{split}", fine=False), out / f"trec.{split}.jsonl")


# ---- language models ----

LM_STEPS = {
    # corpus: (start from, train file, validation file, training overrides)
    "wt2": (None, "wt2.train.jsonl", "wt2.valid.jsonl",
            dict(learning_rate=1e-2, lr_schedule="one_cycle", num_train_epochs=1, eval_strategy="steps",
                 eval_steps=230)),
    "imdb": ("wt2", "imdb_lm.train.jsonl", "imdb_lm.valid.jsonl",
             dict(learning_rate=1e-2, unfreeze_stages=[0.15, 0.85], unfreeze_lr_factors=[1.0, 0.5])),
    "trec": ("wt2", "trec.train.jsonl", None,
             dict(learning_rate=1e-2, per_device_train_batch_size=32, per_device_eval_batch_size=16, unfreeze_stages=[1, 4],
                  unfreeze_lr_factors=[1.0, 0.5])),
}  # fmt: skip


def lm_perplexity(folder: Path, file: Path) -> float:
    """Perplexity of a saved LM on a text file (the stream evaluation of training)."""
    model = ULMFiTForCausalLM.from_pretrained(folder)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    data = tokenize_documents(load_texts([str(file)], "text"), tokenizer)
    trainer = ULMFiTTrainer(model=model, args=training_args(folder / "eval", 0), processing_class=tokenizer,
                            compute_metrics=compute_lm_metrics, preprocess_logits_for_metrics=preprocess_lm_logits)
    return trainer.evaluate(data)["eval_perplexity"]


def language_model(args) -> None:
    started = time.perf_counter()
    start, train_file, valid_file, overrides = LM_STEPS[args.corpus]
    backwards = args.direction == "bwd"
    data = data_dir(args)
    data_args = DataArguments(train_files=[str(data / train_file)],
                              validation_files=[str(data / valid_file)] if valid_file else None, backwards=backwards)
    out = lm_dir(args, args.corpus, args.direction)
    train_args = training_args(out, args.seed, **overrides)
    if start is None:
        metrics = pretrain_lm(ModelArguments(**SIZES, drop_mult=0.2, overwrite_output_dir=True), data_args, train_args)
    else:
        model_args = ModelArguments(**SIZES, drop_mult=0.2, overwrite_output_dir=True,
                                    model_name_or_path=str(lm_dir(args, start, args.direction)))
        metrics = finetune_lm(model_args, data_args, train_args)
    row = {"step": "lm", "corpus": args.corpus, "direction": args.direction, "seed": args.seed,
           "valid_perplexity": metrics["eval_perplexity"]}
    if args.corpus == "wt2":
        row["test_perplexity"] = lm_perplexity(out, data / "wt2.test.jsonl")
    record(args, row, started)


# ---- classifiers ----


def clas_recipe(task: str, labels: str) -> tuple[int, list[float]]:
    """Batch size and unfreezing stages (epochs): more epochs when there are few labels."""
    if task == "imdb" and labels != "all" and int(labels) <= 200:
        return 16, [3, 3, 3, 6]
    return 32, [1, 1, 1, 2]


def classifier(args) -> None:
    started = time.perf_counter()
    data = data_dir(args)
    batch_size, stages = clas_recipe(args.task, args.labels)
    data_args = DataArguments(
        train_files=[str(data / f"{args.task}.train.jsonl")], validation_files=[str(data / f"{args.task}.test.jsonl")],
        max_train_samples=None if args.labels == "all" else int(args.labels), backwards=args.direction == "bwd",
    )  # fmt: skip
    out = clas_dir(args, args.task, args.labels, args.variant, args.direction, args.seed)
    common = dict(per_device_train_batch_size=batch_size)
    recipe = dict(common, learning_rate=CLAS_LR, unfreeze_stages=stages, unfreeze_lr_factors=CLAS_LR_FACTORS)
    start = lm_dir(args, args.task, args.direction)
    if args.variant == "ulmfit_long":
        recipe["unfreeze_stages"] = [3 * epochs for epochs in stages]
    elif args.variant in ("scratch", "scratch_long"):
        epochs = sum(stages) * (3 if args.variant == "scratch_long" else 1)
        # No start model: train_classifier trains every layer group at one learning rate itself.
        start, recipe = None, dict(common, learning_rate=1e-2, num_train_epochs=epochs)
    elif args.variant == "no_stage2":
        start = lm_dir(args, "wt2", args.direction)
    elif args.variant == "flat_lr":
        recipe["lr_decay_factor"] = 1.0
    elif args.variant == "constant_lr":
        recipe["lr_schedule"] = "one_cycle"
        recipe.update(one_cycle_pct_start=0.001, one_cycle_div=1.0, one_cycle_div_final=1.0, one_cycle_moms=[0.9] * 3)
    elif args.variant == "no_unfreezing":
        del recipe["unfreeze_stages"], recipe["unfreeze_lr_factors"]
        recipe.update(num_train_epochs=sum(stages), learning_rate=1e-2)
    model_args = ModelArguments(**SIZES, drop_mult=0.5, overwrite_output_dir=True,
                                model_name_or_path=str(start) if start else None)
    metrics = train_classifier(model_args, data_args, training_args(out, args.seed, **recipe))
    record(args, {"step": "clas", "task": args.task, "labels": args.labels, "variant": args.variant,
                  "direction": args.direction, "seed": args.seed, "accuracy": metrics["eval_accuracy"],
                  "f1": metrics["eval_f1"]}, started)


def ensemble(args) -> None:
    """The forward and backward `ulmfit` classifiers of one seed, and their averaged probabilities."""
    started = time.perf_counter()
    folders = [str(clas_dir(args, args.task, args.labels, "ulmfit", d, args.seed)) for d in ("fwd", "bwd")]
    test = load_texts([str(data_dir(args) / f"{args.task}.test.jsonl")], "text", keep_columns=["label"])
    each, mean, labels = ensemble_probabilities(folders, test["text"], batch_size=64)
    gold = torch.tensor([labels.index(str(label)) for label in test["label"]])
    accuracy = {name: (p.argmax(-1) == gold).float().mean().item()
                for name, p in zip(("fwd", "bwd", "ensemble"), [*each, mean], strict=True)}
    record(args, {"step": "ensemble", "task": args.task, "labels": args.labels, "seed": args.seed,
                  "accuracy": accuracy["ensemble"], "accuracy_fwd": accuracy["fwd"],
                  "accuracy_bwd": accuracy["bwd"]}, started)


def report(args) -> None:
    from replication_report import write_report

    write_report(run_dir(args) / "results.jsonl", REPO / "docs" / "replication", run_dir(args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run_dir", default=str(REPO / "runs" / "replication"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help=prepare.__doc__.splitlines()[0]).set_defaults(func=prepare)
    lm = commands.add_parser("lm", help="stage 1 (wt2) or stage 2 (imdb, trec)")
    lm.add_argument("corpus", choices=LM_STEPS)
    lm.set_defaults(func=language_model)
    clas = commands.add_parser("clas", help="stage 3, or a baseline / ablation",
                               epilog="; ".join(f"{k}: {v}" for k, v in VARIANTS.items()))
    clas.add_argument("task", choices=["imdb", "trec"])
    clas.add_argument("--labels", default="all", help="number of labelled training examples, or 'all'")
    clas.add_argument("--variant", choices=VARIANTS, default="ulmfit")
    clas.set_defaults(func=classifier)
    ens = commands.add_parser("ensemble", help=ensemble.__doc__.splitlines()[0])
    ens.add_argument("task", choices=["imdb", "trec"])
    ens.add_argument("--labels", default="all")
    ens.set_defaults(func=ensemble)
    commands.add_parser("report", help="docs/replication/ tables and plots").set_defaults(func=report)
    for sub in (lm, clas):
        sub.add_argument("--direction", choices=["fwd", "bwd"], default="fwd")
    for sub in (lm, clas, ens):
        sub.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.command not in ("prepare", "report") and not data_dir(args).is_dir():
        sys.exit(f"{data_dir(args)} is missing: run `python examples/replicate.py prepare` first.")
    args.func(args)


if __name__ == "__main__":
    main()
