"""ULMFiT from the shipped pretrained LM on the small IMDb sample in examples/data/, beside the baselines.

    python examples/demo.py [--model pretrained/awd-lstm-small-en] [--output_dir runs/demo] [--smoke]

1. target-task LM fine-tuning: the shipped English AWD-LSTM (`pretrained/awd-lstm-small-en`) is fine-tuned
   briefly on the text of the labelled training reviews;
2. the classifier on **500** labelled IMDb reviews with `examples/train_classifier.py`'s default recipe,
   evaluated on the sample's 1,000 test reviews;
and, on the same labels and test reviews, the two baselines every ULMFiT result should beat: the same classifier
trained from scratch (same sizes and recipe, random weights) and TF-IDF + logistic regression. The accuracies are
printed side by side, then the classifier labels two sentences through a `pipeline`. `--smoke` runs the same code
path on a few documents for tests (give it a small `--model`).
"""

import argparse
import time
from pathlib import Path

from hf_ulmfit import ULMFiTConfig, ULMFiTTrainingArguments
from hf_ulmfit.baselines import tfidf_accuracy
from hf_ulmfit.stages import ClassifierTrainingArguments, DataArguments, ModelArguments, finetune_lm, train_classifier
from hf_ulmfit.text_data import load_texts

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "examples" / "data"
SHIPPED_LM = REPO / "pretrained" / "awd-lstm-small-en"
LABELS = 500
EXAMPLES = ("One of the best films I have seen this year.", "A dull, badly acted waste of two hours.")
# Reviews are read up to their last `MAX_LEN` tokens and the classifier trains for `EPOCHS` epochs so that the
# demo fits in minutes on 2 CPU cores; docs/demo.md gives the figures.
MAX_LEN, EPOCHS = 360, 4


def common_args(output_dir: Path, seed: int = 0, **overrides) -> dict:
    return dict(output_dir=str(output_dir), per_device_eval_batch_size=64, logging_steps=10, eval_strategy="no",
                save_strategy="no", report_to="none", seed=seed, **overrides)  # fmt: skip


def run(output_dir: Path, model: Path, smoke: bool) -> dict[str, float]:
    limit = dict(max_train_samples=40, max_eval_samples=40) if smoke else dict(max_train_samples=LABELS)
    reviews = DataArguments(train_files=[str(DATA / "imdb_train_sample.jsonl.gz")],
                            validation_files=[str(DATA / "imdb_test_sample.jsonl.gz")], **limit)
    epochs = 0.5 if smoke else EPOCHS
    timings, accuracy = {}, {}

    start = time.perf_counter()
    lm = finetune_lm(
        ModelArguments(model_name_or_path=str(model), keep_vocab=True, drop_mult=0.3, overwrite_output_dir=True),
        DataArguments(train_files=[str(DATA / "imdb_train_sample.jsonl.gz")], validation_fraction=0.05, **limit),
        ULMFiTTrainingArguments(**common_args(output_dir / "lm-imdb", learning_rate=2e-3, lr_schedule="one_cycle",
                                              num_train_epochs=1, per_device_train_batch_size=32, bptt=72)),
    )  # fmt: skip
    timings["LM fine-tuning"] = time.perf_counter() - start

    start = time.perf_counter()
    ulmfit = train_classifier(
        ModelArguments(model_name_or_path=str(output_dir / "lm-imdb"), max_len=MAX_LEN, overwrite_output_dir=True),
        reviews, ClassifierTrainingArguments(**common_args(output_dir / "classifier", num_train_epochs=epochs)),
    )
    accuracy["ULMFiT (shipped LM, fine-tuned)"] = ulmfit["eval_accuracy"]
    timings["ULMFiT classifier"] = time.perf_counter() - start

    start = time.perf_counter()
    config = ULMFiTConfig.from_pretrained(model)
    sizes = dict(embedding_size=config.embedding_size, hidden_size=config.hidden_size,
                 num_hidden_layers=config.num_hidden_layers, max_vocab=config.vocab_size)  # fmt: skip
    scratch = train_classifier(
        ModelArguments(**sizes, max_len=MAX_LEN, overwrite_output_dir=True), reviews,
        ClassifierTrainingArguments(**common_args(output_dir / "classifier-scratch", num_train_epochs=epochs)),
    )
    accuracy["same classifier from scratch"] = scratch["eval_accuracy"]
    timings["from scratch"] = time.perf_counter() - start

    start = time.perf_counter()
    train = load_texts(reviews.train_files, "text", keep_columns=["label"])
    test = load_texts(reviews.validation_files, "text", keep_columns=["label"])
    if smoke:
        train, test = train.shuffle(seed=0).select(range(40)), test.select(range(40))
    else:
        train = train.shuffle(seed=0).select(range(LABELS))  # the classifiers' draw (`max_train_samples`, seed 0)
    accuracy["TF-IDF + logistic regression"] = tfidf_accuracy(train["text"], train["label"], test["text"],
                                                              test["label"])  # fmt: skip
    timings["TF-IDF"] = time.perf_counter() - start
    print_summary(lm["eval_perplexity"], accuracy, timings, len(test))
    return accuracy


def print_summary(perplexity: float, accuracy: dict[str, float], timings: dict[str, float], n_test: int) -> None:
    print("\n" + "=" * 72)
    print(f"IMDb sentiment, {LABELS} labelled reviews, accuracy on {n_test} test reviews")
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
