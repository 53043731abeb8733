"""Evaluate a forward and a backward ULMFiT classifier and their average (the paper's bidirectional model).

    python examples/ensemble.py runs/imdb-clas runs/imdb-clas-bwd --test_file ../shared/data/imdb/test.jsonl.gz

Train the backward pair with the same three stages and `--backwards` (its tokenizer then reverses the tokens).
"""

import argparse

from hf_ulmfit.cli import run_script
from hf_ulmfit.deploy.inference import ensemble_probabilities
from hf_ulmfit.recipe.file_checks import locate
from hf_ulmfit.recipe.text_sources import load_texts


def gold_ids(values: list, labels: list[str], test_file: str, label_column: str) -> list[int]:
    """The column of each gold label among the models' labels; a label the models lack is an error naming its line."""
    unseen = next((str(v) for v in values if str(v) not in labels), None)
    if unseen is not None:
        where, _ = locate([test_file], label_column, lambda v: str(v) == unseen) or (test_file, unseen)
        raise ValueError(f"{where}: {label_column!r} is {unseen!r}, which the models were not trained with (their "
                         f"labels: {labels}).")
    return [labels.index(str(value)) for value in values]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="saved classifiers with the same labels")
    parser.add_argument("--test_file", required=True, help="labelled evaluation file (.jsonl/.csv/...)")
    parser.add_argument("--text_column", default="text")
    parser.add_argument("--label_column", default="label")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = parser.parse_args(argv)
    data = load_texts([args.test_file], args.text_column, keep_columns=[args.label_column])
    each, mean, labels = ensemble_probabilities(args.folders, data[args.text_column], args.batch_size)
    gold = gold_ids(data[args.label_column], labels, args.test_file, args.label_column)
    for name, probabilities in [*zip(args.folders, each, strict=True), ("ensemble (mean)", mean)]:
        accuracy = sum(int(p) == g for p, g in zip(probabilities.argmax(-1), gold, strict=True)) / len(gold)
        print(f"{name}: accuracy {accuracy:.4f} (error {100 * (1 - accuracy):.2f}%)")


if __name__ == "__main__":
    run_script(main)
