"""Memory and start-up time of LM training on a token store as the corpus grows, and the tokenize step's throughput
(docs/benchmarks.md, "Token store scaling").

    python benchmarks/token_store_scaling.py all --work /tmp/stores         # 10M, 100M, 1B tokens; 1B deleted after
    python benchmarks/token_store_scaling.py generate /tmp/stores/1B --tokens 1e9
    python benchmarks/token_store_scaling.py train /tmp/stores/1B           # one training process; prints JSON
    python benchmarks/token_store_scaling.py tokenize --n 4000 --num_proc 1 2

`generate` writes random ids (documents of 50 to 949 tokens, xxbos first) straight into a store, a chunk at a time:
the corpus never enters memory. `train` runs a few steps of a tiny model through `ULMFiTTrainer` in a fresh process
and reports its peak RSS (VmHWM: pages of the memory-mapped store it touched included), its anonymous and file-backed
RSS at the end, the stream's start-up (construction + first batch, which draws the epoch's document order) and the
time to read one batch of 64 x 72 tokens. `--baseline_src DIR` runs `train` against another checkout's `src/` (e.g.
the commit before the stream was read lazily) for comparison. `tokenize` times `tokenize_documents` (datasets.map,
`num_proc`) and the streaming path on the first N unlabelled IMDb reviews, in documents per second.
"""

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VOCAB = 1000  # the tiny model's vocabulary; ids are drawn in [4, VOCAB)
BOS = 2


