"""Deletion test of the attribution methods on a classifier: deleting the k tokens a method ranks highest against
deleting k tokens at random, with a random ranking as the control (docs/interpretation.md).

    python benchmarks/faithfulness.py --synthetic 60                 # the tests' classifier after 60 steps
    python benchmarks/faithfulness.py --reviews 1 --texts 64 --k 1 3   # the slow test's, trained with seed 1
    python benchmarks/faithfulness.py --model DIR --input test.jsonl --texts 60 --words 200 --k 1 5 10

One row per method, deletion (`remove` the tokens or put xxunk in their place), k and measure (probability or
log-odds of the predicted class): the mean absolute change deleting the top k, deleting k at random, and their
ratio. With --synthetic it also gives how often each method's top 2 are the two words that decide the label.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import torch

from hf_ulmfit.interpretation import load_classifier
from hf_ulmfit.interpretation.attribution import Attribution, attribute
from hf_ulmfit.interpretation.faithfulness import DELETIONS, deletion_changes, ranking
from hf_ulmfit.recipe.text_sources import load_texts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "interpretation"))
from review_classifier import imdb_sample, train_review_classifier  # noqa: E402
from synthetic_reviews import DECISIVE, reviews, train_classifier  # noqa: E402

RANKINGS = ("intrinsic_attention", "integrated_gradients", "random")


def rankings(model, ids: list[int], steps: int, rng: random.Random) -> tuple[Attribution, dict[str, list[int]]]:
    """Intrinsic attention's attribution and each method's ranking of the positions after xxbos (random: a
    shuffle)."""
    attributions = {m: attribute(model, ids, m, steps=steps) for m in RANKINGS[:2]}
    ranked = {m: ranking(a) for m, a in attributions.items()}
    ranked["random"] = rng.sample(ranked["intrinsic_attention"], len(ids) - 1)
    return attributions["intrinsic_attention"], ranked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, metavar="STEPS", help="train the tests' classifier for STEPS")
    parser.add_argument("--seed", type=int, default=0, help="with --synthetic: the classifier's seed")
    parser.add_argument("--reviews", type=int, metavar="SEED", help="train the slow test's review classifier")
    parser.add_argument("--model", help="a saved classifier folder")
    parser.add_argument("--input", help="with --model: JSON lines with a `text` field")
    parser.add_argument("--texts", type=int, default=24, help="how many texts (the first of the file)")
    parser.add_argument("--words", type=int, help="cut each text to its first WORDS words")
    parser.add_argument("--k", type=int, nargs="+", default=[2])
    parser.add_argument("--deletion", nargs="+", choices=DELETIONS, default=list(DELETIONS))
    parser.add_argument("--draws", type=int, default=5, help="random deletions per text")
    parser.add_argument("--steps", type=int, default=16, help="integrated gradients' path steps")
    args = parser.parse_args()
    if sum(a is not None for a in (args.synthetic, args.reviews, args.model)) != 1 or (args.model and not args.input):
        parser.error("give --synthetic STEPS, --reviews SEED, or --model DIR with --input FILE")
    started = time.perf_counter()
    if args.synthetic is not None:
        model, tokenizer = train_classifier(args.synthetic, args.seed)
        texts, labels = reviews(args.texts, seed=1)  # unseen texts, as in the test
    elif args.reviews is not None:
        model, tokenizer = train_review_classifier(seed=args.reviews)
        texts, labels = (part[200 : 200 + args.texts] for part in imdb_sample("test"))  # as the slow test reads
    else:
        model, tokenizer = load_classifier(args.model)
        rows = load_texts([args.input], "text", keep_columns=["label"]).select(range(args.texts))
        texts, labels = rows["text"], rows["label"]
        labels = [model.config.label2id.get(str(label), label) for label in labels]
    if args.words:
        texts = [" ".join(t.split()[: args.words]) for t in texts]
    unk_id = tokenizer.convert_tokens_to_ids("xxunk")
    decisive = {tokenizer.convert_tokens_to_ids(w) for words in DECISIVE.values() for w in words}
    rng = random.Random(0)
    changes = {}  # (ranking, how, k, measure) -> [(top, random)] one a text
    correct, confidence, found, at_deciding = 0, [], {m: [] for m in RANKINGS}, []
    for index, (text, label) in enumerate(zip(texts, labels, strict=True)):
        ids = tokenizer(text)["input_ids"]
        attention, ranked = rankings(model, ids, args.steps, rng)
        class_id = attention.class_id
        correct += class_id == label
        confidence.append(float(attention.probabilities[class_id]))
        deciding = torch.tensor([t in decisive for t in ids])
        if deciding.any():  # intrinsic attention at the deciding words against the other words after xxbos
            at_deciding.append(float(attention.scores[deciding].mean() / attention.scores[1:][~deciding[1:]].mean()))
        for name, positions in ranked.items():
            found[name].append(sum(ids[i] in decisive for i in positions[:2]) / 2)
        for how in args.deletion:
            for k in args.k:
                pairs = deletion_changes(model, ids, ranked, class_id, k, how, args.draws,
                                         random.Random(f"{index} {how} {k}"), unk_id)  # fmt: skip
                for (name, measure), pair in pairs.items():
                    changes.setdefault((name, how, k, measure), []).append(pair)
    print(f"{len(texts)} texts, accuracy {correct / len(texts):.3f}, mean probability of the predicted class "
          f"{statistics.mean(confidence):.3f}, {time.perf_counter() - started:.0f} s")
    if args.synthetic is not None:
        print("share of the top 2 that are the deciding words: " +
              ", ".join(f"{name} {statistics.mean(v):.2f}" for name, v in found.items()))
        print(f"intrinsic attention at the deciding words / at the other words: {statistics.mean(at_deciding):.2f}")
    print("| ranking | deletion | k | measure | top k | random k | ratio |\n|---|---|---|---|---|---|---|")
    for (name, how, k, measure), pairs in sorted(changes.items(), key=lambda item: RANKINGS.index(item[0][0])):
        top, rand = (statistics.mean(p[i] for p in pairs) for i in (0, 1))
        print(f"| {name} | {how} | {k} | {measure} | {top:.4f} | {rand:.4f} | {top / max(rand, 1e-12):.2f} |")


if __name__ == "__main__":
    main()
