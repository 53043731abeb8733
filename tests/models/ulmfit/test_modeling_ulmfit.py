"""Encoder, LM head and classifier semantics on tiny random models (seconds)."""

import pytest
import torch
import torch.nn.functional as F
from huggingface_hub.errors import StrictDataclassClassValidationError

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTModel
from hf_ulmfit.models.ulmfit.modeling_ulmfit import LSTMState, locked_dropout

VOCAB = 40


def tiny_config(**overrides) -> ULMFiTConfig:
    values = dict(vocab_size=VOCAB, embedding_size=8, hidden_size=12, num_hidden_layers=3, bptt=5, max_len=12,
                  initializer_range=1.0)
    return ULMFiTConfig(**{**values, **overrides})


def ids(batch, length, seed=0):
    return torch.randint(4, VOCAB, (batch, length), generator=torch.Generator().manual_seed(seed))


def pad(docs, side, pad_id=1):
    width = max(len(d) for d in docs)
    out = torch.full((len(docs), width), pad_id)
    mask = torch.zeros_like(out)
    for row, doc in enumerate(docs):
        span = slice(width - len(doc), width) if side == "left" else slice(0, len(doc))
        out[row, span], mask[row, span] = doc, 1
    return out, mask


@pytest.fixture
def lm():
    torch.manual_seed(0)
    return ULMFiTForCausalLM(tiny_config()).eval()


# --- encoder ---------------------------------------------------------------------------------------------------


def test_state_carried_across_halves_equals_whole(lm):
    x = ids(3, 17)
    with torch.no_grad():
        whole = lm.ulmfit(x)
        first = lm.ulmfit(x[:, :9])
        second = lm.ulmfit(x[:, 9:], state=first.state)
    torch.testing.assert_close(torch.cat([first.last_hidden_state, second.last_hidden_state], 1), whole.last_hidden_state)
    for (h1, c1), (h2, c2) in zip(second.state, whole.state, strict=True):
        torch.testing.assert_close(h1, h2)
        torch.testing.assert_close(c1, c2)


@pytest.mark.parametrize("side", ["left", "right"])
def test_padding_never_touches_outputs_or_state(lm, side):
    docs = [ids(1, n, seed=n)[0] for n in (11, 4, 7)]
    batch, mask = pad(docs, side)
    with torch.no_grad():
        out = lm.ulmfit(batch, attention_mask=mask)
        for row, doc in enumerate(docs):
            alone = lm.ulmfit(doc[None])
            real = mask[row].bool()
            torch.testing.assert_close(out.last_hidden_state[row, real], alone.last_hidden_state[0])
            assert (out.last_hidden_state[row, ~real] == 0).all()
            for (h, c), (ha, ca) in zip(out.state, alone.state, strict=True):
                torch.testing.assert_close(h[:, row], ha[:, 0])
                torch.testing.assert_close(c[:, row], ca[:, 0])


def count_rnn_calls(model):
    calls = []
    hooks = [rnn.register_forward_hook(lambda *_: calls.append(1)) for rnn in model.ulmfit.rnns]
    return calls, hooks


@pytest.mark.parametrize("training", [False, True])
def test_one_fused_lstm_call_per_layer(lm, training):
    lm.train(training)
    calls, hooks = count_rnn_calls(lm)
    lm(ids(2, 300))
    for hook in hooks:
        hook.remove()
    assert len(calls) == lm.config.num_hidden_layers


