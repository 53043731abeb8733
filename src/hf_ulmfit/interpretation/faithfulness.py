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
"""Deletion test of an attribution: does deleting the k tokens it ranks highest move the prediction more than
deleting k tokens at random? The change is measured on the explained class's probability or its log-odds."""

import random

import torch

from .attribution import Attribution, class_probabilities

MEASURES = ("probability", "log_odds")
DELETIONS = ("remove", "unk")


def evidence(model, input_ids: list[list[int]], class_id: int, measure: str = "log_odds") -> list[float]:
    """For texts of one length (one batch, no padding), the model's probability of `class_id`, or its log-odds
    log(p / (1 - p)). A confident classifier's probability sits near 0 or 1, where every deletion moves it by
    almost nothing; the log-odds (the logit margin) order texts the same way without that squeeze."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}.")
    with torch.no_grad():
        logits = model(torch.tensor(input_ids, device=model.device)).logits.float()
    probabilities = class_probabilities(model, logits)  # also refuses a regression model
    if measure == "probability":
        return probabilities[:, class_id].tolist()
    if model.config.problem_type == "multi_label_classification":
        return logits[:, class_id].tolist()  # a sigmoid's logit is its log-odds
    # Softmax: log p_c - log(1 - p_c) from the logits, finite even where p_c rounds to 1.
    others = torch.cat([logits[:, :class_id], logits[:, class_id + 1 :]], 1)
    return (logits[:, class_id] - torch.logsumexp(others, 1)).tolist()


def delete(input_ids: list[int], positions, how: str = "remove", unk_id: int = 0) -> list[int]:
    """`input_ids` without the tokens at `positions` (`how="remove"`), or with xxunk in their place (`"unk"`:
    the text keeps its length, so later tokens keep their positions)."""
    drop = set(positions)
    if how == "remove":
        return [t for i, t in enumerate(input_ids) if i not in drop]
    if how == "unk":
        return [unk_id if i in drop else t for i, t in enumerate(input_ids)]
    raise ValueError(f"how must be one of {DELETIONS}, got {how!r}.")


def ranking(attribution: Attribution, keep: int = 1) -> list[int]:
    """Token positions from the highest score down, the first `keep` left out (xxbos starts every text and
    stands for no word, so deleting it is no test of the words)."""
    return sorted(range(keep, len(attribution.input_ids)), key=lambda i: -float(attribution.scores[i]))


def deletion_changes(model, input_ids: list[int], ranked: list[int], class_id: int, k: int, how: str = "remove",
                     measure: str = "log_odds", draws: int = 5, rng: random.Random | None = None,
                     unk_id: int = 0) -> tuple[float, float]:
    """How far deleting the first `k` positions of `ranked` moves the evidence for `class_id` (absolute change),
    and the mean of the same over `draws` random sets of `k` of those positions. The random sets depend on `rng`
    and the positions, not on their order, so every ranking of a text meets the same ones."""
    if not 1 <= k <= len(ranked):
        raise ValueError(f"k must lie in [1, {len(ranked)}] (the positions ranked), got {k}.")
    rng = rng or random.Random(0)
    population = sorted(ranked)
    deleted = [ranked[:k]] + [rng.sample(population, k) for _ in range(draws)]
    # Every deletion leaves the same length, so all of them run as one batch.
    (before,) = evidence(model, [input_ids], class_id, measure)
    after = evidence(model, [delete(input_ids, positions, how, unk_id) for positions in deleted], class_id, measure)
    changes = [abs(before - value) for value in after]
    return changes[0], sum(changes[1:]) / draws
