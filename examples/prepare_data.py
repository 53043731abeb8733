"""Turn TREC and SST-2 (as distributed in ../shared/data) into JSON lines with "text" and "label" columns, the
format the stage scripts read (`--train_files ... --validation_files ...`).

    python examples/prepare_data.py ../shared/data runs/data
writes runs/data/trec-6.{train,test}.jsonl, trec-50.{train,test}.jsonl and sst2.{train,dev,test}.jsonl.
"""

import json
import sys
from pathlib import Path

from hf_ulmfit.utils import atomic_path


def trec(path: Path, fine: bool) -> list[dict]:
    """`COARSE:fine question text` lines, Latin-1 encoded."""
    rows = []
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.strip():
            label, text = line.split(" ", 1)
            rows.append({"text": text.strip(), "label": label if fine else label.split(":")[0]})
    return rows


def sst2(path: Path) -> list[dict]:
    """`label text` lines (0 negative, 1 positive)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            label, text = line.split(" ", 1)
            rows.append({"text": text, "label": ["neg", "pos"][int(label)]})
    return rows


def write(rows: list[dict], path: Path) -> None:
    """JSON lines, written whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{path}: {len(rows)} rows")


def main(shared: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        write(trec(shared / "trec" / f"TREC.{split}", fine=False), out / f"trec-6.{split}.jsonl")
        write(trec(shared / "trec" / f"TREC.{split}", fine=True), out / f"trec-50.{split}.jsonl")
    for split in ("train", "dev", "test"):
        write(sst2(shared / "sst2" / f"stsa.binary.{split}"), out / f"sst2.{split}.jsonl")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
