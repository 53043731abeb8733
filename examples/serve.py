"""Batch inference: classify a JSONL file (a "text" field per line) or plain text lines from stdin with a saved
ULMFiT classifier, writing one JSON line per input with the label and the class probabilities.

    python examples/serve.py runs/demo/classifier --input reviews.jsonl > predictions.jsonl
    cat lines.txt | python examples/serve.py runs/demo/classifier > predictions.jsonl

Texts are batched by length (little padding) and processed with progress on stderr; results keep input order.
Memory grows with the batch size times the longest document's chunk (bptt tokens at a time), not with the number
of texts beyond the texts themselves. Measured throughput and memory: docs/benchmarks.md ("Batch inference").
"""

import argparse
import json
import sys

from hf_ulmfit.deploy.inference import predict_probabilities


def read_texts(path: str | None, text_column: str) -> list[str]:
    if path is None:
        return [line.rstrip("\n") for line in sys.stdin if line.strip()]
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)[text_column] for line in f if line.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a saved ULMFiT classifier")
    parser.add_argument("--input", help="a JSONL file (default: text lines on stdin)")
    parser.add_argument("--text_column", default="text")
    parser.add_argument("--batch_size", type=int, default=32)
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f"--batch_size must be at least 1, got {args.batch_size}.")
    try:
        texts = read_texts(args.input, args.text_column)
        probabilities, labels = predict_probabilities(args.folder, texts, args.batch_size)
    except ValueError as err:  # the package's clear errors: one line, no traceback
        parser.error(str(err))
    for row in probabilities.tolist():
        best = max(range(len(labels)), key=row.__getitem__)
        print(json.dumps({"label": labels[best], "probabilities": dict(zip(labels, row, strict=True))}))


if __name__ == "__main__":
    main()
