"""Does transfer win? A ULMFiT classifier from a pretrained LM beside TF-IDF + logistic regression, fastText and
the same classifier trained from scratch, on the same labelled draws and the same test set (docs/transfer.md).

    python examples/evaluate_transfer.py prepare                   # task files under RUN_DIR/data
    python examples/evaluate_transfer.py run imdb --labels 1000 --seed 0 --method tfidf
    python examples/evaluate_transfer.py run imdb --labels 1000 --seed 0 --method fasttext
    python examples/evaluate_transfer.py run imdb --labels 1000 --seed 0 --method ulmfit
    python examples/evaluate_transfer.py run imdb --labels 1000 --seed 0 --method scratch
    python examples/evaluate_transfer.py run sst2 --labels all --seed 0 --method ulmfit
    python examples/evaluate_transfer.py report                    # docs/transfer/ tables and plot
    python examples/evaluate_transfer.py coverage mpqa trec sst2   # the LM vocabulary's unknown-token shares

`ulmfit` runs `examples/train_classifier.py`'s defaults from `--model` (the shipped LM unless given) with
nothing else; `scratch` the same script without a pretrained model, at the LM's sizes, with the recipe for random
weights (`RANDOM_WEIGHTS_RECIPE`: every layer from the start, one-cycle 1e-2, 10 epochs); anything after `--` is
passed on to the classifier script (for ablations, recorded with the row). Each run appends a row (accuracy, wall
time, command, commit) to RUN_DIR/results.jsonl. Labelled draws are seeded samples of the task's training set;
the test set is fixed per task (IMDb: 2,000 test reviews drawn once with seed 0; SST-2, TREC-6 and MPQA: their
test sets).
"""

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path

import torch
from transformers import AutoTokenizer

from hf_ulmfit import ULMFiTConfig
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import words
from hf_ulmfit.recipe.baselines import fasttext_accuracy, tfidf_accuracy
from hf_ulmfit.recipe.domain_adaptation import DomainAdaptedClassifierArguments
from hf_ulmfit.recipe.results import append_result, head_commit
from hf_ulmfit.recipe.stages import RANDOM_WEIGHTS_RECIPE, as_command_line, parse_stage_args
from hf_ulmfit.recipe.text_sources import load_texts
from hf_ulmfit.training.vocabulary import count_tokens, extend_tokenizer, unknown_share
from hf_ulmfit.utils import file_sha256

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare_data import sst2, trec  # noqa: E402
from prepare_data import write as write_jsonl  # noqa: E402

from hf_ulmfit.commands.train_classifier import train_classifier  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SHIPPED_LM = REPO / "pretrained" / "awd-lstm-small-en"
IMDB_TEST_SIZE = 2000
METHODS = ("tfidf", "fasttext", "scratch", "ulmfit")
BASELINES = {"tfidf": tfidf_accuracy, "fasttext": fasttext_accuracy}


def read_jsonl(path: Path) -> list[dict]:
    with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")) as f:
        return [json.loads(line) for line in f]


def prepare(args) -> None:
    """Each task's full training set and its fixed test set as JSON lines with `text` and `label`."""
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is missing: the evaluation reads IMDb, SST-2 and TREC from there.")
    out = Path(args.run_dir) / "data"
    out.mkdir(parents=True, exist_ok=True)
    label = ["neg", "pos"]
    imdb = {split: [{"text": r["text"], "label": label[r["label"]]} for r in read_jsonl(SHARED / "imdb" / f"{split}.jsonl.gz")]
            for split in ("train", "test")}  # fmt: skip
    write_jsonl(imdb["train"], out / "imdb.train.jsonl")
    write_jsonl(random.Random(0).sample(imdb["test"], IMDB_TEST_SIZE), out / "imdb.test.jsonl")
    for split in ("train", "test"):
        write_jsonl(sst2(SHARED / "sst2" / f"stsa.binary.{split}"), out / f"sst2.{split}.jsonl")
        write_jsonl(trec(SHARED / "trec" / f"TREC.{split}", fine=False), out / f"trec.{split}.jsonl")
        write_jsonl([{"text": r["text"], "label": label[r["label"]]} for r in read_jsonl(SHARED / "mpqa" / f"{split}.jsonl")],
                    out / f"mpqa.{split}.jsonl")  # fmt: skip


