"""A tiny classifier trained in seconds on synthetic reviews in which two words decide the label."""

import pytest
from synthetic_reviews import train_classifier


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A saved folder (model and tokenizer), the model in eval mode and the tokenizer."""
    model, tokenizer = train_classifier()
    folder = tmp_path_factory.mktemp("trained")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder, model, tokenizer
