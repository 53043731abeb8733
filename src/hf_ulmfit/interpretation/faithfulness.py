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
    return all_evidence(model, input_ids, class_id)[measure]


def all_evidence(model, input_ids: list[list[int]], class_id: int) -> dict[str, list[float]]:
    """`evidence` under every measure of MEASURES, from one forward pass."""
    with torch.no_grad():
        logits = model(torch.tensor(input_ids, device=model.device)).logits.float()
    probabilities = class_probabilities(model, logits)  # also refuses a regression model
    if model.config.problem_type == "multi_label_classification":
        log_odds = logits[:, class_id]  # a sigmoid's logit is its log-odds
    else:  # softmax: log p_c - log(1 - p_c) from the logits, finite even where p_c rounds to 1
        others = torch.cat([logits[:, :class_id], logits[:, class_id + 1 :]], 1)
        log_odds = logits[:, class_id] - torch.logsumexp(others, 1)
    return {"probability": probabilities[:, class_id].tolist(), "log_odds": log_odds.tolist()}


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


def deletion_changes(model, input_ids: list[int], rankings: dict[str, list[int]], class_id: int, k: int,
                     how: str = "remove", draws: int = 5, rng: random.Random | None = None,
                     unk_id: int = 0) -> dict[tuple[str, str], tuple[float, float]]:
    """For every ranking (name -> positions, highest first) and measure: how far deleting the ranking's first `k`
    positions moves the evidence for `class_id` (absolute change), and the mean of the same over `draws` random
    sets of `k` of those positions. The random sets are drawn once from `rng`, so every ranking meets the same
    ones, and all deletions run in one batch whose evidence serves every measure."""
    populations = {tuple(sorted(ranked)) for ranked in rankings.values()}
    if len(populations) != 1:
        raise ValueError("The rankings must order the same positions.")
    population = list(populations.pop())
    if not 1 <= k <= len(population):
        raise ValueError(f"k must lie in [1, {len(population)}] (the positions ranked), got {k}.")
    rng = rng or random.Random(0)
    deleted = [ranked[:k] for ranked in rankings.values()] + [rng.sample(population, k) for _ in range(draws)]
    # Every deletion leaves the same length, so all of them run as one batch.
    before = all_evidence(model, [input_ids], class_id)
    after = all_evidence(model, [delete(input_ids, positions, how, unk_id) for positions in deleted], class_id)
    results = {}
    for measure in MEASURES:
        changes = [abs(before[measure][0] - value) for value in after[measure]]
        at_random = sum(changes[len(rankings) :]) / draws
        results.update({(name, measure): (changes[i], at_random) for i, name in enumerate(rankings)})
    return results
