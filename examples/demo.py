"""ULMFiT from the shipped pretrained LM on the small IMDb sample in examples/data/, beside the baselines.

    python examples/demo.py [--model pretrained/awd-lstm-small-en] [--output_dir runs/demo] [--smoke]

1. target-task LM fine-tuning: the shipped English AWD-LSTM (`pretrained/awd-lstm-small-en`) is fine-tuned
   briefly on the text of the labelled training reviews;
2. the classifier on **500** labelled IMDb reviews with `examples/train_classifier.py`'s default recipe,
   evaluated on the sample's 1,000 test reviews;
and, on the same labels and test reviews, the baselines every ULMFiT result should beat: the same classifier
trained from scratch (same sizes and recipe, random weights), TF-IDF + logistic regression and fastText (word
bigrams, epochs and learning rate chosen on a held-out tenth of the labels). The accuracies are
printed side by side, then the classifier labels two sentences through a `pipeline`. `--smoke` runs the same code
path on a few documents for tests (give it a small `--model`).
"""

import argparse
import time
from pathlib import Path

from hf_ulmfit import ULMFiTConfig, ULMFiTTrainingArguments
from hf_ulmfit.commands.finetune_lm import finetune_lm  # the stage scripts beside this one
from hf_ulmfit.commands.train_classifier import train_classifier
from hf_ulmfit.recipe.baselines import fasttext_accuracy, tfidf_accuracy
from hf_ulmfit.recipe.stages import RANDOM_WEIGHTS_RECIPE, ClassifierTrainingArguments, DataArguments, ModelArguments
from hf_ulmfit.recipe.text_sources import load_texts
from hf_ulmfit.utils import cpu_has_native_bf16

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "examples" / "data"
SHIPPED_LM = REPO / "pretrained" / "awd-lstm-small-en"
LABELS = 500
EXAMPLES = ("One of the best films I have seen this year.", "A dull, badly acted waste of two hours.")
# So that the demo fits in minutes on 2 CPU cores: reviews cut to their first WORDS words (the TF-IDF baseline
# reads the same cut texts), and the from-scratch classifier gets SCRATCH_EPOCHS epochs, as many as the ULMFiT
# recipe, instead of its default 10; docs/demo.md gives the figures.
WORDS, SCRATCH_EPOCHS = 200, 5


def cut_reviews(source: Path, out: Path, n: int | None, seed: int = 0) -> Path:
    """`n` reviews of `source` (all when None; a seeded draw), each cut to its first WORDS words, as JSON lines."""
    data = load_texts([str(source)], "text", keep_columns=["label"])
    if n is not None:
        data = data.shuffle(seed=seed).select(range(min(n, len(data))))
    out.parent.mkdir(parents=True, exist_ok=True)
    data.map(lambda row: {"text": " ".join(row["text"].split()[:WORDS])}).to_json(str(out), lines=True)
    return out


def common_args(output_dir: Path, seed: int = 0, **overrides) -> dict:
    # bf16 autocast where the CPU computes in bf16 natively (about 1.3-2x faster here); float32 elsewhere.
    values = dict(output_dir=str(output_dir), per_device_eval_batch_size=64, logging_steps=10, eval_strategy="no",
                  save_strategy="no", report_to="none", seed=seed, bf16=cpu_has_native_bf16(), use_cpu=True)
    return {**values, **overrides}


