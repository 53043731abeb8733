# Copyright 2026 The hf_ulmfit Authors. All rights reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""Dynamic batching: the texts of concurrent requests are merged and classified together in length-sorted batches.

A batch opens with the first text that arrives and closes when `max_wait_s` has passed since then, or when it holds
`max_batch_tokens` tokens or `max_batch_size` texts, whichever comes first; a lone request therefore waits at most
`max_wait_s` before its forward starts. While the model computes one batch (on its own thread, so the event loop
keeps accepting requests) the next one fills, so under load batches grow with the concurrency without waiting.
"""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch

logger = logging.getLogger(__name__)


@dataclass
class _Pending:
    ids: list[int]
    future: asyncio.Future


class MicroBatcher:
    """`await submit(ids)` gives the scores (len(ids), C) of one request's token id lists; `run(ids)` classifies
    a merged batch of id lists on the model's thread (scoring.classify_ids with the backend)."""

    def __init__(self, run: Callable[[list[list[int]]], torch.Tensor], max_wait_s: float, max_batch_tokens: int,
                 max_batch_size: int):  # fmt: skip
        self.run, self.max_wait_s = run, max_wait_s
        self.max_batch_tokens, self.max_batch_size = max_batch_tokens, max_batch_size
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        self.batches = 0  # how many forwards ran, for /metadata and the tests of merging

    async def submit(self, ids: list[list[int]]) -> torch.Tensor:
        loop = asyncio.get_running_loop()
        pending = [_Pending(row, loop.create_future()) for row in ids]
        for item in pending:
            self.queue.put_nowait(item)
        return torch.stack(await asyncio.gather(*(item.future for item in pending)))

    async def _collect(self) -> list[_Pending]:
        """The next batch: the first text, then whatever arrives within the wait bound, up to the size bounds."""
        batch = [await self.queue.get()]
        tokens = len(batch[0].ids)
        deadline = asyncio.get_running_loop().time() + self.max_wait_s
        while tokens < self.max_batch_tokens and len(batch) < self.max_batch_size:
            if self.queue.empty():
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self.queue.get(), remaining)
                except TimeoutError:
                    break
            else:
                item = self.queue.get_nowait()
            batch.append(item)
            tokens += len(item.ids)
        return batch

    async def serve_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect()
            live = [item for item in batch if not item.future.done()]  # a client that went away is skipped
            if not live:
                continue
            try:
                row_scores = await loop.run_in_executor(self.executor, self.run, [item.ids for item in live])
            except Exception as err:  # noqa: BLE001 - the requests get the error; the batcher keeps serving
                logger.exception("A batch of %d texts failed", len(live))
                for item in live:
                    if not item.future.done():
                        item.future.set_exception(err)
                continue
            self.batches += 1
            logger.debug("batch %d: %d texts, %d tokens", self.batches, len(live), sum(len(i.ids) for i in live))
            for item, row in zip(live, row_scores, strict=True):
                if not item.future.done():
                    item.future.set_result(row)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
