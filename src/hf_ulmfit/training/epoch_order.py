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
"""One epoch's token stream read lazily: documents stay where they are (a memory-mapped token store or an array in
memory), and a stream position is mapped to the position of its token in the flat documents through the epoch's
document order. The order costs two integers per document; nothing per token is built."""

import numpy as np


class FlatDocuments:
    """Documents held in memory the way a `TokenStore` holds them on disk: `tokens[offsets[i]:offsets[i + 1]]` is
    document i."""

    def __init__(self, tokens: np.ndarray, offsets: np.ndarray):
        self.tokens, self.offsets = tokens, offsets

    @property
    def num_tokens(self) -> int:
        return int(self.offsets[-1])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def read(self, positions: np.ndarray) -> np.ndarray:
        return self.tokens[positions]


class EpochOrder:
    """The documents of `offsets` in the order `order` (`None`: as stored), as one stream.

    `ends[d]` is where the d-th document of the epoch ends in the stream, and `shift[d]` what to add to a stream
    position inside it to get the position in the flat documents."""

    def __init__(self, offsets: np.ndarray, order: np.ndarray | None = None):
        if order is None:
            self.ends, self.shift = None, None  # stream position == stored position
            return
        starts = np.asarray(offsets[:-1][order], dtype=np.int64)
        lengths = np.asarray(offsets[1:][order], dtype=np.int64) - starts
        self.ends = np.cumsum(lengths)
        self.shift = starts - (self.ends - lengths)

    def sources(self, positions: np.ndarray) -> np.ndarray:
        """Where the tokens at stream `positions` (each < the token count) are stored."""
        if self.shift is None:
            return positions
        return positions + self.shift[np.searchsorted(self.ends, positions, side="right")]


def read_rows(documents, order: EpochOrder, positions: np.ndarray, pad_token_id: int) -> np.ndarray:
    """The stream's tokens at `positions` (any shape) as int64; positions past the stream's end read `pad_token_id`.
    Only the tokens asked for are read (`documents.read`: a `TokenStore` or `FlatDocuments`)."""
    ids = np.full(positions.shape, pad_token_id, dtype=np.int64)
    real = positions < documents.num_tokens
    ids[real] = documents.read(order.sources(positions[real]))  # row by row: runs of consecutive positions
    return ids


__all__ = ["EpochOrder", "FlatDocuments", "read_rows"]
