"""The properties transformers' common model and generation tests check, held by the three ULMFiT classes.

In the style of transformers' per-model tests: a model tester with a tiny config, one test per property. Tests of
transformers' own mixins that cannot apply to a recurrent model without attention are named at the end.
"""

import pytest
import torch

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTModel
from hf_ulmfit.models.ulmfit.modeling_ulmfit import AWDLSTMStep, LSTMState

ALL_MODEL_CLASSES = (ULMFiTModel, ULMFiTForCausalLM, ULMFiTForSequenceClassification)


class ULMFiTModelTester:
    """Tiny models and inputs: a batch with a right-padded, a left-padded and two full rows."""

    batch_size, seq_length, vocab_size, num_labels = 4, 9, 30, 3

    def get_config(self, **overrides) -> ULMFiTConfig:
        values = dict(vocab_size=self.vocab_size, embedding_size=8, hidden_size=12, num_hidden_layers=2, bptt=4,
                      max_len=8, num_labels=self.num_labels)
        return ULMFiTConfig(**{**values, **overrides})

    def input_ids(self, seed: int = 0) -> torch.Tensor:
        generator = torch.Generator().manual_seed(seed)
        return torch.randint(4, self.vocab_size, (self.batch_size, self.seq_length), generator=generator)

    def attention_mask(self) -> torch.Tensor:
        mask = torch.ones(self.batch_size, self.seq_length, dtype=torch.long)
        mask[0, -3:] = 0
        mask[1, :2] = 0
        return mask

    def labels(self, model_class):
        if model_class is ULMFiTForSequenceClassification:
            return torch.tensor([0, 2, 1, 0])
        if model_class is ULMFiTForCausalLM:
            return self.input_ids()
        return None

    def model(self, model_class, seed: int = 0, **overrides):
        torch.manual_seed(seed)
        return model_class(self.get_config(**overrides)).eval()


tester = ULMFiTModelTester()


def flat(output):
    """Every tensor of a nested output, in order."""
    if isinstance(output, torch.Tensor):
        return [output]
    return [t for item in output if item is not None for t in flat(item)]


@pytest.mark.parametrize("model_class", ALL_MODEL_CLASSES)
@pytest.mark.parametrize("training", [False, True])
def test_tuple_and_dict_outputs_agree(model_class, training):
    model = tester.model(model_class).train(training)
    kwargs = dict(input_ids=tester.input_ids(), attention_mask=tester.attention_mask(), output_hidden_states=True)
    if (labels := tester.labels(model_class)) is not None:
        kwargs["labels"] = labels
    outputs = []
    for return_dict in (True, False):
        torch.manual_seed(1)  # the same dropout masks in both calls
        out = model(**kwargs, return_dict=return_dict)
        outputs.append(out.to_tuple() if return_dict else out)
    as_dict, as_tuple = (flat(o) for o in outputs)
    assert len(as_dict) == len(as_tuple)
    for a, b in zip(as_dict, as_tuple, strict=True):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("model_class", ALL_MODEL_CLASSES)
def test_hidden_states_from_every_head(model_class):
    model = tester.model(model_class)
    for on_config in (False, True):
        model.config.output_hidden_states = on_config
        out = model(tester.input_ids(), attention_mask=tester.attention_mask(),
                    **({} if on_config else {"output_hidden_states": True}))
        widths = [8, 12, 8]  # the embeddings, then each layer (the last has embedding_size features)
        assert [tuple(h.shape) for h in out.hidden_states] == [(4, 9, w) for w in widths]
        # each layer's output is zero at padding (the first entry is the input, embeddings of the pad id)
        assert all((h[0, -3:] == 0).all() and (h[1, :2] == 0).all() for h in out.hidden_states[1:])


def test_the_classifier_hidden_states_are_the_encoders():
    """In eval mode the carried state makes BPT3C's chunks invisible: the classifier's layer outputs, read layer by
    layer over its chunks, equal the encoder's own, and the logits those read chunk by chunk."""
    clas = tester.model(ULMFiTForSequenceClassification)
    x, mask = tester.input_ids(), tester.attention_mask()
    with torch.no_grad():
        out = clas(x, attention_mask=mask, output_hidden_states=True)
        from_chunks = out.hidden_states
        whole = clas.ulmfit(x, attention_mask=mask, output_hidden_states=True).hidden_states
        torch.testing.assert_close(out.logits, clas(x, attention_mask=mask).logits)
    real = mask.bool()
    for a, b in zip(from_chunks, whole, strict=True):
        torch.testing.assert_close(a[real], b[real])
        assert (a[~real] == 0).all()


