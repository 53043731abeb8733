"""examples/replicate.py (the replication's commands) on a tiny fabricated copy of the shared data: every step
runs, appends its row, and the report turns the rows into tables and a plot."""

import gzip
import json
import random
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))
import replicate  # noqa: E402

WORDS = "the a film movie plot actor scene story director music ending script".split()
POSITIVE, NEGATIVE = "great wonderful superb loved brilliant".split(), "awful boring terrible hated dull".split()


def sentence(rng: random.Random, extra: list[str] = ()) -> str:
    words = [rng.choice(WORDS + list(extra)) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def fake_shared(root: Path) -> Path:
    rng = random.Random(0)
    (root / "wikitext-2").mkdir(parents=True)
    for split, n in (("train", 300), ("valid", 40), ("test", 40)):
        lines = [" = Title = "] + [sentence(rng) + " <unk> " + sentence(rng) for _ in range(n)]
        (root / "wikitext-2" / f"{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "imdb").mkdir()
    for split, n in (("train", 120), ("unsup", 120), ("test", 60)):
        rows = []
        for i in range(n):
            label = ["neg", "pos", "unsup"][2 if split == "unsup" else i % 2]
            tone = {"neg": NEGATIVE, "pos": POSITIVE, "unsup": POSITIVE + NEGATIVE}[label]
            rows.append({"id": f"{split}_{i}", "text": " ".join(sentence(rng, tone) for _ in range(3)), "label": label})
        with gzip.open(root / "imdb" / f"{split}.jsonl.gz", "wt", encoding="utf-8") as f:
            f.writelines(json.dumps(row) + "\n" for row in rows)
    (root / "trec").mkdir()
    for split in ("train", "test"):
        (root / "trec" / f"TREC.{split}").write_text("DESC:manner How did it end ?\nHUM:ind Who made it ?\n",
                                                     encoding="latin-1")
    return root


def test_replication_steps_record_rows_and_the_report_summarizes_them(tmp_path, monkeypatch):
    monkeypatch.setattr(replicate, "SHARED", fake_shared(tmp_path / "shared"))
    monkeypatch.setattr(replicate, "LM_TEXTS", 200)
    monkeypatch.setattr(replicate, "TEST_REVIEWS", 50)
    monkeypatch.setattr(replicate, "BATCH", dict(per_device_train_batch_size=4, per_device_eval_batch_size=4, bptt=8))
    monkeypatch.setitem(replicate.SIZES, "embedding_size", 8)
    monkeypatch.setitem(replicate.SIZES, "hidden_size", 12)
    monkeypatch.setitem(replicate.SIZES, "num_hidden_layers", 2)
    run_dir, docs = tmp_path / "run", tmp_path / "docs"
    monkeypatch.setattr(replicate, "REPO", tmp_path)  # the report goes to REPO/docs/replication

    def step(*argv):
        monkeypatch.setattr(sys, "argv", ["replicate.py", "--run_dir", str(run_dir), *argv])
        replicate.main()

    step("prepare")
    assert "xxunk" in (run_dir / "data" / "wt2.train.jsonl").read_text() and "<unk>" not in (
        run_dir / "data" / "wt2.train.jsonl").read_text()
    step("lm", "wt2")
    step("lm", "imdb")
    step("clas", "imdb", "--labels", "40", "--variant", "ulmfit")
    step("clas", "imdb", "--labels", "40", "--variant", "scratch", "--seed", "1")
    step("report")

    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert [(r["step"], r.get("corpus") or r.get("variant")) for r in rows] == [
        ("lm", "wt2"), ("lm", "imdb"), ("clas", "ulmfit"), ("clas", "scratch")]
    assert "test_perplexity" in rows[0] and rows[0]["valid_perplexity"] > 1
    assert all(0 <= r["accuracy"] <= 1 for r in rows[2:]) and rows[3]["seed"] == 1
    assert rows[2]["command"].endswith("clas imdb --labels 40 --variant ulmfit")
    assert {"wall_s", "date", "commit", "threads", "versions"} <= set(rows[0])
    report = (docs / "replication" / "results.md").read_text()
    assert "| imdb | 40 | ulmfit | fwd |" in report and "| imdb | 40 | scratch | fwd |" in report
    assert (docs / "replication" / "imdb_labels.png").stat().st_size > 0
    assert (docs / "replication" / "lm-wt2-fwd-curves.png").is_file()
