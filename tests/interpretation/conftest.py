"""A tiny classifier trained in seconds on synthetic reviews in which two words decide the label."""

import pytest
import torch
from synthetic_reviews import DECISIVE, FILLER, LABELS, reviews

from hf_ulmfit import ULMFiTConfig, ULMFiTForSequenceClassification, ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import SPECIAL_TOKENS


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A saved folder (model and tokenizer), the model in eval mode and the tokenizer."""
    itos = SPECIAL_TOKENS + FILLER + [w for words in DECISIVE.values() for w in words] + ["."]
    tokenizer = ULMFiTTokenizerFast.from_vocab(itos)
    config = ULMFiTConfig(vocab_size=len(itos), embedding_size=16, hidden_size=24, num_hidden_layers=2, bptt=8,
                          max_len=64, drop_mult=0.1, classifier_hidden_sizes=[16], num_labels=2,
                          id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})
    torch.manual_seed(0)
    model = ULMFiTForSequenceClassification(config.for_classifier(drop_mult=0.1))
    texts, labels = reviews(256, seed=0)
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    targets = torch.tensor(labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for step in range(60):
        rows = torch.randperm(len(texts), generator=torch.Generator().manual_seed(step))[:32]
        loss = model(input_ids=batch["input_ids"][rows], attention_mask=batch["attention_mask"][rows],
                     labels=targets[rows]).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    folder = tmp_path_factory.mktemp("trained")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder, model, tokenizer
