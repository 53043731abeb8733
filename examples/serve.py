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
from pathlib import Path

from hf_ulmfit.deploy.inference import predict_probabilities
from hf_ulmfit.recipe.file_checks import json_record, raw_lines, text_lines


def read_texts(path: str | None, text_column: str) -> list[str]:
    """The texts of a JSONL file (or of stdin's lines); a bad line is an error naming the file, line and cause."""
    if path is None:
        texts = [line.rstrip("\r\n") for _, line in text_lines(sys.stdin.buffer, "stdin") if line.strip()]
    else:
        texts = []
        for number, line in text_lines(raw_lines(Path(path)), path):
            if not line.strip():
                continue
            record = json_record(line, number, path)
            if text_column not in record:
                raise ValueError(f"{path}, line {number}: no {text_column!r} field (fields: {sorted(record)}).")
            if not isinstance(record[text_column], str):
                kind = type(record[text_column]).__name__
                raise ValueError(f"{path}, line {number}: {text_column!r} must be a string, got {kind}.")
            texts.append(record[text_column])
    if not texts:
        raise ValueError(f"{path or 'stdin'} holds no texts.")
    return texts


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
