"""The three ULMFiT stages on the small sample in examples/data/, then the same classifier trained from scratch.

    python examples/demo.py [--output_dir runs/demo] [--smoke]

1. general-domain LM pretraining on 600k words of WikiText-2;
2. target-domain LM fine-tuning on IMDb review text (unlabelled and training reviews), vocabulary transferred;
3. classifier fine-tuning on 500 labelled IMDb reviews with gradual unfreezing, discriminative learning rates
   and slanted triangular learning rates per stage; evaluation on 1,000 test reviews;
and, for comparison, the same classifier trained from scratch on the same labels. The model is far smaller than
the paper's (sizes below) so that everything runs in minutes on two CPU cores; `--smoke` is a much smaller run
of the same code path, for tests. Each stage's folder holds the model, its tokenizer, a model card and PNG
training curves.
"""

import argparse
import time
from pathlib import Path

from finetune_lm import finetune_lm  # the stage scripts beside this one
from pretrain_lm import pretrain_lm
from train_classifier import train_classifier

from hf_ulmfit import ULMFiTTrainingArguments
from hf_ulmfit.recipe.stages import DataArguments, ModelArguments

DATA = Path(__file__).resolve().parent / "data"
SIZES = dict(embedding_size=64, hidden_size=192, num_hidden_layers=2, max_len=500, max_vocab=6000,
             classifier_hidden_sizes=[50])
SMOKE_SIZES = dict(SIZES, embedding_size=16, hidden_size=24, max_vocab=500)
LABELS = 500


def training_args(output_dir: Path, **overrides) -> ULMFiTTrainingArguments:
    values = dict(output_dir=str(output_dir), per_device_train_batch_size=32, per_device_eval_batch_size=64, bptt=50,
                  logging_steps=20, eval_strategy="no", save_strategy="no", report_to="none", seed=0)
    return ULMFiTTrainingArguments(**{**values, **overrides})


def run(output_dir: Path, smoke: bool) -> dict[str, dict[str, float]]:
    sizes = SMOKE_SIZES if smoke else SIZES
    # 500 labels keep stage 3 short. At this toy scale the pretrained classifier does not beat the one trained
    # from scratch; docs/demo.md gives the measurements.
    limit = dict(max_train_samples=200, max_eval_samples=100) if smoke else dict(max_train_samples=LABELS)
    reviews = DataArguments(train_files=[str(DATA / "imdb_train_sample.jsonl.gz")],
                            validation_files=[str(DATA / "imdb_test_sample.jsonl.gz")], **limit)
    epochs = 0.2 if smoke else 1.0
    timings, results = {}, {}

    start = time.perf_counter()
    results["1. LM pretraining (WikiText-2 sample)"] = pretrain_lm(
        ModelArguments(**sizes, drop_mult=0.1, overwrite_output_dir=True),
        DataArguments(train_files=[str(DATA / "wikitext2_sample.txt.gz")], validation_fraction=0.02,
                      **({"max_train_samples": 400} if smoke else {})),
        training_args(output_dir / "lm-general", learning_rate=1e-2, lr_schedule="one_cycle",
                      num_train_epochs=epochs),
    )
    timings["stage 1"] = time.perf_counter() - start

    start = time.perf_counter()
    results["2. LM fine-tuning (IMDb text)"] = finetune_lm(
        ModelArguments(**sizes, model_name_or_path=str(output_dir / "lm-general"), drop_mult=0.2,
                       overwrite_output_dir=True),
        DataArguments(train_files=[str(DATA / "imdb_unsup_sample.jsonl.gz"), str(DATA / "imdb_train_sample.jsonl.gz")],
                      validation_files=[str(DATA / "imdb_test_sample.jsonl.gz")], max_eval_samples=200,
                      **({"max_train_samples": 300} if smoke else {"max_train_samples": 2500})),
        training_args(output_dir / "lm-imdb", learning_rate=1e-2, unfreeze_stages=[epochs * 0.3, epochs * 0.7],
                      unfreeze_lr_factors=[1.0, 0.5]),
    )
    timings["stage 2"] = time.perf_counter() - start

    # Gradual unfreezing (2 epochs per stage, 4 for the last), discriminative learning rates, STLR per stage.
    start = time.perf_counter()
    results["3. ULMFiT classifier"] = train_classifier(
        ModelArguments(**sizes, model_name_or_path=str(output_dir / "lm-imdb"), drop_mult=0.3,
                       overwrite_output_dir=True),
        reviews, training_args(output_dir / "classifier", learning_rate=2e-2,
                               unfreeze_stages=[2 * epochs, 2 * epochs, 2 * epochs, 4 * epochs]),
    )
    timings["stage 3"] = time.perf_counter() - start

    # The baseline gets the same epochs; trained from scratch, every layer trains at one learning rate
    # (train_classifier sets that itself).
    start = time.perf_counter()
    results["   same classifier from scratch"] = train_classifier(
        ModelArguments(**sizes, drop_mult=0.3, overwrite_output_dir=True), reviews,
        training_args(output_dir / "classifier-scratch", learning_rate=1e-2, num_train_epochs=10 * epochs),
    )
    timings["baseline"] = time.perf_counter() - start
    print_summary(results, timings, output_dir)
    return results


def print_summary(results: dict, timings: dict, output_dir: Path) -> None:
    print("\n" + "=" * 72)
    print(f"{'':38s} {'accuracy':>9s} {'F1':>7s} {'perplexity':>11s}")
    for name, metrics in results.items():
        accuracy = f"{metrics['eval_accuracy']:.3f}" if "eval_perplexity" not in metrics else ""
        f1 = f"{metrics['eval_f1']:.3f}" if "eval_f1" in metrics else ""
        perplexity = f"{metrics['eval_perplexity']:.1f}" if "eval_perplexity" in metrics else ""
        print(f"{name:38s} {accuracy:>9s} {f1:>7s} {perplexity:>11s}")
    print("time: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()))
    ulmfit, scratch = (results[k]["eval_accuracy"] for k in ("3. ULMFiT classifier", "   same classifier from scratch"))
    if ulmfit <= scratch:
        print("The pretrained classifier does not win at this toy scale (a tiny LM trained on ~1.4M tokens);")
        print("docs/demo.md has the measurements and what they say.")
    print("=" * 72)
    print(f"""
Load the classifier with a pipeline:

    import hf_ulmfit  # or pass trust_remote_code=True instead of importing it
    from transformers import pipeline
    classifier = pipeline("text-classification", model="{output_dir / 'classifier'}")
    classifier("One of the best films I have seen this year.")
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output_dir", type=Path, default=Path("runs/demo"))
    parser.add_argument("--smoke", action="store_true", help="a tiny run of the same code path (for tests)")
    args = parser.parse_args()
    run(args.output_dir, args.smoke)
    from transformers import pipeline

    classifier = pipeline("text-classification", model=str(args.output_dir / "classifier"))
    for text in ("One of the best films I have seen this year.", "A dull, badly acted waste of two hours."):
        print(f"{text!r}: {classifier(text)[0]}")


if __name__ == "__main__":
    main()
