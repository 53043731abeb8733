"""Make the small embedded sample the demo runs on, from the full data sets in ../shared/data.

    python examples/data/make_sample.py ../shared/data

Writes next to this file (a few MB in all):
  wikitext2_sample.txt.gz   the first paragraphs of WikiText-2's training set (general-domain text, stage 1)
  imdb_unsup_sample.jsonl.gz  unlabelled IMDb reviews (target-domain text, stage 2; label "unsup")
  imdb_train_sample.jsonl.gz  labelled IMDb training reviews, balanced, label "neg"/"pos" (stages 2 and 3)
  imdb_test_sample.jsonl.gz   labelled IMDb test reviews, balanced (evaluation)
"""

import gzip
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIKI_WORDS = 600_000
UNSUP, TRAIN, TEST = 3000, 2000, 1000
LABELS = {0: "neg", 1: "pos"}


def read_jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def write_jsonl(rows: list[dict], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        for row in rows:
            f.write(json.dumps({"text": row["text"], "label": LABELS.get(row["label"], "unsup")}) + "\n")


def balanced(rows: list[dict], n: int, rng: random.Random) -> list[dict]:
    by_label = {label: [r for r in rows if r["label"] == label] for label in (0, 1)}
    picked = [r for label in (0, 1) for r in rng.sample(by_label[label], n // 2)]
    rng.shuffle(picked)
    return picked


def main(shared: Path) -> None:
    rng = random.Random(0)
    lines, words = [], 0
    for line in (shared / "wikitext-2" / "train.txt").read_text(encoding="utf-8").splitlines():
        if words >= WIKI_WORDS:
            break
        if line.strip():
            lines.append(line.strip())
            words += len(line.split())
    with gzip.open(HERE / "wikitext2_sample.txt.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("\n".join(lines) + "\n")
    imdb = shared / "imdb"
    write_jsonl(rng.sample(read_jsonl(imdb / "unsup.jsonl.gz"), UNSUP), HERE / "imdb_unsup_sample.jsonl.gz")
    write_jsonl(balanced(read_jsonl(imdb / "train.jsonl.gz"), TRAIN, rng), HERE / "imdb_train_sample.jsonl.gz")
    write_jsonl(balanced(read_jsonl(imdb / "test.jsonl.gz"), TEST, rng), HERE / "imdb_test_sample.jsonl.gz")
    for path in sorted(HERE.glob("*.gz")):
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data")
