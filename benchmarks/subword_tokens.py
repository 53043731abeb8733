"""What a subword shipped LM would read: tokens per word and unknown tokens of a unigram vocabulary of the shipped
LM's size, trained on WikiText-2, on each task's test texts beside the shipped word vocabulary (docs/transfer.md).

    python benchmarks/subword_tokens.py [--paragraphs 8000] [--vocab_size 12000]

Reads ../shared/data/wikitext-2 and the task files of `examples/evaluate_transfer.py prepare` (RUN_DIR/data).
"""

import argparse
import json
import time
from pathlib import Path

from transformers import AutoTokenizer

from hf_ulmfit import train_subword_tokenizer
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import words

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=8000, help="WikiText-2 training paragraphs to train on")
    parser.add_argument("--vocab_size", type=int, default=12000)
    parser.add_argument("--run_dir", type=Path, default=REPO / "runs" / "transfer")
    parser.add_argument("--model", type=Path, default=REPO / "pretrained" / "awd-lstm-small-en")
    args = parser.parse_args()
    word_level = AutoTokenizer.from_pretrained(args.model)
    text = REPO.parent / "shared" / "data" / "wikitext-2" / "train.txt"
    paragraphs = [line for line in text.open(encoding="utf-8") if line.strip() and not line.startswith(" =")]
    paragraphs = paragraphs[: args.paragraphs]
    started = time.perf_counter()
    subword = train_subword_tokenizer(paragraphs, vocab_size=args.vocab_size)
    print(f"unigram vocabulary of {len(subword)} on {sum(len(p.split()) for p in paragraphs):,} words in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    print("| task | word tokens | subword tokens | per word | word xxunk | subword xxunk |\n|---|---|---|---|---|---|")
    for task in ("mpqa", "trec", "sst2", "imdb"):
        path = args.run_dir / "data" / f"{task}.test.jsonl"
        if not path.is_file():
            continue
        texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
        vocab = word_level.get_vocab()
        tokens = [token for t in texts for token in words(word_level.backend_tokenizer, t)[1:]]  # xxbos aside
        ids = subword(texts, add_special_tokens=False)["input_ids"]
        pieces = sum(map(len, ids))
        print(f"| {task} | {len(tokens):,} | {pieces:,} | {pieces / len(tokens):.2f} | "
              f"{sum(t not in vocab for t in tokens) / len(tokens):.1%} | {sum(i == 0 for d in ids for i in d)} |")


if __name__ == "__main__":
    main()
