import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent (it lies beside the repository on project machines)")
    return SHARED


@pytest.fixture(scope="session")
def fastai_tokens(shared_dir):
    """fastai 2.8.12's tokens and vocabulary for IMDb reviews (see shared/fixtures/README.md)."""
    import gzip
    import json

    folder = shared_dir / "fixtures" / "fastai" / "tokens_imdb"
    if not (folder / "tokens.jsonl.gz").is_file():
        pytest.skip(f"fastai tokenization fixture {folder} is absent")
    with gzip.open(folder / "tokens.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return rows, json.loads((folder / "vocab.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def fastai_small(shared_dir):
    """fastai 2.8.12 reference weights and outputs (see shared/fixtures/README.md)."""
    import json

    from safetensors.torch import load_file

    folder = shared_dir / "fixtures" / "fastai" / "small"
    if not folder.is_dir():
        pytest.skip(f"fastai parity fixture {folder} is absent")
    return {
        "dir": folder,
        "config": json.loads((folder / "config.json").read_text()),
        "outputs": load_file(str(folder / "outputs.safetensors")),
    }
