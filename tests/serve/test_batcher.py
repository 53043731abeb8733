"""The micro-batcher: concurrent requests merged, batches bounded in texts and tokens, a lone request served."""

import asyncio

import pytest
import torch

from hf_ulmfit.serve.batcher import MicroBatcher


def recording_run(batches: list):
    def run(ids):  # score = the text's length, so every row can be checked against its request
        batches.append([len(row) for row in ids])
        return torch.tensor([[float(len(row))] for row in ids])

    return run


async def serve(batcher: MicroBatcher, requests: list[list[list[int]]]):
    task = asyncio.create_task(batcher.serve_forever())
    try:
        return await asyncio.gather(*(batcher.submit(r) for r in requests))
    finally:
        task.cancel()
        batcher.close()


def test_concurrent_requests_are_merged_up_to_the_size_bound():
    batches = []
    batcher = MicroBatcher(recording_run(batches), max_wait_s=60, max_batch_tokens=10_000, max_batch_size=6)
    requests = [[[1] * (n + 1), [1]] for n in range(6)]  # 12 texts
    out = asyncio.run(serve(batcher, requests))
    assert [len(b) for b in batches] == [6, 6]  # closed by the size bound, long before the 60 s wait
    for request, scores in zip(requests, out, strict=True):
        assert scores.flatten().tolist() == [float(len(row)) for row in request]


def test_batches_are_bounded_in_tokens():
    batches = []
    batcher = MicroBatcher(recording_run(batches), max_wait_s=60, max_batch_tokens=30, max_batch_size=100)
    asyncio.run(serve(batcher, [[[1] * 10] for _ in range(6)]))
    assert batches == [[10, 10, 10]] * 2  # closed by the token bound, long before the 60 s wait


def test_a_lone_request_is_served_after_the_wait_bound():
    batches = []
    batcher = MicroBatcher(recording_run(batches), max_wait_s=0.01, max_batch_tokens=10_000, max_batch_size=64)
    (scores,) = asyncio.run(serve(batcher, [[[1, 2, 3]]]))
    assert scores.tolist() == [[3.0]] and batches == [[3]]


def test_a_failing_batch_fails_its_requests_and_the_batcher_goes_on():
    calls = []

    def run(ids):
        calls.append(len(ids))
        if len(calls) == 1:
            raise RuntimeError("broken forward")
        return torch.ones(len(ids), 1)

    async def main():
        batcher = MicroBatcher(run, max_wait_s=0, max_batch_tokens=10_000, max_batch_size=64)
        task = asyncio.create_task(batcher.serve_forever())
        with pytest.raises(RuntimeError, match="broken forward"):
            await batcher.submit([[1]])
        second = await batcher.submit([[1]])
        task.cancel()
        batcher.close()
        return second

    assert asyncio.run(main()).tolist() == [[1.0]]
