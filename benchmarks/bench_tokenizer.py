"""Tokenizer throughput: fastai 2.8's default tokenizer (spaCy + rules, one process) vs ULMFiTTokenizerFast.

Run in the benchmark virtualenv, which holds fastai beside transformers/tokenizers (`make bench` builds it):
    .venv-bench/bin/python benchmarks/bench_tokenizer.py [--n 5000] [--big-mb 10]

Both tokenize the same IMDb reviews back to back in this process; the script prints words/s (tokens produced,
xxbos and rule tokens included) for each, the ratio, the share of reviews tokenized identically, and the time
ULMFiTTokenizerFast takes on one document of 1/4, 1/2 and all of `--big-mb` megabytes (linear time). A ceiling
is printed beside them: a bare `tokenizers` pipeline (whitespace split + WordLevel on the same vocabulary, none of
fastai's rules or spaCy's splitting) on the same reviews, i.e. the most any pipeline built on `tokenizers` could
reach on this machine. The
tokenizer module is loaded from its file, as a saved folder loads it, so the venv needs no `hf_ulmfit` install.
"""

import argparse
import gzip
import importlib.util
import json
import os
import platform
import sys
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def load_tokenizer_module():
    spec = importlib.util.spec_from_file_location("tokenization_ulmfit", REPO / "src/hf_ulmfit/models/ulmfit/tokenization_ulmfit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_texts(path: Path, n: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in islice(f, n)]


def bare_backend(itos: list[str]):
    """Whitespace split + WordLevel: what `tokenizers` costs before any rule or word splitting."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    bare = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(itos)}, unk_token="xxunk"))
    bare.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return bare


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "data/imdb/train.jsonl.gz")
    ap.add_argument("--vocab", type=Path, default=SHARED / "fixtures/fastai/tokens_imdb/vocab.json")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--big-mb", type=float, default=10.0)
    args = ap.parse_args()
    for path in (args.data, args.vocab):
        if not path.is_file():
            sys.exit(f"missing input {path} (the shared data folder lies beside the repository)")

    import fastai
    import spacy
    import tokenizers
    import transformers
    from fastai.text.all import SpacyTokenizer, TokenizeWithRules

    texts = read_texts(args.data, args.n)
    words_in = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} IMDb reviews, {words_in:,} whitespace words, {sum(map(len, texts)) / 1e6:.1f} MB")
    print(
        f"python {platform.python_version()}, fastai {fastai.__version__}, spacy {spacy.__version__}, "
        f"transformers {transformers.__version__}, tokenizers {tokenizers.__version__}, {os.cpu_count()} CPUs"
    )

    fastai_tok = TokenizeWithRules(SpacyTokenizer("en"))
    start = time.perf_counter()
    fastai_tokens = [list(t) for t in fastai_tok(texts)]
    fastai_s = time.perf_counter() - start
    fastai_n = sum(map(len, fastai_tokens))

    module = load_tokenizer_module()
    itos = json.loads(args.vocab.read_text(encoding="utf-8"))
    ours = module.ULMFiTTokenizerFast.from_vocab(itos)
    ours(texts[:10])  # warm-up: compiles the regexes
    start = time.perf_counter()
    ids = ours(texts)["input_ids"]
    ours_s = time.perf_counter() - start
    ours_n = sum(map(len, ids))

    backend = ours.backend_tokenizer
    same = sum(
        ["xxbos"] + [w for w, _ in backend.pre_tokenizer.pre_tokenize_str(backend.normalizer.normalize_str(text))]
        == ref
        for text, ref in zip(texts, fastai_tokens, strict=True)
    )
    print(
        f"fastai (spaCy + rules, 1 process): {fastai_n:,} tokens in {fastai_s:.2f} s = {fastai_n / fastai_s:,.0f} words/s"
    )
    print(f"ULMFiTTokenizerFast (batch call):  {ours_n:,} tokens in {ours_s:.2f} s = {ours_n / ours_s:,.0f} words/s")
    print(
        f"ratio: {(ours_n / ours_s) / (fastai_n / fastai_s):.1f}x; reviews tokenized identically: {same / len(texts):.2%}"
    )
    bare = bare_backend(itos)
    bare.encode_batch(texts[:10])
    start = time.perf_counter()
    bare_n = sum(len(e.ids) for e in bare.encode_batch(texts))
    bare_s = time.perf_counter() - start
    print(
        f"ceiling, bare tokenizers (whitespace split + WordLevel, no rules): {bare_n:,} tokens in {bare_s:.2f} s = "
        f"{bare_n / bare_s:,.0f} words/s = {(bare_n / bare_s) / (fastai_n / fastai_s):.1f}x fastai"
    )

    corpus = " ".join(texts)
    for share in (0.25, 0.5, 1.0):
        size = int(args.big_mb * 1e6 * share)
        document = (corpus * (size // len(corpus) + 1))[:size]
        start = time.perf_counter()
        n = len(ours(document)["input_ids"])
        elapsed = time.perf_counter() - start
        print(f"one {size / 1e6:.1f} MB document: {n:,} tokens in {elapsed:.2f} s ({elapsed / (size / 1e6):.2f} s/MB)")


if __name__ == "__main__":
    main()