def labelled_draw(args) -> Path:
    """The seeded sample of `labels` training rows (all of them for 'all'), written once and reused."""
    data = Path(args.run_dir) / "data"
    path = data / f"{args.task}.train-{args.labels}-s{args.seed}.jsonl"
    if not path.is_file():
        rows = [json.loads(line) for line in (data / f"{args.task}.train.jsonl").open(encoding="utf-8")]
        if args.labels != "all":
            rows = random.Random(args.seed).sample(rows, int(args.labels))
        write_jsonl(rows, path)
    return path


def classifier_argv(args, train: Path, test: Path, out: Path) -> list[str]:
    argv = ["--train_files", str(train), "--validation_files", str(test), "--output_dir", str(out),
            "--overwrite_output_dir", "--seed", str(args.seed), "--report_to", "none", "--save_strategy", "no",
            "--eval_strategy", "no", "--disable_tqdm", "true"]  # fmt: skip
    if args.method == "ulmfit":
        return ["--model_name_or_path", str(args.model), *argv, *args.extra]
    # From scratch: the pretrained model's sizes, its own vocabulary of the labelled texts, and the recipe for
    # random weights (nothing to protect: every layer from the start, one-cycle 1e-2 for 10 epochs).
    config = ULMFiTConfig.from_pretrained(args.model)
    sizes = ["--embedding_size", str(config.embedding_size), "--hidden_size", str(config.hidden_size),
             "--num_hidden_layers", str(config.num_hidden_layers)]  # fmt: skip
    return [*argv, *sizes, *as_command_line(RANDOM_WEIGHTS_RECIPE), *args.extra]


def run(args) -> None:
    started, commit = time.perf_counter(), head_commit(__file__)  # the code this run starts with
    data = Path(args.run_dir) / "data"
    if not (data / f"{args.task}.test.jsonl").is_file():
        sys.exit(f"{data} has no {args.task} files: run `python examples/evaluate_transfer.py prepare` first.")
    train, test = labelled_draw(args), data / f"{args.task}.test.jsonl"
    row = {"task": args.task, "labels": args.labels, "seed": args.seed, "method": args.method,
           "extra": " ".join(args.extra)}  # fmt: skip
    if args.method in BASELINES:
        train_rows, test_rows = (load_texts([str(p)], "text", keep_columns=["label"]) for p in (train, test))
        row["accuracy"] = BASELINES[args.method](train_rows["text"], train_rows["label"], test_rows["text"],
                                                 test_rows["label"], seed=args.seed)  # fmt: skip
    else:
        name = f"{args.task}-{args.labels}-{args.method}-s{args.seed}" + (f"-{args.tag}" if args.tag else "")
        argv = classifier_argv(args, train, test, Path(args.run_dir) / "clas" / name)
        metrics = train_classifier(*parse_stage_args(argv, training_class=DomainAdaptedClassifierArguments))
        # The unknown-token share and what the domain adaptation did come with the metrics.
        row.update({k: v for k, v in metrics.items() if not k.startswith("eval_") and k != "epoch"})
        row.update(accuracy=metrics["eval_accuracy"], f1=metrics["eval_f1"], model=str(args.model),
                   device=torch.cuda.get_device_name() if torch.cuda.is_available() and "--use_cpu" not in args.extra
                   else "cpu")  # fmt: skip
        if args.method == "ulmfit":  # which weights: the shipped folder's path outlives its versions
            row["model_sha256"] = file_sha256(Path(args.model) / "model.safetensors")[:12]
    append_result(Path(args.run_dir) / "results.jsonl", {**row, "tag": args.tag}, started, __file__, commit=commit)


