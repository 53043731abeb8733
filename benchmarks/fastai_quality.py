"""Quality side by side: the same LM weights, the same token ids and the same classifier recipe, trained by
fastai 2.8.12 and by `ULMFiTTrainer`, over several seeds (docs/benchmarks.md, "Classifier quality against
fastai"). It keeps the trainer faithful as it changes: the two means should lie within a point.

    make bench-quality                                   # builds .venv-bench, runs the defaults below
    .venv-bench/bin/python benchmarks/fastai_quality.py [--model pretrained/awd-lstm-small-en] \
        [--labels 300] [--test-size 500] [--words 200] [--epochs 4] [--seeds 0 1 2] \
        [--sides fastai ours] [--max-grad-norm 0] [--fastai-alpha 0 --fastai-beta 0]

Data: the demo's IMDb sample (`examples/data/`): a seeded draw of `--labels` training reviews and the first
`--test-size` test reviews, each cut to its first `--words` words, tokenized once with the LM's tokenizer; both
sides get these ids. Recipe: every layer trainable, fastai's one-cycle (lr 1e-2, momentum 0.8/0.7/0.8, Adam
betas (0.9, 0.99), eps 1e-5, weight decay 0.01) for `--epochs` epochs, batch 32, drop_mult 0.5, head [50] with
dropout 0.1, bptt 72, max_len 1440, no gradient clipping, no AR/TAR: `examples/train_classifier.py
--gradual_unfreezing false --learning_rate 1e-2 --lr_schedule one_cycle --lr_decay_factor 1 --max_grad_norm 0` on
our side, the model `text_classifier_learner` builds, `TextLearner(alpha=0, beta=0)`, `unfreeze()` and
`fit_one_cycle` on fastai's. The two libraries' own defaults differ in two places, which the flags put back: our
trainer clips gradients at norm 1 (`--max-grad-norm 1`), fastai's TextLearner adds AR/TAR to the classifier loss
(`--fastai-alpha 2 --fastai-beta 1`). `--sides` runs one side only (an ablation against a side already measured
on the same seeds).
"""

import argparse
import gzip
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "examples"))  # the stage-3 script
DATA = REPO / "examples" / "data"


def read_reviews(path: Path, n: int, words: int, draw_seed: int | None) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    rows = random.Random(draw_seed).sample(rows, n) if draw_seed is not None else rows[:n]
    return [{"text": " ".join(r["text"].split()[:words]), "label": r["label"]} for r in rows]


def fastai_encoder_state(model) -> dict[str, torch.Tensor]:
    """Our LM's encoder weights under fastai's AWD_LSTM names (the inverse of `convert_fastai`'s key map)."""
    ours = model.state_dict()
    state = {"encoder.weight": ours["ulmfit.embeddings.weight"], "encoder_dp.emb.weight": ours["ulmfit.embeddings.weight"]}
    for layer in range(model.config.num_hidden_layers):
        prefix = f"ulmfit.rnns.{layer}."
        state[f"rnns.{layer}.weight_hh_l0_raw"] = ours[prefix + "weight_hh_l0"]
        for name in ("weight_ih_l0", "bias_ih_l0", "bias_hh_l0"):
            state[f"rnns.{layer}.module.{name}"] = ours[prefix + name]
    return {k: v.clone() for k, v in state.items()}


def train_fastai(lm, ids, labels, n_train: int, args, seed: int) -> float:
    from fastai.text.all import (
        AWD_LSTM,
        Categorize,
        Datasets,
        ItemGetter,
        SortedDL,
        TensorText,
        TextLearner,
        accuracy,
        awd_lstm_clas_config,
        awd_lstm_clas_split,
        get_text_classifier,
        pad_input_chunk,
        set_seed,
    )

    set_seed(seed)
    items = list(zip(ids, labels, strict=True))
    splits = [list(range(n_train)), list(range(n_train, len(items)))]

    def as_text(ids: list[int]) -> TensorText:
        return TensorText(torch.tensor(ids))

    # ItemGetter, not operator.itemgetter: fastai maps plain functions over each element of a tuple item.
    datasets = Datasets(items, [[ItemGetter(0), as_text], [ItemGetter(1), Categorize()]], splits=splits)
    dls = datasets.dataloaders(bs=32, before_batch=pad_input_chunk, dl_type=SortedDL, seq_len=72)
    config = dict(awd_lstm_clas_config, emb_sz=lm.config.embedding_size, n_hid=lm.config.hidden_size,
                  n_layers=lm.config.num_hidden_layers, pad_token=lm.config.pad_token_id)  # fmt: skip
    # What text_classifier_learner builds, sized from the LM instead of a fastai vocabulary.
    model = get_text_classifier(AWD_LSTM, lm.config.vocab_size, len(dls.vocab), seq_len=72, config=config,
                                drop_mult=0.5, max_len=72 * 20)  # fmt: skip
    learn = TextLearner(dls, model, splitter=awd_lstm_clas_split, metrics=accuracy,
                        alpha=args.fastai_alpha, beta=args.fastai_beta)
    learn.model[0].module.load_state_dict(fastai_encoder_state(lm), strict=True)
    learn.unfreeze()
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(args.epochs, 1e-2)
        return float(learn.validate()[1])


