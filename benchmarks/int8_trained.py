"""int8 on a trained classifier: does dynamic quantization change its predictions, and how fast is it vs fp32?

    .venv/bin/python benchmarks/int8_trained.py FOLDER --input TEST.jsonl [--batch_size 16]

`bench_model.py` times int8 at fastai's sizes, but on random weights, whose tiny logit margins say little about
a trained model. This script loads a saved classifier (e.g. one of the replication's IMDb classifiers,
`python examples/replicate.py clas imdb ...`), quantizes its LSTMs and Linears with
`torch.ao.quantization.quantize_dynamic` (int8 weights), classifies the same texts with both, back to back in one
process (documents sorted by length, same batches), and prints the share of predictions unchanged, the largest
probability change, each model's accuracy when the file has a "label" field, and the int8 / fp32 speed ratio.
"""

import argparse
import json
import time
import warnings

import torch
from torch import nn
from transformers import AutoModelForSequenceClassification, AutoTokenizer

import hf_ulmfit  # noqa: F401  (registers ULMFiT with the Auto classes)


def classify(model, batches) -> tuple[torch.Tensor, float]:
    start = time.perf_counter()
    with torch.no_grad():
        logits = [model(**batch).logits.float() for batch in batches]
    return torch.cat(logits).softmax(-1), time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="a saved ULMFiT classifier")
    ap.add_argument("--input", required=True, help='a JSONL file with a "text" (and optionally "label") field')
    ap.add_argument("--batch_size", type=int, default=16)
    args = ap.parse_args()
    with open(args.input, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    model = AutoModelForSequenceClassification.from_pretrained(args.folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.folder)
    encoded = tokenizer([row["text"] for row in rows])["input_ids"]
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    batches = [
        tokenizer.pad({"input_ids": [encoded[i] for i in order[s : s + args.batch_size]]}, return_tensors="pt")
        for s in range(0, len(order), args.batch_size)
    ]
    warnings.filterwarnings("ignore", message=".*(quantiz|torchao).*")  # deprecation notices of torch.ao
    int8 = torch.ao.quantization.quantize_dynamic(model, {nn.LSTM, nn.Linear}, dtype=torch.qint8)
    classify(model, batches[:1])  # warm-up
    classify(int8, batches[:1])
    fp32_probs, fp32_s = classify(model, batches)
    int8_probs, int8_s = classify(int8, batches)
    same = (fp32_probs.argmax(1) == int8_probs.argmax(1)).float().mean().item()
    print(f"{len(rows)} documents, {sum(map(len, encoded)):,} tokens, batch size {args.batch_size}, {args.folder}")
    print(
        f"predictions unchanged by int8: {same:.2%}; max |probability change| {(fp32_probs - int8_probs).abs().max():.2e}"
    )
    if all("label" in row for row in rows):
        # Saved label names are strings ("0", "positive"); the file may hold them as ints.
        gold = torch.tensor([model.config.label2id[str(rows[i]["label"])] for i in order])
        for name, probs in (("fp32", fp32_probs), ("int8", int8_probs)):
            print(f"accuracy {name}: {(probs.argmax(1) == gold).float().mean():.4f}")
    print(
        f"fp32 {len(rows) / fp32_s:.1f} docs/s, int8 {len(rows) / int8_s:.1f} docs/s: int8 / fp32 {fp32_s / int8_s:.2f}x"
    )


if __name__ == "__main__":
    main()