def test_training_dropouts_follow_fastai_semantics():
    torch.manual_seed(0)
    config = tiny_config(embed_dropout=0.5, input_dropout=0.5, weight_dropout=0.5, hidden_dropout=0.5, drop_mult=1.0)
    model = ULMFiTModel(config).train()
    # Embedding dropout removes whole words: every occurrence of a token shares one keep/drop decision.
    x = torch.tensor([[5, 6, 5, 7, 5, 6, 7, 5] * 4])
    emb = model.embed(x)
    plain = F.embedding(x, model.embeddings.weight)
    for token in (5, 6, 7):
        rows = emb[x == token]
        kept = (rows != 0).any(1)
        assert kept.all() or (~kept).all()
        if kept.all():
            torch.testing.assert_close(rows, plain[x == token] * 2)
    # Locked dropout: one mask per sequence and feature, the same at every time step.
    dropped = locked_dropout(torch.ones(4, 9, 6), 0.5, True)
    assert (dropped == dropped[:, :1]).all() and set(dropped.unique().tolist()) <= {0.0, 2.0}
    # Weight drop: the parameter is untouched, outputs vary per forward, gradients reach the raw matrix.
    before = model.rnns[0].weight_hh_l0.detach().clone()
    a, b = model(x).last_hidden_state, model(x).last_hidden_state
    assert not torch.allclose(a, b)
    assert torch.equal(model.rnns[0].weight_hh_l0, before)
    a.sum().backward()
    assert model.rnns[0].weight_hh_l0.grad.abs().sum() > 0
    model.eval()
    torch.testing.assert_close(model(x).last_hidden_state, model(x).last_hidden_state)
    # Weight drop alone (every other dropout off) still makes two training forwards differ.
    only_weight_drop = ULMFiTModel(tiny_config(embed_dropout=0.0, input_dropout=0.0, weight_dropout=0.5,
                                               hidden_dropout=0.0, drop_mult=1.0)).train()
    assert not torch.allclose(only_weight_drop(x).last_hidden_state, only_weight_drop(x).last_hidden_state)