def coverage(args) -> None:
    """How much of each task the LM's vocabulary reads: the share of unknown tokens in the training and test
    texts, and of test texts made only of unknown words, before and after the vocabulary extension of the default
    (the training texts' words seen at least --min_freq times)."""
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    backend, data = tokenizer.backend_tokenizer, Path(args.run_dir) / "data"
    print("| task | tokens per text (median) | one-token texts | new words | unknown tokens, train | unknown tokens, "
          "test | test texts all unknown |\n|---|---|---|---|---|---|---|")
    for task in args.tasks:
        train, test = (load_texts([str(data / f"{task}.{split}.jsonl")], "text")["text"] for split in ("train", "test"))
        counts = {split: count_tokens(texts, backend, num_proc=1, show_progress=False)
                  for split, texts in (("train", train), ("test", test))}  # fmt: skip
        extended = extend_tokenizer(tokenizer, counts["train"], min_freq=args.min_freq)
        before, after = tokenizer.get_vocab(), extended.get_vocab()
        lengths = [len(words(backend, text)) - 1 for text in train]  # xxbos aside
        test_words = [words(backend, text)[1:] for text in test]
        unknown_texts = [sum(all(w not in vocab for w in text) for text in test_words) / len(test_words)
                         for vocab in (before, after)]  # fmt: skip
        share = {split: f"{unknown_share(c, before):.1%} -> {unknown_share(c, after):.1%}" for split, c in counts.items()}
        print(f"| {task} | {statistics.median(lengths):g} | {sum(n == 1 for n in lengths) / len(lengths):.1%} | "
              f"{sum(t not in before for t in after if not t.startswith('xxfake'))} | {share['train']} | "
              f"{share['test']} | {unknown_texts[0]:.1%} -> {unknown_texts[1]:.1%} |")


def on_gpu(row: dict) -> bool:
    return row.get("device", "cpu") != "cpu"


def one_per_draw(rows: list[dict]) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """One row per (task, labels, method, tag, seed): the GPU's where a draw ran on both (the GPU ran whole sets
    of draws), else the latest; and the (CPU, GPU) pairs of draws that ran on both, to show they agree."""
    chosen: dict[tuple, dict] = {}
    pairs = []
    for row in rows:
        key = (row["task"], row["labels"], row["method"], row.get("tag") or "", row["seed"])
        old = chosen.get(key)
        if old is not None and on_gpu(old) != on_gpu(row):
            pairs.append((old, row) if on_gpu(row) else (row, old))
        if old is None or on_gpu(row) or not on_gpu(old):
            chosen[key] = row
    return list(chosen.values()), pairs


