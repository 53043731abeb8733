"""examples/evaluate_transfer.py's report: the default against every other row on the same draws."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from evaluate_transfer import paired_differences, summarize  # noqa: E402


def row(method, seed, accuracy, tag="", wall_s=10.0, task="mpqa"):
    return {"task": task, "labels": "all", "method": method, "tag": tag, "seed": seed, "accuracy": accuracy,
            "wall_s": wall_s}  # fmt: skip


def test_paired_differences_pair_by_seed_and_give_the_standard_error():
    rows = [row("ulmfit", s, a, wall_s=30.0) for s, a in ((0, 0.86), (1, 0.87), (2, 0.85))]
    rows += [row("ulmfit", s, a, tag="no_adaptation", wall_s=20.0) for s, a in ((0, 0.84), (1, 0.84), (2, 0.84))]
    rows += [row("fasttext", 1, 0.85), row("tfidf", 5, 0.9), row("tfidf", 0, 0.8, task="trec")]
    lines = paired_differences(summarize(rows))
    body = [line for line in lines if line.startswith("| mpqa")]
    # +2, +3, +1 points: mean +2.0, standard error 1 / sqrt(3); fastText only shares seed 1; TF-IDF no seed.
    assert body == ["| mpqa | all | fasttext, default | 1 | +2.0 | 30 / 10 |",
                    "| mpqa | all | ulmfit, no_adaptation | 3 | +2.0 (0.6) | 30 / 20 |"]  # fmt: skip
    assert not any(line.startswith("| trec") for line in lines)  # no default row to compare with
