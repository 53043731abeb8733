"""Load test of the HTTP service against a naive server (pipeline() once per request) and LitServe's batching:
throughput and p50 / p99 latency of single-text requests at several concurrencies, with sentence-length and
IMDb-length texts. Loopback only; every level is bounded in requests and seconds; each server is stopped at the end.

    python benchmarks/serve_load.py DIR --targets service naive litserve --concurrency 1 8 32 \
        --requests 320 --max_seconds 20 --out serve_load.jsonl

Texts come from the embedded IMDb test sample (examples/data): a review's first sentence ("sentence") or the whole
review ("imdb"). Results (docs/serving.md) are one JSON line per target, text kind and concurrency.
"""

import argparse
import asyncio
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "imdb_test_sample.jsonl.gz"


def load_texts(kind: str, n: int = 500) -> list[str]:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        reviews = [json.loads(line)["text"] for line in f][:n]
    if kind == "imdb":
        return reviews
    sentences = [r.replace("<br />", " ").split(". ")[0].strip() + "." for r in reviews]
    return [s for s in sentences if 4 <= len(s.split()) <= 40]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(target: str, folder: str, port: int, args) -> list[str]:
    if target.startswith("service"):  # service, or service:BACKEND
        backend = target.partition(":")[2] or "fp32"
        return [sys.executable, "-m", "hf_ulmfit.serve", folder, "--port", str(port), "--threads", str(args.threads),
                "--backend", backend, "--workers", str(args.workers), "--max_wait_ms", str(args.max_wait_ms)]  # fmt: skip
    return [sys.executable, str(ROOT / "benchmarks" / f"{target}_server.py"), folder, "--port", str(port),
            "--threads", str(args.threads), "--batch_timeout", str(args.max_wait_ms / 1000)]  # fmt: skip


async def wait_ready(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            try:
                async with session.get(url + "/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError(f"the server was not ready within {timeout_s} s")


async def load_level(url: str, texts: list[str], concurrency: int, requests: int, max_seconds: float) -> dict:
    """`concurrency` clients each sending one text at a time until `requests` are done or `max_seconds` passed."""
    latencies, errors, sent = [], 0, 0
    start = time.perf_counter()
    deadline = start + max_seconds
    timeout = aiohttp.ClientTimeout(total=max(60.0, max_seconds))

    async def client(session):
        nonlocal errors, sent
        while sent < requests and time.perf_counter() < deadline:
            text = texts[sent % len(texts)]
            sent += 1
            t0 = time.perf_counter()
            async with session.post(url + "/predict", json={"text": text}) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
                    continue
            latencies.append(time.perf_counter() - t0)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def quantile(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None

    return {"concurrency": concurrency, "requests": len(latencies), "errors": errors,
            "seconds": round(elapsed, 2), "throughput_rps": round(len(latencies) / elapsed, 2),
            "p50_ms": quantile(0.50), "p99_ms": quantile(0.99)}  # fmt: skip


async def measure(target: str, args) -> list[dict]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(server_command(target, args.folder, port, args), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    rows = []
    try:
        await wait_ready(url, process, args.start_timeout)
        for kind in args.texts:
            texts = load_texts(kind)
            await load_level(url, texts, 2, 8, args.max_seconds)  # warm-up, not reported
            for concurrency in args.concurrency:
                row = {"target": target, "texts": kind, "workers": args.workers, "threads": args.threads,
                       **await load_level(url, texts, concurrency, args.requests, args.max_seconds)}  # fmt: skip
                row["rss_mib"] = round(process_tree_rss(process.pid), 1)
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and its workers
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return rows


def process_tree_rss(pid: int) -> float:
    """Resident memory of `pid` and every descendant (uvicorn or LitServe workers), in MiB."""
    total, stack = 0.0, [pid]
    while stack:
        p = stack.pop()
        status = Path(f"/proc/{p}/status")
        if not status.is_file():
            continue
        line = next((x for x in status.read_text().splitlines() if x.startswith("VmRSS")), "VmRSS: 0 kB")
        total += int(line.split()[1]) / 1024
        children = Path(f"/proc/{p}/task/{p}/children")
        if children.is_file():
            stack += [int(c) for c in children.read_text().split()]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a saved classifier")
    parser.add_argument("--targets", nargs="+", default=["service", "naive"],
                        help="service[:BACKEND], naive, litserve")  # fmt: skip
    parser.add_argument("--texts", nargs="+", choices=["sentence", "imdb"], default=["sentence", "imdb"])
    parser.add_argument("--concurrency", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=320, help="per level at most")
    parser.add_argument("--max_seconds", type=float, default=20.0, help="per level at most")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per server process")
    parser.add_argument("--workers", type=int, default=1, help="service processes (uvicorn workers)")
    parser.add_argument("--max_wait_ms", type=float, default=5.0, help="batching wait (the service and LitServe)")
    parser.add_argument("--start_timeout", type=float, default=300.0)
    parser.add_argument("--out", help="append the JSON lines to this file too")
    args = parser.parse_args()
    rows = [row for target in args.targets for row in asyncio.run(measure(target, args))]
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(row) + "\n" for row in rows)


if __name__ == "__main__":
    main()