def test_the_five_dropouts_are_visible_modules_without_parameters(lm):
    text = str(lm)
    for name, kind in (("embed_dropout", "EmbeddingDropout"), ("input_dropout", "RNNDropout"),
                       ("weight_dropout", "WeightDropout"), ("hidden_dropout", "RNNDropout"),
                       ("output_dropout", "RNNDropout")):  # fmt: skip
        assert f"({name}): {kind}(p=" in text, name
    # fastai's parameter layout, renamed: the dropouts add no state-dict key (the converter and saved folders rely
    # on these names).
    layers = [f"ulmfit.rnns.{i}.{w}_l0" for i in range(3) for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert sorted(lm.state_dict()) == sorted(["ulmfit.embeddings.weight", *layers, "decoder.weight", "decoder.bias"])
    # The probabilities follow the config, so a changed drop_mult applies at once.
    lm.config.drop_mult = 1.0
    assert lm.ulmfit.hidden_dropout.p == lm.config.hidden_dropout
    lm.config.drop_mult = tiny_config().drop_mult


def test_state_is_a_named_cache_type(lm):
    x = ids(3, 5)
    state = lm.ulmfit(x).state
    assert isinstance(state, LSTMState) and len(state) == 3 and state.batch_size == 3
    assert state.select(torch.tensor([2, 0])).batch_size == 2 and not state.detach()[0][0].requires_grad
    plain = tuple((h.clone(), c.clone()) for h, c in state)  # a plain tuple of pairs is accepted too
    torch.testing.assert_close(lm.ulmfit(x, state=plain).last_hidden_state, lm.ulmfit(x, state=state).last_hidden_state)


def test_generation_checks_the_prompt_once(lm):
    checked = []
    hook = lm.ulmfit.register_forward_pre_hook(lambda _, args, kwargs: checked.append(kwargs["check_inputs"]),
                                               with_kwargs=True)
    batch, mask = pad([ids(1, n, seed=n)[0] for n in (3, 6)], "left")
    lm.generate(batch, attention_mask=mask, max_new_tokens=4, do_sample=False, pad_token_id=1)
    hook.remove()
    assert checked == [True, False, False, False]
    with pytest.raises(ValueError, match="outside the vocabulary"):
        lm.generate(torch.tensor([[5, VOCAB]]), max_new_tokens=2, pad_token_id=1)


# --- language model --------------------------------------------------------------------------------------------


def test_lm_loss_follows_causal_lm_convention(lm):
    x = ids(2, 10)
    out = lm(x, labels=x)
    expected = F.cross_entropy(out.logits[:, :-1].reshape(-1, VOCAB), x[:, 1:].reshape(-1))
    torch.testing.assert_close(out.loss, expected)
    assert out.ar_loss is None and out.tar_loss is None  # eval mode: no regularisation
    shifted = lm(x[:, :-1], shift_labels=x[:, 1:])
    torch.testing.assert_close(shifted.loss, F.cross_entropy(shifted.logits.reshape(-1, VOCAB), x[:, 1:].reshape(-1)))


def test_ar_tar_against_hand_computation():
    torch.manual_seed(0)
    model = ULMFiTForCausalLM(tiny_config(drop_mult=0.0, ar_alpha=2.0, tar_beta=1.0)).train()
    x = ids(2, 10)
    out = model(x, labels=x, output_hidden_states=True)
    last = out.hidden_states[-1]
    ar = 2.0 * (last**2).mean()  # no dropout: the dropped output equals the raw one
    tar = 1.0 * ((last[:, 1:] - last[:, :-1]) ** 2).mean()
    torch.testing.assert_close(out.ar_loss, ar)
    torch.testing.assert_close(out.tar_loss, tar)
    torch.testing.assert_close(out.loss, out.lm_loss + ar + tar)


def test_ar_tar_in_float32_under_bf16_autocast():
    model = ULMFiTForCausalLM(tiny_config()).train()
    x = ids(2, 10)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(x, labels=x)
    assert out.logits.dtype == torch.bfloat16
    assert out.ar_loss.dtype == torch.float32 and out.tar_loss.dtype == torch.float32


def generate(model, x, **kwargs):
    out = model.generate(x, pad_token_id=1, return_dict_in_generate=True, output_scores=True, **kwargs)
    return out.sequences, torch.stack(out.scores)


@pytest.mark.parametrize(
    "mode", [dict(do_sample=False), dict(do_sample=True, top_k=5), dict(num_beams=3, do_sample=False)]
)
def test_cached_generation_equals_recomputation(lm, mode):
    x = ids(2, 6)
    torch.manual_seed(1)
    cached, cached_scores = generate(lm, x, max_new_tokens=8, **mode)
    torch.manual_seed(1)
    full, full_scores = generate(lm, x, max_new_tokens=8, use_cache=False, **mode)
    assert torch.equal(cached, full)
    torch.testing.assert_close(cached_scores, full_scores)


def test_cached_generation_feeds_one_token_per_step(lm):
    lengths = []
    hook = lm.ulmfit.register_forward_pre_hook(lambda _, args, kwargs: lengths.append(args[0].shape[1]),
                                               with_kwargs=True)
    lm.generate(ids(1, 7), max_new_tokens=5, do_sample=False, pad_token_id=1)
    hook.remove()
    assert lengths == [7, 1, 1, 1, 1]


def test_batched_left_padded_prompts_equal_prompts_alone(lm):
    prompts = [ids(1, n, seed=n)[0] for n in (3, 8, 5)]
    batch, mask = pad(prompts, "left")
    seqs, scores = generate(lm, batch, attention_mask=mask, max_new_tokens=6, do_sample=False)
    for row, prompt in enumerate(prompts):
        alone, alone_scores = generate(lm, prompt[None], max_new_tokens=6, do_sample=False)
        assert torch.equal(seqs[row, -6:], alone[0, -6:])
        torch.testing.assert_close(scores[:, row], alone_scores[:, 0])


def test_bidirectional_cannot_be_causal():
    with pytest.raises(ValueError, match="bidirectional"):
        ULMFiTForCausalLM(tiny_config(bidirectional=True))


# --- classifier ------------------------------------------------------------------------------------------------


@pytest.fixture
def clas():
    torch.manual_seed(0)
    return ULMFiTForSequenceClassification(tiny_config(num_labels=3).for_classifier()).eval()


@pytest.mark.parametrize("length", [3, 11, 12, 13, 17, 22, 23, 40])  # 17, 22: len - max_len a multiple of bptt
def test_pooling_matches_fastai_rule(clas, length):
    """[last, max, mean] over the outputs of the chunks starting at i (multiple of bptt) with len - i <= max_len."""
    x = ids(1, length, seed=length)
    bptt, max_len = clas.config.bptt, clas.config.max_len
    first = next(i for i in range(0, length, bptt) if length - i <= max_len)
    with torch.no_grad():
        out = clas.ulmfit(x).last_hidden_state[0, first:]
        pooled = clas(x).pooler_output[0]
    torch.testing.assert_close(pooled, torch.cat([out[-1], out.max(0).values, out.mean(0)]))


@pytest.mark.parametrize("side", ["left", "right"])
def test_classifier_batch_independent(clas, side):
    docs = [ids(1, n, seed=n)[0] for n in (30, 4, 13, 1)]
    batch, mask = pad(docs, side)
    with torch.no_grad():
        logits = clas(batch, attention_mask=mask).logits
        alone = torch.cat([clas(doc[None]).logits for doc in docs])
    torch.testing.assert_close(logits, alone)


@pytest.mark.parametrize("side", ["left", "right"])
def test_classifier_inputs_embeds_equal_ids_and_carry_gradients_across_chunks(clas, side):
    """inputs_embeds (for attributions) give the logits of the ids; in eval mode the gradient of a document longer
    than max_len reaches its first token, which is outside the pooled window but feeds the carried state."""
    docs = [ids(1, n, seed=n)[0] for n in (23, 4, 13)]
    batch, mask = pad(docs, side)
    embeds = clas.ulmfit.embeddings(batch).detach().requires_grad_(True)
    logits = clas(inputs_embeds=embeds, attention_mask=mask).logits
    with torch.no_grad():
        torch.testing.assert_close(logits, clas(batch, attention_mask=mask).logits)
    logits[0, 0].backward()
    first = 0 if side == "right" else batch.shape[1] - 23
    assert clas.config.max_len < 23 and embeds.grad[0, first].abs().sum() > 0
    assert embeds.grad[1].abs().sum() == 0  # other documents do not feed row 0
    with pytest.raises(ValueError, match="exactly one"):
        clas(batch, inputs_embeds=embeds)
    with torch.no_grad():  # the encoder takes embeddings without a mask too
        alone = clas.ulmfit(inputs_embeds=clas.ulmfit.embeddings(docs[0][None])).last_hidden_state
        torch.testing.assert_close(alone, clas.ulmfit(docs[0][None]).last_hidden_state)


def test_classifier_training_reads_bptt_chunks_and_learns(clas):
    clas.train()
    calls, hooks = count_rnn_calls(clas)
    x = ids(4, 23)
    out = clas(x, labels=torch.tensor([0, 1, 2, 1]))
    for hook in hooks:
        hook.remove()
    assert len(calls) == clas.config.num_hidden_layers * 5  # ceil(23 / bptt 5) chunks
    out.loss.backward()
    assert clas.ulmfit.rnns[0].weight_ih_l0.grad.abs().sum() > 0
    assert clas.classifier.layers[0][2].weight.grad.abs().sum() > 0


def test_problem_types_and_losses():
    x = ids(3, 9)
    torch.manual_seed(0)
    single = ULMFiTForSequenceClassification(tiny_config(num_labels=3)).eval()
    labels = torch.tensor([0, 2, 1])
    out = single(x, labels=labels)
    torch.testing.assert_close(out.loss, F.cross_entropy(out.logits, labels))
    assert single.config.problem_type == "single_label_classification"

    multi = ULMFiTForSequenceClassification(tiny_config(num_labels=3, problem_type="multi_label_classification"))
    hot = torch.tensor([[1.0, 0, 1], [0, 0, 0], [0, 1, 1]])
    out = multi.eval()(x, labels=hot)
    torch.testing.assert_close(out.loss, F.binary_cross_entropy_with_logits(out.logits, hot))

    regression = ULMFiTForSequenceClassification(tiny_config(num_labels=1)).eval()
    target = torch.tensor([0.5, -1.0, 2.0])
    out = regression(x, labels=target)
    assert regression.config.problem_type == "regression"
    torch.testing.assert_close(out.loss, F.mse_loss(out.logits.squeeze(-1), target))


def test_classifier_from_lm_checkpoint_uses_classifier_dropouts(lm, tmp_path):
    lm.save_pretrained(tmp_path)
    clas = ULMFiTForSequenceClassification.from_pretrained(tmp_path, num_labels=4)
    assert clas.config.num_labels == 4
    assert clas.config.dropouts(scaled=False) == {
        "embed_dropout": 0.05, "input_dropout": 0.4, "weight_dropout": 0.5, "hidden_dropout": 0.3, "output_dropout": 0.4
    }
    for name, tensor in lm.ulmfit.state_dict().items():
        assert torch.equal(clas.ulmfit.state_dict()[name], tensor), name
    overridden = ULMFiTForSequenceClassification.from_pretrained(tmp_path, num_labels=2, embed_dropout=0.0)
    assert overridden.config.embed_dropout == 0.0 and overridden.config.input_dropout == 0.4
    # A classifier checkpoint keeps its own dropouts.
    overridden.save_pretrained(tmp_path / "clas")
    again = ULMFiTForSequenceClassification.from_pretrained(tmp_path / "clas")
    assert again.config.embed_dropout == 0.0


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(input_ids=torch.tensor([[5, VOCAB + 3]])), "outside the vocabulary"),
        (dict(input_ids=torch.tensor([[5, -2]])), "outside the vocabulary"),
        (dict(input_ids=torch.zeros(2, 0, dtype=torch.long)), "empty"),
        (dict(input_ids=torch.tensor([[5, 6]]), attention_mask=torch.tensor([[1, 1, 1]])), "shape"),
        (dict(input_ids=torch.tensor([[5, 6]]), attention_mask=torch.tensor([[1, 2]])), "only 0"),
        (dict(input_ids=torch.tensor([[5, 6], [5, 6]]), attention_mask=torch.tensor([[1, 1], [0, 0]])), "no real token"),
    ],
)
def test_bad_inputs_raise_clear_errors(lm, clas, kwargs, message):
    for model in (lm, clas):
        with pytest.raises(ValueError, match=message):
            model(**kwargs)


