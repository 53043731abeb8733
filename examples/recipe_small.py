"""The ULMFiT recipe at toy scale: fine-tune a small AWD-LSTM language model on SST-2 sentences, then a
classifier on top of it with gradual unfreezing, printing the per-group learning rates as they go.

    python examples/recipe_small.py --data-dir ../shared/data/sst2 --output-dir /tmp/ulmfit_recipe

Runs in a few minutes on a CPU. The language model starts from random weights here (a real run starts from a
WikiText-103 model), so the accuracy is modest; the point is to see discriminative learning rates, the slanted
triangular / one-cycle schedules and the unfreezing stages at work.
"""

import argparse
from collections import Counter
from pathlib import Path

from datasets import Dataset
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from hf_ulmfit import (
    ULMFiTConfig,
    ULMFiTForCausalLM,
    ULMFiTForSequenceClassification,
    ULMFiTTrainer,
    ULMFiTTrainingArguments,
    classification_metrics,
    find_lr,
    tokenize_documents,
)

SPECIALS = ["xxunk", "xxpad", "xxbos", "xxeos"]


def read_sst2(path: Path, limit: int | None) -> Dataset:
    """`stsa.binary.*`: one `label text` a line, already lowercased and tokenized."""
    labels, texts = [], []
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        label, text = line.split(" ", 1)
        labels.append(int(label))
        texts.append(text)
    return Dataset.from_dict({"text": texts, "label": labels})


def word_tokenizer(texts: list[str], max_vocab: int) -> PreTrainedTokenizerFast:
    """A whitespace word-level tokenizer with fastai's special tokens at ids 0-3 (like fastai's min_freq 2)."""
    counts = Counter(word for text in texts for word in text.split())
    words = [w for w, n in counts.most_common(max_vocab) if n >= 2]
    tokenizer = Tokenizer(models.WordLevel({t: i for i, t in enumerate(SPECIALS + words)}, unk_token="xxunk"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="xxunk", pad_token="xxpad", bos_token="xxbos", eos_token="xxeos"
    )


def print_learning_rates(trainer: ULMFiTTrainer, title: str) -> None:
    print(f"\n{title}: learning rate of each layer group (bottom ... top) per logged step")
    for log in trainer.state.log_history:
        groups = sorted(k for k in log if k.startswith("learning_rate_group_"))
        if groups:
            rates = "  ".join(f"{log[k]:.2e}" for k in groups)
            extra = f"  loss {log['loss']:.3f}" if "loss" in log else ""
            print(f"  step {log['step']:4d}  {rates}{extra}")


def common_args(output_dir: Path, **overrides) -> ULMFiTTrainingArguments:
    values = {
        "output_dir": str(output_dir),
        "per_device_train_batch_size": 32,
        "per_device_eval_batch_size": 64,
        "logging_steps": 10,
        "eval_strategy": "epoch",
        "save_strategy": "no",
        "report_to": "none",
        "disable_tqdm": True,
        "seed": 0,
    }
    return ULMFiTTrainingArguments(**{**values, **overrides})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/sst2")
    parser.add_argument("--output-dir", type=Path, default=Path("ulmfit_recipe_small"))
    parser.add_argument("--limit", type=int, default=3000, help="training sentences to use (None: all)")
    args = parser.parse_args()
    if not (args.data_dir / "stsa.binary.train").is_file():
        parser.error(f"{args.data_dir} holds no stsa.binary.train (SST-2 as in shared/data/sst2).")

    train = read_sst2(args.data_dir / "stsa.binary.train", args.limit)
    dev = read_sst2(args.data_dir / "stsa.binary.dev", None)
    tokenizer = word_tokenizer(train["text"], max_vocab=8000)
    config = ULMFiTConfig(
        vocab_size=len(tokenizer), embedding_size=64, hidden_size=128, bptt=40, max_len=400, drop_mult=0.3
    )

    # Stage 1: language-model fine-tuning: one epoch with only the top group (embedding + decoder) trainable,
    # then everything (fastai's fit_one_cycle(1) frozen, unfreeze, fit_one_cycle(n)), STLR per stage.
    lm_train = tokenize_documents(train, tokenizer, bos_token_id=config.bos_token_id)
    lm_dev = tokenize_documents(dev, tokenizer, bos_token_id=config.bos_token_id)
    lm = ULMFiTForCausalLM(config)
    lm_args = common_args(args.output_dir / "lm", learning_rate=2e-2, unfreeze_stages=[1, 2])
    lm_trainer = ULMFiTTrainer(model=lm, args=lm_args, train_dataset=lm_train, eval_dataset=lm_dev)
    suggestion = find_lr(lm_trainer, num_steps=60, plot_path=str(args.output_dir / "lr_find_lm.png"))
    print(f"LR finder: valley {suggestion.valley:.2e}, steepest {suggestion.steepest:.2e} (plot lr_find_lm.png)")
    lm_trainer.train()
    print_learning_rates(lm_trainer, "language model")
    print("language model:", lm_trainer.evaluate())
    lm_trainer.save_model(str(args.output_dir / "lm"))

    # Stage 2: classifier: the encoder comes from the LM, fastai's classifier dropouts, one-cycle per stage with
    # gradual unfreezing (freeze_to(-1), (-2), (-3), unfreeze) at 2e-2, 1e-2, 5e-3, 1e-3 as in fastai's recipe.
    classifier = ULMFiTForSequenceClassification.from_pretrained(str(args.output_dir / "lm"), num_labels=2)
    clas_args = common_args(
        args.output_dir / "classifier",
        learning_rate=2e-2,
        lr_schedule="one_cycle",
        unfreeze_stages=[1, 1, 1, 2],
        unfreeze_lr_factors=[1.0, 0.5, 0.25, 0.05],
    )
    clas_train = train.map(lambda b: tokenizer(b["text"]), batched=True)
    clas_dev = dev.map(lambda b: tokenizer(b["text"]), batched=True)
    clas_trainer = ULMFiTTrainer(
        model=classifier,
        args=clas_args,
        train_dataset=clas_train,
        eval_dataset=clas_dev,
        processing_class=tokenizer,
        compute_metrics=classification_metrics(("accuracy", "f1")),
    )
    clas_trainer.train()
    print_learning_rates(clas_trainer, "classifier")
    print("classifier:", clas_trainer.evaluate())


if __name__ == "__main__":
    main()
