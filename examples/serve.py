"""Batch inference: classify a JSONL file (a "text" field per line) or plain text lines from stdin with a saved
ULMFiT classifier, writing one JSON line per input line, in input order, with its index (and its "id" field when
the JSONL record has one), the label, the labels and the score of every label by the model's problem type
(softmax, sigmoid with --threshold, or the raw value for regression). A blank line or text gets an empty result.

    python examples/serve.py runs/demo/classifier --input reviews.jsonl > predictions.jsonl
    cat lines.txt | python examples/serve.py runs/demo/classifier > predictions.jsonl
    python examples/serve.py runs/demo/classifier --http --port 8000   # the HTTP service (docs/serving.md)

Texts are batched by length (little padding) and read whole, however long, as in training (the HTTP service cuts
them to model_max_length tokens instead, to bound a request's time). Memory grows with the batch size times the longest document's chunk (bptt tokens at a time), not with the number
of texts beyond the texts themselves. Measured throughput and memory: docs/benchmarks.md ("Batch inference").
"""

import argparse
import json
import sys
from pathlib import Path

from hf_ulmfit.recipe.file_checks import json_record, raw_lines, text_lines
from hf_ulmfit.scoring import DEFAULT_THRESHOLD, classify_texts, model_forward
from hf_ulmfit.utils import load_classifier


def read_texts(path: str | None, text_column: str, id_column: str = "id") -> list[dict]:
    """One record per input line ({"index", "text"}, and "id" where a JSONL record has `id_column`): a blank line
    is an empty text. A bad line is an error naming the file, line and cause."""
    items = []
    if path is None:
        for number, line in text_lines(sys.stdin.buffer, "stdin"):
            items.append({"index": number - 1, "text": line.rstrip("\r\n")})
    else:
        for number, line in text_lines(raw_lines(Path(path)), path):
            item = {"index": number - 1, "text": ""}
            items.append(item)
            if not line.strip():
                continue
            record = json_record(line, number, path)
            if text_column not in record:
                raise ValueError(f"{path}, line {number}: no {text_column!r} field (fields: {sorted(record)}).")
            if not isinstance(record[text_column], str):
                kind = type(record[text_column]).__name__
                raise ValueError(f"{path}, line {number}: {text_column!r} must be a string, got {kind}.")
            item["text"] = record[text_column]
            if id_column in record:
                item["id"] = record[id_column]
    if not any(item["text"].strip() for item in items):
        raise ValueError(f"{path or 'stdin'} holds no texts.")
    return items


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--http" in argv:  # the service has its own options (python -m hf_ulmfit.serve --help)
        from hf_ulmfit.serve.__main__ import main as serve_http

        return serve_http([a for a in argv if a != "--http"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a saved ULMFiT classifier")
    parser.add_argument("--input", help="a JSONL file (default: text lines on stdin)")
    parser.add_argument("--text_column", default="text")
    parser.add_argument("--id_column", default="id", help="a JSONL field echoed in each output line")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="multi-label decision threshold")
    parser.add_argument("--http", action="store_true", help="serve over HTTP instead (python -m hf_ulmfit.serve)")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f"--batch_size must be at least 1, got {args.batch_size}.")
    try:
        items = read_texts(args.input, args.text_column, args.id_column)
        model, tokenizer = load_classifier(args.folder)
        texts = [item.pop("text") for item in items]
        predictions = classify_texts(model_forward(model), tokenizer, texts, model.config, args.threshold,
                                     "keep", None, args.batch_size)  # fmt: skip
    except ValueError as err:  # the package's clear errors: one line, no traceback
        parser.error(str(err))
    for item, prediction in zip(items, predictions, strict=True):
        print(json.dumps({**item, **prediction}))


if __name__ == "__main__":
    main()