def generate(path: Path, num_tokens: int, seed: int = 0, chunk_tokens: int = 20_000_000) -> None:
    from hf_ulmfit.training.token_store import write_token_store

    rng = np.random.default_rng(seed)

    def chunks():
        left = num_tokens
        while left > 0:
            lengths = rng.integers(50, 950, chunk_tokens // 500)
            lengths = lengths[np.cumsum(lengths) <= min(left, chunk_tokens)]
            if len(lengths) == 0:  # the last document takes what is left
                lengths = np.array([max(left, 2)])
            ids = rng.integers(4, VOCAB, int(lengths.sum()), dtype=np.uint16)
            ids[np.cumsum(lengths) - lengths] = BOS
            left -= int(lengths.sum())
            yield ids, lengths

    start = time.perf_counter()
    store = write_token_store(path, chunks(), VOCAB, bos_token_id=BOS, split="train", generated=True)
    print(json.dumps({"generated": str(path), "tokens": store.num_tokens, "documents": len(store),
                      "seconds": round(time.perf_counter() - start, 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


def memory() -> dict:
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {key: round(int(status[key].split()[0]) / 1024) for key in ("VmHWM", "RssAnon", "RssFile")}


def train(path: Path, steps: int, batch_size: int, bptt: int) -> None:
    """One training process (run fresh, so that its peak RSS is its own)."""
    import torch
    from transformers import logging as hf_logging

    from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM
    from hf_ulmfit.training.lm_stream import LMStreamDataset
    from hf_ulmfit.training.token_store import TokenStore
    from hf_ulmfit.training.trainer import ULMFiTTrainer
    from hf_ulmfit.training.training_args import ULMFiTTrainingArguments

    hf_logging.set_verbosity_error()
    baseline = memory()
    start = time.perf_counter()
    store = TokenStore(path)
    stream = LMStreamDataset(store, batch_size, bptt, bos_token_id=BOS, seed=0)
    stream[0]
    startup = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(1, 21):
        stream[i * 997 % len(stream)]
    batch_ms = (time.perf_counter() - start) / 20 * 1000
    del stream

    torch.manual_seed(0)
    config = ULMFiTConfig(vocab_size=VOCAB, embedding_size=16, hidden_size=32, num_hidden_layers=2, bptt=bptt)
    with tempfile.TemporaryDirectory() as out:
        args = ULMFiTTrainingArguments(output_dir=out, per_device_train_batch_size=batch_size, max_steps=steps,
                                       save_strategy="no", report_to="none", use_cpu=True, disable_tqdm=True,
                                       logging_steps=steps, seed=0)  # fmt: skip
        start = time.perf_counter()
        trainer = ULMFiTTrainer(model=ULMFiTForCausalLM(config), args=args, train_dataset=store)
        result = trainer.train()
        elapsed = time.perf_counter() - start
    print(json.dumps({"tokens": store.num_tokens, "documents": len(store), "stream_startup_s": round(startup, 3),
                      "batch_read_ms": round(batch_ms, 2), "trainer_s": round(elapsed, 1), "steps": steps,
                      "loss": round(result.training_loss, 3), "before_mb": baseline, **memory()}))


def tokenize(texts_path: Path, n: int, num_procs: list[int], tokenizer_dir: str) -> None:
    from datasets import Dataset
    from transformers import AutoTokenizer

    import hf_ulmfit  # noqa: F401  (registers the tokenizer class)
    from hf_ulmfit.recipe.corpus_streaming import Source, tokenize_streaming
    from hf_ulmfit.training.documents import tokenize_documents

    texts = []
    with gzip.open(texts_path, "rt", encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if len(texts) == n:
                break
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.jsonl"
        sample.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
        for num_proc in num_procs:
            dataset = Dataset.from_dict({"text": texts})  # in memory: datasets caches nothing to reuse
            start = time.perf_counter()
            ids = tokenize_documents(dataset, tokenizer, bos_token_id=tokenizer.bos_token_id, num_proc=num_proc)
            one_go = time.perf_counter() - start
            start = time.perf_counter()
            tokenize_streaming(Path(tmp) / f"out{num_proc}", tokenizer, [Source("train", str(sample))],
                               chunk_documents=500, num_proc=num_proc)
            streamed = time.perf_counter() - start
            tokens = sum(len(d) for d in ids["input_ids"])
            print(json.dumps({"num_proc": num_proc, "documents": n, "tokens": tokens,
                              "map_docs_per_s": round(n / one_go), "streaming_docs_per_s": round(n / streamed),
                              "load_average": os.getloadavg()[0]}))


def run_all(work: Path, sizes: list[float], steps: int, baseline_src: str | None, keep: bool) -> None:
    work.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        path = work / f"{size:g}"
        if not (path / "header.json").is_file():
            subprocess.run([sys.executable, __file__, "generate", str(path), "--tokens", str(size)], check=True)
        for src in [str(ROOT / "src"), *([baseline_src] if baseline_src and size <= 1e8 else [])]:
            env = {**os.environ, "PYTHONPATH": src, "OMP_NUM_THREADS": "1"}
            print(f"# {src}", flush=True)
            subprocess.run([sys.executable, __file__, "train", str(path), "--steps", str(steps)], env=env, check=True)
        if size >= 1e9 and not keep:
            shutil.rmtree(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("path", type=Path)
    g.add_argument("--tokens", type=float, required=True)
    t = sub.add_parser("train")
    t.add_argument("path", type=Path)
    t.add_argument("--steps", type=int, default=5)
    t.add_argument("--batch_size", type=int, default=64)
    t.add_argument("--bptt", type=int, default=72)
    k = sub.add_parser("tokenize")
    k.add_argument("--texts", type=Path, default=ROOT.parent / "shared/data/imdb/unsup.jsonl.gz")
    k.add_argument("--n", type=int, default=4000)
    k.add_argument("--num_proc", type=int, nargs="+", default=[1, 2])
    k.add_argument("--tokenizer", default=str(ROOT / "pretrained/awd-lstm-small-en"))
    a = sub.add_parser("all")
    a.add_argument("--work", type=Path, required=True)
    a.add_argument("--sizes", type=float, nargs="+", default=[1e7, 1e8, 1e9])
    a.add_argument("--steps", type=int, default=5)
    a.add_argument("--baseline_src", help="another checkout's src/ to compare with (10M and 100M only)")
    a.add_argument("--keep", action="store_true", help="keep the 1B-token store")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.path, int(args.tokens))
    elif args.command == "train":
        train(args.path, args.steps, args.batch_size, args.bptt)
    elif args.command == "tokenize":
        tokenize(args.texts, args.n, args.num_proc, args.tokenizer)
    else:
        run_all(args.work, args.sizes, args.steps, args.baseline_src, args.keep)


if __name__ == "__main__":
    main()