def test_reading_layer_by_layer_trains_the_same_classifier():
    """Without dropout the two orders of BPT3C (chunk by chunk, layer by layer for hidden states) give the same loss
    and gradients in training mode, truncated back-propagation included."""
    grads = []
    for hidden in (False, True):
        model = tester.model(ULMFiTForSequenceClassification, bptt=3, drop_mult=0.0).train()
        torch.manual_seed(4)
        out = model(tester.input_ids(), attention_mask=tester.attention_mask(), labels=tester.labels(type(model)),
                    output_hidden_states=hidden)
        out.loss.backward()
        grads.append({"loss": out.loss.detach(), **{n: p.grad for n, p in model.named_parameters()}})
    for name in grads[0]:  # the same sums in another order: equal to float32 rounding
        torch.testing.assert_close(grads[0][name], grads[1][name], rtol=1e-4, atol=1e-4, msg=name)


@pytest.mark.parametrize("model_class", ALL_MODEL_CLASSES)
def test_hidden_states_are_on_the_path_of_the_output(model_class):
    model = tester.model(model_class, bptt=3).train()  # several chunks per document for the classifier
    out = model(tester.input_ids(), attention_mask=tester.attention_mask(), output_hidden_states=True)
    for h in out.hidden_states:
        h.retain_grad()
    out[0].flatten()[0].backward()
    assert all(h.grad is not None for h in out.hidden_states)


# --- padding and masks --------------------------------------------------------------------------------------------


def test_a_mask_with_holes_reads_the_real_tokens_in_order():
    model = tester.model(ULMFiTModel)
    x = tester.input_ids()[:1]
    mask = torch.tensor([[1, 1, 0, 1, 0, 0, 1, 1, 1]])
    with torch.no_grad():
        holes = model(x, attention_mask=mask)
        compact = model(x[:, mask[0].bool()])
    torch.testing.assert_close(holes.last_hidden_state[:, mask[0].bool()], compact.last_hidden_state)
    assert (holes.last_hidden_state[:, ~mask[0].bool()] == 0).all()
    for (h1, c1), (h2, c2) in zip(holes.state, compact.state, strict=True):
        torch.testing.assert_close(h1, h2)
        torch.testing.assert_close(c1, c2)


def test_a_cached_call_takes_the_full_past_and_new_mask():
    model = tester.model(ULMFiTForCausalLM)
    x, mask = tester.input_ids(), tester.attention_mask()
    mask[0, -3:] = 1  # rows padded on the left only: new tokens follow the real ones
    with torch.no_grad():
        whole = model(x, attention_mask=mask)
        past = model(x[:, :-2], attention_mask=mask[:, :-2], use_cache=True)
        step = model(x[:, -2:], attention_mask=mask, state=past.state)
    torch.testing.assert_close(step.logits, whole.logits[:, -2:])


# --- generation -----------------------------------------------------------------------------------------------------

GENERATE = dict(max_new_tokens=4, min_new_tokens=4, pad_token_id=1, return_dict_in_generate=True, output_scores=True)
STRATEGIES = {
    "greedy": {},
    "sample": dict(do_sample=True, top_k=5),
    "beam_search": dict(num_beams=2),
    "beam_sample": dict(num_beams=2, do_sample=True),
}


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_generate_is_the_same_with_and_without_the_cache(strategy):
    """A right-padded prompt: without the cache generate's growing mask has a hole after the padding, which is
    read as padding; with the cache the state after the prompt's real tokens carries on."""
    model = tester.model(ULMFiTForCausalLM)
    x, mask = tester.input_ids()[:2], tester.attention_mask()[:2]
    runs = []
    for use_cache in (True, False):
        torch.manual_seed(3)
        runs.append(model.generate(x, attention_mask=mask, use_cache=use_cache, **GENERATE, **STRATEGIES[strategy]))
    torch.testing.assert_close(runs[0].sequences, runs[1].sequences)
    for a, b in zip(runs[0].scores, runs[1].scores, strict=True):
        torch.testing.assert_close(a, b)
    assert isinstance(runs[0].past_key_values, LSTMState)  # the cache generate returns is the LSTM state


def test_a_prompt_holding_the_pad_id_generates():
    """Without a mask, generate() marks every pad id as padding: a hole in the middle of the prompt."""
    model = tester.model(ULMFiTForCausalLM)
    x = tester.input_ids()[:2].clone()
    x[:, 3] = 1
    for use_cache in (True, False):
        out = model.generate(x, use_cache=use_cache, **GENERATE)
        assert out.sequences.shape == (2, tester.seq_length + 4)


