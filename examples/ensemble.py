"""Evaluate a forward and a backward ULMFiT classifier and their average (the paper's bidirectional model).

    python examples/ensemble.py runs/imdb-clas runs/imdb-clas-bwd --test_file ../shared/data/imdb/test.jsonl.gz

Train the backward pair with the same three stages and `--backwards` (its tokenizer then reverses the tokens).
"""

import argparse

from hf_ulmfit.deploy.inference import ensemble_probabilities
from hf_ulmfit.recipe.text_sources import load_texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="saved classifiers with the same labels")
    parser.add_argument("--test_file", required=True, help="labelled evaluation file (.jsonl/.csv/...)")
    parser.add_argument("--text_column", default="text")
    parser.add_argument("--label_column", default="label")
    parser.add_argument("--batch_size", type=int, default=32)
    args = parser.parse_args()
    data = load_texts([args.test_file], args.text_column, keep_columns=[args.label_column])
    each, mean, labels = ensemble_probabilities(args.folders, data[args.text_column], args.batch_size)
    gold = [labels.index(str(label)) for label in data[args.label_column]]
    for name, probabilities in [*zip(args.folders, each, strict=True), ("ensemble (mean)", mean)]:
        accuracy = sum(int(p) == g for p, g in zip(probabilities.argmax(-1), gold, strict=True)) / len(gold)
        print(f"{name}: accuracy {accuracy:.4f} (error {100 * (1 - accuracy):.2f}%)")


if __name__ == "__main__":
    main()