def train_ours(train: list[dict], test: list[dict], args, seed: int) -> float:
    from hf_ulmfit.commands.train_classifier import train_classifier  # examples/train_classifier.py
    from hf_ulmfit.recipe.stages import ClassifierTrainingArguments, DataArguments, ModelArguments

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, rows in (("train", train), ("test", test)):
            files.append(Path(tmp) / f"{name}.jsonl")
            files[-1].write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        metrics = train_classifier(
            ModelArguments(model_name_or_path=str(args.model), overwrite_output_dir=True),
            DataArguments(train_files=[str(files[0])], validation_files=[str(files[1])]),
            ClassifierTrainingArguments(output_dir=str(Path(tmp) / "out"), seed=seed, num_train_epochs=args.epochs,
                                        gradual_unfreezing=False, learning_rate=1e-2, lr_schedule="one_cycle",
                                        lr_decay_factor=1.0, max_grad_norm=args.max_grad_norm,
                                        report_to="none", save_strategy="no", eval_strategy="no",
                                        disable_tqdm=True),
        )  # fmt: skip
    return metrics["eval_accuracy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO / "pretrained" / "awd-lstm-small-en")
    parser.add_argument("--labels", type=int, default=300)
    parser.add_argument("--test-size", type=int, default=500)
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--sides", nargs="+", choices=["fastai", "ours"], default=["fastai", "ours"])
    parser.add_argument("--max-grad-norm", type=float, default=0.0, help="our clipping (0: none, as fastai)")
    parser.add_argument("--fastai-alpha", type=float, default=0.0, help="fastai's AR weight (TextLearner: 2)")
    parser.add_argument("--fastai-beta", type=float, default=0.0, help="fastai's TAR weight (TextLearner: 1)")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from hf_ulmfit import ULMFiTForCausalLM

    lm = ULMFiTForCausalLM.from_pretrained(args.model)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    train = read_reviews(DATA / "imdb_train_sample.jsonl.gz", args.labels, args.words, draw_seed=0)
    test = read_reviews(DATA / "imdb_test_sample.jsonl.gz", args.test_size, args.words, draw_seed=None)
    ids = tokenizer([r["text"] for r in train + test])["input_ids"]
    labels = [r["label"] for r in train + test]
    print(f"threads {torch.get_num_threads()}, {args.labels} labels, {args.test_size} test reviews, "
          f"{args.epochs} epochs, model {args.model}, our max_grad_norm {args.max_grad_norm}, "
          f"fastai AR/TAR {args.fastai_alpha}/{args.fastai_beta}", flush=True)  # fmt: skip
    results = {side: [] for side in args.sides}
    for seed in args.seeds:
        for side in args.sides:
            start = time.perf_counter()
            accuracy = (train_fastai(lm, ids, labels, len(train), args, seed) if side == "fastai"
                        else train_ours(train, test, args, seed))  # fmt: skip
            results[side].append(accuracy)
            print(f"seed {seed} {side:6s} accuracy {accuracy:.4f} ({time.perf_counter() - start:.0f} s)", flush=True)
    for side, accs in results.items():
        sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
        print(f"{side:6s} mean {statistics.mean(accs):.4f} ± {sd:.4f} over seeds {args.seeds}")
    if len(results) < 2:
        return
    gap = statistics.mean(results["ours"]) - statistics.mean(results["fastai"])
    # Both sides of a seed share the labelled draw and the test set; the seed moves the head's init, the dropout
    # masks and the batch order: the spread of the per-seed differences says how far the gap is noise.
    diffs = [ours - theirs for ours, theirs in zip(results["ours"], results["fastai"], strict=True)]
    if len(diffs) > 1:
        print(f"standard error of the gap: {100 * statistics.stdev(diffs) / len(diffs) ** 0.5:.2f} points "
              f"over {len(diffs)} seeds")  # fmt: skip
    print(f"ours - fastai: {100 * gap:+.2f} points (goal: within 1 point: {'met' if abs(gap) <= 0.01 else 'NOT met'})")


if __name__ == "__main__":
    main()
