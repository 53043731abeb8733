import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# fastai 2.8.12's reference outputs, copied from shared/fixtures so that every clone runs the parity tests
# (tests/fixtures/README.md says how they were made).
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def fastai_tokens(fixtures_dir):
    """fastai 2.8.12's tokens and vocabulary for IMDb reviews (see tests/fixtures/README.md)."""
    import gzip
    import json

    folder = fixtures_dir / "fastai" / "tokens_imdb"
    with gzip.open(folder / "tokens.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return rows, json.loads((folder / "vocab.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def fastai_small(fixtures_dir):
    """fastai 2.8.12 reference weights and outputs (see tests/fixtures/README.md)."""
    import json

    from safetensors.torch import load_file

    folder = fixtures_dir / "fastai" / "small"
    return {
        "dir": folder,
        "config": json.loads((folder / "config.json").read_text()),
        "outputs": load_file(str(folder / "outputs.safetensors")),
    }
