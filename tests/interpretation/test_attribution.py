"""Both attribution methods on tiny random classifiers: exact through BPT3C chunks and outside the pooled window,
integrated gradients add up, the model is left as it was, clear errors."""

import pytest
import torch

from hf_ulmfit import ULMFiTConfig, ULMFiTForSequenceClassification
from hf_ulmfit.interpretation import integrated_gradients, intrinsic_attention
from hf_ulmfit.interpretation.attribution import attribute

VOCAB = 40


@pytest.fixture(scope="module")
def clas():
    torch.manual_seed(0)
    config = ULMFiTConfig(vocab_size=VOCAB, embedding_size=8, hidden_size=12, num_hidden_layers=3, bptt=5, max_len=12,
                          initializer_range=1.0, num_labels=3).for_classifier()
    model = ULMFiTForSequenceClassification(config).double().eval()
    with torch.no_grad():  # BatchNorm statistics that are not the identity
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.running_mean.normal_(0, 0.2)
                module.running_var.uniform_(0.5, 1.5)
    return model


def doc(length, seed=0):
    ids = torch.randint(9, VOCAB, (length,), generator=torch.Generator().manual_seed(seed))
    ids[0] = 2
    return ids


def one_pass_probability(model, embeds, class_id):
    """An independent reading of the classifier: the whole document in one LSTM pass, then fastai's pooling of the
    chunks starting within the last max_len tokens, the head and the softmax."""
    length, (bptt, max_len) = embeds.shape[1], (model.config.bptt, model.config.max_len)
    first = next(i for i in range(0, length, bptt) if length - i <= max_len)
    out = model.ulmfit(inputs_embeds=embeds).last_hidden_state[0, first:]
    pooled = torch.cat([out[-1], out.max(0).values, out.mean(0)])[None]
    return model.classifier(pooled).softmax(-1)[0, class_id]


@pytest.mark.parametrize("length", [4, 12, 23, 31])  # one chunk; several; longer than max_len (two lengths)
def test_intrinsic_attention_is_the_exact_gradient(clas, length):
    ids = doc(length, seed=length)
    ours = intrinsic_attention(clas, ids)
    embeds = clas.ulmfit.embeddings(ids[None]).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(one_pass_probability(clas, embeds, ours.class_id), embeds)
    expected = grad[0].abs().sum(-1)
    torch.testing.assert_close(ours.scores, expected / expected.max())
    assert ours.class_id == int(ours.probabilities.argmax())
    if length > clas.config.max_len:  # tokens before the pooled window still move the prediction, through the state
        assert ours.scores[: length - clas.config.max_len].min() > 0


@pytest.mark.parametrize("length", [4, 23])
def test_integrated_gradients_add_up_to_the_probability_gap(clas, length):
    ids = doc(length, seed=length + 1)
    ours = integrated_gradients(clas, ids, class_id=1, steps=256, batch_size=100)
    pad = clas.ulmfit.embeddings.weight[clas.config.pad_token_id].expand(1, length, -1)
    with torch.no_grad():
        assert ours.baseline_probability == pytest.approx(float(one_pass_probability(clas, pad, 1)))
    gap = float(ours.probabilities[1]) - ours.baseline_probability
    assert float(ours.scores.sum()) == pytest.approx(gap, abs=1e-3 * max(abs(gap), 1e-2))
    # the path's batches do not change the result
    again = integrated_gradients(clas, ids, class_id=1, steps=256, batch_size=7)
    torch.testing.assert_close(again.scores, ours.scores)


def test_the_model_is_left_as_it_was(clas):
    clas.train()
    try:
        before = {k: v.clone() for k, v in clas.state_dict().items()}
        first = attribute(clas, doc(9), "integrated_gradients", steps=4)
        assert clas.training and all(p.grad is None for p in clas.parameters())
        assert all(torch.equal(before[k], v) for k, v in clas.state_dict().items())  # BatchNorm statistics too
        # dropouts stay off inside: the same scores twice
        torch.testing.assert_close(attribute(clas, doc(9), "integrated_gradients", steps=4).scores, first.scores)
    finally:
        clas.eval()


def test_clear_errors(clas):
    with pytest.raises(ValueError, match="class_id"):
        intrinsic_attention(clas, doc(5), class_id=3)
    with pytest.raises(ValueError, match="no token"):
        intrinsic_attention(clas, [])
    with pytest.raises(ValueError, match="method"):
        attribute(clas, doc(5), "saliency")
    with pytest.raises(ValueError, match="steps"):
        integrated_gradients(clas, doc(5), steps=0)
    regression = ULMFiTForSequenceClassification(ULMFiTConfig(vocab_size=VOCAB, embedding_size=8, hidden_size=12,
                                                              num_hidden_layers=2, num_labels=1)).eval()
    with pytest.raises(ValueError, match="regression"):
        intrinsic_attention(regression, doc(5))