def test_generation_continues_from_the_returned_state():
    model = tester.model(ULMFiTForCausalLM)
    x, mask = tester.input_ids()[:2], torch.ones(2, tester.seq_length, dtype=torch.long)
    mask[1, :2] = 0  # left padding
    kwargs = {**GENERATE, "use_cache": True}
    four = model.generate(x, attention_mask=mask, **{**kwargs, "max_new_tokens": 4, "min_new_tokens": 4})
    three = model.generate(x, attention_mask=mask, **{**kwargs, "max_new_tokens": 3, "min_new_tokens": 3})
    # transformers' convention for a cached call: the new tokens, and the mask of past and new tokens
    full_mask = torch.cat([mask, torch.ones(2, 3, dtype=torch.long)], 1)
    more = model.generate(three.sequences[:, -1:], attention_mask=full_mask, state=three.past_key_values,
                          **{**kwargs, "max_new_tokens": 1, "min_new_tokens": 1})
    torch.testing.assert_close(torch.cat([three.sequences, more.sequences[:, 1:]], 1), four.sequences)


@pytest.mark.parametrize("num_beams", [1, 2])
def test_generate_from_inputs_embeds(num_beams):
    model = tester.model(ULMFiTForCausalLM)
    x = tester.input_ids()[:2]
    kwargs = {**GENERATE, "num_beams": num_beams}
    from_ids = model.generate(x, **kwargs)
    from_embeds = model.generate(inputs_embeds=model.get_input_embeddings()(x), **kwargs)
    # From embeddings generate() returns only the new tokens.
    torch.testing.assert_close(from_embeds.sequences, from_ids.sequences[:, tester.seq_length :])


# --- training -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_class", [ULMFiTForCausalLM, ULMFiTForSequenceClassification])
@pytest.mark.parametrize("use_reentrant", [False, True])
def test_activation_checkpointing_recomputes_each_layer_with_the_same_gradients(model_class, use_reentrant):
    grads = []
    for checkpointing in (False, True):
        model = tester.model(model_class).train()
        if checkpointing:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": use_reentrant})
            assert model.is_gradient_checkpointing
        # The step's weight drop runs once per call of the step, and again when the backward pass recomputes it.
        step = next(m for m in model.modules() if isinstance(m, AWDLSTMStep))
        calls = []
        step.weight_dropout.register_forward_hook(lambda *_, calls=calls: calls.append(1))
        torch.manual_seed(5)
        out = model(tester.input_ids(), attention_mask=tester.attention_mask(), labels=tester.labels(model_class))
        forward_calls = len(calls)
        out.loss.backward()
        assert len(calls) - forward_calls == (forward_calls if checkpointing else 0)
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys()
    for name in grads[0]:
        torch.testing.assert_close(grads[0][name], grads[1][name], msg=name)


# --- torch.export ---------------------------------------------------------------------------------------------------


def test_the_state_is_a_pytree_node():
    state = LSTMState(((torch.zeros(1, 2, 3), torch.ones(1, 2, 3)),))
    leaves, spec = torch.utils._pytree.tree_flatten(state)
    assert len(leaves) == 2
    rebuilt = torch.utils._pytree.tree_unflatten(leaves, spec)
    assert isinstance(rebuilt, LSTMState) and torch.equal(rebuilt[0][1], state[0][1])


@pytest.mark.parametrize("model_class", ALL_MODEL_CLASSES)
@pytest.mark.parametrize("padded", [False, True])
def test_torch_export_matches_eager(model_class, padded):
    """Outputs and the returned state, also for padded rows (the exported graph steps through the positions)."""
    model = tester.model(model_class)
    mask = tester.attention_mask() if padded else torch.ones(4, tester.seq_length, dtype=torch.long)
    kwargs = dict(input_ids=tester.input_ids(), attention_mask=mask)
    program = torch.export.export(model, args=(), kwargs=kwargs, strict=False)
    with torch.no_grad():
        expected, exported = flat(model(**kwargs).to_tuple()), flat(program.module()(**kwargs).to_tuple())
    assert len(expected) == len(exported)
    for a, b in zip(expected, exported, strict=True):
        torch.testing.assert_close(a, b)


def test_flags_say_what_the_models_support():
    assert ULMFiTModel.supports_gradient_checkpointing and ULMFiTModel._is_stateful
    assert not ULMFiTModel._can_compile_fullgraph  # data-dependent segments of a padded batch
    assert not ULMFiTModel._supports_context_parallel  # a recurrence reads the sequence in order
    assert not (ULMFiTModel._supports_sdpa or ULMFiTModel._supports_flash_attn or ULMFiTModel._supports_flex_attn)


# transformers' mixin tests that cannot apply, and why (as transformers says for RWKV and Mamba):
# - attention outputs, attention implementations (SDPA, flash, flex), head masking and pruning: no attention;
# - key/value caches (DynamicCache, StaticCache, cache offloading, `past_key_values` continuation): the cache is
#   the LSTM state, returned as `state` (generate() hands it back as `past_key_values`; continuing is tested above);
# - assisted and prompt-lookup decoding: stateful models cannot rewind (transformers refuses them itself);
# - position ids and resizing position embeddings: an LSTM has no positions.
