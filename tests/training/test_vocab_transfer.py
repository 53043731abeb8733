import pytest
import torch
from ddp_common import SPECIALS, WORDS, tiny_classifier, tiny_lm

from hf_ulmfit.training.vocab_transfer import transfer_vocab

OLD = SPECIALS + WORDS


def test_shared_tokens_keep_their_rows_and_new_tokens_get_the_mean():
    model = tiny_lm()
    old_weight = model.get_input_embeddings().weight.detach().clone()
    with torch.no_grad():
        model.decoder.bias.copy_(torch.arange(len(OLD), dtype=torch.float))
    new = SPECIALS + ["w5", "new_a", "w0", "new_b"]
    transfer_vocab(model, OLD, {token: i for i, token in enumerate(new)})

    weight, bias = model.get_input_embeddings().weight.detach(), model.decoder.bias.detach()
    assert weight.shape == (len(new), old_weight.shape[1]) and model.config.vocab_size == len(new)
    assert model.decoder.weight is model.get_input_embeddings().weight  # still tied
    for i, token in enumerate(new):
        if token in OLD:
            torch.testing.assert_close(weight[i], old_weight[OLD.index(token)])
            assert bias[i] == OLD.index(token)
        else:
            torch.testing.assert_close(weight[i], old_weight.mean(0))
            assert bias[i] == pytest.approx((len(OLD) - 1) / 2)
    assert model(input_ids=torch.tensor([[2, 6, 5]])).logits.shape == (1, 3, len(new))


def test_classifier_and_bad_vocabularies():
    model = tiny_classifier()
    old_weight = model.get_input_embeddings().weight.detach().clone()
    transfer_vocab(model, OLD, list(reversed(OLD)))
    torch.testing.assert_close(model.get_input_embeddings().weight, old_weight.flip(0))
    with pytest.raises(ValueError, match="old_vocab must be the vocabulary the model was trained with"):
        transfer_vocab(tiny_lm(), OLD[:-1], OLD)
    with pytest.raises(ValueError, match="twice"):
        transfer_vocab(tiny_lm(), OLD, OLD + ["w1"])