def run(output_dir: Path, model: Path, smoke: bool) -> dict[str, float]:
    labels, tests = (40, 40) if smoke else (LABELS, None)
    train_file = cut_reviews(DATA / "imdb_train_sample.jsonl.gz", output_dir / "data" / "train.jsonl", labels)
    test_file = cut_reviews(DATA / "imdb_test_sample.jsonl.gz", output_dir / "data" / "test.jsonl", tests)
    reviews = DataArguments(train_files=[str(train_file)], validation_files=[str(test_file)])
    # The classifier's default recipe (every layer, 5 epochs); the smoke run is 4 steps.
    recipe = dict(max_steps=4) if smoke else {}
    scratch_epochs = 1 if smoke else SCRATCH_EPOCHS
    stream = dict(per_device_train_batch_size=4, per_device_eval_batch_size=2, bptt=20) if smoke else \
        dict(per_device_train_batch_size=32, per_device_eval_batch_size=32, bptt=72)
    timings, accuracy = {}, {}

    start = time.perf_counter()
    lm = finetune_lm(
        ModelArguments(model_name_or_path=str(model), keep_vocab=True, drop_mult=0.3, overwrite_output_dir=True),
        DataArguments(train_files=[str(train_file)], validation_fraction=0.05),
        ULMFiTTrainingArguments(**common_args(output_dir / "lm-imdb", learning_rate=2e-3, lr_schedule="one_cycle",
                                              num_train_epochs=1, **stream)),
    )  # fmt: skip
    timings["LM fine-tuning"] = time.perf_counter() - start

    start = time.perf_counter()
    ulmfit = train_classifier(
        ModelArguments(model_name_or_path=str(output_dir / "lm-imdb"), overwrite_output_dir=True), reviews,
        ClassifierTrainingArguments(**common_args(output_dir / "classifier", **recipe)),
    )
    accuracy["ULMFiT (shipped LM, fine-tuned)"] = ulmfit["eval_accuracy"]
    timings["ULMFiT classifier"] = time.perf_counter() - start

    start = time.perf_counter()
    config = ULMFiTConfig.from_pretrained(model)
    sizes = dict(embedding_size=config.embedding_size, hidden_size=config.hidden_size,
                 num_hidden_layers=config.num_hidden_layers, max_vocab=config.vocab_size)  # fmt: skip
    scratch = train_classifier(
        ModelArguments(**sizes, overwrite_output_dir=True), reviews,
        ClassifierTrainingArguments(**common_args(output_dir / "classifier-scratch",
                                                  **{**RANDOM_WEIGHTS_RECIPE, "num_train_epochs": scratch_epochs})),
    )
    accuracy["same classifier from scratch"] = scratch["eval_accuracy"]
    timings["from scratch"] = time.perf_counter() - start

    start = time.perf_counter()
    train, test = (load_texts([str(f)], "text", keep_columns=["label"]) for f in (train_file, test_file))
    accuracy["TF-IDF + logistic regression"] = tfidf_accuracy(train["text"], train["label"], test["text"],
                                                              test["label"])  # fmt: skip
    timings["TF-IDF"] = time.perf_counter() - start

    start = time.perf_counter()
    accuracy["fastText (bigrams, tuned on a tenth)"] = fasttext_accuracy(train["text"], train["label"], test["text"],
                                                                         test["label"])  # fmt: skip
    timings["fastText"] = time.perf_counter() - start
    print_summary(lm["eval_perplexity"], accuracy, timings, len(train), len(test))
    return accuracy


def print_summary(perplexity: float, accuracy: dict[str, float], timings: dict[str, float], n_train: int,
                  n_test: int) -> None:
    print("\n" + "=" * 72)
    print(f"IMDb sentiment, {n_train} labelled reviews, accuracy on {n_test} test reviews (first {WORDS} words each)")
    print(f"(the fine-tuned LM's perplexity on held-out review text: {perplexity:.1f})\n")
    best = max(accuracy.values())
    for name, value in accuracy.items():
        print(f"  {name:34s} {value:.3f}{'  <- best' if value == best else ''}")
    print("\ntime: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()))
    print("=" * 72)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED_LM, help="the pretrained LM to start from")
    parser.add_argument("--output_dir", type=Path, default=Path("runs/demo"))
    parser.add_argument("--smoke", action="store_true", help="a tiny run of the same code path (for tests)")
    args = parser.parse_args()
    if not (args.model / "config.json").is_file():
        parser.error(f"{args.model} holds no pretrained model (config.json is missing).")
    run(args.output_dir, args.model, args.smoke)
    from transformers import pipeline

    classifier = pipeline("text-classification", model=str(args.output_dir / "classifier"))
    print("\nThe classifier through a pipeline:")
    for text in EXAMPLES:
        print(f"  {text!r}: {classifier(text)[0]}")


if __name__ == "__main__":
    main()