def summarize(rows: list[dict]) -> dict[tuple, list[dict]]:
    """Rows grouped by (task, labels, method, tag)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["task"], row["labels"], row["method"], row.get("tag") or ""), []).append(row)
    return groups


def report(args) -> None:
    """docs/transfer/results.md (mean ± standard deviation over draws, every row with its command) and
    docs/transfer/imdb_labels.png (accuracy against the number of labels)."""
    rows = [json.loads(line) for line in (Path(args.run_dir) / "results.jsonl").open(encoding="utf-8")]
    out = REPO / "docs" / "transfer"
    out.mkdir(parents=True, exist_ok=True)
    draws, pairs = one_per_draw(rows)
    groups = summarize(draws)
    lines = ["# Transfer results (generated by `python examples/evaluate_transfer.py report`)", "",
             "| task | labels | method | variant | accuracy (mean ± sd) | draws | ran on |", "|---|---|---|---|---|---|---|"]
    for (task, labels, method, tag), group in sorted(groups.items(), key=lambda kv: (kv[0][0], _order(kv[0][1]), kv[0][2:])):
        accs = [r["accuracy"] for r in group]
        sd = f" ± {statistics.stdev(accs):.3f}" if len(accs) > 1 else ""
        devices = ", ".join(sorted({r.get("device", "cpu") for r in group}))
        lines.append(f"| {task} | {labels} | {method} | {tag or 'default'} | {statistics.mean(accs):.3f}{sd} | "
                     f"{len(accs)} | {devices} |")
    lines += paired_differences(groups)
    if pairs:
        lines += ["", "## The same draw on the CPU and on the GPU", "",
                  "| task | labels | method | variant | seed | CPU | GPU |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {c['task']} | {c['labels']} | {c['method']} | {c.get('tag') or 'default'} | {c['seed']} | "
                  f"{c['accuracy']:.4f} | {g['accuracy']:.4f} |" for c, g in pairs]  # fmt: skip
    lines += ["", "## Every row", "", "| command | variant | accuracy | wall s | device | threads | commit | date |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [f"| `{r['command']}` | {r.get('tag') or 'default'}{': ' + r['note'] if r.get('note') else ''} | "
              f"{r['accuracy']:.4f} | {r['wall_s']} | {r.get('device', 'cpu')} | {r['threads']} | {r['commit']} | "
              f"{r['date']} |" for r in rows]  # fmt: skip
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    plot_labels(groups, out / "imdb_labels.png")
    print(f"wrote {out / 'results.md'} and {out / 'imdb_labels.png'}")


def paired_differences(groups: dict[tuple, list[dict]]) -> list[str]:
    """Table lines: the default ULMFiT row of each task against every other method and variant on the same draws
    (seeds), as the mean paired difference in accuracy points with its standard error, and the mean wall times."""
    lines = ["", "## The default against each other row, on the same draws", "",
             "| task | labels | against (method, variant) | draws | default - other, points (s.e.) | wall s: default / other |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for (task, labels, method, tag), default in sorted(groups.items(), key=lambda kv: (kv[0][0], _order(kv[0][1]))):
        if method != "ulmfit" or tag:
            continue
        by_seed = {r["seed"]: r for r in default}
        for (other_task, other_labels, other_method, other_tag), others in sorted(groups.items()):
            if (other_task, other_labels) != (task, labels) or (other_method, other_tag) == (method, tag):
                continue
            both = [(by_seed[r["seed"]], r) for r in others if r["seed"] in by_seed]
            if not both:
                continue
            diffs = [100 * (d["accuracy"] - o["accuracy"]) for d, o in both]
            se = f" ({statistics.stdev(diffs) / len(diffs) ** 0.5:.1f})" if len(diffs) > 1 else ""
            walls = [statistics.mean(r["wall_s"] for r in rows) for rows in zip(*both, strict=True)]
            lines.append(f"| {task} | {labels} | {other_method}, {other_tag or 'default'} | {len(both)} | "
                         f"{statistics.mean(diffs):+.1f}{se} | {walls[0]:.0f} / {walls[1]:.0f} |")
    return lines


def _order(labels: str) -> float:
    return float("inf") if labels == "all" else int(labels)


def plot_labels(groups: dict, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    for method, variant in [(method, "") for method in METHODS] + [("ulmfit", "no_adaptation")]:
        points = sorted((int(labels), statistics.mean(r["accuracy"] for r in group))
                        for (task, labels, m, tag), group in groups.items()
                        if task == "imdb" and (m, tag) == (method, variant) and labels != "all")  # fmt: skip
        if points:
            axes.plot(*zip(*points, strict=True), marker="o", label=f"{method} ({variant})" if variant else method)
    axes.set(xscale="log", xlabel="labelled IMDb reviews", ylabel="test accuracy", title="IMDb: accuracy vs labels")
    axes.legend()
    axes.grid(alpha=0.3)
    FigureCanvasAgg(figure).print_png(str(path))


def main() -> None:
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run_dir", default=str(REPO / "runs" / "transfer"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help=prepare.__doc__.splitlines()[0]).set_defaults(func=prepare)
    one = commands.add_parser("run", help="one method on one labelled draw")
    one.add_argument("task", choices=["imdb", "sst2", "trec", "mpqa"])
    one.add_argument("--labels", default="all", help="number of labelled training examples, or 'all'")
    one.add_argument("--seed", type=int, default=0)
    one.add_argument("--method", choices=METHODS, required=True)
    one.add_argument("--model", type=Path, default=SHIPPED_LM, help="the pretrained LM (ulmfit; scratch: its sizes)")
    one.add_argument("--tag", default="", help="a name for an ablation (rows with a tag are reported apart)")
    one.set_defaults(func=run)
    commands.add_parser("report", help=report.__doc__.splitlines()[0]).set_defaults(func=report)
    cover = commands.add_parser("coverage", help=coverage.__doc__.splitlines()[0])
    cover.add_argument("tasks", nargs="+", choices=["imdb", "sst2", "trec", "mpqa"])
    cover.add_argument("--model", type=Path, default=SHIPPED_LM)
    cover.add_argument("--min_freq", type=int, default=3)
    cover.set_defaults(func=coverage)
    args = parser.parse_args(argv)
    args.extra = extra
    args.func(args)


if __name__ == "__main__":
    main()
