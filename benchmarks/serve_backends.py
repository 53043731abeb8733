"""The service's backends on real texts, in one process: milliseconds per text at batch 1 and batch 32, and the
agreement with fp32 (same labels, largest score difference) over the embedded IMDb test sample's texts.

    python benchmarks/serve_backends.py DIR --texts 200 --threads 1

Sentence-length texts are each review's first sentence; IMDb-length ones the whole review (benchmarks/serve_load.py
draws the same texts). Backends that cannot run here (bf16 without native bf16) are reported as such.
"""

import argparse
import json
import time

import torch
from serve_load import load_texts

from hf_ulmfit.scoring import classify_ids, encode, model_forward, results
from hf_ulmfit.serve.backends import BACKENDS, build_forward
from hf_ulmfit.utils import cpu_description, load_classifier


def ms_per_text(forward, tokenizer, ids, config, batch: int, repeats: int = 3) -> float:
    """The best of `repeats` passes over `ids` in batches of `batch` texts, per text."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        classify_ids(forward, tokenizer, ids, config, max_batch_size=batch)
        best = min(best, time.perf_counter() - start)
    return round(best * 1000 / len(ids), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--texts", type=int, default=200, help="texts of each kind for the agreement")
    parser.add_argument("--timed", type=int, default=32, help="texts of each kind for the timing")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, tokenizer = load_classifier(args.folder)
    print(json.dumps({"cpu": cpu_description(), "threads": args.threads}))
    reference = model_forward(model)
    for kind in ("sentence", "imdb"):
        ids = encode(tokenizer, load_texts(kind, n=max(args.texts, args.timed) * 2)[: args.texts])
        expected = classify_ids(reference, tokenizer, ids, model.config)
        for name in BACKENDS:
            try:
                forward = build_forward(name, model, args.folder)
            except ValueError as err:
                print(json.dumps({"backend": name, "texts": kind, "unavailable": str(err)}))
                continue
            got = classify_ids(forward, tokenizer, ids, model.config)
            same = [a["labels"] == b["labels"] for a, b in
                    zip(results(got, model.config), results(expected, model.config), strict=True)]  # fmt: skip
            row = {"backend": name, "texts": kind, "n": len(ids), "mean_tokens": round(sum(map(len, ids)) / len(ids)),
                   "same_labels": round(sum(same) / len(same), 4),
                   "max_score_difference": float((got - expected).abs().max()),
                   "ms_per_text_batch_1": ms_per_text(forward, tokenizer, ids[: args.timed], model.config, 1),
                   "ms_per_text_batch_32": ms_per_text(forward, tokenizer, ids[: args.timed], model.config, 32)}  # fmt: skip
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