def test_bad_labels_and_state(lm, clas):
    x = ids(2, 6)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        clas(x, labels=torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="integer labels of shape"):
        clas(x, labels=torch.tensor([[0], [1]]))
    with pytest.raises(ValueError, match="labels have shape"):
        lm(x, labels=x[:, :3])
    with pytest.raises(ValueError, match="labels must be token ids"):
        lm(x, labels=torch.full_like(x, VOCAB))
    with pytest.raises(ValueError, match="one \\(h, c\\) pair per layer"):
        lm(x, state=lm.ulmfit.zero_state(5))


def test_bad_configs():
    with pytest.raises(StrictDataclassClassValidationError, match="max_len"):
        tiny_config(max_len=4, bptt=5)
    with pytest.raises(StrictDataclassClassValidationError, match="must lie in"):
        tiny_config(input_dropout=1.5, drop_mult=1.0)
    with pytest.raises(StrictDataclassClassValidationError, match="one probability per entry"):
        tiny_config(classifier_hidden_sizes=[8, 4], classifier_dropouts=[0.1])


def test_the_heads_output_dropout_follows_drop_mult():
    clas = ULMFiTForSequenceClassification(tiny_config(num_labels=2).for_classifier(drop_mult=0.5))
    pooled = clas.classifier.layers[0][1]
    assert pooled.p == clas.config.output_dropout * 0.5
    clas.config.drop_mult = 1.0
    assert pooled.p == clas.config.output_dropout
